//! Logged models as the experiment's Models tab and the run page list them: each with
//! its source run, last metric values and the registry versions that point at it; and
//! the MLflow 2.x models of a run's `mlflow.log-model.history` tag.

use std::collections::{BTreeMap, HashMap};

use crate::core::models::history::{parse_model_history, HistoryEntry};
use crate::core::models::resolve::{resolve, ModelFiles};
use crate::core::models::{LoggedModel, LoggedModelStatus, TAG_LOG_MODEL_HISTORY};
use crate::core::registry::queries::search_logged_models;
use crate::core::table::registry::RunRef;
use crate::core::tracking::model::LifecycleStage;
use crate::core::tracking::queries::QueryError;
use crate::core::tracking::Tracker;

/// A registry version, as a link target: `(model name, version)`.
pub type VersionRef = (String, u64);

/// One logged model as a row.
#[derive(Clone, Debug, PartialEq)]
pub struct LoggedModelRow {
    /// `m-…`.
    pub model_id: String,
    /// Its name (`model`).
    pub name: String,
    /// Its experiment.
    pub experiment_id: String,
    /// The run that logged it, as recorded.
    pub source_run_id: Option<String>,
    /// That run, when the store has it.
    pub source_run: Option<RunRef>,
    /// `READY`, `PENDING` or `FAILED`.
    pub status: &'static str,
    /// Why it failed.
    pub status_message: Option<String>,
    /// Creation time (ms).
    pub created: i64,
    /// Its free-form type (`tfjs`).
    pub model_type: Option<String>,
    /// The last value logged per metric key, by key.
    pub metrics: Vec<(String, f64)>,
    /// Versions registered from it, by name then number.
    pub versions: Vec<VersionRef>,
}

/// `READY`, `PENDING` or `FAILED`, as MLflow's search filter spells them.
pub fn status_name(s: LoggedModelStatus) -> &'static str {
    match s {
        LoggedModelStatus::Pending => "PENDING",
        LoggedModelStatus::Ready => "READY",
        LoggedModelStatus::Failed => "FAILED",
    }
}

/// The last value logged per key (as the search's `metrics.<key>` reads it), by key.
pub fn last_metrics(m: &LoggedModel) -> Vec<(String, f64)> {
    let mut last = BTreeMap::new();
    for p in &m.metrics {
        last.insert(p.key.clone(), p.value);
    }
    last.into_iter().collect()
}

/// Every live registry version that names a logged model (`model_id`), by model id.
pub fn versions_by_model_id(t: &Tracker) -> HashMap<String, Vec<VersionRef>> {
    let mut out: HashMap<String, Vec<VersionRef>> = HashMap::new();
    for m in t.registered_models() {
        for v in m.live_versions() {
            if let Some(id) = &v.model_id {
                out.entry(id.clone())
                    .or_default()
                    .push((m.name.clone(), v.version));
            }
        }
    }
    for list in out.values_mut() {
        list.sort();
    }
    out
}

fn row(
    t: &Tracker,
    m: &LoggedModel,
    versions: &HashMap<String, Vec<VersionRef>>,
) -> LoggedModelRow {
    LoggedModelRow {
        model_id: m.model_id.clone(),
        name: m.name.clone(),
        experiment_id: m.experiment_id.clone(),
        source_run_id: m.source_run_id.clone(),
        source_run: m.source_run_id.as_deref().and_then(|r| RunRef::find(t, r)),
        status: status_name(m.status),
        status_message: m.status_message.clone(),
        created: m.creation_timestamp,
        model_type: m.model_type.clone(),
        metrics: last_metrics(m),
        versions: versions.get(&m.model_id).cloned().unwrap_or_default(),
    }
}

/// The experiment's active logged models, newest first (MLflow's default order).
pub fn experiment_logged_models(
    t: &Tracker,
    experiment_id: &str,
) -> Result<Vec<LoggedModelRow>, QueryError> {
    let none: [&str; 0] = [];
    let found = search_logged_models(t, &[experiment_id.to_owned()], "", &none, None)?;
    let versions = versions_by_model_id(t);
    Ok(found.into_iter().map(|m| row(t, m, &versions)).collect())
}

/// The active logged models `run_id` made, oldest first (the order they were logged).
pub fn run_logged_models(t: &Tracker, run_id: &str) -> Vec<LoggedModelRow> {
    let versions = versions_by_model_id(t);
    let mut out: Vec<LoggedModelRow> = t
        .logged_models()
        .filter(|m| {
            m.lifecycle_stage == LifecycleStage::Active
                && m.source_run_id.as_deref() == Some(run_id)
        })
        .map(|m| row(t, m, &versions))
        .collect();
    out.sort_by(|a, b| (a.created, &a.model_id).cmp(&(b.created, &b.model_id)));
    out
}

/// A model of the run's history tag that is only run artifacts (MLflow 2.x), with the
/// versions registered from it.
#[derive(Clone, Debug, PartialEq)]
pub struct HistoryModel {
    /// The tag's entry.
    pub entry: HistoryEntry,
    /// Where its files are.
    pub files: ModelFiles,
    /// Versions whose source resolves to these files, by name then number.
    pub versions: Vec<VersionRef>,
}

