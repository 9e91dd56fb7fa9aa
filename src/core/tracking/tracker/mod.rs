//! A writer's view of the tracking state: the records as last read from storage, with
//! this writer's own changes applied on top the moment they are made.
//!
//! Every change goes through [`Records::apply`] on the view (refused at once if MLflow
//! would refuse it) and into the journal; metric points go into the [`MetricLog`]. A
//! flush takes a [`FlushBatch`], the store merges it into the records as stored, and
//! the view is rebased onto what was stored ([`Tracker::committed`]). Records other
//! writers stored are taken in the same way ([`Tracker::refresh`]).

use std::collections::BTreeMap;

use crate::core::ids::IdGen;
use crate::core::tracking::change::{Change, Entry, Needs, OnExisting, Ticket};
use crate::core::tracking::error::*;
use crate::core::tracking::flush::FlushBatch;
use crate::core::tracking::metric_log::{MetricLog, SeriesPoints};
use crate::core::tracking::model::*;
use crate::core::tracking::records::{Records, StoredRun, DEFAULT_EXPERIMENT_ID};
use crate::core::tracking::rules;

mod models;
mod rebase;
mod registry;

pub use models::NewLoggedModel;
pub use registry::NewVersion;

/// Where a run comes from and who starts it (the fluent API's system tags).
#[derive(Clone, Debug, Default)]
pub struct RunSource {
    /// `mlflow.user` and `user_id`.
    pub user: String,
    /// `mlflow.source.name`: the logging page's URL.
    pub name: String,
    /// `mlflow.source.type`: `LOCAL`, `NOTEBOOK`, …
    pub kind: String,
}

/// Arguments of [`Tracker::create_run`].
#[derive(Clone, Debug, Default)]
pub struct NewRun {
    /// Target experiment (Default when `None`).
    pub experiment_id: Option<String>,
    /// Name; a random `adjective-noun-NNN` when `None`.
    pub run_name: Option<String>,
    /// Parent run of a nested run.
    pub parent_run_id: Option<String>,
    /// Initial tags.
    pub tags: BTreeMap<String, String>,
    /// Markdown description (`mlflow.note.content`).
    pub description: Option<String>,
    /// System tags source.
    pub source: RunSource,
}

/// Records a flush or another writer stored, to rebase the view onto.
#[derive(Debug, Default)]
pub struct Stored {
    /// The records as stored now.
    pub records: Records,
    /// Ids that were looked for and are not stored.
    pub absent: Needs,
}

/// One writer's tracking state.
#[derive(Debug)]
pub struct Tracker {
    records: Records,
    /// Changes not yet known to be stored, oldest first; the first `in_flight` are in
    /// the batch being stored.
    journal: Vec<Entry>,
    in_flight: usize,
    metrics: MetricLog,
    next_ticket: Ticket,
    ids: IdGen,
}

impl Tracker {
    /// A view of stored experiments and runs (tests and tools; the service loads
    /// every kind of record with [`Tracker::from_records`]).
    pub fn load(experiments: Vec<Experiment>, runs: Vec<StoredRun>, seed: u64, now: i64) -> Self {
        Tracker::from_records(Records::new(experiments, runs), seed, now)
    }

    /// A view of stored records; creates the Default experiment if it is missing.
    pub fn from_records(records: Records, seed: u64, now: i64) -> Self {
        let mut t = Tracker {
            records,
            journal: Vec::new(),
            in_flight: 0,
            metrics: MetricLog::default(),
            next_ticket: 1,
            ids: IdGen::new(seed),
        };
        if !t.records.experiments.contains_key(DEFAULT_EXPERIMENT_ID) {
            let default =
                new_experiment(DEFAULT_EXPERIMENT_ID, "Default", None, BTreeMap::new(), now);
            t.record(Change::CreateExperiment {
                experiment: default,
                existing: OnExisting::UseIt,
            })
            .expect("a new view has no Default experiment to clash with");
        }
        t
    }

