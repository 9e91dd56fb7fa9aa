//! Every f64 a user logs or imports comes back identical (NaN payloads aside: JS has
//! one NaN): random bit patterns — subnormals, ±0, ±inf, NaN, 2^53, values needing
//! 17 digits — through every storage path: the stored record text (inline histories,
//! latest values), metric chunks, a reload, an mlruns export read back, import →
//! export, and (with `ORACLE_PYTHON`) MLflow's own reader; each metric's min and max
//! (the runs table's columns) through memory, reload and import.

mod support;

use std::collections::BTreeMap;
use std::process::Command;

use ferroflow::core::interchange::mlruns::{export_zip, import_archive, ArchiveLimits};
use ferroflow::core::interchange::{Selection, Snapshot};
use ferroflow::core::tracking::codec::{decode_record, encode_record};
use ferroflow::core::tracking::metric_log::{decode_chunk, encode_chunk, INLINE_POINTS};
use ferroflow::core::tracking::model::*;
use ferroflow::core::tracking::{NewRun, StoredRun, Tracker};
use support::{same_f64, MemStore, Rng};

const PER_PATH: usize = 100_000;

fn points(rng: &mut Rng, n: usize) -> Vec<MetricPoint> {
    (0..n)
        .map(|i| MetricPoint {
            timestamp: 1_700_000_000_000 + rng.below(1 << 40) as i64,
            value: rng.f64(),
            step: if rng.chance(10) {
                rng.u64() as i64
            } else {
                i as i64
            },
        })
        .collect()
}

fn assert_same(a: &[MetricPoint], b: &[MetricPoint], what: &str) {
    assert_eq!(a.len(), b.len(), "{what}: lengths");
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        assert!(
            same_f64(x.value, y.value) && x.step == y.step && x.timestamp == y.timestamp,
            "{what}[{i}]: {x:?} came back as {y:?} (bits {:016x} vs {:016x})",
            x.value.to_bits(),
            y.value.to_bits()
        );
    }
}

fn text(rng: &mut Rng) -> String {
    const PIECES: [&str; 10] = ["a", "é", "🦀", " ", "\"", "\\", "\n", "0.1", "\u{0}", "ǅ"];
    (0..1 + rng.below(12))
        .map(|_| PIECES[rng.below(PIECES.len() as u64) as usize])
        .collect()
}

#[test]
fn chunk_bytes_keep_every_bit_pattern() {
    let mut rng = Rng::new(1);
    let pts = points(&mut rng, PER_PATH);
    let mut back = Vec::new();
    decode_chunk(&encode_chunk(&pts), &mut back).unwrap();
    assert_same(&pts, &back, "chunk");
}

#[test]
fn record_text_keeps_every_bit_pattern() {
    let mut rng = Rng::new(2);
    let mut checked = 0;
    while checked < PER_PATH {
        let mut t = Tracker::load(vec![], vec![], rng.u64(), 5);
        let id = t.create_run(NewRun::default(), 5).unwrap();
        let mut r: StoredRun = t.stored_run(&id).unwrap().clone();
        for k in 0..20 {
            let pts = points(&mut rng, INLINE_POINTS);
            r.run.metrics.insert(format!("m{k}"), pts[0]);
            r.inline_metrics.insert(format!("m{k}"), pts);
            r.run.params.insert(text(&mut rng), text(&mut rng));
            r.run.tags.insert(text(&mut rng), text(&mut rng));
        }
        let back: StoredRun = decode_record(&encode_record(&r), "run").unwrap();
        for (k, pts) in &r.inline_metrics {
            assert_same(pts, &back.inline_metrics[k], "inline history");
            assert_same(&[r.run.metrics[k]], &[back.run.metrics[k]], "latest");
            checked += pts.len() + 1;
        }
        assert_eq!(back.run.params, r.run.params);
        assert_eq!(back.run.tags, r.run.tags);
    }
}

#[test]
fn logged_values_come_back_after_a_reload() {
    let mut rng = Rng::new(3);
    let mut store = MemStore::default();
    let mut t = store.open(7, 5);
    let mut logged: BTreeMap<(String, String), Vec<MetricPoint>> = BTreeMap::new();
    let mut total = 0;
    while total < PER_PATH {
        let id = t.create_run(NewRun::default(), 5).unwrap();
        // short series stay inline, long ones go to chunks
        for k in 0..4 {
            let n = if k == 0 {
                5_000
            } else {
                1 + rng.below(INLINE_POINTS as u64) as usize
            };
            let pts = points(&mut rng, n);
            for p in &pts {
                t.log_metric(&id, &format!("k{k}"), *p).unwrap();
            }
            total += n;
            logged.insert((id.clone(), format!("k{k}")), pts);
            if rng.chance(30) {
                store.flush(&mut t);
            }
        }
    }
    store.flush(&mut t);
    let reopened = store.open(8, 6);
    for ((run, key), pts) in &logged {
        assert_same(pts, &store.history(run, key), "history after reload");
        let mut latest = pts[0];
        for p in pts {
            if p.is_later_than(&latest) {
                latest = *p;
            }
        }
        let got = reopened.run(run).unwrap().metrics[key];
        assert_same(&[latest], &[got], "latest after reload");
        let range = MetricRange::of(pts);
        assert_eq!(
            t.run(run).unwrap().metric_ranges[key],
            range,
            "range in memory"
        );
        assert_eq!(
            reopened.run(run).unwrap().metric_ranges[key],
            range,
            "range after reload"
        );
    }
}

