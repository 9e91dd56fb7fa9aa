//! `searchRuns` and `searchExperiments` over the tracker: filter, order, limit.
//! The API and the UI's runs table both call these, so a filter and an order mean the
//! same everywhere.

use std::fmt;

use crate::core::search::{
    parse_experiment_filter, parse_experiment_order_by, parse_order_by, parse_run_filter,
    sort_experiments, sort_runs, FilterError, OrderKey, RunFilter,
};
use crate::core::tracking::model::{Experiment, Run, ViewType};
use crate::core::tracking::{ErrorCode, Tracker, TrackingError};

/// Why a search was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum QueryError {
    /// The filter or an order-by clause does not parse (`INVALID_PARAMETER_VALUE`).
    Filter(FilterError),
    /// The tracker refused, e.g. an unknown experiment id (`RESOURCE_DOES_NOT_EXIST`).
    Tracking(TrackingError),
}

impl QueryError {
    /// MLflow's error code for this failure.
    pub fn code(&self) -> ErrorCode {
        match self {
            QueryError::Filter(_) => ErrorCode::InvalidParameterValue,
            QueryError::Tracking(e) => e.code,
        }
    }
}

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            QueryError::Filter(e) => e.fmt(f),
            QueryError::Tracking(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for QueryError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            QueryError::Filter(e) => Some(e),
            QueryError::Tracking(e) => Some(e),
        }
    }
}

impl From<FilterError> for QueryError {
    fn from(e: FilterError) -> Self {
        QueryError::Filter(e)
    }
}

impl From<TrackingError> for QueryError {
    fn from(e: TrackingError) -> Self {
        QueryError::Tracking(e)
    }
}

/// One key of a run search's order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RunOrderKey {
    /// A column MLflow's order-by grammar names (`metrics.acc DESC`).
    Field(OrderKey),
    /// End time minus start time, which the runs table sorts by; runs without an end
    /// sort last in both directions. MLflow's grammar has no such column, so it is
    /// honoured as the most significant key only (see [`search_runs_by`]).
    Duration {
        /// Shortest first.
        ascending: bool,
    },
    /// A metric's lowest (or highest) value over its whole history, the runs table's
    /// `min`/`max` columns ([`Run::metric_ranges`]); runs without a value (none logged,
    /// or only NaN) sort last in both directions. As with [`RunOrderKey::Duration`],
    /// the most significant key only.
    MetricRange {
        /// The metric key.
        key: String,
        /// The highest value instead of the lowest.
        max: bool,
        /// Lowest first.
        ascending: bool,
    },
}

/// Runs of `experiment_ids` (all experiments when empty) in `view` that match
/// `filter`, ordered by the `order_by` clauses, then by MLflow's tie-breakers
/// (`start_time DESC`, `run_id ASC`), at most `max_results` of them.
///
/// A filter or clause that does not parse is a [`QueryError::Filter`] (checked first);
/// an unknown experiment id a [`QueryError::Tracking`] with
/// [`ErrorCode::ResourceDoesNotExist`].
pub fn search_runs<'a, S: AsRef<str>>(
    t: &'a Tracker,
    experiment_ids: &'a [String],
    view: ViewType,
    filter: &str,
    order_by: &[S],
    max_results: Option<usize>,
) -> Result<Vec<&'a Run>, QueryError> {
    let filter = parse_run_filter(filter)?;
    let order: Vec<RunOrderKey> = parse_order_by(order_by)?
        .into_iter()
        .map(RunOrderKey::Field)
        .collect();
    find_runs(t, experiment_ids, view, &filter, &order, max_results)
}

/// [`search_runs`] with the order given as keys rather than clauses, for callers that
/// hold columns, not text (the runs table). A [`RunOrderKey::Duration`] anywhere but
/// first is a [`QueryError::Filter`] naming its clause.
pub fn search_runs_by<'a>(
    t: &'a Tracker,
    experiment_ids: &'a [String],
    view: ViewType,
    filter: &str,
    order: &[RunOrderKey],
    max_results: Option<usize>,
) -> Result<Vec<&'a Run>, QueryError> {
    let filter = parse_run_filter(filter)?;
    find_runs(t, experiment_ids, view, &filter, order, max_results)
}

