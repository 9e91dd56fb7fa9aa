//! Many writers, nothing lost: random interleavings of writers (tabs, workers) logging
//! to the same runs and experiments through one store, flushing at random moments,
//! hearing each other's announcements late or never. The union of what they logged
//! must be stored: every metric point, every tag, one value per param (the losers told
//! so), one experiment per name.

mod support;

use std::collections::{BTreeMap, BTreeSet};

use ferroflow::core::tracking::model::{MetricPoint, MetricRange, RunStatus};
use ferroflow::core::tracking::{ErrorCode, NewRun, Ticket, Tracker, TrackingError};
use support::{MemStore, Rng};

/// One writer: its view, its in-flight flush, and what it was told.
struct Writer {
    t: Tracker,
    in_flight: Option<support::Committed>,
    /// Param writes it made: ticket → (key, value).
    params: BTreeMap<Ticket, (String, String)>,
    outcomes: BTreeMap<Ticket, Result<Option<String>, TrackingError>>,
    points: BTreeMap<String, Vec<MetricPoint>>,
    experiment_tickets: Vec<Ticket>,
}

impl Writer {
    fn settle(&mut self) {
        if let Some(c) = self.in_flight.take() {
            let merged = c.finish(&mut self.t);
            assert!(
                merged.refused_points.is_empty(),
                "{:?}",
                merged.refused_points
            );
            self.outcomes.extend(merged.outcomes);
        }
    }
}

