//! The Model Registry's tables as plain data: the registered-models list (filtered and
//! ordered by the same search the API runs, `core::registry::queries`), one model's
//! versions, and the links from a version back to the run that made it.

use crate::core::registry::model::{ModelVersion, RegisteredModel};
use crate::core::registry::queries::search_registered_models;
use crate::core::tracking::queries::QueryError;
use crate::core::tracking::Tracker;

/// One row of the registered-models list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModelRow {
    /// The model's name.
    pub name: String,
    /// Its highest version not deleted.
    pub latest_version: Option<u64>,
    /// How many versions are not deleted.
    pub versions: usize,
    /// Its aliases, highest version first, then by alias.
    pub aliases: Vec<(String, u64)>,
    /// Its tags, by key.
    pub tags: Vec<(String, String)>,
    /// Its last change (ms).
    pub last_modified: Option<i64>,
}

/// What the list shows: the rows, or why the filter was refused.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ModelRows {
    /// Matching models, in order.
    pub rows: Vec<ModelRow>,
    /// How many registered models there are in all.
    pub total: usize,
    /// The filter (or order) MLflow's grammar refuses, with its position.
    pub error: Option<QueryError>,
}

/// A model's aliases, highest version first, then by alias name.
pub fn sorted_aliases(m: &RegisteredModel) -> Vec<(String, u64)> {
    let mut a: Vec<(String, u64)> = m.aliases.iter().map(|(k, v)| (k.clone(), *v)).collect();
    a.sort_by(|x, y| y.1.cmp(&x.1).then_with(|| x.0.cmp(&y.0)));
    a
}

/// An alias as its chip reads: `@champion → v3`.
pub fn alias_label(alias: &str, version: u64) -> String {
    format!("@{alias} → v{version}")
}

fn row(m: &RegisteredModel) -> ModelRow {
    ModelRow {
        name: m.name.clone(),
        latest_version: m.live_versions().next_back().map(|v| v.version),
        versions: m.live_versions().count(),
        aliases: sorted_aliases(m),
        tags: m.tags.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
        last_modified: m.last_updated_timestamp,
    }
}

/// The filter the search box means: MLflow's grammar as typed, except that plain
/// words (no operator, quote or keyword) search names as MLflow's UI does —
/// `mnist` → `name ILIKE '%mnist%'`.
pub fn list_filter(typed: &str) -> String {
    let t = typed.trim();
    let operator = t.contains(['=', '<', '>', '!', '\'', '"', '`', '(', ')']);
    let keyword = t.split_whitespace().any(|w| {
        ["like", "ilike", "and", "in", "is", "not", "null"]
            .iter()
            .any(|k| w.eq_ignore_ascii_case(k))
    });
    if t.is_empty() || operator || keyword {
        t.to_owned()
    } else {
        format!("name ILIKE '%{t}%'")
    }
}

/// The registered models matching what was typed in the search box (see
/// [`list_filter`]), ordered by `order_by` (MLflow's clauses, `name ASC` by default).
pub fn model_rows(t: &Tracker, typed: &str, order_by: &[String]) -> ModelRows {
    let total = t.registered_models().count();
    match search_registered_models(t, &list_filter(typed), order_by, None) {
        Ok(found) => ModelRows {
            rows: found.into_iter().map(row).collect(),
            total,
            error: None,
        },
        Err(e) => ModelRows {
            rows: Vec::new(),
            total,
            error: Some(e),
        },
    }
}

/// The column the registered-models list is ordered by, and which way.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ModelsOrder {
    /// `name ASC` (MLflow's default).
    #[default]
    NameAsc,
    /// `name DESC`.
    NameDesc,
    /// `last_updated_timestamp DESC`: most recently changed first.
    UpdatedDesc,
    /// `last_updated_timestamp ASC`.
    UpdatedAsc,
}

impl ModelsOrder {
    const ALL: [ModelsOrder; 4] = [
        ModelsOrder::NameAsc,
        ModelsOrder::NameDesc,
        ModelsOrder::UpdatedDesc,
        ModelsOrder::UpdatedAsc,
    ];

    /// The MLflow order-by clause.
    pub fn clause(self) -> &'static str {
        match self {
            ModelsOrder::NameAsc => "name ASC",
            ModelsOrder::NameDesc => "name DESC",
            ModelsOrder::UpdatedDesc => "last_updated_timestamp DESC",
            ModelsOrder::UpdatedAsc => "last_updated_timestamp ASC",
        }
    }

    /// The order a click on the name header gives: A→Z, or Z→A when already A→Z.
    pub fn by_name(self) -> Self {
        match self {
            ModelsOrder::NameAsc => ModelsOrder::NameDesc,
            _ => ModelsOrder::NameAsc,
        }
    }

    /// The order a click on the last-modified header gives: newest first, or oldest
    /// first when already newest first.
    pub fn by_updated(self) -> Self {
        match self {
            ModelsOrder::UpdatedDesc => ModelsOrder::UpdatedAsc,
            _ => ModelsOrder::UpdatedDesc,
        }
    }
}

