//! Runs grouped by the value of a param or a tag ("Group by" on the runs and compare
//! pages): runs that differ only by their seed collapse into one group per value of
//! `params.lr`, say, shown as one table row (run count, mean of each metric) and one
//! chart line (the mean with a band, `core::chart::band`).
//!
//! Groups keep the order of their first run in the given order (the table's sort),
//! and runs keep their order inside a group, so grouping never reorders what the
//! user sorted. A run without the param or tag is in the group of runs without it.

use super::column_key::{ColumnKey, ColumnKind};
use crate::core::text::format::format_value;
use crate::core::tracking::model::{Run, RunId};
use crate::core::tracking::Tracker;

/// What the "Group by" control offers: a param or a tag.
pub fn can_group_by(key: &ColumnKey) -> bool {
    matches!(key.kind(), ColumnKind::Params | ColumnKind::Tags)
}

/// The value runs are grouped by: the param or tag `key` names (`None` if the run has
/// none, or `key` is not a param or tag).
pub fn group_value<'a>(run: &'a Run, key: &ColumnKey) -> Option<&'a str> {
    match key.kind() {
        ColumnKind::Params => run.params.get(key.name()),
        ColumnKind::Tags => run.tags.get(key.name()),
        _ => None,
    }
    .map(String::as_str)
}

/// One group: the shared value and its runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunGroup {
    /// The param or tag value; `None` for the runs that do not have it.
    pub value: Option<String>,
    /// Its runs, in the order given.
    pub run_ids: Vec<RunId>,
}

impl RunGroup {
    /// `lr=0.1`; `lr (not set)` for the runs without it.
    pub fn label(&self, key: &ColumnKey) -> String {
        match &self.value {
            Some(v) => format!("{}={v}", key.name()),
            None => format!("{} (not set)", key.name()),
        }
    }

    /// The legend's name for the group, with its run count: `lr=0.1 · 3 runs`.
    pub fn legend(&self, key: &ColumnKey) -> String {
        let n = self.run_ids.len();
        format!(
            "{} · {n} {}",
            self.label(key),
            if n == 1 { "run" } else { "runs" }
        )
    }

    /// Its runs that `t` still has, in order.
    pub fn runs<'a>(&self, t: &'a Tracker) -> Vec<&'a Run> {
        self.run_ids
            .iter()
            .filter_map(|id| t.run(id).ok())
            .collect()
    }

    /// A stable identifier of the group among the groups of one key (for DOM keys and
    /// expansion state): `v:<value>`, or `none`.
    pub fn id(&self) -> String {
        match &self.value {
            Some(v) => format!("v:{v}"),
            None => "none".to_owned(),
        }
    }
}

/// Groups `runs` by `key`, groups in the order of their first run, runs in the order
/// given.
pub fn group_runs<'a>(key: &ColumnKey, runs: impl IntoIterator<Item = &'a Run>) -> Vec<RunGroup> {
    let mut groups: Vec<RunGroup> = Vec::new();
    let mut index: std::collections::HashMap<Option<&'a str>, usize> = Default::default();
    for run in runs {
        let value = group_value(run, key);
        let i = *index.entry(value).or_insert_with(|| {
            groups.push(RunGroup {
                value: value.map(str::to_owned),
                run_ids: Vec::new(),
            });
            groups.len() - 1
        });
        groups[i].run_ids.push(run.info.run_id.clone());
    }
    groups
}

/// The keys runs can be grouped by: every param, then every tag but the system ones
/// (`mlflow.*`, `ferroflow.*`), each sorted by name.
pub fn group_options<'a>(runs: impl IntoIterator<Item = &'a Run>) -> Vec<ColumnKey> {
    let mut params = std::collections::BTreeSet::new();
    let mut tags = std::collections::BTreeSet::new();
    for run in runs {
        params.extend(run.params.keys().map(String::as_str));
        tags.extend(
            run.tags
                .keys()
                .map(String::as_str)
                .filter(|k| !k.starts_with("mlflow.") && !k.starts_with("ferroflow.")),
        );
    }
    params
        .into_iter()
        .map(|k| ColumnKey::new(ColumnKind::Params, k))
        .chain(
            tags.into_iter()
                .map(|k| ColumnKey::new(ColumnKind::Tags, k)),
        )
        .collect()
}

