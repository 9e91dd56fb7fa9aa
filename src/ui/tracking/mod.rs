//! Experiment tracking: the experiments list, one experiment's runs, one run, and
//! runs compared. Each route's module owns its private parts; the runs table and the
//! run summary are also what the notebook views show (`ui::embed`).

mod compare;
mod experiments;
mod run;
mod runs;

pub use compare::CompareRuns;
pub use experiments::Experiments;
pub use run::{RunPage, RunSummary};
pub use runs::{ExperimentRuns, RunsOfExperiment};
