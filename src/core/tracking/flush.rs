//! What one flush stores, and how it merges into the records as stored.
//!
//! The store runs [`FlushBatch::merge`] inside one IndexedDB read-modify-write
//! transaction: it reads the records the batch [`needs`](FlushBatch::needs) and the
//! tails of the series it appends to, merges, and writes the result. Transactions of
//! all tabs and workers over those object stores run one after another, so every
//! writer's changes land on the others' instead of replacing them.
//!
//! A batch that only creates runs (and writes to the runs it creates) can be stored
//! without waiting for its reads: [`FlushBatch::guess_base`] predicts what the store
//! holds from the writer's view, the store merges over that guess and issues the
//! writes right behind the reads, and [`FlushBatch::guess_held`] checks the reads
//! against the guess before any write completes — a wrong guess aborts the
//! transaction (nothing written) and the batch is stored the careful way.

use crate::core::fxhash::FxHashMap;
use crate::core::models::LoggedModel;
use crate::core::registry::RegisteredModel;
use crate::core::tracking::change::{Change, Entry, Needs, Outcome, Ticket};
use crate::core::tracking::error::{run_not_found, Result, TrackingError};
use crate::core::tracking::metric_log::{append_series, MetricChunk, SeriesPoints};
use crate::core::tracking::model::{Experiment, MetricPoint, RunId};
use crate::core::tracking::records::{Records, StoredRun};

/// The stored tail chunk of each series a batch appends to, by (run, key).
pub type Tails = FxHashMap<(RunId, String), Vec<MetricPoint>>;

/// Everything one flush stores: journaled changes, then metric points.
#[derive(Debug, Default)]
pub struct FlushBatch {
    /// Changes in the order they were made.
    pub entries: Vec<Entry>,
    /// Metric points per series, in logging order.
    pub series: Vec<SeriesPoints>,
}

/// Points a merge could not store, and why.
#[derive(Clone, Debug, PartialEq)]
pub struct RefusedPoints {
    /// The run.
    pub run_id: RunId,
    /// The metric key.
    pub key: String,
    /// How many points.
    pub count: usize,
    /// Why.
    pub error: TrackingError,
}

/// The result of merging a batch into stored records.
#[derive(Debug, Default)]
pub struct Merged {
    /// Each change's outcome, by ticket.
    pub outcomes: Vec<(Ticket, Result<Outcome>)>,
    /// Experiment records to write.
    pub experiments: Vec<Experiment>,
    /// Run records to write.
    pub runs: Vec<StoredRun>,
    /// Logged-model records to write.
    pub logged_models: Vec<LoggedModel>,
    /// Registered-model records to write (each with its versions).
    pub registered_models: Vec<RegisteredModel>,
    /// Registered models to delete (deleted, or renamed away).
    pub removed_registered_models: Vec<String>,
    /// Metric chunks to write.
    pub chunks: Vec<MetricChunk>,
    /// Points whose run is not stored (never silently dropped: the flush reports them).
    pub refused_points: Vec<RefusedPoints>,
}

impl FlushBatch {
    /// Whether there is nothing to store.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty() && self.series.is_empty()
    }

    /// The stored records the merge reads.
    pub fn needs(&self) -> Needs {
        let mut n = Needs::default();
        for e in &self.entries {
            n.extend(e.change.needs());
        }
        n.runs.extend(self.series.iter().map(|s| s.run_id.clone()));
        n
    }

    /// The chunks to read before merging: the last stored chunk of every chunked
    /// series this batch appends to, as `(run, key, seq)`.
    pub fn tails_needed(&self, base: &Records) -> Vec<(RunId, String, u32)> {
        self.series
            .iter()
            .filter_map(|s| {
                let n = *base.runs.get(&s.run_id)?.metric_chunks.get(&s.key)?;
                (n > 0).then(|| (s.run_id.clone(), s.key.clone(), n - 1))
            })
            .collect()
    }

    /// Replays the batch over `base` (the records as stored now, including every run a
    /// change of the batch creates): changes first, in order, then points. Points are
    /// kept whenever their run is stored, whatever its state: a writer never loses
    /// what it logged because another writer ended or deleted the run meanwhile.
    pub fn merge(&self, base: &mut Records, mut tails: Tails) -> Merged {
        base.take_changed();
        let mut out = Merged::default();
        for e in &self.entries {
            out.outcomes.push((e.ticket, base.apply(&e.change)));
        }
        for s in &self.series {
            let Ok(run) = base.run_mut(&s.run_id) else {
                out.refused_points.push(RefusedPoints {
                    run_id: s.run_id.clone(),
                    key: s.key.clone(),
                    count: s.points.len(),
                    error: run_not_found(&s.run_id),
                });
                continue;
            };
            let tail = tails.remove(&(s.run_id.clone(), s.key.clone()));
            out.chunks
                .extend(append_series(run, &s.key, tail, &s.points));
        }
        let changed = base.take_changed();
        out.experiments = (changed.experiments.iter())
            .filter_map(|id| base.experiments.get(id).cloned())
            .collect();
        out.runs = (changed.runs.iter())
            .filter_map(|id| base.runs.get(id).cloned())
            .collect();
        out.logged_models = (changed.logged_models.iter())
            .filter_map(|id| base.logged_models.get(id).cloned())
            .collect();
        out.registered_models = (changed.registered_models.iter())
            .filter_map(|n| base.registered_models.get(n).cloned())
            .collect();
        out.removed_registered_models = changed.removed_registered_models.into_iter().collect();
        out
    }

    /// The records as stored, predicted from a writer's `view`, when the batch only
    /// creates top-level runs and writes to runs it creates (`startRun` … `endRun`):
    /// then the store holds the runs' experiments as the view last saw them and none
    /// of the runs (their ids are new). `None` for any other batch.
    pub fn guess_base(&self, view: &Records) -> Option<Records> {
        let mut created = std::collections::BTreeSet::new();
        let mut experiments = Vec::new();
        for e in &self.entries {
            match &e.change {
                Change::CreateRun { run } if run.parent_run_id().is_none() => {
                    let id = &run.info.experiment_id;
                    if !experiments
                        .iter()
                        .any(|x: &Experiment| &x.experiment_id == id)
                    {
                        experiments.push(view.experiments.get(id)?.clone());
                    }
                    created.insert(run.info.run_id.clone());
                }
                Change::LogParams { run_id, .. }
                | Change::SetTags { run_id, .. }
                | Change::DeleteTag { run_id, .. }
                | Change::SetStatus { run_id, .. }
                    if created.contains(run_id) => {}
                _ => return None,
            }
        }
        if experiments.is_empty() || !self.series.iter().all(|s| created.contains(&s.run_id)) {
            return None;
        }
        Some(Records::new(experiments, Vec::new()))
    }

    /// Whether `stored` (what the transaction read for [`FlushBatch::needs`]) is what
    /// `guess` predicted, so a merge over the guess is the merge over the store.
    pub fn guess_held(guess: &Records, stored: &Records) -> bool {
        stored.experiments == guess.experiments
            && stored.runs.is_empty()
            && stored.logged_models.is_empty()
            && stored.registered_models.is_empty()
    }
}
