//! Runs as a [`Searchable`] entity: `metrics.`, `params.`, `tags.` and attribute
//! columns, MLflow's run order, and the run-named entry points (`searchRuns`, the runs
//! table).

use std::fmt;

use super::entity::{
    quote_key, Column, ColumnKind, FieldError, FieldName, FieldValue, Prefix, Searchable,
};
use super::eval::Filter;
use super::order::{parse_order, sort, OrderKey};
use super::FilterError;
use crate::core::tracking::model::Run;

/// A run column that a filter or order-by names.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum RunField {
    /// `metrics.<key>`: the metric's latest value.
    Metric(String),
    /// `params.<key>`.
    Param(String),
    /// `tags.<key>`.
    Tag(String),
    /// `attributes.<name>` or a bare attribute name.
    Attribute(RunAttribute),
}

/// A searchable, orderable field of a run's info.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RunAttribute {
    /// `run_id`.
    RunId,
    /// `run_name` (aliases `run name`, `Run name`, `Run Name`).
    RunName,
    /// `status`, compared as `RUNNING`, `FINISHED`, ….
    Status,
    /// `start_time` in ms (aliases `created`, `Created`); numeric.
    StartTime,
    /// `end_time` in ms, missing while running; numeric.
    EndTime,
    /// `user_id`.
    UserId,
    /// `artifact_uri`.
    ArtifactUri,
    /// `lifecycle_stage` (`active` / `deleted`).
    LifecycleStage,
}

impl RunAttribute {
    /// Every attribute, in the order messages list them.
    pub const ALL: [RunAttribute; 8] = [
        RunAttribute::RunId,
        RunAttribute::RunName,
        RunAttribute::Status,
        RunAttribute::StartTime,
        RunAttribute::EndTime,
        RunAttribute::UserId,
        RunAttribute::ArtifactUri,
        RunAttribute::LifecycleStage,
    ];

    /// The canonical name (`start_time`).
    pub fn name(self) -> &'static str {
        match self {
            RunAttribute::RunId => "run_id",
            RunAttribute::RunName => "run_name",
            RunAttribute::Status => "status",
            RunAttribute::StartTime => "start_time",
            RunAttribute::EndTime => "end_time",
            RunAttribute::UserId => "user_id",
            RunAttribute::ArtifactUri => "artifact_uri",
            RunAttribute::LifecycleStage => "lifecycle_stage",
        }
    }

    /// Parses a name or one of MLflow's aliases (case-sensitive, as MLflow).
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "created" | "Created" => Some(RunAttribute::StartTime),
            "run name" | "Run name" | "Run Name" => Some(RunAttribute::RunName),
            _ => Self::ALL.into_iter().find(|a| a.name() == name),
        }
    }

    /// Whether the attribute compares as a number (`start_time`, `end_time`).
    pub fn is_numeric(self) -> bool {
        matches!(self, RunAttribute::StartTime | RunAttribute::EndTime)
    }
}

impl fmt::Display for RunField {
    /// The canonical spelling, which parses back to the same field.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RunField::Metric(k) => write!(f, "metrics.{}", quote_key(k)),
            RunField::Param(k) => write!(f, "params.{}", quote_key(k)),
            RunField::Tag(k) => write!(f, "tags.{}", quote_key(k)),
            RunField::Attribute(a) => write!(f, "attributes.{}", a.name()),
        }
    }
}

impl Column for RunField {
    fn kind(&self) -> ColumnKind {
        match self {
            RunField::Metric(_) => ColumnKind {
                numeric: true,
                nullable: true,
            },
            RunField::Param(_) | RunField::Tag(_) => ColumnKind {
                numeric: false,
                nullable: true,
            },
            RunField::Attribute(a) => ColumnKind {
                numeric: a.is_numeric(),
                nullable: false,
            },
        }
    }

    fn label(&self) -> String {
        match self {
            RunField::Metric(k) => format!("metric '{k}'"),
            RunField::Param(k) => format!("param '{k}'"),
            RunField::Tag(k) => format!("tag '{k}'"),
            RunField::Attribute(a) => format!("attribute '{}'", a.name()),
        }
    }
}

fn run_attribute(key: &str, bare: bool) -> Result<RunAttribute, FieldError> {
    RunAttribute::parse(key).ok_or_else(|| {
        let names: Vec<&str> = RunAttribute::ALL.iter().map(|a| a.name()).collect();
        let hint = if bare && Prefix::parse(key).is_some() {
            format!("; to name a {key} column write {key}.<key>")
        } else if bare {
            format!("; for a metric, param or tag write metrics.{key}, params.{key} or tags.{key}")
        } else {
            String::new()
        };
        FieldError::key(format!(
            "unknown attribute '{key}'; attributes are {}{hint}",
            names.join(", ")
        ))
    })
}

impl Searchable for Run {
    type Field = RunField;

    /// A bare name is an attribute, as in MLflow.
    fn field(name: FieldName<'_>) -> Result<RunField, FieldError> {
        let key = name.key.to_string();
        Ok(match name.prefix {
            None => RunField::Attribute(run_attribute(name.key, true)?),
            Some((Prefix::Metric, _)) => RunField::Metric(key),
            Some((Prefix::Param, _)) => RunField::Param(key),
            Some((Prefix::Tag, _)) => RunField::Tag(key),
            Some((Prefix::Attribute, _)) => RunField::Attribute(run_attribute(name.key, false)?),
            Some((Prefix::Dataset, p)) => {
                return Err(FieldError::name(format!(
                    "'{p}.' filters are not supported here: runs carry no dataset inputs"
                )))
            }
        })
    }

