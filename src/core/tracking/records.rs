//! Experiment and run records and MLflow's rules for changing them.
//!
//! [`Records::apply`] is the one place a [`Change`] takes effect: on a tab's in-memory
//! view when the change is made (so a bad change is refused at once), and again on the
//! records as stored when a flush merges the journal (so a change that lost a race to
//! another writer is refused then). A change either applies whole or not at all.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::core::fxhash::{FxHashMap, FxHashSet};
use crate::core::models::{LoggedModel, ModelId};
use crate::core::registry::RegisteredModel;
use crate::core::tracking::change::{Change, OnExisting, Outcome};
use crate::core::tracking::error::*;
use crate::core::tracking::model::*;
use crate::core::tracking::rules;

/// Id of the Default experiment.
pub const DEFAULT_EXPERIMENT_ID: &str = "0";

/// A run as stored: the run plus where each metric's history is.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StoredRun {
    /// The run.
    pub run: Run,
    /// Metric key → number of chunks stored for it.
    #[serde(default)]
    pub metric_chunks: BTreeMap<String, u32>,
    /// Metric key → the whole history of a short series, kept in this record
    /// instead of in chunks (see `metric_log::INLINE_POINTS`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub inline_metrics: BTreeMap<String, Vec<MetricPoint>>,
}

impl StoredRun {
    /// A run record with nothing stored for its metrics yet.
    pub fn new(run: Run) -> Self {
        StoredRun {
            run,
            metric_chunks: BTreeMap::new(),
            inline_metrics: BTreeMap::new(),
        }
    }

    /// Every metric key with a stored history.
    pub fn metric_keys(&self) -> impl Iterator<Item = &String> {
        self.metric_chunks.keys().chain(self.inline_metrics.keys())
    }

    /// Changes whenever more of `key`'s history is stored (for views that refetch).
    pub fn history_version(&self, key: &str) -> u64 {
        let chunks = self.metric_chunks.get(key).copied().unwrap_or(0);
        let inline = self.inline_metrics.get(key).map_or(0, Vec::len);
        (u64::from(chunks) << 32) | inline as u64
    }

    /// Widens `key`'s range by `other` (the same history seen by another copy of this
    /// record); a key without a range here takes `other`.
    pub fn merge_range(&mut self, key: &str, other: MetricRange) {
        match self.run.metric_ranges.get_mut(key) {
            Some(r) => r.merge(other),
            None => {
                self.run.metric_ranges.insert(key.to_owned(), other);
            }
        }
    }

    /// Makes `point` the latest value of `key` if MLflow would.
    pub fn note_latest(&mut self, key: &str, point: MetricPoint) {
        match self.run.metrics.get_mut(key) {
            Some(latest) if point.is_later_than(latest) => *latest = point,
            Some(_) => {}
            None => {
                self.run.metrics.insert(key.to_owned(), point);
            }
        }
    }
}

/// The tracking store's records — all of them (a tab's view) or the few a flush read.
#[derive(Clone, Debug, Default)]
pub struct Records {
    /// Experiments by id.
    pub experiments: BTreeMap<ExperimentId, Experiment>,
    /// Runs by id.
    pub runs: FxHashMap<RunId, StoredRun>,
    /// Logged models by id.
    pub logged_models: BTreeMap<ModelId, LoggedModel>,
    /// Registered models (with their versions) by name.
    pub registered_models: BTreeMap<String, RegisteredModel>,
    changed: Changed,
}

/// Which records changed since [`Records::take_changed`] (removed ones included).
#[derive(Clone, Debug, Default)]
pub struct Changed {
    /// Experiments.
    pub experiments: BTreeSet<ExperimentId>,
    /// Runs.
    pub runs: FxHashSet<RunId>,
    /// Logged models.
    pub logged_models: BTreeSet<ModelId>,
    /// Registered models written.
    pub registered_models: BTreeSet<String>,
    /// Registered models removed (deleted, or renamed away).
    pub removed_registered_models: BTreeSet<String>,
}

