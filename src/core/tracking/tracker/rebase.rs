//! Rebasing a view onto records as stored: the stored copies replace the view's, and
//! this writer's changes not yet stored are applied on top again.

use std::collections::BTreeSet;

use super::{Stored, Tracker};
use crate::core::fxhash::FxHashSet;
use crate::core::tracking::model::{ExperimentId, RunId};
use crate::core::tracking::records::Records;

impl Tracker {
    /// Replaces the view's copies of the records in `stored` (and drops the absent
    /// ones), then applies on top, best effort, every journaled change touching them.
    /// Outcomes are never decided here: only a flush's merge decides them.
    pub(super) fn rebase(&mut self, stored: Stored, merge_latest: bool) {
        let Stored {
            records: mut scratch,
            absent,
        } = stored;
        let replaced_runs: FxHashSet<RunId> = scratch
            .runs
            .keys()
            .cloned()
            .chain(absent.runs.iter().cloned())
            .collect();
        let replaced_exps: BTreeSet<ExperimentId> = scratch
            .experiments
            .keys()
            .cloned()
            .chain(absent.experiments.iter().cloned())
            .collect();
        let run_exps: BTreeSet<ExperimentId> = scratch
            .runs
            .values()
            .map(|r| r.run.info.experiment_id.clone())
            .collect();
        let (mut borrowed_runs, mut borrowed_exps) = (FxHashSet::default(), BTreeSet::new());
        for e in &self.journal {
            let n = e.change.needs();
            let touches = n.runs.iter().any(|id| replaced_runs.contains(id))
                || n.experiments.iter().any(|id| replaced_exps.contains(id))
                || n.runs_of_experiments.iter().any(|id| run_exps.contains(id));
            if !touches {
                continue;
            }
            // What else the change reads comes from the view, and is not written back.
            let view = &self.records;
            let mut borrow_run = |id: &String, scratch: &mut Records| {
                if !scratch.runs.contains_key(id) && !replaced_runs.contains(id) {
                    if let Some(r) = view.runs.get(id) {
                        scratch.runs.insert(id.clone(), r.clone());
                        borrowed_runs.insert(id.clone());
                    }
                }
            };
            for id in &n.runs {
                borrow_run(id, &mut scratch);
            }
            for exp in &n.runs_of_experiments {
                for r in view
                    .runs
                    .values()
                    .filter(|r| &r.run.info.experiment_id == exp)
                {
                    borrow_run(&r.run.info.run_id, &mut scratch);
                }
            }
            let exps: Vec<&ExperimentId> = if n.all_experiments {
                view.experiments.keys().collect()
            } else {
                n.experiments.iter().collect()
            };
            for id in exps {
                if !scratch.experiments.contains_key(id) && !replaced_exps.contains(id) {
                    if let Some(x) = view.experiments.get(id) {
                        scratch.experiments.insert(id.clone(), x.clone());
                        borrowed_exps.insert(id.clone());
                    }
                }
            }
            // A change the stored records already hold (or now refuse) does not apply
            // again; its outcome comes from the merge.
            let _ = scratch.apply(&e.change);
        }
        for id in absent
            .runs
            .iter()
            .filter(|id| !scratch.runs.contains_key(*id))
        {
            self.records.runs.remove(id);
        }
        for id in absent
            .experiments
            .iter()
            .filter(|id| !scratch.experiments.contains_key(*id))
        {
            self.records.experiments.remove(id);
        }
        for (id, mut run) in scratch.runs {
            if borrowed_runs.contains(&id) {
                continue;
            }
            if merge_latest {
                if let Some(old) = self.records.runs.get(&id) {
                    for (key, point) in &old.run.metrics {
                        run.note_latest(key, *point);
                    }
                }
            }
            self.records.runs.insert(id, run);
        }
        for (id, e) in scratch.experiments {
            if !borrowed_exps.contains(&id) {
                self.records.experiments.insert(id, e);
            }
        }
    }
}