fn scenario(seed: u64) {
    let mut rng = Rng::new(seed);
    let mut store = MemStore::default();
    let n = 2 + rng.below(3) as usize;
    let mut first = store.open(seed, 1_000);
    let run_id = first
        .create_run(NewRun::default(), 1_000)
        .expect("create run");
    store.flush(&mut first);
    let mut writers: Vec<Writer> = (0..n)
        .map(|i| Writer {
            t: if i == 0 {
                std::mem::replace(&mut first, Tracker::load(vec![], vec![], 0, 0))
            } else {
                store.open(seed.wrapping_mul(31).wrapping_add(i as u64), 1_000)
            },
            in_flight: None,
            params: BTreeMap::new(),
            outcomes: BTreeMap::new(),
            points: BTreeMap::new(),
            experiment_tickets: Vec::new(),
        })
        .collect();
    let steps = 200 + rng.below(200);
    for step in 0..steps {
        let i = rng.below(n as u64) as usize;
        let w = &mut writers[i];
        match rng.below(10) {
            // metric points on this writer's own steps of a shared key
            0..=3 => {
                for _ in 0..1 + rng.below(40) {
                    let p = MetricPoint {
                        timestamp: 2_000 + step as i64,
                        value: rng.f64(),
                        step: (step as i64) * 100 + i as i64,
                    };
                    let key = if rng.chance(70) { "loss" } else { "acc" };
                    w.t.log_metric(&run_id, key, p).unwrap();
                    w.points.entry(key.into()).or_default().push(p);
                }
            }
            // params: own keys, and a few contended keys with differing values
            4 => {
                let key = if rng.chance(50) {
                    format!("p{i}_{}", rng.below(20))
                } else {
                    format!("shared{}", rng.below(3))
                };
                let value = format!("{i}");
                let ticket = w.t.next_ticket();
                if w.t
                    .log_params(&run_id, &[(key.clone(), value.clone())])
                    .is_ok()
                {
                    w.params.insert(ticket, (key, value));
                }
            }
            // tags: own keys always kept; a shared key takes one of the written values
            5 => {
                let key = if rng.chance(70) {
                    format!("t{i}_{}", rng.below(20))
                } else {
                    "owner".to_owned()
                };
                w.t.set_tags(&run_id, &[(key, format!("w{i}"))]).unwrap();
            }
            // everyone sets the same experiment
            6 => {
                let ticket = w.t.next_ticket();
                w.t.set_experiment("shared-exp", 3_000).unwrap();
                if w.t.next_ticket() > ticket {
                    w.experiment_tickets.push(ticket);
                }
            }
            // a flush starts (and maybe ends at once)
            7 | 8 => {
                w.settle();
                w.in_flight = Some(store.transact(&mut w.t));
                if rng.chance(50) {
                    w.settle();
                }
            }
            // an announcement arrives late
            _ => {
                w.settle();
                let exps: Vec<String> = store.experiments.keys().cloned().collect();
                store.refresh(&mut w.t, std::slice::from_ref(&run_id), &exps);
            }
        }
    }
    for w in &mut writers {
        w.settle();
        let c = store.transact(&mut w.t);
        w.in_flight = Some(c);
        w.settle();
        assert!(!w.t.has_pending(), "everything flushed");
    }

    // every point of every writer, each writer's in its own order
    for key in ["loss", "acc"] {
        let stored = if store.stored_run(&run_id).metric_keys().any(|k| k == key) {
            store.history(&run_id, key)
        } else {
            Vec::new()
        };
        let expected: usize = writers
            .iter()
            .map(|w| w.points.get(key).map_or(0, Vec::len))
            .sum();
        assert_eq!(stored.len(), expected, "seed {seed}: {key} points");
        if !stored.is_empty() {
            let range = store.stored_run(&run_id).run.metric_ranges[key];
            assert_eq!(range, MetricRange::of(&stored), "seed {seed}: {key} range");
        }
        for (i, w) in writers.iter().enumerate() {
            let mine: Vec<MetricPoint> = (stored.iter())
                .filter(|p| p.step.rem_euclid(100) == i as i64)
                .copied()
                .collect();
            let logged = w.points.get(key).cloned().unwrap_or_default();
            assert_eq!(mine.len(), logged.len(), "seed {seed}: writer {i} {key}");
            for (a, b) in mine.iter().zip(&logged) {
                assert!(
                    a.step == b.step && support::same_f64(a.value, b.value),
                    "seed {seed}: writer {i} {key}: {a:?} vs {b:?}"
                );
            }
        }
        // chunks are contiguous: full ones, then the tail
        let rec = store.stored_run(&run_id);
        if let Some(&n) = rec.metric_chunks.get(key) {
            for seq in 0..n {
                assert!(store
                    .chunks
                    .contains_key(&(run_id.clone(), key.into(), seq)));
            }
        }
    }

    let stored = store.stored_run(&run_id);
    // params: one value per key; a writer told "ok" wrote that value, others were refused
    for (i, w) in writers.iter().enumerate() {
        for (ticket, (key, value)) in &w.params {
            let outcome = &w.outcomes[ticket];
            let kept = &stored.run.params[key];
            match outcome {
                Ok(_) => assert_eq!(kept, value, "seed {seed}: writer {i} told ok for {key}"),
                Err(e) => {
                    assert_eq!(e.code, ErrorCode::InvalidParameterValue, "seed {seed}: {e}");
                    assert_ne!(kept, value, "seed {seed}: writer {i} refused its own value");
                }
            }
        }
    }
    let logged_param_keys: BTreeSet<&String> = writers
        .iter()
        .flat_map(|w| w.params.values().map(|(k, _)| k))
        .collect();
    assert_eq!(
        stored.run.params.keys().collect::<BTreeSet<_>>(),
        logged_param_keys,
        "seed {seed}"
    );
    // tags: every writer's own keys, and the shared one holds one written value
    for (k, v) in &stored.run.tags {
        if let Some(rest) = k.strip_prefix('t') {
            let i: usize = rest.split('_').next().unwrap().parse().unwrap();
            assert_eq!(v, &format!("w{i}"), "seed {seed}");
        }
    }
    // one experiment per name, and every writer resolved to it
    let (exps, _) = store.all();
    let shared: Vec<_> = exps.iter().filter(|e| e.name == "shared-exp").collect();
    if writers.iter().any(|w| !w.experiment_tickets.is_empty()) {
        assert_eq!(shared.len(), 1, "seed {seed}: {shared:?}");
        for w in &writers {
            for t in &w.experiment_tickets {
                let got = w.outcomes[t].as_ref().unwrap().clone();
                assert_eq!(
                    got.as_deref(),
                    Some(shared[0].experiment_id.as_str()),
                    "seed {seed}"
                );
            }
        }
    }
    // after a last announcement every view agrees with the store
    for w in &mut writers {
        let exps: Vec<String> = store.experiments.keys().cloned().collect();
        store.refresh(&mut w.t, std::slice::from_ref(&run_id), &exps);
        let view = w.t.run(&run_id).unwrap();
        assert_eq!(view.params, stored.run.params, "seed {seed}");
        assert_eq!(view.tags, stored.run.tags, "seed {seed}");
        for (k, p) in &stored.run.metrics {
            assert!(
                support::same_f64(view.metrics[k].value, p.value),
                "seed {seed}: {k}"
            );
        }
        assert_eq!(
            w.t.experiments().filter(|e| e.name == "shared-exp").count(),
            shared.len()
        );
    }
}

