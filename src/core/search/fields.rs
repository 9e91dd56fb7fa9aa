//! Stage 3a: identifier → column. The only place that knows which prefixes and
//! attributes runs and experiments have, and how to read a column's value.

use std::fmt;

use super::ast::Ident;
use super::FilterError;
use crate::core::tracking::model::{Experiment, Run};

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

/// `key`, backticked unless it is a plain word (so the output parses back).
fn quote_key(key: &str) -> String {
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

/// Whether a field holds numbers or strings, and whether `IS NULL` applies to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct FieldKind {
    /// Compared as a number.
    pub(crate) numeric: bool,
    /// `IS NULL` / `IS NOT NULL` allowed.
    pub(crate) nullable: bool,
}

impl RunField {
    pub(crate) fn kind(&self) -> FieldKind {
        match self {
            RunField::Metric(_) => FieldKind {
                numeric: true,
                nullable: true,
            },
            RunField::Param(_) | RunField::Tag(_) => FieldKind {
                numeric: false,
                nullable: true,
            },
            RunField::Attribute(a) => FieldKind {
                numeric: a.is_numeric(),
                nullable: false,
            },
        }
    }

    /// `metric 'loss'`, `attribute 'status'`: how messages name the field.
    pub(crate) fn label(&self) -> String {
        match self {
            RunField::Metric(k) => format!("metric '{k}'"),
            RunField::Param(k) => format!("param '{k}'"),
            RunField::Tag(k) => format!("tag '{k}'"),
            RunField::Attribute(a) => format!("attribute '{}'", a.name()),
        }
    }
}

impl ExperimentField {
    pub(crate) fn kind(&self) -> FieldKind {
        FieldKind {
            numeric: matches!(
                self,
                ExperimentField::CreationTime | ExperimentField::LastUpdateTime
            ),
            nullable: matches!(self, ExperimentField::Tag(_)),
        }
    }

    pub(crate) fn label(&self) -> String {
        match self {
            ExperimentField::Tag(k) => format!("tag '{k}'"),
            other => format!("attribute '{}'", other.name()),
        }
    }
}

/// A column's value in one entity, borrowed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum FieldValue<'a> {
    /// The entity lacks it.
    Missing,
    /// A float (metrics); may be NaN.
    Float(f64),
    /// An integer (timestamps).
    Int(i64),
    /// A string.
    Str(&'a str),
}

impl RunField {
    /// Reads this column from `run`.
    pub(crate) fn value<'a>(&self, run: &'a Run) -> FieldValue<'a> {
        let s = |v: Option<&'a String>| v.map_or(FieldValue::Missing, |s| FieldValue::Str(s));
        match self {
            RunField::Metric(k) => run
                .metrics
                .get(k)
                .map_or(FieldValue::Missing, |m| FieldValue::Float(m.value)),
            RunField::Param(k) => s(run.params.get(k)),
            RunField::Tag(k) => s(run.tags.get(k)),
            RunField::Attribute(a) => {
                let info = &run.info;
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
}

impl ExperimentField {
    /// Reads this column from `exp`.
    pub(crate) fn value<'a>(&self, exp: &'a Experiment) -> FieldValue<'a> {
        let int = |v: Option<i64>| v.map_or(FieldValue::Missing, FieldValue::Int);
        match self {
            ExperimentField::Name => FieldValue::Str(&exp.name),
            ExperimentField::ExperimentId => FieldValue::Str(&exp.experiment_id),
            ExperimentField::CreationTime => int(exp.creation_time),
            ExperimentField::LastUpdateTime => int(exp.last_update_time),
            ExperimentField::Tag(k) => exp
                .tags
                .get(k)
                .map_or(FieldValue::Missing, |s| FieldValue::Str(s)),
        }
    }
}

/// The prefix of a `prefix.key` identifier, normalised.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Prefix {
    Metric,
    Param,
    Tag,
    Attribute,
    Dataset,
}

fn parse_prefix(p: &str) -> Option<Prefix> {
    Some(match p.to_ascii_lowercase().as_str() {
        "metric" | "metrics" => Prefix::Metric,
        "param" | "params" | "parameter" | "parameters" => Prefix::Param,
        "tag" | "tags" => Prefix::Tag,
        "attribute" | "attributes" | "attr" | "run" => Prefix::Attribute,
        "dataset" | "datasets" => Prefix::Dataset,
        _ => return None,
    })
}

