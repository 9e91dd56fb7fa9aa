//! Browser tests of the IndexedDB store and the service, in headless Chromium.
#![cfg(target_arch = "wasm32")]

use std::cell::RefCell;
use std::rc::Rc;

use ferroflow::core::tracking::codec::encode_record;
use ferroflow::core::tracking::model::MetricPoint;
use ferroflow::core::tracking::{NewRun, Tracker};
use ferroflow::store::{Batch, Db, StoreErrorKind, StoreEvent};
use wasm_bindgen::{JsCast, JsValue};
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
    Db::open_quietly(name).await.unwrap()
}

/// Flushes everything `t` holds through `db`, as the service does.
async fn flush(db: &Db, t: &mut Tracker) -> ferroflow::core::tracking::Merged {
    let batch = t.take_batch();
    let (merged, stored) = db.flush(&batch).await.unwrap();
    t.committed(stored);
    merged
}
/// Writes `puts` — (object store, key, value) — in one transaction, as an older or a
/// newer Ferroflow would have left them.
async fn put_raw(r: &rexie::Rexie, puts: Vec<(&str, JsValue, JsValue)>) {
    let mut stores: Vec<&str> = puts.iter().map(|p| p.0).collect();
    stores.sort_unstable();
    stores.dedup();
    let tx = r
        .transaction(&stores, rexie::TransactionMode::ReadWrite)
        .unwrap();
    for (store, key, value) in puts {
        tx.store(store)
            .unwrap()
            .put(&value, Some(&key))
            .await
            .unwrap();
    }
    tx.done().await.unwrap();
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
    let merged = flush(&db, &mut t).await;
    assert_eq!(
        merged.chunks.iter().filter(|c| c.key == "loss").count(),
        3,
        "16384-point chunks"
    );
    db.close();

    let db = Db::open_quietly(name).await.unwrap();
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
    assert!(db.metric_history(&run, "nan").await.unwrap()[0]
        .value
        .is_nan());
    assert!(db.metric_history(&run, "missing").await.unwrap().is_empty());
}

/// A flush of new runs is stored on a guess (its writes go out right behind its
/// reads); when another connection changed the experiment meanwhile, the guess does
/// not hold, the transaction aborts, and the careful flush brings that change into
/// this writer's view. Everything is there after reopening.
#[wasm_bindgen_test]
async fn new_runs_flush_on_a_guess_and_a_stale_guess_aborts_cleanly() {
    use ferroflow::core::tracking::model::RunStatus;
    let name = "ff-test-guess";
    let db_a = fresh(name).await;
    let db_b = Db::open_quietly(name).await.unwrap();
    let mut a = Tracker::load(vec![], vec![], 1, 5);
    flush(&db_a, &mut a).await;
    let run = a.create_run(NewRun::default(), 10).unwrap();
    a.log_params(&run, &[("lr".into(), "0.1".into())]).unwrap();
    for p in pts(0..20_000) {
        a.log_metric(&run, "loss", p).unwrap();
    }
    a.set_terminated(&run, RunStatus::Finished, 20).unwrap();
    let batch = a.take_batch();
    let guess = a.guess_base(&batch);
    assert!(guess.is_some(), "startRun … endRun is guessable");
    let (merged, stored) = db_a.flush_guessing(&batch, guess).await.unwrap();
    assert!(merged.outcomes.iter().all(|(_, o)| o.is_ok()));
    assert_eq!(merged.chunks.len(), 2, "20,000 points: two chunks");
    a.committed(stored);

    let (e, r) = db_b.load_all().await.unwrap();
    let mut b = Tracker::load(e, r, 2, 5);
    b.set_experiment_tag("0", "team", "b", 30).unwrap();
    flush(&db_b, &mut b).await;
    let second = a.create_run(NewRun::default(), 40).unwrap();
    let batch = a.take_batch();
    let guess = a.guess_base(&batch).unwrap();
    assert!(
        !guess.experiments["0"].tags.contains_key("team"),
        "a has not heard"
    );
    let (_, stored) = db_a.flush_guessing(&batch, Some(guess)).await.unwrap();
    assert_eq!(
        stored.records.experiments["0"]
            .tags
            .get("team")
            .map(String::as_str),
        Some("b"),
        "the stale guess was not used: the records are as stored"
    );
    a.committed(stored);
    assert_eq!(a.experiment("0").unwrap().tags["team"], "b");
    db_a.close();
    db_b.close();

    let db = Db::open_quietly(name).await.unwrap();
    let (exps, runs) = db.load_all().await.unwrap();
    let mut ids: Vec<_> = runs.iter().map(|r| r.run.info.run_id.clone()).collect();
    ids.sort();
    let mut want = vec![run.clone(), second];
    want.sort();
    assert_eq!(ids, want);
    assert_eq!(exps[0].tags["team"], "b");
    assert_eq!(
        db.metric_history(&run, "loss").await.unwrap(),
        pts(0..20_000)
    );
    let first = runs.iter().find(|r| r.run.info.run_id == run).unwrap();
    assert_eq!(first.run.params["lr"], "0.1");
    assert_eq!(first.run.info.status, RunStatus::Finished);
}

