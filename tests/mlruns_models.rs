//! Logged models and the Model Registry through mlruns: browser-made models export so MLflow (with `ORACLE_PYTHON`) resolves their URIs, what MLflow reads but we do not model exports unchanged and follows its model, and files kept by older imports become the records an import makes.

mod support;

use std::collections::{BTreeMap, BTreeSet};

use ferroflow::core::interchange::mlruns::{
    export_zip, models_from_kept_files, read_archive, write_zip, ArchiveLimits,
};
use ferroflow::core::interchange::{LoggedModelRecord, Selection, Snapshot};
use ferroflow::core::models::logged_model::default_model_location;
use ferroflow::core::models::{LoggedModel, LoggedModelMetric, LoggedModelStatus};
use ferroflow::core::registry::{ModelVersion, RegisteredModel, Stage, VersionStatus};
use ferroflow::core::tracking::model::LifecycleStage;
use serde_json::{json, Value};
use support::models::{
    check_dump, comparable, experiment, import, python, root, run, run_python, write_export, T0,
};

const RUN: &str = "0123456789abcdef0123456789abcdef";
const MODEL: &str = "m-00112233445566778899aabbccddeeff";

/// The `MLmodel` the tracker writes for a TF.js model (the notes' proposal, §b).
fn tfjs_mlmodel(artifact_path: &str) -> String {
    format!(
        "artifact_path: {artifact_path}\n\
         flavors:\n  tfjs:\n    backend: webgl\n    format: layers-model\n    \
         generated_by: TensorFlow.js tfjs-layers v4.22.0\n    model_json: model.json\n    \
         tfjs_version: 4.22.0\n    weights_files:\n    - group1-shard1of1.bin\n\
         metadata:\n  producer: ferroflow 0.1.0\n\
         model_id: {MODEL}\n\
         model_size_bytes: 1694\n\
         model_uuid: 09d23c2baaf110c89d058e0f878d5cd1\n\
         run_id: {RUN}\n\
         signature:\n  inputs: '[{{\"name\": \"dense_input\", \"type\": \"tensor\", \
         \"tensor-spec\": {{\"dtype\": \"float32\", \"shape\": [-1, 4]}}}}]'\n  \
         outputs: '[{{\"type\": \"tensor\", \"tensor-spec\": {{\"dtype\": \"float32\", \
         \"shape\": [-1, 1]}}}}]'\n  params: null\n\
         utc_time_created: '2023-11-15 22:13:20.000000'\n"
    )
}

fn metric(key: &str, value: f64, step: i64) -> LoggedModelMetric {
    LoggedModelMetric {
        key: key.into(),
        value,
        timestamp: T0 + step,
        step,
        run_id: Some(RUN.into()),
        dataset_name: None,
        dataset_digest: None,
    }
}

fn version(name: &str, n: u64, source: &str, model_id: Option<&str>) -> ModelVersion {
    ModelVersion {
        name: name.into(),
        version: n,
        creation_timestamp: T0 + n as i64,
        last_updated_timestamp: Some(T0 + n as i64),
        description: None,
        user_id: Some("browser".into()),
        current_stage: Stage::None,
        source: Some(source.into()),
        run_id: Some(RUN.into()),
        run_link: None,
        status: VersionStatus::Ready,
        status_message: None,
        tags: BTreeMap::new(),
        model_id: model_id.map(str::to_owned),
        storage_location: None,
    }
}

const REGISTERED: &str = "tfjs demo ü";