    /// Applies `change` to the view and journals it; refused changes leave no trace.
    pub fn record(&mut self, change: Change) -> Result<Option<String>> {
        let out = self.records.apply(&change)?;
        self.journal.push(Entry {
            ticket: self.next_ticket,
            change,
        });
        self.next_ticket += 1;
        Ok(out)
    }

    /// The ticket the next journaled change gets: changes made from here on have
    /// tickets at or above it.
    pub fn next_ticket(&self) -> Ticket {
        self.next_ticket
    }

    // ---- experiments -------------------------------------------------------------

    /// All experiments, active and deleted, by id.
    pub fn experiments(&self) -> impl Iterator<Item = &Experiment> {
        self.records.experiments.values()
    }

    /// An experiment by id.
    pub fn experiment(&self, id: &str) -> Result<&Experiment> {
        self.records.experiment(id)
    }

    /// An experiment by exact name (active or deleted).
    pub fn experiment_by_name(&self, name: &str) -> Option<&Experiment> {
        self.records.experiment_by_name(name)
    }

    fn fresh_experiment_id(&mut self) -> String {
        loop {
            let id = self.ids.experiment_id();
            if !self.records.experiments.contains_key(&id) {
                return id;
            }
        }
    }

    /// Creates an experiment and returns its id.
    pub fn create_experiment(
        &mut self,
        name: &str,
        artifact_location: Option<String>,
        tags: BTreeMap<String, String>,
        now: i64,
    ) -> Result<ExperimentId> {
        let id = self.fresh_experiment_id();
        let experiment = new_experiment(&id, name, artifact_location, tags, now);
        self.record(Change::CreateExperiment {
            experiment,
            existing: OnExisting::Refuse,
        })?;
        Ok(id)
    }

    /// The active experiment named `name`, created if there is none (`setExperiment`).
    /// When another writer creates the same name meanwhile, the flush resolves this
    /// change to that experiment (see the change's outcome).
    pub fn set_experiment(&mut self, name: &str, now: i64) -> Result<ExperimentId> {
        let id = self.fresh_experiment_id();
        let experiment = new_experiment(&id, name, None, BTreeMap::new(), now);
        let change = Change::CreateExperiment {
            experiment,
            existing: OnExisting::UseIt,
        };
        if self.experiment_by_name(name).is_some() {
            // Known here: nothing to store (a deleted one is refused by apply).
            return self.records.apply(&change).map(|out| out.unwrap_or(id));
        }
        Ok(self.record(change)?.unwrap_or(id))
    }

    /// Renames an experiment.
    pub fn rename_experiment(&mut self, id: &str, new_name: &str, now: i64) -> Result<()> {
        self.record(Change::RenameExperiment {
            id: id.into(),
            name: new_name.into(),
            time: now,
        })
        .map(drop)
    }

    /// Soft-deletes an experiment and its active runs.
    pub fn delete_experiment(&mut self, id: &str, now: i64) -> Result<()> {
        self.record(Change::DeleteExperiment {
            id: id.into(),
            time: now,
        })
        .map(drop)
    }

    /// Restores a deleted experiment and the runs deleted with it.
    pub fn restore_experiment(&mut self, id: &str, now: i64) -> Result<()> {
        self.record(Change::RestoreExperiment {
            id: id.into(),
            time: now,
        })
        .map(drop)
    }

    /// Sets an experiment tag.
    pub fn set_experiment_tag(&mut self, id: &str, key: &str, value: &str, now: i64) -> Result<()> {
        self.record(Change::SetExperimentTag {
            id: id.into(),
            key: key.into(),
            value: value.into(),
            time: now,
        })
        .map(drop)
    }

    /// Deletes an experiment tag.
    pub fn delete_experiment_tag(&mut self, id: &str, key: &str) -> Result<()> {
        self.record(Change::DeleteExperimentTag {
            id: id.into(),
            key: key.into(),
        })
        .map(drop)
    }

    // ---- runs ----------------------------------------------------------------------