impl Records {
    /// Records from loaded lists (no models).
    pub fn new(experiments: Vec<Experiment>, runs: Vec<StoredRun>) -> Self {
        Records {
            experiments: experiments
                .into_iter()
                .map(|e| (e.experiment_id.clone(), e))
                .collect(),
            runs: runs
                .into_iter()
                .map(|r| (r.run.info.run_id.clone(), r))
                .collect(),
            ..Default::default()
        }
    }

    /// An experiment by id.
    pub fn experiment(&self, id: &str) -> Result<&Experiment> {
        self.experiments
            .get(id)
            .ok_or_else(|| experiment_not_found(id))
    }

    /// An experiment by exact name (active or deleted).
    pub fn experiment_by_name(&self, name: &str) -> Option<&Experiment> {
        self.experiments.values().find(|e| e.name == name)
    }

    /// A run record by id.
    pub fn run(&self, id: &str) -> Result<&StoredRun> {
        self.runs.get(id).ok_or_else(|| run_not_found(id))
    }

    /// Takes the ids of the records changed since the last call.
    pub fn take_changed(&mut self) -> Changed {
        std::mem::take(&mut self.changed)
    }

    /// A run to change; marks it changed.
    pub fn run_mut(&mut self, id: &str) -> Result<&mut StoredRun> {
        let r = self.runs.get_mut(id).ok_or_else(|| run_not_found(id))?;
        if !self.changed.runs.contains(id) {
            self.changed.runs.insert(id.to_owned());
        }
        Ok(r)
    }

    pub(crate) fn experiment_mut(&mut self, id: &str) -> Result<&mut Experiment> {
        let e = self
            .experiments
            .get_mut(id)
            .ok_or_else(|| experiment_not_found(id))?;
        self.changed.experiments.insert(id.to_owned());
        Ok(e)
    }

    /// Marks a logged model changed (for the models room).
    pub(crate) fn mark_logged_model(&mut self, id: &str) {
        self.changed.logged_models.insert(id.to_owned());
    }

    /// Marks a registered model written, or removed (for the registry room).
    pub(crate) fn mark_registered_model(&mut self, name: &str, removed: bool) {
        if removed {
            self.changed.registered_models.remove(name);
            self.changed
                .removed_registered_models
                .insert(name.to_owned());
        } else {
            self.changed.removed_registered_models.remove(name);
            self.changed.registered_models.insert(name.to_owned());
        }
    }

    /// An active run to queue metric points in: not marked changed (points travel
    /// in the metric log, and the flush writes the run's record with them).
    #[inline]
    pub(crate) fn run_for_points(&mut self, id: &str) -> Result<&mut StoredRun> {
        let r = self.runs.get_mut(id).ok_or_else(|| run_not_found(id))?;
        if r.run.info.lifecycle_stage != LifecycleStage::Active {
            return Err(deleted_run(id));
        }
        Ok(r)
    }

    pub(crate) fn active_run(&self, id: &str) -> Result<&StoredRun> {
        let r = self.run(id)?;
        if r.run.info.lifecycle_stage != LifecycleStage::Active {
            return Err(deleted_run(id));
        }
        Ok(r)
    }

    pub(crate) fn active_experiment(&self, id: &str) -> Result<&Experiment> {
        let e = self.experiment(id)?;
        if e.lifecycle_stage != LifecycleStage::Active {
            return Err(deleted_experiment(id));
        }
        Ok(e)
    }