/// Two connections (as two tabs have) flushing to one run at once: IndexedDB runs
/// the read-modify-write transactions one after the other, so both writers' params,
/// tags and points are stored, and the series' chunks never collide.
#[wasm_bindgen_test]
async fn two_connections_flushing_at_once_keep_both_writers_changes() {
    let name = "ff-test-two-writers";
    let db_a = fresh(name).await;
    let db_b = Db::open_quietly(name).await.unwrap();
    let mut a = Tracker::load(vec![], vec![], 1, 5);
    let run = a.create_run(NewRun::default(), 10).unwrap();
    flush(&db_a, &mut a).await;
    let (e, r) = db_b.load_all().await.unwrap();
    let mut b = Tracker::load(e, r, 2, 5);
    for round in 0..5 {
        for i in 0..4_000 {
            let step = round * 10_000 + i;
            a.log_metric(
                &run,
                "loss",
                MetricPoint {
                    timestamp: 1,
                    value: 0.5,
                    step: 2 * step,
                },
            )
            .unwrap();
            b.log_metric(
                &run,
                "loss",
                MetricPoint {
                    timestamp: 1,
                    value: 0.25,
                    step: 2 * step + 1,
                },
            )
            .unwrap();
        }
        a.log_params(&run, &[(format!("a{round}"), "1".into())])
            .unwrap();
        b.log_params(&run, &[(format!("b{round}"), "2".into())])
            .unwrap();
        b.set_tags(&run, &[(format!("tb{round}"), "x".into())])
            .unwrap();
        let (ba, bb) = (a.take_batch(), b.take_batch());
        let (ra, rb) = futures::join!(db_a.flush(&ba), db_b.flush(&bb));
        a.committed(ra.unwrap().1);
        b.committed(rb.unwrap().1);
    }
    let (_, runs) = db_a.load_all().await.unwrap();
    let stored = &runs[0];
    assert_eq!(stored.run.params.len(), 10, "{:?}", stored.run.params);
    assert_eq!(
        stored
            .run
            .tags
            .keys()
            .filter(|k| k.starts_with("tb"))
            .count(),
        5
    );
    let history = db_a.metric_history(&run, "loss").await.unwrap();
    assert_eq!(history.len(), 40_000, "every point of both writers");
    let mut steps: Vec<i64> = history.iter().map(|p| p.step).collect();
    steps.sort();
    steps.dedup();
    assert_eq!(steps.len(), 40_000, "none twice");
    assert_eq!(
        stored.metric_chunks["loss"], 3,
        "16,384-point chunks, numbered in order"
    );
}

