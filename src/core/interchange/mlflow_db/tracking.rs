//! Experiments and runs (params, tags, metric histories, latest values, artifacts,
//! inputs and outputs) from `mlflow.db`, as `SqlAlchemyStore` reads them.

use std::collections::{BTreeMap, HashMap};

use crate::core::interchange::mlruns::inputs::{self, DatasetMeta};
use crate::core::interchange::mlruns::{ImportError, ImportErrorKind};
use crate::core::interchange::RunRecord;
use crate::core::tracking::model::{
    Experiment, LifecycleStage, MetricPoint, Run, RunInfo, RunStatus,
};
use crate::core::tracking::rules::{self, KeyKind};

use super::artifacts::{exported_uri, take};
use super::rows::{Row, Rows};
use super::Import;

/// The workspace MLflow uses when workspaces are off (3.x; 2.x has no column).
pub(super) const DEFAULT_WORKSPACE: &str = "default";

/// Whether a row belongs to the default workspace (or the schema has none).
pub(super) fn in_default_workspace(row: &Row<'_>) -> Result<bool, ImportError> {
    Ok(row
        .text("workspace")?
        .is_none_or(|w| w == DEFAULT_WORKSPACE))
}

fn stage(row: &Row<'_>, column: &str) -> Result<LifecycleStage, ImportError> {
    match row.text(column)? {
        None => Ok(LifecycleStage::Active),
        Some(s) => LifecycleStage::parse(s)
            .ok_or_else(|| row.invalid(column, format!("'{s}' is neither 'active' nor 'deleted'"))),
    }
}

/// `key → value` of a key-value table (`params`, `tags`, `experiment_tags`) grouped by
/// its owner column; keys an `mlruns` store cannot hold as file names are left out.
fn values_by_owner<'b>(
    imp: &mut Import<'b>,
    table: &str,
    owner: &str,
    kind: KeyKind,
) -> Result<HashMap<String, BTreeMap<String, String>>, ImportError> {
    let rows = Rows::of(imp.bundle, imp.db, table, &["key", "value", owner])?;
    let mut out: HashMap<String, BTreeMap<String, String>> = HashMap::new();
    for r in rows.iter() {
        let key = r.required_text("key")?;
        let id = r.id(owner)?;
        if let Err(e) = rules::validate_key(kind, key) {
            imp.skipped(format!("{table} of {owner} {id}"), format!("{e}"));
            continue;
        }
        let value = match r.text("value")? {
            Some(v) => v.to_owned(),
            None => {
                imp.null_values += 1;
                String::new()
            }
        };
        out.entry(id).or_default().insert(key.to_owned(), value);
    }
    Ok(out)
}

/// Reads the experiments (of the default workspace) into `imp.snap`, remembering each
/// one's place in the store (`"<id>/"`, or `".trash/<id>/"` when deleted).
pub(super) fn read_experiments(imp: &mut Import<'_>) -> Result<(), ImportError> {
    let rows = Rows::of(
        imp.bundle,
        imp.db,
        "experiments",
        &["experiment_id", "name"],
    )?;
    if !rows.exists() {
        return Err(ImportError::at(
            ImportErrorKind::NotAStore,
            imp.db,
            "the database has no 'experiments' table, so it is not an MLflow tracking store",
        ));
    }
    let mut tags = values_by_owner(imp, "experiment_tags", "experiment_id", KeyKind::Tag)?;
    let mut other_workspaces = Vec::new();
    for r in rows.iter() {
        let id = r.id("experiment_id")?;
        rules::validate_experiment_id(&id).map_err(|e| r.invalid("experiment_id", e))?;
        let name = r.required_text("name")?;
        if !in_default_workspace(&r)? {
            other_workspaces.push(name.to_owned());
            continue;
        }
        let lifecycle_stage = stage(&r, "lifecycle_stage")?;
        let loc = match lifecycle_stage {
            LifecycleStage::Active => format!("{id}/"),
            LifecycleStage::Deleted => format!(".trash/{id}/"),
        };
        let location = r.text("artifact_location")?.unwrap_or_default();
        imp.locations.insert(id.clone(), (loc, location.to_owned()));
        imp.snap.experiments.push(Experiment {
            experiment_id: id.clone(),
            name: name.to_owned(),
            artifact_location: exported_uri(location),
            lifecycle_stage,
            creation_time: r.int("creation_time")?,
            last_update_time: r.int("last_update_time")?,
            tags: tags.remove(&id).unwrap_or_default(),
        });
    }
    if let Some(first) = other_workspaces.first() {
        imp.snap.warnings.push(format!(
            "{} experiments belong to workspaces other than '{DEFAULT_WORKSPACE}' (e.g. \
             '{first}'); Ferroflow holds one workspace, so they were not imported.",
            other_workspaces.len()
        ));
    }
    Ok(())
}

