//! Checks a snapshot against an `oracle.py dump` / `oracle_db.py dump` of the store it
//! was imported from: what MLflow showed is what the snapshot holds (shared by the
//! mlruns and mlflow.db fixture tests).
#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};

use ferroflow::core::float_serde;
use ferroflow::core::interchange::Snapshot;
use ferroflow::core::models::LoggedModelMetric;
use ferroflow::core::tracking::model::{LifecycleStage, MetricPoint};
use serde_json::{json, Value};

/// `"file://$ROOT/1/x"` (oracle form) matches `"file:///tmp/…/mlruns/1/x"`; a tracking
/// server's `"mlflow-artifacts:/1/x"` matches the `"mlruns/1/x"` an import records.
pub fn uri_matches(oracle: &Value, ours: &str) -> bool {
    let oracle = oracle.as_str().unwrap_or_default();
    if let Some(path) = oracle.strip_prefix("mlflow-artifacts:/") {
        return ours == format!("mlruns/{path}");
    }
    match oracle.split_once("$ROOT") {
        Some((head, tail)) => ours.starts_with(head) && ours.ends_with(tail),
        None => oracle == ours,
    }
}

pub fn point_json(p: &MetricPoint) -> Value {
    let v = serde_json::to_value(p).expect("point serializes");
    json!([v["timestamp"], v["value"], v["step"]])
}

pub fn float_json(v: f64) -> Value {
    if v.is_finite() {
        json!(v)
    } else {
        json!(float_serde::non_finite_name(v))
    }
}

pub fn check_against_oracle(name: &str, snap: &Snapshot, dump: &Value) {
    let exps = dump["experiments"].as_object().expect("experiments");
    let ours: BTreeSet<&str> = snap
        .experiments
        .iter()
        .map(|e| e.experiment_id.as_str())
        .collect();
    let theirs: BTreeSet<&str> = exps.keys().map(String::as_str).collect();
    assert_eq!(ours, theirs, "{name}: experiment ids");
    for e in &snap.experiments {
        let o = &exps[&e.experiment_id];
        let ctx = format!("{name}: experiment {}", e.experiment_id);
        assert_eq!(o["name"], json!(e.name), "{ctx}");
        assert_eq!(
            o["lifecycle_stage"],
            json!(e.lifecycle_stage.as_str()),
            "{ctx}"
        );
        assert_eq!(o["creation_time"], json!(e.creation_time), "{ctx}");
        assert_eq!(o["last_update_time"], json!(e.last_update_time), "{ctx}");
        assert_eq!(o["tags"], json!(e.tags), "{ctx}");
        assert!(
            uri_matches(&o["artifact_location"], &e.artifact_location),
            "{ctx}"
        );
        let runs = o["runs"].as_object().expect("runs");
        let ours: BTreeSet<&str> = snap
            .runs
            .iter()
            .filter(|r| r.run.info.experiment_id == e.experiment_id)
            .map(|r| r.run.info.run_id.as_str())
            .collect();
        assert_eq!(
            ours,
            runs.keys().map(String::as_str).collect(),
            "{ctx}: run ids"
        );
    }
    for r in &snap.runs {
        let info = &r.run.info;
        let o = &exps[&info.experiment_id]["runs"][&info.run_id];
        let ctx = format!("{name}: run {}", info.run_id);
        let oi = &o["info"];
        assert_eq!(oi["run_name"], json!(info.run_name), "{ctx}");
        assert_eq!(oi["user_id"], json!(info.user_id), "{ctx}");
        assert_eq!(oi["status"], json!(info.status.as_str()), "{ctx}");
        assert_eq!(oi["start_time"], json!(info.start_time), "{ctx}");
        assert_eq!(oi["end_time"], json!(info.end_time), "{ctx}");
        assert_eq!(
            oi["lifecycle_stage"],
            json!(info.lifecycle_stage.as_str()),
            "{ctx}"
        );
        assert!(
            uri_matches(&oi["artifact_uri"], &info.artifact_uri),
            "{ctx}"
        );
        assert_eq!(o["params"], json!(r.run.params), "{ctx}: params");
        assert_eq!(o["tags"], json!(r.run.tags), "{ctx}: tags");
        for (key, p) in &r.run.metrics {
            let om = &o["metrics"][key];
            assert_eq!(om["value"], float_json(p.value), "{ctx}: latest {key}");
            assert_eq!(om["timestamp"], json!(p.timestamp), "{ctx}: latest {key}");
            assert_eq!(om["step"], json!(p.step), "{ctx}: latest {key}");
        }
        assert_eq!(
            o["metrics"].as_object().map(|m| m.len()),
            Some(r.run.metrics.len()),
            "{ctx}: metric keys"
        );
        let history: BTreeMap<&String, Vec<Value>> = r
            .history
            .iter()
            .map(|(k, pts)| (k, pts.iter().map(point_json).collect()))
            .collect();
        assert_eq!(o["metric_history"], json!(history), "{ctx}: histories");
        // The oracle lists artifacts where MLflow finds them: none for runs of deleted
        // experiments (their URIs still point at the root).
        let listed: BTreeMap<&String, Value> = o["artifacts"]
            .as_object()
            .expect("artifacts")
            .iter()
            .filter(|(_, a)| a["is_dir"] == json!(false))
            .map(|(p, a)| (p, a["size"].clone()))
            .collect();
        let exp_deleted = snap.experiments.iter().any(|e| {
            e.experiment_id == info.experiment_id && e.lifecycle_stage == LifecycleStage::Deleted
        });
        if !exp_deleted {
            let ours: BTreeMap<&String, Value> = r
                .artifacts
                .iter()
                .map(|(p, d)| (p, json!(d.len())))
                .collect();
            assert_eq!(ours, listed, "{ctx}: artifacts");
        }
    }
    check_models_against_oracle(name, snap, dump);
    let summary = snap.summary();
    assert_eq!(
        summary.registered_models,
        dump["registered_models"].as_object().map_or(0, |m| m.len()),
        "{name}: registered models"
    );
}