/// Another tab opening a newer version closes this connection and says so; an open
/// that has to wait for an old connection says why, then goes through.
#[wasm_bindgen_test]
async fn upgrades_elsewhere_close_this_connection_and_blocked_opens_are_reported() {
    let name = "ff-test-lifecycle";
    Db::delete(name).await.unwrap();
    let heard = Rc::new(RefCell::new(Vec::new()));
    let log = heard.clone();
    let db = Db::open(name, Rc::new(move |e| log.borrow_mut().push(e)))
        .await
        .unwrap();
    // a newer Ferroflow in another tab
    let newer = raw_open(name, ferroflow::store::IDB_VERSION + 1).await;
    assert_eq!(*heard.borrow(), vec![StoreEvent::Closed]);
    let err = db.load_all().await.err().expect("closed");
    assert_eq!(err.kind, StoreErrorKind::Closed);
    assert!(err.message.contains("reload"), "{}", err.message);
    // Now this version is the old one: opening it is refused clearly.
    let err = Db::open_quietly(name).await.err().expect("newer");
    assert_eq!(err.kind, StoreErrorKind::Newer);
    newer.close();

    // an old connection that never closes blocks the upgrade until it goes
    let name = "ff-test-blocked";
    Db::delete(name).await.unwrap();
    let old = raw_open(name, 1).await;
    let heard = Rc::new(RefCell::new(Vec::new()));
    let log = heard.clone();
    let opening = Db::open(name, Rc::new(move |e| log.borrow_mut().push(e)));
    let release = async {
        while heard.borrow().is_empty() {
            sleep_a_tick().await;
        }
        assert_eq!(*heard.borrow(), vec![StoreEvent::Blocked]);
        old.close();
    };
    let (db, ()) = futures::join!(opening, release);
    let db = db.unwrap();
    assert_eq!(
        *heard.borrow(),
        vec![StoreEvent::Blocked, StoreEvent::Opened]
    );
    db.load_all().await.unwrap();
}

/// A raw connection that ignores `versionchange` (as a stuck old tab would).
async fn raw_open(name: &str, version: u32) -> web_sys::IdbDatabase {
    let factory = web_sys::window().unwrap().indexed_db().unwrap().unwrap();
    let req = factory.open_with_u32(name, version).unwrap();
    let done = js_sys::Promise::new(&mut |ok, _| req.set_onsuccess(Some(&ok)));
    wasm_bindgen_futures::JsFuture::from(done).await.unwrap();
    req.result().unwrap().dyn_into().unwrap()
}