/// A metric point as stored: NaN is `value 0, is_nan 1`.
struct Stored {
    timestamp: i64,
    step: i64,
    value: f64,
    nan: bool,
}

impl Stored {
    fn point(&self) -> MetricPoint {
        MetricPoint {
            timestamp: self.timestamp,
            value: if self.nan { f64::NAN } else { self.value },
            step: self.step,
        }
    }
}

/// Metric histories by run and key, each in the order `get_metric_history` returns
/// (timestamp, step, stored value).
fn histories<'b>(imp: &mut Import<'b>) -> Result<ByRun<'b, Vec<MetricPoint>>, ImportError> {
    let rows = Rows::of(
        imp.bundle,
        imp.db,
        "metrics",
        &["key", "value", "timestamp", "run_uuid"],
    )?;
    let mut by_run: HashMap<&'b str, HashMap<&'b str, Vec<Stored>>> = HashMap::new();
    for r in rows.iter() {
        let key = r.required_text("key")?;
        let run = r.required_text("run_uuid")?;
        let null = |c: &str| r.invalid(c, "NULL where MLflow always writes a value");
        let value = r.float("value")?.ok_or_else(|| null("value"))?;
        let timestamp = r.int("timestamp")?.ok_or_else(|| null("timestamp"))?;
        let step = r.int("step")?.unwrap_or(0);
        let nan = r.flag("is_nan")?;
        by_run
            .entry(run)
            .or_default()
            .entry(key)
            .or_default()
            .push(Stored {
                timestamp,
                step,
                value,
                nan,
            });
    }
    let mut out = HashMap::with_capacity(by_run.len());
    for (run, keys) in by_run {
        let mut sorted = BTreeMap::new();
        for (key, mut points) in keys {
            if let Err(e) = rules::validate_key(KeyKind::Metric, key) {
                imp.skipped(format!("metrics of run {run}"), format!("{e}"));
                continue;
            }
            // A stable sort: ties keep the order they were logged in.
            points.sort_by(|a, b| {
                (a.timestamp, a.step)
                    .cmp(&(b.timestamp, b.step))
                    .then(a.value.total_cmp(&b.value))
            });
            sorted.insert(key, points.iter().map(Stored::point).collect());
        }
        out.insert(run, sorted);
    }
    Ok(out)
}

/// Points by run id, then metric key.
type ByRun<'b, T> = HashMap<&'b str, BTreeMap<&'b str, T>>;

/// Latest values by run and key from `latest_metrics` (what `get_run` shows), or
/// `None` when the schema has no such table.
fn latest<'b>(imp: &Import<'b>) -> Result<Option<ByRun<'b, MetricPoint>>, ImportError> {
    let rows = Rows::of(
        imp.bundle,
        imp.db,
        "latest_metrics",
        &["key", "value", "run_uuid"],
    )?;
    if !rows.exists() {
        return Ok(None);
    }
    let mut out: ByRun<'b, MetricPoint> = HashMap::new();
    for r in rows.iter() {
        let value = r.float("value")?.unwrap_or(0.0);
        let point = MetricPoint {
            timestamp: r.int("timestamp")?.unwrap_or(0),
            value: if r.flag("is_nan")? { f64::NAN } else { value },
            step: r.int("step")?.unwrap_or(0),
        };
        (out.entry(r.required_text("run_uuid")?).or_default())
            .insert(r.required_text("key")?, point);
    }
    Ok(Some(out))
}

/// The latest point as MLflow picks it when it logs: the max by (step, timestamp,
/// value).
fn latest_of(points: &[MetricPoint]) -> Option<MetricPoint> {
    let mut best: Option<MetricPoint> = None;
    for p in points {
        if best.is_none_or(|b| p.is_later_than(&b)) {
            best = Some(*p);
        }
    }
    best
}

