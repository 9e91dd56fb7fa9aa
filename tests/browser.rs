//! Browser tests of the IndexedDB store and the service, in headless Chromium.
#![cfg(target_arch = "wasm32")]

use ferroflow::core::tracking::metric_log::MetricChunk;
use ferroflow::core::tracking::model::MetricPoint;
use ferroflow::core::tracking::{NewRun, Tracker};
use ferroflow::store::{Batch, Db};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn pts(range: std::ops::Range<i64>) -> Vec<MetricPoint> {
    range
        .map(|i| MetricPoint {
            timestamp: 1000 + i,
            value: i as f64 / 2.0,
            step: i,
        })
        .collect()
}

async fn fresh(name: &str) -> Db {
    Db::delete(name).await.unwrap();
    Db::open(name).await.unwrap()
}

#[wasm_bindgen_test]
async fn records_and_chunks_survive_reopening() {
    let name = "ff-test-reopen";
    let db = fresh(name).await;
    let mut t = Tracker::load(vec![], vec![], 1, 5);
    let run = t.create_run(NewRun::default(), 10).unwrap();
    t.log_params(&run, &[("lr".into(), "0.1".into())]).unwrap();
    for p in pts(0..40_000) {
        t.log_metric(&run, "loss", p).unwrap();
    }
    t.log_metric(
        &run,
        "nan",
        MetricPoint {
            timestamp: 1,
            value: f64::NAN,
            step: 0,
        },
    )
    .unwrap();
    let w = t.take_pending();
    assert_eq!(
        w.chunks.iter().filter(|c| c.key == "loss").count(),
        3,
        "16384-point chunks"
    );
    db.write(&Batch {
        experiments: &w.experiments,
        runs: &w.runs,
        chunks: &w.chunks,
        ..Default::default()
    })
    .await
    .unwrap();
    db.close();

    let db = Db::open(name).await.unwrap();
    let (exps, runs) = db.load_all().await.unwrap();
    assert_eq!(exps.len(), 1);
    assert_eq!(runs[0].run.params["lr"], "0.1");
    assert_eq!(runs[0].metric_chunks["loss"], 3);
    let hist = db.metric_history(&run, "loss").await.unwrap();
    assert_eq!(hist.len(), 40_000);
    assert_eq!(hist, pts(0..40_000), "chunks come back in order");
    assert!(
        runs[0].inline_metrics["nan"][0].value.is_nan(),
        "a one-point series lives in the run record"
    );
    assert!(db.metric_history(&run, "nan").await.unwrap().is_empty());
    assert!(db.metric_history(&run, "missing").await.unwrap().is_empty());
}

#[wasm_bindgen_test]
async fn rewriting_the_tail_chunk_replaces_it() {
    let db = fresh("ff-test-tail").await;
    let chunk = |n: i64| MetricChunk {
        run_id: "r".into(),
        key: "k".into(),
        seq: 0,
        points: pts(0..n),
    };
    db.write(&Batch {
        chunks: &[chunk(3)],
        ..Default::default()
    })
    .await
    .unwrap();
    db.write(&Batch {
        chunks: &[chunk(5)],
        ..Default::default()
    })
    .await
    .unwrap();
    assert_eq!(db.metric_history("r", "k").await.unwrap().len(), 5);
    db.write(&Batch {
        replace_runs: &["r".into()],
        ..Default::default()
    })
    .await
    .unwrap();
    assert!(db.metric_history("r", "k").await.unwrap().is_empty());
}

#[wasm_bindgen_test]
async fn artifacts_are_listed_by_prefix() {
    let db = fresh("ff-test-artifacts").await;
    let files = vec![
        ("r1".to_string(), "a.txt".to_string(), b"hello".to_vec()),
        (
            "r1".to_string(),
            "plots/loss.png".to_string(),
            vec![1, 2, 3],
        ),
        ("r2".to_string(), "other.txt".to_string(), vec![9]),
    ];
    db.write(&Batch {
        artifacts: &files,
        ..Default::default()
    })
    .await
    .unwrap();
    let mut listed = db.artifact_sizes("r1", "").await.unwrap();
    listed.sort();
    assert_eq!(
        listed,
        vec![("a.txt".into(), 5), ("plots/loss.png".into(), 3)]
    );
    assert_eq!(db.artifact("r1", "a.txt").await.unwrap().unwrap(), b"hello");
    assert!(db.artifact("r1", "nope").await.unwrap().is_none());
}

