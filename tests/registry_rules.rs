//! The Model Registry and logged models through the journal and the merge: MLflow's
//! rules (SQLite-store semantics), numbers never reused, aliases moving, renames that
//! keep everything, and several writers registering at once.

mod support;

use std::collections::BTreeMap;

use ferroflow::core::models::{LoggedModelStatus, TAG_LOG_MODEL_HISTORY};
use ferroflow::core::registry::Stage;
use ferroflow::core::tracking::{ErrorCode, NewLoggedModel, NewRun, NewVersion, Tracker};
use support::{MemStore, Rng};

fn version(name: &str, source: &str) -> NewVersion {
    NewVersion {
        name: name.into(),
        source: source.into(),
        create_model: true,
        ..Default::default()
    }
}

/// Flushes and returns each change's outcome in order.
fn flush(store: &mut MemStore, t: &mut Tracker) -> Vec<Result<Option<String>, ErrorCode>> {
    (store.flush(t).outcomes.into_iter())
        .map(|(_, o)| o.map_err(|e| e.code))
        .collect()
}

#[test]
fn versions_count_up_and_numbers_are_never_reused() {
    let mut store = MemStore::default();
    let mut t = store.open(1, 10);
    for i in 1..=3 {
        assert_eq!(
            t.create_model_version(version("mnist", "runs:/r/model"), 10 + i)
                .unwrap(),
            i as u64
        );
    }
    t.delete_model_version("mnist", 3, 20).unwrap();
    assert_eq!(
        t.create_model_version(version("mnist", "x"), 21).unwrap(),
        4,
        "3 is not reused"
    );
    flush(&mut store, &mut t);
    let fresh = store.open(2, 30);
    let m = fresh.registered_model("mnist").unwrap();
    assert_eq!(
        m.versions.keys().copied().collect::<Vec<_>>(),
        vec![1, 2, 3, 4]
    );
    assert_eq!(m.versions[&3].current_stage, Stage::DeletedInternal);
    assert_eq!(
        fresh.model_version("mnist", 3).unwrap_err().message,
        "Model Version (name=mnist, version=3) not found"
    );
    assert_eq!(m.live_versions().count(), 3);
}

#[test]
fn aliases_move_are_reserved_and_go_with_their_version() {
    let mut store = MemStore::default();
    let mut t = store.open(1, 10);
    for _ in 0..3 {
        t.create_model_version(version("m", "s"), 10).unwrap();
    }
    t.set_alias("m", "champion", 2, 11).unwrap();
    t.set_alias("m", "champion", 3, 12).unwrap();
    assert_eq!(
        t.registered_model("m").unwrap().aliases["champion"],
        3,
        "moved, one version"
    );
    for (alias, why) in [
        ("latest", "reserved"),
        ("v2", "reserved"),
        ("a b", "Invalid alias name"),
    ] {
        let e = t.set_alias("m", alias, 1, 13).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidParameterValue);
        assert!(e.message.contains(why), "{alias}: {e}");
    }
    assert_eq!(
        t.set_alias("m", "x", 9, 13).unwrap_err().code,
        ErrorCode::ResourceDoesNotExist
    );
    t.set_alias("m", "baseline", 1, 14).unwrap();
    t.delete_model_version("m", 3, 15).unwrap();
    assert_eq!(
        t.registered_model("m").unwrap().aliases,
        BTreeMap::from([("baseline".into(), 1)]),
        "a deleted version's aliases go"
    );
    flush(&mut store, &mut t);
    assert_eq!(
        store
            .open(2, 20)
            .registered_model("m")
            .unwrap()
            .aliases
            .len(),
        1
    );
}

#[test]
fn a_rename_keeps_tags_aliases_and_versions_and_refuses_a_taken_name() {
    let mut store = MemStore::default();
    let mut t = store.open(1, 10);
    t.create_registered_model(
        "old",
        Some("desc".into()),
        BTreeMap::from([("k".into(), "v".into())]),
        10,
    )
    .unwrap();
    t.create_model_version(version("old", "s"), 11).unwrap();
    t.set_model_version_tag("old", 1, "note", "n").unwrap();
    t.set_alias("old", "prod", 1, 12).unwrap();
    t.create_registered_model("taken", None, BTreeMap::new(), 10)
        .unwrap();
    assert_eq!(
        t.rename_registered_model("old", "taken", 13)
            .unwrap_err()
            .code,
        ErrorCode::ResourceAlreadyExists
    );
    t.rename_registered_model("old", "new", 14).unwrap();
    flush(&mut store, &mut t);
    let fresh = store.open(2, 20);
    assert!(fresh.registered_model("old").is_err());
    let m = fresh.registered_model("new").unwrap();
    assert_eq!(m.tags["k"], "v");
    assert_eq!(m.aliases["prod"], 1);
    assert_eq!(m.description.as_deref(), Some("desc"));
    let v = fresh.model_version("new", 1).unwrap();
    assert_eq!((v.name.as_str(), v.tags["note"].as_str()), ("new", "n"));
    assert!(
        !store.registered_models.contains_key("old"),
        "the old record is gone"
    );
}

