//! mlflow.db stores (MLflow ≥ 3.7's default) written by MLflow 3.17.2 import as MLflow's own reader shows them, export to mlruns stores MLflow reads the same (`oracle_db.py diff --loose`, with `ORACLE_PYTHON`), and damaged databases are refused with nothing imported.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use ferroflow::core::interchange::mlflow_db::{
    open_upload, snapshot, snapshot_from_answer, DbUpload, Opened, TABLES,
};
use ferroflow::core::interchange::mlruns::{
    export_zip, import_archive, read_entries, write_zip, ArchiveLimits, FileTree, ImportError,
    ImportErrorKind,
};
use ferroflow::core::interchange::{Selection, Snapshot};
use ferroflow::core::models::LoggedModelStatus;
use ferroflow::core::registry::Stage;
use ferroflow::core::tracking::model::{LifecycleStage, RunStatus};
use serde_json::Value as Json;
use sqlite_reader::wire::Bundle;
use sqlite_reader::{Table, Value};

#[path = "support/dump_check.rs"]
mod dump_check;
use dump_check::check_against_oracle;

/// Written by MLflow: the shared kit's fixture and ours (`fixtures-db/src/`).
const STORES: [&str; 4] = ["basic-db", "quickstart-db", "wal-db", "server-db"];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn fixture(name: &str) -> Vec<u8> {
    let path = root().join("tests/fixtures-db").join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn dump(name: &str) -> Json {
    serde_json::from_slice(&fixture(&format!("{name}.json"))).expect("dump parses")
}

fn tables() -> Vec<String> {
    TABLES.iter().map(|t| t.to_string()).collect()
}

/// The browser's path: find the store, ask the reader (as the wasm module answers),
/// map the answer.
fn import_upload(upload: DbUpload) -> Result<Snapshot, ImportError> {
    let answer = sqlite_reader::answer(&upload.db, upload.wal.as_deref(), &tables());
    snapshot_from_answer(upload, &answer)
}

fn import(bytes: &[u8]) -> Result<Snapshot, ImportError> {
    match open_upload(bytes, &ArchiveLimits::default())? {
        Opened::Db(upload) => import_upload(upload),
        Opened::Mlruns(_) => panic!("read as an mlruns store"),
    }
}

fn store(name: &str) -> Snapshot {
    import(&fixture(&format!("{name}.zip"))).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The zip's entries, to take apart and put together again.
fn entries(name: &str) -> FileTree {
    read_entries(&fixture(&format!("{name}.zip")), &ArchiveLimits::default()).unwrap()
}

#[test]
fn stores_written_by_mlflow_import_as_mlflow_shows_them() {
    for name in STORES {
        let snap = store(name);
        check_against_oracle(name, &snap, &dump(name));
        assert_eq!(snap.warnings, Vec::<String>::new(), "{name}");
        // Exported and imported again as mlruns, nothing changes.
        let again = import_archive(
            &export_zip(&snap, &Selection::All),
            &ArchiveLimits::default(),
        )
        .unwrap_or_else(|e| panic!("{name}: re-import of the export: {e}"));
        check_against_oracle(name, &again, &dump(name));
    }
}

fn run<'s>(snap: &'s Snapshot, name: &str) -> &'s ferroflow::core::interchange::RunRecord {
    (snap.runs.iter())
        .find(|r| r.run.info.run_name == name)
        .unwrap_or_else(|| panic!("no run {name}"))
}

