//! MLflow's SQLite store (`mlflow.db`, the default of MLflow ≥ 3.7) into a
//! [`Snapshot`], the same one the `mlruns` importer produces, so everything after it
//! (the browser store, `mlruns` export) is unchanged.
//!
//! Two stages. [`open_upload`] / [`DbUpload::from_parts`] find the database (and its
//! `-wal`) and the files beside it in what was given. The database's tables are read by
//! the `sqlite-reader` crate — in the browser its own wasm module, loaded only for a
//! `.db` — whose answer is the `wire` encoding of the [`TABLES`] the database has;
//! [`snapshot`] maps those rows onto MLflow's entities as `SqlAlchemyStore` reads
//! them, and the artifact URIs onto the upload's files (`artifacts`).
//!
//! Any 2.x/3.x schema reads: tables and columns are looked up by name (`rows`), a
//! missing table is empty, a missing column is absent (its MLflow default), and only
//! the columns every version has are required. NaN comes from `is_nan`; ±inf were
//! stored as ±`f64::MAX` and read back as that number, as MLflow reads them.

mod artifacts;
mod models;
mod rows;
mod tracking;
mod upload;

use std::collections::HashMap;

use sqlite_reader::wire::{self, Bundle};

use crate::core::interchange::mlruns::{FileTree, ImportError, ImportErrorKind};
use crate::core::interchange::Snapshot;

pub use upload::{is_sqlite, open_parts, open_upload, DbUpload, Opened, DB_NAME};

/// The tables the mapping reads.
pub const TABLES: [&str; 19] = [
    "experiments",
    "experiment_tags",
    "runs",
    "params",
    "tags",
    "metrics",
    "latest_metrics",
    "datasets",
    "inputs",
    "input_tags",
    "logged_models",
    "logged_model_params",
    "logged_model_tags",
    "logged_model_metrics",
    "registered_models",
    "registered_model_tags",
    "registered_model_aliases",
    "model_versions",
    "model_version_tags",
];

/// How many skipped entries are named one by one in the warnings.
const NAMED: usize = 10;

/// One import in progress.
struct Import<'b> {
    bundle: &'b Bundle,
    /// The database's name in the upload, for messages.
    db: &'b str,
    /// Files beside the database not yet claimed by a run or model.
    beside: FileTree,
    with_files: bool,
    roots: artifacts::Roots,
    snap: Snapshot,
    /// Experiment id → (its folder in the store, its recorded artifact location).
    locations: HashMap<String, (String, String)>,
    /// Run id → its experiment's folder in the store.
    run_locations: HashMap<String, String>,
    /// Artifact URIs whose files are not in the upload.
    elsewhere: Vec<String>,
    /// What could not be held, one line each.
    skipped: Vec<String>,
    /// Tags stored as NULL (read as empty text).
    null_values: usize,
}

impl Import<'_> {
    fn skipped(&mut self, what: String, why: String) {
        self.skipped.push(format!("{what}: {why}"));
    }
}

/// The reader module's answer (see `sqlite_reader::wire`) as a snapshot of `upload`.
/// A database the reader refused is refused here with its words ("database disk image
/// is malformed: …"), naming the file.
pub fn snapshot_from_answer(upload: DbUpload, answer: &[u8]) -> Result<Snapshot, ImportError> {
    match wire::decode(answer) {
        Ok(bundle) => snapshot(upload, bundle),
        Err(f) => Err(ImportError::at(
            if f.corrupt {
                ImportErrorKind::Corrupt
            } else {
                ImportErrorKind::Invalid
            },
            upload.db_name,
            format!("{}; nothing was imported", f.message),
        )),
    }
}

/// Maps the tables of `upload`'s database onto a snapshot.
pub fn snapshot(upload: DbUpload, bundle: Bundle) -> Result<Snapshot, ImportError> {
    let DbUpload {
        db_name,
        beside,
        outside,
        with_files,
        ..
    } = upload;
    let mut imp = Import {
        bundle: &bundle,
        db: &db_name,
        beside,
        with_files,
        roots: artifacts::Roots::learn(std::iter::empty(), &FileTree::default()),
        snap: Snapshot::default(),
        locations: HashMap::new(),
        run_locations: HashMap::new(),
        elsewhere: Vec::new(),
        skipped: Vec::new(),
        null_values: 0,
    };
    tracking::read_experiments(&mut imp)?;
    let recorded: Vec<(String, String)> = (imp.locations.iter())
        .map(|(id, (_, location))| (id.clone(), location.clone()))
        .collect();
    imp.roots = artifacts::Roots::learn(
        recorded.iter().map(|(i, l)| (i.as_str(), l.as_str())),
        &imp.beside,
    );
    tracking::read_runs(&mut imp)?;
    tracking::read_inputs(&mut imp)?;
    models::read_logged_models(&mut imp)?;
    models::read_registry(&mut imp)?;
    let mut snap = finish(imp, &outside);
    for note in &bundle.notes {
        snap.warnings.push(format!("{db_name}: {note}."));
    }
    Ok(snap)
}

/// Sorts the snapshot as the `mlruns` reader does and says what was left out.
fn finish(imp: Import<'_>, outside: &[String]) -> Snapshot {
    let Import {
        db,
        beside,
        with_files,
        mut snap,
        elsewhere,
        skipped,
        null_values,
        ..
    } = imp;
    snap.experiments
        .sort_by(|a, b| a.experiment_id.cmp(&b.experiment_id));
    snap.runs.sort_by(|a, b| {
        let key = |r: &crate::core::interchange::RunRecord| {
            (r.run.info.experiment_id.clone(), r.run.info.run_id.clone())
        };
        key(a).cmp(&key(b))
    });
    snap.logged_models.sort_by(|a, b| {
        (&a.model.experiment_id, &a.model.model_id)
            .cmp(&(&b.model.experiment_id, &b.model.model_id))
    });
    let w = &mut snap.warnings;
    if !with_files {
        // First: the one thing a person must hear about a bare database.
        w.insert(
            0,
            format!(
                "Only the database was imported: artifact files live beside {db} (in mlruns/, or \
             mlartifacts/ for mlflow server) and were not given, so runs and models show no \
             artifacts. Import a zip of {db} with that folder to bring them."
            ),
        );
    } else if let Some(first) = elsewhere.first() {
        w.push(format!(
            "{} artifact locations recorded in {db} are not in the upload (e.g. '{first}'); \
             their artifacts were not imported.",
            elsewhere.len()
        ));
    }
    if let Some(first) = beside.files.keys().next() {
        w.push(format!(
            "{} files beside {db} belong to no run or logged model of the database (e.g. \
             '{first}'); they were not imported.",
            beside.files.len()
        ));
    }
    if let Some(first) = outside.first() {
        w.push(format!(
            "{} archive entries outside the folder of {db} were not imported (e.g. '{first}').",
            outside.len()
        ));
    }
    for line in skipped.iter().take(NAMED) {
        w.push(format!(
            "Not imported, as an mlruns store cannot hold it: {line}."
        ));
    }
    if skipped.len() > NAMED {
        w.push(format!(
            "… and {} more entries not imported for the same reasons.",
            skipped.len() - NAMED
        ));
    }
    if null_values > 0 {
        w.push(format!(
            "{null_values} tags or params stored as NULL were imported as empty text."
        ));
    }
    snap
}
