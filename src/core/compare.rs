//! Runs compared: what the compare page shows of each run, and the plot axes built
//! from them with `core::chart` (numeric axes normalized, string params as evenly
//! spaced categories). Plot axes are named by [`ColumnKey`]s of params and metrics.

use std::collections::{BTreeMap, BTreeSet};

use crate::core::chart::{
    categorical_positions, format_tick, nice_ticks, normalize, numeric_values,
};
use crate::core::table::column_key::{ColumnKey, ColumnKind};
use crate::core::text::format::format_value;
use crate::core::tracking::model::LifecycleStage;
use crate::core::tracking::Tracker;

/// One run, copied out of the tracker.
#[derive(Clone, Debug, PartialEq)]
pub struct CompareRun {
    /// Run id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Its experiment.
    pub experiment_id: String,
    /// That experiment's name (empty if it is not known).
    pub experiment_name: String,
    /// RUNNING, FINISHED, …
    pub status: &'static str,
    /// Start time (ms).
    pub start: i64,
    /// End time (ms), once ended.
    pub end: Option<i64>,
    /// Soft-deleted.
    pub deleted: bool,
    /// Params.
    pub params: BTreeMap<String, String>,
    /// Latest metric values.
    pub metrics: BTreeMap<String, f64>,
    /// Tags.
    pub tags: BTreeMap<String, String>,
}

/// The runs asked for, in the order asked, and the ids that are not known.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CompareData {
    /// Runs found.
    pub runs: Vec<CompareRun>,
    /// Requested ids with no run.
    pub missing: Vec<String>,
}

/// Reads the runs `ids` from the tracker, in that order (duplicates ignored).
pub fn compare_runs(t: &Tracker, ids: &[String]) -> CompareData {
    let mut seen = BTreeSet::new();
    let mut out = CompareData::default();
    for id in ids.iter().filter(|id| seen.insert(id.as_str())) {
        match t.run(id) {
            Ok(r) => out.runs.push(CompareRun {
                id: r.info.run_id.clone(),
                name: r.info.run_name.clone(),
                experiment_id: r.info.experiment_id.clone(),
                experiment_name: t
                    .experiment(&r.info.experiment_id)
                    .map(|e| e.name.clone())
                    .unwrap_or_default(),
                status: r.info.status.as_str(),
                start: r.info.start_time,
                end: r.info.end_time,
                deleted: r.info.lifecycle_stage == LifecycleStage::Deleted,
                params: r.params.clone(),
                metrics: r
                    .metrics
                    .iter()
                    .map(|(k, p)| (k.clone(), p.value))
                    .collect(),
                tags: r.tags.clone(),
            }),
            Err(_) => out.missing.push(id.clone()),
        }
    }
    out
}

impl CompareRun {
    /// The run's value in a param or metric column, as text; `None` if it has none
    /// (or for another kind of column).
    pub fn text(&self, key: &ColumnKey) -> Option<String> {
        match key.kind() {
            ColumnKind::Params => self.params.get(key.name()).cloned(),
            ColumnKind::Metrics => self.metrics.get(key.name()).map(|v| format_value(*v)),
            ColumnKind::Tags
            | ColumnKind::Attributes
            | ColumnKind::MetricsMin
            | ColumnKind::MetricsMax => None,
        }
    }
}

impl CompareData {
    /// The experiments of the runs, (id, name), in the order they first appear.
    pub fn experiments(&self) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = Vec::new();
        for r in &self.runs {
            if !out.iter().any(|(id, _)| *id == r.experiment_id) {
                out.push((r.experiment_id.clone(), r.experiment_name.clone()));
            }
        }
        out
    }
}

