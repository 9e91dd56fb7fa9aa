//! Logged models (MLflow 3's `logged_models*` tables) and the model registry
//! (`registered_models`, `model_versions`, their tags and aliases) from `mlflow.db`.

use std::collections::{BTreeMap, HashMap};

use crate::core::interchange::mlruns::ImportError;
use crate::core::interchange::LoggedModelRecord;
use crate::core::models::{LoggedModel, LoggedModelMetric, LoggedModelStatus};
use crate::core::registry::{ModelVersion, RegisteredModel, Stage, VersionStatus};
use crate::core::tracking::model::LifecycleStage;
use crate::core::tracking::rules::{self, KeyKind};

use super::artifacts::exported_uri;
use super::rows::Rows;
use super::tracking::in_default_workspace;
use super::Import;

/// `key → value` of a logged model's params or tags, by model id.
fn model_values(
    imp: &mut Import<'_>,
    table: &str,
    key: &str,
    value: &str,
    kind: KeyKind,
) -> Result<HashMap<String, BTreeMap<String, String>>, ImportError> {
    let rows = Rows::of(imp.bundle, imp.db, table, &["model_id", key, value])?;
    let mut out: HashMap<String, BTreeMap<String, String>> = HashMap::new();
    for r in rows.iter() {
        let (id, k) = (r.required_text("model_id")?, r.required_text(key)?);
        if let Err(e) = rules::validate_key(kind, k) {
            imp.skipped(format!("{table} of logged model {id}"), format!("{e}"));
            continue;
        }
        let v = r.text(value)?.unwrap_or_default();
        out.entry(id.to_owned())
            .or_default()
            .insert(k.to_owned(), v.to_owned());
    }
    Ok(out)
}

/// Reads the logged models of the imported experiments, with their files.
pub(super) fn read_logged_models(imp: &mut Import<'_>) -> Result<(), ImportError> {
    let models = Rows::of(
        imp.bundle,
        imp.db,
        "logged_models",
        &["model_id", "experiment_id", "name"],
    )?;
    let mut params = model_values(
        imp,
        "logged_model_params",
        "param_key",
        "param_value",
        KeyKind::Param,
    )?;
    let mut tags = model_values(
        imp,
        "logged_model_tags",
        "tag_key",
        "tag_value",
        KeyKind::Tag,
    )?;
    let metric_rows = Rows::of(
        imp.bundle,
        imp.db,
        "logged_model_metrics",
        &[
            "model_id",
            "metric_name",
            "metric_timestamp_ms",
            "metric_step",
            "metric_value",
        ],
    )?;
    let mut metrics: HashMap<&str, Vec<LoggedModelMetric>> = HashMap::new();
    for r in metric_rows.iter() {
        let text = |c: &str| r.text(c).map(|t| t.map(str::to_owned));
        metrics
            .entry(r.required_text("model_id")?)
            .or_default()
            .push(LoggedModelMetric {
                key: r.required_text("metric_name")?.to_owned(),
                // No is_nan column here: SQLite stores a NaN as NULL.
                value: r.float("metric_value")?.unwrap_or(f64::NAN),
                timestamp: r.int("metric_timestamp_ms")?.unwrap_or(0),
                step: r.int("metric_step")?.unwrap_or(0),
                run_id: text("run_id")?,
                dataset_name: text("dataset_name")?,
                dataset_digest: text("dataset_digest")?,
            });
    }
    for r in models.iter() {
        let model_id = r.required_text("model_id")?;
        rules::validate_run_id(model_id).map_err(|e| r.invalid("model_id", e))?;
        let exp = r.id("experiment_id")?;
        let Some((loc, _)) = imp.locations.get(&exp).cloned() else {
            continue; // its experiment was not imported (counted with the runs)
        };
        let code = r.int("status")?.unwrap_or(2);
        let Some(status) = LoggedModelStatus::from_int(code) else {
            imp.skipped(
                format!("logged model {model_id}"),
                format!("status {code} is not one Ferroflow holds (1 pending, 2 ready, 3 failed)"),
            );
            continue;
        };
        let lifecycle_stage = match r.text("lifecycle_stage")? {
            None => LifecycleStage::Active,
            Some(s) => LifecycleStage::parse(s).ok_or_else(|| {
                r.invalid(
                    "lifecycle_stage",
                    format!("'{s}' is neither 'active' nor 'deleted'"),
                )
            })?,
        };
        let location = r.text("artifact_location")?.unwrap_or_default();
        let artifacts = imp.artifacts_at(location, &format!("{loc}models/{model_id}/artifacts/"));
        let creation = r.int("creation_timestamp_ms")?.unwrap_or(0);
        let text = |c: &str| r.text(c).map(|t| t.map(str::to_owned));
        imp.snap.logged_models.push(LoggedModelRecord {
            model: LoggedModel {
                model_id: model_id.to_owned(),
                experiment_id: exp,
                name: r.required_text("name")?.to_owned(),
                artifact_location: exported_uri(location),
                creation_timestamp: creation,
                last_updated_timestamp: r.int("last_updated_timestamp_ms")?.unwrap_or(creation),
                model_type: text("model_type")?,
                source_run_id: text("source_run_id")?,
                status,
                status_message: text("status_message")?,
                lifecycle_stage,
                params: params.remove(model_id).unwrap_or_default(),
                tags: tags.remove(model_id).unwrap_or_default(),
                metrics: metrics.remove(model_id).unwrap_or_default(),
            },
            artifacts,
        });
    }
    Ok(())
}