/// The models in `run_id`'s `mlflow.log-model.history` tag that are not logged models
/// of this store (those are listed as logged models), in the tag's order.
pub fn run_history_models(t: &Tracker, run_id: &str) -> Vec<HistoryModel> {
    let Some(tag) = t
        .run(run_id)
        .ok()
        .and_then(|r| r.tags.get(TAG_LOG_MODEL_HISTORY))
    else {
        return Vec::new();
    };
    let entries: Vec<HistoryEntry> = parse_model_history(tag)
        .into_iter()
        .filter(|e| {
            e.model_id
                .as_deref()
                .is_none_or(|id| t.logged_model(id).is_err())
        })
        .collect();
    if entries.is_empty() {
        return Vec::new();
    }
    // Versions that may come from this run: recorded with its id, or a source that
    // names it (a resolved `file:///…/<run>/artifacts/…` path).
    let candidates: Vec<(VersionRef, ModelFiles)> = t
        .registered_models()
        .flat_map(|m| m.live_versions())
        .filter(|v| {
            v.run_id.as_deref() == Some(run_id)
                || v.source.as_deref().is_some_and(|s| s.contains(run_id))
        })
        .filter_map(|v| {
            let files = resolve(t, &format!("models:/{}/{}", v.name, v.version))
                .ok()?
                .files;
            Some(((v.name.clone(), v.version), files))
        })
        .collect();
    entries
        .into_iter()
        .map(|entry| {
            let files = ModelFiles::RunArtifacts {
                run_id: run_id.to_owned(),
                path: entry.artifact_path.clone(),
            };
            let mut versions: Vec<VersionRef> = (candidates.iter())
                .filter(|(_, f)| *f == files)
                .map(|(v, _)| v.clone())
                .collect();
            versions.sort();
            HistoryModel {
                entry,
                files,
                versions,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::models::LoggedModelMetric;
    use crate::core::tracking::{NewLoggedModel, NewRun, NewVersion};

    fn metric(key: &str, value: f64, step: i64) -> LoggedModelMetric {
        LoggedModelMetric {
            key: key.into(),
            value,
            timestamp: 1,
            step,
            run_id: None,
            dataset_name: None,
            dataset_digest: None,
        }
    }

    fn store() -> (Tracker, String, String) {
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
        let mid = t
            .create_logged_model(
                NewLoggedModel {
                    experiment_id: "0".into(),
                    name: "model".into(),
                    source_run_id: Some(run.clone()),
                    model_type: Some("tfjs".into()),
                    ..Default::default()
                },
                11,
            )
            .unwrap();
        t.finalize_logged_model(&mid, LoggedModelStatus::Ready, None, 12)
            .unwrap();
        (t, run, mid)
    }

    fn register(t: &mut Tracker, name: &str, source: String, model_id: Option<&str>, run: &str) {
        t.create_model_version(
            NewVersion {
                name: name.into(),
                source,
                model_id: model_id.map(str::to_owned),
                run_id: Some(run.to_owned()),
                create_model: true,
                ..Default::default()
            },
            20,
        )
        .unwrap();
    }

    #[test]
    fn last_values_per_key() {
        let (t, _, mid) = store();
        let mut m = t.logged_model(&mid).unwrap().clone();
        m.metrics = vec![
            metric("rmse", 0.9, 0),
            metric("acc", 0.5, 0),
            metric("rmse", 0.7, 1),
        ];
        assert_eq!(
            last_metrics(&m),
            [("acc".to_owned(), 0.5), ("rmse".to_owned(), 0.7)]
        );
    }

    #[test]
    fn logged_models_with_their_runs_and_versions() {
        let (mut t, run, mid) = store();
        register(&mut t, "mnist", format!("models:/{mid}"), Some(&mid), &run);
        register(&mut t, "mnist", format!("models:/{mid}"), Some(&mid), &run);
        register(&mut t, "alpha", format!("models:/{mid}"), Some(&mid), &run);
        t.delete_model_version("mnist", 1, 30).unwrap();
        let rows = experiment_logged_models(&t, "0").unwrap();
        assert_eq!(rows.len(), 1);
        let r = &rows[0];
        assert_eq!((r.name.as_str(), r.status), ("model", "READY"));
        assert_eq!(r.source_run.as_ref().unwrap().name, "train");
        assert_eq!(r.model_type.as_deref(), Some("tfjs"));
        assert_eq!(r.versions, [("alpha".into(), 1), ("mnist".into(), 2)]);
        assert_eq!(run_logged_models(&t, &run), rows);
        assert!(run_logged_models(&t, "other").is_empty());
        assert!(experiment_logged_models(&t, "404").is_err());
    }

    #[test]
    fn history_models_are_the_run_artifact_ones_with_their_versions() {
        let (mut t, run, mid) = store();
        let tag = format!(
            r#"[{{"run_id": "{run}", "artifact_path": "sk", "flavors": {{"sklearn": {{}}}}}}, {{"run_id": "{run}", "artifact_path": "model", "model_id": "{mid}", "flavors": {{"tfjs": {{}}}}}}]"#
        );
        t.set_tags(&run, &[(TAG_LOG_MODEL_HISTORY.to_owned(), tag)])
            .unwrap();
        register(&mut t, "sk-model", format!("runs:/{run}/sk"), None, &run);
        register(
            &mut t,
            "other",
            format!("runs:/{run}/elsewhere"),
            None,
            &run,
        );
        let h = run_history_models(&t, &run);
        assert_eq!(h.len(), 1, "the logged model's own entry is not repeated");
        assert_eq!(h[0].entry.artifact_path, "sk");
        assert_eq!(
            h[0].files,
            ModelFiles::RunArtifacts {
                run_id: run.clone(),
                path: "sk".into()
            }
        );
        assert_eq!(h[0].versions, [("sk-model".into(), 1)]);
        assert!(run_history_models(&t, "nope").is_empty());
    }
}