/// What the browser makes: a run, the TF.js LoggedModel it logged (relative artifact
/// location, as `default_model_location` gives), and a registered model with two
/// versions (from `models:/m-…` and from `runs:/…`), an alias and tags.
fn browser_models() -> Snapshot {
    let model = LoggedModel {
        model_id: MODEL.into(),
        experiment_id: "1".into(),
        name: "tfjs-model".into(),
        artifact_location: default_model_location("mlruns/1", MODEL),
        creation_timestamp: T0,
        last_updated_timestamp: T0 + 5,
        model_type: Some("tfjs".into()),
        source_run_id: Some(RUN.into()),
        status: LoggedModelStatus::Ready,
        status_message: None,
        lifecycle_stage: LifecycleStage::Active,
        params: [("units".to_string(), "8".to_string())].into(),
        tags: [("framework".to_string(), "tfjs".to_string())].into(),
        metrics: vec![
            metric("acc", 0.9111111111111111, 1),
            metric("acc", f64::NAN, 2),
            metric("loss", 0.1 + 0.2, 2),
        ],
    };
    let artifacts = [
        (
            "MLmodel".to_string(),
            tfjs_mlmodel(&model.artifact_location).into_bytes(),
        ),
        (
            "model.json".to_string(),
            br#"{"format": "layers-model", "weightsManifest": [{"paths": ["group1-shard1of1.bin"], "weights": []}]}"#.to_vec(),
        ),
        ("group1-shard1of1.bin".to_string(), (0u8..=255).collect()),
    ]
    .into();
    let mut v1 = version(REGISTERED, 1, &format!("models:/{MODEL}"), Some(MODEL));
    v1.description = Some("first: from the LoggedModel".into());
    let mut v2 = version(REGISTERED, 2, &format!("runs:/{RUN}/tfjs-model"), None);
    v2.tags.insert("validated".into(), "yes".into());
    let registered = RegisteredModel {
        name: REGISTERED.into(),
        creation_timestamp: Some(T0),
        last_updated_timestamp: Some(T0 + 9),
        description: Some("# TF.js\nmade: in the browser".into()),
        tags: [(
            "task".to_string(),
            "regression: yes\nmulti-line".to_string(),
        )]
        .into(),
        aliases: [("champion".to_string(), 1)].into(),
        versions: [(1, v1), (2, v2)].into(),
    };
    Snapshot {
        experiments: vec![experiment("1")],
        runs: vec![run("1", RUN)],
        logged_models: vec![LoggedModelRecord { model, artifacts }],
        registered_models: vec![registered],
        ..Snapshot::default()
    }
}

#[test]
fn browser_made_models_export_as_mlflow_reads_them() {
    let snap = browser_models();
    let zip = export_zip(&snap, &Selection::All);
    let store = read_archive(&zip, &ArchiveLimits::default()).unwrap();
    let text = |p: &str| String::from_utf8(store.tree.files[p].clone()).unwrap();
    let v1 = text(&format!("models/{REGISTERED}/version-1/meta.yaml"));
    // MLflow's registry hands out `storage_location`: the resolved source.
    assert!(
        v1.contains(&format!(
            "storage_location: mlruns/1/models/{MODEL}/artifacts\n"
        )),
        "{v1}"
    );
    assert!(v1.contains(&format!("model_id: {MODEL}\n")), "{v1}");
    let v2 = text(&format!("models/{REGISTERED}/version-2/meta.yaml"));
    assert!(
        v2.contains(&format!("storage_location: runs:/{RUN}/tfjs-model\n")),
        "{v2}"
    );
    assert_eq!(text(&format!("models/{REGISTERED}/aliases/champion")), "1");
    let meta = text(&format!("1/models/{MODEL}/meta.yaml"));
    assert_eq!(
        meta,
        format!(
            "artifact_location: mlruns/1/models/{MODEL}/artifacts\ncreation_timestamp: {T0}\n\
             experiment_id: '1'\nlast_updated_timestamp: {}\nmodel_id: {MODEL}\n\
             model_type: tfjs\nname: tfjs-model\nsource_run_id: {RUN}\nstatus: 2\n\
             status_message: null\n",
            T0 + 5
        )
    );
    assert_eq!(
        text(&format!("1/models/{MODEL}/metrics/acc")),
        format!(
            "{} 0.9111111111111111 1 {RUN}\n{} nan 2 {RUN}\n",
            T0 + 1,
            T0 + 2
        )
    );

    // Back in, everything is as it was, with the locations now written down.
    let mut want = snap.clone();
    let versions = &mut want.registered_models[0].versions;
    versions.get_mut(&1).unwrap().storage_location =
        Some(format!("mlruns/1/models/{MODEL}/artifacts"));
    versions.get_mut(&2).unwrap().storage_location = Some(format!("runs:/{RUN}/tfjs-model"));
    let again = import(&zip);
    assert!(again.warnings.is_empty(), "{:?}", again.warnings);
    assert_eq!(comparable(&again), comparable(&want));

    let Some(python) = python() else {
        println!("ORACLE_PYTHON is not set: skipped resolving the URIs with MLflow");
        return;
    };
    let path = write_export("browser_models", &zip);
    let path = path.to_string_lossy();
    let uris = [
        format!("runs:/{RUN}/tfjs-model"),
        format!("models:/{MODEL}"),
        format!("models:/{REGISTERED}@champion"),
        format!("models:/{REGISTERED}/2"),
    ];
    let mut args = vec![path.as_ref()];
    args.extend(uris.iter().map(String::as_str));
    let (code, out, err) = run_python(&python, "model_uris.py", &args);
    println!("model_uris.py: exit {code}\n{out}");
    assert_eq!(code, 0, "MLflow could not resolve every URI:\n{out}\n{err}");
    let got: Value = serde_json::from_str(&out).expect("model_uris.py prints JSON");
    for uri in &uris {
        let tfjs = &got[uri]["flavors"]["tfjs"];
        assert_eq!(
            tfjs["model_json"],
            json!("model.json"),
            "{uri}: {}",
            got[uri]
        );
        assert_eq!(
            tfjs["weights_files"],
            json!(["group1-shard1of1.bin"]),
            "{uri}"
        );
        assert_eq!(got[uri]["run_id"], json!(RUN), "{uri}");
    }
    let (code, out, err) = run_python(&python, "oracle.py", &["dump", "--strict", &path]);
    assert_eq!(code, 0, "oracle dump --strict:\n{out}\n{err}");
    let dump: Value = serde_json::from_str(&out).unwrap();
    check_dump(&want, &dump);
}