fn find_runs<'a>(
    t: &'a Tracker,
    experiment_ids: &'a [String],
    view: ViewType,
    filter: &RunFilter,
    order: &[RunOrderKey],
    max_results: Option<usize>,
) -> Result<Vec<&'a Run>, QueryError> {
    let mut first = None;
    let mut fields = Vec::with_capacity(order.len());
    for (i, key) in order.iter().enumerate() {
        match key {
            RunOrderKey::Field(k) => fields.push(k.clone()),
            key if i == 0 => first = Some(key),
            key => {
                let what = match key {
                    RunOrderKey::Duration { .. } => "duration",
                    _ => "a metric's min or max",
                };
                return Err(QueryError::Filter(FilterError {
                    position: 0,
                    message: format!("runs can be ordered by {what} only as the first key"),
                    order_by_clause: Some(i),
                }));
            }
        }
    }
    for id in experiment_ids {
        t.experiment(id)?;
    }
    let mut runs: Vec<&Run> = t
        .runs_in(experiment_ids, view)
        .filter(|r| filter.matches(r))
        .collect();
    sort_runs(&mut runs, &fields);
    // Stable sorts, so runs that tie keep the order of the other keys.
    match first {
        Some(&RunOrderKey::Duration { ascending }) => runs.sort_by_cached_key(|r| {
            let duration = r.info.end_time.map(|e| e.saturating_sub(r.info.start_time));
            match duration {
                None => (1, 0),
                Some(d) if ascending => (0, d),
                Some(d) => (0, d.saturating_neg()),
            }
        }),
        Some(RunOrderKey::MetricRange {
            key,
            max,
            ascending,
        }) => {
            let value = |r: &Run| {
                let range = r.metric_ranges.get(key).filter(|g| !g.is_none())?;
                Some(if *max { range.max } else { range.min })
            };
            runs.sort_by(|a, b| match (value(a), value(b)) {
                (Some(x), Some(y)) if *ascending => x.total_cmp(&y),
                (Some(x), Some(y)) => y.total_cmp(&x),
                (a, b) => b.is_some().cmp(&a.is_some()),
            });
        }
        _ => {}
    }
    if let Some(max) = max_results {
        runs.truncate(max);
    }
    Ok(runs)
}

/// Experiments in `view` matching `filter`, ordered as MLflow orders them, at most
/// `max_results` of them. A filter or clause that does not parse is a
/// [`QueryError::Filter`].
pub fn search_experiments<'a, S: AsRef<str>>(
    t: &'a Tracker,
    view: ViewType,
    filter: &str,
    order_by: &[S],
    max_results: Option<usize>,
) -> Result<Vec<&'a Experiment>, QueryError> {
    let filter = parse_experiment_filter(filter)?;
    let order = parse_experiment_order_by(order_by)?;
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

#[cfg(test)]
mod tests {
    use std::error::Error;

    use super::*;
    use crate::core::search::{RunAttribute, RunField};
    use crate::core::tracking::model::{MetricPoint, RunStatus};
    use crate::core::tracking::NewRun;

    /// A tracker with experiment "1" holding runs a…e: (name, start, end, acc).
    fn tracker() -> (Tracker, Vec<String>) {
        let mut t = Tracker::load(vec![], vec![], 7, 0);
        let exp = t
            .create_experiment("sweep", None, Default::default(), 0)
            .unwrap();
        let runs = [
            ("a", 100, Some(400), 0.5),
            ("b", 200, Some(250), 0.9),
            ("c", 300, None, 0.9),
            ("d", 300, Some(1300), 0.1),
            ("e", 300, Some(350), 0.9),
        ];
        for (name, start, end, acc) in runs {
            let id = t
                .create_run(
                    NewRun {
                        experiment_id: Some(exp.clone()),
                        run_name: Some(name.into()),
                        ..Default::default()
                    },
                    start,
                )
                .unwrap();
            let point = MetricPoint {
                timestamp: start,
                value: acc,
                step: 0,
            };
            t.log_metric(&id, "acc", point).unwrap();
            if let Some(end) = end {
                t.set_terminated(&id, RunStatus::Finished, end).unwrap();
            }
        }
        (t, vec![exp])
    }

    fn names(runs: &[&Run]) -> Vec<String> {
        runs.iter().map(|r| r.info.run_name.clone()).collect()
    }

    fn acc(ascending: bool) -> RunOrderKey {
        RunOrderKey::Field(OrderKey {
            field: RunField::Metric("acc".into()),
            ascending,
        })
    }

