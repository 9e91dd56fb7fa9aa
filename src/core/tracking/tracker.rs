//! MLflow's tracking semantics over an in-memory state: experiments, runs, params,
//! tags and metrics, with every change recorded as a pending write.
//!
//! The browser service owns one `Tracker`, loads it from storage at start and
//! persists [`Tracker::take_pending`] in batches; everything here is synchronous and
//! pure, so the rules are tested natively.

use std::collections::{BTreeMap, BTreeSet};

use crate::core::fxhash::FxHashMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::core::ids::IdGen;
use crate::core::tracking::metric_log::{MetricChunk, MetricLog};
use crate::core::tracking::model::*;
use crate::core::tracking::rules::{self, InvalidValue};

/// Id of the Default experiment.
pub const DEFAULT_EXPERIMENT_ID: &str = "0";

/// MLflow's error codes, as the REST API names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorCode {
    /// 404.
    ResourceDoesNotExist,
    /// 400.
    InvalidParameterValue,
    /// A name or id is taken.
    ResourceAlreadyExists,
    /// The entity is in a state that forbids the change (e.g. deleted).
    InvalidState,
}

impl ErrorCode {
    /// MLflow's spelling (`RESOURCE_DOES_NOT_EXIST`).
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::ResourceDoesNotExist => "RESOURCE_DOES_NOT_EXIST",
            ErrorCode::InvalidParameterValue => "INVALID_PARAMETER_VALUE",
            ErrorCode::ResourceAlreadyExists => "RESOURCE_ALREADY_EXISTS",
            ErrorCode::InvalidState => "INVALID_STATE",
        }
    }
}

/// A refused tracking operation, with a message a person can act on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrackingError {
    /// The MLflow error code.
    pub code: ErrorCode,
    /// What went wrong and what to do.
    pub message: String,
}

impl fmt::Display for TrackingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for TrackingError {}

impl From<InvalidValue> for TrackingError {
    fn from(e: InvalidValue) -> Self {
        invalid(e.0)
    }
}

/// Shorthand for an `INVALID_PARAMETER_VALUE` error.
pub fn invalid(message: impl Into<String>) -> TrackingError {
    TrackingError {
        code: ErrorCode::InvalidParameterValue,
        message: message.into(),
    }
}

fn not_found(message: impl Into<String>) -> TrackingError {
    TrackingError {
        code: ErrorCode::ResourceDoesNotExist,
        message: message.into(),
    }
}

/// Result of a tracking operation.
pub type Result<T> = std::result::Result<T, TrackingError>;

/// A run as stored: the run plus how many metric chunks each key has in storage.
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
}

/// Everything changed since the last [`Tracker::take_pending`].
#[derive(Debug, Default)]
pub struct PendingWrites {
    /// Experiments to store (whole records).
    pub experiments: Vec<Experiment>,
    /// Runs to store (whole records).
    pub runs: Vec<StoredRun>,
    /// Metric chunks to store.
    pub chunks: Vec<MetricChunk>,
}

impl PendingWrites {
    /// Whether nothing needs storing.
    pub fn is_empty(&self) -> bool {
        self.experiments.is_empty() && self.runs.is_empty() && self.chunks.is_empty()
    }
}

/// Where a run comes from and who starts it (the fluent API's system tags).
#[derive(Clone, Debug, Default)]
pub struct RunSource {
    /// `mlflow.user` and `user_id`.
    pub user: String,
    /// `mlflow.source.name`: the logging page's URL.
    pub name: String,
    /// `mlflow.source.type`: `LOCAL`, `NOTEBOOK`, …
    pub kind: String,
}

/// Arguments of [`Tracker::create_run`].
#[derive(Clone, Debug, Default)]
pub struct NewRun {
    /// Target experiment (Default when `None`).
    pub experiment_id: Option<String>,
    /// Name; a random `adjective-noun-NNN` when `None`.
    pub run_name: Option<String>,
    /// Parent run of a nested run.
    pub parent_run_id: Option<String>,
    /// Initial tags.
    pub tags: BTreeMap<String, String>,
    /// Markdown description (`mlflow.note.content`).
    pub description: Option<String>,
    /// System tags source.
    pub source: RunSource,
}