// ---- what MLflow reads but we do not model ------------------------------------------

const FIXTURE_MODEL: &str = "m-b3fde20b7dfa4d1a9e890ad54a10516d";
const FIXTURE_EXP: &str = "486363326093825791";

/// The `models` fixture made odd in ways MLflow still reads: a registered model whose
/// folder is not its name, a logged model with status 0, a version in a stage MLflow
/// does not spell that way, an alias file with a newline, unknown files.
fn odd_store() -> (BTreeMap<String, Vec<u8>>, BTreeSet<String>) {
    let zip = std::fs::read(root().join("tests/fixtures/models.zip")).unwrap();
    let tree = read_archive(&zip, &ArchiveLimits::default()).unwrap().tree;
    let mut files: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    for (path, bytes) in tree.files {
        let path = path.replace("models/fixture-model-empty/", "models/renamed-dir/");
        files.insert(path, bytes);
    }
    let edit = |files: &mut BTreeMap<String, Vec<u8>>, path: &str, from: &str, to: &str| {
        let text = String::from_utf8(files[path].clone()).unwrap();
        assert!(text.contains(from), "{path}");
        files.insert(path.into(), text.replace(from, to).into_bytes());
    };
    let model_meta = format!("{FIXTURE_EXP}/models/{FIXTURE_MODEL}/meta.yaml");
    edit(&mut files, &model_meta, "status: 2", "status: 0");
    let v1 = "models/fixture-model/version-1/meta.yaml";
    edit(
        &mut files,
        v1,
        "current_stage: None",
        "current_stage: production",
    );
    files.insert(
        "models/fixture-model/aliases/champion".into(),
        b"2\n".to_vec(),
    );
    files.insert("models/fixture-model/notes.txt".into(), b"kept".to_vec());
    files.insert(
        "models/fixture-model/version-2/notes.txt".into(),
        b"kept".to_vec(),
    );
    let dirs = tree
        .dirs
        .into_iter()
        .map(|d| d.replace("models/fixture-model-empty", "models/renamed-dir"))
        .collect();
    (files, dirs)
}

fn zip_of(files: &BTreeMap<String, Vec<u8>>, dirs: &BTreeSet<String>) -> Vec<u8> {
    let files = files
        .iter()
        .map(|(p, d)| (format!("mlruns/{p}"), d.clone()))
        .collect();
    let dirs = dirs.iter().map(|d| format!("mlruns/{d}")).collect();
    write_zip(&files, &dirs)
}

