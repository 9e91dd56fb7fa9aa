//! The experiments list as plain data: how many runs each experiment has and when it
//! was last active ([`RunCounts`], one pass over the runs), and the rows a name search
//! shows ([`experiment_rows`], a pass over the experiments only), so typing in the
//! search box never recounts runs.

use std::collections::HashMap;

use crate::core::tracking::model::{LifecycleStage, ViewType};
use crate::core::tracking::Tracker;

/// One row of the experiments list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExperimentRow {
    /// Experiment id.
    pub id: String,
    /// Experiment name.
    pub name: String,
    /// Runs in the row's lifecycle view (active runs of an active experiment, every
    /// run of a deleted one).
    pub runs: usize,
    /// The latest of the experiment's last update and its runs' end (or start) times.
    pub last_activity: Option<i64>,
}

/// Per experiment, its runs in a lifecycle view and their latest activity.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RunCounts {
    by_experiment: HashMap<String, (usize, i64)>,
    /// Whether the store holds nothing but the empty Default experiment.
    pub pristine: bool,
}

impl RunCounts {
    /// Counts the runs of experiments in `stage`: active runs of active experiments,
    /// every run of deleted ones (they are shown as a deleted experiment has them).
    pub fn of(t: &Tracker, stage: LifecycleStage) -> Self {
        let view = match stage {
            LifecycleStage::Active => ViewType::ActiveOnly,
            LifecycleStage::Deleted => ViewType::All,
        };
        let mut by_experiment = HashMap::<String, (usize, i64)>::new();
        for r in t.runs_in(&[], view) {
            let c = match by_experiment.get_mut(r.info.experiment_id.as_str()) {
                Some(c) => c,
                None => by_experiment
                    .entry(r.info.experiment_id.clone())
                    .or_default(),
            };
            c.0 += 1;
            c.1 = c.1.max(r.info.end_time.unwrap_or(r.info.start_time));
        }
        RunCounts {
            by_experiment,
            pristine: t.run_count() == 0 && t.experiments().count() == 1,
        }
    }

    /// Runs of `experiment_id` and their latest activity (`(0, 0)` for none).
    pub fn get(&self, experiment_id: &str) -> (usize, i64) {
        self.by_experiment
            .get(experiment_id)
            .copied()
            .unwrap_or_default()
    }
}

/// The experiments in `stage` whose name contains `search` (any case, surrounding
/// spaces ignored), most recently active first, then by name.
pub fn experiment_rows(
    t: &Tracker,
    counts: &RunCounts,
    stage: LifecycleStage,
    search: &str,
) -> Vec<ExperimentRow> {
    let needle = search.trim().to_lowercase();
    let mut rows: Vec<ExperimentRow> = t
        .experiments()
        .filter(|e| e.lifecycle_stage == stage)
        .filter(|e| needle.is_empty() || e.name.to_lowercase().contains(&needle))
        .map(|e| {
            let (runs, last_run) = counts.get(&e.experiment_id);
            let last = e.last_update_time.unwrap_or(0).max(last_run);
            ExperimentRow {
                id: e.experiment_id.clone(),
                name: e.name.clone(),
                runs,
                last_activity: (last > 0).then_some(last),
            }
        })
        .collect();
    rows.sort_by(|a, b| {
        b.last_activity
            .cmp(&a.last_activity)
            .then(a.name.cmp(&b.name))
    });
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::tracking::NewRun;

    fn run(t: &mut Tracker, exp: &str, at: i64) -> String {
        let new = NewRun {
            experiment_id: Some(exp.into()),
            ..Default::default()
        };
        t.create_run(new, at).unwrap()
    }

    #[test]
    fn a_fresh_store_is_pristine_until_something_is_logged() {
        let mut t = Tracker::load(vec![], vec![], 1, 10);
        assert!(RunCounts::of(&t, LifecycleStage::Active).pristine);
        run(&mut t, "0", 20);
        assert!(!RunCounts::of(&t, LifecycleStage::Active).pristine);
    }

    #[test]
    fn counts_follow_the_lifecycle_view() {
        let mut t = Tracker::load(vec![], vec![], 1, 10);
        let exp = t
            .create_experiment("e", None, Default::default(), 10)
            .unwrap();
        run(&mut t, &exp, 100);
        let gone = run(&mut t, &exp, 300);
        t.delete_run(&gone, 400).unwrap();
        let active = RunCounts::of(&t, LifecycleStage::Active);
        assert_eq!(active.get(&exp), (1, 100));
        let all = RunCounts::of(&t, LifecycleStage::Deleted);
        assert_eq!(all.get(&exp), (2, 300));
        assert_eq!(active.get("404"), (0, 0));
    }

    #[test]
    fn rows_match_the_name_in_any_case_newest_activity_first() {
        let mut t = Tracker::load(vec![], vec![], 1, 10);
        let mnist = t
            .create_experiment("MNIST sweep", None, Default::default(), 20)
            .unwrap();
        t.create_experiment("cifar", None, Default::default(), 30)
            .unwrap();
        run(&mut t, &mnist, 500);
        let gone = t
            .create_experiment("old mnist", None, Default::default(), 40)
            .unwrap();
        t.delete_experiment(&gone, 50).unwrap();
        let counts = RunCounts::of(&t, LifecycleStage::Active);
        let rows = experiment_rows(&t, &counts, LifecycleStage::Active, "");
        let names: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["MNIST sweep", "cifar", "Default"]);
        assert_eq!((rows[0].runs, rows[0].last_activity), (1, Some(500)));
        let found = experiment_rows(&t, &counts, LifecycleStage::Active, "  mnist ");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].id, mnist);
        let deleted = experiment_rows(&t, &counts, LifecycleStage::Deleted, "MNIST");
        assert_eq!(
            deleted.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
            [gone.as_str()]
        );
        assert!(experiment_rows(&t, &counts, LifecycleStage::Active, "imagenet").is_empty());
    }
}
