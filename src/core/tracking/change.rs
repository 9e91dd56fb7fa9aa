//! The journal: every tracking change except metric points, as data.
//!
//! A tab (or worker) applies a [`Change`] to its in-memory view at once, so reads see
//! it, and queues it in its journal. A flush replays the journal inside one IndexedDB
//! read-modify-write transaction over the records *as stored now* — which may hold
//! other writers' changes — so writes merge instead of overwriting each other. The
//! replay decides each change's outcome (e.g. a param value another writer set first
//! refuses this one); [`Needs`] tells the store which records to read for it.

use std::collections::BTreeSet;

use crate::core::models::{LoggedModel, LoggedModelStatus, ModelId};
use crate::core::registry::{ModelVersion, Stage};
use crate::core::tracking::model::{Experiment, ExperimentId, Run, RunId, RunStatus};

/// Identifies a journaled change, so its writer can wait for its outcome.
pub type Ticket = u64;

/// What a change resolved to once merged: for a created experiment, the id it has
/// (another writer's, when `setExperiment` found the name taken meanwhile).
pub type Outcome = Option<String>;

/// What to do when a created experiment's name (or id) is already taken.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OnExisting {
    /// Refuse with `RESOURCE_ALREADY_EXISTS` (`createExperiment`).
    Refuse,
    /// Resolve to the existing active experiment (`setExperiment`, Default).
    UseIt,
}

/// One change to the tracking store (experiments, runs, logged models, the model
/// registry), with everything decided by its writer (ids, names, times).
#[derive(Clone, Debug, PartialEq)]
pub enum Change {
    /// A new experiment.
    CreateExperiment {
        /// The record to store, with a freshly drawn id.
        experiment: Experiment,
        /// When the name or id is taken.
        existing: OnExisting,
    },
    /// `renameExperiment`.
    RenameExperiment {
        /// Experiment.
        id: ExperimentId,
        /// New name.
        name: String,
        /// When (ms).
        time: i64,
    },
    /// `deleteExperiment`: soft delete, with its active runs.
    DeleteExperiment {
        /// Experiment.
        id: ExperimentId,
        /// When (ms).
        time: i64,
    },
    /// `restoreExperiment`, with the runs deleted with it.
    RestoreExperiment {
        /// Experiment.
        id: ExperimentId,
        /// When (ms).
        time: i64,
    },
    /// `setExperimentTag`.
    SetExperimentTag {
        /// Experiment.
        id: ExperimentId,
        /// Tag key.
        key: String,
        /// Tag value.
        value: String,
        /// When (ms).
        time: i64,
    },
    /// `deleteExperimentTag`.
    DeleteExperimentTag {
        /// Experiment.
        id: ExperimentId,
        /// Tag key.
        key: String,
    },
    /// A new run (system tags included).
    CreateRun {
        /// The run, with a freshly drawn id.
        run: Run,
    },
    /// `logParams`: all or nothing; a value differing from the stored one is refused.
    LogParams {
        /// Run.
        run_id: RunId,
        /// Key/value pairs.
        params: Vec<(String, String)>,
    },
    /// `setTags`: all or nothing; `mlflow.runName` renames the run.
    SetTags {
        /// Run.
        run_id: RunId,
        /// Key/value pairs.
        tags: Vec<(String, String)>,
    },
    /// `deleteTag`.
    DeleteTag {
        /// Run.
        run_id: RunId,
        /// Tag key.
        key: String,
    },
    /// `setTerminated` / `endRun` / resuming a run.
    SetStatus {
        /// Run.
        run_id: RunId,
        /// New status.
        status: RunStatus,
        /// When (ms); the end time of a terminal status.
        time: i64,
    },
    /// `deleteRun`: soft delete.
    DeleteRun {
        /// Run.
        run_id: RunId,
        /// When (ms).
        time: i64,
    },
    /// `restoreRun`.
    RestoreRun {
        /// Run.
        run_id: RunId,
        /// Its experiment (which must be active; runs never move).
        experiment_id: ExperimentId,
    },

