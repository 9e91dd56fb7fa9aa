//! Whole stores in and out: every importer and exporter meets at [`Snapshot`], the
//! in-memory form of a store (entities we model plus every file we do not, byte for
//! byte). `mlruns` reads and writes MLflow's file store; `mlflow_db` reads MLflow's
//! SQLite store into the same snapshot (a tracking server will too).

pub mod mirror;
pub mod mlflow_db;
pub mod mlruns;
mod snapshot;

pub use snapshot::{LoggedModelRecord, RunRecord, Selection, Snapshot, Summary};