/// Values sorted by their JSON text (the oracle lists metrics and such as sets).
pub fn sorted(mut values: Vec<Value>) -> Vec<Value> {
    values.sort_by_key(|v| v.to_string());
    values
}

/// Files and sizes of an oracle `artifacts` listing.
pub fn listed_files(artifacts: &Value) -> BTreeMap<String, Value> {
    artifacts
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(_, a)| a["is_dir"] == json!(false))
        .map(|(p, a)| (p.clone(), a["size"].clone()))
        .collect()
}

/// Logged models and the registry as MLflow showed them (`oracle.py dump`).
pub fn check_models_against_oracle(name: &str, snap: &Snapshot, dump: &Value) {
    for e in &snap.experiments {
        let listed = &dump["experiments"][&e.experiment_id]["logged_models"];
        // MLflow hides deleted models.
        let ours: BTreeSet<&str> = (snap.logged_models.iter())
            .map(|r| &r.model)
            .filter(|m| m.experiment_id == e.experiment_id)
            .filter(|m| m.lifecycle_stage == LifecycleStage::Active)
            .map(|m| m.model_id.as_str())
            .collect();
        let theirs: BTreeSet<&str> = (listed.as_object().into_iter().flatten())
            .map(|(k, _)| k.as_str())
            .collect();
        assert_eq!(ours, theirs, "{name}: logged models of {}", e.experiment_id);
    }
    for r in &snap.logged_models {
        let m = &r.model;
        let o = &dump["experiments"][&m.experiment_id]["logged_models"][&m.model_id];
        if o.is_null() {
            continue; // deleted
        }
        let ctx = format!("{name}: logged model {}", m.model_id);
        for (key, ours) in [
            ("name", json!(m.name)),
            ("experiment_id", json!(m.experiment_id)),
            ("status", json!(m.status)),
            ("status_message", json!(m.status_message)),
            ("model_type", json!(m.model_type)),
            ("source_run_id", json!(m.source_run_id)),
            ("creation_timestamp", json!(m.creation_timestamp)),
            ("last_updated_timestamp", json!(m.last_updated_timestamp)),
            ("tags", json!(m.tags)),
            ("params", json!(m.params)),
        ] {
            assert_eq!(o[key], ours, "{ctx}: {key}");
        }
        assert!(
            uri_matches(&o["artifact_location"], &m.artifact_location),
            "{ctx}"
        );
        // MLflow shows, per metric and dataset, the max by (step, timestamp, value).
        let mut best: BTreeMap<(&str, Option<&str>, Option<&str>), &LoggedModelMetric> =
            BTreeMap::new();
        for p in &m.metrics {
            let key = (
                p.key.as_str(),
                p.dataset_name.as_deref(),
                p.dataset_digest.as_deref(),
            );
            let later = |b: &LoggedModelMetric| {
                (p.step, p.timestamp) > (b.step, b.timestamp)
                    || ((p.step, p.timestamp) == (b.step, b.timestamp) && p.value > b.value)
            };
            if best.get(&key).is_none_or(|b| later(b)) {
                best.insert(key, p);
            }
        }
        let ours = best
            .values()
            .map(|p| {
                json!([
                    p.key,
                    p.timestamp,
                    float_json(p.value),
                    p.step,
                    p.run_id,
                    p.dataset_name,
                    p.dataset_digest
                ])
            })
            .collect();
        let theirs = o["metrics"].as_array().cloned().unwrap_or_default();
        assert_eq!(sorted(ours), sorted(theirs), "{ctx}: metrics");
        let ours: BTreeMap<String, Value> = (r.artifacts.iter())
            .map(|(p, d)| (p.clone(), json!(d.len())))
            .collect();
        assert_eq!(ours, listed_files(&o["artifacts"]), "{ctx}: artifacts");
    }
    let registry = dump["registered_models"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    let ours: BTreeSet<&str> = snap
        .registered_models
        .iter()
        .map(|m| m.name.as_str())
        .collect();
    assert_eq!(
        ours,
        registry.keys().map(String::as_str).collect(),
        "{name}: registered models"
    );
    for m in &snap.registered_models {
        let o = &registry[&m.name];
        let ctx = format!("{name}: registered model {}", m.name);
        let aliases: BTreeMap<&String, String> =
            m.aliases.iter().map(|(a, v)| (a, v.to_string())).collect();
        let latest = sorted(
            (m.latest_versions().into_iter())
                .map(|v| json!([v.version.to_string(), v.current_stage.as_str()]))
                .collect(),
        );
        for (key, ours) in [
            ("creation_timestamp", json!(m.creation_timestamp)),
            ("last_updated_timestamp", json!(m.last_updated_timestamp)),
            ("description", json!(m.description)),
            ("tags", json!(m.tags)),
            ("aliases", json!(aliases)),
            ("latest_versions", json!(latest)),
        ] {
            assert_eq!(o[key], ours, "{ctx}: {key}");
        }
        // MLflow hides deleted versions.
        let versions = o["versions"].as_object().cloned().unwrap_or_default();
        let live: BTreeSet<String> = m.live_versions().map(|v| v.version.to_string()).collect();
        assert_eq!(live, versions.keys().cloned().collect(), "{ctx}: versions");
        for v in m.live_versions() {
            let ov = &versions[&v.version.to_string()];
            let ctx = format!("{ctx} v{}", v.version);
            for (key, ours) in [
                ("name", json!(v.name)),
                ("creation_timestamp", json!(v.creation_timestamp)),
                ("last_updated_timestamp", json!(v.last_updated_timestamp)),
                ("description", json!(v.description)),
                ("current_stage", json!(v.current_stage.as_str())),
                ("run_id", json!(v.run_id)),
                ("run_link", json!(v.run_link)),
                ("status", json!(v.status.as_str())),
                ("status_message", json!(v.status_message)),
                ("user_id", json!(v.user_id)),
                ("tags", json!(v.tags)),
                ("aliases", json!(m.aliases_of(v.version))),
                (
                    "model_id",
                    json!(v.model_id.as_deref().filter(|id| !id.is_empty())),
                ),
            ] {
                assert_eq!(ov[key], ours, "{ctx}: {key}");
            }
            let source = v.source.as_deref().unwrap_or_default();
            assert!(uri_matches(&ov["source"], source), "{ctx}: source");
        }
    }
}
