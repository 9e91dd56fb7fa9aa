//! Stage 3b: clauses → a compiled predicate over any [`Searchable`] entity. Each
//! identifier is resolved to the entity's column and the operator and value are
//! checked against the column's kind here, once, so `matches` only compares.

use std::collections::BTreeSet;
use std::fmt;

use super::ast::{Clause, Op, Value};
use super::entity::{resolve, Column, FieldValue, Searchable};
use super::lexer::CmpOp;
use super::parser::parse_filter;
use super::FilterError;

/// A compiled filter over entities `E` (runs, experiments, …): conditions that must
/// all hold. An empty filter matches everything.
pub struct Filter<E: Searchable> {
    conditions: Vec<(E::Field, Test)>,
}

impl<E: Searchable> Filter<E> {
    /// Parses and compiles a filter in MLflow's grammar, with `E`'s columns: lexer →
    /// clauses → each identifier resolved by [`Searchable::field`] → each condition
    /// type-checked against its column. Empty or blank matches everything.
    pub fn parse(src: &str) -> Result<Self, FilterError> {
        let conditions = parse_filter(src)?
            .iter()
            .map(|c| {
                let field = resolve::<E>(&c.ident)?;
                let test = compile(c, &field)?;
                Ok((field, test))
            })
            .collect::<Result<_, FilterError>>()?;
        Ok(Filter { conditions })
    }

    /// Whether `item` satisfies every condition.
    pub fn matches(&self, item: &E) -> bool {
        self.conditions
            .iter()
            .all(|(field, test)| test.holds(item.value(field)))
    }

    /// Whether the filter has no conditions (matches everything).
    pub fn is_empty(&self) -> bool {
        self.conditions.is_empty()
    }
}

// By hand: derives would demand `E: Clone`/`Default`/`Debug`, which runs need not be.
impl<E: Searchable> Clone for Filter<E> {
    fn clone(&self) -> Self {
        Filter {
            conditions: self.conditions.clone(),
        }
    }
}

impl<E: Searchable> Default for Filter<E> {
    fn default() -> Self {
        Filter {
            conditions: Vec::new(),
        }
    }
}

impl<E: Searchable> fmt::Debug for Filter<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Filter")
            .field("conditions", &self.conditions)
            .finish()
    }
}

/// One compiled condition's test on a column value.
#[derive(Clone, Debug)]
enum Test {
    Num(CmpOp, f64),
    StrEq(String),
    StrNe(String),
    Like(LikePattern),
    ILike(LikePattern),
    In(BTreeSet<String>),
    NotIn(BTreeSet<String>),
    /// `IS NULL` (true) or `IS NOT NULL` (false).
    Null(bool),
}

impl Test {
    fn holds(&self, v: FieldValue<'_>) -> bool {
        // Ids order numerically but filter as the strings they are.
        let v = match v {
            FieldValue::Id(x) => FieldValue::Str(x),
            v => v,
        };
        match (self, v) {
            (Test::Null(want_missing), v) => *want_missing == (v == FieldValue::Missing),
            // A missing value fails every comparison, `!=` and `NOT IN` included.
            (_, FieldValue::Missing) => false,
            (Test::Num(op, rhs), FieldValue::Float(x)) => op.holds(x, *rhs),
            (Test::Num(op, rhs), FieldValue::Int(x)) => op.holds(x as f64, *rhs),
            (Test::StrEq(s), FieldValue::Str(x)) => x == s,
            (Test::StrNe(s), FieldValue::Str(x)) => x != s,
            (Test::Like(p), FieldValue::Str(x)) => p.matches(x),
            (Test::ILike(p), FieldValue::Str(x)) => p.matches(&x.to_lowercase()),
            (Test::In(set), FieldValue::Str(x)) => set.contains(x),
            (Test::NotIn(set), FieldValue::Str(x)) => !set.contains(x),
            _ => false,
        }
    }
}

fn compile(c: &Clause, column: &impl Column) -> Result<Test, FilterError> {
    let (kind, label) = (column.kind(), column.label());
    let ident = &c.ident.source;
    let op_error = |allowed: &str| {
        FilterError::at(
            c.op_pos,
            format!("'{}' does not apply to {label}; use {allowed}", c.op_text),
        )
    };
    if matches!(c.op, Op::IsNull | Op::IsNotNull) {
        return if kind.nullable {
            Ok(Test::Null(c.op == Op::IsNull))
        } else {
            Err(FilterError::at(
                c.op_pos,
                format!(
                    "'{}' does not apply to {label}; IS NULL and IS NOT NULL work on metrics, \
                     params and tags only",
                    c.op_text
                ),
            ))
        };
    }
    if kind.numeric {
        let Op::Cmp(op) = c.op else {
            return Err(op_error("=, !=, <, <=, > or >= (it is a number)"));
        };
        return match &c.value {
            Value::Number(n) => Ok(Test::Num(op, *n)),
            Value::Str(s) if s.trim().parse::<f64>().is_ok() => Err(FilterError::at(
                c.value_pos,
                format!(
                    "{label} is a number; remove the quotes: {ident} {} {}",
                    c.op_text,
                    s.trim()
                ),
            )),
            _ => Err(FilterError::at(
                c.value_pos,
                format!(
                    "expected a number for {label} (e.g. {ident} {} 0.5), got {}",
                    c.op_text, c.value_text
                ),
            )),
        };
    }
    let null_hint = if kind.nullable {
        ", IN, NOT IN or IS NULL"
    } else {
        ", IN or NOT IN"
    };
    match (&c.op, &c.value) {
        (Op::Cmp(CmpOp::Eq), Value::Str(s)) => Ok(Test::StrEq(s.clone())),
        (Op::Cmp(CmpOp::Ne), Value::Str(s)) => Ok(Test::StrNe(s.clone())),
        (Op::Like, Value::Str(s)) => Ok(Test::Like(LikePattern::new(s))),
        (Op::ILike, Value::Str(s)) => Ok(Test::ILike(LikePattern::new(&s.to_lowercase()))),
        (Op::In, Value::List(items)) => Ok(Test::In(items.iter().cloned().collect())),
        (Op::NotIn, Value::List(items)) => Ok(Test::NotIn(items.iter().cloned().collect())),
        (Op::Cmp(CmpOp::Eq | CmpOp::Ne) | Op::Like | Op::ILike, _) => Err(FilterError::at(
            c.value_pos,
            format!(
                "values for {label} must be quoted strings (as in MLflow): write {ident} {} '{}'",
                c.op_text,
                c.value_text.trim_matches('`')
            ),
        )),
        _ => Err(op_error(&format!(
            "=, !=, LIKE, ILIKE{null_hint} (it is a string)"
        ))),
    }
}

