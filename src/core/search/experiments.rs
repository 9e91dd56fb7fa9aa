//! Experiments as a [`Searchable`] entity: four attributes and `tags.`, the file
//! store's order, and the experiment-named entry points (`searchExperiments`).

use std::fmt;

use super::entity::{
    quote_key, Column, ColumnKind, FieldError, FieldName, FieldValue, Prefix, Searchable,
};
use super::eval::Filter;
use super::order::{parse_order, sort, OrderKey};
use super::FilterError;
use crate::core::tracking::model::Experiment;

/// An experiment column that a filter or order-by names.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ExperimentField {
    /// `name`.
    Name,
    /// `experiment_id`.
    ExperimentId,
    /// `creation_time` in ms; numeric.
    CreationTime,
    /// `last_update_time` in ms; numeric.
    LastUpdateTime,
    /// `tags.<key>` (filters only; MLflow cannot order experiments by tag).
    Tag(String),
}

impl ExperimentField {
    /// The canonical name of an attribute field (`tags.<key>` for tags).
    pub fn name(&self) -> String {
        match self {
            ExperimentField::Name => "name".into(),
            ExperimentField::ExperimentId => "experiment_id".into(),
            ExperimentField::CreationTime => "creation_time".into(),
            ExperimentField::LastUpdateTime => "last_update_time".into(),
            ExperimentField::Tag(k) => format!("tags.{}", quote_key(k)),
        }
    }
}

impl fmt::Display for ExperimentField {
    /// The canonical name, which parses back to the same field.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

impl Column for ExperimentField {
    fn kind(&self) -> ColumnKind {
        ColumnKind {
            numeric: matches!(
                self,
                ExperimentField::CreationTime | ExperimentField::LastUpdateTime
            ),
            nullable: matches!(self, ExperimentField::Tag(_)),
        }
    }

    fn label(&self) -> String {
        match self {
            ExperimentField::Tag(k) => format!("tag '{k}'"),
            other => format!("attribute '{}'", other.name()),
        }
    }
}

const EXPERIMENT_ATTRIBUTES: &str = "name, experiment_id, creation_time, last_update_time";

impl Searchable for Experiment {
    type Field = ExperimentField;

    /// Attributes (bare or `attributes.`) and `tags.<key>`.
    fn field(name: FieldName<'_>) -> Result<ExperimentField, FieldError> {
        match name.prefix {
            None | Some((Prefix::Attribute, _)) => Ok(match name.key {
                "name" => ExperimentField::Name,
                "experiment_id" => ExperimentField::ExperimentId,
                "creation_time" => ExperimentField::CreationTime,
                "last_update_time" => ExperimentField::LastUpdateTime,
                key => {
                    return Err(FieldError::key(format!(
                        "unknown experiment attribute '{key}'; attributes are \
                         {EXPERIMENT_ATTRIBUTES}, and tags are tags.<key>"
                    )))
                }
            }),
            Some((Prefix::Tag, _)) => Ok(ExperimentField::Tag(name.key.to_string())),
            Some((_, p)) => Err(FieldError::name(format!(
                "experiments have no '{p}.' columns; use {EXPERIMENT_ATTRIBUTES} or tags.<key>"
            ))),
        }
    }

    fn value(&self, field: &ExperimentField) -> FieldValue<'_> {
        let int = |v: Option<i64>| v.map_or(FieldValue::Missing, FieldValue::Int);
        match field {
            ExperimentField::Name => FieldValue::Str(&self.name),
            ExperimentField::ExperimentId => FieldValue::Id(&self.experiment_id),
            ExperimentField::CreationTime => int(self.creation_time),
            ExperimentField::LastUpdateTime => int(self.last_update_time),
            ExperimentField::Tag(k) => self
                .tags
                .get(k)
                .map_or(FieldValue::Missing, |s| FieldValue::Str(s)),
        }
    }

    /// As MLflow's file store: with no keys, `creation_time DESC, experiment_id ASC`;
    /// with keys, ties break on `experiment_id DESC` unless it is a key.
    fn sort_keys(keys: &[ExperimentOrderKey]) -> Vec<ExperimentOrderKey> {
        let key = |field, ascending| OrderKey { field, ascending };
        let mut all = keys.to_vec();
        if all.is_empty() {
            all.push(key(ExperimentField::CreationTime, false));
            all.push(key(ExperimentField::ExperimentId, true));
        } else if !all.iter().any(|k| k.field == ExperimentField::ExperimentId) {
            all.push(key(ExperimentField::ExperimentId, false));
        }
        all
    }

    fn check_orderable(field: &ExperimentField) -> Result<(), String> {
        match field {
            ExperimentField::Tag(_) => Err("experiments cannot be ordered by tag; use name, \
                 experiment_id, creation_time or last_update_time"
                .into()),
            _ => Ok(()),
        }
    }
}

/// A compiled `searchExperiments` filter: conditions that must all hold.
pub type ExperimentFilter = Filter<Experiment>;

/// One experiment order-by key: an attribute and a direction.
pub type ExperimentOrderKey = OrderKey<ExperimentField>;

/// Parses and compiles an experiment filter such as
/// `name LIKE '%bert%' AND tags.team = 'nlp'`. Empty or blank matches everything.
pub fn parse_experiment_filter(src: &str) -> Result<ExperimentFilter, FilterError> {
    ExperimentFilter::parse(src)
}

/// Parses experiment order-by clauses (`name`, `experiment_id`, `creation_time`,
/// `last_update_time`, each optionally `ASC`/`DESC`). Tags are refused, as in MLflow.
pub fn parse_experiment_order_by<S: AsRef<str>>(
    clauses: &[S],
) -> Result<Vec<ExperimentOrderKey>, FilterError> {
    parse_order::<Experiment>(clauses)
}

/// Sorts experiments by `order`, as MLflow's file store: with no keys,
/// `creation_time DESC, experiment_id ASC`; with keys, ties break on
/// `experiment_id DESC` unless it is a key. Missing times sort last either way.
pub fn sort_experiments(experiments: &mut [&Experiment], order: &[ExperimentOrderKey]) {
    sort(experiments, order);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::search::entity::resolve;
    use crate::core::search::parser::parse_order_clause;

    fn resolve_experiment_field(
        ident: &crate::core::search::ast::Ident,
    ) -> Result<ExperimentField, FilterError> {
        resolve::<Experiment>(ident)
    }

    #[test]
    fn experiment_fields() {
        let f = |s: &str| resolve_experiment_field(&parse_order_clause(s).unwrap().ident);
        assert_eq!(f("name").unwrap(), ExperimentField::Name);
        assert_eq!(
            f("attribute.creation_time").unwrap(),
            ExperimentField::CreationTime
        );
        assert_eq!(f("tags.`a b`").unwrap(), ExperimentField::Tag("a b".into()));
        assert!(f("metrics.x")
            .unwrap_err()
            .message
            .contains("no 'metrics.'"));
        assert_eq!(f("attributes.foo").unwrap_err().position, 11);
    }
}
