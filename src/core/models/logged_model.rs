//! MLflow 3's LoggedModel: a model as an entity of its experiment (`m-<32 hex>`), with
//! its own params, tags, metrics and artifacts, optionally made by a run.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::core::tracking::model::{ExperimentId, LifecycleStage, RunId};

/// A logged model's id: `m-` and 32 lowercase hex characters.
pub type ModelId = String;

/// Whether a logged model's files are all there (MLflow's `LoggedModelStatus`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum LoggedModelStatus {
    /// Created, files still being written.
    #[default]
    Pending,
    /// Every file is stored.
    Ready,
    /// Writing the files failed.
    Failed,
}

impl LoggedModelStatus {
    /// The integer the file store writes (`1` pending, `2` ready, `3` failed).
    pub fn to_int(self) -> i64 {
        match self {
            LoggedModelStatus::Pending => 1,
            LoggedModelStatus::Ready => 2,
            LoggedModelStatus::Failed => 3,
        }
    }

    /// Parses the file store's integer.
    pub fn from_int(i: i64) -> Option<Self> {
        match i {
            1 => Some(LoggedModelStatus::Pending),
            2 => Some(LoggedModelStatus::Ready),
            3 => Some(LoggedModelStatus::Failed),
            _ => None,
        }
    }

    /// The REST API's name (`LOGGED_MODEL_READY`).
    pub fn api_name(self) -> &'static str {
        match self {
            LoggedModelStatus::Pending => "LOGGED_MODEL_PENDING",
            LoggedModelStatus::Ready => "LOGGED_MODEL_READY",
            LoggedModelStatus::Failed => "LOGGED_MODEL_UPLOAD_FAILED",
        }
    }
}

/// One metric value recorded for a logged model (file store: `metrics/<key>` lines
/// `ts value step run_id [dataset_name dataset_digest]`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LoggedModelMetric {
    /// Metric key.
    pub key: String,
    /// Any f64.
    #[serde(with = "crate::core::float_serde")]
    pub value: f64,
    /// When (ms).
    pub timestamp: i64,
    /// Training step.
    pub step: i64,
    /// The run that logged it.
    pub run_id: Option<RunId>,
    /// Dataset name, with its digest, when evaluated on a dataset.
    pub dataset_name: Option<String>,
    /// Dataset digest.
    pub dataset_digest: Option<String>,
}

/// A LoggedModel, as `mlflow.get_logged_model` returns it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LoggedModel {
    /// `m-<32 hex>`.
    pub model_id: ModelId,
    /// The experiment it belongs to.
    pub experiment_id: ExperimentId,
    /// Its name (the `name` given to `logModel`, e.g. `model`).
    pub name: String,
    /// Where its files are (`mlruns/<exp>/models/<id>/artifacts` for models made here).
    pub artifact_location: String,
    /// Creation time (ms).
    pub creation_timestamp: i64,
    /// Last change (ms).
    pub last_updated_timestamp: i64,
    /// Free-form type (`tfjs`, `agent`, …).
    pub model_type: Option<String>,
    /// The run that logged it, if any.
    pub source_run_id: Option<RunId>,
    /// Pending, ready or failed.
    pub status: LoggedModelStatus,
    /// Why it failed, if it did.
    pub status_message: Option<String>,
    /// Active or deleted (deleted models are hidden, as in MLflow).
    pub lifecycle_stage: LifecycleStage,
    /// Params (the run's at log time, plus those given).
    pub params: BTreeMap<String, String>,
    /// Tags.
    pub tags: BTreeMap<String, String>,
    /// Metric values.
    pub metrics: Vec<LoggedModelMetric>,
}

/// Whether `id` is a logged model id (`m-` then 32 lowercase hex characters).
pub fn is_model_id(id: &str) -> bool {
    id.strip_prefix("m-").is_some_and(|h| {
        h.len() == 32
            && h.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

/// Where a logged model's files go when made here.
pub fn default_model_location(experiment_artifact_location: &str, model_id: &str) -> String {
    format!(
        "{}/models/{model_id}/artifacts",
        experiment_artifact_location.trim_end_matches('/')
    )
}
