//! Registered models and model versions as [`Searchable`] entities, with the columns
//! and default orders of MLflow's SQL store (`SearchModelUtils`,
//! `SearchModelVersionUtils`): `name LIKE '%mnist%'`, `tags.task = 'cls'`,
//! `run_id = '…'`, `version_number > 2`.

use std::fmt;

use crate::core::registry::model::{ModelVersion, RegisteredModel};
use crate::core::search::{
    Column, ColumnKind, FieldError, FieldName, FieldValue, OrderKey, Prefix, Searchable,
};

/// A registered-model column.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ModelField {
    /// `name`.
    Name,
    /// `creation_timestamp` (order-by also `timestamp`); numeric.
    CreationTimestamp,
    /// `last_updated_timestamp`; numeric.
    LastUpdatedTimestamp,
    /// `tags.<key>`.
    Tag(String),
}

/// A model-version column.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum VersionField {
    /// `name`.
    Name,
    /// `version_number`; numeric.
    VersionNumber,
    /// `run_id`.
    RunId,
    /// `source_path` (the version's `source`).
    SourcePath,
    /// `creation_timestamp`; numeric.
    CreationTimestamp,
    /// `last_updated_timestamp`; numeric.
    LastUpdatedTimestamp,
    /// `tags.<key>`.
    Tag(String),
}

impl fmt::Display for ModelField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ModelField::Name => f.write_str("name"),
            ModelField::CreationTimestamp => f.write_str("creation_timestamp"),
            ModelField::LastUpdatedTimestamp => f.write_str("last_updated_timestamp"),
            ModelField::Tag(k) => write!(f, "tags.`{k}`"),
        }
    }
}

impl fmt::Display for VersionField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VersionField::Name => f.write_str("name"),
            VersionField::VersionNumber => f.write_str("version_number"),
            VersionField::RunId => f.write_str("run_id"),
            VersionField::SourcePath => f.write_str("source_path"),
            VersionField::CreationTimestamp => f.write_str("creation_timestamp"),
            VersionField::LastUpdatedTimestamp => f.write_str("last_updated_timestamp"),
            VersionField::Tag(k) => write!(f, "tags.`{k}`"),
        }
    }
}

impl Column for ModelField {
    fn kind(&self) -> ColumnKind {
        ColumnKind {
            numeric: matches!(
                self,
                ModelField::CreationTimestamp | ModelField::LastUpdatedTimestamp
            ),
            nullable: matches!(self, ModelField::Tag(_)),
        }
    }
    fn label(&self) -> String {
        match self {
            ModelField::Tag(k) => format!("tag '{k}'"),
            other => format!("attribute '{other}'"),
        }
    }
}

impl Column for VersionField {
    fn kind(&self) -> ColumnKind {
        ColumnKind {
            numeric: matches!(
                self,
                VersionField::VersionNumber
                    | VersionField::CreationTimestamp
                    | VersionField::LastUpdatedTimestamp
            ),
            nullable: matches!(self, VersionField::Tag(_) | VersionField::RunId),
        }
    }
    fn label(&self) -> String {
        match self {
            VersionField::Tag(k) => format!("tag '{k}'"),
            other => format!("attribute '{other}'"),
        }
    }
}

fn tag<'a>(tags: &'a std::collections::BTreeMap<String, String>, k: &str) -> FieldValue<'a> {
    tags.get(k)
        .map_or(FieldValue::Missing, |v| FieldValue::Str(v))
}

fn opt(v: &Option<String>) -> FieldValue<'_> {
    v.as_deref().map_or(FieldValue::Missing, FieldValue::Str)
}

fn int(v: Option<i64>) -> FieldValue<'static> {
    v.map_or(FieldValue::Missing, FieldValue::Int)
}

impl Searchable for RegisteredModel {
    type Field = ModelField;

    fn field(name: FieldName<'_>) -> Result<ModelField, FieldError> {
        match name.prefix {
            None | Some((Prefix::Attribute, _)) => Ok(match name.key {
                "name" => ModelField::Name,
                "creation_timestamp" | "timestamp" => ModelField::CreationTimestamp,
                "last_updated_timestamp" => ModelField::LastUpdatedTimestamp,
                key => {
                    return Err(FieldError::key(format!(
                        "unknown registered model attribute '{key}'; use name, \
                         creation_timestamp, last_updated_timestamp or tags.<key>"
                    )))
                }
            }),
            Some((Prefix::Tag, _)) => Ok(ModelField::Tag(name.key.to_owned())),
            Some((_, p)) => Err(FieldError::name(format!(
                "registered models have no '{p}.' columns; use name or tags.<key>"
            ))),
        }
    }

