//! The runs table's columns before the user chooses any: the metrics and params whose
//! values differ across the experiment's runs, so a sweep shows what it swept and
//! what came of it without configuring the table.
//!
//! A key varies when two runs disagree on it — a run without it disagrees with one
//! that has it; metric values are the latest, compared bit for bit. With fewer than
//! two runs nothing can vary, so every key the run has is shown. At most
//! [`MAX_DEFAULT_COLUMNS`] are shown — metrics first, then params, each by name, with
//! up to half of the room for each kind unless the other leaves it unused; the rest
//! are counted, one click away.

use std::collections::HashMap;

use super::column_key::{ColumnKey, ColumnKind};
use crate::core::tracking::model::Run;

/// The most columns shown by default.
pub const MAX_DEFAULT_COLUMNS: usize = 8;

/// The default extra columns and the varying ones left out.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct VaryingColumns {
    /// Shown: metrics (latest values), then params.
    pub shown: Vec<ColumnKey>,
    /// Varying keys beyond [`MAX_DEFAULT_COLUMNS`], in the same order.
    pub left_out: Vec<ColumnKey>,
}

/// One key's agreement so far: the first value seen, how many runs have the key, and
/// whether two of them differ.
struct Seen<V> {
    first: V,
    count: usize,
    differs: bool,
}

fn note<'a, V: PartialEq>(seen: &mut HashMap<&'a str, Seen<V>>, key: &'a str, value: V) {
    match seen.get_mut(key) {
        Some(s) => {
            s.count += 1;
            s.differs |= s.first != value;
        }
        None => {
            seen.insert(
                key,
                Seen {
                    first: value,
                    count: 1,
                    differs: false,
                },
            );
        }
    }
}

/// The keys that vary among `runs` of `seen` (all of them for fewer than two runs),
/// sorted by name.
fn varying<V>(seen: HashMap<&str, Seen<V>>, runs: usize) -> Vec<String> {
    let mut keys: Vec<String> = seen
        .into_iter()
        .filter(|(_, s)| runs < 2 || s.differs || s.count < runs)
        .map(|(k, _)| k.to_owned())
        .collect();
    keys.sort_unstable();
    keys
}

/// The columns that vary across `runs` (see the module doc).
pub fn varying_columns<'a>(runs: impl IntoIterator<Item = &'a Run>) -> VaryingColumns {
    let mut metrics: HashMap<&str, Seen<u64>> = HashMap::new();
    let mut params: HashMap<&str, Seen<&str>> = HashMap::new();
    let mut n = 0;
    for run in runs {
        n += 1;
        for (k, p) in &run.metrics {
            note(&mut metrics, k, p.value.to_bits());
        }
        for (k, v) in &run.params {
            note(&mut params, k, v.as_str());
        }
    }
    let metrics = varying(metrics, n);
    let params = varying(params, n);
    let half = MAX_DEFAULT_COLUMNS / 2;
    let metric_room = MAX_DEFAULT_COLUMNS - params.len().min(half);
    let n_metrics = metrics.len().min(metric_room);
    let n_params = params.len().min(MAX_DEFAULT_COLUMNS - n_metrics);
    let col = |kind| move |k: &String| ColumnKey::new(kind, k.as_str());
    let metric = col(ColumnKind::Metrics);
    let param = col(ColumnKind::Params);
    VaryingColumns {
        shown: (metrics[..n_metrics].iter().map(metric))
            .chain(params[..n_params].iter().map(param))
            .collect(),
        left_out: (metrics[n_metrics..].iter().map(metric))
            .chain(params[n_params..].iter().map(param))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::tracking::model::MetricPoint;
    use crate::core::tracking::test_runs::run_with;

    fn keys(cols: &[ColumnKey]) -> Vec<String> {
        cols.iter().map(ToString::to_string).collect()
    }

    fn point(value: f64) -> MetricPoint {
        MetricPoint {
            timestamp: 0,
            value,
            step: 0,
        }
    }

    #[test]
    fn only_what_differs_is_shown_and_a_missing_key_differs() {
        let a = run_with(
            "a",
            &[("lr", "0.1"), ("opt", "adam"), ("seed", "0")],
            &[("loss", point(0.5)), ("epochs", point(3.0))],
        );
        let b = run_with(
            "b",
            &[("lr", "0.01"), ("opt", "adam")],
            &[("loss", point(0.25)), ("epochs", point(3.0))],
        );
        let v = varying_columns([&a, &b]);
        assert_eq!(keys(&v.shown), ["metrics.loss", "params.lr", "params.seed"]);
        assert!(v.left_out.is_empty());
        // NaN agrees with NaN, -0.0 differs from 0.0: bit for bit.
        let nan = |id| run_with(id, &[], &[("m", point(f64::NAN)), ("z", point(-0.0))]);
        let (c, mut d) = (nan("c"), nan("d"));
        assert!(varying_columns([&c, &d]).shown.is_empty());
        d.metrics.insert("z".into(), point(0.0));
        assert_eq!(keys(&varying_columns([&c, &d]).shown), ["metrics.z"]);
    }

    #[test]
    fn one_run_shows_what_it_has_and_the_room_is_shared() {
        let params: Vec<(String, String)> =
            (0..10).map(|i| (format!("p{i}"), "x".into())).collect();
        let p: Vec<(&str, &str)> = params
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let m = [("m1", point(1.0)), ("m2", point(2.0))];
        let one = run_with("one", &p, &m);
        let v = varying_columns([&one]);
        assert_eq!(v.shown.len(), MAX_DEFAULT_COLUMNS);
        assert_eq!(
            keys(&v.shown[..3]),
            ["metrics.m1", "metrics.m2", "params.p0"],
            "metrics first, params fill the room they leave"
        );
        assert_eq!(v.left_out.len(), 4);
        assert!(varying_columns(std::iter::empty()).shown.is_empty());
    }
}
