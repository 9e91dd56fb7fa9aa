//! Rebasing a view onto records as stored: the stored copies replace the view's, and
//! this writer's changes not yet stored are applied on top again.

use std::collections::{BTreeMap, BTreeSet};

use super::{Stored, Tracker};
use crate::core::fxhash::FxHashSet;
use crate::core::tracking::change::Needs;
use crate::core::tracking::records::Records;

/// Which ids of each kind a rebase replaces (stored copies or absent).
struct Replaced {
    runs: FxHashSet<String>,
    experiments: BTreeSet<String>,
    logged_models: BTreeSet<String>,
    registered_models: BTreeSet<String>,
    /// Experiments of the replaced runs (a cascade over them must apply again).
    run_experiments: BTreeSet<String>,
}

impl Replaced {
    fn of(scratch: &Records, absent: &Needs) -> Self {
        fn ids<'a>(
            a: impl Iterator<Item = &'a String>,
            b: &'a BTreeSet<String>,
        ) -> BTreeSet<String> {
            a.chain(b).cloned().collect()
        }
        Replaced {
            runs: scratch.runs.keys().chain(&absent.runs).cloned().collect(),
            experiments: ids(scratch.experiments.keys(), &absent.experiments),
            logged_models: ids(scratch.logged_models.keys(), &absent.logged_models),
            registered_models: ids(scratch.registered_models.keys(), &absent.registered_models),
            run_experiments: (scratch.runs.values())
                .map(|r| r.run.info.experiment_id.clone())
                .collect(),
        }
    }

    fn touched_by(&self, n: &Needs) -> bool {
        n.runs.iter().any(|id| self.runs.contains(id))
            || n.experiments.iter().any(|id| self.experiments.contains(id))
            || n.runs_of_experiments
                .iter()
                .any(|id| self.run_experiments.contains(id))
            || n.logged_models
                .iter()
                .any(|id| self.logged_models.contains(id))
            || n.registered_models
                .iter()
                .any(|n| self.registered_models.contains(n))
    }
}

/// Records copied from the view into the scratch copy (read by a replayed change, not
/// written back).
#[derive(Default)]
struct Borrowed {
    runs: FxHashSet<String>,
    experiments: BTreeSet<String>,
    logged_models: BTreeSet<String>,
    registered_models: BTreeSet<String>,
}

/// Copies `ids` the scratch lacks (and the rebase does not replace) from `view`.
fn borrow<'a, V: Clone>(
    ids: impl Iterator<Item = &'a String>,
    scratch: &mut BTreeMap<String, V>,
    view: &BTreeMap<String, V>,
    replaced: &BTreeSet<String>,
    borrowed: &mut BTreeSet<String>,
) {
    for id in ids {
        if !scratch.contains_key(id) && !replaced.contains(id) {
            if let Some(v) = view.get(id) {
                scratch.insert(id.clone(), v.clone());
                borrowed.insert(id.clone());
            }
        }
    }
}

/// Writes the scratch's own records of one kind back into the view, and drops the
/// absent ones nobody re-created.
fn write_back<V>(
    view: &mut BTreeMap<String, V>,
    scratch: BTreeMap<String, V>,
    absent: &BTreeSet<String>,
    borrowed: &BTreeSet<String>,
) {
    for id in absent.iter().filter(|id| !scratch.contains_key(*id)) {
        view.remove(id);
    }
    for (id, v) in scratch {
        if !borrowed.contains(&id) {
            view.insert(id, v);
        }
    }
}

impl Tracker {
    /// Replaces the view's copies of the records in `stored` (and drops the absent
    /// ones), then applies on top, best effort, every journaled change touching them.
    /// Outcomes are never decided here: only a flush's merge decides them.
    pub(super) fn rebase(&mut self, stored: Stored, merge_latest: bool) {
        let Stored {
            records: mut scratch,
            absent,
        } = stored;
        let replaced = Replaced::of(&scratch, &absent);
        let mut borrowed = Borrowed::default();
        for e in &self.journal {
            let n = e.change.needs();
            if !replaced.touched_by(&n) {
                continue;
            }
            // What else the change reads comes from the view, and is not written back.
            let view = &self.records;
            let runs_of = (n.runs_of_experiments.iter()).flat_map(|exp| {
                (view.runs.values())
                    .filter(move |r| &r.run.info.experiment_id == exp)
                    .map(|r| &r.run.info.run_id)
            });
            for id in n.runs.iter().chain(runs_of) {
                if !scratch.runs.contains_key(id) && !replaced.runs.contains(id) {
                    if let Some(r) = view.runs.get(id) {
                        scratch.runs.insert(id.clone(), r.clone());
                        borrowed.runs.insert(id.clone());
                    }
                }
            }
            let exps: Vec<&String> = if n.all_experiments {
                view.experiments.keys().collect()
            } else {
                n.experiments.iter().collect()
            };
            borrow(
                exps.into_iter(),
                &mut scratch.experiments,
                &view.experiments,
                &replaced.experiments,
                &mut borrowed.experiments,
            );
            borrow(
                n.logged_models.iter(),
                &mut scratch.logged_models,
                &view.logged_models,
                &replaced.logged_models,
                &mut borrowed.logged_models,
            );
            borrow(
                n.registered_models.iter(),
                &mut scratch.registered_models,
                &view.registered_models,
                &replaced.registered_models,
                &mut borrowed.registered_models,
            );
            // A change the stored records already hold (or now refuse) does not apply
            // again; its outcome comes from the merge.
            let _ = scratch.apply(&e.change);
        }
        let Records {
            experiments,
            runs,
            logged_models,
            registered_models,
            ..
        } = scratch;
        for id in absent.runs.iter().filter(|id| !runs.contains_key(*id)) {
            self.records.runs.remove(id);
        }
        for (id, mut run) in runs {
            if borrowed.runs.contains(&id) {
                continue;
            }
            if merge_latest {
                if let Some(old) = self.records.runs.get(&id) {
                    for (key, point) in &old.run.metrics {
                        run.note_latest(key, *point);
                    }
                    for (key, range) in &old.run.metric_ranges {
                        run.merge_range(key, *range);
                    }
                }
            }
            self.records.runs.insert(id, run);
        }
        let view = &mut self.records;
        write_back(
            &mut view.experiments,
            experiments,
            &absent.experiments,
            &borrowed.experiments,
        );
        write_back(
            &mut view.logged_models,
            logged_models,
            &absent.logged_models,
            &borrowed.logged_models,
        );
        write_back(
            &mut view.registered_models,
            registered_models,
            &absent.registered_models,
            &borrowed.registered_models,
        );
    }
}
