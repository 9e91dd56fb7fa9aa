//! Whole stores in and out: every importer and exporter meets at [`Snapshot`], the
//! in-memory form of a store (entities we model plus every file we do not, byte for
//! byte). `mlruns` reads and writes MLflow's file store; later formats (`mlflow.db`,
//! a tracking server) produce and consume the same snapshot.

pub mod mirror;
pub mod mlruns;
mod snapshot;

pub use snapshot::{LoggedModelRecord, RunRecord, Selection, Snapshot, Summary};
