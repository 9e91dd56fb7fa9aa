//! The notebook views (`mlflow.show.runs`, `.chart`, `.run`): what a caller asked to
//! see, checked before anything renders, and what a view finds in the tracker as it
//! follows the store. A problem is a [`ViewError`], which the view shows in place of
//! its content and hands to the caller as `element.error`, never as a throw.

use std::collections::BTreeSet;

use crate::core::chart::{ChartOptions, XMode};
use crate::core::error::ErrorCode;
use crate::core::search::parse_run_filter;
use crate::core::table::column_key::{ColumnKey, ColumnKind};
use crate::core::table::state::RunsTableState;
use crate::core::tracking::{Tracker, TrackingError, DEFAULT_EXPERIMENT_ID};

/// Why a view shows a message instead of its content.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ViewError {
    /// MLflow's code (`RESOURCE_DOES_NOT_EXIST`, `INVALID_PARAMETER_VALUE`).
    pub code: ErrorCode,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl ViewError {
    fn invalid(message: impl Into<String>) -> Self {
        ViewError {
            code: ErrorCode::InvalidParameterValue,
            message: message.into(),
        }
    }

    fn not_found(message: impl Into<String>) -> Self {
        ViewError {
            code: ErrorCode::ResourceDoesNotExist,
            message: message.into(),
        }
    }
}

impl From<TrackingError> for ViewError {
    fn from(e: TrackingError) -> Self {
        ViewError {
            code: e.code,
            message: e.message,
        }
    }
}

impl std::fmt::Display for ViewError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// A view of one of three kinds, as asked for.
#[derive(Clone, Debug, PartialEq)]
pub enum ViewSpec {
    /// `mlflow.show.runs`.
    Runs(RunsSpec),
    /// `mlflow.show.chart`.
    Chart(ChartSpec),
    /// `mlflow.show.run`.
    Run(RunSpec),
}

impl ViewSpec {
    /// A short name for the kind (`runs`, `chart`, `run`), for the element's
    /// `data-view`.
    pub fn kind(&self) -> &'static str {
        match self {
            ViewSpec::Runs(_) => "runs",
            ViewSpec::Chart(_) => "chart",
            ViewSpec::Run(_) => "run",
        }
    }
}

/// An experiment named by id or by name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExperimentRef {
    /// `experimentId`.
    Id(String),
    /// `experimentName`.
    Name(String),
}

impl ExperimentRef {
    /// The experiment's id as the tracker has it now.
    pub fn resolve(&self, t: &Tracker) -> Result<String, ViewError> {
        match self {
            ExperimentRef::Id(id) => t
                .experiment(id)
                .map(|e| e.experiment_id.clone())
                .map_err(ViewError::from),
            ExperimentRef::Name(name) => t
                .experiment_by_name(name)
                .map(|e| e.experiment_id.clone())
                .ok_or_else(|| ViewError::not_found(format!("No experiment named '{name}'."))),
        }
    }
}

/// `mlflow.show.runs`: one experiment's runs table, set up as asked.
#[derive(Clone, Debug, PartialEq)]
pub struct RunsSpec {
    /// Whose runs.
    pub experiment: ExperimentRef,
    /// The table's filter and extra columns (the rest as the site starts it).
    pub table: RunsTableState,
}

