//! Logged models as a [`Searchable`] entity, with the columns of MLflow's
//! `SearchLoggedModelsUtils`: `name`, `model_id`, `model_type`, `status`,
//! `source_run_id`, the timestamps, `metrics.<key>`, `params.<key>`, `tags.<key>`.

use std::fmt;

use crate::core::models::LoggedModel;
use crate::core::search::{
    Column, ColumnKind, FieldError, FieldName, FieldValue, OrderKey, Prefix, Searchable,
};

/// A logged-model column.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum LoggedModelField {
    /// `name`.
    Name,
    /// `model_id`.
    ModelId,
    /// `model_type`.
    ModelType,
    /// `status` (`READY`, `PENDING`, `FAILED`).
    Status,
    /// `source_run_id`.
    SourceRunId,
    /// `creation_timestamp` / `creation_time`; numeric.
    CreationTimestamp,
    /// `last_updated_timestamp` / `last_updated_time`; numeric.
    LastUpdatedTimestamp,
    /// `metrics.<key>`: the value logged last; numeric.
    Metric(String),
    /// `params.<key>`.
    Param(String),
    /// `tags.<key>`.
    Tag(String),
}

impl fmt::Display for LoggedModelField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoggedModelField::Name => f.write_str("name"),
            LoggedModelField::ModelId => f.write_str("model_id"),
            LoggedModelField::ModelType => f.write_str("model_type"),
            LoggedModelField::Status => f.write_str("status"),
            LoggedModelField::SourceRunId => f.write_str("source_run_id"),
            LoggedModelField::CreationTimestamp => f.write_str("creation_timestamp"),
            LoggedModelField::LastUpdatedTimestamp => f.write_str("last_updated_timestamp"),
            LoggedModelField::Metric(k) => write!(f, "metrics.`{k}`"),
            LoggedModelField::Param(k) => write!(f, "params.`{k}`"),
            LoggedModelField::Tag(k) => write!(f, "tags.`{k}`"),
        }
    }
}

impl Column for LoggedModelField {
    fn kind(&self) -> ColumnKind {
        use LoggedModelField::*;
        ColumnKind {
            numeric: matches!(self, CreationTimestamp | LastUpdatedTimestamp | Metric(_)),
            nullable: matches!(
                self,
                Metric(_) | Param(_) | Tag(_) | ModelType | SourceRunId
            ),
        }
    }
    fn label(&self) -> String {
        match self {
            LoggedModelField::Metric(k) => format!("metric '{k}'"),
            LoggedModelField::Param(k) => format!("param '{k}'"),
            LoggedModelField::Tag(k) => format!("tag '{k}'"),
            other => format!("attribute '{other}'"),
        }
    }
}

fn opt(v: &Option<String>) -> FieldValue<'_> {
    v.as_deref().map_or(FieldValue::Missing, FieldValue::Str)
}

fn map<'a>(m: &'a std::collections::BTreeMap<String, String>, k: &str) -> FieldValue<'a> {
    m.get(k).map_or(FieldValue::Missing, |v| FieldValue::Str(v))
}

impl Searchable for LoggedModel {
    type Field = LoggedModelField;

    fn field(name: FieldName<'_>) -> Result<LoggedModelField, FieldError> {
        let key = name.key.to_owned();
        match name.prefix {
            None | Some((Prefix::Attribute, _)) => Ok(match name.key {
                "name" => LoggedModelField::Name,
                "model_id" => LoggedModelField::ModelId,
                "model_type" => LoggedModelField::ModelType,
                "status" => LoggedModelField::Status,
                "source_run_id" => LoggedModelField::SourceRunId,
                "creation_timestamp" | "creation_time" => LoggedModelField::CreationTimestamp,
                "last_updated_timestamp" | "last_updated_time" => {
                    LoggedModelField::LastUpdatedTimestamp
                }
                key => {
                    return Err(FieldError::key(format!(
                        "unknown logged model attribute '{key}'; use name, model_id, \
                         model_type, status, source_run_id, creation_timestamp, \
                         last_updated_timestamp, metrics.<key>, params.<key> or tags.<key>"
                    )))
                }
            }),
            Some((Prefix::Metric, _)) => Ok(LoggedModelField::Metric(key)),
            Some((Prefix::Param, _)) => Ok(LoggedModelField::Param(key)),
            Some((Prefix::Tag, _)) => Ok(LoggedModelField::Tag(key)),
            Some((_, p)) => Err(FieldError::name(format!(
                "logged models have no '{p}.' columns"
            ))),
        }
    }

    fn value(&self, field: &LoggedModelField) -> FieldValue<'_> {
        match field {
            LoggedModelField::Name => FieldValue::Str(&self.name),
            LoggedModelField::ModelId => FieldValue::Id(&self.model_id),
            LoggedModelField::ModelType => opt(&self.model_type),
            LoggedModelField::Status => FieldValue::Str(match self.status {
                crate::core::models::LoggedModelStatus::Pending => "PENDING",
                crate::core::models::LoggedModelStatus::Ready => "READY",
                crate::core::models::LoggedModelStatus::Failed => "FAILED",
            }),
            LoggedModelField::SourceRunId => opt(&self.source_run_id),
            LoggedModelField::CreationTimestamp => FieldValue::Int(self.creation_timestamp),
            LoggedModelField::LastUpdatedTimestamp => FieldValue::Int(self.last_updated_timestamp),
            LoggedModelField::Metric(k) => (self.metrics.iter().rev())
                .find(|m| &m.key == k)
                .map_or(FieldValue::Missing, |m| FieldValue::Float(m.value)),
            LoggedModelField::Param(k) => map(&self.params, k),
            LoggedModelField::Tag(k) => map(&self.tags, k),
        }
    }

    /// The given keys, else `creation_timestamp DESC`; then `model_id ASC`.
    fn sort_keys(keys: &[OrderKey<LoggedModelField>]) -> Vec<OrderKey<LoggedModelField>> {
        let mut all = keys.to_vec();
        if all.is_empty() {
            all.push(OrderKey {
                field: LoggedModelField::CreationTimestamp,
                ascending: false,
            });
        }
        if !all.iter().any(|k| k.field == LoggedModelField::ModelId) {
            all.push(OrderKey {
                field: LoggedModelField::ModelId,
                ascending: true,
            });
        }
        all
    }
}
