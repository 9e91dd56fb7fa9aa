//! The syntax tree the parser produces: conditions and order-by clauses over
//! identifiers as written. Nothing here knows runs or experiments.

use super::lexer::CmpOp;

/// One segment of an identifier (`metrics`, `` `my key` ``), unquoted.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Part {
    /// The unquoted text.
    pub(crate) text: String,
    /// Char position of the segment (its opening quote, if quoted).
    pub(crate) start: usize,
}

/// An identifier as written: its segments and the source text they span.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Ident {
    /// The segments between glued dots.
    pub(crate) parts: Vec<Part>,
    /// The identifier as the user typed it, for messages.
    pub(crate) source: String,
    /// Char position of the identifier.
    pub(crate) start: usize,
}

impl Ident {
    /// Everything after the first segment, re-joined with dots: the key of
    /// `tags.mlflow.runName` is `mlflow.runName` (MLflow splits on the first dot).
    pub(crate) fn key_after_prefix(&self) -> String {
        let rest: Vec<&str> = self.parts[1..].iter().map(|p| p.text.as_str()).collect();
        rest.join(".")
    }
}

/// The operator of a condition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Op {
    /// `=`, `!=`, `<`, `<=`, `>`, `>=`.
    Cmp(CmpOp),
    /// `LIKE` (case-sensitive).
    Like,
    /// `ILIKE` (case-insensitive).
    ILike,
    /// `IN (…)`.
    In,
    /// `NOT IN (…)`.
    NotIn,
    /// `IS NULL`.
    IsNull,
    /// `IS NOT NULL`.
    IsNotNull,
}

/// The right-hand side of a condition.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Value {
    /// Nothing (`IS NULL`, `IS NOT NULL`).
    None,
    /// A numeric literal.
    Number(f64),
    /// A single- or double-quoted string.
    Str(String),
    /// An unquoted word or backticked text: never a valid value, kept for the message.
    Bare(String),
    /// The strings of an `IN` list.
    List(Vec<String>),
}

/// One condition, with positions for error messages.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Clause {
    /// The left-hand side.
    pub(crate) ident: Ident,
    /// The operator.
    pub(crate) op: Op,
    /// The operator as typed (`>=`, `not in`).
    pub(crate) op_text: String,
    /// Char position of the operator.
    pub(crate) op_pos: usize,
    /// The right-hand side.
    pub(crate) value: Value,
    /// The value as typed.
    pub(crate) value_text: String,
    /// Char position of the value.
    pub(crate) value_pos: usize,
}

/// An order-by clause: a column and its direction.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct OrderClause {
    /// The column.
    pub(crate) ident: Ident,
    /// `ASC` (the default) or `DESC`.
    pub(crate) ascending: bool,
}
