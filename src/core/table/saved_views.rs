//! Saved views of an experiment's runs table: a name and the table's whole state as
//! its URL query ([`RunsTableState::to_query`]: filter, sort, columns, lifecycle view,
//! expanded, pinned and hidden runs, grouping, the chart grid and its charts' settings).
//!
//! Each view is one experiment tag, `ferroflow.view.<id>` → `{"name":…,"query":…}`
//! (JSON), so views are stored in IndexedDB with the experiment, survive reloads,
//! travel with its exports and bundles (MLflow keeps them as ordinary experiment tags),
//! and two tabs saving views at once both keep theirs: tags merge per key, and every
//! view has its own key. Renaming rewrites the value under the same key; deleting
//! deletes the tag.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::core::table::state::RunsTableState;
use crate::core::text::url_query;

/// The experiment tag keys of saved views start with this.
pub const TAG_PREFIX: &str = "ferroflow.view.";
/// The longest view name, in characters.
pub const MAX_NAME_CHARS: usize = 100;

/// One saved view.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SavedView {
    /// What follows [`TAG_PREFIX`] in its tag key.
    pub id: String,
    /// Shown in the list; unique within the experiment (case-insensitively).
    pub name: String,
    /// The runs table's state as a URL query, without the `?` (empty: the default view).
    pub query: String,
}

#[derive(Serialize, Deserialize)]
struct Stored {
    name: String,
    query: String,
}

impl SavedView {
    /// A view of `state` named `name` (checked with [`check_name`] first).
    pub fn new(id: String, name: String, state: &RunsTableState) -> Self {
        SavedView {
            id,
            name,
            query: query_of(state),
        }
    }

    /// The experiment tag key it is stored under.
    pub fn tag_key(&self) -> String {
        format!("{TAG_PREFIX}{}", self.id)
    }

    /// The experiment tag value it is stored as.
    pub fn tag_value(&self) -> String {
        serde_json::to_string(&Stored {
            name: self.name.clone(),
            query: self.query.clone(),
        })
        .unwrap_or_default()
    }

    /// The table state it shows.
    pub fn state(&self) -> RunsTableState {
        RunsTableState::from_query(&url_query::parse(&self.query))
    }

    /// The runs page address of this view for `experiment_id` (without the site's
    /// base path): the link a user shares.
    pub fn path(&self, experiment_id: &str) -> String {
        let exp = url_query::encode_component(experiment_id);
        if self.query.is_empty() {
            format!("/experiments/{exp}")
        } else {
            format!("/experiments/{exp}?{}", self.query)
        }
    }
}

/// `state` as the query a view stores: [`RunsTableState::to_query`], encoded, no `?`.
pub fn query_of(state: &RunsTableState) -> String {
    url_query::encode(&state.to_query())
        .trim_start_matches('?')
        .to_owned()
}

/// The saved views among an experiment's tags, by name (case-insensitively, then as
/// written, then by id). A tag under [`TAG_PREFIX`] whose value is not a view (edited
/// by hand, written by another tool) is left out, not an error.
pub fn saved_views(tags: &BTreeMap<String, String>) -> Vec<SavedView> {
    let mut views: Vec<SavedView> = tags
        .range(TAG_PREFIX.to_owned()..)
        .take_while(|(k, _)| k.starts_with(TAG_PREFIX))
        .filter_map(|(k, v)| {
            let id = &k[TAG_PREFIX.len()..];
            let stored: Stored = serde_json::from_str(v).ok()?;
            (!id.is_empty()).then(|| SavedView {
                id: id.to_owned(),
                name: stored.name,
                query: stored.query,
            })
        })
        .collect();
    views.sort_by(|a, b| {
        (a.name.to_lowercase(), &a.name, &a.id).cmp(&(b.name.to_lowercase(), &b.name, &b.id))
    });
    views
}

/// A view's name as stored (trimmed), or why it cannot be: empty, longer than
/// [`MAX_NAME_CHARS`], or the name of another of `views` (case-insensitively;
/// `renaming` is the id of the view being renamed, whose own name does not count).
pub fn check_name(
    name: &str,
    views: &[SavedView],
    renaming: Option<&str>,
) -> Result<String, String> {
    let name = name.trim();
    if name.is_empty() {
        return Err("Give the view a name.".to_owned());
    }
    let n = name.chars().count();
    if n > MAX_NAME_CHARS {
        return Err(format!(
            "A view name has at most {MAX_NAME_CHARS} characters; this one has {n}."
        ));
    }
    let lower = name.to_lowercase();
    if let Some(other) = views
        .iter()
        .find(|v| Some(v.id.as_str()) != renaming && v.name.to_lowercase() == lower)
    {
        return Err(format!(
            "This experiment already has a view named '{}': choose another name, or delete that view first.",
            other.name
        ));
    }
    Ok(name.to_owned())
}

/// The id of a new view from 64 random bits: 16 lowercase hex characters.
pub fn new_id(random: u64) -> String {
    format!("{random:016x}")
}

/// The view among `views` that shows `state`, if one does.
pub fn current<'a>(views: &'a [SavedView], state: &RunsTableState) -> Option<&'a SavedView> {
    let query = query_of(state);
    views.iter().find(|v| v.query == query)
}
