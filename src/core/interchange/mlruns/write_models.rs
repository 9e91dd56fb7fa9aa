//! Logged models and the registry → MLflow's file-store layout (FORMAT.md §7.2, §8),
//! keyed as MLflow 3.17 writes them (2.x ignores the keys it does not know), and where
//! the files kept for model folders go in an export: with their entity, wherever it is
//! now, and nowhere once it is gone.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use crate::core::interchange::{LoggedModelRecord, Snapshot};
use crate::core::models::{LoggedModelMetric, ModelUri};
use crate::core::registry::{ModelVersion, RegisteredModel};
use crate::core::tracking::model::LifecycleStage;

use super::metrics::push_model_metric_lines;
use super::read::{MODELS_DIR, RESERVED_EXPERIMENT_DIRS};
use super::read_logged::{ARTIFACTS_DIR, LOGGED_MODEL_DIRS};
use super::read_registry::{name_problem, version_dir, DEFAULT_WORKSPACE};
use super::write::Layout;
use super::yaml::YamlWriter;

/// Writes a logged model's folder at `base` (`mlruns/<exp loc>models/<id>/`).
pub(super) fn write_logged_model<'a>(out: &mut Layout<'a>, base: &str, r: &'a LoggedModelRecord) {
    let m = &r.model;
    out.files
        .insert(format!("{base}meta.yaml"), logged_model_meta(r).into());
    for d in LOGGED_MODEL_DIRS {
        out.dirs.insert(format!("{base}{d}"));
    }
    for (key, value) in &m.params {
        out.files.insert(
            format!("{base}params/{key}"),
            Cow::Borrowed(value.as_bytes()),
        );
    }
    for (key, value) in &m.tags {
        out.files
            .insert(format!("{base}tags/{key}"), Cow::Borrowed(value.as_bytes()));
    }
    let mut by_key: BTreeMap<&str, Vec<&LoggedModelMetric>> = BTreeMap::new();
    for metric in &m.metrics {
        by_key.entry(&metric.key).or_default().push(metric);
    }
    for (key, metrics) in by_key {
        let mut text = Vec::new();
        push_model_metric_lines(&mut text, metrics);
        out.files
            .insert(format!("{base}metrics/{key}"), text.into());
    }
    for (path, bytes) in &r.artifacts {
        out.files.insert(
            format!("{base}{ARTIFACTS_DIR}/{path}"),
            Cow::Borrowed(bytes),
        );
    }
}

fn logged_model_meta(r: &LoggedModelRecord) -> Vec<u8> {
    let m = &r.model;
    let mut w = YamlWriter::default();
    w.str("artifact_location", &m.artifact_location)
        .int("creation_timestamp", Some(m.creation_timestamp))
        .str("experiment_id", &m.experiment_id)
        .int("last_updated_timestamp", Some(m.last_updated_timestamp));
    // MLflow writes the stage on create and delete and drops it on finalize; only
    // "deleted" means anything to its reader.
    if m.lifecycle_stage == LifecycleStage::Deleted {
        w.str("lifecycle_stage", m.lifecycle_stage.as_str());
    }
    w.str("model_id", &m.model_id)
        .opt_str("model_type", m.model_type.as_deref())
        .str("name", &m.name)
        .opt_str("source_run_id", m.source_run_id.as_deref())
        .raw("status", &m.status.to_int().to_string())
        .opt_str("status_message", m.status_message.as_deref())
        .finish()
}

/// Whether the registry folder of `m` can be written: MLflow's file store refuses to
/// list a registry holding a folder whose name it would not accept (`%`, …).
pub(super) fn is_writable(m: &RegisteredModel) -> bool {
    name_problem(&m.name).is_none()
}

