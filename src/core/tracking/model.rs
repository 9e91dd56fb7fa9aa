//! The tracking entities, shaped like MLflow's (`Experiment`, `RunInfo`, `Metric`, …).
//!
//! Field names follow MLflow's Python/REST names in snake_case; the JS surface renames
//! them to camelCase in `api`. Timestamps are milliseconds since the Unix epoch.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// An experiment id: a string of digits (`"0"` is Default).
pub type ExperimentId = String;
/// A run id: 32 lowercase hex characters for runs we create.
pub type RunId = String;

/// Whether an entity is live or soft-deleted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum LifecycleStage {
    /// Visible in default views.
    #[default]
    Active,
    /// Soft-deleted; restorable.
    Deleted,
}

impl LifecycleStage {
    /// MLflow's spelling (`active` / `deleted`).
    pub fn as_str(self) -> &'static str {
        match self {
            LifecycleStage::Active => "active",
            LifecycleStage::Deleted => "deleted",
        }
    }
    /// Parses MLflow's spelling.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "active" => Some(LifecycleStage::Active),
            "deleted" => Some(LifecycleStage::Deleted),
            _ => None,
        }
    }
}

/// Which lifecycle stages a search returns (MLflow's `ViewType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ViewType {
    /// Only active entities (the default).
    #[default]
    ActiveOnly,
    /// Only deleted entities.
    DeletedOnly,
    /// Both.
    All,
}

impl ViewType {
    /// Parses `ACTIVE_ONLY`, `DELETED_ONLY` or `ALL` (case-insensitive).
    pub fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_uppercase().as_str() {
            "ACTIVE_ONLY" => Some(ViewType::ActiveOnly),
            "DELETED_ONLY" => Some(ViewType::DeletedOnly),
            "ALL" => Some(ViewType::All),
            _ => None,
        }
    }
    /// Whether an entity in `stage` is part of this view.
    pub fn includes(self, stage: LifecycleStage) -> bool {
        match self {
            ViewType::ActiveOnly => stage == LifecycleStage::Active,
            ViewType::DeletedOnly => stage == LifecycleStage::Deleted,
            ViewType::All => true,
        }
    }
}

/// A run's status, stored by MLflow's file store as the integer of the enum.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RunStatus {
    /// Started and not ended.
    #[default]
    Running,
    /// Scheduled to run.
    Scheduled,
    /// Ended normally.
    Finished,
    /// Ended with a failure.
    Failed,
    /// Killed.
    Killed,
}

impl RunStatus {
    /// All statuses, in enum order.
    pub const ALL: [RunStatus; 5] = [
        RunStatus::Running,
        RunStatus::Scheduled,
        RunStatus::Finished,
        RunStatus::Failed,
        RunStatus::Killed,
    ];
    /// The name MLflow's API uses (`FINISHED`).
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Running => "RUNNING",
            RunStatus::Scheduled => "SCHEDULED",
            RunStatus::Finished => "FINISHED",
            RunStatus::Failed => "FAILED",
            RunStatus::Killed => "KILLED",
        }
    }
    /// Parses an API name (case-insensitive).
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|st| st.as_str().eq_ignore_ascii_case(s))
    }
    /// The integer the file store writes (`RUNNING` = 1 … `KILLED` = 5).
    pub fn to_int(self) -> i64 {
        self as i64 + 1
    }
    /// Parses the file store's integer.
    pub fn from_int(i: i64) -> Option<Self> {
        Self::ALL.get(usize::try_from(i - 1).ok()?).copied()
    }
    /// Whether the run has ended.
    pub fn is_terminated(self) -> bool {
        matches!(
            self,
            RunStatus::Finished | RunStatus::Failed | RunStatus::Killed
        )
    }
}

/// An experiment, as `mlflow.get_experiment` returns it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Experiment {
    /// Digits; `"0"` is Default.
    pub experiment_id: ExperimentId,
    /// Unique across active and deleted experiments.
    pub name: String,
    /// Where the experiment's artifacts live (`mlflow-artifacts:/<id>` by default here).
    pub artifact_location: String,
    /// Active or deleted.
    pub lifecycle_stage: LifecycleStage,
    /// Creation time (ms), if known.
    pub creation_time: Option<i64>,
    /// Last rename/delete/restore/tag time (ms), if known.
    pub last_update_time: Option<i64>,
    /// Experiment tags (`mlflow.note.content` is the description).
    pub tags: BTreeMap<String, String>,
}