    fn value(&self, field: &ModelField) -> FieldValue<'_> {
        match field {
            ModelField::Name => FieldValue::Str(&self.name),
            ModelField::CreationTimestamp => int(self.creation_timestamp),
            ModelField::LastUpdatedTimestamp => int(self.last_updated_timestamp),
            ModelField::Tag(k) => tag(&self.tags, k),
        }
    }

    /// The given keys, then `name ASC` (names are unique: the order is total).
    fn sort_keys(keys: &[OrderKey<ModelField>]) -> Vec<OrderKey<ModelField>> {
        let mut all = keys.to_vec();
        if !all.iter().any(|k| k.field == ModelField::Name) {
            all.push(OrderKey {
                field: ModelField::Name,
                ascending: true,
            });
        }
        all
    }

    fn check_orderable(field: &ModelField) -> Result<(), String> {
        match field {
            ModelField::Tag(_) => Err("registered models are ordered by name, \
                 creation_timestamp or last_updated_timestamp"
                .into()),
            _ => Ok(()),
        }
    }
}

impl Searchable for ModelVersion {
    type Field = VersionField;

    fn field(name: FieldName<'_>) -> Result<VersionField, FieldError> {
        match name.prefix {
            None | Some((Prefix::Attribute, _)) => Ok(match name.key {
                "name" => VersionField::Name,
                "version_number" => VersionField::VersionNumber,
                "run_id" => VersionField::RunId,
                "source_path" => VersionField::SourcePath,
                "creation_timestamp" | "timestamp" => VersionField::CreationTimestamp,
                "last_updated_timestamp" => VersionField::LastUpdatedTimestamp,
                key => {
                    return Err(FieldError::key(format!(
                        "unknown model version attribute '{key}'; use name, version_number, \
                         run_id, source_path, creation_timestamp, last_updated_timestamp or \
                         tags.<key>"
                    )))
                }
            }),
            Some((Prefix::Tag, _)) => Ok(VersionField::Tag(name.key.to_owned())),
            Some((_, p)) => Err(FieldError::name(format!(
                "model versions have no '{p}.' columns; use name, version_number, run_id or \
                 tags.<key>"
            ))),
        }
    }

    fn value(&self, field: &VersionField) -> FieldValue<'_> {
        match field {
            VersionField::Name => FieldValue::Str(&self.name),
            VersionField::VersionNumber => FieldValue::Int(self.version as i64),
            VersionField::RunId => opt(&self.run_id),
            VersionField::SourcePath => opt(&self.source),
            VersionField::CreationTimestamp => FieldValue::Int(self.creation_timestamp),
            VersionField::LastUpdatedTimestamp => int(self.last_updated_timestamp),
            VersionField::Tag(k) => tag(&self.tags, k),
        }
    }

    /// The given keys, else MLflow's default `last_updated_timestamp DESC`; then
    /// `name ASC, version_number DESC` (a version is one name and number).
    fn sort_keys(keys: &[OrderKey<VersionField>]) -> Vec<OrderKey<VersionField>> {
        let key = |field, ascending| OrderKey { field, ascending };
        let mut all = keys.to_vec();
        if all.is_empty() {
            all.push(key(VersionField::LastUpdatedTimestamp, false));
        }
        for (f, asc) in [
            (VersionField::Name, true),
            (VersionField::VersionNumber, false),
        ] {
            if !all.iter().any(|k| k.field == f) {
                all.push(key(f, asc));
            }
        }
        all
    }

    fn check_orderable(field: &VersionField) -> Result<(), String> {
        match field {
            VersionField::Tag(_) | VersionField::RunId | VersionField::SourcePath => Err(
                "model versions are ordered by name, version_number, creation_timestamp or \
                 last_updated_timestamp"
                    .into(),
            ),
            _ => Ok(()),
        }
    }
}