    /// All runs, in no particular order.
    pub fn runs(&self) -> impl Iterator<Item = &Run> {
        self.records.runs.values().map(|r| &r.run)
    }

    /// Number of runs known.
    pub fn run_count(&self) -> usize {
        self.records.runs.len()
    }

    /// A run by id.
    pub fn run(&self, id: &str) -> Result<&Run> {
        self.records.run(id).map(|r| &r.run)
    }

    /// A run as stored, with where its metric histories are.
    pub fn stored_run(&self, id: &str) -> Result<&StoredRun> {
        self.records.run(id)
    }

    /// Runs of the given experiments (all when empty) in the given view.
    pub fn runs_in<'a>(
        &'a self,
        experiment_ids: &'a [String],
        view: ViewType,
    ) -> impl Iterator<Item = &'a Run> + 'a {
        self.runs().filter(move |r| {
            view.includes(r.info.lifecycle_stage)
                && (experiment_ids.is_empty() || experiment_ids.contains(&r.info.experiment_id))
        })
    }

    /// Creates a run with MLflow's system tags and returns its id.
    pub fn create_run(&mut self, args: NewRun, now: i64) -> Result<RunId> {
        let exp_id = args
            .experiment_id
            .unwrap_or_else(|| DEFAULT_EXPERIMENT_ID.to_owned());
        let artifact_root = self.records.experiment(&exp_id)?.artifact_location.clone();
        let run_name = match args.run_name.filter(|n| !n.is_empty()) {
            Some(n) => n,
            None => args
                .tags
                .get(rules::TAG_RUN_NAME)
                .cloned()
                .unwrap_or_else(|| self.ids.run_name()),
        };
        let run_id = loop {
            let id = self.ids.run_id();
            if !self.records.runs.contains_key(&id) {
                break id;
            }
        };
        let mut tags = args.tags;
        tags.insert(rules::TAG_RUN_NAME.into(), run_name.clone());
        let src = args.source;
        let user = if src.user.is_empty() {
            "unknown".to_owned()
        } else {
            src.user
        };
        tags.entry(rules::TAG_USER.into())
            .or_insert_with(|| user.clone());
        if !src.name.is_empty() {
            tags.entry(rules::TAG_SOURCE_NAME.into())
                .or_insert(src.name);
        }
        if !src.kind.is_empty() {
            tags.entry(rules::TAG_SOURCE_TYPE.into())
                .or_insert(src.kind);
        }
        if let Some(parent) = args.parent_run_id {
            tags.insert(rules::TAG_PARENT_RUN_ID.into(), parent);
        }
        if let Some(d) = args.description {
            tags.insert(rules::TAG_NOTE.into(), d);
        }
        let run = Run {
            info: RunInfo {
                artifact_uri: format!("{}/{run_id}/artifacts", artifact_root.trim_end_matches('/')),
                run_id: run_id.clone(),
                run_name,
                experiment_id: exp_id,
                status: RunStatus::Running,
                start_time: now,
                end_time: None,
                lifecycle_stage: LifecycleStage::Active,
                user_id: user,
                deleted_time: None,
            },
            params: BTreeMap::new(),
            tags,
            metrics: BTreeMap::new(),
            metric_ranges: BTreeMap::new(),
        };
        self.record(Change::CreateRun { run })?;
        Ok(run_id)
    }

    /// Sets a run's status; a terminal status also sets `end_time`.
    pub fn set_terminated(&mut self, id: &str, status: RunStatus, now: i64) -> Result<()> {
        self.record(Change::SetStatus {
            run_id: id.into(),
            status,
            time: now,
        })
        .map(drop)
    }

    /// Soft-deletes a run.
    pub fn delete_run(&mut self, id: &str, now: i64) -> Result<()> {
        self.record(Change::DeleteRun {
            run_id: id.into(),
            time: now,
        })
        .map(drop)
    }

    /// Restores a soft-deleted run.
    pub fn restore_run(&mut self, id: &str) -> Result<()> {
        let experiment_id = self.run(id)?.info.experiment_id.clone();
        self.record(Change::RestoreRun {
            run_id: id.into(),
            experiment_id,
        })
        .map(drop)
    }

    /// Logs params all-or-nothing; the same value again is fine, another is an error.
    pub fn log_params(&mut self, id: &str, params: &[(String, String)]) -> Result<()> {
        self.record(Change::LogParams {
            run_id: id.into(),
            params: params.to_vec(),
        })
        .map(drop)
    }

    /// Sets tags all-or-nothing; `mlflow.runName` also renames the run.
    pub fn set_tags(&mut self, id: &str, tags: &[(String, String)]) -> Result<()> {
        self.record(Change::SetTags {
            run_id: id.into(),
            tags: tags.to_vec(),
        })
        .map(drop)
    }

    /// Deletes a tag.
    pub fn delete_tag(&mut self, id: &str, key: &str) -> Result<()> {
        self.record(Change::DeleteTag {
            run_id: id.into(),
            key: key.into(),
        })
        .map(drop)
    }

    /// Queues a metric point and updates the run's latest value and range. The hot
    /// path: no allocation once the series exists.
    pub fn log_metric(&mut self, id: &str, key: &str, point: MetricPoint) -> Result<()> {
        let stored = self.records.run_for_points(id)?;
        match stored.run.metrics.get_mut(key) {
            Some(latest) => {
                if point.timestamp < 0 {
                    rules::validate_metric(key, point.timestamp)?;
                }
                if point.is_later_than(latest) {
                    *latest = point;
                }
                if let Some(r) = stored.run.metric_ranges.get_mut(key) {
                    r.note(point.value);
                }
            }
            None => {
                rules::validate_metric(key, point.timestamp)?;
                stored.run.metrics.insert(key.to_owned(), point);
                let mut r = MetricRange::NONE;
                r.note(point.value);
                stored.run.metric_ranges.insert(key.to_owned(), r);
            }
        }
        self.metrics.push(id, key, point);
        Ok(())
    }

    /// Queues a series of points of one metric (in logging order) and updates the
    /// run's latest value and range: all or nothing.
    pub fn log_metric_series(&mut self, id: &str, key: &str, points: &[MetricPoint]) -> Result<()> {
        rules::validate_key(rules::KeyKind::Metric, key)?;
        if let Some(p) = points.iter().find(|p| p.timestamp < 0) {
            rules::validate_metric(key, p.timestamp)?;
        }
        let stored = self.records.run_for_points(id)?;
        let Some(first) = points.first() else {
            return Ok(());
        };
        let mut range = MetricRange::NONE;
        let mut latest = *first;
        for p in points {
            range.note(p.value);
            if p.is_later_than(&latest) {
                latest = *p;
            }
        }
        match stored.run.metrics.get_mut(key) {
            Some(l) if !latest.is_later_than(l) => {}
            Some(l) => *l = latest,
            None => {
                stored.run.metrics.insert(key.to_owned(), latest);
            }
        }
        stored
            .run
            .metric_ranges
            .entry(key.to_owned())
            .or_insert(MetricRange::NONE)
            .merge(range);
        self.metrics.extend(id, key, points);
        Ok(())
    }

    /// MLflow's `log_batch`: metrics, params and tags for one run, all or nothing,
    /// within MLflow's limits (1,000 metrics, 100 params, 100 tags, 1,000 in all; each
    /// param once).
    pub fn log_batch(
        &mut self,
        id: &str,
        metrics: &[(String, MetricPoint)],
        params: &[(String, String)],
        tags: &[(String, String)],
    ) -> Result<()> {
        rules::validate_batch(metrics.len(), params, tags.len())?;
        self.records.active_run(id)?;
        for (key, point) in metrics {
            rules::validate_metric(key, point.timestamp)?;
        }
        for (key, value) in tags {
            rules::validate_tag(key, value)?;
        }
        // The params are the one part that can still be refused (a value differing
        // from a logged one); nothing has changed yet if they are.
        if !params.is_empty() {
            self.log_params(id, params)?;
        }
        if !tags.is_empty() {
            self.set_tags(id, tags)?;
        }
        for (key, point) in metrics {
            self.log_metric(id, key, *point)?;
        }
        Ok(())
    }

    /// Metric points queued and not yet taken by a flush.
    pub fn pending_points(&self) -> usize {
        self.metrics.pending_points()
    }

    /// Whether anything waits to be taken by a flush.
    pub fn has_pending(&self) -> bool {
        self.journal.len() > self.in_flight || self.pending_points() > 0
    }

    /// Whether changes made before this call wait for a flush that has not started
    /// (writers awaiting their outcome want it soon; metric points can wait).
    pub fn has_pending_changes(&self) -> bool {
        self.journal.len() > self.in_flight
    }

    // ---- flushing -------------------------------------------------------------------

    /// Takes everything not yet stored for one flush. The changes stay in the journal
    /// (in flight) until [`Tracker::committed`] or [`Tracker::failed`] says how the
    /// flush ended, so the view keeps showing them meanwhile.
    pub fn take_batch(&mut self) -> FlushBatch {
        debug_assert_eq!(self.in_flight, 0, "one flush at a time");
        self.in_flight = self.journal.len();
        self.records.take_changed();
        FlushBatch {
            entries: self.journal.clone(),
            series: self.metrics.drain(),
        }
    }

    /// What the store holds for `batch`, guessed from this view
    /// ([`FlushBatch::guess_base`]).
    pub fn guess_base(&self, batch: &FlushBatch) -> Option<Records> {
        batch.guess_base(&self.records)
    }

    /// The batch taken last is stored; `stored` holds the records it read, as merged.
    pub fn committed(&mut self, stored: Stored) {
        self.journal.drain(..self.in_flight);
        self.in_flight = 0;
        self.rebase(stored, true);
    }

    /// The batch taken last was not stored. Its metric points are queued again, ahead
    /// of newer ones, and so are its changes for which `retry` says yes (nobody was
    /// told they failed); the others leave the journal. The caller then rebases the
    /// view onto what is stored ([`Tracker::refresh`]).
    pub fn failed(&mut self, series: Vec<SeriesPoints>, retry: impl Fn(Ticket) -> bool) {
        let in_flight = std::mem::take(&mut self.in_flight);
        let mut i = 0;
        self.journal.retain(|e| {
            i += 1;
            i > in_flight || retry(e.ticket)
        });
        self.metrics.restore(series);
    }

    /// Takes records another writer stored; this writer's changes not yet stored stay
    /// applied on top, and latest metric values merge (each writer's latest is kept
    /// if it beats the stored one).
    pub fn refresh(&mut self, stored: Stored) {
        self.rebase(stored, true);
    }

    /// Takes imported records as they are: they replace this view's copies (latest
    /// values included), and metric points queued for those runs are dropped with
    /// them. Journaled changes to them stay and are merged by the next flush.
    pub fn replace_imported(&mut self, records: Records) {
        for id in records.runs.keys() {
            self.metrics.forget_run(id);
        }
        let stored = Stored {
            records,
            absent: Needs::default(),
        };
        self.rebase(stored, false);
    }
}

fn new_experiment(
    id: &str,
    name: &str,
    artifact_location: Option<String>,
    tags: BTreeMap<String, String>,
    now: i64,
) -> Experiment {
    Experiment {
        experiment_id: id.to_owned(),
        name: name.to_owned(),
        artifact_location: artifact_location
            .filter(|a| !a.is_empty())
            .unwrap_or_else(|| default_artifact_location(id)),
        lifecycle_stage: LifecycleStage::Active,
        creation_time: Some(now),
        last_update_time: Some(now),
        tags,
    }
}

/// Where a new experiment's artifacts go: a relative `mlruns/<id>`, which MLflow
/// resolves against its working directory when it reads an exported store.
pub fn default_artifact_location(id: &str) -> String {
    format!("mlruns/{id}")
}
