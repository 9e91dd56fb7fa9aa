//! Column keys: `<kind>.<name>`, as in `metrics.acc`, `params.lr`,
//! `tags.mlflow.runName`, `attributes.start_time`. The one codec for the runs table's
//! URL state (columns, sort), its column picker and cells, and the compare page's
//! plot axes.
//!
//! The kind is the text before the first dot; the name is everything after it,
//! verbatim. Dots, spaces and backticks are part of the name, not quoting:
//! `tags.mlflow.runName` names the tag `mlflow.runName`, and `` params.`a` `` the
//! param whose key is `` `a` `` (the search grammar, where backticks do quote, is
//! reached through [`ColumnKey::field`]).

use std::fmt;

use crate::core::search::{RunAttribute, RunField};
use crate::core::tracking::model::Run;

/// What a column shows: the part of a column key before its first dot, as in
/// MLflow's search syntax.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ColumnKind {
    /// A field of the run's info (`attributes.status`).
    Attributes,
    /// A param (`params.lr`).
    Params,
    /// A metric's latest value (`metrics.acc`).
    Metrics,
    /// A tag (`tags.team`).
    Tags,
    /// A metric's lowest value over its history (`metrics_min.loss`).
    MetricsMin,
    /// A metric's highest value over its history (`metrics_max.acc`).
    MetricsMax,
}

impl ColumnKind {
    /// Every kind, in the order the URL documentation lists them.
    pub const ALL: [ColumnKind; 6] = [
        ColumnKind::Attributes,
        ColumnKind::Params,
        ColumnKind::Metrics,
        ColumnKind::Tags,
        ColumnKind::MetricsMin,
        ColumnKind::MetricsMax,
    ];

    /// The key prefix: `attributes`, `params`, `metrics` or `tags`.
    pub fn prefix(self) -> &'static str {
        match self {
            ColumnKind::Attributes => "attributes",
            ColumnKind::Params => "params",
            ColumnKind::Metrics => "metrics",
            ColumnKind::Tags => "tags",
            ColumnKind::MetricsMin => "metrics_min",
            ColumnKind::MetricsMax => "metrics_max",
        }
    }

    /// One of them, for labels: `attribute`, `param`, `metric`, `tag`, `min of metric`
    /// or `max of metric`.
    pub fn singular(self) -> &'static str {
        match self {
            ColumnKind::Attributes => "attribute",
            ColumnKind::Params => "param",
            ColumnKind::Metrics => "metric",
            ColumnKind::Tags => "tag",
            ColumnKind::MetricsMin => "min of metric",
            ColumnKind::MetricsMax => "max of metric",
        }
    }

    /// Whether the column holds a metric's value: its latest, min or max.
    pub fn is_metric(self) -> bool {
        matches!(
            self,
            ColumnKind::Metrics | ColumnKind::MetricsMin | ColumnKind::MetricsMax
        )
    }

    /// The kind a prefix names (exactly, lower case).
    pub fn from_prefix(prefix: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.prefix() == prefix)
    }
}

/// A column: its kind and name (see the module doc for how it is written).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ColumnKey {
    kind: ColumnKind,
    name: String,
}

/// The attribute name of the runs table's duration column, which is no search
/// attribute (see [`ColumnKey::duration`]).
const DURATION: &str = "duration";

impl ColumnKey {
    /// The column of `name` of `kind`. The name should not be empty: `params.` does
    /// not parse back.
    pub fn new(kind: ColumnKind, name: impl Into<String>) -> Self {
        ColumnKey {
            kind,
            name: name.into(),
        }
    }

    /// The column of a run attribute (`attributes.start_time`).
    pub fn attribute(attribute: RunAttribute) -> Self {
        ColumnKey::new(ColumnKind::Attributes, attribute.name())
    }

    /// `attributes.duration`: end minus start, which the runs table shows and sorts
    /// by but MLflow's search does not know.
    pub fn duration() -> Self {
        ColumnKey::new(ColumnKind::Attributes, DURATION)
    }

    /// Whether this is [`ColumnKey::duration`].
    pub fn is_duration(&self) -> bool {
        self.kind == ColumnKind::Attributes && self.name == DURATION
    }

    /// Reads `<kind>.<name>`, splitting at the first dot; `None` unless the kind is
    /// one of [`ColumnKind::ALL`] and the name is not empty.
    pub fn parse(key: &str) -> Option<Self> {
        let (prefix, name) = key.split_once('.')?;
        let kind = ColumnKind::from_prefix(prefix)?;
        (!name.is_empty()).then(|| ColumnKey::new(kind, name))
    }

    /// What the column shows.
    pub fn kind(&self) -> ColumnKind {
        self.kind
    }

