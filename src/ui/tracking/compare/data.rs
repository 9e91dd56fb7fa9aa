//! What the compare page shows of each run, and the plot axes built from it with
//! `core::chart` (numeric axes normalized, string params as evenly spaced categories).

use std::collections::{BTreeMap, BTreeSet};

use crate::core::chart::{
    categorical_positions, format_tick, nice_ticks, normalize, numeric_values,
};
use crate::core::text::format::format_value;
use crate::core::tracking::model::LifecycleStage;
use crate::service;

/// One run, copied out of the tracker.
#[derive(Clone, Debug, PartialEq)]
pub struct CompareRun {
    /// Run id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Its experiment.
    pub experiment_id: String,
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

/// Reads the runs `ids` (duplicates ignored).
pub fn load(ids: &[String]) -> CompareData {
    let Some(s) = service::ready() else {
        return CompareData::default();
    };
    let mut seen = BTreeSet::new();
    s.read(|t| {
        let mut out = CompareData::default();
        for id in ids.iter().filter(|id| seen.insert(id.as_str())) {
            match t.run(id) {
                Ok(r) => out.runs.push(CompareRun {
                    id: r.info.run_id.clone(),
                    name: r.info.run_name.clone(),
                    experiment_id: r.info.experiment_id.clone(),
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
    })
}

/// A column the plots can use.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PlotKey {
    /// A param (numeric if every value parses as a number, else categorical).
    Param(String),
    /// A metric's latest value.
    Metric(String),
}

impl PlotKey {
    /// `params.lr` / `metrics.loss`: the value of a `<select>` option.
    pub fn id(&self) -> String {
        match self {
            PlotKey::Param(k) => format!("params.{k}"),
            PlotKey::Metric(k) => format!("metrics.{k}"),
        }
    }

    /// Reads [`PlotKey::id`] back.
    pub fn parse(id: &str) -> Option<Self> {
        if let Some(k) = id.strip_prefix("params.") {
            Some(PlotKey::Param(k.to_owned()))
        } else {
            id.strip_prefix("metrics.")
                .map(|k| PlotKey::Metric(k.to_owned()))
        }
    }

    /// The key's name.
    pub fn name(&self) -> &str {
        match self {
            PlotKey::Param(k) | PlotKey::Metric(k) => k,
        }
    }

    /// `param` or `metric`.
    pub fn kind(&self) -> &'static str {
        match self {
            PlotKey::Param(_) => "param",
            PlotKey::Metric(_) => "metric",
        }
    }

    /// The run's value as text, if it has one.
    pub fn text(&self, run: &CompareRun) -> Option<String> {
        match self {
            PlotKey::Param(k) => run.params.get(k).cloned(),
            PlotKey::Metric(k) => run.metrics.get(k).map(|v| format_value(*v)),
        }
    }
}

/// Every param, then every metric, any run has.
pub fn plot_keys(data: &CompareData) -> Vec<PlotKey> {
    let params: BTreeSet<&String> = data.runs.iter().flat_map(|r| r.params.keys()).collect();
    let metrics: BTreeSet<&String> = data.runs.iter().flat_map(|r| r.metrics.keys()).collect();
    params
        .into_iter()
        .map(|k| PlotKey::Param(k.clone()))
        .chain(metrics.into_iter().map(|k| PlotKey::Metric(k.clone())))
        .collect()
}

/// Whether the runs differ in `key` (a missing value differs from any value).
pub fn varies(data: &CompareData, key: &PlotKey) -> bool {
    let mut values = data.runs.iter().map(|r| key.text(r));
    let Some(first) = values.next() else {
        return false;
    };
    values.any(|v| v != first)
}

/// One plot axis: where each run sits on it (0 = bottom/left, 1 = top/right) and
/// labelled ticks.
#[derive(Clone, Debug, PartialEq)]
pub struct Axis {
    /// The column.
    pub key: PlotKey,
    /// Per run, in [`CompareData::runs`] order; `None` where missing or not finite.
    pub positions: Vec<Option<f64>>,
    /// Tick positions in `[0, 1]` and their labels.
    pub ticks: Vec<(f64, String)>,
    /// Whether the axis lists categories rather than numbers.
    pub categorical: bool,
}

/// The axis of `key` over the runs.
pub fn axis(data: &CompareData, key: &PlotKey) -> Axis {
    let numbers: Option<Vec<Option<f64>>> = match key {
        PlotKey::Metric(k) => Some(
            data.runs
                .iter()
                .map(|r| r.metrics.get(k).copied())
                .collect(),
        ),
        PlotKey::Param(k) => {
            let texts: Vec<Option<&str>> = data
                .runs
                .iter()
                .map(|r| r.params.get(k).map(String::as_str))
                .collect();
            numeric_values(&texts)
        }
    };
    match numbers {
        Some(values) => numeric_axis(key, &values),
        None => {
            let PlotKey::Param(k) = key else {
                unreachable!("metrics are always numeric")
            };
            let texts: Vec<Option<&str>> = data
                .runs
                .iter()
                .map(|r| r.params.get(k).map(String::as_str))
                .collect();
            let cat = categorical_positions(&texts);
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

fn numeric_axis(key: &PlotKey, values: &[Option<f64>]) -> Axis {
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