/// The tracking state.
#[derive(Debug)]
pub struct Tracker {
    experiments: BTreeMap<ExperimentId, Experiment>,
    runs: FxHashMap<RunId, StoredRun>,
    metrics: MetricLog,
    dirty_experiments: BTreeSet<ExperimentId>,
    dirty_runs: BTreeSet<RunId>,
    /// Chunks of a write that failed, stored again with the next batch.
    unsaved_chunks: Vec<MetricChunk>,
    ids: IdGen,
}

impl Tracker {
    /// A tracker over stored records; creates the Default experiment if missing.
    pub fn load(experiments: Vec<Experiment>, runs: Vec<StoredRun>, seed: u64, now: i64) -> Self {
        let mut t = Tracker {
            experiments: experiments
                .into_iter()
                .map(|e| (e.experiment_id.clone(), e))
                .collect(),
            runs: runs
                .into_iter()
                .map(|r| (r.run.info.run_id.clone(), r))
                .collect(),
            metrics: MetricLog::default(),
            dirty_experiments: BTreeSet::new(),
            dirty_runs: BTreeSet::new(),
            unsaved_chunks: Vec::new(),
            ids: IdGen::new(seed),
        };
        if !t.experiments.contains_key(DEFAULT_EXPERIMENT_ID) {
            let e = Experiment {
                experiment_id: DEFAULT_EXPERIMENT_ID.into(),
                name: "Default".into(),
                artifact_location: default_artifact_location(DEFAULT_EXPERIMENT_ID),
                lifecycle_stage: LifecycleStage::Active,
                creation_time: Some(now),
                last_update_time: Some(now),
                tags: BTreeMap::new(),
            };
            t.put_experiment(e);
        }
        t
    }

    // ---- experiments -------------------------------------------------------------

    fn put_experiment(&mut self, e: Experiment) {
        self.dirty_experiments.insert(e.experiment_id.clone());
        self.experiments.insert(e.experiment_id.clone(), e);
    }

    /// All experiments, active and deleted, by id.
    pub fn experiments(&self) -> impl Iterator<Item = &Experiment> {
        self.experiments.values()
    }

    /// An experiment by id.
    pub fn experiment(&self, id: &str) -> Result<&Experiment> {
        self.experiments
            .get(id)
            .ok_or_else(|| not_found(format!("No experiment with id '{id}'.")))
    }

    /// An experiment by exact name (active or deleted).
    pub fn experiment_by_name(&self, name: &str) -> Option<&Experiment> {
        self.experiments.values().find(|e| e.name == name)
    }

    /// Creates an experiment and returns its id.
    pub fn create_experiment(
        &mut self,
        name: &str,
        artifact_location: Option<String>,
        tags: BTreeMap<String, String>,
        now: i64,
    ) -> Result<ExperimentId> {
        rules::validate_experiment_name(name)?;
        for (k, v) in &tags {
            rules::validate_experiment_tag(k, v)?;
        }
        if let Some(e) = self.experiment_by_name(name) {
            let hint = if e.lifecycle_stage == LifecycleStage::Deleted {
                " It is deleted: restore it, or pick another name."
            } else {
                ""
            };
            return Err(TrackingError {
                code: ErrorCode::ResourceAlreadyExists,
                message: format!(
                    "Experiment '{name}' already exists (id {}).{hint}",
                    e.experiment_id
                ),
            });
        }
        let mut id = self.ids.experiment_id();
        while self.experiments.contains_key(&id) {
            id = self.ids.experiment_id();
        }
        let artifact_location = artifact_location
            .filter(|a| !a.is_empty())
            .unwrap_or_else(|| default_artifact_location(&id));
        self.put_experiment(Experiment {
            experiment_id: id.clone(),
            name: name.to_owned(),
            artifact_location,
            lifecycle_stage: LifecycleStage::Active,
            creation_time: Some(now),
            last_update_time: Some(now),
            tags,
        });
        Ok(id)
    }

    fn experiment_mut(&mut self, id: &str) -> Result<&mut Experiment> {
        self.dirty_experiments.insert(id.to_owned());
        self.experiments
            .get_mut(id)
            .ok_or_else(|| not_found(format!("No experiment with id '{id}'.")))
    }

