//! A store's file tree → [`Snapshot`], failing where MLflow fails and skipping (with a
//! warning) where MLflow skips (FORMAT.md §11).

use std::collections::{BTreeMap, BTreeSet};

use crate::core::tracking::model::{Experiment, LifecycleStage, Run, RunInfo, RunStatus};
use crate::core::tracking::rules::{self, KeyKind};

use super::archive::FileTree;
use super::error::{ImportError, ImportErrorKind};
use super::metrics::parse_metric_file;
use super::read_logged::read_logged_models;
use super::read_registry::read_registry;
use super::tree::{
    dirs_under, leaf_dirs, read_values, take_prefix, validate_read_key, Accounted, Ctx, OnBroken,
};
use super::yaml::{parse_meta, ExperimentMeta, RunMeta, YamlProblem};
use crate::core::interchange::{LoggedModelRecord, RunRecord, Snapshot};

/// Experiment sub-folders that are not runs (MLflow 3's list; 2.x lacks `models`).
pub(super) const RESERVED_EXPERIMENT_DIRS: [&str; 4] = ["tags", "datasets", "traces", "models"];
/// Run sub-folders the exporter always writes (MLflow 3 needs them to find a run).
pub(super) const RUN_DIRS: [&str; 3] = ["metrics", "params", "artifacts"];
/// Where the registry and an experiment's logged models live.
pub(super) const MODELS_DIR: &str = "models";

/// Reads the store in `tree` (paths relative to the store root). `prefix` is where the
/// store sits in the archive (`"mlruns/"`), used only to name files in messages.
pub fn read_store(tree: FileTree, prefix: &str) -> Result<Snapshot, ImportError> {
    let FileTree { mut files, dirs } = tree;
    let leaves = leaf_dirs(&files, &dirs);
    let mut snap = Snapshot::default();
    let mut done = Accounted {
        made_dirs: vec![".trash".to_string()],
        skipped: Vec::new(),
    };

    for loc in experiment_locations(&files, &dirs) {
        let exp_files = take_prefix(&mut files, &loc);
        let ctx = Ctx { prefix, loc: &loc };
        if !read_experiment(&ctx, exp_files, &leaves, &mut snap, &mut done)? {
            done.skipped.push(loc);
        }
    }
    let mut ids = BTreeSet::new();
    for e in &snap.experiments {
        if !ids.insert(e.experiment_id.as_str()) {
            return Err(ImportError::new(
                ImportErrorKind::Invalid,
                format!(
                    "experiment {id} exists twice, as {prefix}{id}/ and {prefix}.trash/{id}/",
                    id = e.experiment_id
                ),
            ));
        }
    }
    let registry = format!("{MODELS_DIR}/");
    let ctx = Ctx {
        prefix,
        loc: &registry,
    };
    let reg_files = take_prefix(&mut files, &registry);
    let reg_dirs = dirs_under(&leaves, &registry);
    read_registry(
        &ctx,
        reg_files,
        &reg_dirs,
        OnBroken::Fail,
        &mut snap,
        &mut done,
    )?;
    // What is left: root files. Kept verbatim.
    snap.extra_files.append(&mut files);
    snap.extra_dirs = done.keep(leaves);
    snap.experiments
        .sort_by(|a, b| a.experiment_id.cmp(&b.experiment_id));
    sort_models(&mut snap);
    snap.runs.sort_by(|a, b| {
        let key = |r: &RunRecord| (r.run.info.experiment_id.clone(), r.run.info.run_id.clone());
        key(a).cmp(&key(b))
    });
    check_model_ids(&snap)?;
    let mut seen: BTreeMap<&str, &str> = BTreeMap::new();
    for r in &snap.runs {
        if let Some(other) = seen.insert(&r.run.info.run_id, &r.run.info.experiment_id) {
            return Err(ImportError::new(
                ImportErrorKind::Invalid,
                format!(
                    "run {} appears in experiments {other} and {}; MLflow cannot tell them apart",
                    r.run.info.run_id, r.run.info.experiment_id
                ),
            ));
        }
    }
    Ok(snap)
}

/// Logged models by (experiment, id), registered models by name.
pub(super) fn sort_models(snap: &mut Snapshot) {
    snap.logged_models.sort_by(|a, b| {
        let key = |r: &LoggedModelRecord| (r.model.experiment_id.clone(), r.model.model_id.clone());
        key(a).cmp(&key(b))
    });
    snap.registered_models.sort_by(|a, b| a.name.cmp(&b.name));
}

/// A logged model's id must be unique across experiments (MLflow finds it by id).
fn check_model_ids(snap: &Snapshot) -> Result<(), ImportError> {
    let mut seen: BTreeMap<&str, &str> = BTreeMap::new();
    for r in &snap.logged_models {
        let m = &r.model;
        if let Some(other) = seen.insert(&m.model_id, &m.experiment_id) {
            return Err(ImportError::new(
                ImportErrorKind::Invalid,
                format!(
                    "logged model {} appears in experiments {other} and {}; MLflow cannot tell \
                     them apart",
                    m.model_id, m.experiment_id
                ),
            ));
        }
    }
    Ok(())
}

