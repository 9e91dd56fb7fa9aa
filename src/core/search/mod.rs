//! MLflow's search-filter and order-by grammar (`search_runs`, `search_experiments`),
//! with the in-memory semantics of MLflow's file store (`SearchUtils`,
//! `SearchExperimentsUtils` in `mlflow/utils/search_utils.py`).
//!
//! One grammar for every entity MLflow searches. Stages, as ripgrep and
//! rust-analyzer do it, one file each: `lexer` (tokens with 0-based char positions) →
//! `parser` (the `ast`: clauses naming identifiers as written, entity-agnostic) →
//! `entity` (identifier → column of a [`Searchable`] entity) → `eval` (a compiled
//! [`Filter`], type-checked once) and `order` ([`OrderKey`]s and precomputed-key
//! [`sort`]ing). `runs` and `experiments` are the two entities so far, each with the
//! named entry points the API and UI call ([`parse_run_filter`], [`sort_runs`], …).
//!
//! A new entity (a registered model, a model version, a logged model) implements
//! [`Searchable`]: a column type (`kind` and `label` via [`Column`]), `field` to
//! resolve `name`, `tags.task` or `run_id` (refusing the rest with a [`FieldError`]),
//! `value` to read a column, `sort_keys` for its tie-breakers and, if some columns
//! cannot be ordered on, `check_orderable`. `Filter::<E>::parse`, [`parse_order`] and
//! [`sort`] then work for it with every message and position below.
//!
//! The grammar: conditions joined by `AND` (any case). Each condition is
//! `identifier operator value`, `identifier [NOT] IN ('a', "b")` or
//! `identifier IS [NOT] NULL`. Identifiers are `prefix.key` with prefixes
//! `metrics`/`metric`, `params`/`param`/`parameters`/`parameter`, `tags`/`tag`,
//! `attributes`/`attribute`/`attr`/`run`; a bare name is an attribute (as in MLflow).
//! Keys containing spaces or symbols are quoted: ``metrics.`my key` ``,
//! `params."a b"`; unquoted keys may contain dots (`tags.mlflow.runName`), `/`, `-`
//! and `:`.
//!
//! MLflow behaviours kept, checked against `search_utils.py`:
//! - `OR` and parentheses are errors; an empty filter matches everything.
//! - Metrics and `start_time`/`end_time` take numbers (`=`, `!=`, `<`, `<=`, `>`,
//!   `>=`); params, tags and string attributes take quoted strings (`=`, `!=`,
//!   `LIKE`, `ILIKE`) — `params.lr = 0.1` is an error, as in MLflow.
//! - A run lacking the metric, param or tag (or an `end_time`) never matches a
//!   comparison, `!=` and `NOT IN` included.
//! - NaN metrics follow IEEE/Python: every comparison is false except `!=`.
//! - `LIKE` is case-sensitive, `ILIKE` is not; `%` is any run of characters, `_` one.
//! - `created`/`Created` alias `start_time`; `run name`/`Run name`/`Run Name` alias
//!   `run_name`.
//! - `IS NULL`/`IS NOT NULL` on params and tags (MLflow 3, PR #21283) and experiment
//!   tags.
//! - Run order: the given keys, then `start_time DESC, run_id ASC`. Missing values
//!   sort last in both directions; NaN sorts after every number and before missing
//!   values, in both directions.
//! - Experiment order: default `creation_time DESC, experiment_id ASC` (file store);
//!   with keys given, ties break on `experiment_id DESC` unless it is a key; missing
//!   times sort last.
//!
//! Decided here, where MLflow is stricter or quirkier (all harmless supersets):
//! - `IN`/`NOT IN` work on params, tags and every string attribute (MLflow: `run_id`
//!   only), and lists may use double quotes.
//! - `IS NULL` also works on metrics; prefixes are case-insensitive; `lifecycle_stage`
//!   is filterable; experiments accept the run attribute prefixes and `experiment_id`.
//! - `LIKE` treats `.`, `*` and other regex characters literally (MLflow's file store
//!   turns the pattern into a regex without escaping them; its SQL store does not).
//! - Strings may escape their quote by doubling it (`'it''s'`) or with a backslash;
//!   `\\` is one backslash.
//! - Experiment ids compare numerically when both are digits (as MLflow's SQL store
//!   does); the file store compares them as strings.

use std::fmt;

mod ast;
mod entity;
mod eval;
mod experiments;
mod lexer;
mod order;
mod parser;
mod runs;

pub use entity::{Column, ColumnKind, FieldError, FieldName, FieldValue, Prefix, Searchable};
pub use eval::Filter;
pub use experiments::{
    parse_experiment_filter, parse_experiment_order_by, sort_experiments, ExperimentField,
    ExperimentFilter, ExperimentOrderKey,
};
pub use order::{parse_order, sort, OrderKey};
pub use runs::{parse_order_by, parse_run_filter, sort_runs, RunAttribute, RunField, RunFilter};

/// A filter or order-by clause that does not parse, with where and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FilterError {
    /// 0-based char (not byte) offset into the string the user typed.
    pub position: usize,
    /// What is wrong and how to fix it, without the position prefix.
    pub message: String,
    /// For order-by errors, the index of the offending clause in the list; `None` for
    /// filters.
    pub order_by_clause: Option<usize>,
}

impl FilterError {
    /// An error in a filter string at `position`.
    pub(crate) fn at(position: usize, message: impl Into<String>) -> Self {
        FilterError {
            position,
            message: message.into(),
            order_by_clause: None,
        }
    }
}

impl fmt::Display for FilterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.order_by_clause {
            None => write!(
                f,
                "Invalid filter at position {}: {}",
                self.position, self.message
            ),
            Some(i) => write!(
                f,
                "Invalid order_by[{i}] at position {}: {}",
                self.position, self.message
            ),
        }
    }
}

impl std::error::Error for FilterError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_the_position() {
        let e = FilterError::at(14, "expected a value after '>', got end of input");
        assert_eq!(
            e.to_string(),
            "Invalid filter at position 14: expected a value after '>', got end of input"
        );
        let e = FilterError {
            order_by_clause: Some(1),
            ..FilterError::at(3, "x")
        };
        assert_eq!(e.to_string(), "Invalid order_by[1] at position 3: x");
    }

    /// Whatever the user types, parsing returns (never panics) and an error points
    /// inside the input or at its end.
    #[test]
    fn any_input_parses_or_errors_in_bounds() {
        const PIECES: [&str; 32] = [
            "metrics", "params", "tags", ".", "`k y`", "\"q\"", "'v'", "'", "`", "\"", " ", "=",
            "!=", ">=", "<", "!", "AND", "or", "NOT", "IN", "IS", "NULL", "LIKE", "(", ")", ",",
            "-1.5e3", ".5", "1x", "é", "status", "%_",
        ];
        let mut seed: u64 = 7;
        for _ in 0..20_000 {
            let mut s = String::new();
            for _ in 0..(seed % 9) {
                seed = seed
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1442695040888963407);
                s.push_str(PIECES[(seed >> 59) as usize]);
            }
            seed = seed.wrapping_add(1);
            let len = s.chars().count();
            if let Err(e) = parse_run_filter(&s) {
                assert!(e.position <= len, "{s:?}: {e}");
            }
            if let Err(e) = parse_experiment_filter(&s) {
                assert!(e.position <= len, "{s:?}: {e}");
            }
            if let Err(e) = parse_order_by(&[s.as_str()]) {
                assert!(e.position <= len, "{s:?}: {e}");
            }
        }
    }
}
