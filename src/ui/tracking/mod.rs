//! Experiment tracking: the experiments list, one experiment's runs, one run, and
//! runs compared. Each route's module owns its private parts.

mod compare;
mod experiments;
mod run;
mod runs;

pub use compare::CompareRuns;
pub use experiments::Experiments;
pub use run::RunPage;
pub use runs::ExperimentRuns;
