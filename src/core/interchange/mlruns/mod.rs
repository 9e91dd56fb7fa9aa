//! MLflow's file store (`mlruns/`) in and out of memory: archives are read into a
//! [`Snapshot`] and snapshots are written back as archives real MLflow (2.x and 3.x)
//! reads without complaint. See `shared/mlruns/FORMAT.md` for the layout.
//!
//! Stages, each its own file: [`archive`] (bytes ↔ file tree, safely; the formats in
//! `zipfile` and `tarball`), [`read`] (file tree → snapshot, failing where MLflow
//! fails; logged models in `read_logged`, the registry in `read_registry`), `write`
//! (snapshot → file tree; models in `write_models`), and the encodings they share:
//! `yaml` (`meta.yaml`), `metrics` (metric files), [`pyfloat`] (Python's number
//! spelling). `migrate` reads models out of files older imports kept; [`inputs`]
//! writes run inputs and outputs for importers of other stores.

pub mod archive;
pub mod error;
pub mod inputs;
mod metrics;
mod migrate;
pub mod pyfloat;
pub mod read;
mod read_logged;
mod read_registry;
mod tarball;
mod tree;
mod write;
mod write_models;
mod yaml;
mod zipfile;

use crate::core::interchange::{Selection, Snapshot};
pub use archive::{
    find_store_prefix, locate_store, read_archive, read_entries, write_zip, ArchiveLimits, FileTree,
};
pub use error::{ImportError, ImportErrorKind};
pub use migrate::{models_from_kept_files, KeptModels};
pub use read::read_store;
pub use write::write_store;

/// Reads an archive (zip, tar or tar.gz) holding an MLflow store into a snapshot.
pub fn import_archive(bytes: &[u8], limits: &ArchiveLimits) -> Result<Snapshot, ImportError> {
    import_tree(read_entries(bytes, limits)?)
}

/// Reads an archive's entries (as [`read_entries`] gives them) holding an MLflow store.
pub fn import_tree(tree: FileTree) -> Result<Snapshot, ImportError> {
    let store = locate_store(tree)?;
    let mut snap = read_store(store.tree, &store.prefix)?;
    if let Some(first) = store.outside.first() {
        snap.warnings.push(format!(
            "{} archive entries outside the store folder were not imported (e.g. '{first}').",
            store.outside.len()
        ));
    }
    Ok(snap)
}

/// Writes the selected part of `snap` as a zip holding `mlruns/`.
pub fn export_zip(snap: &Snapshot, selection: &Selection) -> Vec<u8> {
    let layout = write::layout(snap, selection);
    archive::write_zip_from(
        layout.files.iter().map(|(p, d)| (p.as_str(), d.as_ref())),
        layout.dirs.iter().map(String::as_str),
    )
}