/// Writes `mlruns/models/<name>/` with its tags, aliases and versions.
pub(super) fn write_registered_model<'a>(
    out: &mut Layout<'a>,
    base: &str,
    m: &'a RegisteredModel,
    snap: &Snapshot,
) {
    out.files
        .insert(format!("{base}meta.yaml"), registered_model_meta(m).into());
    for (key, value) in &m.tags {
        out.files
            .insert(format!("{base}tags/{key}"), Cow::Borrowed(value.as_bytes()));
    }
    for (alias, version) in &m.aliases {
        out.files.insert(
            format!("{base}aliases/{alias}"),
            version.to_string().into_bytes().into(),
        );
    }
    for v in m.versions.values() {
        let vbase = format!("{base}{}/", version_dir(v.version));
        let location = storage_location(v, snap, 0);
        out.files.insert(
            format!("{vbase}meta.yaml"),
            version_meta(&m.name, v, location.as_deref()).into(),
        );
        for (key, value) in &v.tags {
            out.files.insert(
                format!("{vbase}tags/{key}"),
                Cow::Borrowed(value.as_bytes()),
            );
        }
    }
}

fn registered_model_meta(m: &RegisteredModel) -> Vec<u8> {
    let versions: Vec<(&str, String)> = (m.aliases.iter())
        .map(|(alias, v)| (alias.as_str(), v.to_string()))
        .collect();
    YamlWriter::default()
        // Informational (MLflow reads aliases from `aliases/`), written as MLflow does.
        .str_map("aliases", versions.iter().map(|(a, v)| (*a, v.as_str())))
        .int("creation_timestamp", m.creation_timestamp)
        .raw("deployment_job_id", "null")
        .raw("deployment_job_state", "null")
        .opt_str("description", m.description.as_deref())
        .int("last_updated_timestamp", m.last_updated_timestamp)
        .str("name", &m.name)
        .raw("workspace", DEFAULT_WORKSPACE)
        .finish()
}

/// `name` is the registered model's: MLflow finds a version by it.
fn version_meta(name: &str, v: &ModelVersion, storage_location: Option<&str>) -> Vec<u8> {
    YamlWriter::default()
        .int("creation_timestamp", Some(v.creation_timestamp))
        .str("current_stage", v.current_stage.as_str())
        .raw("deployment_job_state", "null")
        .opt_str("description", v.description.as_deref())
        .int("last_updated_timestamp", v.last_updated_timestamp)
        .opt_str("model_id", v.model_id.as_deref())
        .str("name", name)
        .opt_str("run_id", v.run_id.as_deref())
        .opt_str("run_link", v.run_link.as_deref())
        .opt_str("source", v.source.as_deref())
        .str("status", v.status.as_str())
        .opt_str("status_message", v.status_message.as_deref())
        .opt_str("storage_location", storage_location)
        .opt_str("user_id", v.user_id.as_deref())
        .raw("version", &v.version.to_string())
        .raw("workspace", DEFAULT_WORKSPACE)
        .finish()
}

/// What MLflow's `get_model_version_download_uri` should give for `v`: its stored
/// location, else the source resolved as `create_model_version` resolves it
/// (`models:/m-…` → the logged model's artifact location, `models:/<name>/<n>` → that
/// version's location), else the source itself.
fn storage_location(v: &ModelVersion, snap: &Snapshot, depth: usize) -> Option<String> {
    if let Some(s) = &v.storage_location {
        return Some(s.clone());
    }
    let source = v.source.as_deref()?;
    let resolved = match ModelUri::parse(source) {
        Ok(ModelUri::LoggedModel { model_id }) => (snap.logged_models.iter())
            .find(|r| r.model.model_id == model_id)
            .map(|r| r.model.artifact_location.clone()),
        // A chain of registry sources cannot loop forever.
        Ok(ModelUri::Version { name, version }) if depth < 8 => (snap.registered_models.iter())
            .find(|m| m.name == name)
            .and_then(|m| m.versions.get(&version))
            .and_then(|other| storage_location(other, snap, depth + 1)),
        _ => None,
    };
    Some(resolved.unwrap_or_else(|| source.to_owned()))
}