/// Reads the registry (of the default workspace).
pub(super) fn read_registry(imp: &mut Import<'_>) -> Result<(), ImportError> {
    let (bundle, db) = (imp.bundle, imp.db);
    let models = Rows::of(bundle, db, "registered_models", &["name"])?;
    let model_tags = Rows::of(
        bundle,
        db,
        "registered_model_tags",
        &["key", "value", "name"],
    )?;
    let aliases = Rows::of(
        bundle,
        db,
        "registered_model_aliases",
        &["alias", "version", "name"],
    )?;
    let versions = Rows::of(bundle, db, "model_versions", &["name", "version"])?;
    let version_tags = Rows::of(
        bundle,
        db,
        "model_version_tags",
        &["key", "value", "name", "version"],
    )?;

    let mut registry: BTreeMap<String, RegisteredModel> = BTreeMap::new();
    let mut elsewhere = 0usize;
    for r in models.iter() {
        let name = r.required_text("name")?;
        if !in_default_workspace(&r)? {
            elsewhere += 1;
            continue;
        }
        registry.insert(
            name.to_owned(),
            RegisteredModel {
                name: name.to_owned(),
                creation_timestamp: r.int("creation_time")?,
                last_updated_timestamp: r.int("last_updated_time")?,
                description: r.text("description")?.map(str::to_owned),
                tags: BTreeMap::new(),
                aliases: BTreeMap::new(),
                versions: BTreeMap::new(),
            },
        );
    }
    for r in model_tags.iter() {
        if !in_default_workspace(&r)? {
            continue;
        }
        if let Some(m) = registry.get_mut(r.required_text("name")?) {
            let value = r.text("value")?.unwrap_or_default();
            m.tags
                .insert(r.required_text("key")?.to_owned(), value.to_owned());
        }
    }
    let mut vtags: HashMap<(&str, i64), BTreeMap<String, String>> = HashMap::new();
    for r in version_tags.iter() {
        if !in_default_workspace(&r)? {
            continue;
        }
        let version = r.int("version")?.unwrap_or(0);
        (vtags
            .entry((r.required_text("name")?, version))
            .or_default())
        .insert(
            r.required_text("key")?.to_owned(),
            r.text("value")?.unwrap_or_default().to_owned(),
        );
    }
    for r in versions.iter() {
        if !in_default_workspace(&r)? {
            continue;
        }
        let name = r.required_text("name")?;
        let number = r.int("version")?.unwrap_or(0);
        let Some(model) = registry.get_mut(name) else {
            continue; // no such registered model (nor does MLflow show the version)
        };
        let Some(version) = u64::try_from(number).ok().filter(|v| *v > 0) else {
            return Err(r.invalid("version", format!("{number} is not a version number")));
        };
        let what = format!("version {version} of registered model '{name}'");
        let stored = r.text("current_stage")?;
        let Some(current_stage) = stored
            .map_or(Some(Stage::None), Stage::parse)
            .filter(|s| stored.is_none_or(|st| st == s.as_str()))
        else {
            imp.skipped(what, format!("stage {stored:?} is not one of MLflow's"));
            continue;
        };
        let status = match r.text("status")? {
            None => VersionStatus::Ready,
            Some(s) => match VersionStatus::parse(s) {
                Some(st) => st,
                None => {
                    imp.skipped(what, format!("status '{s}' is not one of MLflow's"));
                    continue;
                }
            },
        };
        let text = |c: &str| r.text(c).map(|t| t.map(str::to_owned));
        model.versions.insert(
            version,
            ModelVersion {
                name: name.to_owned(),
                version,
                creation_timestamp: r.int("creation_time")?.unwrap_or(0),
                last_updated_timestamp: r.int("last_updated_time")?,
                description: text("description")?,
                user_id: text("user_id")?,
                current_stage,
                source: text("source")?.map(|s| exported_uri(&s)),
                run_id: text("run_id")?,
                run_link: text("run_link")?,
                status,
                status_message: text("status_message")?,
                tags: vtags.remove(&(name, number)).unwrap_or_default(),
                // The SQL store has no model_id column: MLflow returns none.
                model_id: None,
                storage_location: text("storage_location")?.map(|s| exported_uri(&s)),
            },
        );
    }
    for r in aliases.iter() {
        if !in_default_workspace(&r)? {
            continue;
        }
        let (name, alias) = (r.required_text("name")?, r.required_text("alias")?);
        let version = r
            .int("version")?
            .and_then(|v| u64::try_from(v).ok())
            .unwrap_or(0);
        let Some(model) = registry.get_mut(name) else {
            continue;
        };
        match model.versions.get(&version) {
            Some(v) if !v.is_deleted() => {
                model.aliases.insert(alias.to_owned(), version);
            }
            _ => imp.skipped(
                format!("alias '{alias}' of registered model '{name}'"),
                format!("it names version {version}, which the database does not hold"),
            ),
        }
    }
    if elsewhere > 0 {
        imp.snap.warnings.push(format!(
            "{elsewhere} registered models belong to workspaces other than 'default'; they were \
             not imported."
        ));
    }
    imp.snap.registered_models = registry.into_values().collect();
    Ok(())
}