impl RunsSpec {
    /// From `experimentId` or `experimentName` (not both; neither is `active`, the
    /// active experiment, or else the Default experiment `0`), a `filter` and
    /// `columns` as column keys (`params.lr`, `metrics.acc`, `tags.team`,
    /// `attributes.end_time`). A filter that does not parse is kept: the table shows
    /// where it goes wrong (see [`filter_error`]).
    pub fn new(
        experiment_id: Option<String>,
        experiment_name: Option<String>,
        active: Option<String>,
        filter: Option<String>,
        columns: &[String],
    ) -> Result<Self, ViewError> {
        let experiment = match (experiment_id, experiment_name) {
            (Some(_), Some(_)) => {
                return Err(ViewError::invalid(
                    "Give experimentId or experimentName, not both.",
                ))
            }
            (Some(id), None) => ExperimentRef::Id(id),
            (None, Some(name)) => ExperimentRef::Name(name),
            (None, None) => {
                ExperimentRef::Id(active.unwrap_or_else(|| DEFAULT_EXPERIMENT_ID.to_owned()))
            }
        };
        let mut keys: Vec<ColumnKey> = Vec::with_capacity(columns.len());
        for (i, c) in columns.iter().enumerate() {
            let key = column_key(c).ok_or_else(|| {
                ViewError::invalid(format!(
                    "columns[{i}]: '{c}' is not a column; write params.<key>, metrics.<key> (metrics_min.<key>, metrics_max.<key> for its lowest, highest value), tags.<key> or attributes.<name> (such as attributes.end_time)."
                ))
            })?;
            if !keys.contains(&key) {
                keys.push(key);
            }
        }
        Ok(RunsSpec {
            experiment,
            table: RunsTableState {
                filter: filter.unwrap_or_default(),
                // Columns asked for are the columns; none asked for leaves the
                // table's default (the columns that vary).
                columns_chosen: !keys.is_empty(),
                columns: keys,
                ..Default::default()
            },
        })
    }
}

/// A column key the table can fill: any param, metric or tag, and the attributes
/// the search knows (or duration).
fn column_key(text: &str) -> Option<ColumnKey> {
    let key = ColumnKey::parse(text)?;
    let fills = key.kind() != ColumnKind::Attributes || key.field().is_some() || key.is_duration();
    fills.then_some(key)
}

/// The error a runs table shows for `filter`, if it does not parse.
pub fn filter_error(filter: &str) -> Option<ViewError> {
    parse_run_filter(filter)
        .err()
        .map(|e| ViewError::invalid(e.to_string()))
}

/// `mlflow.show.chart`: a chart per metric key, each overlaying the runs.
#[derive(Clone, Debug, PartialEq)]
pub struct ChartSpec {
    /// The runs drawn, in legend order, each once.
    pub run_ids: Vec<String>,
    /// The metric keys charted; `None` for every metric the runs log.
    pub keys: Option<Vec<String>>,
    /// How every chart starts.
    pub options: ChartOptions,
}

/// The `x` option's names for the chart's x axes.
const X_NAMES: [(&str, XMode); 3] = [
    ("step", XMode::Step),
    ("time", XMode::WallTime),
    ("relative", XMode::RelativeTime),
];

