//! The compare page's address, `/compare-runs?runs=…&experiments=…`, read in both
//! forms it is written in and written in MLflow's.
//!
//! - MLflow's: `?runs=["a1b2…","c3d4…"]&experiments=["1","2"]` — JSON arrays (URL-encoded
//!   or not), as MLflow's `Routes.getCompareRunPageRoute` writes them (MLflow 1.x wrote
//!   `&experiment=1`). The experiments are informational: the runs say where they are.
//! - Ferroflow's first form, which the runs page's Compare button still writes:
//!   `?runs=a1b2…,c3d4…` (comma-separated; repeated `runs` params are joined).
//!
//! Ids come back in the order given, duplicates and empty ids dropped. A `runs` value
//! that starts with `[` but is not a JSON list of strings is an error the page shows;
//! the ids of any other `runs` values still count.

use crate::core::text::url_query;

/// What a compare address asks for.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CompareQuery {
    /// Run ids, in order, without duplicates.
    pub run_ids: Vec<String>,
    /// Experiment ids the address names (informational), without duplicates.
    pub experiment_ids: Vec<String>,
    /// Why a `runs` value could not be read, one message per bad value.
    pub errors: Vec<String>,
    /// `groupBy=params.lr`: the column key the charts group the runs by.
    pub group_by: Option<String>,
}

/// Reads a compare address's query (`location.search`, with or without the `?`).
pub fn parse(search: &str) -> CompareQuery {
    let mut q = CompareQuery::default();
    for (key, value) in url_query::parse(search) {
        match key.as_str() {
            "runs" => match ids_of(&value, false) {
                Ok(ids) => push_new(&mut q.run_ids, ids),
                Err(why) => q.errors.push(format!(
                    "The address's runs= value {} could not be read: {why}. Expected a JSON list of run ids such as [\"a1b2…\",\"c3d4…\"], or ids separated by commas.",
                    shorten(&value)
                )),
            },
            "groupBy" => q.group_by = Some(value).filter(|v| !v.is_empty()),
            // Informational, as in MLflow: a bad value is ignored.
            "experiments" | "experiment" => {
                if let Ok(ids) = ids_of(&value, true) {
                    push_new(&mut q.experiment_ids, ids);
                }
            }
            _ => {}
        }
    }
    q
}

/// The query of a comparison of `run_ids` from `experiment_ids`, in MLflow's form:
/// `?runs=[…]&experiments=[…]`, JSON arrays percent-encoded, so any id (commas,
/// quotes, `&`, `#`, non-ASCII) comes back as it was through [`parse`].
pub fn to_query(run_ids: &[String], experiment_ids: &[String]) -> String {
    let json = |ids: &[String]| serde_json::to_string(ids).unwrap_or_else(|_| "[]".to_owned());
    url_query::encode(&[
        ("runs".to_owned(), json(run_ids)),
        ("experiments".to_owned(), json(experiment_ids)),
    ])
}

/// `search` with its `groupBy` set to `group_by` (or removed), every other parameter
/// kept as it was written, so either form of the address stays as it is.
pub fn with_group_by(search: &str, group_by: Option<&str>) -> String {
    let mut pairs: Vec<(String, String)> = url_query::parse(search)
        .into_iter()
        .filter(|(k, _)| k != "groupBy")
        .collect();
    if let Some(key) = group_by {
        pairs.push(("groupBy".to_owned(), key.to_owned()));
    }
    url_query::encode(&pairs)
}

/// The ids in one value: a JSON list, or a comma-separated list. `numbers_ok` lets a
/// JSON list hold plain numbers (experiment ids such as `[1, 2]`).
fn ids_of(value: &str, numbers_ok: bool) -> Result<Vec<String>, String> {
    let text = value.trim();
    if !text.starts_with('[') {
        return Ok(text
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect());
    }
    let parsed: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("it is not valid JSON ({e})"))?;
    let serde_json::Value::Array(items) = parsed else {
        return Err("it is not a list".to_owned());
    };
    items
        .into_iter()
        .enumerate()
        .filter_map(|(i, item)| match item {
            serde_json::Value::String(s) if s.is_empty() => None,
            serde_json::Value::String(s) => Some(Ok(s)),
            serde_json::Value::Number(n) if numbers_ok => Some(Ok(n.to_string())),
            other => Some(Err(format!(
                "item {} is {other}, not a run id in quotes",
                i + 1
            ))),
        })
        .collect()
}

/// Appends the ids not already in `to`.
fn push_new(to: &mut Vec<String>, ids: Vec<String>) {
    for id in ids {
        if !to.contains(&id) {
            to.push(id);
        }
    }
}

/// A value quoted for a message, cut to a readable length.
fn shorten(value: &str) -> String {
    const MAX: usize = 80;
    match value.char_indices().nth(MAX) {
        Some((at, _)) => format!("'{}…'", &value[..at]),
        None => format!("'{value}'"),
    }
}