/// Reads the runs of the imported experiments, with everything they hold.
pub(super) fn read_runs(imp: &mut Import<'_>) -> Result<(), ImportError> {
    let runs = Rows::of(imp.bundle, imp.db, "runs", &["run_uuid", "experiment_id"])?;
    let mut params = values_by_owner(imp, "params", "run_uuid", KeyKind::Param)?;
    let mut tags = values_by_owner(imp, "tags", "run_uuid", KeyKind::Tag)?;
    let mut histories = histories(imp)?;
    let latest = latest(imp)?;
    let mut orphans = 0usize;
    let mut no_start = 0usize;
    for r in runs.iter() {
        let run_id = r.required_text("run_uuid")?;
        rules::validate_run_id(run_id).map_err(|e| r.invalid("run_uuid", e))?;
        let exp = r.id("experiment_id")?;
        let Some((loc, _)) = imp.locations.get(&exp).cloned() else {
            orphans += 1;
            continue;
        };
        let status = match r.text("status")? {
            None => RunStatus::Running,
            Some(s) => RunStatus::parse(s)
                .ok_or_else(|| r.invalid("status", format!("'{s}' is not a run status")))?,
        };
        let start_time = r.int("start_time")?.unwrap_or_else(|| {
            no_start += 1;
            0
        });
        let tags = tags.remove(run_id).unwrap_or_default();
        let run_name = match r.text("name")? {
            Some(n) if !n.is_empty() => n.to_owned(),
            _ => tags.get(rules::TAG_RUN_NAME).cloned().unwrap_or_default(),
        };
        let history: BTreeMap<String, Vec<MetricPoint>> = histories
            .remove(run_id)
            .unwrap_or_default()
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect();
        let stored_latest = latest.as_ref().and_then(|l| l.get(run_id));
        let mut metrics: BTreeMap<String, MetricPoint> = stored_latest
            .into_iter()
            .flatten()
            .filter(|(k, _)| rules::validate_key(KeyKind::Metric, k).is_ok())
            .map(|(k, p)| (k.to_string(), *p))
            .collect();
        for (key, points) in &history {
            if !metrics.contains_key(key) {
                if let Some(p) = latest_of(points) {
                    metrics.insert(key.clone(), p);
                }
            }
        }
        let artifact_uri = r.text("artifact_uri")?.unwrap_or_default();
        let artifacts = imp.artifacts_at(artifact_uri, &format!("{loc}{run_id}/artifacts/"));
        imp.snap.runs.push(RunRecord {
            run: Run {
                info: RunInfo {
                    run_id: run_id.to_owned(),
                    run_name,
                    experiment_id: exp.clone(),
                    status,
                    start_time,
                    end_time: r.int("end_time")?,
                    lifecycle_stage: stage(&r, "lifecycle_stage")?,
                    artifact_uri: exported_uri(artifact_uri),
                    user_id: r.text("user_id")?.unwrap_or_default().to_owned(),
                    deleted_time: r.int("deleted_time")?,
                },
                params: params.remove(run_id).unwrap_or_default(),
                tags,
                metrics,
                metric_ranges: BTreeMap::new(),
            },
            history,
            artifacts,
        });
        imp.run_locations.insert(run_id.to_owned(), loc);
    }
    if orphans > 0 {
        imp.snap.warnings.push(format!(
            "{orphans} runs belong to experiments that were not imported (another workspace, \
             or missing); they were not imported."
        ));
    }
    if no_start > 0 {
        imp.snap.warnings.push(format!(
            "{no_start} runs have no start time in the database; they were imported with \
             start time 0."
        ));
    }
    Ok(())
}