#[test]
fn values_read_as_mlflows_sql_store_reads_them() {
    let snap = store("basic-db");
    let ids: Vec<&str> = snap
        .experiments
        .iter()
        .map(|e| e.experiment_id.as_str())
        .collect();
    assert_eq!(
        ids,
        ["0", "1", "2"],
        "INTEGER PRIMARY KEY ids are the rowids"
    );
    let r1 = snap
        .runs
        .iter()
        .find(|r| r.run.params.get("optimizer").map(String::as_str) == Some("adam"))
        .unwrap();
    // NaN from is_nan; ±inf as MLflow stored them (±f64::MAX); 1.0 stored as integer 1.
    let special: Vec<f64> = r1.history["special"].iter().map(|p| p.value).collect();
    assert!(special[0].is_nan());
    assert_eq!(special[1..], [f64::MAX, -f64::MAX, 1.0]);
    assert_eq!(r1.run.metrics["special"].value, 1.0);
    assert_eq!(
        r1.run.tags["long_tag"].len(),
        8000,
        "an overflow-page value"
    );
    assert_eq!(r1.history["loss"].len(), 40);
    assert!(r1.artifacts.contains_key("plots/curve.png"));
    // The dataset input, as the file store keeps it (MLflow's md5 folder ids).
    let input = (snap.extra_files.iter())
        .find(|(p, _)| p.starts_with(&format!("1/{}/inputs/", r1.run.info.run_id)))
        .map(|(_, b)| String::from_utf8_lossy(b).into_owned())
        .expect("an input file");
    assert!(
        input.contains("source_type: DATASET") && input.contains("mlflow.data.context: training"),
        "{input}"
    );
    assert!(snap
        .extra_files
        .keys()
        .any(|p| p.starts_with("1/datasets/") && p.ends_with("/meta.yaml")));

    let deleted = (snap.runs.iter())
        .find(|r| r.run.info.lifecycle_stage == LifecycleStage::Deleted)
        .unwrap();
    assert!(deleted.run.info.deleted_time.is_some());
    assert_eq!(
        run(&snap, "forecast-run-2-failed").run.info.status,
        RunStatus::Failed
    );

    let [model] = snap.logged_models.as_slice() else {
        panic!("one logged model")
    };
    assert_eq!(model.model.status, LoggedModelStatus::Ready);
    assert_eq!(model.model.params["alpha"], "0.5");
    assert_eq!(model.model.metrics[0].value, 0.42);
    assert!(
        model.artifacts.contains_key("MLmodel") && model.artifacts.contains_key("python_model.pkl")
    );
    let train = run(&snap, "train-model");
    let output = format!(
        "2/{}/outputs/{}/meta.yaml",
        train.run.info.run_id, model.model.model_id
    );
    assert!(
        snap.extra_files.contains_key(&output),
        "the run's model output"
    );

    let [reg] = snap.registered_models.as_slice() else {
        panic!("one registered model")
    };
    assert_eq!(
        reg.aliases,
        BTreeMap::from([("baseline".into(), 1), ("champion".into(), 2)])
    );
    assert_eq!(reg.versions[&1].current_stage, Stage::Archived);
    assert_eq!(
        reg.versions[&3].current_stage,
        Stage::DeletedInternal,
        "kept, hidden"
    );
    assert_eq!(reg.versions[&2].tags["flavor"], "tfjs");
    assert_eq!(
        reg.versions[&1].model_id, None,
        "the SQL store has no model_id column"
    );
}

#[test]
fn a_wal_file_brings_the_transactions_not_yet_in_the_database() {
    let snap = store("wal-db");
    let wal_run = run(&snap, "only-in-the-wal");
    assert_eq!(wal_run.history["m"].len(), 5);
    assert!(wal_run.artifacts.contains_key("wal.txt"));
    let mut tree = entries("wal-db");
    tree.files.remove("mlflow.db-wal");
    let without = import(&write_zip(&tree.files, &tree.dirs)).unwrap();
    assert!(without
        .runs
        .iter()
        .all(|r| r.run.info.run_name != "only-in-the-wal"));
    assert_eq!(without.runs.len(), snap.runs.len() - 1);
}

#[test]
fn a_servers_proxied_artifacts_map_onto_mlartifacts() {
    let snap = store("server-db");
    let r = run(&snap, "through-the-server");
    assert!(r.artifacts.contains_key("reports/summary.txt"));
    let id = &r.run.info.run_id;
    assert_eq!(
        r.run.info.artifact_uri,
        format!("mlruns/1/{id}/artifacts"),
        "exported where MLflow finds it"
    );
    let m = &snap.logged_models[0];
    assert!(m.artifacts.contains_key("MLmodel"));
    assert_eq!(snap.registered_models[0].aliases["prod"], 1);
}

#[test]
fn a_bare_database_imports_everything_but_the_artifacts() {
    let db = entries("quickstart-db").files.remove("mlflow.db").unwrap();
    let snap = import(&db).unwrap();
    let full = store("quickstart-db");
    assert_eq!(snap.runs.len(), full.runs.len());
    assert!(snap.runs.iter().all(|r| r.artifacts.is_empty()));
    assert!(snap.logged_models.iter().all(|m| m.artifacts.is_empty()));
    let [warning] = snap.warnings.as_slice() else {
        panic!("{:?}", snap.warnings)
    };
    assert!(
        warning.contains("artifact") && warning.contains("not given"),
        "{warning}"
    );
}

