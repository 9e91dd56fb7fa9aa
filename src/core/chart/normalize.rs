//! Per-axis positions in `[0, 1]` for parallel coordinates and scatter plots.
//!
//! Params are strings: an axis is numeric if every present value parses as a
//! number ([`numeric_values`]), and categorical otherwise
//! ([`categorical_positions`]).

use std::collections::BTreeMap;

/// `values` scaled linearly to `[0, 1]` (smallest finite value → 0, largest → 1).
///
/// Missing and non-finite values are `None` (not drawn on this axis). If every
/// finite value is the same they all sit at 0.5, mid-axis.
pub fn normalize(values: &[Option<f64>]) -> Vec<Option<f64>> {
    let finite = |v: &Option<f64>| v.filter(|x| x.is_finite());
    let range = values
        .iter()
        .filter_map(finite)
        .fold(None, |acc, v| match acc {
            None => Some((v, v)),
            Some((lo, hi)) => Some((v.min(lo), v.max(hi))),
        });
    values
        .iter()
        .map(|v| {
            let v = finite(v)?;
            let (lo, hi) = range?;
            Some(if hi > lo { (v - lo) / (hi - lo) } else { 0.5 })
        })
        .collect()
}

/// The values of a param axis as numbers, if every present value is one
/// (surrounding whitespace allowed); `None` if any is not, so the axis should be
/// categorical. `"nan"` and `"inf"` count as numbers, and [`normalize`] then leaves
/// them off the axis.
pub fn numeric_values(values: &[Option<&str>]) -> Option<Vec<Option<f64>>> {
    values
        .iter()
        .map(|v| match v {
            None => Some(None),
            Some(s) => s.trim().parse::<f64>().ok().map(Some),
        })
        .collect()
}

/// A categorical axis: its categories and where each value sits on it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CategoricalAxis {
    /// The distinct values, sorted (byte order), top to bottom of the axis.
    pub categories: Vec<String>,
    /// For each input value, its category's position in `[0, 1]`; `None` where the
    /// value is missing.
    pub positions: Vec<Option<f64>>,
}

/// Places the distinct values of a string axis evenly on `[0, 1]` in sorted order
/// (a single category sits at 0.5), and each value at its category.
pub fn categorical_positions(values: &[Option<&str>]) -> CategoricalAxis {
    let mut index: BTreeMap<&str, usize> = values.iter().flatten().map(|&s| (s, 0)).collect();
    let n = index.len();
    for (i, slot) in index.values_mut().enumerate() {
        *slot = i;
    }
    let position = |i: usize| {
        if n > 1 {
            i as f64 / (n - 1) as f64
        } else {
            0.5
        }
    };
    CategoricalAxis {
        categories: index.keys().map(|s| s.to_string()).collect(),
        positions: values
            .iter()
            .map(|v| v.map(|s| position(index[s])))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_to_unit_range() {
        let v = normalize(&[Some(2.0), None, Some(4.0), Some(f64::NAN), Some(3.0)]);
        assert_eq!(v, vec![Some(0.0), None, Some(1.0), None, Some(0.5)]);
        assert_eq!(
            normalize(&[Some(7.0), Some(7.0)]),
            vec![Some(0.5), Some(0.5)]
        );
        assert_eq!(normalize(&[None, Some(f64::INFINITY)]), vec![None, None]);
    }

    #[test]
    fn numeric_axes_are_detected() {
        let v = numeric_values(&[Some("0.1"), None, Some(" 1e-3 "), Some("5")]);
        assert_eq!(v, Some(vec![Some(0.1), None, Some(0.001), Some(5.0)]));
        assert_eq!(numeric_values(&[Some("0.1"), Some("adam")]), None);
        assert_eq!(numeric_values(&[Some("None")]), None);
    }

    #[test]
    fn categories_are_sorted_and_spread() {
        let axis = categorical_positions(&[
            Some("sgd"),
            Some("adam"),
            None,
            Some("sgd"),
            Some("rmsprop"),
        ]);
        assert_eq!(axis.categories, vec!["adam", "rmsprop", "sgd"]);
        assert_eq!(
            axis.positions,
            vec![Some(1.0), Some(0.0), None, Some(1.0), Some(0.5)]
        );
        let one = categorical_positions(&[Some("x"), None]);
        assert_eq!(one.positions, vec![Some(0.5), None]);
        assert!(categorical_positions(&[]).categories.is_empty());
    }
}