/// The mean of one metric's latest values over a group's runs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GroupMean {
    /// The mean of the finite latest values (NaN if none is finite).
    pub mean: f64,
    /// How many runs have a finite latest value of the metric.
    pub finite: usize,
    /// How many runs logged the metric at all.
    pub logged: usize,
}

impl GroupMean {
    /// The cell text: the mean, and `(n of m)` when not every run that logged the
    /// metric counts (non-finite latest values are left out of the mean; runs that
    /// never logged it are not counted at all).
    pub fn cell(&self) -> String {
        if self.finite == 0 {
            return "—".to_owned();
        }
        let mean = format_value(self.mean);
        if self.finite == self.logged {
            mean
        } else {
            format!("{mean} ({} of {})", self.finite, self.logged)
        }
    }
}

/// What a group's row holds in one column (see [`group_cell`]).
#[derive(Clone, Debug, PartialEq)]
pub enum GroupCell {
    /// A metric column: the mean of the runs' latest values.
    Mean(GroupMean),
    /// A param or tag every run has the same of (`None`: none of them has it).
    Shared(Option<String>),
    /// A param or tag the runs differ in: how many values (a missing one counts).
    Values(usize),
}

/// The group's cell in the column `key` over its `runs`: a metric's mean, a param's
/// or tag's shared value or value count; `None` for attributes and for a metric no
/// run logged.
pub fn group_cell(key: &ColumnKey, runs: &[&Run]) -> Option<GroupCell> {
    match key.kind() {
        ColumnKind::Metrics | ColumnKind::MetricsMin | ColumnKind::MetricsMax => {
            column_mean(key, runs.iter().copied()).map(GroupCell::Mean)
        }
        ColumnKind::Params | ColumnKind::Tags => {
            let values: std::collections::BTreeSet<Option<&str>> =
                runs.iter().map(|r| group_value(r, key)).collect();
            Some(match values.len() {
                0 | 1 => GroupCell::Shared(values.into_iter().next().flatten().map(str::to_owned)),
                n => GroupCell::Values(n),
            })
        }
        ColumnKind::Attributes => None,
    }
}

/// The mean of metric `key`'s latest values over `runs` (`None` if no run logged it).
/// Summed in f64 in the given order, so the same runs give the same bits.
pub fn metric_mean<'a>(key: &str, runs: impl IntoIterator<Item = &'a Run>) -> Option<GroupMean> {
    column_mean(&ColumnKey::new(ColumnKind::Metrics, key), runs)
}