/// A SQL `LIKE` pattern: `%` is any run of characters, `_` exactly one; the rest is
/// literal (no escape character, as in MLflow).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct LikePattern(Vec<Piece>);

#[derive(Clone, Copy, Debug, PartialEq)]
enum Piece {
    AnyRun,
    AnyOne,
    Lit(char),
}

impl LikePattern {
    pub(crate) fn new(pattern: &str) -> Self {
        LikePattern(
            pattern
                .chars()
                .map(|c| match c {
                    '%' => Piece::AnyRun,
                    '_' => Piece::AnyOne,
                    c => Piece::Lit(c),
                })
                .collect(),
        )
    }

    /// Whole-string match; linear in practice (greedy `%` with one backtrack point).
    pub(crate) fn matches(&self, text: &str) -> bool {
        let pat = &self.0;
        let (mut p, mut t) = (0, 0); // pattern index, byte offset into text
        let mut resume: Option<(usize, usize)> = None; // after last `%`, text offset
        loop {
            if let Some(c) = text[t..].chars().next() {
                match pat.get(p) {
                    Some(Piece::AnyRun) => {
                        resume = Some((p + 1, t));
                        p += 1;
                        continue;
                    }
                    Some(Piece::AnyOne) => {
                        p += 1;
                        t += c.len_utf8();
                        continue;
                    }
                    Some(Piece::Lit(l)) if *l == c => {
                        p += 1;
                        t += c.len_utf8();
                        continue;
                    }
                    _ => {}
                }
                // Mismatch: let the last `%` swallow one more character.
                let Some((rp, rt)) = resume else {
                    return false;
                };
                let skipped = text[rt..].chars().next().map_or(1, char::len_utf8);
                resume = Some((rp, rt + skipped));
                p = rp;
                t = rt + skipped;
            } else {
                return pat[p..].iter().all(|x| *x == Piece::AnyRun);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::search::parse_run_filter;

    #[test]
    fn like_wildcards() {
        let m = |p: &str, t: &str| LikePattern::new(p).matches(t);
        assert!(m("abc", "abc"));
        assert!(!m("abc", "abcd"));
        assert!(m("a%", "abcd"));
        assert!(m("%d", "abcd"));
        assert!(m("%b%", "abcd"));
        assert!(m("a_c", "abc"));
        assert!(!m("a_c", "ac"));
        assert!(m("%", ""));
        assert!(!m("_", ""));
        assert!(m("a%b%c", "aXbYbZc"));
        assert!(!m("a%b%c", "aXbYbZ"));
        assert!(m("%ß_", "Straße"));
        assert!(!m("%ß_", "Straße!"));
        assert!(!m("a.c", "abc"), "'.' is literal");
        assert!(m("a.c", "a.c"));
        assert!(!m("ABC", "abc"), "LIKE is case-sensitive");
    }

    #[test]
    fn type_errors_name_the_fix() {
        let e = parse_run_filter("params.lr = 0.1").unwrap_err();
        assert_eq!(e.position, 12);
        assert!(e.message.contains("params.lr = '0.1'"), "{e}");
        let e = parse_run_filter("metrics.acc > 'high'").unwrap_err();
        assert_eq!(e.position, 14);
        assert!(
            e.message.contains("expected a number for metric 'acc'"),
            "{e}"
        );
        let e = parse_run_filter("metrics.acc > '0.5'").unwrap_err();
        assert!(
            e.message.contains("remove the quotes: metrics.acc > 0.5"),
            "{e}"
        );
        let e = parse_run_filter("metrics.acc LIKE '1%'").unwrap_err();
        assert_eq!(e.position, 12);
        let e = parse_run_filter("params.x > 'a'").unwrap_err();
        assert_eq!(e.position, 9);
        assert!(e.message.contains("LIKE"), "{e}");
        let e = parse_run_filter("start_time = 'x'").unwrap_err();
        assert_eq!(e.position, 13);
        let e = parse_run_filter("status IS NULL").unwrap_err();
        assert_eq!(e.position, 7);
        let e = parse_run_filter("tags.x = `y`").unwrap_err();
        assert!(e.message.contains("tags.x = 'y'"), "{e}");
        assert!(parse_run_filter("start_time IN ('1')").is_err());
    }
}
