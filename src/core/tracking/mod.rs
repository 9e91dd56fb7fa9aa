//! MLflow Tracking: experiments, runs, params, tags, metrics and artifacts, with
//! MLflow's rules, as a pure model the browser service persists.
//!
//! Rooms: `model` (the entities), `rules` (MLflow's validation), `records` (records and
//! how a change applies to them), `change` (the journal of changes), `metric_log`
//! (queued points and how they append to stored series), `flush` (merging a batch into
//! the records as stored), `tracker` (one writer's view), `queries` (search), `error`.

pub mod artifacts;
pub mod change;
pub mod codec;
pub mod error;
pub mod flush;
pub mod metric_log;
pub mod model;
pub mod queries;
pub mod records;
pub mod rules;
#[cfg(test)]
pub mod test_runs;
mod tracker;

pub use change::{Change, Entry, Needs, OnExisting, Outcome, Ticket};
pub use error::{invalid, ErrorCode, Result, TrackingError};
pub use flush::{FlushBatch, Merged, RefusedPoints, Tails};
pub use records::{Records, StoredRun, DEFAULT_EXPERIMENT_ID};
pub use tracker::{
    default_artifact_location, NewLoggedModel, NewRun, NewVersion, RunSource, Stored, Tracker,
};