/// Snapshots compared part by part (a whole one is too long to read in a failure).
fn same(a: &Snapshot, b: &Snapshot, what: &str) {
    assert_eq!(a.experiments, b.experiments, "{what}: experiments");
    assert_eq!(a.runs.len(), b.runs.len(), "{what}: runs");
    for (x, y) in a.runs.iter().zip(&b.runs) {
        assert_eq!(x.run, y.run, "{what}: run {}", y.run.info.run_id);
        let keys = |r: &ferroflow::core::interchange::RunRecord| {
            r.artifacts.keys().cloned().collect::<Vec<_>>()
        };
        assert_eq!(
            keys(x),
            keys(y),
            "{what}: artifacts of {}",
            y.run.info.run_id
        );
        let history =
            |r: &ferroflow::core::interchange::RunRecord| serde_json::to_value(&r.history).unwrap();
        assert_eq!(
            history(x),
            history(y),
            "{what}: history of {}",
            y.run.info.run_id
        );
        assert!(
            x.artifacts == y.artifacts,
            "{what}: artifact bytes of {}",
            y.run.info.run_id
        );
    }
    let models = |s: &Snapshot| {
        s.logged_models
            .iter()
            .map(|m| (serde_json::to_value(&m.model).unwrap(), m.artifacts.clone()))
            .collect::<Vec<_>>()
    };
    assert!(models(a) == models(b), "{what}: logged models");
    assert_eq!(a.registered_models, b.registered_models, "{what}: registry");
    assert_eq!(
        a.extra_files.keys().collect::<Vec<_>>(),
        b.extra_files.keys().collect::<Vec<_>>(),
        "{what}: kept files"
    );
    assert_eq!(a.extra_dirs, b.extra_dirs, "{what}: kept folders");
    assert!(a.extra_files == b.extra_files, "{what}: kept file bytes");
    assert_eq!(a.warnings, b.warnings, "{what}: warnings");
}

#[test]
fn a_database_with_its_artifact_folder_or_zip_is_the_same_store() {
    let full = store("basic-db");
    let tree = entries("basic-db");
    let limits = ArchiveLimits::default();
    let loose: Vec<(String, Vec<u8>)> = tree.files.clone().into_iter().collect();
    let from_folder = import_upload(DbUpload::from_parts(loose, &limits).unwrap()).unwrap();
    same(&from_folder, &full, "mlflow.db + the mlruns folder's files");
    let mut artifacts = tree.clone();
    let db = artifacts.files.remove("mlflow.db").unwrap();
    let zip = write_zip(&artifacts.files, &artifacts.dirs);
    let parts = vec![
        ("mlflow.db".to_string(), db),
        ("mlruns.zip".to_string(), zip),
    ];
    let from_zip = import_upload(DbUpload::from_parts(parts, &limits).unwrap()).unwrap();
    same(&from_zip, &full, "mlflow.db + a zip of mlruns/");
}

fn refused(bytes: &[u8]) -> ImportError {
    match import(bytes) {
        Ok(s) => panic!("imported {} runs from a damaged store", s.runs.len()),
        Err(e) => e,
    }
}

#[test]
fn damaged_databases_are_refused_with_sqlites_words() {
    let e = refused(&fixture("truncated-db.zip"));
    assert_eq!(e.kind, ImportErrorKind::Corrupt);
    let msg = e.to_string();
    assert!(
        msg.starts_with("mlflow.db: database disk image is malformed"),
        "{msg}"
    );
    assert!(
        msg.contains("truncated") && msg.contains("nothing was imported"),
        "{msg}"
    );
    let e = refused(&fixture("garbage-db.zip"));
    assert_eq!(e.kind, ImportErrorKind::NotAStore);
    assert!(e.to_string().contains("not a SQLite 3 database"), "{e}");
    // Cut anywhere, a database is refused, never read as fewer rows.
    let mut tree = entries("basic-db");
    let db = tree.files["mlflow.db"].clone();
    for cut in (100..db.len()).step_by(4096 * 7 + 123) {
        tree.files.insert("mlflow.db".into(), db[..cut].to_vec());
        let e = refused(&write_zip(&tree.files, &tree.dirs));
        assert!(e.to_string().contains("malformed"), "cut at {cut}: {e}");
        let bare = refused(&db[..cut]);
        assert_eq!(bare.kind, ImportErrorKind::Corrupt, "bare, cut at {cut}");
    }
    let e = refused(b"SQLite format 3\0 and then nothing");
    assert!(e.to_string().contains("not a database"), "{e}");
}

fn table(name: &str, columns: &[&str], rows: Vec<Vec<Value>>) -> Table {
    Table {
        name: name.into(),
        columns: columns.iter().map(|c| c.to_string()).collect(),
        rows,
    }
}

fn text(s: &str) -> Value {
    Value::Text(s.into())
}