    fn value<'a>(&'a self, field: &RunField) -> FieldValue<'a> {
        let s = |v: Option<&'a String>| v.map_or(FieldValue::Missing, |s| FieldValue::Str(s));
        match field {
            RunField::Metric(k) => self
                .metrics
                .get(k)
                .map_or(FieldValue::Missing, |m| FieldValue::Float(m.value)),
            RunField::Param(k) => s(self.params.get(k)),
            RunField::Tag(k) => s(self.tags.get(k)),
            RunField::Attribute(a) => {
                let info = &self.info;
                match a {
                    RunAttribute::RunId => FieldValue::Str(&info.run_id),
                    RunAttribute::RunName => FieldValue::Str(&info.run_name),
                    RunAttribute::Status => FieldValue::Str(info.status.as_str()),
                    RunAttribute::StartTime => FieldValue::Int(info.start_time),
                    RunAttribute::EndTime => {
                        info.end_time.map_or(FieldValue::Missing, FieldValue::Int)
                    }
                    RunAttribute::UserId => FieldValue::Str(&info.user_id),
                    RunAttribute::ArtifactUri => FieldValue::Str(&info.artifact_uri),
                    RunAttribute::LifecycleStage => FieldValue::Str(info.lifecycle_stage.as_str()),
                }
            }
        }
    }

    /// The given keys, then MLflow's default `start_time DESC, run_id ASC`.
    fn sort_keys(keys: &[OrderKey]) -> Vec<OrderKey> {
        let attribute = |a, ascending| OrderKey {
            field: RunField::Attribute(a),
            ascending,
        };
        let mut all = keys.to_vec();
        all.push(attribute(RunAttribute::StartTime, false));
        all.push(attribute(RunAttribute::RunId, true));
        all
    }
}

/// A compiled `searchRuns` filter: conditions that must all hold.
pub type RunFilter = Filter<Run>;

/// Parses and compiles a run filter such as
/// `metrics.acc > 0.9 AND params.model = 'cnn'`. Empty or blank matches every run.
pub fn parse_run_filter(src: &str) -> Result<RunFilter, FilterError> {
    RunFilter::parse(src)
}

/// Parses run order-by clauses (`metrics.acc DESC`, `params.lr`,
/// ``tags.`x y` ``, `run_name`, `attributes.start_time ASC`).
pub fn parse_order_by<S: AsRef<str>>(clauses: &[S]) -> Result<Vec<OrderKey>, FilterError> {
    parse_order::<Run>(clauses)
}

/// Sorts runs by `order`, then by MLflow's default `start_time DESC, run_id ASC`.
/// Missing values sort last in both directions; NaN metrics sort after every number
/// and before missing values, in both directions (as MLflow's file store).
pub fn sort_runs(runs: &mut [&Run], order: &[OrderKey]) {
    sort(runs, order);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::search::entity::resolve;
    use crate::core::search::parser::parse_order_clause;

    fn run_field(s: &str) -> Result<RunField, FilterError> {
        resolve::<Run>(&parse_order_clause(s).unwrap().ident)
    }

    #[test]
    fn run_prefixes_and_aliases() {
        assert_eq!(run_field("metric.a").unwrap(), RunField::Metric("a".into()));
        for p in ["param", "params", "parameter", "parameters", "PARAMS"] {
            assert_eq!(
                run_field(&format!("{p}.lr")).unwrap(),
                RunField::Param("lr".into())
            );
        }
        assert_eq!(run_field("tag.x.y").unwrap(), RunField::Tag("x.y".into()));
        for p in [
            "attributes.status",
            "attribute.status",
            "attr.status",
            "run.status",
            "status",
        ] {
            assert_eq!(
                run_field(p).unwrap(),
                RunField::Attribute(RunAttribute::Status),
                "{p}"
            );
        }
        let start = RunField::Attribute(RunAttribute::StartTime);
        assert_eq!(run_field("created").unwrap(), start);
        assert_eq!(run_field("attributes.Created").unwrap(), start);
        assert_eq!(
            run_field("`Run Name`").unwrap(),
            RunField::Attribute(RunAttribute::RunName)
        );
    }

    #[test]
    fn run_resolution_errors() {
        let e = run_field("foo.bar").unwrap_err();
        assert_eq!(e.position, 0);
        assert!(e.message.contains("unknown prefix 'foo'"), "{e}");
        let e = run_field("attributes.nope").unwrap_err();
        assert_eq!(e.position, 11);
        let e = run_field("loss").unwrap_err();
        assert!(e.message.contains("metrics.loss"), "{e}");
        assert!(run_field("metrics")
            .unwrap_err()
            .message
            .contains("metrics.<key>"));
        assert!(run_field("datasets.name")
            .unwrap_err()
            .message
            .contains("dataset"));
        assert_eq!(run_field("metrics.``").unwrap_err().position, 8);
    }

    #[test]
    fn display_round_trips() {
        for f in [
            RunField::Metric("loss".into()),
            RunField::Metric("my key".into()),
            RunField::Tag("mlflow.runName".into()),
            RunField::Param("a/b-c".into()),
            RunField::Attribute(RunAttribute::EndTime),
        ] {
            assert_eq!(run_field(&f.to_string()).unwrap(), f, "{f}");
        }
        assert_eq!(
            RunField::Metric("my key".into()).to_string(),
            "metrics.`my key`"
        );
    }
}
