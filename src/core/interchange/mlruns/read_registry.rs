//! The registry folder (`models/`) → registered models with their versions, tags and
//! aliases (FORMAT.md §8), read as MLflow's registry `FileStore` reads it: what it
//! fails on fails the import, what would stop it listing the registry is left out with
//! a warning, and what it reads but we cannot hold exactly stays as files.

use std::collections::{BTreeMap, BTreeSet};

use crate::core::interchange::Snapshot;
use crate::core::registry::{ModelVersion, RegisteredModel, Stage, VersionStatus};
use crate::core::tracking::rules::KeyKind;

use super::error::ImportError;
use super::read_logged::Found;
use super::tree::{
    files_under, read_values_in, sub_folders, text, Accounted, Ctx, Folder, OnBroken,
};
use super::yaml::{parse_meta, ModelVersionMeta, RegisteredModelMeta};

/// A version's folder name: `version-<n>`.
pub(super) fn version_dir(version: u64) -> String {
    format!("version-{version}")
}

/// The registry's workspace when there is only one (MLflow 3 writes it).
pub(super) const DEFAULT_WORKSPACE: &str = "default";

/// Which files of a registered model's folder went into the entity, and which
/// sub-folders MLflow could not list (left out).
#[derive(Default)]
struct Claim {
    consumed: BTreeSet<String>,
    dropped: Vec<String>,
}

/// Reads the registry: `files` and empty `dirs` relative to `ctx.loc` (`"models/"`).
/// Models go to `snap.registered_models`, files we do not model to `snap.extra_files`.
pub(super) fn read_registry(
    ctx: &Ctx,
    files: BTreeMap<String, Vec<u8>>,
    dirs: &BTreeSet<String>,
    on_broken: OnBroken,
    snap: &mut Snapshot,
    done: &mut Accounted,
) -> Result<(), ImportError> {
    let (folders, loose) = sub_folders(files, dirs);
    // MLflow lists sub-folders only.
    for (rel, bytes) in loose {
        snap.extra_files.insert(format!("{}{rel}", ctx.loc), bytes);
    }
    for (dir, folder) in folders {
        let base = format!("{}{dir}/", ctx.loc);
        let mut warnings = Vec::new();
        let (found, claim) = match parse_registered_model(ctx, &dir, &folder, &mut warnings) {
            Ok(read) => read,
            Err(e) if on_broken == OnBroken::Fail => return Err(e),
            Err(e) => (Found::Unmodeled(e.to_string()), Claim::default()),
        };
        snap.warnings.append(&mut warnings);
        let dropped = |rel: &str| claim.dropped.iter().any(|d| rel.starts_with(d.as_str()));
        done.skipped
            .extend(claim.dropped.iter().map(|d| format!("{base}{d}")));
        let keep = match found {
            Found::Modeled(model) => {
                snap.registered_models.push(model);
                true
            }
            Found::Unmodeled(why) => {
                snap.warnings.push(format!(
                    "Registered model folder '{}': {why}; its files were kept as they are \
                     (exported unchanged) but it is not shown as a registered model.",
                    ctx.name(&dir)
                ));
                true
            }
            Found::Skipped(why) => {
                snap.warnings.push(format!(
                    "Registered model folder '{}': {why}, so it was not imported.",
                    ctx.name(&dir)
                ));
                done.skipped.push(base.clone());
                false
            }
        };
        if keep {
            for (rel, bytes) in folder.files {
                if !claim.consumed.contains(&rel) && !dropped(&rel) {
                    snap.extra_files.insert(format!("{base}{rel}"), bytes);
                }
            }
        }
    }
    Ok(())
}

/// Why MLflow's registry file store refuses `name` as a folder name (it validates
/// every folder's name while listing), if it does.
pub(super) fn name_problem(name: &str) -> Option<&'static str> {
    if name.trim().is_empty() {
        Some("blank")
    } else if name.contains(['/', ':']) {
        Some("it holds '/' or ':'")
    } else if name.contains('%') {
        Some("it holds '%'")
    } else if name == "." || name.starts_with("..") {
        Some("it is not a unique path")
    } else {
        None
    }
}

/// A meta.yaml value in a message: quoted and escaped (`"2\n"`), or `null` when absent.
fn shown(value: Option<&str>) -> String {
    value.map_or_else(|| "null".to_owned(), |v| format!("{v:?}"))
}

