//! An experiment's `models/` folder → MLflow 3 logged models (FORMAT.md §7.2), read as
//! MLflow's tracking `FileStore._list_models` reads them: what it fails on fails the
//! import, what it skips is left out with a warning, and what it reads but we cannot
//! hold exactly stays as files.

use std::collections::{BTreeMap, BTreeSet};

use crate::core::interchange::{LoggedModelRecord, Snapshot};
use crate::core::models::{LoggedModel, LoggedModelStatus};
use crate::core::tracking::model::LifecycleStage;
use crate::core::tracking::rules::KeyKind;

use super::error::ImportError;
use super::metrics::parse_model_metric_file;
use super::read::RESERVED_EXPERIMENT_DIRS;
use super::tree::{
    files_under, read_values_in, sub_folders, validate_read_key, Accounted, Ctx, Folder, OnBroken,
};
use super::yaml::{parse_meta, LoggedModelMeta};

/// Sub-folders of a logged model the exporter always writes (MLflow makes them).
pub(super) const LOGGED_MODEL_DIRS: [&str; 2] = ["metrics", "params"];
/// Where a logged model's files are, inside its folder.
pub(super) const ARTIFACTS_DIR: &str = "artifacts";

/// What a model folder (logged or registered) turned out to be.
pub(super) enum Found<T> {
    /// Read into the entity.
    Modeled(T),
    /// MLflow reads it, but not in a shape we hold: its files are kept as they are.
    Unmodeled(String),
    /// MLflow skips it (or cannot list the store with it): left out.
    Skipped(String),
}

/// Reads the logged models of experiment `exp_id` from its `models/` folder: `files`
/// and empty `dirs` relative to `ctx.loc` (`"<exp loc>models/"`). Models go to
/// `snap.logged_models`, files we do not model to `snap.extra_files`.
pub(super) fn read_logged_models(
    ctx: &Ctx,
    exp_id: &str,
    files: BTreeMap<String, Vec<u8>>,
    dirs: &BTreeSet<String>,
    on_broken: OnBroken,
    snap: &mut Snapshot,
    done: &mut Accounted,
) -> Result<(), ImportError> {
    let (folders, loose) = sub_folders(files, dirs);
    // Files beside the model folders: MLflow lists folders only.
    for (rel, bytes) in loose {
        snap.extra_files.insert(format!("{}{rel}", ctx.loc), bytes);
    }
    for (dir, folder) in folders {
        let base = format!("{}{dir}/", ctx.loc);
        // MLflow's `list_all` filter passes over these names: not models.
        if RESERVED_EXPERIMENT_DIRS.contains(&dir.as_str()) {
            for (rel, bytes) in folder.files {
                snap.extra_files.insert(format!("{base}{rel}"), bytes);
            }
            continue;
        }
        let found = match (parse_logged_model(ctx, exp_id, &dir, &folder), on_broken) {
            (Ok(f), _) => f,
            (Err(e), OnBroken::Fail) => return Err(e),
            (Err(e), OnBroken::KeepFiles) => Found::Unmodeled(format!("{e}")),
        };
        match found {
            Found::Modeled(model) => {
                let mut artifacts = BTreeMap::new();
                for (rel, bytes) in folder.files {
                    if let Some(path) = rel.strip_prefix(&format!("{ARTIFACTS_DIR}/")) {
                        artifacts.insert(path.to_owned(), bytes);
                    } else if !is_modeled_file(&rel) {
                        snap.extra_files.insert(format!("{base}{rel}"), bytes);
                    }
                }
                (done.made_dirs).extend(LOGGED_MODEL_DIRS.iter().map(|d| format!("{base}{d}")));
                snap.logged_models
                    .push(LoggedModelRecord { model, artifacts });
            }
            Found::Unmodeled(why) => {
                snap.warnings.push(format!(
                    "Logged model folder '{}': {why}; its files were kept as they are \
                     (exported unchanged) but it is not shown as a logged model.",
                    ctx.name(&dir)
                ));
                for (rel, bytes) in folder.files {
                    snap.extra_files.insert(format!("{base}{rel}"), bytes);
                }
            }
            Found::Skipped(why) => {
                snap.warnings.push(format!(
                    "Logged model folder '{}': {why}, so it was not imported.",
                    ctx.name(&dir)
                ));
                done.skipped.push(base);
            }
        }
    }
    Ok(())
}

/// The files a modeled logged model's record holds (besides its artifacts).
fn is_modeled_file(rel: &str) -> bool {
    rel == "meta.yaml"
        || ["params/", "tags/", "metrics/"]
            .iter()
            .any(|d| rel.starts_with(d))
}

