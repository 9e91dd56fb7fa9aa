//! MLflow's validation rules and limits (`mlflow/utils/validation.py`), with errors a
//! person can act on.

use std::fmt;

/// Tag holding the parent run id of a nested run.
pub const TAG_PARENT_RUN_ID: &str = "mlflow.parentRunId";
/// Tag mirroring the run name.
pub const TAG_RUN_NAME: &str = "mlflow.runName";
/// Tag with the user who started the run.
pub const TAG_USER: &str = "mlflow.user";
/// Tag with the source (the logging page's URL here).
pub const TAG_SOURCE_NAME: &str = "mlflow.source.name";
/// Tag with the source type (`LOCAL`, `NOTEBOOK`, …).
pub const TAG_SOURCE_TYPE: &str = "mlflow.source.type";
/// Tag holding a run's or experiment's Markdown description.
pub const TAG_NOTE: &str = "mlflow.note.content";

/// Longest param/metric/tag key.
pub const MAX_KEY_LEN: usize = 250;
/// Longest param value.
pub const MAX_PARAM_VALUE_LEN: usize = 6000;
/// Longest run tag value.
pub const MAX_TAG_VALUE_LEN: usize = 8000;
/// Longest experiment tag value (MLflow 3).
pub const MAX_EXPERIMENT_TAG_VALUE_LEN: usize = 20000;
/// Longest experiment name.
pub const MAX_EXPERIMENT_NAME_LEN: usize = 500;

/// Which kind of key is being validated, for the message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyKind {
    /// A run param.
    Param,
    /// A metric.
    Metric,
    /// A run or experiment tag.
    Tag,
}

impl fmt::Display for KeyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            KeyKind::Param => "param",
            KeyKind::Metric => "metric",
            KeyKind::Tag => "tag",
        })
    }
}

/// A value the user gave that MLflow would refuse.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvalidValue(pub String);

impl fmt::Display for InvalidValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for InvalidValue {}

/// Python's Unicode `\w`, plus the punctuation MLflow allows in keys (`/ . - space :`).
fn is_key_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '/' | '.' | '-' | ' ' | ':')
}

/// Whether `key` is its own `posixpath.normpath` and not `.`/`..`-prefixed or absolute.
pub(crate) fn is_path_unique(key: &str) -> bool {
    !key.is_empty()
        && !key.starts_with('/')
        && !key.ends_with('/')
        && key
            .split('/')
            .all(|seg| !seg.is_empty() && seg != "." && seg != "..")
}

/// Validates a param, metric or tag key as MLflow does.
pub fn validate_key(kind: KeyKind, key: &str) -> Result<(), InvalidValue> {
    if key.is_empty() {
        return Err(InvalidValue(format!(
            "Invalid {kind} name: the key is empty."
        )));
    }
    if let Some(bad) = key.chars().find(|c| !is_key_char(*c)) {
        return Err(InvalidValue(format!(
            "Invalid {kind} name: '{key}'. Names may only contain alphanumerics, underscores (_), \
             dashes (-), periods (.), spaces ( ), colons (:) and slashes (/); found {bad:?}."
        )));
    }
    if !is_path_unique(key) {
        return Err(InvalidValue(format!(
            "Invalid {kind} name: '{key}'. Names may be treated as files in certain cases, and \
             must not resolve to other names when treated as such (no leading '/', no '..', \
             '.', '//' or trailing '/')."
        )));
    }
    let len = key.chars().count();
    if len > MAX_KEY_LEN {
        return Err(InvalidValue(format!(
            "{kind} name '{}…' is {len} characters long; the limit is {MAX_KEY_LEN}.",
            key.chars().take(40).collect::<String>()
        )));
    }
    Ok(())
}

fn check_len(what: &str, key: &str, value: &str, max: usize) -> Result<(), InvalidValue> {
    let len = value.chars().count();
    if len > max {
        return Err(InvalidValue(format!(
            "{what} '{key}' has a value of {len} characters; the limit is {max}."
        )));
    }
    Ok(())
}

/// Validates a param key and value.
pub fn validate_param(key: &str, value: &str) -> Result<(), InvalidValue> {
    validate_key(KeyKind::Param, key)?;
    check_len("Param", key, value, MAX_PARAM_VALUE_LEN)
}

/// Validates a run tag key and value.
pub fn validate_tag(key: &str, value: &str) -> Result<(), InvalidValue> {
    validate_key(KeyKind::Tag, key)?;
    check_len("Tag", key, value, MAX_TAG_VALUE_LEN)
}

/// Validates an experiment tag key and value.
pub fn validate_experiment_tag(key: &str, value: &str) -> Result<(), InvalidValue> {
    validate_key(KeyKind::Tag, key)?;
    check_len("Experiment tag", key, value, MAX_EXPERIMENT_TAG_VALUE_LEN)
}

