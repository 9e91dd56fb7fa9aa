//! [`Snapshot`] → MLflow's file-store layout under `mlruns/`, as MLflow 2.x and 3.x
//! both read it without a warning (FORMAT.md §12 "Recommended for an exporter").

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use crate::core::tracking::model::{Experiment, LifecycleStage};
use crate::core::tracking::rules;

use super::archive::FileTree;
use super::metrics::push_metric_lines;
use super::read::{MODELS_DIR, RUN_DIRS};
use super::write_models::{is_writable, write_logged_model, write_registered_model, Placer};
use super::yaml::YamlWriter;
use crate::core::interchange::{RunRecord, Selection, Snapshot};

/// The folder every export puts the store in.
pub const STORE_DIR: &str = "mlruns";

/// An export's files, borrowing what the snapshot already holds (artifacts, extras).
pub(super) struct Layout<'a> {
    pub files: BTreeMap<String, Cow<'a, [u8]>>,
    pub dirs: BTreeSet<String>,
}

/// Writes the selected part of `snap` as an MLflow store: paths start with `mlruns/`,
/// and `dirs` lists every folder that must exist even when empty.
pub fn write_store(snap: &Snapshot, selection: &Selection) -> FileTree {
    let layout = layout(snap, selection);
    FileTree {
        files: layout
            .files
            .into_iter()
            .map(|(k, v)| (k, v.into_owned()))
            .collect(),
        dirs: layout.dirs,
    }
}

/// Where an experiment lives: deleted ones in `.trash/`, as MLflow moves them.
fn location(e: &Experiment) -> String {
    match e.lifecycle_stage {
        LifecycleStage::Active => format!("{}/", e.experiment_id),
        LifecycleStage::Deleted => format!(".trash/{}/", e.experiment_id),
    }
}

pub(super) fn layout<'a>(snap: &'a Snapshot, selection: &Selection) -> Layout<'a> {
    let runs: Vec<&RunRecord> = match selection {
        Selection::All => snap.runs.iter().collect(),
        Selection::Some {
            experiment_ids,
            run_ids,
        } => snap
            .runs
            .iter()
            .filter(|r| {
                experiment_ids.contains(&r.run.info.experiment_id)
                    || run_ids.contains(&r.run.info.run_id)
            })
            .collect(),
    };
    let wanted: BTreeSet<&str> = match selection {
        Selection::All => snap
            .experiments
            .iter()
            .map(|e| e.experiment_id.as_str())
            .collect(),
        Selection::Some { experiment_ids, .. } => experiment_ids
            .iter()
            .map(String::as_str)
            .chain(runs.iter().map(|r| r.run.info.experiment_id.as_str()))
            .collect(),
    };
    let experiments: BTreeMap<&str, (&Experiment, String)> = snap
        .experiments
        .iter()
        .filter(|e| wanted.contains(e.experiment_id.as_str()))
        .map(|e| (e.experiment_id.as_str(), (e, location(e))))
        .collect();

    let mut out = Layout {
        files: BTreeMap::new(),
        dirs: [format!("{STORE_DIR}/.trash")].into(),
    };
    for (e, loc) in experiments.values() {
        let base = format!("{STORE_DIR}/{loc}");
        out.files
            .insert(format!("{base}meta.yaml"), experiment_meta(e).into());
        for (key, value) in &e.tags {
            out.files
                .insert(format!("{base}tags/{key}"), Cow::Borrowed(value.as_bytes()));
        }
    }
    let mut written_runs = BTreeSet::new();
    for r in runs {
        let info = &r.run.info;
        let Some((_, loc)) = experiments.get(info.experiment_id.as_str()) else {
            continue; // a run without its experiment cannot be read by MLflow
        };
        written_runs.insert((info.experiment_id.as_str(), info.run_id.as_str()));
        write_run(&mut out, &format!("{STORE_DIR}/{loc}{}/", info.run_id), r);
    }
    let whole: BTreeSet<&str> = match selection {
        Selection::All => experiments.keys().copied().collect(),
        Selection::Some { experiment_ids, .. } => (experiment_ids.iter())
            .map(String::as_str)
            .filter(|id| experiments.contains_key(id))
            .collect(),
    };
    // Logged models go with their experiment, or with the run that made them.
    let mut logged_models = BTreeMap::new();
    for r in &snap.logged_models {
        let m = &r.model;
        let exp = m.experiment_id.as_str();
        let loc = experiments
            .get(exp)
            .map(|(_, loc)| loc.as_str())
            .filter(|_| {
                whole.contains(exp)
                    || (m.source_run_id.as_deref())
                        .is_some_and(|run| written_runs.contains(&(exp, run)))
            });
        if let Some(loc) = loc {
            let base = format!("{STORE_DIR}/{loc}{MODELS_DIR}/{}/", m.model_id);
            write_logged_model(&mut out, &base, r);
        }
        logged_models.insert(m.model_id.as_str(), loc);
    }
    let mut registered = BTreeMap::new();
    if selection.is_all() {
        for m in snap.registered_models.iter().filter(|m| is_writable(m)) {
            let base = format!("{STORE_DIR}/{MODELS_DIR}/{}/", m.name);
            write_registered_model(&mut out, &base, m, snap);
            registered.insert(m.name.as_str(), m.versions.keys().copied().collect());
        }
    }
    let placer = Placer {
        everything: selection.is_all(),
        experiments: (experiments.iter())
            .map(|(id, (_, loc))| (*id, loc.as_str()))
            .collect(),
        whole,
        runs: written_runs,
        logged_models,
        registered,
        registry_names: snap
            .registered_models
            .iter()
            .map(|m| m.name.as_str())
            .collect(),
        unmodeled: Placer::unmodeled_folders(&snap.extra_files),
    };
    for (path, bytes) in &snap.extra_files {
        if let Some(to) = placer.place(path) {
            // What the snapshot models wins over a kept file at the same path.
            (out.files)
                .entry(format!("{STORE_DIR}/{to}"))
                .or_insert(Cow::Borrowed(bytes));
        }
    }
    for dir in &snap.extra_dirs {
        if let Some(to) = placer.place(dir) {
            out.dirs.insert(format!("{STORE_DIR}/{to}"));
        }
    }
    out
}

