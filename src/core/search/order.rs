//! Order-by clauses and sorting for any [`Searchable`] entity: the given keys, then
//! the entity's tie-breakers. Sort keys are read once per entity into a flat table,
//! so the comparator never touches a `BTreeMap`.

use std::cmp::Ordering;
use std::fmt;

use super::entity::{resolve, FieldValue, Searchable};
use super::parser::parse_order_clause;
use super::{FilterError, RunField};

/// One order-by key: a column and a direction. Plain `OrderKey` is a run key (the
/// runs table's); `OrderKey<ExperimentField>` an experiment's, and so on.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct OrderKey<F = RunField> {
    /// The column to sort on.
    pub field: F,
    /// `ASC` (the default) or `DESC`.
    pub ascending: bool,
}

impl<F: fmt::Display> fmt::Display for OrderKey<F> {
    /// `metrics.acc DESC`: parses back with [`parse_order`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let dir = if self.ascending { "ASC" } else { "DESC" };
        write!(f, "{} {dir}", self.field)
    }
}

fn in_clause(i: usize) -> impl Fn(FilterError) -> FilterError {
    move |e| FilterError {
        order_by_clause: Some(i),
        ..e
    }
}

/// Parses order-by clauses (`metrics.acc DESC`, `name`, ``tags.`x y` ASC``) into keys
/// over `E`'s columns; an error names the clause ([`FilterError::order_by_clause`]).
pub fn parse_order<E: Searchable>(
    clauses: &[impl AsRef<str>],
) -> Result<Vec<OrderKey<E::Field>>, FilterError> {
    clauses
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let clause = parse_order_clause(c.as_ref()).map_err(in_clause(i))?;
            let field = resolve::<E>(&clause.ident).map_err(in_clause(i))?;
            E::check_orderable(&field)
                .map_err(|message| in_clause(i)(FilterError::at(clause.ident.start, message)))?;
            Ok(OrderKey {
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
            FieldValue::Id(s) => SortVal::Id(s),
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

/// Sorts `items` by `order`, then by `E`'s tie-breakers ([`Searchable::sort_keys`]).
/// Missing values sort last in both directions; NaN sorts after every number and
/// before missing values, in both directions (as MLflow's file store).
pub fn sort<'a, E: Searchable>(items: &mut [&'a E], order: &[OrderKey<E::Field>]) {
    let keys = E::sort_keys(order);
    let dirs: Vec<bool> = keys.iter().map(|k| k.ascending).collect();
    let mut table: Vec<SortVal<'a>> = Vec::with_capacity(items.len() * dirs.len());
    for &item in items.iter() {
        table.extend(keys.iter().map(|k| SortVal::from(item.value(&k.field))));
    }
    sort_by_table(items, &table, &dirs);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::search::{parse_experiment_order_by, parse_order_by};

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
