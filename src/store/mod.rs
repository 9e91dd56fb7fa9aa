//! The only code that knows IndexedDB (rexie, plus raw web-sys where rexie has no
//! door: the open request's `blocked`/`upgradeneeded` and the connection's
//! `versionchange`).
//!
//! Schema (database `ferroflow`, one object store each, out-of-line keys):
//! - `meta`: `"schema"` → the data-format version the records were written in;
//! - `experiments`: experiment id → the `Experiment` as JSON text;
//! - `runs`: run id → the `StoredRun` (info, params, tags, latest metrics, where each
//!   history is, short histories inline) as JSON text;
//! - `metric_chunks`: `[run id, key, seq]` → a `Uint8Array` of up to 16,384 points
//!   (`core::tracking::metric_log::encode_chunk`);
//! - `artifacts`: `[run id, path]` → the file's bytes as a `Uint8Array`;
//! - `artifact_index`: `[run id, path]` → the file's size, so listings never read
//!   the bytes;
//! - `extra_files`: root-relative path → bytes of imported files Ferroflow does not
//!   model (datasets, run inputs/outputs, traces), exported back as they came;
//! - `logged_models`: model id → the `LoggedModel` as JSON text (its files are in
//!   `artifacts` under `[model id, path]`);
//! - `registered_models`: name → the `RegisteredModel` with its versions, tags and
//!   aliases as JSON text.
//!
//! Rooms: `schema` (versions, opening, upgrades, migrations, the connection's
//! lifecycle), `read` (loading records, histories, artifacts), `write` (a flush's
//! read-modify-write transaction, and whole-record batches for imports and files).

mod read;
mod schema;
mod write;

use std::cell::Cell;
use std::rc::Rc;

use rexie::Rexie;
use wasm_bindgen::JsValue;

use crate::core::error::ErrorCode;

pub use schema::{StoreEvent, IDB_VERSION, MIGRATIONS, SCHEMA_VERSION};
pub use write::Batch;

const META: &str = "meta";
const EXPERIMENTS: &str = "experiments";
const RUNS: &str = "runs";
const CHUNKS: &str = "metric_chunks";
const ARTIFACTS: &str = "artifacts";
const EXTRA: &str = "extra_files";
const ARTIFACT_INDEX: &str = "artifact_index";
const LOGGED_MODELS: &str = "logged_models";
const REGISTERED_MODELS: &str = "registered_models";
const ALL_STORES: [&str; 9] = [
    META,
    EXPERIMENTS,
    RUNS,
    CHUNKS,
    ARTIFACTS,
    EXTRA,
    ARTIFACT_INDEX,
    LOGGED_MODELS,
    REGISTERED_MODELS,
];
/// What a flush's transaction spans: every record kind a change can touch.
const RECORD_STORES: [&str; 5] = [EXPERIMENTS, RUNS, CHUNKS, LOGGED_MODELS, REGISTERED_MODELS];

/// What kind of storage failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreErrorKind {
    /// The browser refused a write for lack of space (nothing of it was saved).
    Full,
    /// This tab's connection was closed: another tab opened a newer Ferroflow.
    Closed,
    /// The database was written by a newer Ferroflow.
    Newer,
    /// Anything else IndexedDB reported.
    Failed,
}

/// A storage failure, with a message a person can act on.
#[derive(Debug, Clone)]
pub struct StoreError {
    /// What kind.
    pub kind: StoreErrorKind,
    /// What happened and what to do.
    pub message: String,
}

impl StoreError {
    fn failed(message: impl Into<String>) -> Self {
        StoreError {
            kind: StoreErrorKind::Failed,
            message: message.into(),
        }
    }

    /// MLflow's code for it.
    pub fn code(&self) -> ErrorCode {
        match self.kind {
            StoreErrorKind::Full => ErrorCode::ResourceExhausted,
            StoreErrorKind::Closed => ErrorCode::TemporarilyUnavailable,
            StoreErrorKind::Newer | StoreErrorKind::Failed => ErrorCode::InternalError,
        }
    }
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for StoreError {}

impl From<rexie::Error> for StoreError {
    fn from(e: rexie::Error) -> Self {
        StoreError::failed(format!("IndexedDB: {e}"))
    }
}

type Result<T> = std::result::Result<T, StoreError>;

/// An open Ferroflow database.
pub struct Db {
    rexie: Rexie,
    /// Set once another tab's upgrade closed this connection.
    closed: Rc<Cell<bool>>,
    /// Our own connection, which hears `versionchange` (rexie's closes silently).
    watcher: web_sys::IdbDatabase,
}

impl Db {
    /// The error for a request on a closed connection, if it is closed.
    fn check_open(&self) -> Result<()> {
        if self.closed.get() {
            return Err(closed_error());
        }
        Ok(())
    }

    /// Starts a transaction over `stores`.
    fn transaction(
        &self,
        stores: &[&str],
        mode: rexie::TransactionMode,
    ) -> Result<rexie::Transaction> {
        self.check_open()?;
        self.rexie.transaction(stores, mode).map_err(|e| {
            if self.closed.get() {
                closed_error()
            } else {
                e.into()
            }
        })
    }

    /// Deletes the database (tests and "reset").
    pub async fn delete(name: &str) -> Result<()> {
        Rexie::delete(name).await.map_err(Into::into)
    }

    /// Closes the connection.
    pub fn close(self) {
        self.watcher.close();
        self.rexie.close();
    }
}

fn closed_error() -> StoreError {
    StoreError {
        kind: StoreErrorKind::Closed,
        message: "Ferroflow was updated in another tab and this tab's connection to the \
                  browser store is closed: reload this page to keep working."
            .into(),
    }
}

/// The page's or worker's global object.
fn global() -> JsValue {
    js_sys::global().into()
}