/// An old schema: no workspaces, creation times, deleted_time, step, is_nan,
/// latest_metrics, inputs or logged models. What MLflow later added reads as absent.
#[test]
fn columns_and_tables_of_later_mlflow_versions_may_be_missing() {
    let run_id = "0123456789abcdef0123456789abcdef";
    let bundle = Bundle {
        tables: vec![
            table(
                "experiments",
                &[
                    "experiment_id",
                    "name",
                    "artifact_location",
                    "lifecycle_stage",
                ],
                vec![vec![
                    Value::Integer(0),
                    text("Default"),
                    text("/old/mlruns/0"),
                    text("active"),
                ]],
            ),
            table(
                "runs",
                &[
                    "run_uuid",
                    "experiment_id",
                    "status",
                    "start_time",
                    "end_time",
                    "user_id",
                    "artifact_uri",
                    "lifecycle_stage",
                ],
                vec![vec![
                    text(run_id),
                    Value::Integer(0),
                    text("FINISHED"),
                    Value::Integer(5),
                    Value::Integer(9),
                    text("me"),
                    text("/old/mlruns/0/r/artifacts"),
                    text("active"),
                ]],
            ),
            table(
                "tags",
                &["key", "value", "run_uuid"],
                vec![vec![
                    text("mlflow.runName"),
                    text("from-the-tag"),
                    text(run_id),
                ]],
            ),
            table(
                "metrics",
                &["key", "value", "timestamp", "run_uuid"],
                vec![
                    vec![
                        text("loss"),
                        Value::Real(0.5),
                        Value::Integer(20),
                        text(run_id),
                    ],
                    vec![
                        text("loss"),
                        Value::Real(0.25),
                        Value::Integer(10),
                        text(run_id),
                    ],
                ],
            ),
            table(
                "model_versions",
                &["name", "version", "creation_time", "source"],
                vec![vec![
                    text("m"),
                    Value::Integer(1),
                    Value::Integer(3),
                    text("runs:/r/model"),
                ]],
            ),
            table("registered_models", &["name"], vec![vec![text("m")]]),
        ],
        notes: vec![],
    };
    let upload = DbUpload {
        db_name: "mlflow.db".into(),
        with_files: true,
        ..DbUpload::default()
    };
    let snap = snapshot(upload, bundle).unwrap();
    let r = &snap.runs[0];
    assert_eq!(
        r.run.info.run_name, "from-the-tag",
        "a 1.x run's name is its tag"
    );
    assert_eq!(r.run.info.deleted_time, None);
    let loss: Vec<(i64, f64, i64)> = r.history["loss"]
        .iter()
        .map(|p| (p.timestamp, p.value, p.step))
        .collect();
    assert_eq!(
        loss,
        [(10, 0.25, 0), (20, 0.5, 0)],
        "ordered by timestamp, step 0"
    );
    assert_eq!(
        r.run.metrics["loss"].value, 0.5,
        "latest computed when there is no latest_metrics"
    );
    assert_eq!(snap.experiments[0].creation_time, None);
    assert_eq!(
        snap.registered_models[0].versions[&1].current_stage,
        Stage::None
    );

    // A column every version has is required, and named when missing.
    let broken = Bundle {
        tables: vec![table("experiments", &["experiment_id"], vec![])],
        notes: vec![],
    };
    let e = snapshot(DbUpload::default(), broken).unwrap_err();
    assert!(
        e.to_string()
            .contains("table experiments has no column 'name'"),
        "{e}"
    );
    let none = snapshot(DbUpload::default(), Bundle::default()).unwrap_err();
    assert!(
        none.to_string().contains("not an MLflow tracking store"),
        "{none}"
    );
}

fn oracle(script: &str, args: &[&str]) -> (i32, String) {
    let python = std::env::var("ORACLE_PYTHON").expect("ORACLE_PYTHON");
    let out = Command::new(python)
        .arg(root().join("tests/oracle").join(script))
        .args(args)
        .current_dir(root())
        .output()
        .expect("run the oracle");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

fn rel(p: &Path) -> String {
    p.strip_prefix(root()).unwrap_or(p).display().to_string()
}

#[test]
fn mlflow_reads_the_exports_as_it_reads_the_databases() {
    if std::env::var_os("ORACLE_PYTHON").is_none() {
        println!("ORACLE_PYTHON is not set: skipped the MLflow oracle part");
        return;
    }
    let dir = root().join("target/roundtrip-db");
    std::fs::create_dir_all(&dir).unwrap();
    let mut failures = Vec::new();
    for name in STORES {
        let export = dir.join(format!("{name}.zip"));
        std::fs::write(&export, export_zip(&store(name), &Selection::All)).unwrap();
        let source = format!("tests/fixtures-db/{name}.zip");
        let (code, text) = oracle("oracle_db.py", &["diff", "--loose", &source, &rel(&export)]);
        println!("oracle_db diff --loose {name}: exit {code}");
        if code != 0 {
            failures.push(format!("diff {name}: exit {code}\n{text}"));
        }
        // And MLflow's file store reads the export without a complaint.
        let (code, text) = oracle(
            "oracle.py",
            &["dump", "--strict", "-o", "/dev/null", &rel(&export)],
        );
        println!("oracle dump --strict {name}: exit {code}");
        if code != 0 {
            failures.push(format!("dump --strict {name}: exit {code}\n{text}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
