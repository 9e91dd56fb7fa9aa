//! mlruns import/export against MLflow-written fixtures: counts vs the oracle dump, round trip, and (with `ORACLE_PYTHON`) real MLflow reading our exports.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use ferroflow::core::float_serde;
use ferroflow::core::interchange::mlruns::{
    export_zip, import_archive, read_archive, write_store, write_zip, ArchiveLimits,
};
use ferroflow::core::interchange::{RunRecord, Selection, Snapshot};
use ferroflow::core::models::LoggedModelMetric;
use ferroflow::core::registry::Stage;
use ferroflow::core::tracking::model::{
    Experiment, LifecycleStage, MetricPoint, Run, RunInfo, RunStatus,
};
use serde_json::{json, Value};

const FIXTURES: [&str; 8] = [
    "basic",
    "basic_v2",
    "edge",
    "edge_v2",
    "models",
    "models_v2",
    "v3extras",
    "sklearn",
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn fixture(name: &str) -> (Vec<u8>, Value) {
    let dir = root().join("tests/fixtures");
    let zip = std::fs::read(dir.join(format!("{name}.zip"))).expect("fixture zip");
    let json = std::fs::read_to_string(dir.join(format!("{name}.json"))).expect("fixture json");
    (
        zip,
        serde_json::from_str(&json).expect("fixture json parses"),
    )
}

fn import(bytes: &[u8]) -> Snapshot {
    import_archive(bytes, &ArchiveLimits::default()).unwrap_or_else(|e| panic!("import: {e}"))
}

/// `"file://$ROOT/1/x"` (oracle form) matches `"file:///tmp/…/mlruns/1/x"`.
fn uri_matches(oracle: &Value, ours: &str) -> bool {
    match oracle.as_str().and_then(|o| o.split_once("$ROOT")) {
        Some((head, tail)) => ours.starts_with(head) && ours.ends_with(tail),
        None => oracle.as_str().unwrap_or_default() == ours,
    }
}

fn point_json(p: &MetricPoint) -> Value {
    let v = serde_json::to_value(p).expect("point serializes");
    json!([v["timestamp"], v["value"], v["step"]])
}

fn float_json(v: f64) -> Value {
    if v.is_finite() {
        json!(v)
    } else {
        json!(float_serde::non_finite_name(v))
    }
}

fn check_against_oracle(name: &str, snap: &Snapshot, dump: &Value) {
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
fn sorted(mut values: Vec<Value>) -> Vec<Value> {
    values.sort_by_key(|v| v.to_string());
    values
}

/// Files and sizes of an oracle `artifacts` listing.
fn listed_files(artifacts: &Value) -> BTreeMap<String, Value> {
    artifacts
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(_, a)| a["is_dir"] == json!(false))
        .map(|(p, a)| (p.clone(), a["size"].clone()))
        .collect()
}

/// Logged models and the registry as MLflow showed them (`oracle.py dump`).
fn check_models_against_oracle(name: &str, snap: &Snapshot, dump: &Value) {
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

/// A snapshot as comparable JSON (NaN-safe: floats go through `float_serde`).
fn comparable(snap: &Snapshot) -> Value {
    let runs: Vec<Value> = snap
        .runs
        .iter()
        .map(|r| json!({"run": r.run, "history": r.history, "artifacts": r.artifacts}))
        .collect();
    let models: Vec<Value> = snap
        .logged_models
        .iter()
        .map(|r| json!({"model": r.model, "artifacts": r.artifacts}))
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

#[test]
fn fixtures_import_match_the_oracle_and_round_trip() {
    for name in FIXTURES {
        let (zip, dump) = fixture(name);
        let snap = import(&zip);
        check_against_oracle(name, &snap, &dump);
        let s = snap.summary();
        assert!(
            s.experiments >= 2 && s.runs >= 1 && s.metric_points >= 1,
            "{name}: {s:?}"
        );

        let exported = export_zip(&snap, &Selection::All);
        assert_eq!(
            exported,
            export_zip(&snap, &Selection::All),
            "{name}: reproducible"
        );
        let again = import(&exported);
        assert_eq!(comparable(&again), comparable(&snap), "{name}: round trip");
        // The tree the exporter lays out is what the zip holds.
        let tree = write_store(&snap, &Selection::All);
        assert_eq!(exported, write_zip(&tree.files, &tree.dirs), "{name}");
        // MLflow 3 wrote these model files; we write them back byte for byte.
        if ["models", "v3extras", "edge"].contains(&name) {
            let original = read_archive(&zip, &ArchiveLimits::default()).unwrap().tree;
            let model_files = (original.files.iter())
                .filter(|(p, _)| p.starts_with("models/") || p.split('/').nth(1) == Some("models"));
            let mut count = 0;
            for (path, bytes) in model_files {
                let ours = &tree.files[&format!("mlruns/{path}")];
                assert!(ours == bytes, "{name}: {path} differs");
                count += 1;
            }
            assert!(count > 5, "{name}: {count} model files");
        }
    }
}

#[test]
fn edge_fixture_details() {
    let (zip, _) = fixture("edge");
    let snap = import(&zip);
    let run = snap
        .runs
        .iter()
        .find(|r| r.run.info.run_id == "50cad1a9a1814aecb6a0100206c340ed")
        .expect("unicode run");
    assert_eq!(run.run.info.run_name, "🚀 ünïcødé run – 中文");
    assert_eq!(run.history["odd_steps"][1].step, 1_099_511_627_776);
    assert_eq!(run.history["odd_steps"][0].step, -5);
    assert!(run.history["values/nan"][0].value.is_nan());
    assert_eq!(run.history["values/tiny"][0].value, 5e-324);
    assert!(run.run.params.contains_key("param/a/b/c/d"));
    let deleted = snap
        .experiments
        .iter()
        .find(|e| e.lifecycle_stage == LifecycleStage::Deleted)
        .expect("a deleted experiment");
    let tree = write_store(&snap, &Selection::All);
    let meta = format!("mlruns/.trash/{}/meta.yaml", deleted.experiment_id);
    assert!(
        tree.files.contains_key(&meta),
        "deleted experiments go to .trash"
    );
    let text = String::from_utf8(
        tree.files[&format!(
            "mlruns/787081900651763300/{}/meta.yaml",
            run.run.info.run_id
        )]
            .clone(),
    )
    .unwrap();
    for line in [
        "run_name: \"\\U0001F680 ünïcødé run – 中文\"",
        "run_uuid: 50cad1a9a1814aecb6a0100206c340ed",
        "status: 3",
        "experiment_id: '787081900651763300'",
        "tags: []",
    ] {
        assert!(text.contains(line), "{line} in\n{text}");
    }
    let model = &snap.registered_models[0];
    assert_eq!(model.name, "Edge Model ü");
    assert_eq!(model.description.as_deref(), Some("多言語 description ✓"));
    assert_eq!(model.aliases, [("prod-ü_1".to_string(), 3)].into());
    assert_eq!(model.versions[&2].current_stage, Stage::DeletedInternal);
    assert_eq!(model.versions[&2].tags["t"], "ü");
    assert_eq!(
        model.versions[&3].storage_location.as_deref(),
        Some("runs:/50cad1a9a1814aecb6a0100206c340ed/a")
    );
    assert!(
        !snap.extra_files.keys().any(|p| p.starts_with("models/")),
        "the registry is modeled, not kept as files"
    );
    let version =
        String::from_utf8(tree.files["mlruns/models/Edge Model ü/version-2/meta.yaml"].clone())
            .unwrap();
    assert!(
        version.contains("current_stage: Deleted_Internal\n"),
        "{version}"
    );
    assert_eq!(
        tree.files["mlruns/models/Edge Model ü/aliases/prod-ü_1"],
        b"3"
    );
}

#[test]
fn tar_and_tar_gz_read_like_the_zip() {
    let (zip, _) = fixture("basic");
    let store = read_archive(&zip, &ArchiveLimits::default()).expect("zip");
    let mut builder = tar::Builder::new(Vec::new());
    for dir in &store.tree.dirs {
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(tar::EntryType::Directory);
        h.set_size(0);
        h.set_mode(0o755);
        builder
            .append_data(&mut h, format!("./mlruns/{dir}/"), &[][..])
            .unwrap();
    }
    for (path, data) in &store.tree.files {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        builder
            .append_data(&mut h, format!("./mlruns/{path}"), &data[..])
            .unwrap();
    }
    let tar_bytes = builder.into_inner().unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut gz, &tar_bytes).unwrap();
    let tgz = gz.finish().unwrap();
    let from_zip = comparable(&import(&zip));
    assert_eq!(comparable(&import(&tar_bytes)), from_zip);
    assert_eq!(comparable(&import(&tgz)), from_zip);
}

/// A run as the browser creates it: relative artifact URIs under `mlruns/`.
fn browser_snapshot() -> Snapshot {
    let exp = Experiment {
        experiment_id: "1".into(),
        name: "browser experiment".into(),
        artifact_location: "mlruns/1".into(),
        lifecycle_stage: LifecycleStage::Active,
        creation_time: Some(1_700_000_000_000),
        last_update_time: Some(1_700_000_000_000),
        tags: [("mlflow.note.content".to_string(), "# notes\n".to_string())].into(),
    };
    let run_id = "0123456789abcdef0123456789abcdef".to_string();
    let history: BTreeMap<String, Vec<MetricPoint>> = [(
        "train/loss".to_string(),
        (0..50)
            .map(|i| MetricPoint {
                timestamp: 1_700_000_000_000 + i,
                value: 1.0 / (i as f64 + 1.0),
                step: i,
            })
            .collect::<Vec<_>>(),
    )]
    .into();
    let latest = history["train/loss"][49];
    let run = RunRecord {
        run: Run {
            info: RunInfo {
                run_id: run_id.clone(),
                run_name: "yes".into(),
                experiment_id: "1".into(),
                status: RunStatus::Running,
                start_time: 1_700_000_000_000,
                end_time: None,
                lifecycle_stage: LifecycleStage::Active,
                artifact_uri: format!("mlruns/1/{run_id}/artifacts"),
                user_id: "browser".into(),
                deleted_time: None,
            },
            params: [("lr".to_string(), "0.01".to_string())].into(),
            tags: BTreeMap::new(),
            metrics: [("train/loss".to_string(), latest)].into(),
        },
        history,
        artifacts: [
            ("notes.txt".to_string(), b"hello".to_vec()),
            ("plots/ünï.bin".to_string(), vec![0, 1, 2]),
        ]
        .into(),
    };
    Snapshot {
        experiments: vec![exp],
        runs: vec![run],
        ..Snapshot::default()
    }
}

#[test]
fn browser_runs_export_and_come_back() {
    let snap = browser_snapshot();
    let again = import(&export_zip(&snap, &Selection::All));
    let mut want = comparable(&snap);
    // The exporter adds the mlflow.runName tag MLflow always writes.
    want["runs"][0]["run"]["tags"]["mlflow.runName"] = json!("yes");
    assert_eq!(comparable(&again), want);
}

#[test]
fn selections_keep_only_what_was_chosen() {
    let (zip, _) = fixture("models");
    let snap = import(&zip);
    let exp = snap
        .experiments
        .iter()
        .find(|e| e.experiment_id != "0")
        .expect("an experiment");
    let run = snap
        .runs
        .iter()
        .find(|r| r.run.info.experiment_id == exp.experiment_id)
        .expect("a run");
    let sel = Selection::Some {
        experiment_ids: BTreeSet::new(),
        run_ids: [run.run.info.run_id.clone()].into(),
    };
    let part = import(&export_zip(&snap, &sel));
    assert_eq!(part.experiments.len(), 1);
    assert_eq!(part.runs.len(), 1);
    assert_eq!(
        part.summary().registered_models,
        0,
        "registry only in full exports"
    );
    assert!(
        part.extra_files
            .keys()
            .all(|p| p.starts_with(&format!("{}/", exp.experiment_id))),
        "{:?}",
        part.extra_files.keys().collect::<Vec<_>>()
    );
}

#[test]
fn partial_exports_take_the_logged_models_of_what_was_chosen() {
    let (zip, _) = fixture("v3extras");
    let snap = import(&zip);
    let exp = "582876155774477280";
    let (maker, other) = (
        "4198240e7b2e4073a7d6fbf91251f12f",
        "bc3d25d2c20e450c9a4630a432cf89cc",
    );
    let models_of = |sel: Selection| -> Vec<String> {
        let part = import(&export_zip(&snap, &sel));
        assert_eq!(
            part.summary().registered_models,
            0,
            "registry only in full exports"
        );
        assert!(
            !part.extra_files.keys().any(|p| p.starts_with("models/")),
            "{:?}",
            part.extra_files.keys().collect::<Vec<_>>()
        );
        (part.logged_models.iter())
            .map(|r| r.model.model_id.clone())
            .collect()
    };
    let runs = |ids: &[&str]| Selection::Some {
        experiment_ids: BTreeSet::new(),
        run_ids: ids.iter().map(|s| s.to_string()).collect(),
    };
    let exps = |ids: &[&str]| Selection::Some {
        experiment_ids: ids.iter().map(|s| s.to_string()).collect(),
        run_ids: BTreeSet::new(),
    };
    // The run that made a model takes it along; another run of the experiment does not.
    assert_eq!(
        models_of(runs(&[maker])),
        ["m-205723d025254e6ab6f332c6bd67993b"]
    );
    assert!(models_of(runs(&[other])).is_empty());
    // A whole experiment takes all its models, made by a run or not.
    assert_eq!(
        models_of(exps(&[exp])),
        ["m-205723d025254e6ab6f332c6bd67993b"]
    );
    assert_eq!(
        models_of(exps(&["0"])),
        ["m-179cd124947645d689af4e94aa0d9b52"]
    );
    let full = import(&export_zip(&snap, &Selection::All));
    assert_eq!(full.logged_models, snap.logged_models);
}

// ---- the oracle: real MLflow reads our exports --------------------------------------

fn oracle(args: &[&str]) -> (i32, String) {
    let python = std::env::var("ORACLE_PYTHON").expect("ORACLE_PYTHON");
    let out = Command::new(python)
        .arg(root().join("tests/oracle/oracle.py"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("run oracle.py");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

fn write_export(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = root().join("target/roundtrip");
    std::fs::create_dir_all(&dir).expect("target/roundtrip");
    let path = dir.join(format!("{name}.zip"));
    std::fs::write(&path, bytes).expect("write export");
    path
}

fn rel(p: &Path) -> String {
    p.strip_prefix(root()).unwrap_or(p).display().to_string()
}

#[test]
fn oracle_reads_exports_like_the_originals() {
    if std::env::var_os("ORACLE_PYTHON").is_none() {
        println!("ORACLE_PYTHON is not set: skipped the MLflow oracle part of the round trip");
        return;
    }
    let mut failures = Vec::new();
    for name in FIXTURES {
        let (zip, _) = fixture(name);
        let exported = write_export(name, &export_zip(&import(&zip), &Selection::All));
        let original = format!("tests/fixtures/{name}.zip");
        let (code, text) = oracle(&["diff", "--loose", &original, &rel(&exported)]);
        println!("oracle diff --loose {name}: exit {code}");
        if code != 0 {
            failures.push(format!("diff {name}: exit {code}\n{text}"));
        }
        let (code, text) = oracle(&["dump", "--strict", "-o", "/dev/null", &rel(&exported)]);
        println!("oracle dump --strict {name}: exit {code}");
        if code != 0 {
            failures.push(format!("dump --strict {name}: exit {code}\n{text}"));
        }
    }
    // A browser-made run with relative URIs: MLflow must still list its artifacts.
    let path = write_export("browser", &export_zip(&browser_snapshot(), &Selection::All));
    let (code, text) = oracle(&["dump", "--strict", &rel(&path)]);
    println!("oracle dump --strict browser: exit {code}");
    if code == 0 {
        let dump: Value = serde_json::from_str(&text).expect("dump json");
        let run = &dump["experiments"]["1"]["runs"]["0123456789abcdef0123456789abcdef"];
        let arts = run["artifacts"].as_object().cloned().unwrap_or_default();
        if !arts.contains_key("notes.txt") || !arts.contains_key("plots/ünï.bin") {
            failures.push(format!("browser run artifacts not listed: {arts:?}"));
        }
        if run["info"]["status"] != json!("RUNNING") || run["info"]["end_time"] != Value::Null {
            failures.push(format!("browser run info: {}", run["info"]));
        }
    } else {
        failures.push(format!("dump --strict browser: exit {code}\n{text}"));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