/// The registered-models list's state, as the URL query holds it:
/// `?filter=<typed>&orderBy=<clause>`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ModelsListState {
    /// What was typed in the search box (see [`list_filter`]).
    pub filter: String,
    /// The order.
    pub order: ModelsOrder,
}

impl ModelsListState {
    /// Reads the query's pairs; an order it does not know is the default.
    pub fn from_query(pairs: &[(String, String)]) -> Self {
        let get = |k: &str| pairs.iter().find(|(key, _)| key == k).map(|(_, v)| v);
        ModelsListState {
            filter: get("filter").cloned().unwrap_or_default(),
            order: get("orderBy")
                .and_then(|c| ModelsOrder::ALL.into_iter().find(|o| o.clause() == c))
                .unwrap_or_default(),
        }
    }

    /// The query's pairs (defaults left out).
    pub fn to_query(&self) -> Vec<(String, String)> {
        let mut q = Vec::new();
        if !self.filter.is_empty() {
            q.push(("filter".to_owned(), self.filter.clone()));
        }
        if self.order != ModelsOrder::default() {
            q.push(("orderBy".to_owned(), self.order.clause().to_owned()));
        }
        q
    }
}

/// A run a version or model links to, if the store has it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RunRef {
    /// The run's id.
    pub run_id: String,
    /// Its experiment (for the link).
    pub experiment_id: String,
    /// Its name (its id when it has none).
    pub name: String,
}

impl RunRef {
    /// The run `run_id`, if the view has it.
    pub fn find(t: &Tracker, run_id: &str) -> Option<RunRef> {
        let r = t.run(run_id).ok()?;
        Some(RunRef {
            run_id: run_id.to_owned(),
            experiment_id: r.info.experiment_id.clone(),
            name: if r.info.run_name.is_empty() {
                run_id.to_owned()
            } else {
                r.info.run_name.clone()
            },
        })
    }

    /// The run page's path.
    pub fn path(&self) -> String {
        format!("/experiments/{}/runs/{}", self.experiment_id, self.run_id)
    }
}

/// One row of a model's versions table.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct VersionRow {
    /// The version's number.
    pub version: u64,
    /// When it was registered (ms).
    pub registered_at: i64,
    /// The aliases naming it, by name.
    pub aliases: Vec<String>,
    /// The source run's id, as recorded.
    pub run_id: Option<String>,
    /// That run, when the store has it.
    pub run: Option<RunRef>,
    /// `READY`, …
    pub status: &'static str,
    /// `None`, `Staging`, `Production` or `Archived`.
    pub stage: &'static str,
}

/// The aliases naming `version` of `m`, by name.
pub fn aliases_of(m: &RegisteredModel, version: u64) -> Vec<String> {
    (m.aliases.iter())
        .filter(|(_, v)| **v == version)
        .map(|(a, _)| a.clone())
        .collect()
}

/// The versions of `m` not deleted, newest first, as the model page lists them.
pub fn version_rows(t: &Tracker, m: &RegisteredModel) -> Vec<VersionRow> {
    m.live_versions()
        .rev()
        .map(|v| version_row(t, m, v))
        .collect()
}

fn version_row(t: &Tracker, m: &RegisteredModel, v: &ModelVersion) -> VersionRow {
    VersionRow {
        version: v.version,
        registered_at: v.creation_timestamp,
        aliases: aliases_of(m, v.version),
        run: v.run_id.as_deref().and_then(|r| RunRef::find(t, r)),
        run_id: v.run_id.clone(),
        status: v.status.as_str(),
        stage: v.current_stage.as_str(),
    }
}

/// The page path of a model (`/models/<name>`), its name percent-encoded.
pub fn model_path(name: &str) -> String {
    format!(
        "/models/{}",
        crate::core::text::url_query::encode_component(name)
    )
}

