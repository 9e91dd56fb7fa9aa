//! The search grammar over an entity it was not written for: a model version (as the Model Registry will have) implements `Searchable`, and filters, errors and ordering work as for runs.

use std::collections::BTreeMap;
use std::fmt;

use ferroflow::core::search::{
    parse_order, sort, Column, ColumnKind, FieldError, FieldName, FieldValue, Filter, FilterError,
    OrderKey, Prefix, Searchable,
};

/// A registered model's version, reduced to what `searchModelVersions` filters on.
struct Version {
    name: &'static str,
    version: i64,
    run_id: &'static str,
    created: Option<i64>,
    tags: BTreeMap<String, String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum VersionField {
    Name,
    Version,
    RunId,
    Created,
    Tag(String),
}

impl fmt::Display for VersionField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VersionField::Name => f.write_str("name"),
            VersionField::Version => f.write_str("version_number"),
            VersionField::RunId => f.write_str("run_id"),
            VersionField::Created => f.write_str("creation_timestamp"),
            VersionField::Tag(k) => write!(f, "tags.`{k}`"),
        }
    }
}

impl Column for VersionField {
    fn kind(&self) -> ColumnKind {
        ColumnKind {
            numeric: matches!(self, VersionField::Version | VersionField::Created),
            nullable: matches!(self, VersionField::Tag(_)),
        }
    }

    fn label(&self) -> String {
        match self {
            VersionField::Tag(k) => format!("tag '{k}'"),
            other => format!("attribute '{other}'"),
        }
    }
}

impl Searchable for Version {
    type Field = VersionField;

    fn field(name: FieldName<'_>) -> Result<VersionField, FieldError> {
        match name.prefix {
            None | Some((Prefix::Attribute, _)) => match name.key {
                "name" => Ok(VersionField::Name),
                "version_number" => Ok(VersionField::Version),
                "run_id" => Ok(VersionField::RunId),
                "creation_timestamp" => Ok(VersionField::Created),
                key => Err(FieldError::key(format!(
                    "unknown model version attribute '{key}'"
                ))),
            },
            Some((Prefix::Tag, _)) => Ok(VersionField::Tag(name.key.to_string())),
            Some((_, spelled)) => Err(FieldError::name(format!(
                "model versions have no '{spelled}.' columns"
            ))),
        }
    }

    fn value(&self, field: &VersionField) -> FieldValue<'_> {
        match field {
            VersionField::Name => FieldValue::Str(self.name),
            VersionField::Version => FieldValue::Int(self.version),
            VersionField::RunId => FieldValue::Id(self.run_id),
            VersionField::Created => self.created.map_or(FieldValue::Missing, FieldValue::Int),
            VersionField::Tag(k) => self
                .tags
                .get(k)
                .map_or(FieldValue::Missing, |v| FieldValue::Str(v)),
        }
    }

    /// The user's keys, then `name ASC, version_number DESC`.
    fn sort_keys(keys: &[OrderKey<VersionField>]) -> Vec<OrderKey<VersionField>> {
        let mut all = keys.to_vec();
        all.push(OrderKey {
            field: VersionField::Name,
            ascending: true,
        });
        all.push(OrderKey {
            field: VersionField::Version,
            ascending: false,
        });
        all
    }

    fn check_orderable(field: &VersionField) -> Result<(), String> {
        match field {
            VersionField::Tag(_) => Err("model versions cannot be ordered by tag".into()),
            _ => Ok(()),
        }
    }
}

fn versions() -> Vec<Version> {
    let v = |name, version, run_id, created: Option<i64>, tags: &[(&str, &str)]| Version {
        name,
        version,
        run_id,
        created,
        tags: tags
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    };
    vec![
        v("mnist-cnn", 1, "a1", Some(100), &[("task", "cls")]),
        v(
            "mnist-cnn",
            2,
            "b2",
            Some(300),
            &[("task", "cls"), ("stage", "prod")],
        ),
        v("bert", 1, "c3", Some(200), &[("task", "nlp")]),
        v("fashion-mnist", 10, "d4", None, &[]),
    ]
}

fn label(v: &Version) -> String {
    format!("{}/{}", v.name, v.version)
}

fn select(filter: &str) -> Vec<String> {
    let f = Filter::<Version>::parse(filter).unwrap_or_else(|e| panic!("{filter}: {e}"));
    versions()
        .iter()
        .filter(|v| f.matches(v))
        .map(label)
        .collect()
}