    /// Renames an experiment.
    pub fn rename_experiment(&mut self, id: &str, new_name: &str, now: i64) -> Result<()> {
        rules::validate_experiment_name(new_name)?;
        if let Some(other) = self.experiment_by_name(new_name) {
            if other.experiment_id != id {
                return Err(TrackingError {
                    code: ErrorCode::ResourceAlreadyExists,
                    message: format!(
                        "Experiment '{new_name}' already exists (id {}).",
                        other.experiment_id
                    ),
                });
            }
        }
        let e = self.experiment_mut(id)?;
        if e.lifecycle_stage != LifecycleStage::Active {
            return Err(deleted_experiment(id));
        }
        e.name = new_name.to_owned();
        e.last_update_time = Some(now);
        Ok(())
    }

    /// Soft-deletes an experiment and its active runs.
    pub fn delete_experiment(&mut self, id: &str, now: i64) -> Result<()> {
        if id == DEFAULT_EXPERIMENT_ID {
            return Err(invalid("The Default experiment (id 0) cannot be deleted."));
        }
        let e = self.experiment_mut(id)?;
        if e.lifecycle_stage == LifecycleStage::Deleted {
            return Err(deleted_experiment(id));
        }
        e.lifecycle_stage = LifecycleStage::Deleted;
        e.last_update_time = Some(now);
        let ids: Vec<RunId> = self
            .runs
            .values()
            .filter(|r| {
                r.run.info.experiment_id == id
                    && r.run.info.lifecycle_stage == LifecycleStage::Active
            })
            .map(|r| r.run.info.run_id.clone())
            .collect();
        for run_id in ids {
            let info = &mut self.run_mut(&run_id)?.run.info;
            info.lifecycle_stage = LifecycleStage::Deleted;
            info.deleted_time = Some(now);
        }
        Ok(())
    }

    /// Restores a deleted experiment and the runs deleted with it.
    pub fn restore_experiment(&mut self, id: &str, now: i64) -> Result<()> {
        let e = self.experiment_mut(id)?;
        if e.lifecycle_stage == LifecycleStage::Active {
            return Err(TrackingError {
                code: ErrorCode::InvalidState,
                message: format!("Experiment '{id}' is not deleted."),
            });
        }
        let deleted_at = e.last_update_time;
        e.lifecycle_stage = LifecycleStage::Active;
        e.last_update_time = Some(now);
        let ids: Vec<RunId> = self
            .runs
            .values()
            .filter(|r| {
                r.run.info.experiment_id == id
                    && r.run.info.lifecycle_stage == LifecycleStage::Deleted
                    && r.run.info.deleted_time == deleted_at
            })
            .map(|r| r.run.info.run_id.clone())
            .collect();
        for run_id in ids {
            let info = &mut self.run_mut(&run_id)?.run.info;
            info.lifecycle_stage = LifecycleStage::Active;
            info.deleted_time = None;
        }
        Ok(())
    }

    /// Sets an experiment tag.
    pub fn set_experiment_tag(&mut self, id: &str, key: &str, value: &str, now: i64) -> Result<()> {
        rules::validate_experiment_tag(key, value)?;
        let e = self.experiment_mut(id)?;
        if e.lifecycle_stage != LifecycleStage::Active {
            return Err(deleted_experiment(id));
        }
        e.tags.insert(key.to_owned(), value.to_owned());
        e.last_update_time = Some(now);
        Ok(())
    }

    /// Deletes an experiment tag.
    pub fn delete_experiment_tag(&mut self, id: &str, key: &str) -> Result<()> {
        let e = self.experiment_mut(id)?;
        if e.tags.remove(key).is_none() {
            return Err(not_found(format!("No tag '{key}' on experiment '{id}'.")));
        }
        Ok(())
    }

    // ---- runs ----------------------------------------------------------------------

    /// All runs, in no particular order.
    pub fn runs(&self) -> impl Iterator<Item = &Run> {
        self.runs.values().map(|r| &r.run)
    }

    /// Number of runs stored.
    pub fn run_count(&self) -> usize {
        self.runs.len()
    }