/// [`metric_mean`] of a metric column's values ([`ColumnKey::metric_value`]: the
/// latest, min or max); `None` for other columns.
pub fn column_mean<'a>(
    key: &ColumnKey,
    runs: impl IntoIterator<Item = &'a Run>,
) -> Option<GroupMean> {
    let (mut sum, mut finite, mut logged) = (0.0f64, 0usize, 0usize);
    for run in runs {
        if let Some(v) = key.metric_value(run) {
            logged += 1;
            if v.is_finite() {
                sum += v;
                finite += 1;
            }
        }
    }
    (logged > 0).then(|| GroupMean {
        mean: if finite > 0 {
            sum / finite as f64
        } else {
            f64::NAN
        },
        finite,
        logged,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::tracking::model::MetricPoint;

    fn run(id: &str, lr: Option<&str>, acc: Option<f64>) -> Run {
        let mut r = crate::core::tracking::test_runs::run_with(id, &[], &[]);
        if let Some(lr) = lr {
            r.params.insert("lr".into(), lr.into());
        }
        if let Some(v) = acc {
            r.metrics.insert(
                "acc".into(),
                MetricPoint {
                    timestamp: 0,
                    value: v,
                    step: 0,
                },
            );
        }
        r
    }

    #[test]
    fn groups_keep_the_order_of_their_first_run_and_of_their_runs() {
        let runs = [
            run("a", Some("0.1"), None),
            run("b", Some("0.01"), None),
            run("c", None, None),
            run("d", Some("0.1"), None),
        ];
        let key = ColumnKey::new(ColumnKind::Params, "lr");
        let g = group_runs(&key, &runs);
        let shown: Vec<(String, Vec<&str>)> = g
            .iter()
            .map(|g| {
                (
                    g.legend(&key),
                    g.run_ids.iter().map(String::as_str).collect(),
                )
            })
            .collect();
        assert_eq!(
            shown,
            [
                ("lr=0.1 · 2 runs".to_owned(), vec!["a", "d"]),
                ("lr=0.01 · 1 run".to_owned(), vec!["b"]),
                ("lr (not set) · 1 run".to_owned(), vec!["c"]),
            ]
        );
        assert_eq!(g[2].id(), "none");
        assert_eq!(g[0].id(), "v:0.1");
        // A group's value is exact text: "0.10" is not "0.1".
        let more = [run("e", Some("0.10"), None)];
        assert_eq!(group_runs(&key, runs.iter().chain(&more)).len(), 4);
    }

    #[test]
    fn options_are_params_then_user_tags() {
        let mut r = run("a", Some("0.1"), None);
        r.tags.insert("mlflow.runName".into(), "x".into());
        r.tags.insert("ferroflow.view.1".into(), "x".into());
        r.tags.insert("team".into(), "x".into());
        let keys: Vec<String> = group_options([&r]).iter().map(|k| k.to_string()).collect();
        assert_eq!(keys, ["params.lr", "tags.team"]);
        assert!(can_group_by(&ColumnKey::new(ColumnKind::Tags, "t")));
        assert!(!can_group_by(&ColumnKey::new(ColumnKind::Metrics, "m")));
    }

    #[test]
    fn means_leave_out_non_finite_values_and_say_so() {
        let runs = [
            run("a", None, Some(1.0)),
            run("b", None, Some(f64::NAN)),
            run("c", None, Some(2.0)),
            run("d", None, None),
        ];
        let m = metric_mean("acc", &runs).unwrap();
        assert_eq!((m.mean, m.finite, m.logged), (1.5, 2, 3));
        assert_eq!(m.cell(), "1.5 (2 of 3)", "d never logged acc");
        assert_eq!(metric_mean("acc", &runs[..1]).unwrap().cell(), "1");
        assert_eq!(metric_mean("acc", &runs[1..2]).unwrap().cell(), "—");
        assert_eq!(metric_mean("loss", &runs), None);
        let refs: Vec<&Run> = runs.iter().collect();
        let col = |k: &str| ColumnKey::parse(k).unwrap();
        assert_eq!(
            group_cell(&col("params.lr"), &refs),
            Some(GroupCell::Shared(None))
        );
        assert!(matches!(
            group_cell(&col("metrics.acc"), &refs),
            Some(GroupCell::Mean(_))
        ));
        assert_eq!(group_cell(&col("metrics.loss"), &refs), None);
        let lrs = [
            run("e", Some("0.1"), None),
            run("f", Some("0.2"), None),
            run("g", None, None),
        ];
        let refs: Vec<&Run> = lrs.iter().collect();
        assert_eq!(
            group_cell(&col("params.lr"), &refs),
            Some(GroupCell::Values(3))
        );
        assert_eq!(
            group_cell(&col("params.lr"), &refs[..1]),
            Some(GroupCell::Shared(Some("0.1".into())))
        );
    }
}