/// Every param, then every metric, any run has.
pub fn plot_keys(data: &CompareData) -> Vec<ColumnKey> {
    let params: BTreeSet<&String> = data.runs.iter().flat_map(|r| r.params.keys()).collect();
    let metrics: BTreeSet<&String> = data.runs.iter().flat_map(|r| r.metrics.keys()).collect();
    params
        .into_iter()
        .map(|k| ColumnKey::new(ColumnKind::Params, k.as_str()))
        .chain(
            metrics
                .into_iter()
                .map(|k| ColumnKey::new(ColumnKind::Metrics, k.as_str())),
        )
        .collect()
}

/// Whether the runs differ in `key` (a missing value differs from any value).
pub fn varies(data: &CompareData, key: &ColumnKey) -> bool {
    let mut values = data.runs.iter().map(|r| r.text(key));
    let Some(first) = values.next() else {
        return false;
    };
    values.any(|v| v != first)
}

/// One plot axis: where each run sits on it (0 = bottom/left, 1 = top/right) and
/// labelled ticks.
#[derive(Clone, Debug, PartialEq)]
pub struct Axis {
    /// The param or metric.
    pub key: ColumnKey,
    /// Per run, in [`CompareData::runs`] order; `None` where missing or not finite.
    pub positions: Vec<Option<f64>>,
    /// Tick positions in `[0, 1]` and their labels.
    pub ticks: Vec<(f64, String)>,
    /// Whether the axis lists categories rather than numbers.
    pub categorical: bool,
}

/// The axis of a param or metric column over the runs (a column of another kind
/// has no values: every position is `None`).
pub fn axis(data: &CompareData, key: &ColumnKey) -> Axis {
    let k = key.name();
    let param_texts = || -> Vec<Option<&str>> {
        data.runs
            .iter()
            .map(|r| r.params.get(k).map(String::as_str))
            .collect()
    };
    let numbers: Option<Vec<Option<f64>>> = match key.kind() {
        ColumnKind::Metrics => Some(
            data.runs
                .iter()
                .map(|r| r.metrics.get(k).copied())
                .collect(),
        ),
        ColumnKind::Params => numeric_values(&param_texts()),
        ColumnKind::Tags
        | ColumnKind::Attributes
        | ColumnKind::MetricsMin
        | ColumnKind::MetricsMax => Some(vec![None; data.runs.len()]),
    };
    match numbers {
        Some(values) => numeric_axis(key, &values),
        None => {
            let cat = categorical_positions(&param_texts());
            let n = cat.categories.len();
            let ticks = cat
                .categories
                .into_iter()
                .enumerate()
                .map(|(i, c)| {
                    (
                        if n > 1 {
                            i as f64 / (n - 1) as f64
                        } else {
                            0.5
                        },
                        c,
                    )
                })
                .collect();
            Axis {
                key: key.clone(),
                positions: cat.positions,
                ticks,
                categorical: true,
            }
        }
    }
}