/// The page path of a version (`/models/<name>/versions/<n>`).
pub fn version_path(name: &str, version: u64) -> String {
    format!("{}/versions/{version}", model_path(name))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::tracking::{NewRun, NewVersion};

    fn store() -> (Tracker, String) {
        let mut t = Tracker::load(vec![], vec![], 1, 10);
        let run = t
            .create_run(
                NewRun {
                    run_name: Some("train".into()),
                    ..NewRun::default()
                },
                10,
            )
            .unwrap();
        for (i, name) in ["mnist-cnn", "bert", "mnist-mlp"].iter().enumerate() {
            for k in 0..3 {
                t.create_model_version(
                    NewVersion {
                        name: (*name).into(),
                        source: format!("runs:/{run}/model"),
                        run_id: Some(if k == 1 { "gone".into() } else { run.clone() }),
                        create_model: true,
                        ..Default::default()
                    },
                    20 + (i * 3 + k) as i64,
                )
                .unwrap();
            }
        }
        t.set_alias("bert", "champion", 2, 40).unwrap();
        t.set_alias("bert", "baseline", 1, 41).unwrap();
        t.set_alias("bert", "zeta", 2, 42).unwrap();
        t.delete_model_version("bert", 3, 43).unwrap();
        t.set_registered_model_tag("bert", "task", "nlp").unwrap();
        (t, run)
    }

    #[test]
    fn the_list_shows_latest_live_versions_aliases_and_tags() {
        let (t, _) = store();
        let r = model_rows(&t, "", &[]);
        assert_eq!(r.total, 3);
        assert_eq!(r.error, None);
        let names: Vec<_> = r.rows.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(
            names,
            ["bert", "mnist-cnn", "mnist-mlp"],
            "name ASC by default"
        );
        let bert = &r.rows[0];
        assert_eq!((bert.latest_version, bert.versions), (Some(2), 2));
        assert_eq!(
            bert.aliases,
            [
                ("champion".into(), 2),
                ("zeta".into(), 2),
                ("baseline".into(), 1)
            ]
        );
        assert_eq!(bert.tags, [("task".to_owned(), "nlp".to_owned())]);
        assert_eq!(bert.last_modified, Some(43));
        assert_eq!(alias_label("champion", 2), "@champion → v2");
    }

    #[test]
    fn plain_words_search_names_and_the_grammar_is_mlflows() {
        assert_eq!(list_filter(" MNIST "), "name ILIKE '%MNIST%'");
        assert_eq!(list_filter("mnist cnn"), "name ILIKE '%mnist cnn%'");
        assert_eq!(list_filter("tags.task = 'nlp'"), "tags.task = 'nlp'");
        assert_eq!(list_filter("name like 'b%'"), "name like 'b%'");
        assert_eq!(list_filter(""), "");
        let (t, _) = store();
        let names = |typed: &str| -> Vec<String> {
            model_rows(&t, typed, &[])
                .rows
                .into_iter()
                .map(|m| m.name)
                .collect()
        };
        assert_eq!(names("MNIST"), ["mnist-cnn", "mnist-mlp"]);
        assert_eq!(names("tags.task = 'nlp'"), ["bert"]);
        let ordered: Vec<_> = model_rows(&t, "", &["name DESC".to_owned()])
            .rows
            .into_iter()
            .map(|m| m.name)
            .collect();
        assert_eq!(ordered, ["mnist-mlp", "mnist-cnn", "bert"]);
        let bad = model_rows(&t, "name = ", &[]);
        assert!(bad.rows.is_empty());
        match bad.error {
            // Surrounding spaces are trimmed: the caret points at the end of `name =`.
            Some(QueryError::Filter(e)) => assert_eq!(e.position, 6, "{e}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn versions_newest_first_with_their_runs_when_the_store_has_them() {
        let (t, run) = store();
        let m = t.registered_model("bert").unwrap();
        let rows = version_rows(&t, m);
        assert_eq!(rows.iter().map(|r| r.version).collect::<Vec<_>>(), [2, 1]);
        assert_eq!(rows[0].aliases, ["champion", "zeta"]);
        assert_eq!(rows[0].run_id.as_deref(), Some("gone"));
        assert_eq!(rows[0].run, None, "a run the store lacks is not linked");
        let linked = rows[1].run.as_ref().unwrap();
        assert_eq!(linked.name, "train");
        assert_eq!(linked.path(), format!("/experiments/0/runs/{run}"));
        assert_eq!((rows[1].status, rows[1].stage), ("READY", "None"));
    }

    #[test]
    fn the_list_state_round_trips_through_the_url() {
        let s = ModelsListState {
            filter: "tags.task = 'nlp'".into(),
            order: ModelsOrder::UpdatedDesc,
        };
        assert_eq!(
            s.to_query(),
            [
                ("filter".to_owned(), "tags.task = 'nlp'".to_owned()),
                (
                    "orderBy".to_owned(),
                    "last_updated_timestamp DESC".to_owned()
                )
            ]
        );
        assert_eq!(ModelsListState::from_query(&s.to_query()), s);
        assert!(ModelsListState::default().to_query().is_empty());
        let odd = [("orderBy".to_owned(), "drop table".to_owned())];
        assert_eq!(
            ModelsListState::from_query(&odd).order,
            ModelsOrder::NameAsc
        );
        assert_eq!(ModelsOrder::NameAsc.by_name(), ModelsOrder::NameDesc);
        assert_eq!(ModelsOrder::NameDesc.by_name(), ModelsOrder::NameAsc);
        assert_eq!(ModelsOrder::NameAsc.by_updated(), ModelsOrder::UpdatedDesc);
        assert_eq!(
            ModelsOrder::UpdatedDesc.by_updated(),
            ModelsOrder::UpdatedAsc
        );
    }

    #[test]
    fn paths_encode_names() {
        assert_eq!(model_path("a b?#"), "/models/a%20b%3F%23");
        assert_eq!(version_path("mnist", 3), "/models/mnist/versions/3");
    }
}