/// Run inputs (datasets, logged models used) and outputs (logged models made), as the
/// files MLflow's file store keeps for them.
pub(super) fn read_inputs<'b>(imp: &mut Import<'b>) -> Result<(), ImportError> {
    let datasets = Rows::of(
        imp.bundle,
        imp.db,
        "datasets",
        &["dataset_uuid", "name", "digest"],
    )?;
    let inputs = Rows::of(
        imp.bundle,
        imp.db,
        "inputs",
        &[
            "source_type",
            "source_id",
            "destination_type",
            "destination_id",
        ],
    )?;
    let input_tags = Rows::of(
        imp.bundle,
        imp.db,
        "input_tags",
        &["input_uuid", "name", "value"],
    )?;
    let mut by_uuid: HashMap<&'b str, Row<'b>> = HashMap::new();
    for r in datasets.iter() {
        by_uuid.insert(r.required_text("dataset_uuid")?, r);
    }
    let mut tags: HashMap<&'b str, BTreeMap<&'b str, &'b str>> = HashMap::new();
    for r in input_tags.iter() {
        (tags.entry(r.required_text("input_uuid")?).or_default()).insert(
            r.required_text("name")?,
            r.text("value")?.unwrap_or_default(),
        );
    }
    let mut unknown = 0usize;
    for r in inputs.iter() {
        let source = r.required_text("source_id")?;
        let destination = r.required_text("destination_id")?;
        let kinds = (
            r.required_text("source_type")?,
            r.required_text("destination_type")?,
        );
        let run = match kinds {
            ("DATASET", "RUN") => destination,
            ("RUN_INPUT", "MODEL_INPUT") | ("RUN_OUTPUT", "MODEL_OUTPUT") => source,
            _ => {
                unknown += 1;
                continue;
            }
        };
        let Some(loc) = imp.run_locations.get(run).cloned() else {
            continue; // a run not imported
        };
        match kinds {
            ("DATASET", _) => {
                let Some(d) = by_uuid.get(source) else {
                    imp.skipped(
                        format!("a dataset input of run {run}"),
                        format!("dataset {source} is not in the datasets table"),
                    );
                    continue;
                };
                let (name, digest) = (d.required_text("name")?, d.required_text("digest")?);
                let dataset_id = inputs::dataset_id(name, digest);
                let meta = inputs::dataset_meta(&DatasetMeta {
                    name,
                    digest,
                    source_type: d.text("dataset_source_type")?,
                    source: d.text("dataset_source")?,
                    schema: d.text("dataset_schema")?,
                    profile: d.text("dataset_profile")?,
                });
                // In the run's experiment, where MLflow's file store looks for it.
                (imp.snap.extra_files)
                    .insert(format!("{loc}datasets/{dataset_id}/meta.yaml"), meta);
                let input_tags = r.text("input_uuid")?.and_then(|u| tags.get(u));
                let meta = inputs::dataset_input_meta(
                    &dataset_id,
                    input_tags.into_iter().flatten().map(|(k, v)| (*k, *v)),
                );
                let id = inputs::dataset_input_id(&dataset_id, run);
                (imp.snap.extra_files).insert(format!("{loc}{run}/inputs/{id}/meta.yaml"), meta);
            }
            ("RUN_INPUT", _) => {
                let id = inputs::model_input_id(destination, run);
                (imp.snap.extra_files).insert(
                    format!("{loc}{run}/inputs/{id}/meta.yaml"),
                    inputs::model_input_meta(destination),
                );
            }
            _ => {
                rules::validate_run_id(destination).map_err(|e| r.invalid("destination_id", e))?;
                let step = r.int("step")?.unwrap_or(0);
                (imp.snap.extra_files).insert(
                    format!("{loc}{run}/outputs/{destination}/meta.yaml"),
                    inputs::model_output_meta(destination, step),
                );
            }
        }
    }
    if unknown > 0 {
        imp.snap.warnings.push(format!(
            "{unknown} rows of the inputs table link kinds of entities Ferroflow does not \
             know; they were not imported."
        ));
    }
    Ok(())
}

impl Import<'_> {
    /// The artifact files at `uri`, taken out of the upload; empty folders among them
    /// are kept as the store's empty folders under `store_dir` (`<loc><run>/artifacts/`).
    pub(super) fn artifacts_at(&mut self, uri: &str, store_dir: &str) -> BTreeMap<String, Vec<u8>> {
        if uri.is_empty() {
            return BTreeMap::new();
        }
        let Some(folder) = self.roots.folder_of(uri) else {
            if self.with_files {
                self.elsewhere.push(uri.to_owned());
            }
            return BTreeMap::new();
        };
        let (files, dirs) = take(&mut self.beside, &folder);
        (self.snap.extra_dirs).extend(dirs.into_iter().map(|d| format!("{store_dir}{d}")));
        files
    }
}