/// Reads `<exp>/models/<dir>/` of experiment `exp_id` (its artifacts stay in `folder`).
fn parse_logged_model(
    ctx: &Ctx,
    exp_id: &str,
    dir: &str,
    folder: &Folder,
) -> Result<Found<LoggedModel>, ImportError> {
    let base = format!("{dir}/");
    let meta_rel = format!("{base}meta.yaml");
    let Some(meta_bytes) = folder.files.get("meta.yaml") else {
        return Ok(Found::Skipped(
            "no meta.yaml; MLflow ignores the folder (\"Malformed model\")".into(),
        ));
    };
    let meta: LoggedModelMeta =
        parse_meta(meta_bytes).map_err(|p| ctx.meta_error(&meta_rel, "logged model", p))?;
    let required = |v: Option<Option<String>>, key: &str| {
        v.ok_or_else(|| ctx.invalid(&meta_rel, format!("missing key '{key}'")))
    };
    let required_int = |v: Option<Option<i64>>, key: &str| {
        v.ok_or_else(|| ctx.invalid(&meta_rel, format!("missing key '{key}'")))
    };
    let experiment_id = required(meta.experiment_id, "experiment_id")?;
    let model_id = required(meta.model_id, "model_id")?;
    let name = required(meta.name, "name")?;
    let artifact_location = required(meta.artifact_location, "artifact_location")?;
    let creation = required_int(meta.creation_timestamp, "creation_timestamp")?;
    let updated = required_int(meta.last_updated_timestamp, "last_updated_timestamp")?;
    // MLflow reads tags, params and metrics before it looks at the fields.
    let params = read_values_in(ctx, &base, "params", &folder.files, KeyKind::Param)?;
    let tags = read_values_in(ctx, &base, "tags", &folder.files, KeyKind::Tag)?;
    let mut metrics = Vec::new();
    for (key, bytes) in files_under(&folder.files, "metrics") {
        let rel = format!("{base}metrics/{key}");
        validate_read_key(KeyKind::Metric, key).map_err(|e| ctx.invalid(&rel, e.0))?;
        metrics.extend(parse_model_metric_file(&ctx.name(&rel), key, bytes)?);
    }
    // The constructor's default; 0 (UNSPECIFIED) is MLflow's but not ours.
    let status = match meta.status {
        None => LoggedModelStatus::Ready,
        Some(Some(0)) => {
            return Ok(Found::Unmodeled(
                "status 0 (UNSPECIFIED) is not one we hold".into(),
            ))
        }
        Some(code) => code.and_then(LoggedModelStatus::from_int).ok_or_else(|| {
            ctx.invalid(
                &meta_rel,
                format!(
                    "status must be 1 (PENDING), 2 (READY) or 3 (FAILED), got {}",
                    code.map_or_else(|| "null".to_owned(), |c| c.to_string())
                ),
            )
        })?,
    };
    if experiment_id.as_deref() != Some(exp_id) {
        return Ok(Found::Skipped(format!(
            "it records experiment {} but sits in experiment {exp_id}; MLflow ignores it",
            experiment_id.map_or_else(|| "null".to_owned(), |e| format!("'{e}'"))
        )));
    }
    let lifecycle_stage = match meta.lifecycle_stage.as_deref() {
        None => LifecycleStage::Active,
        Some(s) => match LifecycleStage::parse(s) {
            Some(stage) => stage,
            None => {
                return Ok(Found::Unmodeled(format!(
                    "lifecycle_stage '{s}' is neither 'active' nor 'deleted'"
                )))
            }
        },
    };
    let (Some(model_id), Some(name), Some(artifact_location), Some(creation), Some(updated)) =
        (model_id, name, artifact_location, creation, updated)
    else {
        return Ok(Found::Unmodeled(
            "model_id, name, artifact_location or a timestamp is null".into(),
        ));
    };
    if model_id != dir {
        return Ok(Found::Unmodeled(format!(
            "model_id '{model_id}' does not match the folder name, so MLflow lists the model \
             but cannot find it by id"
        )));
    }
    Ok(Found::Modeled(LoggedModel {
        model_id,
        experiment_id: exp_id.to_owned(),
        name,
        artifact_location,
        creation_timestamp: creation,
        last_updated_timestamp: updated,
        model_type: meta.model_type,
        source_run_id: meta.source_run_id,
        status,
        status_message: meta.status_message,
        lifecycle_stage,
        params,
        tags,
        metrics,
    }))
}