#[test]
fn what_mlflow_reads_but_we_do_not_model_exports_unchanged_and_follows_its_model() {
    let (files, dirs) = odd_store();
    let original = zip_of(&files, &dirs);
    let snap = import(&original);
    for needle in [
        "models/renamed-dir': meta.yaml names it 'fixture-model-empty'",
        "status 0 (UNSPECIFIED)",
        "version-1': current_stage \"production\" is not one of MLflow's stages",
        "alias 'champion' holds \"2\\n\"",
    ] {
        assert!(
            snap.warnings.iter().any(|w| w.contains(needle)),
            "{needle}: {:#?}",
            snap.warnings
        );
    }
    assert!(snap.logged_models.is_empty());
    let names: Vec<&str> = snap
        .registered_models
        .iter()
        .map(|m| m.name.as_str())
        .collect();
    assert_eq!(names, ["fixture-model"]);
    let model = &snap.registered_models[0];
    assert_eq!(model.versions.keys().copied().collect::<Vec<_>>(), [2]);
    assert_eq!(model.aliases, [("baseline".to_string(), 1)].into());
    assert_eq!(snap.summary().registered_models, 1);

    // Exported, every file we did not model is there byte for byte.
    let exported = export_zip(&snap, &Selection::All);
    let tree = read_archive(&exported, &ArchiveLimits::default())
        .unwrap()
        .tree;
    for path in [
        format!("{FIXTURE_EXP}/models/{FIXTURE_MODEL}/meta.yaml"),
        format!("{FIXTURE_EXP}/models/{FIXTURE_MODEL}/artifacts/MLmodel"),
        "models/renamed-dir/meta.yaml".into(),
        "models/renamed-dir/tags/kind".into(),
        "models/fixture-model/version-1/meta.yaml".into(),
        "models/fixture-model/version-1/tags/stage-note".into(),
        "models/fixture-model/aliases/champion".into(),
        "models/fixture-model/notes.txt".into(),
        "models/fixture-model/version-2/notes.txt".into(),
    ] {
        assert_eq!(tree.files.get(&path), files.get(&path), "{path}");
    }
    assert_eq!(comparable(&import(&exported)), comparable(&snap));

    // Kept files go with their model: gone when it is deleted, replaced when a model
    // of that name is made here.
    let mut changed = snap.clone();
    changed.registered_models.clear();
    changed
        .registered_models
        .push(RegisteredModel::new("renamed-dir", T0));
    let after = export_zip(&changed, &Selection::All);
    let tree = read_archive(&after, &ArchiveLimits::default())
        .unwrap()
        .tree;
    let left: Vec<&String> = (tree.files.keys())
        .filter(|p| p.starts_with("models/"))
        .collect();
    assert_eq!(left, ["models/renamed-dir/meta.yaml"], "{left:?}");
    let meta = String::from_utf8(tree.files["models/renamed-dir/meta.yaml"].clone()).unwrap();
    assert!(meta.contains("name: renamed-dir\n"), "{meta}");

    let Some(python) = python() else {
        println!("ORACLE_PYTHON is not set: skipped MLflow reading the odd store");
        return;
    };
    let a = write_export("odd_original", &original);
    let b = write_export("odd_exported", &exported);
    let (a, b) = (a.to_string_lossy(), b.to_string_lossy());
    let (code, out, err) = run_python(&python, "oracle.py", &["diff", "--loose", &a, &b]);
    assert_eq!(
        code, 0,
        "MLflow reads the export differently:\n{out}\n{err}"
    );
    let c = write_export("odd_changed", &after);
    let (code, out, err) = run_python(
        &python,
        "oracle.py",
        &["dump", "--strict", "-o", "/dev/null", &c.to_string_lossy()],
    );
    assert_eq!(code, 0, "after the changes:\n{out}\n{err}");
}

// ---- stores imported before models were read ----------------------------------------

