//! Bulk logging in the pure tracker: `log_metric_series` keeps exactly what logging
//! the same points one by one keeps (random bit patterns, steps and timestamps with
//! ties, random chunking and flush points, through the stored bytes and a reload), and
//! `log_batch` follows MLflow's `log_batch`: its limits, one value per param, and all
//! or nothing.

mod support;

use ferroflow::core::tracking::model::*;
use ferroflow::core::tracking::{NewRun, Tracker};
use support::{MemStore, Rng};

fn new_run(t: &mut Tracker) -> String {
    t.create_run(NewRun::default(), 2_000).unwrap()
}

fn random_point(rng: &mut Rng, i: i64) -> MetricPoint {
    MetricPoint {
        // ties in step and timestamp are common, so the latest value is decided by
        // the whole ordering (step, timestamp, value)
        timestamp: 1_700_000_000_000 + rng.below(4) as i64,
        value: rng.f64(),
        step: if rng.chance(20) {
            rng.u64() as i64
        } else {
            i / 3
        },
    }
}

#[test]
fn a_series_keeps_what_point_by_point_logging_keeps() {
    let mut rng = Rng::new(7);
    for round in 0..60 {
        // Two stores, two writers with the same seed: the same ids.
        let (mut one_by_one, mut bulk) = (MemStore::default(), MemStore::default());
        let mut a = one_by_one.open(round, 1_000);
        let mut b = bulk.open(round, 1_000);
        let run = new_run(&mut a);
        assert_eq!(run, new_run(&mut b));
        let keys = ["loss", "acc", "a/b c:d"];
        let mut logged = 0i64;
        for _ in 0..1 + rng.below(12) {
            let key = keys[rng.below(3) as usize];
            // sizes around the inline limit and the chunk size
            let n = match rng.below(4) {
                0 => 0,
                1 => rng.below(70) as usize,
                2 => rng.below(2_000) as usize,
                _ => 16_000 + rng.below(1_000) as usize,
            };
            let points: Vec<MetricPoint> = (0..n)
                .map(|i| random_point(&mut rng, logged + i as i64))
                .collect();
            logged += n as i64;
            for p in &points {
                a.log_metric(&run, key, *p).unwrap();
            }
            b.log_metric_series(&run, key, &points).unwrap();
            assert_eq!(a.pending_points(), b.pending_points());
            // (Debug text: it shows -0.0, and NaN equals NaN in it)
            assert_eq!(
                format!("{:?}", a.run(&run).unwrap()),
                format!("{:?}", b.run(&run).unwrap()),
                "round {round}: the views"
            );
            if rng.chance(40) {
                one_by_one.flush(&mut a);
                bulk.flush(&mut b);
            }
        }
        one_by_one.flush(&mut a);
        bulk.flush(&mut b);
        assert_eq!(one_by_one.runs, bulk.runs, "round {round}: stored records");
        assert_eq!(
            one_by_one.chunks, bulk.chunks,
            "round {round}: stored chunks"
        );
        // a reload reads the same
        let (ra, rb) = (one_by_one.open(99, 5_000), bulk.open(99, 5_000));
        assert_eq!(
            format!("{:?}", ra.run(&run).unwrap()),
            format!("{:?}", rb.run(&run).unwrap())
        );
        for key in keys {
            let (ha, hb) = (one_by_one.history(&run, key), bulk.history(&run, key));
            assert_eq!(ha.len(), hb.len());
            for (x, y) in ha.iter().zip(&hb) {
                assert!(
                    x.step == y.step
                        && x.timestamp == y.timestamp
                        && support::same_f64(x.value, y.value),
                    "round {round} {key}: {x:?} vs {y:?}"
                );
            }
        }
    }
}

#[test]
fn a_refused_series_queues_nothing() {
    let mut t = MemStore::default().open(1, 1_000);
    let run = new_run(&mut t);
    let ok = MetricPoint {
        timestamp: 5,
        value: 1.0,
        step: 0,
    };
    let bad_time = MetricPoint {
        timestamp: -1,
        ..ok
    };
    let before = t.run(&run).unwrap().clone();
    let e = t
        .log_metric_series(&run, "loss", &[ok, ok, bad_time])
        .unwrap_err();
    assert!(e.message.contains("negative timestamp"), "{}", e.message);
    let e = t.log_metric_series(&run, "bad!key", &[ok]).unwrap_err();
    assert!(e.message.contains("Invalid metric name"), "{}", e.message);
    assert!(t.log_metric_series("nope", "loss", &[ok]).is_err());
    assert_eq!(t.pending_points(), 0);
    assert_eq!(t.run(&run).unwrap(), &before);
    // an empty series is fine and changes nothing
    t.log_metric_series(&run, "loss", &[]).unwrap();
    assert_eq!(t.run(&run).unwrap(), &before);
    // a deleted run takes nothing
    t.delete_run(&run, 3_000).unwrap();
    assert!(t.log_metric_series(&run, "loss", &[ok]).is_err());
    assert_eq!(t.pending_points(), 0);
}

