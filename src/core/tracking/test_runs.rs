//! Runs for unit tests, built in one place (a new `Run` field is added here only).

use crate::core::tracking::model::{LifecycleStage, MetricPoint, Run, RunInfo, RunStatus};

/// A finished run `id` (named `id`, in experiment `0`) with `params` and latest
/// `metrics`, and no metric ranges.
pub fn run_with(id: &str, params: &[(&str, &str)], metrics: &[(&str, MetricPoint)]) -> Run {
    Run {
        info: RunInfo {
            run_id: id.into(),
            run_name: id.into(),
            experiment_id: "0".into(),
            status: RunStatus::Finished,
            start_time: 0,
            end_time: None,
            lifecycle_stage: LifecycleStage::Active,
            artifact_uri: String::new(),
            user_id: String::new(),
            deleted_time: None,
        },
        params: params
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        tags: Default::default(),
        metrics: metrics.iter().map(|(k, p)| (k.to_string(), *p)).collect(),
        metric_ranges: Default::default(),
    }
}