    #[test]
    fn ties_break_on_start_time_then_run_id() {
        let (t, ids) = tracker();
        let runs = search_runs(&t, &ids, ViewType::All, "", &["metrics.acc DESC"], None).unwrap();
        let got = names(&runs);
        // b, c and e tie on acc: the later start first (c, e at 300, then b), and c
        // and e, which also tie on start, by run id.
        let (c, e) = (&runs[0].info.run_id, &runs[1].info.run_id);
        assert!(c < e, "equal start times order by run id");
        assert_eq!(&got[2..], ["b", "a", "d"]);
        let plain = names(&search_runs::<&str>(&t, &ids, ViewType::All, "", &[], None).unwrap());
        assert_eq!(plain.last().map(String::as_str), Some("a"), "newest first");
    }

    #[test]
    fn filter_view_and_limit_apply() {
        let (t, ids) = tracker();
        let runs = search_runs(
            &t,
            &ids,
            ViewType::ActiveOnly,
            "metrics.acc > 0.4 and attributes.run_name != 'e'",
            &["attributes.run_name"],
            Some(2),
        )
        .unwrap();
        assert_eq!(names(&runs), ["a", "b"]);
    }

    #[test]
    fn an_unknown_experiment_is_not_found() {
        let (t, _) = tracker();
        let ids = vec!["404".to_string()];
        let e = search_runs::<&str>(&t, &ids, ViewType::All, "", &[], None).unwrap_err();
        assert!(matches!(e, QueryError::Tracking(_)), "{e:?}");
        assert_eq!(e.code(), ErrorCode::ResourceDoesNotExist);
        assert!(e.to_string().contains("404"), "{e}");
        assert!(e.source().is_some());
    }

    #[test]
    fn a_bad_filter_or_order_is_an_invalid_parameter() {
        let (t, ids) = tracker();
        let e =
            search_runs::<&str>(&t, &ids, ViewType::All, "metrics.acc >", &[], None).unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidParameterValue);
        let QueryError::Filter(inner) = &e else {
            panic!("{e:?}")
        };
        assert_eq!(e.to_string(), inner.to_string());
        assert!(
            e.to_string().starts_with("Invalid filter at position"),
            "{e}"
        );
        let e =
            search_runs(&t, &ids, ViewType::All, "", &["metrics.acc SIDEWAYS"], None).unwrap_err();
        assert!(
            matches!(&e, QueryError::Filter(f) if f.order_by_clause == Some(0)),
            "{e:?}"
        );
        // The filter is checked before the experiments.
        let missing = vec!["404".to_string()];
        let e = search_runs::<&str>(&t, &missing, ViewType::All, "x ~ 1", &[], None).unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidParameterValue);
    }

    #[test]
    fn duration_orders_first_with_running_runs_last() {
        let (t, ids) = tracker();
        let shortest = [RunOrderKey::Duration { ascending: true }, acc(false)];
        let runs = search_runs_by(&t, &ids, ViewType::All, "", &shortest, None).unwrap();
        // b and e took 50 ms and tie on acc too: e started later, so it comes first.
        assert_eq!(names(&runs), ["e", "b", "a", "d", "c"]);
        let longest = [RunOrderKey::Duration { ascending: false }];
        let runs = search_runs_by(&t, &ids, ViewType::All, "", &longest, None).unwrap();
        assert_eq!(names(&runs), ["d", "a", "e", "b", "c"]);
    }

    #[test]
    fn equal_durations_keep_the_order_of_the_other_keys() {
        let (t, ids) = tracker();
        // b and e both took 50 ms; by name b comes first, though e started later.
        let order = [
            RunOrderKey::Duration { ascending: true },
            RunOrderKey::Field(OrderKey {
                field: RunField::Attribute(RunAttribute::RunName),
                ascending: true,
            }),
        ];
        let runs = search_runs_by(&t, &ids, ViewType::All, "", &order, None).unwrap();
        assert_eq!(names(&runs)[..2], ["b", "e"]);
    }

    #[test]
    fn duration_after_another_key_is_refused() {
        let (t, ids) = tracker();
        let order = [acc(true), RunOrderKey::Duration { ascending: true }];
        let e = search_runs_by(&t, &ids, ViewType::All, "", &order, None).unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidParameterValue);
        assert!(
            matches!(&e, QueryError::Filter(f) if f.order_by_clause == Some(1)),
            "{e:?}"
        );
    }

    #[test]
    fn experiment_search_errors_are_typed() {
        let (t, _) = tracker();
        let e = search_experiments::<&str>(&t, ViewType::All, "name LIKE", &[], None).unwrap_err();
        assert!(matches!(e, QueryError::Filter(_)));
        assert_eq!(e.code(), ErrorCode::InvalidParameterValue);
        let found =
            search_experiments(&t, ViewType::All, "name = 'sweep'", &["name"], None).unwrap();
        assert_eq!(found.len(), 1);
    }
}