    // ---- logged models ------------------------------------------------------------
    /// A new LoggedModel (its files are stored before it turns READY).
    CreateLoggedModel {
        /// The record, with a freshly drawn id.
        model: LoggedModel,
    },
    /// A logged model's files are stored (READY) or could not be (FAILED).
    FinalizeLoggedModel {
        /// Model.
        model_id: ModelId,
        /// New status.
        status: LoggedModelStatus,
        /// Why it failed.
        message: Option<String>,
        /// When (ms).
        time: i64,
    },
    /// Tags on a logged model.
    SetLoggedModelTags {
        /// Model.
        model_id: ModelId,
        /// Key/value pairs.
        tags: Vec<(String, String)>,
        /// When (ms).
        time: i64,
    },
    /// Deletes a logged model's tag.
    DeleteLoggedModelTag {
        /// Model.
        model_id: ModelId,
        /// Tag key.
        key: String,
    },
    /// Soft-deletes a logged model.
    DeleteLoggedModel {
        /// Model.
        model_id: ModelId,
        /// When (ms).
        time: i64,
    },
    /// Appends one entry to a run's `mlflow.log-model.history` tag (a JSON list), so two
    /// writers logging models to one run both appear.
    AppendModelHistory {
        /// Run.
        run_id: RunId,
        /// The entry, a JSON object as text (appended as written).
        entry: String,
    },

    // ---- model registry -----------------------------------------------------------
    /// `createRegisteredModel` (or the implicit one of `registerModel`).
    CreateRegisteredModel {
        /// Name.
        name: String,
        /// Markdown description.
        description: Option<String>,
        /// Tags.
        tags: Vec<(String, String)>,
        /// When (ms).
        time: i64,
        /// When the name is taken.
        existing: OnExisting,
    },
    /// `renameRegisteredModel`: versions, tags and aliases follow (SQLite semantics).
    RenameRegisteredModel {
        /// Current name.
        name: String,
        /// New name.
        new_name: String,
        /// When (ms).
        time: i64,
    },
    /// `updateRegisteredModel`.
    UpdateRegisteredModel {
        /// Name.
        name: String,
        /// New description.
        description: Option<String>,
        /// When (ms).
        time: i64,
    },
    /// `deleteRegisteredModel`: the model and all its versions.
    DeleteRegisteredModel {
        /// Name.
        name: String,
    },
    /// `setRegisteredModelTag`.
    SetRegisteredModelTag {
        /// Name.
        name: String,
        /// Tag key.
        key: String,
        /// Tag value.
        value: String,
    },
    /// `deleteRegisteredModelTag`.
    DeleteRegisteredModelTag {
        /// Name.
        name: String,
        /// Tag key.
        key: String,
    },
    /// A new version; its number (one past every number ever used) is decided by the
    /// merge and is the change's outcome.
    CreateModelVersion {
        /// The version (its `version` field is ignored).
        version: ModelVersion,
    },
    /// `updateModelVersion`.
    UpdateModelVersion {
        /// Registered model.
        name: String,
        /// Version.
        version: u64,
        /// New description.
        description: Option<String>,
        /// When (ms).
        time: i64,
    },
    /// `deleteModelVersion`: hidden for good (`Deleted_Internal`), its aliases go.
    DeleteModelVersion {
        /// Registered model.
        name: String,
        /// Version.
        version: u64,
        /// When (ms).
        time: i64,
    },
    /// `setModelVersionTag`.
    SetModelVersionTag {
        /// Registered model.
        name: String,
        /// Version.
        version: u64,
        /// Tag key.
        key: String,
        /// Tag value.
        value: String,
    },
    /// `deleteModelVersionTag`.
    DeleteModelVersionTag {
        /// Registered model.
        name: String,
        /// Version.
        version: u64,
        /// Tag key.
        key: String,
    },
    /// `setRegisteredModelAlias`: the alias now names `version` (moved if it named
    /// another).
    SetAlias {
        /// Registered model.
        name: String,
        /// Alias.
        alias: String,
        /// Version.
        version: u64,
        /// When (ms).
        time: i64,
    },
    /// `deleteRegisteredModelAlias`.
    DeleteAlias {
        /// Registered model.
        name: String,
        /// Alias.
        alias: String,
    },
    /// `transitionModelVersionStage` (deprecated in MLflow, still stored).
    TransitionStage {
        /// Registered model.
        name: String,
        /// Version.
        version: u64,
        /// New stage.
        stage: Stage,
        /// Move other versions in that stage to Archived.
        archive_existing: bool,
        /// When (ms).
        time: i64,
    },
}

/// The stored records a set of changes reads, so one transaction can load them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Needs {
    /// Experiments by id.
    pub experiments: BTreeSet<ExperimentId>,
    /// Runs by id.
    pub runs: BTreeSet<RunId>,
    /// Every experiment (name uniqueness).
    pub all_experiments: bool,
    /// Every run of these experiments (a delete or restore cascades to them).
    pub runs_of_experiments: BTreeSet<ExperimentId>,
    /// Logged models by id.
    pub logged_models: BTreeSet<ModelId>,
    /// Registered models by name.
    pub registered_models: BTreeSet<String>,
}

impl Needs {
    /// Whether nothing needs reading.
    pub fn is_empty(&self) -> bool {
        self.experiments.is_empty()
            && self.runs.is_empty()
            && !self.all_experiments
            && self.runs_of_experiments.is_empty()
            && self.logged_models.is_empty()
            && self.registered_models.is_empty()
    }

