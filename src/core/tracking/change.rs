//! The journal: every tracking change except metric points, as data.
//!
//! A tab (or worker) applies a [`Change`] to its in-memory view at once, so reads see
//! it, and queues it in its journal. A flush replays the journal inside one IndexedDB
//! read-modify-write transaction over the records *as stored now* — which may hold
//! other writers' changes — so writes merge instead of overwriting each other. The
//! replay decides each change's outcome (e.g. a param value another writer set first
//! refuses this one); [`Needs`] tells the store which records to read for it.

use std::collections::BTreeSet;

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

/// One tracking change, with everything decided by its writer (ids, names, times).
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
}

impl Needs {
    /// Whether nothing needs reading.
    pub fn is_empty(&self) -> bool {
        self.experiments.is_empty()
            && self.runs.is_empty()
            && !self.all_experiments
            && self.runs_of_experiments.is_empty()
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
            ..Needs::default()
        }
    }

    /// Adds what `other` needs.
    pub fn extend(&mut self, other: Needs) {
        self.experiments.extend(other.experiments);
        self.runs.extend(other.runs);
        self.all_experiments |= other.all_experiments;
        self.runs_of_experiments.extend(other.runs_of_experiments);
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
