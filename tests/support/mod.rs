//! Test support: `MemStore`, an in-memory model of the browser store that keeps
//! records as the stored text and chunks as the stored bytes, and runs a flush as the
//! IndexedDB store does (one atomic read-modify-write over the records as stored).
#![allow(dead_code)]

use std::collections::BTreeMap;

use ferroflow::core::ids::IdGen;
use ferroflow::core::interchange::{RunRecord, Snapshot};
use ferroflow::core::tracking::codec::{decode_record, encode_record};
use ferroflow::core::tracking::metric_log::{decode_chunk, encode_chunk};
use ferroflow::core::tracking::model::{
    Experiment, LifecycleStage, MetricPoint, MetricRange, Run, RunInfo, RunStatus,
};
use ferroflow::core::tracking::{
    FlushBatch, Merged, Needs, Records, Stored, StoredRun, Tails, Tracker,
};

/// Records and chunks as stored (text and bytes, through the real codecs).
#[derive(Default)]
pub struct MemStore {
    pub experiments: BTreeMap<String, String>,
    pub runs: BTreeMap<String, String>,
    pub chunks: BTreeMap<(String, String, u32), Vec<u8>>,
    pub logged_models: BTreeMap<String, String>,
    pub registered_models: BTreeMap<String, String>,
    /// Flushes stored over the writer's guess of the records (it held), as the browser
    /// store does without waiting for its reads.
    pub guessed: usize,
    /// Flushes whose guess did not hold (stored the careful way).
    pub stale_guesses: usize,
}

/// A flush whose transaction ran, waiting for its writer to hear the result.
pub struct Committed {
    pub merged: Merged,
    stored: Stored,
}

impl MemStore {
    pub fn all(&self) -> (Vec<Experiment>, Vec<StoredRun>) {
        let exps = (self.experiments.values())
            .map(|t| decode_record(t, "experiment").unwrap())
            .collect();
        let runs = (self.runs.values())
            .map(|t| decode_record(t, "run").unwrap())
            .collect();
        (exps, runs)
    }

    /// Every record of every kind.
    pub fn everything(&self) -> Records {
        let (e, r) = self.all();
        let mut records = Records::new(e, r);
        for (id, text) in &self.logged_models {
            records
                .logged_models
                .insert(id.clone(), decode_record(text, "logged model").unwrap());
        }
        for (name, text) in &self.registered_models {
            records.registered_models.insert(
                name.clone(),
                decode_record(text, "registered model").unwrap(),
            );
        }
        records
    }

    /// A writer opening the store (a new tab).
    pub fn open(&mut self, seed: u64, now: i64) -> Tracker {
        let mut t = Tracker::from_records(self.everything(), seed, now);
        let c = self.transact(&mut t);
        c.finish(&mut t);
        t
    }

    /// What `needs` names, as stored now.
    pub fn read(&self, needs: &Needs) -> Records {
        let mut exps: Vec<Experiment> = Vec::new();
        for (id, text) in &self.experiments {
            if needs.all_experiments || needs.experiments.contains(id) {
                exps.push(decode_record(text, "experiment").unwrap());
            }
        }
        let mut runs: Vec<StoredRun> = Vec::new();
        for (id, text) in &self.runs {
            let r: StoredRun = decode_record(text, "run").unwrap();
            if needs.runs.contains(id)
                || needs
                    .runs_of_experiments
                    .contains(&r.run.info.experiment_id)
            {
                runs.push(r);
            }
        }
        let mut records = Records::new(exps, runs);
        for id in &needs.logged_models {
            if let Some(text) = self.logged_models.get(id) {
                records
                    .logged_models
                    .insert(id.clone(), decode_record(text, "logged model").unwrap());
            }
        }
        for name in &needs.registered_models {
            if let Some(text) = self.registered_models.get(name) {
                records.registered_models.insert(
                    name.clone(),
                    decode_record(text, "registered model").unwrap(),
                );
            }
        }
        records
    }

    /// Takes the writer's batch and runs its transaction now; the writer learns the
    /// result when the returned value is finished (other writers may act between).
    pub fn transact(&mut self, t: &mut Tracker) -> Committed {
        let batch: FlushBatch = t.take_batch();
        let guess = t.guess_base(&batch);
        let needs = batch.needs();
        let mut base = self.read(&needs);
        let held = guess.filter(|g| {
            let held = FlushBatch::guess_held(g, &base);
            if !held {
                self.stale_guesses += 1;
            }
            held
        });
        let tails: Tails = batch
            .tails_needed(&base)
            .into_iter()
            .map(|(run, key, seq)| {
                let mut pts = Vec::new();
                decode_chunk(&self.chunks[&(run.clone(), key.clone(), seq)], &mut pts).unwrap();
                ((run, key), pts)
            })
            .collect();
        let merged = batch.merge(&mut base, tails);
        if let Some(mut over_guess) = held {
            // What the browser store writes when the guess holds: it must be exactly
            // the merge over the records as stored.
            let guessed = batch.merge(&mut over_guess, Tails::default());
            assert_eq!(
                format!("{guessed:?}"),
                format!("{merged:?}"),
                "merge over a guess"
            );
            assert_eq!(
                format!("{over_guess:?}"),
                format!("{base:?}"),
                "records over a guess"
            );
            self.guessed += 1;
        }
        for e in &merged.experiments {
            self.experiments
                .insert(e.experiment_id.clone(), encode_record(e));
        }
        for r in &merged.runs {
            self.runs
                .insert(r.run.info.run_id.clone(), encode_record(r));
        }
        for m in &merged.logged_models {
            self.logged_models
                .insert(m.model_id.clone(), encode_record(m));
        }
        for name in &merged.removed_registered_models {
            self.registered_models.remove(name);
        }
        for m in &merged.registered_models {
            self.registered_models
                .insert(m.name.clone(), encode_record(m));
        }
        for c in &merged.chunks {
            self.chunks.insert(
                (c.run_id.clone(), c.key.clone(), c.seq),
                encode_chunk(&c.points),
            );
        }
        let absent = needs.absent_from(&base);
        Committed {
            merged,
            stored: Stored {
                records: base,
                absent,
            },
        }
    }

