//! Order-by clauses and sorting, MLflow's file-store order: the given keys, then the
//! default tie-breakers. Sort keys are read once per entity into a flat table, so the
//! comparator never touches a `BTreeMap`.

use std::cmp::Ordering;
use std::fmt;

use super::fields::{resolve_experiment_field, resolve_run_field, FieldValue};
use super::parser::parse_order_clause;
use super::{ExperimentField, FilterError, RunAttribute, RunField};
use crate::core::tracking::model::{Experiment, Run};

/// One run order-by key: a column and a direction.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct OrderKey {
    /// The column to sort on.
    pub field: RunField,
    /// `ASC` (the default) or `DESC`.
    pub ascending: bool,
}

/// One experiment order-by key: an attribute and a direction.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ExperimentOrderKey {
    /// The attribute to sort on (never a tag).
    pub field: ExperimentField,
    /// `ASC` (the default) or `DESC`.
    pub ascending: bool,
}

impl fmt::Display for OrderKey {
    /// `metrics.acc DESC`: parses back with [`parse_order_by`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let dir = if self.ascending { "ASC" } else { "DESC" };
        write!(f, "{} {dir}", self.field)
    }
}

impl fmt::Display for ExperimentOrderKey {
    /// `creation_time DESC`: parses back with [`parse_experiment_order_by`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let dir = if self.ascending { "ASC" } else { "DESC" };
        write!(f, "{} {dir}", self.field.name())
    }
}

fn in_clause(i: usize) -> impl Fn(FilterError) -> FilterError {
    move |e| FilterError {
        order_by_clause: Some(i),
        ..e
    }
}

/// Parses run order-by clauses (`metrics.acc DESC`, `params.lr`,
/// ``tags.`x y` ``, `run_name`, `attributes.start_time ASC`).
pub fn parse_order_by<S: AsRef<str>>(clauses: &[S]) -> Result<Vec<OrderKey>, FilterError> {
    clauses
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let clause = parse_order_clause(c.as_ref()).map_err(in_clause(i))?;
            let field = resolve_run_field(&clause.ident).map_err(in_clause(i))?;
            Ok(OrderKey {
                field,
                ascending: clause.ascending,
            })
        })
        .collect()
}

/// Parses experiment order-by clauses (`name`, `experiment_id`, `creation_time`,
/// `last_update_time`, each optionally `ASC`/`DESC`). Tags are refused, as in MLflow.
pub fn parse_experiment_order_by<S: AsRef<str>>(
    clauses: &[S],
) -> Result<Vec<ExperimentOrderKey>, FilterError> {
    clauses
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let clause = parse_order_clause(c.as_ref()).map_err(in_clause(i))?;
            let field = resolve_experiment_field(&clause.ident).map_err(in_clause(i))?;
            if let ExperimentField::Tag(_) = field {
                return Err(in_clause(i)(FilterError::at(
                    clause.ident.start,
                    "experiments cannot be ordered by tag; use name, experiment_id, \
                     creation_time or last_update_time",
                )));
            }
            Ok(ExperimentOrderKey {
                field,
                ascending: clause.ascending,
            })
        })
        .collect()
}

/// A precomputed sort value. `NaN` and `Missing` sort last whatever the direction.
#[derive(Clone, Copy, Debug)]
enum SortVal<'a> {
    Int(i64),
    /// Never NaN.
    Float(f64),
    Str(&'a str),
    /// An id compared numerically when both sides are digits.
    Id(&'a str),
    NaN,
    Missing,
}

impl<'a> From<FieldValue<'a>> for SortVal<'a> {
    fn from(v: FieldValue<'a>) -> Self {
        match v {
            FieldValue::Missing => SortVal::Missing,
            FieldValue::Float(x) if x.is_nan() => SortVal::NaN,
            FieldValue::Float(x) => SortVal::Float(x),
            FieldValue::Int(i) => SortVal::Int(i),
            FieldValue::Str(s) => SortVal::Str(s),
        }
    }
}

impl SortVal<'_> {
    /// Present values first, then NaN, then missing (MLflow's `_get_value_for_sort`).
    fn rank(&self) -> u8 {
        match self {
            SortVal::NaN => 1,
            SortVal::Missing => 2,
            _ => 0,
        }
    }

    fn cmp_in(&self, other: &Self, ascending: bool) -> Ordering {
        let (ra, rb) = (self.rank(), other.rank());
        if ra != 0 || rb != 0 {
            return ra.cmp(&rb);
        }
        let o = match (self, other) {
            (SortVal::Int(a), SortVal::Int(b)) => a.cmp(b),
            (SortVal::Float(a), SortVal::Float(b)) => a.partial_cmp(b).unwrap_or(Ordering::Equal),
            (SortVal::Str(a), SortVal::Str(b)) => a.cmp(b),
            (SortVal::Id(a), SortVal::Id(b)) => cmp_ids(a, b),
            _ => Ordering::Equal,
        };
        if ascending {
            o
        } else {
            o.reverse()
        }
    }
}

/// Numeric order for digit strings (`"9" < "10"`), string order otherwise.
fn cmp_ids(a: &str, b: &str) -> Ordering {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit());
    if digits(a) && digits(b) {
        let (ta, tb) = (a.trim_start_matches('0'), b.trim_start_matches('0'));
        ta.len().cmp(&tb.len()).then_with(|| ta.cmp(tb))
    } else {
        a.cmp(b)
    }
}

