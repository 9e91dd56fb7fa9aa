//! Experiment tracking: the experiments list, one experiment's runs and its logged
//! models (two tabs), one run, and runs compared. Each route's module owns its
//! private parts; the runs table and the run summary are also what the notebook views
//! show (`ui::embed`).

mod compare;
mod experiments;
mod models;
mod run;
mod runs;
mod tabs;

pub use compare::CompareRuns;
pub use experiments::Experiments;
pub use models::ExperimentModels;
pub use run::{RunPage, RunSummary};
pub use runs::{ExperimentRuns, RunsOfExperiment};
