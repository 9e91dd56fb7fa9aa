//! Timings of mlruns import (200 runs, 200,000 metric lines) and export (1,000,000 points); run with `cargo test --release --test mlruns_bench -- --ignored --nocapture`.

use std::time::Instant;

use ferroflow::core::interchange::mlruns::{
    export_zip, import_archive, read_archive, read_store, write_store, write_zip, ArchiveLimits,
};
use ferroflow::core::interchange::{Selection, Snapshot};
use ferroflow::core::tracking::model::MetricPoint;

mod support;

/// `runs` runs in one experiment, each with `keys` metrics of `points` points.
fn snapshot(runs: usize, keys: usize, points: usize) -> Snapshot {
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut noise = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed >> 11) as f64 / (1u64 << 53) as f64
    };
    let history = |_| {
        (0..keys)
            .map(|k| {
                let pts = (0..points as i64)
                    .map(|s| MetricPoint {
                        timestamp: 1_700_000_000_000 + s * 1000,
                        value: 1.0 / (s as f64 + 1.0) + noise() * 0.01,
                        step: s,
                    })
                    .collect();
                (format!("metric_{k}"), pts)
            })
            .collect()
    };
    let params = |_| (0..10).map(|p| (format!("p{p}"), format!("{p}"))).collect();
    support::store_of("bench", runs, history, params)
}

#[test]
#[ignore = "benchmark: prints timings"]
fn import_200_runs_200k_lines() {
    let store = write_store(&snapshot(200, 10, 100), &Selection::All);
    let zip = write_zip(&store.files, &store.dirs);
    println!(
        "import: zip of {} KiB, {} files",
        zip.len() >> 10,
        store.files.len()
    );
    let limits = ArchiveLimits::default();
    let t = Instant::now();
    let archive = read_archive(&zip, &limits).expect("archive");
    let unzip = t.elapsed();
    let t = Instant::now();
    let snap = read_store(archive.tree, &archive.prefix).expect("store");
    let parse = t.elapsed();
    let t = Instant::now();
    let again = import_archive(&zip, &limits).expect("import");
    let total = t.elapsed();
    assert_eq!(snap.summary().metric_points, 200_000);
    assert_eq!(again.summary().runs, 200);
    println!("import: unzip {unzip:?} + parse {parse:?}; import_archive {total:?}");
}

#[test]
#[ignore = "benchmark: prints timings"]
fn export_1m_points() {
    let snap = snapshot(200, 10, 500);
    assert_eq!(snap.summary().metric_points, 1_000_000);
    let t = Instant::now();
    let tree = write_store(&snap, &Selection::All);
    let layout = t.elapsed();
    let text: usize = tree.files.values().map(Vec::len).sum();
    let t = Instant::now();
    let zip = export_zip(&snap, &Selection::All);
    let total = t.elapsed();
    println!(
        "export: lay out {layout:?} ({} MiB of text); export_zip {total:?} ({} MiB zip)",
        text >> 20,
        zip.len() >> 20
    );
}
