//! MLflow Tracking: experiments, runs, params, tags, metrics and artifacts, with
//! MLflow's rules, as a pure in-memory model the browser service persists.

pub mod artifacts;
pub mod metric_log;
pub mod model;
pub mod queries;
pub mod rules;
mod tracker;

pub use tracker::*;