    /// A run by id.
    pub fn run(&self, id: &str) -> Result<&Run> {
        self.runs
            .get(id)
            .map(|r| &r.run)
            .ok_or_else(|| run_not_found(id))
    }

    /// A run as stored, with its chunk counts.
    pub fn stored_run(&self, id: &str) -> Result<&StoredRun> {
        self.runs.get(id).ok_or_else(|| run_not_found(id))
    }

    fn run_mut(&mut self, id: &str) -> Result<&mut StoredRun> {
        let r = self.runs.get_mut(id).ok_or_else(|| run_not_found(id))?;
        if !self.dirty_runs.contains(id) {
            self.dirty_runs.insert(id.to_owned());
        }
        Ok(r)
    }

    fn active_run_mut(&mut self, id: &str) -> Result<&mut StoredRun> {
        let r = self.run_mut(id)?;
        if r.run.info.lifecycle_stage != LifecycleStage::Active {
            return Err(TrackingError {
                code: ErrorCode::InvalidState,
                message: format!(
                    "Run '{id}' is deleted; restore it before logging to it (mlflow.restoreRun)."
                ),
            });
        }
        Ok(r)
    }

    /// Creates a run with MLflow's system tags and returns its id.
    pub fn create_run(&mut self, args: NewRun, now: i64) -> Result<RunId> {
        let exp_id = args
            .experiment_id
            .unwrap_or_else(|| DEFAULT_EXPERIMENT_ID.to_owned());
        let exp = self.experiment(&exp_id)?;
        if exp.lifecycle_stage != LifecycleStage::Active {
            return Err(deleted_experiment(&exp_id));
        }
        let artifact_root = exp.artifact_location.clone();
        for (k, v) in &args.tags {
            rules::validate_tag(k, v)?;
        }
        if let Some(parent) = &args.parent_run_id {
            self.run(parent)?;
        }
        let run_name = match args.run_name.filter(|n| !n.is_empty()) {
            Some(n) => n,
            None => args
                .tags
                .get(rules::TAG_RUN_NAME)
                .cloned()
                .unwrap_or_else(|| self.ids.run_name()),
        };
        let mut run_id = self.ids.run_id();
        while self.runs.contains_key(&run_id) {
            run_id = self.ids.run_id();
        }
        let mut tags = args.tags;
        tags.insert(rules::TAG_RUN_NAME.into(), run_name.clone());
        let src = args.source;
        let user = if src.user.is_empty() {
            "unknown".to_owned()
        } else {
            src.user
        };
        tags.entry(rules::TAG_USER.into())
            .or_insert_with(|| user.clone());
        if !src.name.is_empty() {
            tags.entry(rules::TAG_SOURCE_NAME.into())
                .or_insert(src.name);
        }
        if !src.kind.is_empty() {
            tags.entry(rules::TAG_SOURCE_TYPE.into())
                .or_insert(src.kind);
        }
        if let Some(parent) = args.parent_run_id {
            tags.insert(rules::TAG_PARENT_RUN_ID.into(), parent);
        }
        if let Some(d) = args.description {
            tags.insert(rules::TAG_NOTE.into(), d);
        }
        let run = Run {
            info: RunInfo {
                artifact_uri: format!("{}/{run_id}/artifacts", artifact_root.trim_end_matches('/')),
                run_id: run_id.clone(),
                run_name,
                experiment_id: exp_id,
                status: RunStatus::Running,
                start_time: now,
                end_time: None,
                lifecycle_stage: LifecycleStage::Active,
                user_id: user,
                deleted_time: None,
            },
            params: BTreeMap::new(),
            tags,
            metrics: BTreeMap::new(),
        };
        self.dirty_runs.insert(run_id.clone());
        self.runs.insert(run_id.clone(), StoredRun::new(run));
        Ok(run_id)
    }

    /// Sets a run's status; a terminal status also sets `end_time`.
    pub fn set_terminated(&mut self, id: &str, status: RunStatus, now: i64) -> Result<()> {
        let info = &mut self.run_mut(id)?.run.info;
        info.status = status;
        info.end_time = if status.is_terminated() {
            Some(now)
        } else {
            None
        };
        if status.is_terminated() {
            self.metrics.release_run(id);
        }
        Ok(())
    }