/// Explicit folders of `tree` with nothing below them (what an import keeps).
fn leaves(files: &BTreeMap<String, Vec<u8>>, dirs: &BTreeSet<String>) -> BTreeSet<String> {
    (dirs.iter())
        .filter(|d| {
            let below = format!("{d}/");
            !files.keys().any(|k| k.starts_with(&below))
                && !dirs.iter().any(|k| k.starts_with(&below))
        })
        .cloned()
        .collect()
}

/// Whether `path` is one an older import kept unread: `<exp>/models/…`, `models/…`.
fn was_kept(path: &str) -> bool {
    let inside = path.strip_prefix(".trash/").unwrap_or(path);
    path.starts_with("models/") || inside.split('/').nth(1) == Some("models")
}

#[test]
fn kept_files_of_older_imports_become_the_records_an_import_makes() {
    for name in ["models", "v3extras", "edge"] {
        let zip = std::fs::read(root().join(format!("tests/fixtures/{name}.zip"))).unwrap();
        let today = import(&zip);
        // What an older Ferroflow kept: today's extras, plus the model folders unread.
        let tree = read_archive(&zip, &ArchiveLimits::default()).unwrap().tree;
        let mut files = today.extra_files.clone();
        files.extend(
            (tree.files.iter())
                .filter(|(p, _)| was_kept(p))
                .map(|(p, d)| (p.clone(), d.clone())),
        );
        let mut dirs = today.extra_dirs.clone();
        dirs.extend(
            leaves(&tree.files, &tree.dirs)
                .into_iter()
                .filter(|d| was_kept(d)),
        );
        assert!(
            files.len() > today.extra_files.len(),
            "{name}: models were kept"
        );

        // As the browser store holds them: empty folders as keys ending in '/'.
        let mut stored = files.clone();
        stored.extend(dirs.iter().map(|d| (format!("{d}/"), Vec::new())));
        for got in [
            models_from_kept_files(files, dirs),
            models_from_kept_files(stored, BTreeSet::new()),
        ] {
            assert_eq!(got.logged_models, today.logged_models, "{name}");
            assert_eq!(got.registered_models, today.registered_models, "{name}");
            assert_eq!(got.extra_files, today.extra_files, "{name}");
            assert_eq!(got.extra_dirs, today.extra_dirs, "{name}");
            assert!(got.warnings.is_empty(), "{name}: {:?}", got.warnings);
        }
    }
}

#[test]
fn migration_keeps_as_files_what_mlflow_could_not_read() {
    let zip = std::fs::read(root().join("tests/fixtures/models.zip")).unwrap();
    let tree = read_archive(&zip, &ArchiveLimits::default()).unwrap().tree;
    let mut files: BTreeMap<String, Vec<u8>> = (tree.files.into_iter())
        .filter(|(p, _)| was_kept(p))
        .collect();
    let model_meta = "486363326093825791/models/m-b3fde20b7dfa4d1a9e890ad54a10516d/meta.yaml";
    let broken_version = "models/fixture-model/version-2/meta.yaml";
    files.insert(model_meta.into(), b"name: [unclosed\n".to_vec());
    files.insert(broken_version.into(), b"version: two\n".to_vec());
    files.insert(
        "models/stray/tags/x".into(),
        b"a folder without meta.yaml".to_vec(),
    );
    let before = files.clone();
    let got = models_from_kept_files(files, BTreeSet::new());
    assert!(got.logged_models.is_empty());
    let names: Vec<&str> = (got.registered_models.iter())
        .map(|m| m.name.as_str())
        .collect();
    assert_eq!(
        names,
        ["fixture-model-empty"],
        "the broken one stays as files"
    );
    // Every file of the broken model folders is still there, byte for byte.
    for (path, bytes) in &before {
        let kept =
            path.starts_with("486363326093825791/") || path.starts_with("models/fixture-model/");
        if kept {
            assert_eq!(got.extra_files.get(path), Some(bytes), "{path}");
        }
    }
    assert!(
        !got.extra_files.contains_key("models/stray/tags/x"),
        "MLflow could not list it"
    );
    for needle in [model_meta, broken_version, "models/stray"] {
        assert!(
            got.warnings.iter().any(|w| w.contains(needle)),
            "{needle}: {:?}",
            got.warnings
        );
    }
}