#[test]
fn random_interleavings_of_writers_keep_the_union() {
    for seed in 0..300 {
        scenario(seed);
    }
}

#[test]
fn a_param_value_set_first_elsewhere_refuses_this_writer_at_the_merge() {
    let mut store = MemStore::default();
    let mut a = store.open(1, 10);
    let run = a.create_run(NewRun::default(), 10).unwrap();
    store.flush(&mut a);
    let mut b = store.open(2, 10);
    a.log_params(&run, &[("lr".into(), "0.1".into())]).unwrap();
    b.log_params(
        &run,
        &[("lr".into(), "0.2".into()), ("bs".into(), "8".into())],
    )
    .unwrap();
    let ticket_b = b.next_ticket() - 1;
    store.flush(&mut a);
    let merged = store.flush(&mut b);
    let (_, outcome) = merged
        .outcomes
        .iter()
        .find(|(t, _)| *t == ticket_b)
        .unwrap();
    let e = outcome.clone().unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidParameterValue);
    assert!(e.message.contains("value='0.1'"), "{e}");
    // all or nothing: bs was not stored either, and b's view now shows what is stored
    let stored = store.stored_run(&run);
    assert_eq!(
        stored.run.params,
        BTreeMap::from([("lr".into(), "0.1".into())])
    );
    assert_eq!(b.run(&run).unwrap().params, stored.run.params);
}

#[test]
fn two_writers_setting_one_experiment_name_get_the_same_experiment() {
    let mut store = MemStore::default();
    let mut a = store.open(1, 10);
    let mut b = store.open(2, 10);
    let ida = a.set_experiment("x", 20).unwrap();
    let idb = b.set_experiment("x", 21).unwrap();
    assert_ne!(ida, idb, "each view drew its own id");
    let ta = a.next_ticket() - 1;
    let tb = b.next_ticket() - 1;
    let ma = store.flush(&mut a);
    let mb = store.flush(&mut b);
    let got = |m: &ferroflow::core::tracking::Merged, t| {
        m.outcomes
            .iter()
            .find(|(x, _)| *x == t)
            .unwrap()
            .1
            .clone()
            .unwrap()
            .unwrap()
    };
    assert_eq!(got(&ma, ta), ida);
    assert_eq!(got(&mb, tb), ida, "the second resolves to the first");
    let (exps, _) = store.all();
    assert_eq!(exps.iter().filter(|e| e.name == "x").count(), 1);
    assert!(
        b.experiment(&idb).is_err(),
        "b's own draft is gone from its view"
    );
    assert_eq!(b.experiment_by_name("x").unwrap().experiment_id, ida);
    // createExperiment with a taken name is refused at the merge
    let mut c = store.open(3, 10);
    let mut d = store.open(4, 10);
    c.create_experiment("y", None, BTreeMap::new(), 30).unwrap();
    d.create_experiment("y", None, BTreeMap::new(), 31).unwrap();
    store.flush(&mut c);
    let md = store.flush(&mut d);
    let e = md.outcomes[0].1.clone().unwrap_err();
    assert_eq!(e.code, ErrorCode::ResourceAlreadyExists);
    assert!(d.experiment_by_name("y").is_some(), "the stored one shows");
}

#[test]
fn a_run_ended_elsewhere_still_receives_this_writers_points() {
    let mut store = MemStore::default();
    let mut a = store.open(1, 10);
    let run = a.create_run(NewRun::default(), 10).unwrap();
    store.flush(&mut a);
    let mut b = store.open(2, 10);
    for i in 0..100 {
        let p = MetricPoint {
            timestamp: 20,
            value: i as f64,
            step: i,
        };
        a.log_metric(&run, "m", p).unwrap();
    }
    b.set_terminated(&run, RunStatus::Finished, 30).unwrap();
    store.flush(&mut b);
    let merged = store.flush(&mut a);
    assert!(merged.refused_points.is_empty());
    assert_eq!(store.history(&run, "m").len(), 100);
    let stored = store.stored_run(&run);
    assert_eq!(stored.run.info.status, RunStatus::Finished);
    assert_eq!(stored.run.metrics["m"].value, 99.0);
}

