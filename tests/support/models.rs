//! Shared by the mlruns model tests: browser-like experiments and runs, snapshots as
//! comparable JSON, MLflow's dump checked against a snapshot, and running the oracle's
//! Python scripts.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::process::Command;

use ferroflow::core::interchange::mlruns::{import_archive, ArchiveLimits};
use ferroflow::core::interchange::{RunRecord, Snapshot};
use ferroflow::core::models::LoggedModelMetric;
use ferroflow::core::tracking::model::{Experiment, LifecycleStage, Run, RunInfo, RunStatus};
use serde_json::{json, Value};

use super::same_f64;

pub const T0: i64 = 1_700_000_000_000;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn import(bytes: &[u8]) -> Snapshot {
    import_archive(bytes, &ArchiveLimits::default()).unwrap_or_else(|e| panic!("import: {e}"))
}

pub fn experiment(id: &str) -> Experiment {
    Experiment {
        experiment_id: id.into(),
        name: format!("browser experiment {id}"),
        artifact_location: format!("mlruns/{id}"),
        lifecycle_stage: LifecycleStage::Active,
        creation_time: Some(T0),
        last_update_time: Some(T0),
        tags: BTreeMap::new(),
    }
}

pub fn run(experiment_id: &str, run_id: &str) -> RunRecord {
    RunRecord {
        run: Run {
            info: RunInfo {
                run_id: run_id.into(),
                run_name: "train".into(),
                experiment_id: experiment_id.into(),
                status: RunStatus::Finished,
                start_time: T0,
                end_time: Some(T0 + 1000),
                lifecycle_stage: LifecycleStage::Active,
                artifact_uri: format!("mlruns/{experiment_id}/{run_id}/artifacts"),
                user_id: "browser".into(),
                deleted_time: None,
            },
            params: [("units".to_string(), "8".to_string())].into(),
            tags: [("mlflow.runName".to_string(), "train".to_string())].into(),
            metrics: BTreeMap::new(),
            metric_ranges: BTreeMap::new(),
        },
        history: BTreeMap::new(),
        artifacts: BTreeMap::new(),
    }
}

pub fn python() -> Option<String> {
    std::env::var("ORACLE_PYTHON").ok()
}

pub fn write_export(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = root().join("target/roundtrip");
    std::fs::create_dir_all(&dir).expect("target/roundtrip");
    let path = dir.join(format!("{name}.zip"));
    std::fs::write(&path, bytes).expect("write export");
    path
}

