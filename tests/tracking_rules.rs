//! MLflow's tracking semantics in the pure tracker: params, tags, runs, experiments, latest metrics.

use std::collections::BTreeMap;

use ferroflow::core::tracking::model::*;
use ferroflow::core::tracking::*;

mod support;
use support::MemStore;

fn tracker() -> Tracker {
    Tracker::load(vec![], vec![], 42, 1_000)
}

fn new_run(t: &mut Tracker, name: &str) -> String {
    t.create_run(
        NewRun {
            run_name: Some(name.into()),
            source: RunSource {
                user: "ada".into(),
                name: "http://x/page".into(),
                kind: "LOCAL".into(),
            },
            ..Default::default()
        },
        2_000,
    )
    .unwrap()
}

fn pt(step: i64, ts: i64, value: f64) -> MetricPoint {
    MetricPoint {
        timestamp: ts,
        value,
        step,
    }
}

#[test]
fn default_experiment_exists_and_cannot_be_deleted() {
    let mut t = tracker();
    assert_eq!(t.experiment("0").unwrap().name, "Default");
    let e = t.delete_experiment("0", 5).unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidParameterValue);
}

#[test]
fn run_gets_system_tags_and_hex_id() {
    let mut t = tracker();
    let id = new_run(&mut t, "first");
    assert_eq!(id.len(), 32);
    let r = t.run(&id).unwrap();
    assert_eq!(r.tags["mlflow.runName"], "first");
    assert_eq!(r.tags["mlflow.user"], "ada");
    assert_eq!(r.tags["mlflow.source.name"], "http://x/page");
    assert_eq!(r.tags["mlflow.source.type"], "LOCAL");
    assert_eq!(r.info.status, RunStatus::Running);
    assert_eq!(r.info.artifact_uri, format!("mlruns/0/{id}/artifacts"));
    let unnamed = t.create_run(NewRun::default(), 3).unwrap();
    assert_eq!(t.run(&unnamed).unwrap().info.run_name.split('-').count(), 3);
}

#[test]
fn params_are_immutable_but_same_value_is_fine() {
    let mut t = tracker();
    let id = new_run(&mut t, "r");
    t.log_params(&id, &[("lr".into(), "0.1".into())]).unwrap();
    t.log_params(&id, &[("lr".into(), "0.1".into())]).unwrap();
    let e = t
        .log_params(&id, &[("lr".into(), "0.2".into())])
        .unwrap_err();
    assert!(
        e.message.contains("Changing param values is not allowed"),
        "{e}"
    );
    // all-or-nothing: a bad key in a batch logs nothing
    let e = t
        .log_params(
            &id,
            &[("ok".into(), "1".into()), ("bad!".into(), "2".into())],
        )
        .unwrap_err();
    assert!(e.message.contains("bad!"));
    assert!(!t.run(&id).unwrap().params.contains_key("ok"));
}

#[test]
fn latest_metric_is_max_by_step_timestamp_value() {
    let mut t = tracker();
    let id = new_run(&mut t, "r");
    t.log_metric(&id, "loss", pt(5, 100, 0.5)).unwrap();
    t.log_metric(&id, "loss", pt(3, 900, 0.1)).unwrap(); // lower step: not latest
    assert_eq!(t.run(&id).unwrap().metrics["loss"].value, 0.5);
    t.log_metric(&id, "loss", pt(5, 100, 0.7)).unwrap(); // same step+ts, bigger value
    assert_eq!(t.run(&id).unwrap().metrics["loss"].value, 0.7);
    t.log_metric(&id, "nan", pt(0, 1, f64::NAN)).unwrap();
    t.log_metric(&id, "inf", pt(0, 1, f64::INFINITY)).unwrap();
    assert!(t.run(&id).unwrap().metrics["nan"].value.is_nan());
    assert!(t.log_metric(&id, "../x", pt(0, 1, 1.0)).is_err());
    assert!(t.log_metric(&id, "neg", pt(0, -1, 1.0)).is_err());
    assert!(!t.run(&id).unwrap().metrics.contains_key("neg"));
}

#[test]
fn metric_points_leave_in_chunks_and_counts_are_stored() {
    let mut store = MemStore::default();
    let mut t = store.open(42, 1_000);
    let id = new_run(&mut t, "r");
    for i in 0..100 {
        t.log_metric(&id, "loss", pt(i, 10 + i, i as f64)).unwrap();
    }
    let merged = store.flush(&mut t);
    assert_eq!(merged.chunks.len(), 1);
    assert_eq!(merged.chunks[0].points.len(), 100);
    assert_eq!(store.stored_run(&id).metric_chunks["loss"], 1);
    assert!(!t.has_pending());
    assert!(store.flush(&mut t).chunks.is_empty(), "nothing twice");
}