    /// A flush start to end with nothing in between.
    pub fn flush(&mut self, t: &mut Tracker) -> Merged {
        let c = self.transact(t);
        c.finish(t)
    }

    /// What another writer's announcement makes a writer read.
    pub fn refresh(&self, t: &mut Tracker, run_ids: &[String], experiment_ids: &[String]) {
        let needs = Needs {
            runs: run_ids.iter().cloned().collect(),
            experiments: experiment_ids.iter().cloned().collect(),
            ..Needs::default()
        };
        self.refresh_needs(t, needs);
    }

    /// A writer reads `needs` as stored now and rebases onto it.
    pub fn refresh_needs(&self, t: &mut Tracker, needs: Needs) {
        let records = self.read(&needs);
        let absent = needs.absent_from(&records);
        t.refresh(Stored { records, absent });
    }

    /// A metric's stored history in logging order.
    pub fn history(&self, run_id: &str, key: &str) -> Vec<MetricPoint> {
        let r: StoredRun = decode_record(&self.runs[run_id], "run").unwrap();
        if let Some(pts) = r.inline_metrics.get(key) {
            return pts.clone();
        }
        let n = r.metric_chunks.get(key).copied().unwrap_or(0);
        let mut out = Vec::new();
        for seq in 0..n {
            let bytes = &self.chunks[&(run_id.to_owned(), key.to_owned(), seq)];
            decode_chunk(bytes, &mut out).unwrap();
        }
        out
    }

    pub fn stored_run(&self, run_id: &str) -> StoredRun {
        decode_record(&self.runs[run_id], "run").unwrap()
    }
}

impl Committed {
    pub fn finish(self, t: &mut Tracker) -> Merged {
        t.committed(self.stored);
        self.merged
    }
}

/// A seeded random source for property tests.
pub struct Rng(IdGen);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(IdGen::new(seed))
    }
    pub fn u64(&mut self) -> u64 {
        self.0.next_u64()
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.u64() % n
    }
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    /// Any f64 bit pattern: the specials, subnormals and integers near 2^53 often.
    pub fn f64(&mut self) -> f64 {
        const SPECIAL: [f64; 12] = [
            0.0,
            -0.0,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            f64::MIN_POSITIVE,
            5e-324,
            -5e-324,
            f64::MAX,
            f64::MIN,
            9_007_199_254_740_993.0,
            0.9111111111111111,
        ];
        match self.below(8) {
            0 => SPECIAL[self.below(SPECIAL.len() as u64) as usize],
            1 => f64::from_bits(self.below(1 << 52)), // subnormal (or zero)
            2 => {
                (self.below(1 << 20) as f64 + (1u64 << 53) as f64)
                    * if self.chance(50) { 1.0 } else { -1.0 }
            }
            3 => self.below(1_000_000_000) as f64 / 1e9 * 3.0, // short decimals needing 16–17 digits
            _ => {
                let v = f64::from_bits(self.u64());
                if v.is_nan() {
                    f64::NAN
                } else {
                    v
                } // NaN payloads are not kept (JS has one NaN)
            }
        }
    }
}

/// Whether two f64 are the same value: the same bits, or both NaN.
pub fn same_f64(a: f64, b: f64) -> bool {
    a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
}

/// A store of one experiment (`"1"`, named `name`) whose `runs` run `r` holds the
/// histories `history(r)` (latest values chosen as MLflow chooses) and `params`.
pub fn store_of(
    name: &str,
    runs: usize,
    mut history: impl FnMut(usize) -> BTreeMap<String, Vec<MetricPoint>>,
    params: impl Fn(usize) -> BTreeMap<String, String>,
) -> Snapshot {
    const T0: i64 = 1_700_000_000_000;
    let experiment = Experiment {
        experiment_id: "1".into(),
        name: name.into(),
        artifact_location: "mlruns/1".into(),
        lifecycle_stage: LifecycleStage::Active,
        creation_time: Some(T0),
        last_update_time: Some(T0),
        tags: BTreeMap::new(),
    };
    let runs = (0..runs)
        .map(|r| {
            let run_id = format!("{r:032x}");
            let history = history(r);
            let metrics = history
                .iter()
                .map(|(k, pts)| {
                    let mut latest = pts[0];
                    for p in pts {
                        if p.is_later_than(&latest) {
                            latest = *p;
                        }
                    }
                    (k.clone(), latest)
                })
                .collect();
            RunRecord {
                run: Run {
                    info: RunInfo {
                        run_id: run_id.clone(),
                        run_name: format!("run-{r}"),
                        experiment_id: "1".into(),
                        status: RunStatus::Finished,
                        start_time: T0,
                        end_time: Some(T0 + 100_000),
                        lifecycle_stage: LifecycleStage::Active,
                        artifact_uri: format!("mlruns/1/{run_id}/artifacts"),
                        user_id: name.into(),
                        deleted_time: None,
                    },
                    params: params(r),
                    tags: BTreeMap::new(),
                    metrics,
                    metric_ranges: (history.iter())
                        .map(|(k, pts)| (k.clone(), MetricRange::of(pts)))
                        .collect(),
                },
                history,
                artifacts: BTreeMap::new(),
            }
        })
        .collect();
    Snapshot {
        experiments: vec![experiment],
        runs,
        ..Snapshot::default()
    }
}

pub mod models;