/// Runs a script of `tests/oracle/` with the oracle's Python: (exit code, stdout, stderr).
pub fn run_python(python: &str, script: &str, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(python)
        .arg(root().join("tests/oracle").join(script))
        .args(args)
        .current_dir(root())
        .output()
        .expect("run python");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A snapshot as comparable JSON (floats through `float_serde`, so NaN compares).
pub fn comparable(snap: &Snapshot) -> Value {
    let models: Vec<Value> = (snap.logged_models.iter())
        .map(|r| json!({"model": r.model, "artifacts": r.artifacts}))
        .collect();
    let runs: Vec<Value> = (snap.runs.iter())
        .map(|r| json!({"run": r.run, "history": r.history, "artifacts": r.artifacts}))
        .collect();
    json!({
        "experiments": snap.experiments,
        "runs": runs,
        "logged_models": models,
        "registered_models": snap.registered_models,
        "extra_files": snap.extra_files,
        "extra_dirs": snap.extra_dirs,
    })
}

/// What MLflow showed (`oracle.py dump`) is what the snapshot holds: live logged
/// models with their best metric per dataset (bit for bit), and the registry.
pub fn check_dump(snap: &Snapshot, dump: &Value) {
    for r in &snap.logged_models {
        let m = &r.model;
        let o = &dump["experiments"][&m.experiment_id]["logged_models"][&m.model_id];
        if m.lifecycle_stage == LifecycleStage::Deleted {
            assert!(o.is_null(), "deleted {} is hidden", m.model_id);
            continue;
        }
        let ctx = format!("logged model {}", m.model_id);
        assert_eq!(o["name"], json!(m.name), "{ctx}");
        assert_eq!(o["status"], json!(m.status), "{ctx}");
        assert_eq!(o["status_message"], json!(m.status_message), "{ctx}");
        assert_eq!(o["model_type"], json!(m.model_type), "{ctx}");
        assert_eq!(o["tags"], json!(m.tags), "{ctx}");
        assert_eq!(o["params"], json!(m.params), "{ctx}");
        let mut best: BTreeMap<(&str, Option<&str>, Option<&str>), &LoggedModelMetric> =
            BTreeMap::new();
        for p in &m.metrics {
            let key = (
                p.key.as_str(),
                p.dataset_name.as_deref(),
                p.dataset_digest.as_deref(),
            );
            let wins = |b: &&LoggedModelMetric| {
                (p.step, p.timestamp) > (b.step, b.timestamp)
                    || ((p.step, p.timestamp) == (b.step, b.timestamp) && p.value > b.value)
            };
            if best.get(&key).is_none_or(wins) {
                best.insert(key, p);
            }
        }
        let theirs = o["metrics"].as_array().cloned().unwrap_or_default();
        assert_eq!(theirs.len(), best.len(), "{ctx}: {theirs:?}");
        for t in theirs {
            let key = (t[0].as_str().unwrap(), t[5].as_str(), t[6].as_str());
            let p = best.get(&key).unwrap_or_else(|| panic!("{ctx}: {t}"));
            let value = match &t[2] {
                Value::String(s) => match s.as_str() {
                    "NaN" => f64::NAN,
                    "Infinity" => f64::INFINITY,
                    _ => f64::NEG_INFINITY,
                },
                v => v.as_f64().unwrap(),
            };
            assert!(same_f64(value, p.value), "{ctx}: {t} vs {}", p.value);
            assert_eq!(t[1], json!(p.timestamp), "{ctx}: {t}");
            assert_eq!(t[3], json!(p.step), "{ctx}: {t}");
            // MLflow writes a missing run id as `str(None)` and reads that back.
            assert_eq!(
                t[4],
                json!(p.run_id.as_deref().unwrap_or("None")),
                "{ctx}: {t}"
            );
        }
        let listed: BTreeSet<&str> = (o["artifacts"].as_object().into_iter().flatten())
            .filter(|(_, a)| a["is_dir"] == json!(false))
            .map(|(p, _)| p.as_str())
            .collect();
        assert_eq!(
            listed,
            r.artifacts.keys().map(String::as_str).collect(),
            "{ctx}: artifacts"
        );
    }
    let registry = dump["registered_models"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        registry.keys().cloned().collect::<BTreeSet<_>>(),
        snap.registered_models
            .iter()
            .map(|m| m.name.clone())
            .collect(),
    );
    for m in &snap.registered_models {
        let o = &registry[&m.name];
        let ctx = format!("registered model {:?}", m.name);
        assert_eq!(o["description"], json!(m.description), "{ctx}");
        assert_eq!(o["tags"], json!(m.tags), "{ctx}");
        let aliases: BTreeMap<&String, String> =
            m.aliases.iter().map(|(a, v)| (a, v.to_string())).collect();
        assert_eq!(o["aliases"], json!(aliases), "{ctx}");
        assert_eq!(
            o["creation_timestamp"],
            json!(m.creation_timestamp),
            "{ctx}"
        );
        let live: BTreeSet<String> = m.live_versions().map(|v| v.version.to_string()).collect();
        let versions = o["versions"].as_object().cloned().unwrap_or_default();
        assert_eq!(
            versions.keys().cloned().collect::<BTreeSet<_>>(),
            live,
            "{ctx}"
        );
        for v in m.live_versions() {
            let ov = &versions[&v.version.to_string()];
            let ctx = format!("{ctx} v{}", v.version);
            for (key, ours) in [
                ("description", json!(v.description)),
                ("current_stage", json!(v.current_stage.as_str())),
                ("status", json!(v.status.as_str())),
                ("status_message", json!(v.status_message)),
                ("user_id", json!(v.user_id)),
                ("run_id", json!(v.run_id)),
                ("run_link", json!(v.run_link)),
                ("source", json!(v.source)),
                ("tags", json!(v.tags)),
                ("aliases", json!(m.aliases_of(v.version))),
                ("creation_timestamp", json!(v.creation_timestamp)),
                ("last_updated_timestamp", json!(v.last_updated_timestamp)),
            ] {
                assert_eq!(ov[key], ours, "{ctx}: {key}");
            }
        }
    }
}