/// Where the files kept for model folders (and every other kept file) go in an export.
pub(super) struct Placer<'a> {
    /// A full export (the registry and root files go only there).
    pub everything: bool,
    /// Exported experiments: id → location (`"<id>/"` or `".trash/<id>/"`).
    pub experiments: BTreeMap<&'a str, &'a str>,
    /// Experiments exported whole (not only for some of their runs).
    pub whole: BTreeSet<&'a str>,
    /// Exported runs, as (experiment, run).
    pub runs: BTreeSet<(&'a str, &'a str)>,
    /// Every logged model of the snapshot: its experiment's location when exported.
    pub logged_models: BTreeMap<&'a str, Option<&'a str>>,
    /// Registered models written, with their version numbers.
    pub registered: BTreeMap<&'a str, BTreeSet<u64>>,
    /// Registered models in the snapshot (written or not).
    pub registry_names: BTreeSet<&'a str>,
    /// Folders whose own `meta.yaml` is a kept file: entities held as files.
    pub unmodeled: BTreeSet<&'a str>,
}

impl<'a> Placer<'a> {
    /// The folders of `extra_files` that hold their own `meta.yaml`.
    pub fn unmodeled_folders(extra_files: &'a BTreeMap<String, Vec<u8>>) -> BTreeSet<&'a str> {
        (extra_files.keys())
            .filter_map(|k| k.strip_suffix("meta.yaml"))
            .filter(|parent| parent.ends_with('/'))
            .collect()
    }

    /// Where the kept file or folder at `path` (as found on import) goes, if anywhere.
    pub fn place(&self, path: &str) -> Option<String> {
        if let Some(rest) = path.strip_prefix(&format!("{MODELS_DIR}/")) {
            return self.place_registry(path, rest);
        }
        let inside = path.strip_prefix(".trash/").unwrap_or(path);
        let Some((id, rest)) = inside.split_once('/') else {
            return self.everything.then(|| path.to_owned());
        };
        let loc = *self.experiments.get(id)?;
        match rest.split_once('/') {
            None => Some(format!("{loc}{rest}")),
            Some((MODELS_DIR, in_models)) => {
                let folder_len = path.len() - in_models.len();
                self.place_logged(id, loc, &path[..folder_len], in_models)
            }
            Some((head, _)) if RESERVED_EXPERIMENT_DIRS.contains(&head) => {
                Some(format!("{loc}{rest}"))
            }
            Some((run, _)) => self
                .runs
                .contains(&(id, run))
                .then(|| format!("{loc}{rest}")),
        }
    }

    /// `in_models` is the path below `<exp>/models/` (`models_dir`, as found).
    fn place_logged(
        &self,
        id: &str,
        loc: &str,
        models_dir: &str,
        in_models: &str,
    ) -> Option<String> {
        let keep = || Some(format!("{loc}{MODELS_DIR}/{in_models}"));
        let Some((model, _)) = in_models.split_once('/') else {
            return keep(); // a file beside the model folders
        };
        if RESERVED_EXPERIMENT_DIRS.contains(&model) {
            return keep();
        }
        let kept_whole = self
            .unmodeled
            .contains(format!("{models_dir}{model}/").as_str());
        match self.logged_models.get(model) {
            // A model made here since replaces the folder kept as files.
            Some(_) if kept_whole => None,
            Some(Some(model_loc)) => Some(format!("{model_loc}{MODELS_DIR}/{in_models}")),
            Some(None) => None,
            None if kept_whole && self.whole.contains(id) => keep(),
            None => None,
        }
    }

    /// `rest` is the path below `models/`.
    fn place_registry(&self, path: &str, rest: &str) -> Option<String> {
        if !self.everything {
            return None;
        }
        let Some((name, in_model)) = rest.split_once('/') else {
            return Some(path.to_owned()); // a file beside the model folders
        };
        let folder = &path[..path.len() - in_model.len()];
        let kept_whole = self.unmodeled.contains(folder);
        let keep = || Some(path.to_owned());
        if kept_whole {
            // Unless a model of that name was made here since.
            return (!self.registry_names.contains(name)).then(|| path.to_owned());
        }
        let versions = self.registered.get(name)?;
        let Some(vdir) = in_model
            .split('/')
            .next()
            .filter(|d| d.starts_with("version-"))
        else {
            return keep();
        };
        let version_kept_whole = self.unmodeled.contains(format!("{folder}{vdir}/").as_str());
        let modeled = versions.iter().any(|v| version_dir(*v) == vdir);
        match (modeled, version_kept_whole) {
            (true, true) | (false, false) => None,
            _ => keep(),
        }
    }
}