    /// Soft-deletes a run.
    pub fn delete_run(&mut self, id: &str, now: i64) -> Result<()> {
        let info = &mut self.run_mut(id)?.run.info;
        info.lifecycle_stage = LifecycleStage::Deleted;
        info.deleted_time = Some(now);
        Ok(())
    }

    /// Restores a soft-deleted run.
    pub fn restore_run(&mut self, id: &str) -> Result<()> {
        let exp_id = self.run(id)?.info.experiment_id.clone();
        if self.experiment(&exp_id)?.lifecycle_stage != LifecycleStage::Active {
            return Err(TrackingError {
                code: ErrorCode::InvalidState,
                message: format!("Run '{id}' belongs to deleted experiment '{exp_id}'; restore the experiment first."),
            });
        }
        let info = &mut self.run_mut(id)?.run.info;
        info.lifecycle_stage = LifecycleStage::Active;
        info.deleted_time = None;
        Ok(())
    }

    /// Logs params all-or-nothing; the same value again is fine, another is an error.
    pub fn log_params(&mut self, id: &str, params: &[(String, String)]) -> Result<()> {
        let run = &self.active_run_mut(id)?.run;
        let mut seen = BTreeMap::new();
        for (k, v) in params {
            rules::validate_param(k, v)?;
            let old = run.params.get(k).or_else(|| seen.get(k).copied());
            if let Some(old) = old.filter(|old| *old != v) {
                return Err(invalid(format!(
                    "Changing param values is not allowed. Param with key='{k}' was already logged \
                     with value='{old}' for run ID='{id}'. Attempted logging new value '{v}'."
                )));
            }
            seen.insert(k.clone(), v);
        }
        let run = &mut self.active_run_mut(id)?.run;
        for (k, v) in params {
            run.params.insert(k.clone(), v.clone());
        }
        Ok(())
    }

    /// Sets tags all-or-nothing; `mlflow.runName` also renames the run.
    pub fn set_tags(&mut self, id: &str, tags: &[(String, String)]) -> Result<()> {
        for (k, v) in tags {
            rules::validate_tag(k, v)?;
        }
        let run = &mut self.active_run_mut(id)?.run;
        for (k, v) in tags {
            if k == rules::TAG_RUN_NAME {
                run.info.run_name = v.clone();
            }
            run.tags.insert(k.clone(), v.clone());
        }
        Ok(())
    }

    /// Deletes a tag.
    pub fn delete_tag(&mut self, id: &str, key: &str) -> Result<()> {
        let run = &mut self.active_run_mut(id)?.run;
        if run.tags.remove(key).is_none() {
            return Err(not_found(format!(
                "No tag with name '{key}' in run '{id}'."
            )));
        }
        Ok(())
    }

    /// Queues a metric point and updates the run's latest value. The hot path:
    /// no allocation once the series exists.
    pub fn log_metric(&mut self, id: &str, key: &str, point: MetricPoint) -> Result<()> {
        let stored = self.runs.get_mut(id).ok_or_else(|| run_not_found(id))?;
        if stored.run.info.lifecycle_stage != LifecycleStage::Active {
            return self.active_run_mut(id).map(|_| ());
        }
        let latest = match stored.run.metrics.get_mut(key) {
            Some(latest) => latest,
            None => {
                rules::validate_metric(key, point.timestamp)?;
                stored.run.metrics.entry(key.to_owned()).or_insert(point)
            }
        };
        if point.timestamp < 0 {
            rules::validate_metric(key, point.timestamp)?;
        }
        if point.is_later_than(latest) {
            *latest = point;
        }
        let (chunks, inline) = (&stored.metric_chunks, &stored.inline_metrics);
        self.metrics.push(id, key, point, || {
            let n = chunks.get(key).copied().unwrap_or(0);
            let pts = if n == 0 {
                inline.get(key).cloned().unwrap_or_default()
            } else {
                Vec::new()
            };
            (n, pts)
        });
        if !self.dirty_runs.contains(id) {
            self.dirty_runs.insert(id.to_owned());
        }
        Ok(())
    }

    /// Metric points queued since the last [`Tracker::take_pending`].
    pub fn pending_points(&self) -> usize {
        self.metrics.pending_points()
    }