fn numeric_axis(key: &ColumnKey, values: &[Option<f64>]) -> Axis {
    let finite: Vec<f64> = values
        .iter()
        .flatten()
        .copied()
        .filter(|v| v.is_finite())
        .collect();
    let lo = finite.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = finite.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let ticks = if finite.is_empty() {
        vec![]
    } else if hi <= lo {
        vec![(0.5, format_value(lo))]
    } else {
        let ts = nice_ticks(lo, hi, 5);
        let step = if ts.len() > 1 { ts[1] - ts[0] } else { hi - lo };
        ts.into_iter()
            .filter(|t| *t >= lo - 1e-12 * (hi - lo) && *t <= hi + 1e-12 * (hi - lo))
            .map(|t| ((t - lo) / (hi - lo), format_tick(t, step)))
            .collect()
    };
    Axis {
        key: key.clone(),
        positions: normalize(values),
        ticks,
        categorical: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::tracking::model::MetricPoint;
    use crate::core::tracking::NewRun;

    /// Runs a, b, c with params `opt` (text), `lr` (numbers) and metric `acc`.
    fn data() -> (Tracker, Vec<String>) {
        let mut t = Tracker::load(vec![], vec![], 5, 0);
        let mut ids = Vec::new();
        let runs = [
            ("a", "adam", "0.1", 0.25),
            ("b", "sgd", "0.01", 0.75),
            ("c", "adam", "1e-3", 0.5),
        ];
        for (name, opt, lr, acc) in runs {
            let new = NewRun {
                run_name: Some(name.into()),
                ..Default::default()
            };
            let id = t.create_run(new, 0).unwrap();
            let params = [("opt".into(), opt.into()), ("lr".into(), lr.into())];
            t.log_params(&id, &params).unwrap();
            let point = MetricPoint {
                timestamp: 0,
                value: acc,
                step: 0,
            };
            t.log_metric(&id, "acc", point).unwrap();
            ids.push(id);
        }
        (t, ids)
    }

    fn key(text: &str) -> ColumnKey {
        ColumnKey::parse(text).unwrap()
    }

    #[test]
    fn runs_come_in_the_order_asked_and_unknown_ids_are_listed() {
        let (t, ids) = data();
        let asked = vec![
            ids[2].clone(),
            "nope".into(),
            ids[0].clone(),
            ids[2].clone(),
        ];
        let d = compare_runs(&t, &asked);
        let names: Vec<&str> = d.runs.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["c", "a"]);
        assert_eq!(d.missing, ["nope"]);
        assert_eq!(d.runs[0].metrics["acc"], 0.5);
    }

    #[test]
    fn plot_keys_list_params_then_metrics() {
        let (t, ids) = data();
        let d = compare_runs(&t, &ids);
        let keys: Vec<String> = plot_keys(&d).iter().map(ToString::to_string).collect();
        assert_eq!(keys, ["params.lr", "params.opt", "metrics.acc"]);
        assert!(varies(&d, &key("params.opt")));
        let two_adams = compare_runs(&t, &[ids[0].clone(), ids[2].clone()]);
        assert!(!varies(&two_adams, &key("params.opt")));
        assert!(!varies(&two_adams, &key("params.missing")));
        assert_eq!(d.runs[0].text(&key("metrics.acc")).as_deref(), Some("0.25"));
        assert_eq!(d.runs[0].text(&key("tags.x")), None);
    }

    #[test]
    fn numeric_params_get_a_numeric_axis_and_text_params_categories() {
        let (t, ids) = data();
        let d = compare_runs(&t, &ids);
        let lr = axis(&d, &key("params.lr"));
        assert!(!lr.categorical);
        assert_eq!(lr.positions[0], Some(1.0), "0.1 is the largest");
        assert_eq!(lr.positions[2], Some(0.0), "1e-3 the smallest");
        let opt = axis(&d, &key("params.opt"));
        assert!(opt.categorical);
        let labels: Vec<&str> = opt.ticks.iter().map(|(_, l)| l.as_str()).collect();
        assert_eq!(labels, ["adam", "sgd"]);
        assert_eq!(opt.positions, [Some(0.0), Some(1.0), Some(0.0)]);
        let acc = axis(&d, &key("metrics.acc"));
        assert_eq!(acc.positions, [Some(0.0), Some(1.0), Some(0.5)]);
        assert!(acc.ticks.iter().all(|(p, _)| (0.0..=1.0).contains(p)));
    }

    #[test]
    fn one_value_sits_mid_axis_and_missing_values_are_not_placed() {
        let (t, ids) = data();
        let d = compare_runs(&t, &ids[..1]);
        let acc = axis(&d, &key("metrics.acc"));
        assert_eq!(acc.positions, [Some(0.5)]);
        assert_eq!(acc.ticks, [(0.5, "0.25".to_string())]);
        let none = axis(&d, &key("metrics.loss"));
        assert_eq!(none.positions, [None]);
        assert!(none.ticks.is_empty());
        let tag = axis(&d, &key("tags.team"));
        assert_eq!(tag.positions, [None]);
    }
}