    /// Applies `change` whole, or refuses it and changes nothing.
    pub fn apply(&mut self, change: &Change) -> Result<Outcome> {
        match change {
            c @ (Change::CreateLoggedModel { .. }
            | Change::FinalizeLoggedModel { .. }
            | Change::SetLoggedModelTags { .. }
            | Change::DeleteLoggedModelTag { .. }
            | Change::DeleteLoggedModel { .. }
            | Change::AppendModelHistory { .. }) => return self.apply_model_change(c),
            c @ (Change::CreateRegisteredModel { .. }
            | Change::RenameRegisteredModel { .. }
            | Change::UpdateRegisteredModel { .. }
            | Change::DeleteRegisteredModel { .. }
            | Change::SetRegisteredModelTag { .. }
            | Change::DeleteRegisteredModelTag { .. }
            | Change::CreateModelVersion { .. }
            | Change::UpdateModelVersion { .. }
            | Change::DeleteModelVersion { .. }
            | Change::SetModelVersionTag { .. }
            | Change::DeleteModelVersionTag { .. }
            | Change::SetAlias { .. }
            | Change::DeleteAlias { .. }
            | Change::TransitionStage { .. }) => return self.apply_registry_change(c),
            Change::CreateExperiment {
                experiment,
                existing,
            } => return self.create_experiment(experiment, *existing),
            Change::RenameExperiment { id, name, time } => {
                rules::validate_experiment_name(name)?;
                if let Some(other) = self.experiment_by_name(name) {
                    if other.experiment_id != *id {
                        return Err(already_exists(format!(
                            "Experiment '{name}' already exists (id {}).",
                            other.experiment_id
                        )));
                    }
                }
                self.active_experiment(id)?;
                let e = self.experiment_mut(id)?;
                e.name = name.clone();
                e.last_update_time = Some(*time);
            }
            Change::DeleteExperiment { id, time } => {
                if id == DEFAULT_EXPERIMENT_ID {
                    return Err(invalid("The Default experiment (id 0) cannot be deleted."));
                }
                self.active_experiment(id)?;
                let e = self.experiment_mut(id)?;
                e.lifecycle_stage = LifecycleStage::Deleted;
                e.last_update_time = Some(*time);
                self.set_runs_of(
                    id,
                    |info| info.lifecycle_stage == LifecycleStage::Active,
                    |info| {
                        info.lifecycle_stage = LifecycleStage::Deleted;
                        info.deleted_time = Some(*time);
                    },
                );
            }
            Change::RestoreExperiment { id, time } => {
                if self.experiment(id)?.lifecycle_stage == LifecycleStage::Active {
                    return Err(invalid_state(format!("Experiment '{id}' is not deleted.")));
                }
                let e = self.experiment_mut(id)?;
                // Runs deleted with the experiment carry its deletion time.
                let deleted_at = e.last_update_time;
                e.lifecycle_stage = LifecycleStage::Active;
                e.last_update_time = Some(*time);
                self.set_runs_of(
                    id,
                    |info| {
                        info.lifecycle_stage == LifecycleStage::Deleted
                            && info.deleted_time == deleted_at
                    },
                    |info| {
                        info.lifecycle_stage = LifecycleStage::Active;
                        info.deleted_time = None;
                    },
                );
            }
            Change::SetExperimentTag {
                id,
                key,
                value,
                time,
            } => {
                rules::validate_experiment_tag(key, value)?;
                self.active_experiment(id)?;
                let e = self.experiment_mut(id)?;
                e.tags.insert(key.clone(), value.clone());
                e.last_update_time = Some(*time);
            }
            Change::DeleteExperimentTag { id, key } => {
                if !self.experiment(id)?.tags.contains_key(key) {
                    return Err(not_found(format!("No tag '{key}' on experiment '{id}'.")));
                }
                self.experiment_mut(id)?.tags.remove(key);
            }
            Change::CreateRun { run } => {
                let id = &run.info.run_id;
                self.active_experiment(&run.info.experiment_id)?;
                for (k, v) in &run.tags {
                    rules::validate_tag(k, v)?;
                }
                if let Some(parent) = run.parent_run_id() {
                    self.run(parent)?;
                }
                if self.runs.contains_key(id) {
                    return Err(already_exists(format!("Run '{id}' already exists.")));
                }
                self.runs.insert(id.clone(), StoredRun::new(run.clone()));
                self.changed.runs.insert(id.clone());
            }
            Change::LogParams { run_id, params } => {
                let run = &self.active_run(run_id)?.run;
                let mut seen = BTreeMap::new();
                for (k, v) in params {
                    rules::validate_param(k, v)?;
                    let old = run.params.get(k).or_else(|| seen.get(k).copied());
                    if let Some(old) = old.filter(|old| *old != v) {
                        return Err(invalid(format!(
                            "Changing param values is not allowed. Param with key='{k}' was already \
                             logged with value='{old}' for run ID='{run_id}'. Attempted logging new \
                             value '{v}'."
                        )));
                    }
                    seen.insert(k, v);
                }
                let run = &mut self.run_mut(run_id)?.run;
                for (k, v) in params {
                    run.params.insert(k.clone(), v.clone());
                }
            }
            Change::SetTags { run_id, tags } => {
                for (k, v) in tags {
                    rules::validate_tag(k, v)?;
                }
                self.active_run(run_id)?;
                let run = &mut self.run_mut(run_id)?.run;
                for (k, v) in tags {
                    if k == rules::TAG_RUN_NAME {
                        run.info.run_name = v.clone();
                    }
                    run.tags.insert(k.clone(), v.clone());
                }
            }
            Change::DeleteTag { run_id, key } => {
                if !self.active_run(run_id)?.run.tags.contains_key(key) {
                    return Err(not_found(format!(
                        "No tag with name '{key}' in run '{run_id}'."
                    )));
                }
                self.run_mut(run_id)?.run.tags.remove(key);
            }
            Change::SetStatus {
                run_id,
                status,
                time,
            } => {
                let info = &mut self.run_mut(run_id)?.run.info;
                info.status = *status;
                info.end_time = status.is_terminated().then_some(*time);
            }
            Change::DeleteRun { run_id, time } => {
                let info = &mut self.run_mut(run_id)?.run.info;
                info.lifecycle_stage = LifecycleStage::Deleted;
                info.deleted_time = Some(*time);
            }
            Change::RestoreRun {
                run_id,
                experiment_id,
            } => {
                self.run(run_id)?;
                if self.experiment(experiment_id)?.lifecycle_stage != LifecycleStage::Active {
                    return Err(invalid_state(format!(
                        "Run '{run_id}' belongs to deleted experiment '{experiment_id}'; restore \
                         the experiment first."
                    )));
                }
                let info = &mut self.run_mut(run_id)?.run.info;
                info.lifecycle_stage = LifecycleStage::Active;
                info.deleted_time = None;
            }
        }
        Ok(None)
    }