#[test]
fn filters_use_the_entitys_columns() {
    let table: &[(&str, &[&str])] = &[
        (
            "",
            &["mnist-cnn/1", "mnist-cnn/2", "bert/1", "fashion-mnist/10"],
        ),
        (
            "name LIKE '%mnist%'",
            &["mnist-cnn/1", "mnist-cnn/2", "fashion-mnist/10"],
        ),
        ("name ILIKE 'MNIST%'", &["mnist-cnn/1", "mnist-cnn/2"]),
        ("tags.task = 'cls'", &["mnist-cnn/1", "mnist-cnn/2"]),
        ("tag.`stage` IS NOT NULL", &["mnist-cnn/2"]),
        ("tags.task IS NULL", &["fashion-mnist/10"]),
        ("run_id = 'c3'", &["bert/1"]),
        (
            "attributes.run_id IN ('a1', 'd4')",
            &["mnist-cnn/1", "fashion-mnist/10"],
        ),
        (
            "version_number > 1 AND name != 'bert'",
            &["mnist-cnn/2", "fashion-mnist/10"],
        ),
        // A missing value fails every comparison, `!=` included.
        ("creation_timestamp != 100", &["mnist-cnn/2", "bert/1"]),
    ];
    for (filter, expected) in table {
        assert_eq!(&select(filter), expected, "{filter}");
    }
    let empty = Filter::<Version>::default();
    assert!(empty.is_empty());
    assert!(versions().iter().all(|v| empty.clone().matches(v)));
}

fn error(filter: &str) -> FilterError {
    Filter::<Version>::parse(filter).expect_err(filter)
}

#[test]
fn the_entitys_refusals_are_positioned_like_the_shared_ones() {
    let cases: &[(&str, usize, &str)] = &[
        // The entity's own messages: at the name, or at the key.
        (
            "metrics.acc > 1",
            0,
            "model versions have no 'metrics.' columns",
        ),
        (
            "attributes.stage = 'prod'",
            11,
            "unknown model version attribute 'stage'",
        ),
        // Shared checks, before the entity is asked.
        ("foo.bar = 'x'", 0, "unknown prefix 'foo'"),
        ("tags.`` = 'x'", 5, "is empty"),
        // Type checks follow the entity's column kinds.
        ("version_number = '2'", 17, "remove the quotes"),
        ("name > 'a'", 5, "does not apply to attribute 'name'"),
        ("run_id IS NULL", 7, "IS NULL"),
        ("tags.task = cls", 12, "tags.task = 'cls'"),
        ("name = 'a' OR name = 'b'", 11, "OR"),
    ];
    for &(filter, position, needle) in cases {
        let e = error(filter);
        assert_eq!(e.position, position, "{filter}: {e}");
        assert!(e.message.contains(needle), "{filter}: {e}");
    }
}

fn ordered(clauses: &[&str]) -> Vec<String> {
    let keys = parse_order::<Version>(clauses).unwrap_or_else(|e| panic!("{clauses:?}: {e}"));
    let all = versions();
    let mut refs: Vec<&Version> = all.iter().collect();
    sort(&mut refs, &keys);
    refs.into_iter().map(label).collect()
}

#[test]
fn ordering_uses_the_entitys_tie_breakers() {
    // Only the tie-breakers: name ASC, version_number DESC.
    assert_eq!(
        ordered(&[]),
        ["bert/1", "fashion-mnist/10", "mnist-cnn/2", "mnist-cnn/1"]
    );
    // Missing values last in both directions.
    assert_eq!(
        ordered(&["creation_timestamp DESC"]),
        ["mnist-cnn/2", "bert/1", "mnist-cnn/1", "fashion-mnist/10"]
    );
    assert_eq!(
        ordered(&["creation_timestamp"]),
        ["mnist-cnn/1", "bert/1", "mnist-cnn/2", "fashion-mnist/10"]
    );
    // Ids in numeric order where they are digits: here they are not.
    assert_eq!(
        ordered(&["run_id DESC"]),
        ["fashion-mnist/10", "bert/1", "mnist-cnn/2", "mnist-cnn/1"]
    );
    let keys = parse_order::<Version>(&["version_number DESC", "name"]).unwrap();
    let shown: Vec<String> = keys.iter().map(ToString::to_string).collect();
    assert_eq!(shown, ["version_number DESC", "name ASC"]);
    assert_eq!(parse_order::<Version>(&shown).unwrap(), keys);

    let e = parse_order::<Version>(&["name", "tags.task DESC"]).unwrap_err();
    assert_eq!((e.order_by_clause, e.position), (Some(1), 0));
    assert!(e.message.contains("cannot be ordered by tag"), "{e}");
    let e = parse_order::<Version>(&["stage"]).unwrap_err();
    assert_eq!(e.order_by_clause, Some(0));
    assert!(
        e.to_string()
            .starts_with("Invalid order_by[0] at position 0:"),
        "{e}"
    );
}