    /// Whether anything waits to be stored.
    pub fn has_pending(&self) -> bool {
        !self.dirty_runs.is_empty()
            || !self.dirty_experiments.is_empty()
            || self.pending_points() > 0
    }

    /// Takes everything changed since the last call, for storing.
    pub fn take_pending(&mut self) -> PendingWrites {
        let drained = self.metrics.drain();
        for (run_id, key, n) in drained.counts {
            if let Some(r) = self.runs.get_mut(&run_id) {
                if n > 0 {
                    r.inline_metrics.remove(&key);
                    r.metric_chunks.insert(key, n);
                }
                self.dirty_runs.insert(run_id);
            }
        }
        for (run_id, key, points) in drained.inline {
            if let Some(r) = self.runs.get_mut(&run_id) {
                r.inline_metrics.insert(key, points);
            }
        }
        // Chunks of a failed write go first: a newer copy of the same chunk wins.
        let mut chunks = std::mem::take(&mut self.unsaved_chunks);
        chunks.extend(drained.chunks);
        PendingWrites {
            experiments: std::mem::take(&mut self.dirty_experiments)
                .into_iter()
                .filter_map(|id| self.experiments.get(&id).cloned())
                .collect(),
            runs: std::mem::take(&mut self.dirty_runs)
                .into_iter()
                .filter_map(|id| self.runs.get(&id).cloned())
                .collect(),
            chunks,
        }
    }

    /// Puts back what a failed write took, so the next flush stores it again.
    pub fn restore_pending(&mut self, failed: PendingWrites) {
        self.dirty_experiments
            .extend(failed.experiments.into_iter().map(|e| e.experiment_id));
        self.dirty_runs
            .extend(failed.runs.into_iter().map(|r| r.run.info.run_id));
        let newer = std::mem::take(&mut self.unsaved_chunks);
        self.unsaved_chunks = failed.chunks;
        self.unsaved_chunks.extend(newer);
    }

    /// Takes committed imported records as they are: they replace this tab's copies,
    /// and whatever was queued for those runs is dropped with them.
    pub fn replace_imported(&mut self, experiments: Vec<Experiment>, runs: Vec<StoredRun>) {
        for e in experiments {
            self.dirty_experiments.remove(&e.experiment_id);
            self.experiments.insert(e.experiment_id.clone(), e);
        }
        for r in runs {
            let id = r.run.info.run_id.clone();
            self.metrics.forget_run(&id);
            self.unsaved_chunks.retain(|c| c.run_id != id);
            self.dirty_runs.remove(&id);
            self.runs.insert(id, r);
        }
    }

    /// Replaces records with newer copies another tab stored (unless this tab has
    /// unsaved changes to them, which win when they are flushed).
    pub fn refresh(&mut self, experiments: Vec<Experiment>, runs: Vec<StoredRun>) {
        for e in experiments {
            if !self.dirty_experiments.contains(&e.experiment_id) {
                self.experiments.insert(e.experiment_id.clone(), e);
            }
        }
        for r in runs {
            if !self.dirty_runs.contains(&r.run.info.run_id) {
                self.runs.insert(r.run.info.run_id.clone(), r);
            }
        }
    }

    /// Runs of the given experiments (all when empty) in the given view.
    pub fn runs_in<'a>(
        &'a self,
        experiment_ids: &'a [String],
        view: ViewType,
    ) -> impl Iterator<Item = &'a Run> + 'a {
        self.runs().filter(move |r| {
            view.includes(r.info.lifecycle_stage)
                && (experiment_ids.is_empty() || experiment_ids.contains(&r.info.experiment_id))
        })
    }
}

/// Where a new experiment's artifacts go: a relative `mlruns/<id>`, which MLflow
/// resolves against its working directory when it reads an exported store.
pub fn default_artifact_location(id: &str) -> String {
    format!("mlruns/{id}")
}

fn deleted_experiment(id: &str) -> TrackingError {
    TrackingError {
        code: ErrorCode::InvalidState,
        message: format!(
            "Experiment '{id}' is deleted; restore it first (mlflow.restoreExperiment)."
        ),
    }
}

fn run_not_found(id: &str) -> TrackingError {
    not_found(format!("Run '{id}' not found."))
}