fn write_run<'a>(out: &mut Layout<'a>, base: &str, r: &'a RunRecord) {
    let run = &r.run;
    out.files
        .insert(format!("{base}meta.yaml"), run_meta(r).into());
    for d in RUN_DIRS {
        out.dirs.insert(format!("{base}{d}"));
    }
    for (key, value) in &run.params {
        out.files.insert(
            format!("{base}params/{key}"),
            Cow::Borrowed(value.as_bytes()),
        );
    }
    for (key, value) in &run.tags {
        out.files
            .insert(format!("{base}tags/{key}"), Cow::Borrowed(value.as_bytes()));
    }
    let name = &run.info.run_name;
    if !name.is_empty() && !run.tags.contains_key(rules::TAG_RUN_NAME) {
        out.files.insert(
            format!("{base}tags/{}", rules::TAG_RUN_NAME),
            Cow::Borrowed(name.as_bytes()),
        );
    }
    for (key, points) in &r.history {
        let mut text = Vec::new();
        push_metric_lines(&mut text, points);
        out.files
            .insert(format!("{base}metrics/{key}"), text.into());
    }
    // A latest value without history (not from an import) still needs its line.
    for (key, point) in &run.metrics {
        if !r.history.contains_key(key) {
            let mut text = Vec::new();
            push_metric_lines(&mut text, std::slice::from_ref(point));
            out.files
                .insert(format!("{base}metrics/{key}"), text.into());
        }
    }
    for (path, bytes) in &r.artifacts {
        out.files
            .insert(format!("{base}artifacts/{path}"), Cow::Borrowed(bytes));
    }
}

fn experiment_meta(e: &Experiment) -> Vec<u8> {
    let artifact_location = Some(e.artifact_location.as_str()).filter(|l| !l.is_empty());
    YamlWriter::default()
        .opt_str("artifact_location", artifact_location)
        .int("creation_time", e.creation_time)
        .raw("effective_trace_archival_retention", "null")
        .str("experiment_id", &e.experiment_id)
        .int("last_update_time", e.last_update_time)
        .str("lifecycle_stage", e.lifecycle_stage.as_str())
        .str("name", &e.name)
        .raw("trace_location", "null")
        .raw("workspace", "default")
        .finish()
}

fn run_meta(r: &RunRecord) -> Vec<u8> {
    let info = &r.run.info;
    let mut w = YamlWriter::default();
    if !info.artifact_uri.is_empty() {
        w.str("artifact_uri", &info.artifact_uri);
    }
    if let Some(t) = info.deleted_time {
        w.int("deleted_time", Some(t));
    }
    w.int("end_time", info.end_time)
        .str("entry_point_name", "")
        .str("experiment_id", &info.experiment_id)
        .str("lifecycle_stage", info.lifecycle_stage.as_str())
        .str("run_id", &info.run_id)
        .str("run_name", &info.run_name)
        .str("run_uuid", &info.run_id)
        .str("source_name", "")
        .raw("source_type", "4")
        .str("source_version", "")
        .int("start_time", Some(info.start_time))
        .raw("status", &info.status.to_int().to_string())
        .raw("tags", "[]")
        .str("user_id", &info.user_id)
        .finish()
}