/// The lowest and highest value of a metric's history. NaN is ignored (both are NaN
/// while every value is); values are ordered by [`f64::total_cmp`], so `-0.0` is below
/// `0.0` and the range is the same whatever order the points came in.
#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
pub struct MetricRange {
    /// The lowest value, or NaN.
    #[serde(with = "crate::core::float_serde")]
    pub min: f64,
    /// The highest value, or NaN.
    #[serde(with = "crate::core::float_serde")]
    pub max: f64,
}

impl PartialEq for MetricRange {
    /// Bit for bit (NaN equals NaN, `-0.0` does not equal `0.0`).
    fn eq(&self, other: &Self) -> bool {
        self.min.to_bits() == other.min.to_bits() && self.max.to_bits() == other.max.to_bits()
    }
}

impl MetricRange {
    /// The range of no values (or only NaN).
    pub const NONE: MetricRange = MetricRange {
        min: f64::NAN,
        max: f64::NAN,
    };

    /// The range of `points`' values.
    pub fn of<'a>(points: impl IntoIterator<Item = &'a MetricPoint>) -> Self {
        let mut r = MetricRange::NONE;
        for p in points {
            r.note(p.value);
        }
        r
    }

    /// Widens the range to hold `v` (NaN leaves it as it is).
    pub fn note(&mut self, v: f64) {
        if v.is_nan() {
            return;
        }
        if self.min.is_nan() || v.total_cmp(&self.min).is_lt() {
            self.min = v;
        }
        if self.max.is_nan() || v.total_cmp(&self.max).is_gt() {
            self.max = v;
        }
    }

    /// Widens the range to hold `other`.
    pub fn merge(&mut self, other: MetricRange) {
        self.note(other.min);
        self.note(other.max);
    }

    /// Whether every value was NaN (or there were none).
    pub fn is_none(&self) -> bool {
        self.min.is_nan()
    }
}

/// One point of a metric's history.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct MetricPoint {
    /// Wall-clock time of the point (ms).
    pub timestamp: i64,
    /// Any f64, NaN and ±Infinity included.
    #[serde(with = "crate::core::float_serde")]
    pub value: f64,
    /// Training step.
    pub step: i64,
}

impl MetricPoint {
    /// Whether `self` beats `other` as the "latest" value: MLflow takes the max by
    /// (step, timestamp, value); on a NaN tie the earlier candidate stays.
    pub fn is_later_than(&self, other: &MetricPoint) -> bool {
        (self.step, self.timestamp) > (other.step, other.timestamp)
            || ((self.step, self.timestamp) == (other.step, other.timestamp)
                && self.value > other.value)
    }
}

/// A run's metadata (`RunInfo`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunInfo {
    /// 32 hex characters for runs created here; imported ids are kept as they are.
    pub run_id: RunId,
    /// Display name (mirrors the `mlflow.runName` tag).
    pub run_name: String,
    /// The experiment the run belongs to.
    pub experiment_id: ExperimentId,
    /// Current status.
    pub status: RunStatus,
    /// Start time (ms).
    pub start_time: i64,
    /// End time (ms) once terminated.
    pub end_time: Option<i64>,
    /// Active or deleted.
    pub lifecycle_stage: LifecycleStage,
    /// Root URI of the run's artifacts.
    pub artifact_uri: String,
    /// Who ran it.
    pub user_id: String,
    /// When the run was soft-deleted (ms), kept for `mlflow gc`.
    #[serde(default)]
    pub deleted_time: Option<i64>,
}

/// A run: its info, params, tags and the latest value of every metric.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Run {
    /// Metadata.
    pub info: RunInfo,
    /// Params (immutable once logged).
    pub params: BTreeMap<String, String>,
    /// Tags (mutable).
    pub tags: BTreeMap<String, String>,
    /// Latest value per metric key, chosen as MLflow chooses.
    pub metrics: BTreeMap<String, MetricPoint>,
    /// The lowest and highest value of each metric's whole history (no MLflow field:
    /// the runs table's `min`/`max` columns, without reading histories). Kept by
    /// `metric_log::append_series` for every key with a stored history (records of
    /// format 3 and older get theirs when the store opens: `store::schema`, migration
    /// 4), and by the tracker for points not yet stored.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub metric_ranges: BTreeMap<String, MetricRange>,
}

impl Run {
    /// The parent run's id, from the `mlflow.parentRunId` tag.
    pub fn parent_run_id(&self) -> Option<&str> {
        self.tags
            .get(crate::core::tracking::rules::TAG_PARENT_RUN_ID)
            .map(String::as_str)
    }
}
