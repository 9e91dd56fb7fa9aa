//! Stores imported before logged models and the registry were read kept them as plain
//! files (`<exp>/models/m-…/…`, `models/<name>/…`); this turns those files into the
//! records an import makes today, with the same reader.

use std::collections::{BTreeMap, BTreeSet};

use crate::core::interchange::{LoggedModelRecord, Snapshot};
use crate::core::registry::RegisteredModel;

use super::read::{sort_models, MODELS_DIR};
use super::read_logged::read_logged_models;
use super::read_registry::read_registry;
use super::tree::{dirs_under, take_prefix, Accounted, Ctx, OnBroken};

/// What [`models_from_kept_files`] made of a store's kept files.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct KeptModels {
    /// Logged models read from `<exp>/models/<id>/`, by (experiment, id).
    pub logged_models: Vec<LoggedModelRecord>,
    /// Registered models read from `models/<name>/`, by name.
    pub registered_models: Vec<RegisteredModel>,
    /// The kept files still to keep (everything not read into a record), by the same
    /// store-relative paths.
    pub extra_files: BTreeMap<String, Vec<u8>>,
    /// The kept empty folders still to keep.
    pub extra_dirs: BTreeSet<String>,
    /// What was left out or kept as files, one sentence each (as an import says it).
    pub warnings: Vec<String>,
}

/// Reads the logged models and registered models out of the files an older Ferroflow
/// kept for a store (`Snapshot::extra_files` / `extra_dirs` as they were: paths
/// relative to the store root). An empty folder may come in `dirs` or, as the browser
/// store keeps it, as a key of `files` ending in `/`; the result has them in
/// `extra_dirs`.
///
/// It never fails: a model folder MLflow could not read (broken YAML, a bad metric
/// line) stays as files, with a warning, so nothing is lost; folders MLflow skips are
/// left out, as an import leaves them out. A logged model id found in two experiments
/// stays as files in both.
pub fn models_from_kept_files(
    mut files: BTreeMap<String, Vec<u8>>,
    mut dirs: BTreeSet<String>,
) -> KeptModels {
    let marked: Vec<String> = (files.keys())
        .filter(|k| k.ends_with('/'))
        .cloned()
        .collect();
    for key in marked {
        files.remove(&key);
        dirs.insert(key.trim_end_matches('/').to_owned());
    }
    let mut snap = Snapshot::default();
    let mut done = Accounted::default();
    let mut kept = BTreeMap::new();

    // "<id>/models/…" or ".trash/<id>/models/…": experiment location → id.
    let mut locations: BTreeMap<String, String> = BTreeMap::new();
    for path in files.keys().chain(dirs.iter()) {
        let (trash, inside) = match path.strip_prefix(".trash/") {
            Some(inside) => (".trash/", inside),
            None => ("", path.as_str()),
        };
        let mut parts = inside.splitn(3, '/');
        if let (Some(id), Some(MODELS_DIR), Some(_)) = (parts.next(), parts.next(), parts.next()) {
            locations.insert(format!("{trash}{id}/"), id.to_owned());
        }
    }
    // Model folder name → how many experiments hold one.
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for loc in locations.keys() {
        let prefix = format!("{loc}{MODELS_DIR}/");
        let names: BTreeSet<&str> = (files.keys().chain(dirs.iter()))
            .filter_map(|p| p.strip_prefix(&prefix))
            .filter_map(|rel| rel.split_once('/').map(|(head, _)| head))
            .collect();
        for name in names {
            *seen.entry(name.to_owned()).or_default() += 1;
        }
    }
    for (loc, id) in &locations {
        let models = format!("{loc}{MODELS_DIR}/");
        let mut model_files = take_prefix(&mut files, &models);
        for (name, _) in seen.iter().filter(|(_, n)| **n > 1) {
            let twice = take_prefix(&mut model_files, &format!("{name}/"));
            if !twice.is_empty() {
                snap.warnings.push(format!(
                    "Logged model folder '{models}{name}' has the same id as one in another \
                     experiment; its files were kept as they are."
                ));
            }
            kept.extend(
                twice
                    .into_iter()
                    .map(|(k, v)| (format!("{models}{name}/{k}"), v)),
            );
        }
        let ctx = Ctx {
            prefix: "",
            loc: &models,
        };
        let model_dirs = dirs_under(&dirs, &models);
        // Only the KeepFiles outcome can come back, never an error.
        let read = read_logged_models(
            &ctx,
            id,
            model_files,
            &model_dirs,
            OnBroken::KeepFiles,
            &mut snap,
            &mut done,
        );
        debug_assert!(read.is_ok());
    }
    let registry = format!("{MODELS_DIR}/");
    let ctx = Ctx {
        prefix: "",
        loc: &registry,
    };
    let reg_files = take_prefix(&mut files, &registry);
    let reg_dirs = dirs_under(&dirs, &registry);
    let read = read_registry(
        &ctx,
        reg_files,
        &reg_dirs,
        OnBroken::KeepFiles,
        &mut snap,
        &mut done,
    );
    debug_assert!(read.is_ok());
    sort_models(&mut snap);
    files.append(&mut snap.extra_files);
    files.append(&mut kept);
    KeptModels {
        logged_models: snap.logged_models,
        registered_models: snap.registered_models,
        extra_files: files,
        extra_dirs: done.keep(dirs),
        warnings: snap.warnings,
    }
}