async fn sleep_a_tick() {
    let p = js_sys::Promise::new(&mut |ok, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&ok, 5)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(p).await.unwrap();
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
    let record = t.stored_run(&run).unwrap().clone();
    let json = encode_record(&record);
    put_raw(&old, vec![("runs", run.as_str().into(), json.into())]).await;
    old.close();

    let db = Db::open_quietly(name).await.unwrap();
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
    let key: JsValue = js_sys::Array::of2(&run.as_str().into(), &"old/model.bin".into()).into();
    let bytes: JsValue = js_sys::Uint8Array::from(&[7u8; 42][..]).into();
    put_raw(&v2, vec![("artifacts", key, bytes)]).await;
    v2.close();
    let db = Db::open_quietly(name).await.unwrap();
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

/// A store of format 3 kept no metric ranges: opening it records every history's
/// range (inline and chunked, NaN and signed zeros included) in its run, as logging
/// would have.
#[wasm_bindgen_test]
async fn metric_ranges_are_recorded_for_a_store_written_without_them() {
    use ferroflow::core::tracking::model::MetricRange;
    let name = "ff-test-migrate-ranges";
    let db = fresh(name).await;
    let mut t = Tracker::load(vec![], vec![], 1, 5);
    let run = t.create_run(NewRun::default(), 10).unwrap();
    let mut long = pts(0..40_000);
    long[123].value = -7.5;
    long[39_000].value = 1e300;
    let short: Vec<MetricPoint> = [f64::NAN, -0.0, 0.0, f64::NEG_INFINITY, 2.5]
        .iter()
        .enumerate()
        .map(|(i, &value)| MetricPoint {
            timestamp: 5,
            value,
            step: i as i64,
        })
        .collect();
    let nan = [MetricPoint {
        timestamp: 5,
        value: f64::NAN,
        step: 0,
    }];
    for (key, points) in [
        ("long", &long[..]),
        ("short", &short[..]),
        ("nan", &nan[..]),
    ] {
        for p in points {
            t.log_metric(&run, key, *p).unwrap();
        }
    }
    flush(&db, &mut t).await;
    let (_, runs) = db.load_all().await.unwrap();
    let mut record = runs[0].clone();
    let expected = record.run.metric_ranges.clone();
    assert_eq!(
        expected["long"],
        MetricRange {
            min: -7.5,
            max: 1e300
        }
    );
    assert_eq!(
        expected["short"],
        MetricRange {
            min: f64::NEG_INFINITY,
            max: 2.5
        }
    );
    assert!(expected["nan"].is_none());
    db.close();

    // As format 3 wrote it: no ranges.
    record.run.metric_ranges.clear();
    let r = rexie::Rexie::builder(name)
        .version(ferroflow::store::IDB_VERSION)
        .build()
        .await
        .unwrap();
    let json = encode_record(&record);
    assert!(!json.contains("metric_ranges"), "{json}");
    put_raw(
        &r,
        vec![
            ("meta", "schema".into(), 3.into()),
            ("runs", run.as_str().into(), json.into()),
        ],
    )
    .await;
    r.close();

    let db = Db::open_quietly(name).await.unwrap();
    let (_, runs) = db.load_all().await.unwrap();
    assert_eq!(runs[0].run.metric_ranges, expected, "recorded on open");
    assert_eq!(
        runs[0].metric_chunks["long"], 3,
        "the long history is chunked"
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
    put_raw(&r, vec![("meta", "schema".into(), 99.into())]).await;
    r.close();
    let err = Db::open_quietly(name).await.err().expect("refused");
    assert!(err.to_string().contains("newer Ferroflow"), "{err}");
}

/// A store an older Ferroflow left: format 2, the registry and logged models of MLflow's
/// `models` fixture among the extra files. Opening it models them as records (the
/// logged model's files become its artifacts) and keeps the other extra files.
#[wasm_bindgen_test]
async fn models_kept_as_files_by_an_older_version_become_records() {
    use ferroflow::core::interchange::mlruns::{read_archive, ArchiveLimits};
    let name = "ff-test-migrate-models";
    Db::delete(name).await.unwrap();
    let archive = read_archive(
        include_bytes!("fixtures/models.zip"),
        &ArchiveLimits::default(),
    )
    .unwrap();
    let mut b = rexie::Rexie::builder(name).version(ferroflow::store::IDB_VERSION);
    for s in [
        "meta",
        "experiments",
        "runs",
        "metric_chunks",
        "artifacts",
        "extra_files",
        "artifact_index",
        "logged_models",
        "registered_models",
    ] {
        b = b.add_object_store(rexie::ObjectStore::new(s));
    }
    let old = b.build().await.unwrap();
    let tx = old
        .transaction(&["meta", "extra_files"], rexie::TransactionMode::ReadWrite)
        .unwrap();
    tx.store("meta")
        .unwrap()
        .put(&2.into(), Some(&"schema".into()))
        .await
        .unwrap();
    let extra = tx.store("extra_files").unwrap();
    let mut kept = 0;
    for (path, bytes) in &archive.tree.files {
        if path.starts_with("models/") || path.contains("/models/") {
            let v: wasm_bindgen::JsValue = js_sys::Uint8Array::from(bytes.as_slice()).into();
            extra.put(&v, Some(&path.as_str().into())).await.unwrap();
            kept += 1;
        }
    }
    extra
        .put(
            &js_sys::Uint8Array::new_with_length(1).into(),
            Some(&"notes/keep.txt".into()),
        )
        .await
        .unwrap();
    tx.done().await.unwrap();
    old.close();
    assert!(
        kept > 10,
        "the fixture holds a registry and a logged model ({kept} files)"
    );

    let db = Db::open_quietly(name).await.unwrap();
    let records = db.load_everything().await.unwrap();
    let m = &records.registered_models["fixture-model"];
    assert_eq!(m.aliases["champion"], 2);
    assert!(m.versions.len() >= 2);
    let (id, lm) = records.logged_models.iter().next().expect("a logged model");
    let files = db.artifact_sizes(id, "").await.unwrap();
    assert!(files.iter().any(|(p, _)| p == "MLmodel"), "{files:?}");
    assert_eq!(lm.name, "model");
    let left: Vec<String> = db
        .extra_files()
        .await
        .unwrap()
        .into_iter()
        .map(|(p, _)| p)
        .collect();
    assert_eq!(
        left,
        vec!["notes/keep.txt".to_string()],
        "modeled files leave the extra files"
    );
}