impl ChartSpec {
    /// From `runId` or `runIds` (not both; neither is `active`, the active run),
    /// `keys`, `x` (`"step"`, `"time"` or `"relative"`), `smoothing` (0 to 1) and
    /// `logY`.
    pub fn new(
        run_id: Option<String>,
        run_ids: Option<Vec<String>>,
        active: Option<String>,
        keys: Option<Vec<String>>,
        x: Option<&str>,
        smoothing: Option<f64>,
        log_y: bool,
    ) -> Result<Self, ViewError> {
        let ids = match (run_id, run_ids) {
            (Some(_), Some(_)) => {
                return Err(ViewError::invalid("Give runId or runIds, not both."))
            }
            (Some(id), None) => vec![id],
            (None, Some(ids)) if ids.is_empty() => {
                return Err(ViewError::invalid(
                    "runIds is empty: name at least one run.",
                ))
            }
            (None, Some(ids)) => ids,
            (None, None) => vec![active.ok_or_else(|| {
                ViewError::invalid("Give runId or runIds: no run is active to chart.")
            })?],
        };
        let mut run_ids: Vec<String> = Vec::with_capacity(ids.len());
        for id in ids {
            if id.is_empty() {
                return Err(ViewError::invalid("A run id is empty."));
            }
            if !run_ids.contains(&id) {
                run_ids.push(id);
            }
        }
        if let Some(k) = &keys {
            if k.is_empty() {
                return Err(ViewError::invalid(
                    "keys is empty: name a metric, or leave keys out to chart every metric.",
                ));
            }
            if k.iter().any(String::is_empty) {
                return Err(ViewError::invalid("A metric key in keys is empty."));
            }
        }
        let x = match x {
            None => XMode::Step,
            Some(name) => X_NAMES
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, m)| *m)
                .ok_or_else(|| {
                    ViewError::invalid(format!(
                        "x must be \"step\", \"time\" or \"relative\", got \"{name}\"."
                    ))
                })?,
        };
        let smoothing = smoothing.unwrap_or(0.0);
        if !(0.0..=1.0).contains(&smoothing) {
            return Err(ViewError::invalid(format!(
                "smoothing must be a number from 0 (none) to 1 (the EMA weight), got {smoothing}."
            )));
        }
        Ok(ChartSpec {
            run_ids,
            keys: keys.map(dedup),
            options: ChartOptions {
                x,
                log_y,
                smoothing,
                ..Default::default()
            },
        })
    }

    /// The runs drawn as `(id, legend label)`, the label being the run's name (its id
    /// if it has none); the first run the tracker does not have is the error.
    pub fn runs(&self, t: &Tracker) -> Result<Vec<(String, String)>, ViewError> {
        self.run_ids
            .iter()
            .map(|id| {
                let run = t.run(id)?;
                let name = &run.info.run_name;
                let label = if name.is_empty() { id } else { name };
                Ok((id.clone(), label.clone()))
            })
            .collect()
    }

    /// The keys charted: those asked for, or every metric any of the runs has logged,
    /// in key order.
    pub fn chart_keys(&self, t: &Tracker) -> Vec<String> {
        if let Some(keys) = &self.keys {
            return keys.clone();
        }
        let mut all = BTreeSet::new();
        for id in &self.run_ids {
            if let Ok(r) = t.run(id) {
                all.extend(r.metrics.keys().cloned());
            }
        }
        all.into_iter().collect()
    }
}

fn dedup(list: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(list.len());
    for s in list {
        if !out.contains(&s) {
            out.push(s);
        }
    }
    out
}

/// `mlflow.show.run`: one run's name, facts, params and metrics.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunSpec {
    /// The run.
    pub run_id: String,
}

impl RunSpec {
    /// From `runId`, or `active` (the active run) without one.
    pub fn new(run_id: Option<String>, active: Option<String>) -> Result<Self, ViewError> {
        match run_id.or(active) {
            Some(id) if !id.is_empty() => Ok(RunSpec { run_id: id }),
            Some(_) => Err(ViewError::invalid("The run id is empty.")),
            None => Err(ViewError::invalid(
                "Give a run id: no run is active to show.",
            )),
        }
    }

