//! Stage 3a, for any entity: identifier → column. The grammar is MLflow's for every
//! searchable entity (runs, experiments, registered models, model versions, logged
//! models); what differs is which columns exist and how a value is read. An entity
//! says that by implementing [`Searchable`]; this file splits identifiers, hands the
//! entity a [`FieldName`] and positions whatever it refuses.

use std::fmt;

use super::ast::Ident;
use super::order::OrderKey;
use super::FilterError;

/// The prefix of a `prefix.key` identifier, with MLflow's spellings folded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Prefix {
    /// `metrics.`, `metric.`
    Metric,
    /// `params.`, `param.`, `parameters.`, `parameter.`
    Param,
    /// `tags.`, `tag.`
    Tag,
    /// `attributes.`, `attribute.`, `attr.`, `run.`
    Attribute,
    /// `datasets.`, `dataset.`
    Dataset,
}

impl Prefix {
    /// Reads a prefix in any case (`PARAMS` is `params`); `None` if it is not one.
    pub fn parse(text: &str) -> Option<Prefix> {
        Some(match text.to_ascii_lowercase().as_str() {
            "metric" | "metrics" => Prefix::Metric,
            "param" | "params" | "parameter" | "parameters" => Prefix::Param,
            "tag" | "tags" => Prefix::Tag,
            "attribute" | "attributes" | "attr" | "run" => Prefix::Attribute,
            "dataset" | "datasets" => Prefix::Dataset,
            _ => return None,
        })
    }
}

/// An identifier split at its first dot (MLflow's rule: the key of
/// `tags.mlflow.runName` is `mlflow.runName`), for [`Searchable::field`] to resolve.
/// The prefix is known and the key is not empty: those checks are shared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FieldName<'a> {
    /// The prefix, and how the user spelled it (for messages); `None` for a bare name
    /// such as `name` or `status`.
    pub prefix: Option<(Prefix, &'a str)>,
    /// The key after the prefix, or the bare name; unquoted.
    pub key: &'a str,
}

/// Why a [`FieldName`] is not a column of the entity. The shared code turns it into a
/// [`FilterError`] pointing at the whole identifier or at its key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    at_key: bool,
    message: String,
}

impl FieldError {
    /// The identifier as a whole is wrong (e.g. a prefix the entity lacks): the error
    /// points at its start.
    pub fn name(message: impl Into<String>) -> Self {
        FieldError {
            at_key: false,
            message: message.into(),
        }
    }

    /// The key is wrong (e.g. an unknown attribute): the error points at the key.
    pub fn key(message: impl Into<String>) -> Self {
        FieldError {
            at_key: true,
            message: message.into(),
        }
    }
}

/// How a column's values compare, decided per column so a filter is type-checked once,
/// when it is compiled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ColumnKind {
    /// Compared as a number (`=`, `!=`, `<`, `<=`, `>`, `>=` against a number literal);
    /// otherwise as a string (`=`, `!=`, `LIKE`, `ILIKE`, `IN`, `NOT IN` against quoted
    /// strings).
    pub numeric: bool,
    /// `IS NULL` / `IS NOT NULL` apply (the column may be missing).
    pub nullable: bool,
}

/// A column of a [`Searchable`] entity, as filters and order-bys name it.
pub trait Column: Clone + fmt::Debug + fmt::Display + PartialEq {
    /// How the column's values compare.
    fn kind(&self) -> ColumnKind;
    /// How messages name the column: `metric 'loss'`, `attribute 'status'`.
    fn label(&self) -> String;
}

/// A column's value in one entity, borrowed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum FieldValue<'a> {
    /// The entity lacks it: every comparison fails, `!=` included; `IS NULL` holds.
    Missing,
    /// A float (metrics); may be NaN.
    Float(f64),
    /// An integer (timestamps).
    Int(i64),
    /// A string.
    Str(&'a str),
    /// An id: filters compare it as a string; sorting puts digit strings in numeric
    /// order (`9` before `10`), as MLflow's SQL store does.
    Id(&'a str),
}

/// An entity that MLflow's search grammar filters and sorts: it names its columns and
/// reads them. Runs and experiments implement it; a registry entity (registered
/// model, model version, logged model) does the same with its own columns, and then
/// [`Filter::parse`](super::Filter::parse), [`parse_order`](super::parse_order) and
/// [`sort`](super::sort) work for it unchanged.
pub trait Searchable {
    /// The entity's columns.
    type Field: Column;

    /// Resolves a name to a column, or says what is wrong with it.
    fn field(name: FieldName<'_>) -> Result<Self::Field, FieldError>;

    /// Reads a column of this entity.
    fn value(&self, field: &Self::Field) -> FieldValue<'_>;

    /// The whole sort order for the user's `keys`: those keys, then the tie-breakers
    /// that make the order total (runs: `start_time DESC, run_id ASC`).
    fn sort_keys(keys: &[OrderKey<Self::Field>]) -> Vec<OrderKey<Self::Field>>;

    /// Refuses a column order-bys may not name, with the message (MLflow cannot order
    /// experiments by tag). Every column may be ordered on unless this says otherwise.
    fn check_orderable(field: &Self::Field) -> Result<(), String> {
        let _ = field;
        Ok(())
    }
}

/// Resolves `ident` to a column of `E`: splits it at its first dot, checks the prefix
/// and key, asks the entity, and positions any error.
pub(crate) fn resolve<E: Searchable>(ident: &Ident) -> Result<E::Field, FilterError> {
    let (prefix, key, key_pos) = if ident.parts.len() == 1 {
        (None, ident.parts[0].text.clone(), ident.start)
    } else {
        let prefix_text = ident.parts[0].text.as_str();
        let key = ident.key_after_prefix();
        let key_pos = ident.parts[1].start;
        if key.is_empty() {
            return Err(FilterError::at(
                key_pos,
                format!("the key in '{}' is empty", ident.source),
            ));
        }
        let Some(prefix) = Prefix::parse(prefix_text) else {
            let joined: Vec<&str> = ident.parts.iter().map(|p| p.text.as_str()).collect();
            let joined = joined.join(".");
            return Err(FilterError::at(
                ident.start,
                format!(
                    "unknown prefix '{prefix_text}' in '{}'; use metrics., params., tags. or \
                     attributes. (if '{joined}' is one key with dots, quote it: tags.`{joined}`)",
                    ident.source
                ),
            ));
        };
        (Some((prefix, prefix_text)), key, key_pos)
    };
    E::field(FieldName { prefix, key: &key }).map_err(|e| {
        let position = if e.at_key { key_pos } else { ident.start };
        FilterError::at(position, e.message)
    })
}

/// `key`, backticked unless it is a plain word (so a column's spelling parses back).
pub(crate) fn quote_key(key: &str) -> String {
    let plain = key.split('.').all(|seg| {
        seg.chars()
            .next()
            .is_some_and(|c| c.is_alphanumeric() || c == '_')
            && seg.chars().all(super::lexer::is_word_char)
    });
    if plain {
        key.to_string()
    } else {
        format!("`{key}`")
    }
}
