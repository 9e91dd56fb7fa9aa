//! A store's file tree → [`Snapshot`], failing where MLflow fails and skipping (with a
//! warning) where MLflow skips (FORMAT.md §11).

use std::collections::{BTreeMap, BTreeSet};

use crate::core::tracking::model::{Experiment, LifecycleStage, Run, RunInfo, RunStatus};
use crate::core::tracking::rules::{self, KeyKind, MAX_KEY_LEN};

use super::archive::FileTree;
use super::error::{ImportError, ImportErrorKind};
use super::metrics::parse_metric_file;
use super::yaml::{parse_meta, ExperimentMeta, RunMeta, YamlProblem};
use crate::core::interchange::{RunRecord, Snapshot};

/// Experiment sub-folders that are not runs (MLflow 3's list; 2.x lacks `models`).
pub(super) const RESERVED_EXPERIMENT_DIRS: [&str; 4] = ["tags", "datasets", "traces", "models"];
/// Run sub-folders the exporter always writes (MLflow 3 needs them to find a run).
pub(super) const RUN_DIRS: [&str; 3] = ["metrics", "params", "artifacts"];

/// Reads the store in `tree` (paths relative to the store root). `prefix` is where the
/// store sits in the archive (`"mlruns/"`), used only to name files in messages.
pub fn read_store(tree: FileTree, prefix: &str) -> Result<Snapshot, ImportError> {
    let FileTree { mut files, dirs } = tree;
    let leaves = leaf_dirs(&files, &dirs);
    let mut snap = Snapshot::default();
    let mut skipped: Vec<String> = Vec::new();
    let mut made_dirs: BTreeSet<String> = [".trash".to_string()].into();

    for loc in experiment_locations(&files, &dirs) {
        let exp_files = take_prefix(&mut files, &loc);
        let ctx = Ctx { prefix, loc: &loc };
        match read_experiment(&ctx, exp_files, &leaves, &mut snap)? {
            Some(done) => {
                made_dirs.extend(done.made_dirs);
                skipped.extend(done.skipped);
            }
            None => skipped.push(loc),
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
    // What is left: the registry, root files. Kept verbatim.
    snap.extra_files.append(&mut files);
    snap.extra_dirs = leaves
        .into_iter()
        .filter(|d| !made_dirs.contains(d))
        .filter(|d| {
            !skipped
                .iter()
                .any(|s| format!("{d}/").starts_with(s.as_str()))
        })
        .collect();
    snap.experiments
        .sort_by(|a, b| a.experiment_id.cmp(&b.experiment_id));
    snap.runs.sort_by(|a, b| {
        let key = |r: &RunRecord| (r.run.info.experiment_id.clone(), r.run.info.run_id.clone());
        key(a).cmp(&key(b))
    });
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

/// Names files in messages the way the archive does.
struct Ctx<'a> {
    prefix: &'a str,
    /// The experiment folder: `"<id>/"` or `".trash/<id>/"`.
    loc: &'a str,
}

impl Ctx<'_> {
    fn name(&self, rel: &str) -> String {
        format!("{}{}{rel}", self.prefix, self.loc)
    }
    fn invalid(&self, rel: &str, detail: impl Into<String>) -> ImportError {
        ImportError::at(ImportErrorKind::Invalid, self.name(rel), detail)
    }
    fn yaml_error(&self, rel: &str, problem: YamlProblem) -> ImportError {
        match problem {
            YamlProblem::Empty => self.invalid(rel, "empty meta.yaml; MLflow cannot read this run"),
            YamlProblem::Bad { line, detail } => ImportError::at_line(self.name(rel), line, detail),
        }
    }
}

/// Explicit directories with nothing below them.
fn leaf_dirs(files: &BTreeMap<String, Vec<u8>>, dirs: &BTreeSet<String>) -> BTreeSet<String> {
    dirs.iter()
        .filter(|d| {
            let below = format!("{d}/");
            let under = |k: Option<&String>| k.is_some_and(|k| k.starts_with(&below));
            !under(files.range(below.clone()..).next().map(|(k, _)| k))
                && !under(dirs.range(below.clone()..).next())
        })
        .cloned()
        .collect()
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

/// Moves the entries under `prefix` (ending in `/`) out of `map`, keys made relative.
fn take_prefix<V>(map: &mut BTreeMap<String, V>, prefix: &str) -> BTreeMap<String, V> {
    let mut taken = map.split_off(prefix);
    // '/' + 1 == '0': the first key past every "<prefix>…".
    let end = format!("{}0", &prefix[..prefix.len() - 1]);
    let mut after = taken.split_off(&end);
    map.append(&mut after);
    taken
        .into_iter()
        .map(|(k, v)| (k[prefix.len()..].to_string(), v))
        .collect()
}

/// MLflow re-validates keys on read, but without the 250-character limit.
fn validate_read_key(kind: KeyKind, key: &str) -> Result<(), rules::InvalidValue> {
    let Err(err) = rules::validate_key(kind, key) else {
        return Ok(());
    };
    if key.chars().count() > MAX_KEY_LEN {
        // Same characters and path shape, shorter segments.
        let short: Vec<String> = key
            .split('/')
            .map(|s| s.chars().take(8).collect())
            .collect();
        if rules::validate_key(kind, &short.join("/")).is_ok() {
            return Ok(());
        }
    }
    Err(err)
}

fn utf8(ctx: &Ctx, rel: &str, bytes: Vec<u8>) -> Result<String, ImportError> {
    String::from_utf8(bytes).map_err(|_| ctx.invalid(rel, "not valid UTF-8"))
}

/// Reads key → value files (params, tags) below `dir/` of `files`.
fn read_values(
    ctx: &Ctx,
    base: &str,
    dir: &str,
    files: &mut BTreeMap<String, Vec<u8>>,
    kind: KeyKind,
) -> Result<BTreeMap<String, String>, ImportError> {
    let mut out = BTreeMap::new();
    for (key, bytes) in take_prefix(files, &format!("{dir}/")) {
        let rel = format!("{base}{dir}/{key}");
        validate_read_key(kind, &key).map_err(|e| ctx.invalid(&rel, e.0))?;
        out.insert(key, utf8(ctx, &rel, bytes)?);
    }
    Ok(out)
}

fn stage(ctx: &Ctx, rel: &str, value: Option<&str>) -> Result<LifecycleStage, ImportError> {
    value.and_then(LifecycleStage::parse).ok_or_else(|| {
        ctx.invalid(
            rel,
            format!("lifecycle_stage must be 'active' or 'deleted', got {value:?}"),
        )
    })
}

/// Folders an experiment's import accounted for.
struct ExperimentDone {
    /// Run sub-folders the exporter recreates anyway.
    made_dirs: Vec<String>,
    /// Run folders MLflow skips, left out of the snapshot.
    skipped: Vec<String>,
}

/// Reads one experiment folder into `snap`; `None` when MLflow would skip it.
fn read_experiment(
    ctx: &Ctx,
    mut files: BTreeMap<String, Vec<u8>>,
    leaves: &BTreeSet<String>,
    snap: &mut Snapshot,
) -> Result<Option<ExperimentDone>, ImportError> {
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
        Ok(None)
    };
    if rules::validate_experiment_id(dir_name).is_err() {
        // MLflow fails to list the whole store here (`.git`, `__MACOSX`, …); importing
        // the rest is more useful, and the export will not have the folder.
        snap.warnings.push(format!(
            "'{}' is not an experiment folder (not a valid experiment id); MLflow cannot \
             list a store holding it, so it was not imported.",
            ctx.name("")
        ));
        return Ok(None);
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

    let mut done = ExperimentDone {
        made_dirs: Vec::new(),
        skipped: Vec::new(),
    };
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
    // Experiment-level files we do not model (datasets, logged models, traces, …).
    for (rel, bytes) in files {
        snap.extra_files.insert(format!("{}{rel}", ctx.loc), bytes);
    }
    Ok(Some(done))
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
        },
        history,
        artifacts,
    }))
}