/// Sorts `items` by a table of `dirs.len()` precomputed values per item.
fn sort_by_table<T: Copy>(items: &mut [T], table: &[SortVal<'_>], dirs: &[bool]) {
    let k = dirs.len();
    let mut idx: Vec<usize> = (0..items.len()).collect();
    idx.sort_by(|&a, &b| {
        let (ra, rb) = (&table[a * k..(a + 1) * k], &table[b * k..(b + 1) * k]);
        ra.iter()
            .zip(rb)
            .zip(dirs)
            .map(|((x, y), &asc)| x.cmp_in(y, asc))
            .find(|o| o.is_ne())
            .unwrap_or(Ordering::Equal)
    });
    let sorted: Vec<T> = idx.iter().map(|&i| items[i]).collect();
    items.copy_from_slice(&sorted);
}

/// Sorts runs by `order`, then by MLflow's default `start_time DESC, run_id ASC`.
/// Missing values sort last in both directions; NaN metrics sort after every number
/// and before missing values, in both directions (as MLflow's file store).
pub fn sort_runs<'a>(runs: &mut [&'a Run], order: &[OrderKey]) {
    let dirs: Vec<bool> = order
        .iter()
        .map(|o| o.ascending)
        .chain([false, true])
        .collect();
    let start = RunField::Attribute(RunAttribute::StartTime);
    let mut table: Vec<SortVal<'a>> = Vec::with_capacity(runs.len() * dirs.len());
    for &run in runs.iter() {
        table.extend(order.iter().map(|o| SortVal::from(o.field.value(run))));
        table.push(start.value(run).into());
        table.push(SortVal::Str(&run.info.run_id));
    }
    sort_by_table(runs, &table, &dirs);
}

/// Sorts experiments by `order`, as MLflow's file store: with no keys,
/// `creation_time DESC, experiment_id ASC`; with keys, ties break on
/// `experiment_id DESC` unless it is a key. Missing times sort last either way.
pub fn sort_experiments<'a>(experiments: &mut [&'a Experiment], order: &[ExperimentOrderKey]) {
    let mut keys: Vec<ExperimentOrderKey> = order.to_vec();
    if keys.is_empty() {
        keys.push(ExperimentOrderKey {
            field: ExperimentField::CreationTime,
            ascending: false,
        });
        keys.push(ExperimentOrderKey {
            field: ExperimentField::ExperimentId,
            ascending: true,
        });
    } else if !keys
        .iter()
        .any(|k| k.field == ExperimentField::ExperimentId)
    {
        keys.push(ExperimentOrderKey {
            field: ExperimentField::ExperimentId,
            ascending: false,
        });
    }
    let dirs: Vec<bool> = keys.iter().map(|k| k.ascending).collect();
    let mut table: Vec<SortVal<'a>> = Vec::with_capacity(experiments.len() * dirs.len());
    for &exp in experiments.iter() {
        table.extend(keys.iter().map(|k| match k.field {
            ExperimentField::ExperimentId => SortVal::Id(&exp.experiment_id),
            ref f => f.value(exp).into(),
        }));
    }
    sort_by_table(experiments, &table, &dirs);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_compare_numerically() {
        assert_eq!(cmp_ids("9", "10"), Ordering::Less);
        assert_eq!(cmp_ids("010", "9"), Ordering::Greater);
        assert_eq!(cmp_ids("abc", "abd"), Ordering::Less);
    }

    #[test]
    fn nan_and_missing_sort_last_both_ways() {
        let vals = [
            SortVal::Missing,
            SortVal::NaN,
            SortVal::Float(2.0),
            SortVal::Float(1.0),
        ];
        for asc in [true, false] {
            let mut v = vals.to_vec();
            v.sort_by(|a, b| a.cmp_in(b, asc));
            let ranks: Vec<u8> = v.iter().map(SortVal::rank).collect();
            assert_eq!(ranks, vec![0, 0, 1, 2]);
            let first = if asc { 1.0 } else { 2.0 };
            assert!(matches!(v[0], SortVal::Float(x) if x == first));
        }
    }

    #[test]
    fn order_by_errors_name_the_clause() {
        let e = parse_order_by(&["metrics.a", "metrics.acc DESCC"]).unwrap_err();
        assert_eq!(e.order_by_clause, Some(1));
        assert_eq!(e.position, 12);
        assert!(
            e.to_string()
                .starts_with("Invalid order_by[1] at position 12:"),
            "{e}"
        );
        let e = parse_experiment_order_by(&["tags.team"]).unwrap_err();
        assert_eq!(e.order_by_clause, Some(0));
        assert!(e.message.contains("cannot be ordered by tag"));
    }

    #[test]
    fn keys_display_and_parse_back() {
        let keys =
            parse_order_by(&["metrics.`my acc` desc", "created", "tags.mlflow.runName"]).unwrap();
        let shown: Vec<String> = keys.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            vec![
                "metrics.`my acc` DESC",
                "attributes.start_time ASC",
                "tags.mlflow.runName ASC"
            ]
        );
        assert_eq!(parse_order_by(&shown).unwrap(), keys);
        let e = parse_experiment_order_by(&["last_update_time DESC"]).unwrap();
        assert_eq!(e[0].to_string(), "last_update_time DESC");
    }
}