/// A metric's min and max, kept beside its history, are those of every point however
/// the history arrived: logged point by point with flushes between, or imported in
/// batches of any size (as the archive import appends them).
#[test]
fn metric_ranges_are_those_of_the_whole_history() {
    use ferroflow::core::tracking::metric_log::append_series;
    let mut rng = Rng::new(5);
    let snap = snapshot(&mut rng, 40, 3 * INLINE_POINTS);
    let back = import_archive(
        &export_zip(&snap, &Selection::All),
        &ArchiveLimits::default(),
    )
    .unwrap();
    for rec in &back.runs {
        let mut stored = StoredRun::new(rec.run.clone());
        for (key, pts) in &rec.history {
            let mut tail: Vec<MetricPoint> = Vec::new();
            let mut rest = &pts[..];
            while !rest.is_empty() {
                let n = 1 + rng.below(rest.len() as u64) as usize;
                let had_chunks = stored.metric_chunks.contains_key(key);
                let chunks = append_series(
                    &mut stored,
                    key,
                    had_chunks.then(|| tail.clone()),
                    &rest[..n],
                );
                if let Some(last) = chunks.last() {
                    tail = last.points.clone();
                }
                rest = &rest[n..];
            }
            assert_eq!(stored.run.metric_ranges[key], MetricRange::of(pts), "{key}");
        }
    }
    // Signed zeros order below and above each other, NaN never counts.
    let zeros = [-0.0, f64::NAN, 0.0].map(|value| MetricPoint {
        timestamp: 0,
        value,
        step: 0,
    });
    let r = MetricRange::of(&zeros);
    assert!(r.min.is_sign_negative() && r.max.is_sign_positive() && r.max == 0.0);
    let mut reversed = zeros;
    reversed.reverse();
    assert_eq!(MetricRange::of(&reversed), r, "the same whatever the order");
}

fn snapshot(rng: &mut Rng, runs: usize, points_per_key: usize) -> Snapshot {
    // one-value metrics (accuracy, f1) and longer curves (loss)
    support::store_of(
        "bits",
        runs,
        |_| {
            (0..4)
                .map(|k| {
                    let n = if k < 2 { 1 } else { points_per_key };
                    (format!("metric_{k}"), points(rng, n))
                })
                .collect()
        },
        |_| BTreeMap::new(),
    )
}

fn assert_same_snapshot(a: &Snapshot, b: &Snapshot, what: &str) {
    assert_eq!(a.runs.len(), b.runs.len());
    for (x, y) in a.runs.iter().zip(&b.runs) {
        for (k, pts) in &x.history {
            assert_same(pts, &y.history[k], what);
            assert_same(&[x.run.metrics[k]], &[y.run.metrics[k]], what);
        }
    }
}

#[test]
fn an_mlruns_export_reads_back_bit_for_bit_and_import_export_is_stable() {
    let mut rng = Rng::new(4);
    let snap = snapshot(&mut rng, 50, PER_PATH / 100);
    let zip = export_zip(&snap, &Selection::All);
    let back = import_archive(&zip, &ArchiveLimits::default()).unwrap();
    assert_same_snapshot(&snap, &back, "export → import");
    let again = export_zip(&back, &Selection::All);
    let back2 = import_archive(&again, &ArchiveLimits::default()).unwrap();
    assert_same_snapshot(&back, &back2, "import → export → import");
}

#[test]
fn mlflow_reads_exported_values_bit_for_bit() {
    let Some(python) = std::env::var_os("ORACLE_PYTHON") else {
        println!("ORACLE_PYTHON is not set: skipped MLflow's reader");
        return;
    };
    let mut rng = Rng::new(5);
    let snap = snapshot(&mut rng, 20, 1_000);
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = root.join("target/bit_exact");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("random-values.zip");
    std::fs::write(&path, export_zip(&snap, &Selection::All)).unwrap();
    let out = Command::new(python)
        .arg(root.join("tests/oracle/oracle.py"))
        .arg("dump")
        .arg("--strict")
        .arg(&path)
        .output()
        .expect("run oracle.py");
    assert!(
        out.status.success(),
        "oracle dump: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let dump: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let value = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) if s == "NaN" => f64::NAN,
        serde_json::Value::String(s) if s == "Infinity" => f64::INFINITY,
        serde_json::Value::String(s) if s == "-Infinity" => f64::NEG_INFINITY,
        v => v.as_f64().expect("a number"),
    };
    let mut checked = 0;
    for rec in &snap.runs {
        let run = &dump["experiments"]["1"]["runs"][&rec.run.info.run_id];
        for (key, pts) in &rec.history {
            let hist = run["metric_history"][key].as_array().expect("history");
            let got: Vec<MetricPoint> = hist
                .iter()
                .map(|p| MetricPoint {
                    timestamp: p[0].as_i64().unwrap(),
                    value: value(&p[1]),
                    step: p[2].as_i64().unwrap(),
                })
                .collect();
            // MLflow returns a history ordered as the file has it (logging order).
            assert_same(pts, &got, "MLflow's history");
            let latest = value(&run["metrics"][key]["value"]);
            assert_same(
                &[rec.run.metrics[key]],
                &[MetricPoint {
                    value: latest,
                    ..rec.run.metrics[key]
                }],
                "MLflow's latest",
            );
            checked += pts.len();
        }
    }
    println!("MLflow read {checked} random values back bit for bit");
}