    /// The param, metric or tag key, or the attribute name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The search column this key names; `None` for an attribute search does not
    /// know (duration, or a misspelt name) and for a metric's min or max (which
    /// MLflow's search has no name for). Attribute aliases MLflow accepts
    /// (`created`) are read as their attribute.
    pub fn field(&self) -> Option<RunField> {
        let name = self.name.clone();
        Some(match self.kind {
            ColumnKind::Metrics => RunField::Metric(name),
            ColumnKind::MetricsMin | ColumnKind::MetricsMax => return None,
            ColumnKind::Params => RunField::Param(name),
            ColumnKind::Tags => RunField::Tag(name),
            ColumnKind::Attributes => RunField::Attribute(RunAttribute::parse(&name)?),
        })
    }

    /// A run's value in a metric column: the latest value (`metrics.`), or the lowest
    /// or highest of its history (`metrics_min.`, `metrics_max.`; NaN when it logged
    /// only NaN); `None` if the run has no such metric, or this is no metric column.
    pub fn metric_value(&self, run: &Run) -> Option<f64> {
        let range = || run.metric_ranges.get(&self.name);
        match self.kind {
            ColumnKind::Metrics => run.metrics.get(&self.name).map(|p| p.value),
            ColumnKind::MetricsMin => range().map(|r| r.min),
            ColumnKind::MetricsMax => range().map(|r| r.max),
            _ => None,
        }
    }

    /// The column key of a search column (the inverse of [`ColumnKey::field`], with
    /// attributes by their canonical name).
    pub fn of_field(field: &RunField) -> Self {
        match field {
            RunField::Metric(k) => ColumnKey::new(ColumnKind::Metrics, k.as_str()),
            RunField::Param(k) => ColumnKey::new(ColumnKind::Params, k.as_str()),
            RunField::Tag(k) => ColumnKey::new(ColumnKind::Tags, k.as_str()),
            RunField::Attribute(a) => ColumnKey::attribute(*a),
        }
    }
}

impl fmt::Display for ColumnKey {
    /// `<kind>.<name>`, which [`ColumnKey::parse`] reads back.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.kind.prefix(), self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> ColumnKey {
        ColumnKey::parse(s).unwrap_or_else(|| panic!("{s:?} does not parse"))
    }

    #[test]
    fn the_name_is_everything_after_the_first_dot() {
        let k = key("tags.mlflow.runName");
        assert_eq!((k.kind(), k.name()), (ColumnKind::Tags, "mlflow.runName"));
        let k = key("metrics.val loss");
        assert_eq!((k.kind(), k.name()), (ColumnKind::Metrics, "val loss"));
        let k = key("params.`a,b`");
        assert_eq!((k.kind(), k.name()), (ColumnKind::Params, "`a,b`"));
        let k = key("params..");
        assert_eq!(k.name(), ".");
        assert_eq!(key("attributes.start_time").kind(), ColumnKind::Attributes);
    }

    #[test]
    fn unknown_kinds_and_empty_names_are_refused() {
        for bad in [
            "",
            "metrics",
            "metrics.",
            "metric.acc",
            "Metrics.acc",
            ".acc",
            "acc",
            "tag.x",
            " params.lr",
        ] {
            assert_eq!(ColumnKey::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn every_key_round_trips_through_text() {
        let names = [
            "acc",
            "mlflow.runName",
            "val loss",
            "`quoted`",
            "a`b.c d",
            " leading and trailing ",
            "损失",
            "😀 x",
            "DESC",
        ];
        for kind in ColumnKind::ALL {
            for name in names {
                let k = ColumnKey::new(kind, name);
                let text = k.to_string();
                assert_eq!(text, format!("{}.{name}", kind.prefix()));
                assert_eq!(ColumnKey::parse(&text), Some(k));
            }
        }
    }

    #[test]
    fn keys_name_search_fields_and_back() {
        assert_eq!(
            key("tags.mlflow.runName").field(),
            Some(RunField::Tag("mlflow.runName".into()))
        );
        assert_eq!(
            key("metrics.`x y`").field(),
            Some(RunField::Metric("`x y`".into()))
        );
        assert_eq!(
            key("attributes.created").field(),
            Some(RunField::Attribute(RunAttribute::StartTime))
        );
        assert_eq!(key("attributes.bogus").field(), None);
        assert_eq!(ColumnKey::duration().field(), None);
        for field in [
            RunField::Metric("a.b".into()),
            RunField::Param("p q".into()),
            RunField::Tag("`t`".into()),
            RunField::Attribute(RunAttribute::EndTime),
        ] {
            assert_eq!(ColumnKey::of_field(&field).field(), Some(field));
        }
    }

    #[test]
    fn duration_is_an_attribute_column_of_its_own() {
        let d = ColumnKey::duration();
        assert_eq!(d.to_string(), "attributes.duration");
        assert!(key("attributes.duration").is_duration());
        assert!(!key("metrics.duration").is_duration());
        assert!(!ColumnKey::attribute(RunAttribute::EndTime).is_duration());
    }
}