/// Whether a meta.yaml value we do not model is unset (null, absent, or for the
/// workspace, the only one).
fn unset(value: &Option<yaml_serde::Value>, default: Option<&str>) -> bool {
    match value {
        None | Some(yaml_serde::Value::Null) => true,
        Some(yaml_serde::Value::String(s)) => default == Some(s.as_str()),
        Some(_) => false,
    }
}

/// Reads `models/<dir>/` with its tags, aliases and versions.
fn parse_registered_model(
    ctx: &Ctx,
    dir: &str,
    folder: &Folder,
    warnings: &mut Vec<String>,
) -> Result<(Found<RegisteredModel>, Claim), ImportError> {
    let base = format!("{dir}/");
    let meta_rel = format!("{base}meta.yaml");
    let mut claim = Claim::default();
    let cannot_list = "MLflow cannot list the registry with it";
    let Some(meta_bytes) = folder.files.get("meta.yaml") else {
        return Ok((
            Found::Skipped(format!("no meta.yaml; {cannot_list}")),
            claim,
        ));
    };
    if let Some(why) = name_problem(dir) {
        return Ok((
            Found::Skipped(format!(
                "the folder name is not a registered model name MLflow's file store accepts \
                 ({why}); {cannot_list}"
            )),
            claim,
        ));
    }
    let meta: RegisteredModelMeta =
        parse_meta(meta_bytes).map_err(|p| ctx.meta_error(&meta_rel, "registered model", p))?;
    let name = meta
        .name
        .ok_or_else(|| ctx.invalid(&meta_rel, "missing key 'name'"))?;
    claim.consumed.insert("meta.yaml".into());
    let tags = read_values_in(ctx, &base, "tags", &folder.files, KeyKind::Tag)?;
    claim
        .consumed
        .extend(tags.keys().map(|k| format!("tags/{k}")));
    let mut aliases = BTreeMap::new();
    for (alias, bytes) in files_under(&folder.files, "aliases") {
        let rel = format!("aliases/{alias}");
        let value = text(ctx, &format!("{base}{rel}"), bytes)?;
        match value.parse::<u64>() {
            Ok(v) if v.to_string() == value => {
                aliases.insert(alias.to_owned(), v);
                claim.consumed.insert(rel);
            }
            _ => warnings.push(format!(
                "{}: alias '{alias}' holds {value:?}, not a version number as MLflow writes \
                 it; the file was kept as it is.",
                ctx.name(&format!("{base}{rel}"))
            )),
        }
    }
    let version_dirs: BTreeSet<&str> = (folder.files.keys())
        .filter_map(|k| k.split_once('/').map(|(head, _)| head))
        .chain(folder.dirs.iter().map(|d| d.split('/').next().unwrap_or(d)))
        .filter(|d| d.starts_with("version-"))
        .collect();
    let mut versions = Vec::new();
    for vdir in version_dirs {
        versions.push((vdir, parse_version(ctx, &base, vdir, dir, &folder.files)?));
    }

    let problem = match &name {
        None => Some("name is null".to_owned()),
        Some(n) if n != dir => Some(format!(
            "meta.yaml names it '{n}', not the folder's name; MLflow lists it as '{n}' but \
             finds neither it nor its versions by that name"
        )),
        _ if !unset(&meta.deployment_job_id, None) || !unset(&meta.deployment_job_state, None) => {
            Some("it has a deployment job, which we do not hold".to_owned())
        }
        _ if !unset(&meta.workspace, Some(DEFAULT_WORKSPACE)) => {
            Some("it belongs to a workspace other than 'default'".to_owned())
        }
        _ => None,
    };
    let mut model = RegisteredModel {
        name: dir.to_owned(),
        creation_timestamp: meta.creation_timestamp,
        last_updated_timestamp: meta.last_updated_timestamp,
        description: meta.description,
        tags,
        aliases,
        versions: BTreeMap::new(),
    };
    for (vdir, found) in versions {
        match found {
            Found::Modeled(v) => {
                claim.consumed.insert(format!("{vdir}/meta.yaml"));
                claim
                    .consumed
                    .extend(v.tags.keys().map(|k| format!("{vdir}/tags/{k}")));
                model.versions.insert(v.version, v);
            }
            Found::Unmodeled(why) if problem.is_none() => warnings.push(format!(
                "Model version folder '{}': {why}; its files were kept as they are (exported \
                 unchanged) but it is not shown as a version.",
                ctx.name(&format!("{base}{vdir}"))
            )),
            Found::Unmodeled(_) => {}
            Found::Skipped(why) => {
                warnings.push(format!(
                    "Model version folder '{}': {why}, so it was not imported.",
                    ctx.name(&format!("{base}{vdir}"))
                ));
                claim.dropped.push(format!("{vdir}/"));
            }
        }
    }
    if let Some(why) = problem {
        claim.consumed.clear();
        return Ok((Found::Unmodeled(why), claim));
    }
    Ok((Found::Modeled(model), claim))
}