#[test]
fn changes_made_during_a_flush_survive_its_rebase_and_an_announcement() {
    let mut store = MemStore::default();
    let mut a = store.open(1, 10);
    let run = a.create_run(NewRun::default(), 10).unwrap();
    a.set_tags(&run, &[("first".into(), "1".into())]).unwrap();
    let flight = store.transact(&mut a);
    // made while the flush's transaction runs
    a.set_tags(&run, &[("second".into(), "2".into())]).unwrap();
    a.log_metric(
        &run,
        "m",
        MetricPoint {
            timestamp: 11,
            value: 7.0,
            step: 3,
        },
    )
    .unwrap();
    // an announcement of the stored run arrives before the flush ends
    store.refresh(&mut a, std::slice::from_ref(&run), &[]);
    assert_eq!(
        a.run(&run).unwrap().tags.get("second").map(String::as_str),
        Some("2")
    );
    assert_eq!(a.run(&run).unwrap().metrics["m"].value, 7.0);
    flight.finish(&mut a);
    let view = a.run(&run).unwrap();
    assert_eq!(view.tags["first"], "1");
    assert_eq!(view.tags["second"], "2", "the newer change is still shown");
    assert_eq!(
        view.metrics["m"].value, 7.0,
        "so is the unflushed latest value"
    );
    assert!(a.has_pending());
    store.flush(&mut a);
    assert_eq!(store.stored_run(&run).run.tags["second"], "2");
    assert_eq!(store.history(&run, "m").len(), 1);
}

/// Writers that create runs of their own (`startRun` … `endRun`, the batches a store
/// writes on a guess without waiting for its reads) while others change the
/// experiment those runs go to (making the guesses stale): every run, param, tag,
/// point and experiment tag is stored, and wherever a guess held, the store's merge
/// over it was the merge over the store (checked in `MemStore::transact`).
#[test]
fn new_runs_flushed_on_guesses_keep_everything_and_stale_guesses_are_not_used() {
    let (mut guessed, mut stale) = (0, 0);
    for seed in 0..200 {
        let mut rng = Rng::new(seed);
        let mut store = MemStore::default();
        let mut first = store.open(seed, 1_000);
        store.flush(&mut first);
        let mut writers = vec![first];
        for i in 1..2 + rng.below(3) {
            writers.push(store.open(seed * 7 + i, 1_000));
        }
        let mut runs: Vec<(String, BTreeMap<String, String>, usize)> = Vec::new();
        let mut exp_tags = BTreeMap::new();
        for step in 0..60 {
            let i = rng.below(writers.len() as u64) as usize;
            let w = &mut writers[i];
            match rng.below(4) {
                0 | 1 => {
                    let run = w.create_run(NewRun::default(), 2_000 + step).unwrap();
                    let params: BTreeMap<String, String> = (0..rng.below(4))
                        .map(|k| (format!("p{k}"), format!("{step}")))
                        .collect();
                    let pairs: Vec<(String, String)> = params.clone().into_iter().collect();
                    w.log_params(&run, &pairs).unwrap();
                    w.set_tags(&run, &[("who".into(), format!("w{i}"))])
                        .unwrap();
                    let n = rng.below(200) as usize;
                    for s in 0..n {
                        let p = MetricPoint {
                            timestamp: 3_000,
                            value: rng.f64(),
                            step: s as i64,
                        };
                        w.log_metric(&run, "loss", p).unwrap();
                    }
                    if rng.chance(70) {
                        w.set_terminated(&run, RunStatus::Finished, 4_000).unwrap();
                    }
                    store.flush(w);
                    runs.push((run, params, n));
                }
                2 => {
                    let key = format!("k{}", rng.below(5));
                    let value = format!("w{i}s{step}");
                    w.set_experiment_tag("0", &key, &value, 5_000).unwrap();
                    store.flush(w);
                    exp_tags.insert(key, value);
                }
                _ => {
                    // a late announcement: this writer catches up on the experiment
                    store.refresh(w, &[], &["0".to_owned()]);
                }
            }
        }
        guessed += store.guessed;
        stale += store.stale_guesses;
        for (run, params, n) in &runs {
            let stored = store.stored_run(run);
            assert_eq!(&stored.run.params, params, "seed {seed}");
            assert!(stored.run.tags.contains_key("who"), "seed {seed}");
            assert_eq!(store.history(run, "loss").len(), *n, "seed {seed}");
        }
        let (exps, _) = store.all();
        let default = exps.iter().find(|e| e.experiment_id == "0").unwrap();
        for (k, v) in &exp_tags {
            assert_eq!(default.tags.get(k), Some(v), "seed {seed}");
        }
    }
    assert!(guessed > 1_000, "guessed flushes: {guessed}");
    assert!(stale > 100, "stale guesses: {stale}");
}