fn pairs(prefix: &str, n: usize) -> Vec<(String, String)> {
    (0..n)
        .map(|i| (format!("{prefix}{i}"), format!("v{i}")))
        .collect()
}

fn metrics(n: usize) -> Vec<(String, MetricPoint)> {
    (0..n)
        .map(|i| {
            (
                format!("m{}", i % 7),
                MetricPoint {
                    timestamp: 10 + i as i64,
                    value: i as f64 / 3.0,
                    step: i as i64,
                },
            )
        })
        .collect()
}

#[test]
fn log_batch_has_mlflows_limits() {
    let mut t = MemStore::default().open(2, 1_000);
    let run = new_run(&mut t);
    let refused = |t: &mut Tracker, m: usize, p: usize, g: usize, what: &str| {
        let e = t
            .log_batch(&run, &metrics(m), &pairs("p", p), &pairs("t", g))
            .unwrap_err();
        assert!(
            e.message.starts_with(&format!(
                "A batch logging request can contain at most {} {what}. Got {} {what}.",
                if what == "params" || what == "tags" {
                    100
                } else {
                    1000
                },
                if what == "metrics" {
                    m
                } else if what == "params" {
                    p
                } else if what == "tags" {
                    g
                } else {
                    m + p + g
                },
            )),
            "{}",
            e.message
        );
        assert_eq!(t.pending_points(), 0);
    };
    refused(&mut t, 1001, 0, 0, "metrics");
    refused(&mut t, 0, 101, 0, "params");
    refused(&mut t, 0, 0, 101, "tags");
    refused(&mut t, 900, 51, 50, "metrics, params, and tags");
    assert!(t.run(&run).unwrap().params.is_empty());
    // at the limits it is taken
    t.log_batch(&run, &metrics(900), &pairs("p", 50), &pairs("t", 50))
        .unwrap();
    t.log_batch(&run, &metrics(1000), &[], &[]).unwrap();
    t.log_batch(&run, &[], &pairs("q", 100), &pairs("u", 100))
        .unwrap();
    assert_eq!(t.pending_points(), 1900);
    assert_eq!(t.run(&run).unwrap().params.len(), 150);
}

#[test]
fn log_batch_is_all_or_nothing() {
    let mut store = MemStore::default();
    let mut t = store.open(3, 1_000);
    let run = new_run(&mut t);
    t.log_params(&run, &[("lr".into(), "0.1".into())]).unwrap();
    let before = t.run(&run).unwrap().clone();
    let tags = vec![("team".to_owned(), "x".to_owned())];
    let try_batch =
        |t: &mut Tracker,
         m: Vec<(String, MetricPoint)>,
         p: Vec<(String, String)>,
         g: &[(String, String)]| { t.log_batch(&run, &m, &p, g).unwrap_err().message };
    // a param whose logged value differs
    let e = try_batch(&mut t, metrics(3), vec![("lr".into(), "0.2".into())], &tags);
    assert!(e.contains("Changing param values is not allowed"), "{e}");
    // the same param twice in one batch, even with the same value
    let e = try_batch(
        &mut t,
        metrics(3),
        vec![("a".into(), "1".into()), ("a".into(), "1".into())],
        &tags,
    );
    assert_eq!(
        e,
        "Duplicate parameter keys have been submitted: ['a']. Please ensure the request \
         contains only one param value per param key."
    );
    // a bad metric key, a negative timestamp, a tag too long
    let mut bad = metrics(3);
    bad[2].0 = "no!".into();
    let e = try_batch(&mut t, bad, pairs("p", 2), &tags);
    assert!(e.contains("Invalid metric name"), "{e}");
    let mut bad = metrics(3);
    bad[1].1.timestamp = -5;
    let e = try_batch(&mut t, bad, pairs("p", 2), &tags);
    assert!(e.contains("negative timestamp"), "{e}");
    let long = vec![("t".to_owned(), "x".repeat(8001))];
    let e = try_batch(&mut t, metrics(3), pairs("p", 2), &long);
    assert!(e.contains("the limit is 8000"), "{e}");
    assert!(t.log_batch("no-such-run", &metrics(1), &[], &[]).is_err());
    // nothing of any of them was taken
    assert_eq!(t.run(&run).unwrap(), &before);
    assert_eq!(t.pending_points(), 0);
    store.flush(&mut t);
    assert_eq!(store.stored_run(&run).run, before);

    // a good batch: all of it, stored
    t.log_batch(
        &run,
        &metrics(14),
        &[("lr".into(), "0.1".into()), ("bs".into(), "32".into())],
        &tags,
    )
    .unwrap();
    store.flush(&mut t);
    let stored = store.stored_run(&run);
    assert_eq!(stored.run.params["bs"], "32");
    assert_eq!(stored.run.tags["team"], "x");
    assert_eq!(store.history(&run, "m0").len(), 2);
    assert_eq!(stored.run.metrics["m6"].step, 13);
    // a deleted run takes no batch
    t.delete_run(&run, 4_000).unwrap();
    let e = try_batch(&mut t, metrics(1), vec![], &[]);
    assert!(e.contains("deleted"), "{e}");
}