/// Reads `models/<model_dir>/<vdir>/` (`files` are the model folder's; `base` is
/// `"<model_dir>/"`).
fn parse_version(
    ctx: &Ctx,
    base: &str,
    vdir: &str,
    model_dir: &str,
    files: &BTreeMap<String, Vec<u8>>,
) -> Result<Found<ModelVersion>, ImportError> {
    let meta_rel = format!("{base}{vdir}/meta.yaml");
    let Some(meta_bytes) = files.get(&format!("{vdir}/meta.yaml")) else {
        return Ok(Found::Skipped(
            "no meta.yaml; MLflow cannot list the registry with it".into(),
        ));
    };
    let meta: ModelVersionMeta =
        parse_meta(meta_bytes).map_err(|p| ctx.meta_error(&meta_rel, "model version", p))?;
    let missing = |key: &str| ctx.invalid(&meta_rel, format!("missing key '{key}'"));
    let name = meta.name.ok_or_else(|| missing("name"))?;
    let version = meta.version.ok_or_else(|| missing("version"))?;
    let creation = meta
        .creation_timestamp
        .ok_or_else(|| missing("creation_timestamp"))?;
    let tags = read_values_in(ctx, base, &format!("{vdir}/tags"), files, KeyKind::Tag)?;
    let unmodeled = |why: String| Ok(Found::Unmodeled(why));
    let Some(version) = version else {
        return unmodeled("version is null".into());
    };
    if vdir != version_dir(version) {
        return unmodeled(format!(
            "it records version {version}, so MLflow lists it but cannot find it by number"
        ));
    }
    if name.as_deref() != Some(model_dir) {
        return unmodeled(format!(
            "it names model {}, not the folder's; MLflow would list it under that name",
            shown(name.as_deref())
        ));
    }
    let Some(creation) = creation else {
        return unmodeled("creation_timestamp is null".into());
    };
    // Stages as MLflow spells them; anything else it shows but never counts as latest.
    let stage = meta.current_stage.flatten();
    let Some(current_stage) = stage
        .as_deref()
        .and_then(Stage::parse)
        .filter(|s| Some(s.as_str()) == stage.as_deref())
    else {
        return unmodeled(format!(
            "current_stage {} is not one of MLflow's stages (None, Staging, Production, \
             Archived, Deleted_Internal)",
            shown(stage.as_deref())
        ));
    };
    let status = match meta.status {
        None => VersionStatus::Ready,
        Some(s) => match s.as_deref().and_then(VersionStatus::parse) {
            Some(status) => status,
            None => {
                return unmodeled(format!(
                    "status {} is not one of MLflow's (READY, PENDING_REGISTRATION, \
                     FAILED_REGISTRATION)",
                    shown(s.as_deref())
                ))
            }
        },
    };
    if !unset(&meta.deployment_job_state, None) {
        return unmodeled("it has a deployment job state, which we do not hold".into());
    }
    if !unset(&meta.workspace, Some(DEFAULT_WORKSPACE)) {
        return unmodeled("it belongs to a workspace other than 'default'".into());
    }
    Ok(Found::Modeled(ModelVersion {
        name: model_dir.to_owned(),
        version,
        creation_timestamp: creation,
        last_updated_timestamp: meta.last_updated_timestamp,
        description: meta.description,
        user_id: meta.user_id,
        current_stage,
        source: meta.source,
        run_id: meta.run_id,
        run_link: meta.run_link,
        status,
        status_message: meta.status_message,
        tags,
        model_id: meta.model_id,
        storage_location: meta.storage_location,
    }))
}