#[test]
fn bad_names_and_missing_models_get_mlflows_codes() {
    let mut t = Tracker::load(vec![], vec![], 1, 10);
    let e = t
        .create_registered_model("a/b", None, BTreeMap::new(), 10)
        .unwrap_err();
    assert!(e.message.contains("cannot contain '/'"), "{e}");
    let e = t
        .create_model_version(
            NewVersion {
                name: "nope".into(),
                ..Default::default()
            },
            10,
        )
        .unwrap_err();
    assert_eq!(
        (e.code, e.message.as_str()),
        (
            ErrorCode::ResourceDoesNotExist,
            "Registered Model with name=nope not found"
        )
    );
    t.create_registered_model("dup", None, BTreeMap::new(), 10)
        .unwrap();
    let e = t
        .create_registered_model("dup", None, BTreeMap::new(), 10)
        .unwrap_err();
    assert_eq!(
        (e.code, e.message.as_str()),
        (
            ErrorCode::ResourceAlreadyExists,
            "Registered Model (name=dup) already exists."
        )
    );
}

#[test]
fn stages_transition_and_archive_the_others() {
    let mut t = Tracker::load(vec![], vec![], 1, 10);
    for _ in 0..3 {
        t.create_model_version(version("m", "s"), 10).unwrap();
    }
    t.transition_stage("m", 1, Stage::Production, false, 11)
        .unwrap();
    t.transition_stage("m", 2, Stage::Production, true, 12)
        .unwrap();
    let m = t.registered_model("m").unwrap();
    assert_eq!(m.versions[&1].current_stage, Stage::Archived);
    assert_eq!(m.versions[&2].current_stage, Stage::Production);
    let latest: Vec<(u64, Stage)> = m
        .latest_versions()
        .iter()
        .map(|v| (v.version, v.current_stage))
        .collect();
    assert_eq!(
        latest,
        vec![
            (1, Stage::Archived),
            (2, Stage::Production),
            (3, Stage::None)
        ]
    );
}

#[test]
fn writers_registering_at_once_get_distinct_versions_and_one_model() {
    for seed in 0..50 {
        let mut rng = Rng::new(seed);
        let mut store = MemStore::default();
        let mut writers: Vec<Tracker> = (0..3).map(|i| store.open(seed * 7 + i, 10)).collect();
        let mut made = 0;
        let mut numbers = Vec::new();
        for _ in 0..30 {
            let w = rng.below(3) as usize;
            if rng.chance(30) {
                numbers.extend(
                    flush(&mut store, &mut writers[w])
                        .into_iter()
                        .filter_map(|o| o.unwrap().filter(|v| v.parse::<u64>().is_ok())),
                );
            } else {
                writers[w]
                    .create_model_version(version("shared", "s"), 10)
                    .unwrap();
                made += 1;
            }
        }
        for w in &mut writers {
            numbers.extend(
                flush(&mut store, w)
                    .into_iter()
                    .filter_map(|o| o.unwrap().filter(|v| v.parse::<u64>().is_ok())),
            );
        }
        numbers.sort();
        let expected: Vec<String> = (1..=made).map(|v: u64| v.to_string()).collect();
        let mut expected_sorted = expected.clone();
        expected_sorted.sort();
        assert_eq!(
            numbers, expected_sorted,
            "seed {seed}: each writer told its own number"
        );
        let m = store.open(99, 20);
        assert_eq!(
            m.registered_model("shared").unwrap().versions.len() as u64,
            made,
            "seed {seed}"
        );
    }
}

#[test]
fn logged_models_live_in_their_experiment_and_history_entries_all_stay() {
    let mut store = MemStore::default();
    let mut a = store.open(1, 10);
    let run = a.create_run(NewRun::default(), 10).unwrap();
    store.flush(&mut a);
    let mut b = store.open(2, 10);
    let args = NewLoggedModel {
        experiment_id: "0".into(),
        name: "model".into(),
        model_type: Some("tfjs".into()),
        source_run_id: Some(run.clone()),
        ..Default::default()
    };
    let ma = a.create_logged_model(args.clone(), 11).unwrap();
    let mb = b.create_logged_model(args, 12).unwrap();
    assert!(ma.starts_with("m-") && ma.len() == 34, "{ma}");
    a.finalize_logged_model(&ma, LoggedModelStatus::Ready, None, 13)
        .unwrap();
    a.append_model_history(&run, format!("{{\"model_id\": \"{ma}\"}}"))
        .unwrap();
    b.append_model_history(&run, format!("{{\"model_id\": \"{mb}\"}}"))
        .unwrap();
    store.flush(&mut a);
    store.flush(&mut b);
    let fresh = store.open(3, 20);
    let m = fresh.logged_model(&ma).unwrap();
    assert_eq!(
        m.artifact_location,
        format!("mlruns/0/models/{ma}/artifacts")
    );
    assert_eq!(m.status, LoggedModelStatus::Ready);
    assert_eq!(
        fresh.logged_model(&mb).unwrap().status,
        LoggedModelStatus::Pending
    );
    let history = &fresh.run(&run).unwrap().tags[TAG_LOG_MODEL_HISTORY];
    assert_eq!(
        history,
        &format!("[{{\"model_id\": \"{ma}\"}}, {{\"model_id\": \"{mb}\"}}]"),
        "both writers' entries"
    );
    let e = a
        .create_logged_model(
            NewLoggedModel {
                experiment_id: "nope".into(),
                ..Default::default()
            },
            30,
        )
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::ResourceDoesNotExist);
}