#[wasm_bindgen_test]
async fn an_older_database_is_upgraded_in_place() {
    // IndexedDB version 1 had no artifacts or extra_files stores.
    let name = "ff-test-upgrade";
    Db::delete(name).await.unwrap();
    let mut b = rexie::Rexie::builder(name).version(1);
    for s in ["meta", "experiments", "runs", "metric_chunks"] {
        b = b.add_object_store(rexie::ObjectStore::new(s));
    }
    let old = b.build().await.unwrap();
    let mut t = Tracker::load(vec![], vec![], 1, 5);
    let run = t.create_run(NewRun::default(), 10).unwrap();
    let w = t.take_pending();
    let tx = old
        .transaction(&["runs"], rexie::TransactionMode::ReadWrite)
        .unwrap();
    let json = serde_json::to_string(&w.runs[0]).unwrap();
    tx.store("runs")
        .unwrap()
        .put(&json.into(), Some(&run.as_str().into()))
        .await
        .unwrap();
    tx.done().await.unwrap();
    old.close();

    let db = Db::open(name).await.unwrap();
    let (_, runs) = db.load_all().await.unwrap();
    assert_eq!(runs[0].run.info.run_id, run, "records survive the upgrade");
    db.close();

    // Format 1 at IndexedDB version 2: artifacts without the size index.
    let name = "ff-test-upgrade-index";
    Db::delete(name).await.unwrap();
    let mut b = rexie::Rexie::builder(name).version(2);
    for s in [
        "meta",
        "experiments",
        "runs",
        "metric_chunks",
        "artifacts",
        "extra_files",
    ] {
        b = b.add_object_store(rexie::ObjectStore::new(s));
    }
    let v2 = b.build().await.unwrap();
    let tx = v2
        .transaction(&["artifacts"], rexie::TransactionMode::ReadWrite)
        .unwrap();
    let key: wasm_bindgen::JsValue =
        js_sys::Array::of2(&run.as_str().into(), &"old/model.bin".into()).into();
    let bytes: wasm_bindgen::JsValue = js_sys::Uint8Array::from(&[7u8; 42][..]).into();
    tx.store("artifacts")
        .unwrap()
        .put(&bytes, Some(&key))
        .await
        .unwrap();
    tx.done().await.unwrap();
    v2.close();
    let db = Db::open(name).await.unwrap();
    assert_eq!(
        db.artifact_sizes(&run, "").await.unwrap(),
        vec![("old/model.bin".to_string(), 42)],
        "the migration indexed the old artifact"
    );
    let files = [(run.clone(), "a.txt".to_string(), vec![1])];
    db.write(&Batch {
        artifacts: &files,
        ..Default::default()
    })
    .await
    .unwrap();
    assert_eq!(
        db.artifact(&run, "a.txt").await.unwrap(),
        Some(vec![1]),
        "new stores exist"
    );
}

#[wasm_bindgen_test]
async fn a_database_from_a_newer_ferroflow_is_refused_clearly() {
    let name = "ff-test-newer";
    let db = fresh(name).await;
    db.close();
    let r = rexie::Rexie::builder(name)
        .version(ferroflow::store::IDB_VERSION)
        .build()
        .await
        .unwrap();
    let tx = r
        .transaction(&["meta"], rexie::TransactionMode::ReadWrite)
        .unwrap();
    tx.store("meta")
        .unwrap()
        .put(&99.into(), Some(&"schema".into()))
        .await
        .unwrap();
    tx.done().await.unwrap();
    r.close();
    let err = Db::open(name).await.err().expect("refused");
    assert!(err.to_string().contains("newer Ferroflow"), "{err}");
}