#[test]
fn deleted_runs_refuse_logging_until_restored() {
    let mut t = tracker();
    let id = new_run(&mut t, "r");
    t.delete_run(&id, 10).unwrap();
    let e = t.log_metric(&id, "m", pt(0, 1, 1.0)).unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidState);
    assert!(e.message.contains("restoreRun"), "{e}");
    t.restore_run(&id).unwrap();
    t.log_metric(&id, "m", pt(0, 1, 1.0)).unwrap();
}

#[test]
fn experiment_lifecycle_cascades_to_its_runs() {
    let mut t = tracker();
    let exp = t
        .create_experiment("vision", None, BTreeMap::new(), 5)
        .unwrap();
    assert_eq!(exp.len(), 18);
    let e = t
        .create_experiment("vision", None, BTreeMap::new(), 5)
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::ResourceAlreadyExists);
    let id = t
        .create_run(
            NewRun {
                experiment_id: Some(exp.clone()),
                ..Default::default()
            },
            6,
        )
        .unwrap();
    t.delete_experiment(&exp, 7).unwrap();
    assert_eq!(
        t.run(&id).unwrap().info.lifecycle_stage,
        LifecycleStage::Deleted
    );
    assert!(t
        .create_run(
            NewRun {
                experiment_id: Some(exp.clone()),
                ..Default::default()
            },
            8
        )
        .is_err());
    t.restore_experiment(&exp, 9).unwrap();
    assert_eq!(
        t.run(&id).unwrap().info.lifecycle_stage,
        LifecycleStage::Active
    );
    t.rename_experiment(&exp, "vision-2", 10).unwrap();
    assert_eq!(t.experiment_by_name("vision-2").unwrap().experiment_id, exp);
}

#[test]
fn nested_runs_carry_parent_tag_and_run_name_tag_renames() {
    let mut t = tracker();
    let parent = new_run(&mut t, "parent");
    let child = t
        .create_run(
            NewRun {
                parent_run_id: Some(parent.clone()),
                ..Default::default()
            },
            3,
        )
        .unwrap();
    assert_eq!(
        t.run(&child).unwrap().parent_run_id(),
        Some(parent.as_str())
    );
    t.set_tags(&child, &[("mlflow.runName".into(), "renamed".into())])
        .unwrap();
    assert_eq!(t.run(&child).unwrap().info.run_name, "renamed");
    t.set_terminated(&child, RunStatus::Failed, 9).unwrap();
    let info = &t.run(&child).unwrap().info;
    assert_eq!((info.status, info.end_time), (RunStatus::Failed, Some(9)));
    assert!(t.delete_tag(&child, "nope").is_err());
}

#[test]
fn a_failed_write_is_stored_again_by_the_next_flush_unless_its_writer_was_told() {
    let mut store = MemStore::default();
    let mut t = store.open(42, 1_000);
    let id = new_run(&mut t, "r");
    store.flush(&mut t);
    for i in 0..100 {
        t.log_metric(&id, "loss", pt(i, 10 + i, i as f64)).unwrap();
    }
    let told = t.next_ticket();
    t.set_tags(&id, &[("told".into(), "1".into())]).unwrap();
    t.set_tags(&id, &[("quiet".into(), "1".into())]).unwrap();
    // the transaction aborts: the batch comes back
    let failed = t.take_batch();
    t.failed(failed.series, |ticket| ticket != told);
    t.log_metric(&id, "loss", pt(100, 200, 1.0)).unwrap();
    store.flush(&mut t);
    let history = store.history(&id, "loss");
    assert_eq!(
        history.len(),
        101,
        "the failed points first, then the newer one"
    );
    assert_eq!(
        history.iter().map(|p| p.step).collect::<Vec<_>>(),
        (0..=100).collect::<Vec<_>>()
    );
    let tags = store.stored_run(&id).run.tags;
    assert!(
        tags.contains_key("quiet"),
        "retried: nobody was told it failed"
    );
    assert!(
        !tags.contains_key("told"),
        "dropped: its writer was told it failed"
    );
}

#[test]
fn an_imported_run_replaces_queued_points_to_it() {
    let mut t = tracker();
    let id = new_run(&mut t, "r");
    t.log_metric(&id, "loss", pt(0, 1, 1.0)).unwrap();
    let mut imported = t.stored_run(&id).unwrap().clone();
    imported.run.info.run_name = "from the archive".into();
    imported.run.metrics.clear();
    t.replace_imported(Records::new(vec![], vec![imported]));
    assert_eq!(t.run(&id).unwrap().info.run_name, "from the archive");
    assert!(
        t.run(&id).unwrap().metrics.is_empty(),
        "latest values replaced too"
    );
    assert_eq!(t.pending_points(), 0, "queued points for it are dropped");
}