/// Most metrics one `log_batch` call takes (MLflow's `MAX_METRICS_PER_BATCH`).
pub const MAX_METRICS_PER_BATCH: usize = 1000;
/// Most params, and most tags, one `log_batch` call takes.
pub const MAX_PARAMS_TAGS_PER_BATCH: usize = 100;
/// Most metrics, params and tags together in one `log_batch` call.
pub const MAX_ENTITIES_PER_BATCH: usize = 1000;

fn batch_limit(what: &str, limit: usize, len: usize) -> Result<(), InvalidValue> {
    if len > limit {
        return Err(InvalidValue(format!(
            "A batch logging request can contain at most {limit} {what}. Got {len} {what}. \
             Please split up {what} across multiple requests and try again."
        )));
    }
    Ok(())
}

/// MLflow's limits on one `log_batch` call, and its rule that a batch names each
/// param once.
pub fn validate_batch(
    metrics: usize,
    params: &[(String, String)],
    tags: usize,
) -> Result<(), InvalidValue> {
    batch_limit("metrics", MAX_METRICS_PER_BATCH, metrics)?;
    batch_limit("params", MAX_PARAMS_TAGS_PER_BATCH, params.len())?;
    batch_limit("tags", MAX_PARAMS_TAGS_PER_BATCH, tags)?;
    batch_limit(
        "metrics, params, and tags",
        MAX_ENTITIES_PER_BATCH,
        metrics + params.len() + tags,
    )?;
    let mut seen = std::collections::BTreeSet::new();
    let dupes: Vec<String> = params
        .iter()
        .filter(|(k, _)| !seen.insert(k.as_str()))
        .map(|(k, _)| format!("'{k}'"))
        .collect();
    if !dupes.is_empty() {
        return Err(InvalidValue(format!(
            "Duplicate parameter keys have been submitted: [{}]. Please ensure the request \
             contains only one param value per param key.",
            dupes.join(", ")
        )));
    }
    Ok(())
}

/// Validates a metric key and point (any f64 value; timestamp ≥ 0).
pub fn validate_metric(key: &str, timestamp: i64) -> Result<(), InvalidValue> {
    validate_key(KeyKind::Metric, key)?;
    if timestamp < 0 {
        return Err(InvalidValue(format!(
            "Metric '{key}' has a negative timestamp ({timestamp}); timestamps are milliseconds since 1970."
        )));
    }
    Ok(())
}

/// Validates an experiment name.
pub fn validate_experiment_name(name: &str) -> Result<(), InvalidValue> {
    if name.trim().is_empty() {
        return Err(InvalidValue(
            "Experiment name must be a non-empty string.".into(),
        ));
    }
    let len = name.chars().count();
    if len > MAX_EXPERIMENT_NAME_LEN {
        return Err(InvalidValue(format!(
            "Experiment name is {len} characters long; the limit is {MAX_EXPERIMENT_NAME_LEN}."
        )));
    }
    Ok(())
}

/// Validates an id read from outside (`^[a-zA-Z0-9][\w\-]{0,255}$`), so it is safe as a
/// path segment.
pub fn validate_run_id(id: &str) -> Result<(), InvalidValue> {
    validate_id("run", id, 256)
}

/// Validates an experiment id (`^[a-zA-Z0-9][\w\-]{0,63}$`).
pub fn validate_experiment_id(id: &str) -> Result<(), InvalidValue> {
    validate_id("experiment", id, 64)
}

fn validate_id(what: &str, id: &str, max: usize) -> Result<(), InvalidValue> {
    let mut chars = id.chars();
    let ok = matches!(chars.next(), Some(c) if c.is_ascii_alphanumeric())
        && chars.all(|c| c.is_alphanumeric() || c == '_' || c == '-')
        && id.chars().count() <= max;
    if ok {
        Ok(())
    } else {
        Err(InvalidValue(format!("Invalid {what} id: '{id}'.")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_follow_mlflow() {
        for ok in ["loss", "train/loss", "a b", "ünï", "x:y", "a.b-c_d", "中文"] {
            assert!(validate_key(KeyKind::Metric, ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "/abs",
            "a//b",
            "a/",
            "..",
            "../x",
            "a/./b",
            "a!",
            "semi;colon",
            ".",
        ] {
            assert!(validate_key(KeyKind::Metric, bad).is_err(), "{bad}");
        }
        assert!(validate_key(KeyKind::Param, &"k".repeat(250)).is_ok());
        assert!(validate_key(KeyKind::Param, &"k".repeat(251)).is_err());
    }

    #[test]
    fn value_limits() {
        assert!(validate_param("p", &"v".repeat(6000)).is_ok());
        let e = validate_param("p", &"v".repeat(6001)).unwrap_err();
        assert!(e.0.contains("6001") && e.0.contains("6000"), "{e}");
        assert!(validate_tag("t", &"v".repeat(8000)).is_ok());
        assert!(validate_tag("t", &"v".repeat(8001)).is_err());
    }

    #[test]
    fn ids() {
        assert!(validate_run_id("0123abcdef").is_ok());
        assert!(validate_run_id("../etc").is_err());
        assert!(validate_experiment_id("0").is_ok());
        assert!(validate_experiment_id("").is_err());
    }
}