/// `"<id>/"` for every folder at the root (but `.trash` and `models`) and
/// `".trash/<id>/"` for every folder in `.trash`.
fn experiment_locations(files: &BTreeMap<String, Vec<u8>>, dirs: &BTreeSet<String>) -> Vec<String> {
    let mut out = BTreeSet::new();
    let file_paths = files.keys().map(|p| (p.as_str(), false));
    for (path, is_dir) in file_paths.chain(dirs.iter().map(|d| (d.as_str(), true))) {
        let mut parts = path.splitn(3, '/');
        let (a, b, c) = (parts.next(), parts.next(), parts.next());
        match (a, b, c) {
            (Some(".trash"), Some(id), rest) if rest.is_some() || is_dir => {
                out.insert(format!(".trash/{id}/"));
            }
            (Some(".trash" | "models"), _, _) => {}
            (Some(id), rest, _) if rest.is_some() || is_dir => {
                out.insert(format!("{id}/"));
            }
            _ => {}
        }
    }
    out.into_iter().collect()
}

fn stage(ctx: &Ctx, rel: &str, value: Option<&str>) -> Result<LifecycleStage, ImportError> {
    value.and_then(LifecycleStage::parse).ok_or_else(|| {
        ctx.invalid(
            rel,
            format!("lifecycle_stage must be 'active' or 'deleted', got {value:?}"),
        )
    })
}

/// Reads one experiment folder into `snap`; `false` when MLflow would skip it.
fn read_experiment(
    ctx: &Ctx,
    mut files: BTreeMap<String, Vec<u8>>,
    leaves: &BTreeSet<String>,
    snap: &mut Snapshot,
    done: &mut Accounted,
) -> Result<bool, ImportError> {
    let dir_name = ctx
        .loc
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or("");
    let skip = |snap: &mut Snapshot, why: &str| {
        snap.warnings.push(format!(
            "Malformed experiment '{}': {why}; MLflow skips it, so it was not imported.",
            ctx.name("")
        ));
        Ok(false)
    };
    if rules::validate_experiment_id(dir_name).is_err() {
        // MLflow fails to list the whole store here (`.git`, `__MACOSX`, …); importing
        // the rest is more useful, and the export will not have the folder.
        snap.warnings.push(format!(
            "'{}' is not an experiment folder (not a valid experiment id); MLflow cannot \
             list a store holding it, so it was not imported.",
            ctx.name("")
        ));
        return Ok(false);
    }
    let Some(meta_bytes) = files.remove("meta.yaml") else {
        return skip(snap, "no meta.yaml");
    };
    let meta: ExperimentMeta = match parse_meta(&meta_bytes) {
        Ok(m) => m,
        Err(YamlProblem::Empty) => return skip(snap, "empty meta.yaml"),
        Err(p) => return Err(ctx.yaml_error("meta.yaml", p)),
    };
    let required = |v: Option<Option<String>>, key: &str| {
        v.ok_or_else(|| ctx.invalid("meta.yaml", format!("missing key '{key}'")))
    };
    let id = required(meta.experiment_id, "experiment_id")?;
    let name =
        required(meta.name, "name")?.ok_or_else(|| ctx.invalid("meta.yaml", "name is null"))?;
    let artifact_location = required(meta.artifact_location, "artifact_location")?;
    let lifecycle = required(meta.lifecycle_stage, "lifecycle_stage")?;
    let lifecycle_stage = stage(ctx, "meta.yaml", lifecycle.as_deref())?;
    if id.as_deref() != Some(dir_name) {
        return skip(
            snap,
            &format!("experiment_id {id:?} does not match the folder name"),
        );
    }
    let tags = read_values(ctx, "", "tags", &mut files, KeyKind::Tag)?;
    snap.experiments.push(Experiment {
        experiment_id: dir_name.to_string(),
        name,
        artifact_location: artifact_location.unwrap_or_default(),
        lifecycle_stage,
        creation_time: meta.creation_time,
        last_update_time: meta.last_update_time,
        tags,
    });

    let mut candidates: BTreeSet<String> = files
        .keys()
        .filter_map(|k| k.split_once('/').map(|(head, _)| head.to_string()))
        .collect();
    candidates.extend(
        leaves
            .iter()
            .filter_map(|d| d.strip_prefix(ctx.loc))
            .map(|rel| rel.split('/').next().unwrap_or(rel).to_string()),
    );
    for dir in candidates {
        if RESERVED_EXPERIMENT_DIRS.contains(&dir.as_str()) {
            continue;
        }
        let run_files = take_prefix(&mut files, &format!("{dir}/"));
        let loc = ctx.loc;
        if !run_files.contains_key("meta.yaml") {
            snap.warnings.push(format!(
                "'{}' has no meta.yaml; MLflow ignores the folder (\"Malformed run\"), so it \
                 was not imported.",
                ctx.name(&dir)
            ));
            done.skipped.push(format!("{loc}{dir}/"));
            continue;
        }
        if let Some(record) = read_run(ctx, &dir, run_files, snap)? {
            done.made_dirs
                .extend(RUN_DIRS.iter().map(|d| format!("{loc}{dir}/{d}")));
            snap.runs.push(record);
        } else {
            done.skipped.push(format!("{loc}{dir}/"));
        }
    }
    let models = format!("{}{MODELS_DIR}/", ctx.loc);
    let model_files = take_prefix(&mut files, &format!("{MODELS_DIR}/"));
    let model_ctx = Ctx {
        prefix: ctx.prefix,
        loc: &models,
    };
    let model_dirs = dirs_under(leaves, &models);
    read_logged_models(
        &model_ctx,
        dir_name,
        model_files,
        &model_dirs,
        OnBroken::Fail,
        snap,
        done,
    )?;
    // Experiment-level files we do not model (datasets, traces, …).
    for (rel, bytes) in files {
        snap.extra_files.insert(format!("{}{rel}", ctx.loc), bytes);
    }
    Ok(true)
}

