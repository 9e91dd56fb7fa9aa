//! What an mlruns store becomes in memory: the entities we model, plus every file we
//! do not model kept byte for byte so an export writes it back unchanged.

use std::collections::{BTreeMap, BTreeSet};

use crate::core::models::LoggedModel;
use crate::core::registry::RegisteredModel;
use crate::core::tracking::model::{Experiment, ExperimentId, MetricPoint, Run, RunId};

/// A run with everything the file store holds for it.
#[derive(Clone, Debug, PartialEq)]
pub struct RunRecord {
    /// Info, params, tags and the latest value of each metric.
    pub run: Run,
    /// Every logged point of every metric, in file (logging) order.
    pub history: BTreeMap<String, Vec<MetricPoint>>,
    /// Artifact bytes by path relative to the run's `artifacts/` folder.
    pub artifacts: BTreeMap<String, Vec<u8>>,
}

/// A logged model (MLflow 3) with its files.
#[derive(Clone, Debug, PartialEq)]
pub struct LoggedModelRecord {
    /// The model, its params, tags and metrics.
    pub model: LoggedModel,
    /// File bytes by path relative to the model's `artifacts/` folder.
    pub artifacts: BTreeMap<String, Vec<u8>>,
}

/// A whole store (or the part of one chosen for export).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Snapshot {
    /// Active and deleted experiments.
    pub experiments: Vec<Experiment>,
    /// Every run of those experiments.
    pub runs: Vec<RunRecord>,
    /// Logged models (MLflow 3 `<exp>/models/m-…/`) with their files.
    pub logged_models: Vec<LoggedModelRecord>,
    /// The model registry (`models/<name>/`): models with versions, tags, aliases.
    pub registered_models: Vec<RegisteredModel>,
    /// Files we do not model (run `inputs/` and `outputs/`, `<exp>/datasets/`,
    /// `<exp>/traces/`, unknown files, also inside model folders, and model folders
    /// MLflow reads but we cannot hold exactly), by store-relative path as found on
    /// import. A kept file inside a model folder is exported with its model, and not
    /// once the model is gone.
    pub extra_files: BTreeMap<String, Vec<u8>>,
    /// Empty directories we do not model (an empty artifact folder, …), by
    /// store-relative path.
    pub extra_dirs: BTreeSet<String>,
    /// What the import skipped or changed, one sentence each.
    pub warnings: Vec<String>,
}

/// Counts shown to a person after an import.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Experiments, active and deleted.
    pub experiments: usize,
    /// Runs, active and deleted.
    pub runs: usize,
    /// Metric points over all runs and keys.
    pub metric_points: usize,
    /// Artifact files over all runs.
    pub artifacts: usize,
    /// Registered models read into entities (not those kept only as files).
    pub registered_models: usize,
    /// Warnings raised while importing.
    pub warnings: usize,
}

impl Snapshot {
    /// Counts of what the snapshot holds.
    pub fn summary(&self) -> Summary {
        Summary {
            experiments: self.experiments.len(),
            runs: self.runs.len(),
            metric_points: self
                .runs
                .iter()
                .flat_map(|r| r.history.values())
                .map(Vec::len)
                .sum(),
            artifacts: self.runs.iter().map(|r| r.artifacts.len()).sum(),
            registered_models: self.registered_models.len(),
            warnings: self.warnings.len(),
        }
    }
}

/// Which part of a snapshot to export.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Selection {
    /// Everything, including the model registry and unknown root files.
    #[default]
    All,
    /// These experiments with all their runs and logged models, plus these runs
    /// (each with its experiment's metadata and the logged models it made). Registry
    /// and root files are left out.
    Some {
        /// Experiments exported whole.
        experiment_ids: BTreeSet<ExperimentId>,
        /// Single runs exported with their experiment's `meta.yaml` and tags.
        run_ids: BTreeSet<RunId>,
    },
}

impl Selection {
    /// Whether this is [`Selection::All`].
    pub fn is_all(&self) -> bool {
        matches!(self, Selection::All)
    }
}
