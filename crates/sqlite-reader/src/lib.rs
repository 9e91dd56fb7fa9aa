//! A read-only reader of SQLite 3 database files, written for one job: reading the
//! tables of an MLflow `mlflow.db` in the browser without shipping SQLite itself.
//!
//! It reads what a database file holds — the header, table b-trees, overflow chains,
//! records with their serial types, the schema's `CREATE TABLE` statements (column
//! names, declared types, `INTEGER PRIMARY KEY` rowid aliases, `DEFAULT`s of columns
//! added later by `ALTER TABLE`) — and a `-wal` file's committed frames on top. Values
//! come back as SQLite returns them: a `REAL` column's integral values (stored as
//! integers on disk) read as floats, a rowid alias reads as the rowid, a column a row
//! predates reads as its default.
//!
//! Architecture Invariant: a file that is not exactly a sound database is refused,
//! never half-read. [`Database::open`] checks the header against the file's size,
//! walks every b-tree, the freelist and the pointer-map pages, and requires every page
//! to be used exactly once (SQLite's own `integrity_check` rule), so a truncated or
//! damaged file fails with "database disk image is malformed" instead of yielding
//! fewer rows. Nothing here panics on any input (`#![forbid(unsafe_code)]`, every read
//! bounds-checked; a fuzz test flips and cuts bytes).
//!
//! Architecture Invariant: the crate is pure logic. The `wasm` feature adds one
//! wasm-bindgen function, `readTables`, whose answer is the [`wire`] encoding; the main
//! app decodes it with this crate built without the `reader` feature, so the reader
//! itself is in the lazily loaded module only.
//!
//! Not read: `WITHOUT ROWID` tables and tables with generated columns (refused by name
//! when asked for; MLflow has neither), and rollback journals (the caller decides what
//! a leftover `-journal` means).

#![warn(missing_docs)]
#![forbid(unsafe_code)]

mod value;
pub mod wire;

#[cfg(feature = "reader")]
mod btree;
#[cfg(feature = "reader")]
mod file;
#[cfg(feature = "reader")]
mod record;
#[cfg(feature = "reader")]
mod schema;
#[cfg(feature = "reader")]
mod wal;

#[cfg(all(feature = "wasm", target_arch = "wasm32"))]
mod wasm;

pub use value::{Table, Value};

#[cfg(feature = "reader")]
pub use file::{Database, Error, ErrorKind};
#[cfg(feature = "reader")]
pub use schema::{Affinity, Column, TableDef};

/// Reads the named tables (those the database has; the others are left out) into a
/// [`wire::Bundle`], with notes about the WAL.
#[cfg(feature = "reader")]
pub fn read_bundle(db: &[u8], wal: Option<&[u8]>, names: &[String]) -> Result<wire::Bundle, Error> {
    let database = Database::open(db, wal)?;
    let mut tables = Vec::new();
    for name in names {
        if database.has_table(name) {
            tables.push(database.read_table(name)?);
        }
    }
    Ok(wire::Bundle {
        tables,
        notes: database.notes().to_vec(),
    })
}

/// What the wasm module answers for `readTables(db, wal, names)`: the [`wire`]
/// encoding of [`read_bundle`]'s tables, or of its error.
#[cfg(feature = "reader")]
pub fn answer(db: &[u8], wal: Option<&[u8]>, names: &[String]) -> Vec<u8> {
    match read_bundle(db, wal, names) {
        Ok(bundle) => wire::encode(&bundle),
        Err(e) => wire::encode_failure(&wire::Failure {
            corrupt: e.kind != ErrorKind::Unsupported,
            message: e.to_string(),
        }),
    }
}