    fn create_experiment(&mut self, e: &Experiment, existing: OnExisting) -> Result<Outcome> {
        rules::validate_experiment_name(&e.name)?;
        for (k, v) in &e.tags {
            rules::validate_experiment_tag(k, v)?;
        }
        let id = &e.experiment_id;
        if existing == OnExisting::UseIt && self.experiments.contains_key(id) {
            return Ok(Some(id.clone()));
        }
        if let Some(other) = self.experiment_by_name(&e.name) {
            let deleted = other.lifecycle_stage == LifecycleStage::Deleted;
            return match existing {
                OnExisting::UseIt if !deleted => Ok(Some(other.experiment_id.clone())),
                OnExisting::UseIt => Err(invalid_state(format!(
                    "Cannot set a deleted experiment '{}' as the active experiment. Restore it \
                     with mlflow.restoreExperiment('{}'), or pick another name.",
                    e.name, other.experiment_id
                ))),
                OnExisting::Refuse => {
                    let hint = if deleted {
                        " It is deleted: restore it, or pick another name."
                    } else {
                        ""
                    };
                    Err(already_exists(format!(
                        "Experiment '{}' already exists (id {}).{hint}",
                        e.name, other.experiment_id
                    )))
                }
            };
        }
        if self.experiments.contains_key(id) {
            return Err(already_exists(format!("Experiment id '{id}' is taken.")));
        }
        self.experiments.insert(id.clone(), e.clone());
        self.changed.experiments.insert(id.clone());
        Ok(Some(id.clone()))
    }

    /// Changes the infos of the experiment's runs that `which` picks.
    fn set_runs_of(
        &mut self,
        experiment_id: &str,
        which: impl Fn(&RunInfo) -> bool,
        f: impl Fn(&mut RunInfo),
    ) {
        let ids: Vec<RunId> = self
            .runs
            .values()
            .filter(|r| r.run.info.experiment_id == experiment_id && which(&r.run.info))
            .map(|r| r.run.info.run_id.clone())
            .collect();
        for id in ids {
            if let Ok(r) = self.run_mut(&id) {
                f(&mut r.run.info);
            }
        }
    }
}