/// Reads one run folder; `None` (with a warning) when MLflow would skip it.
fn read_run(
    ctx: &Ctx,
    dir: &str,
    mut files: BTreeMap<String, Vec<u8>>,
    snap: &mut Snapshot,
) -> Result<Option<RunRecord>, ImportError> {
    let base = format!("{dir}/");
    let meta_rel = format!("{base}meta.yaml");
    let meta_bytes = files.remove("meta.yaml").unwrap_or_default();
    let meta: RunMeta = parse_meta(&meta_bytes).map_err(|p| ctx.yaml_error(&meta_rel, p))?;
    let bad = |detail: String| ctx.invalid(&meta_rel, detail);
    let run_id = match (meta.run_id, meta.run_uuid) {
        (Some(Some(id)), _) | (None, Some(Some(id))) => id,
        _ => return Err(bad("missing key 'run_id'".into())),
    };
    let experiment_id = meta
        .experiment_id
        .ok_or_else(|| bad("missing key 'experiment_id'".into()))?;
    let exp_dir = ctx
        .loc
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or("");
    if experiment_id.as_deref() != Some(exp_dir) {
        snap.warnings.push(format!(
            "Run '{}' records experiment {experiment_id:?} but sits in experiment {exp_dir}; \
             MLflow ignores it, so it was not imported.",
            ctx.name(dir)
        ));
        return Ok(None);
    }
    let user_id = meta
        .user_id
        .flatten()
        .ok_or_else(|| bad("missing or null key 'user_id'".into()))?;
    let start_time = meta
        .start_time
        .flatten()
        .ok_or_else(|| bad("missing or null key 'start_time'".into()))?;
    let end_time = meta
        .end_time
        .ok_or_else(|| bad("missing key 'end_time' (null while running)".into()))?;
    let status = match meta.status {
        None => RunStatus::Running,
        Some(code) => code
            .and_then(RunStatus::from_int)
            .ok_or_else(|| bad(format!("status must be an integer 1-5, got {code:?}")))?,
    };
    let lifecycle_stage = match meta.lifecycle_stage {
        None => LifecycleStage::Active,
        Some(s) => stage(ctx, &meta_rel, Some(&s))?,
    };
    rules::validate_run_id(&run_id).map_err(|e| bad(e.0))?;
    if run_id != dir {
        return Err(bad(format!(
            "run_id '{run_id}' does not match the folder name"
        )));
    }

    let params = read_values(ctx, &base, "params", &mut files, KeyKind::Param)?;
    let tags = read_values(ctx, &base, "tags", &mut files, KeyKind::Tag)?;
    let mut metrics = BTreeMap::new();
    let mut history = BTreeMap::new();
    for (key, bytes) in take_prefix(&mut files, "metrics/") {
        let rel = format!("{base}metrics/{key}");
        validate_read_key(KeyKind::Metric, &key).map_err(|e| ctx.invalid(&rel, e.0))?;
        let parsed = parse_metric_file(&ctx.name(&rel), &bytes)?;
        if parsed.dataset_lines > 0 {
            snap.warnings.push(format!(
                "{}: {} line(s) carry MLflow 3 dataset fields; imported as MLflow reads them \
                 (step 0), without the dataset name and digest.",
                ctx.name(&rel),
                parsed.dataset_lines
            ));
        }
        metrics.insert(key.clone(), parsed.latest);
        history.insert(key, parsed.points);
    }
    let artifacts = take_prefix(&mut files, "artifacts/");
    for (rel, bytes) in files {
        snap.extra_files
            .insert(format!("{}{base}{rel}", ctx.loc), bytes);
    }
    let run_name = match meta.run_name {
        Some(name) if !name.is_empty() => name,
        _ => tags.get(rules::TAG_RUN_NAME).cloned().unwrap_or_default(),
    };
    Ok(Some(RunRecord {
        run: Run {
            info: RunInfo {
                run_id,
                run_name,
                experiment_id: exp_dir.to_string(),
                status,
                start_time,
                end_time,
                lifecycle_stage,
                artifact_uri: meta.artifact_uri.unwrap_or_default(),
                user_id,
                deleted_time: meta.deleted_time,
            },
            params,
            tags,
            metrics,
            metric_ranges: BTreeMap::new(),
        },
        history,
        artifacts,
    }))
}