/// An identifier split at its first dot.
struct Split<'a> {
    /// The prefix and how it was spelled; `None` for a bare name.
    prefix: Option<(Prefix, &'a str)>,
    /// The key (or the bare name).
    key: String,
    /// Char position of the key.
    key_pos: usize,
}

/// Splits `ident` at its first dot, checking the prefix is known and the key not empty.
fn split(ident: &Ident) -> Result<Split<'_>, FilterError> {
    if ident.parts.len() == 1 {
        return Ok(Split {
            prefix: None,
            key: ident.parts[0].text.clone(),
            key_pos: ident.start,
        });
    }
    let prefix_text = ident.parts[0].text.as_str();
    let key = ident.key_after_prefix();
    let key_pos = ident.parts[1].start;
    if key.is_empty() {
        return Err(FilterError::at(
            key_pos,
            format!("the key in '{}' is empty", ident.source),
        ));
    }
    let joined: Vec<&str> = ident.parts.iter().map(|p| p.text.as_str()).collect();
    let joined = joined.join(".");
    match parse_prefix(prefix_text) {
        Some(p) => Ok(Split {
            prefix: Some((p, prefix_text)),
            key,
            key_pos,
        }),
        None => Err(FilterError::at(
            ident.start,
            format!(
                "unknown prefix '{prefix_text}' in '{}'; use metrics., params., tags. or \
                 attributes. (if '{}' is one key with dots, quote it: tags.`{}`)",
                ident.source, joined, joined
            ),
        )),
    }
}

fn run_attribute(key: &str, pos: usize, bare: bool) -> Result<RunAttribute, FilterError> {
    RunAttribute::parse(key).ok_or_else(|| {
        let names: Vec<&str> = RunAttribute::ALL.iter().map(|a| a.name()).collect();
        let hint = if bare && parse_prefix(key).is_some() {
            format!("; to name a {key} column write {key}.<key>")
        } else if bare {
            format!("; for a metric, param or tag write metrics.{key}, params.{key} or tags.{key}")
        } else {
            String::new()
        };
        FilterError::at(
            pos,
            format!(
                "unknown attribute '{key}'; attributes are {}{hint}",
                names.join(", ")
            ),
        )
    })
}

/// Resolves a run identifier; a bare name is an attribute, as in MLflow.
pub(crate) fn resolve_run_field(ident: &Ident) -> Result<RunField, FilterError> {
    let Split {
        prefix,
        key,
        key_pos,
    } = split(ident)?;
    Ok(match prefix {
        None => RunField::Attribute(run_attribute(&key, key_pos, true)?),
        Some((Prefix::Metric, _)) => RunField::Metric(key),
        Some((Prefix::Param, _)) => RunField::Param(key),
        Some((Prefix::Tag, _)) => RunField::Tag(key),
        Some((Prefix::Attribute, _)) => RunField::Attribute(run_attribute(&key, key_pos, false)?),
        Some((Prefix::Dataset, p)) => {
            return Err(FilterError::at(
                ident.start,
                format!("'{p}.' filters are not supported here: runs carry no dataset inputs"),
            ))
        }
    })
}

const EXPERIMENT_ATTRIBUTES: &str = "name, experiment_id, creation_time, last_update_time";

/// Resolves an experiment identifier: attributes and `tags.<key>`.
pub(crate) fn resolve_experiment_field(ident: &Ident) -> Result<ExperimentField, FilterError> {
    let Split {
        prefix,
        key,
        key_pos,
    } = split(ident)?;
    match prefix {
        None | Some((Prefix::Attribute, _)) => Ok(match key.as_str() {
            "name" => ExperimentField::Name,
            "experiment_id" => ExperimentField::ExperimentId,
            "creation_time" => ExperimentField::CreationTime,
            "last_update_time" => ExperimentField::LastUpdateTime,
            _ => {
                return Err(FilterError::at(
                    key_pos,
                    format!(
                        "unknown experiment attribute '{key}'; attributes are \
                         {EXPERIMENT_ATTRIBUTES}, and tags are tags.<key>"
                    ),
                ))
            }
        }),
        Some((Prefix::Tag, _)) => Ok(ExperimentField::Tag(key)),
        Some((_, p)) => Err(FilterError::at(
            ident.start,
            format!(
                "experiments have no '{p}.' columns; use {EXPERIMENT_ATTRIBUTES} or tags.<key>"
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::search::parser::parse_order_clause;

    fn run_field(s: &str) -> Result<RunField, FilterError> {
        resolve_run_field(&parse_order_clause(s).unwrap().ident)
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