    /// The run's error if the tracker does not have it.
    pub fn check(&self, t: &Tracker) -> Result<(), ViewError> {
        t.run(&self.run_id).map(drop).map_err(ViewError::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::tracking::model::MetricPoint;
    use crate::core::tracking::NewRun;

    fn strings(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    /// A tracker with experiment "views" and runs "a" (metrics loss, acc) and an
    /// unnamed one (metric lr).
    fn tracker() -> (Tracker, String, String, String) {
        let mut t = Tracker::load(vec![], vec![], 7, 0);
        let exp = t
            .create_experiment("views", None, Default::default(), 0)
            .unwrap();
        let run = |t: &mut Tracker, name: Option<&str>| {
            t.create_run(
                NewRun {
                    experiment_id: Some(exp.clone()),
                    run_name: name.map(str::to_owned),
                    ..Default::default()
                },
                1,
            )
            .unwrap()
        };
        let a = run(&mut t, Some("a"));
        let b = run(&mut t, None);
        let point = |v| MetricPoint {
            timestamp: 5,
            value: v,
            step: 0,
        };
        t.log_metric(&a, "loss", point(0.5)).unwrap();
        t.log_metric(&a, "acc", point(0.9)).unwrap();
        t.log_metric(&b, "lr", point(0.1)).unwrap();
        t.log_metric(&b, "loss", point(0.7)).unwrap();
        (t, exp, a, b)
    }

    #[test]
    fn runs_view_names_its_experiment_by_id_or_name_or_the_active_one() {
        let (t, exp, ..) = tracker();
        let by_name = RunsSpec::new(None, Some("views".into()), None, None, &[]).unwrap();
        assert_eq!(by_name.experiment.resolve(&t), Ok(exp.clone()));
        let by_id = RunsSpec::new(Some(exp.clone()), None, None, None, &[]).unwrap();
        assert_eq!(by_id.experiment.resolve(&t), Ok(exp.clone()));
        let active = RunsSpec::new(None, None, Some(exp.clone()), None, &[]).unwrap();
        assert_eq!(active.experiment, ExperimentRef::Id(exp));
        let default = RunsSpec::new(None, None, None, None, &[]).unwrap();
        assert_eq!(
            default.experiment,
            ExperimentRef::Id(DEFAULT_EXPERIMENT_ID.into())
        );
        let both = RunsSpec::new(Some("1".into()), Some("x".into()), None, None, &[]);
        assert_eq!(both.unwrap_err().code, ErrorCode::InvalidParameterValue);
    }

    #[test]
    fn an_unknown_experiment_is_a_not_found_error_that_says_which() {
        let (t, ..) = tracker();
        let e = ExperimentRef::Name("nope".into()).resolve(&t).unwrap_err();
        assert_eq!(e.code, ErrorCode::ResourceDoesNotExist);
        assert!(e.message.contains("'nope'"), "{e}");
        let e = ExperimentRef::Id("42".into()).resolve(&t).unwrap_err();
        assert_eq!(e.code, ErrorCode::ResourceDoesNotExist);
        assert!(e.message.contains("'42'"), "{e}");
    }

    #[test]
    fn runs_view_columns_are_column_keys_the_table_can_fill() {
        let spec = RunsSpec::new(
            None,
            None,
            None,
            Some("metrics.acc > 0.5".into()),
            &strings(&[
                "params.lr",
                "metrics.acc",
                "params.lr",
                "attributes.end_time",
            ]),
        )
        .unwrap();
        let shown: Vec<String> = spec.table.columns.iter().map(|c| c.to_string()).collect();
        assert_eq!(shown, ["params.lr", "metrics.acc", "attributes.end_time"]);
        assert_eq!(spec.table.filter, "metrics.acc > 0.5");
        for bad in ["lr", "metric.acc", "attributes.colour", "params."] {
            let e =
                RunsSpec::new(None, None, None, None, &strings(&["params.x", bad])).unwrap_err();
            assert_eq!(e.code, ErrorCode::InvalidParameterValue);
            assert!(e.message.starts_with("columns[1]: "), "{e}");
        }
    }

    #[test]
    fn a_bad_filter_is_kept_for_the_table_and_reported() {
        let spec = RunsSpec::new(None, None, None, Some("metrics.acc >".into()), &[]).unwrap();
        let e = filter_error(&spec.table.filter).unwrap();
        assert_eq!(e.code, ErrorCode::InvalidParameterValue);
        assert!(e.message.starts_with("Invalid filter at position"), "{e}");
        assert_eq!(
            filter_error("metrics.acc > 0.5 and params.lr = '0.1'"),
            None
        );
        assert_eq!(filter_error(""), None);
    }

    #[test]
    fn chart_options_read_as_the_site_chart_offers_them() {
        let spec = |x, s| ChartSpec::new(Some("r".into()), None, None, None, x, s, false);
        assert_eq!(spec(None, None).unwrap().options, ChartOptions::default());
        assert_eq!(spec(Some("time"), None).unwrap().options.x, XMode::WallTime);
        assert_eq!(
            spec(Some("relative"), None).unwrap().options.x,
            XMode::RelativeTime
        );
        assert_eq!(
            spec(Some("step"), Some(1.0)).unwrap().options.smoothing,
            1.0
        );
        let logged = ChartSpec::new(Some("r".into()), None, None, None, None, Some(0.6), true);
        assert_eq!(
            logged.unwrap().options,
            ChartOptions {
                x: XMode::Step,
                log_y: true,
                smoothing: 0.6,
                ..Default::default()
            }
        );
        for (x, s) in [
            (Some("wall"), None),
            (Some("Step"), None),
            (None, Some(-0.1)),
            (None, Some(1.5)),
            (None, Some(f64::NAN)),
        ] {
            let e = spec(x, s).unwrap_err();
            assert_eq!(e.code, ErrorCode::InvalidParameterValue, "{x:?} {s:?}");
        }
    }

    #[test]
    fn chart_runs_come_from_run_id_run_ids_or_the_active_run() {
        let ids = |r: Result<ChartSpec, ViewError>| r.unwrap().run_ids;
        let new = |one: Option<&str>, many: Option<&[&str]>, active: Option<&str>| {
            ChartSpec::new(
                one.map(str::to_owned),
                many.map(strings),
                active.map(str::to_owned),
                None,
                None,
                None,
                false,
            )
        };
        assert_eq!(ids(new(Some("a"), None, Some("z"))), ["a"]);
        assert_eq!(ids(new(None, Some(&["b", "a", "b"]), None)), ["b", "a"]);
        assert_eq!(ids(new(None, None, Some("z"))), ["z"]);
        for bad in [
            new(None, None, None),
            new(Some("a"), Some(&["b"]), None),
            new(None, Some(&[]), None),
            new(None, Some(&["a", ""]), None),
        ] {
            assert_eq!(bad.unwrap_err().code, ErrorCode::InvalidParameterValue);
        }
        let keys = ChartSpec::new(
            Some("a".into()),
            None,
            None,
            Some(vec![]),
            None,
            None,
            false,
        );
        assert!(keys.unwrap_err().message.starts_with("keys is empty"));
    }

    #[test]
    fn chart_labels_are_run_names_and_keys_default_to_every_metric_of_the_runs() {
        let (t, _, a, b) = tracker();
        let spec = ChartSpec::new(
            None,
            Some(vec![a.clone(), b.clone()]),
            None,
            None,
            None,
            None,
            false,
        )
        .unwrap();
        assert_eq!(
            spec.runs(&t).unwrap(),
            [
                (a.clone(), "a".to_owned()),
                (b.clone(), t.run(&b).unwrap().info.run_name.clone())
            ]
        );
        assert_eq!(spec.chart_keys(&t), ["acc", "loss", "lr"]);
        let only = ChartSpec::new(
            Some(a.clone()),
            None,
            None,
            Some(strings(&["loss", "loss", "x"])),
            None,
            None,
            false,
        )
        .unwrap();
        assert_eq!(only.chart_keys(&t), ["loss", "x"]);
        let missing = ChartSpec::new(
            None,
            Some(vec![a, "nope".into()]),
            None,
            None,
            None,
            None,
            false,
        )
        .unwrap();
        let e = missing.runs(&t).unwrap_err();
        assert_eq!(e.code, ErrorCode::ResourceDoesNotExist);
        assert!(e.message.contains("nope"), "{e}");
    }

    #[test]
    fn run_view_is_the_given_run_or_the_active_one() {
        let (t, _, a, _) = tracker();
        assert_eq!(
            RunSpec::new(Some(a.clone()), None).unwrap().check(&t),
            Ok(())
        );
        assert_eq!(RunSpec::new(None, Some("z".into())).unwrap().run_id, "z");
        assert!(RunSpec::new(None, None).is_err());
        assert!(RunSpec::new(Some(String::new()), None).is_err());
        let e = RunSpec::new(Some("nope".into()), None)
            .unwrap()
            .check(&t)
            .unwrap_err();
        assert_eq!(e.code, ErrorCode::ResourceDoesNotExist);
    }
}