    /// The ids named here (by id, not the "all" and "runs of" sets) that `records`
    /// lacks: records a rebase must drop from a view.
    pub fn absent_from(&self, records: &crate::core::tracking::records::Records) -> Needs {
        Needs {
            experiments: (self.experiments.iter())
                .filter(|id| !records.experiments.contains_key(*id))
                .cloned()
                .collect(),
            runs: (self.runs.iter())
                .filter(|id| !records.runs.contains_key(*id))
                .cloned()
                .collect(),
            logged_models: (self.logged_models.iter())
                .filter(|id| !records.logged_models.contains_key(*id))
                .cloned()
                .collect(),
            registered_models: (self.registered_models.iter())
                .filter(|n| !records.registered_models.contains_key(*n))
                .cloned()
                .collect(),
            ..Needs::default()
        }
    }

    /// Adds what `other` needs.
    pub fn extend(&mut self, other: Needs) {
        self.experiments.extend(other.experiments);
        self.runs.extend(other.runs);
        self.all_experiments |= other.all_experiments;
        self.runs_of_experiments.extend(other.runs_of_experiments);
        self.logged_models.extend(other.logged_models);
        self.registered_models.extend(other.registered_models);
    }
}

impl Change {
    /// The stored records applying this change reads or writes.
    pub fn needs(&self) -> Needs {
        let mut n = Needs::default();
        match self {
            Change::CreateExperiment { experiment, .. } => {
                n.experiments.insert(experiment.experiment_id.clone());
                n.all_experiments = true;
            }
            Change::RenameExperiment { id, .. } => {
                n.experiments.insert(id.clone());
                n.all_experiments = true;
            }
            Change::DeleteExperiment { id, .. } | Change::RestoreExperiment { id, .. } => {
                n.experiments.insert(id.clone());
                n.runs_of_experiments.insert(id.clone());
            }
            Change::SetExperimentTag { id, .. } | Change::DeleteExperimentTag { id, .. } => {
                n.experiments.insert(id.clone());
            }
            Change::CreateRun { run } => {
                n.runs.insert(run.info.run_id.clone());
                n.experiments.insert(run.info.experiment_id.clone());
                if let Some(parent) = run.parent_run_id() {
                    n.runs.insert(parent.to_owned());
                }
            }
            Change::LogParams { run_id, .. }
            | Change::SetTags { run_id, .. }
            | Change::DeleteTag { run_id, .. }
            | Change::SetStatus { run_id, .. }
            | Change::DeleteRun { run_id, .. } => {
                n.runs.insert(run_id.clone());
            }
            Change::RestoreRun {
                run_id,
                experiment_id,
            } => {
                n.runs.insert(run_id.clone());
                n.experiments.insert(experiment_id.clone());
            }
            Change::CreateLoggedModel { model } => {
                n.logged_models.insert(model.model_id.clone());
                n.experiments.insert(model.experiment_id.clone());
                n.runs.extend(model.source_run_id.clone());
            }
            Change::FinalizeLoggedModel { model_id, .. }
            | Change::SetLoggedModelTags { model_id, .. }
            | Change::DeleteLoggedModelTag { model_id, .. }
            | Change::DeleteLoggedModel { model_id, .. } => {
                n.logged_models.insert(model_id.clone());
            }
            Change::AppendModelHistory { run_id, .. } => {
                n.runs.insert(run_id.clone());
            }
            Change::CreateRegisteredModel { name, .. }
            | Change::UpdateRegisteredModel { name, .. }
            | Change::DeleteRegisteredModel { name }
            | Change::SetRegisteredModelTag { name, .. }
            | Change::DeleteRegisteredModelTag { name, .. }
            | Change::UpdateModelVersion { name, .. }
            | Change::DeleteModelVersion { name, .. }
            | Change::SetModelVersionTag { name, .. }
            | Change::DeleteModelVersionTag { name, .. }
            | Change::SetAlias { name, .. }
            | Change::DeleteAlias { name, .. }
            | Change::TransitionStage { name, .. } => {
                n.registered_models.insert(name.clone());
            }
            Change::RenameRegisteredModel { name, new_name, .. } => {
                n.registered_models.insert(name.clone());
                n.registered_models.insert(new_name.clone());
            }
            Change::CreateModelVersion { version } => {
                n.registered_models.insert(version.name.clone());
                n.logged_models.extend(version.model_id.clone());
            }
        }
        n
    }
}

/// A journaled change and the ticket its writer waits on.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// Identifies the change.
    pub ticket: Ticket,
    /// The change.
    pub change: Change,
}
