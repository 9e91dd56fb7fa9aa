//! `searchRuns` and `searchExperiments` over the tracker: filter, order, limit.
//! The API and the UI both call these, so a filter means the same everywhere.

use crate::core::search::{
    parse_experiment_filter, parse_experiment_order_by, parse_order_by, parse_run_filter,
    sort_experiments, sort_runs,
};
use crate::core::tracking::model::{Experiment, Run, ViewType};
use crate::core::tracking::Tracker;

/// Runs of `experiment_ids` (all experiments when empty) in `view` that match
/// `filter`, ordered by `order_by` then MLflow's default (start time descending).
pub fn search_runs<'a, S: AsRef<str>>(
    t: &'a Tracker,
    experiment_ids: &'a [String],
    view: ViewType,
    filter: &str,
    order_by: &[S],
    max_results: Option<usize>,
) -> Result<Vec<&'a Run>, String> {
    let filter = parse_run_filter(filter).map_err(|e| e.to_string())?;
    let order = parse_order_by(order_by).map_err(|e| e.to_string())?;
    for id in experiment_ids {
        t.experiment(id).map_err(|e| e.message)?;
    }
    let mut runs: Vec<&Run> = t
        .runs_in(experiment_ids, view)
        .filter(|r| filter.matches(r))
        .collect();
    sort_runs(&mut runs, &order);
    if let Some(max) = max_results {
        runs.truncate(max);
    }
    Ok(runs)
}

/// Experiments in `view` matching `filter`, ordered as MLflow orders them.
pub fn search_experiments<'a, S: AsRef<str>>(
    t: &'a Tracker,
    view: ViewType,
    filter: &str,
    order_by: &[S],
    max_results: Option<usize>,
) -> Result<Vec<&'a Experiment>, String> {
    let filter = parse_experiment_filter(filter).map_err(|e| e.to_string())?;
    let order = parse_experiment_order_by(order_by).map_err(|e| e.to_string())?;
    let mut exps: Vec<&Experiment> = t
        .experiments()
        .filter(|e| view.includes(e.lifecycle_stage) && filter.matches(e))
        .collect();
    sort_experiments(&mut exps, &order);
    if let Some(max) = max_results {
        exps.truncate(max);
    }
    Ok(exps)
}
