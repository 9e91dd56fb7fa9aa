//! Where an MLflow SQLite store is in what a person gave: `mlflow.db` (and its
//! `-wal`) and the files beside it, from one archive, a bare database, or several
//! dropped files and folders.

use crate::core::interchange::mlruns::archive::children;
use crate::core::interchange::mlruns::{
    find_store_prefix, read_entries, ArchiveLimits, FileTree, ImportError, ImportErrorKind,
};

/// What every SQLite 3 database file starts with.
const MAGIC: &[u8; 16] = b"SQLite format 3\0";
/// What a rollback journal with an unfinished transaction starts with.
const JOURNAL_MAGIC: [u8; 8] = [0xd9, 0xd5, 0x05, 0xf9, 0x20, 0xa1, 0x63, 0xd7];
/// The name MLflow gives its database (`sqlite:///mlflow.db`).
pub const DB_NAME: &str = "mlflow.db";

/// Whether `bytes` are a SQLite 3 database file (by its header, not its name).
pub fn is_sqlite(bytes: &[u8]) -> bool {
    bytes.starts_with(MAGIC)
}

/// Whether `bytes` begin as a SQLite write-ahead log (`<db>-wal`) does.
fn is_wal(bytes: &[u8]) -> bool {
    matches!(bytes, [0x37, 0x7f, 0x06, 0x82 | 0x83, ..])
}

/// An MLflow SQLite store as uploaded: the database and what lay beside it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DbUpload {
    /// The database as the upload names it (`mlflow.db`, `store/mlflow.db`).
    pub db_name: String,
    /// The database file.
    pub db: Vec<u8>,
    /// Its write-ahead log, when one came with it.
    pub wal: Option<Vec<u8>>,
    /// Files and folders beside the database, by path relative to its folder: the
    /// artifact folder (`mlruns/`, `mlartifacts/`) among them.
    pub beside: FileTree,
    /// Entries outside the database's folder, which are not imported.
    pub outside: Vec<String>,
    /// Whether anything but the database came (`false` for a bare `.db`).
    pub with_files: bool,
}

impl DbUpload {
    /// A bare database file.
    pub fn bare(db: Vec<u8>) -> DbUpload {
        DbUpload {
            db_name: DB_NAME.into(),
            db,
            ..DbUpload::default()
        }
    }

    /// The store in an archive's entries whose database is at `db_path`.
    fn from_tree(mut tree: FileTree, db_path: &str) -> Result<DbUpload, ImportError> {
        let db = tree.files.remove(db_path).unwrap_or_default();
        if !is_sqlite(&db) {
            return Err(ImportError::at(
                ImportErrorKind::NotAStore,
                db_path,
                "not a SQLite 3 database (it does not start with \"SQLite format 3\"); MLflow \
                 would fail with \"file is not a database\"",
            ));
        }
        let wal = tree.files.remove(&format!("{db_path}-wal"));
        tree.files.remove(&format!("{db_path}-shm")); // an index of the WAL, rebuilt by readers
        if let Some(journal) = tree.files.remove(&format!("{db_path}-journal")) {
            refuse_hot_journal(db_path, &journal)?;
        }
        let folder = match db_path.rfind('/') {
            Some(i) => &db_path[..=i],
            None => "",
        };
        let mut upload = DbUpload {
            db_name: db_path.to_owned(),
            db,
            wal,
            ..DbUpload::default()
        };
        for (path, data) in tree.files {
            match path.strip_prefix(folder) {
                Some(rel) => {
                    upload.beside.files.insert(rel.to_owned(), data);
                }
                None => upload.outside.push(path),
            }
        }
        for dir in tree.dirs {
            match dir.strip_prefix(folder) {
                Some(rel) => {
                    upload.beside.dirs.insert(rel.to_owned());
                }
                None if folder.starts_with(&format!("{dir}/")) => {}
                None => upload.outside.push(format!("{dir}/")),
            }
        }
        upload.with_files = true;
        Ok(upload)
    }

    /// The store among several dropped or picked parts: `(path, bytes)` with paths as
    /// given (`mlflow.db`, `mlruns/1/<run>/artifacts/a.txt` from a dropped folder,
    /// `mlruns.zip`). Exactly one part is a SQLite database; `<it>-wal` is its WAL;
    /// archives given as such (not found inside a folder, where they are artifacts) are
    /// opened and their entries taken as files beside it.
    pub fn from_parts(
        parts: Vec<(String, Vec<u8>)>,
        limits: &ArchiveLimits,
    ) -> Result<DbUpload, ImportError> {
        let dbs: Vec<&str> = (parts.iter())
            .filter(|(_, b)| is_sqlite(b))
            .map(|(p, _)| p.as_str())
            .collect();
        let db_path = match dbs.as_slice() {
            [one] => one.to_string(),
            [] => {
                return Err(ImportError::new(
                    ImportErrorKind::NotAStore,
                    "none of the files is a SQLite database: give mlflow.db with its artifact \
                     folder, or one .zip / .tar.gz of an MLflow store",
                ))
            }
            many => {
                return Err(ImportError::new(
                    ImportErrorKind::NotAStore,
                    format!(
                        "{} SQLite databases were given ({}); import one store at a time",
                        many.len(),
                        many.join(", ")
                    ),
                ))
            }
        };
        let mut tree = FileTree::default();
        let add = |tree: &mut FileTree, path: String, data: Vec<u8>| {
            if tree.files.insert(path.clone(), data).is_some() {
                return Err(ImportError::at(
                    ImportErrorKind::UnsafeEntry,
                    path,
                    "given twice (as a file and inside an archive, or in two archives)",
                ));
            }
            Ok(())
        };
        for (path, data) in parts {
            if path != db_path && !path.contains('/') && is_archive(&data) {
                let inner = read_entries(&data, limits).map_err(|e| ImportError {
                    detail: format!("{path}: {}", e.detail),
                    ..e
                })?;
                for (p, d) in inner.files {
                    add(&mut tree, p, d)?;
                }
                tree.dirs.extend(inner.dirs);
            } else {
                add(&mut tree, path, data)?;
            }
        }
        DbUpload::from_tree(tree, &db_path)
    }
}

/// Whether `data` looks like a zip, tar.gz or tar archive.
fn is_archive(data: &[u8]) -> bool {
    data.starts_with(b"PK\x03\x04")
        || data.starts_with(b"PK\x05\x06")
        || data.starts_with(&[0x1f, 0x8b])
        || data.get(257..262) == Some(&b"ustar"[..])
}

/// A rollback journal left by a write that did not finish: the database may hold half
/// of it. SQLite rolls it back when it next opens the file; we cannot, so we refuse.
fn refuse_hot_journal(db_path: &str, journal: &[u8]) -> Result<(), ImportError> {
    if journal.starts_with(&JOURNAL_MAGIC) {
        return Err(ImportError::at(
            ImportErrorKind::Corrupt,
            format!("{db_path}-journal"),
            "a rollback journal of a write that did not finish (MLflow was writing when the \
             files were copied), so the database may be half-written. Open the store once \
             with MLflow or the sqlite3 shell, which rolls the write back, then import again",
        ));
    }
    Ok(())
}

/// Where the database is in an archive's entries, found as the oracle finds it: a file
/// named `mlflow.db` at the root or down single folders (up to three levels), else the
/// one `*.db` / `*.sqlite` / `*.sqlite3` there holding a SQLite database when the
/// archive is not an `mlruns` store.
fn find_db(tree: &FileTree) -> Option<String> {
    let mut dir = String::new();
    for _ in 0..3 {
        let kids: Vec<(&str, bool)> = children(tree, &dir)
            .into_iter()
            .filter(|(n, _)| !n.starts_with("__MACOSX"))
            .collect();
        if kids.contains(&(DB_NAME, false)) {
            return Some(format!("{dir}{DB_NAME}"));
        }
        let dbs: Vec<&str> = (kids.iter())
            .filter(|(n, is_dir)| {
                !is_dir
                    && [".db", ".sqlite", ".sqlite3"]
                        .iter()
                        .any(|e| n.ends_with(e))
            })
            .map(|(n, _)| *n)
            .collect();
        if let [one] = dbs.as_slice() {
            let path = format!("{dir}{one}");
            let sqlite = tree.files.get(&path).is_some_and(|b| is_sqlite(b));
            return (sqlite && find_store_prefix(tree).is_none()).then_some(path);
        }
        match kids.as_slice() {
            [(only, true)] if dbs.is_empty() => dir = format!("{dir}{only}/"),
            _ => break,
        }
    }
    None
}

/// What an uploaded archive (or file) holds.
pub enum Opened {
    /// An `mlruns` file store, re-rooted (see [`crate::core::interchange::mlruns::locate_store`]).
    Mlruns(FileTree),
    /// An MLflow SQLite store.
    Db(DbUpload),
}

/// Opens one uploaded file: a bare SQLite database, or a zip / tar / tar.gz holding an
/// `mlflow.db` store or an `mlruns` store.
pub fn open_upload(bytes: &[u8], limits: &ArchiveLimits) -> Result<Opened, ImportError> {
    if is_sqlite(bytes) {
        return Ok(Opened::Db(DbUpload::bare(bytes.to_vec())));
    }
    if is_wal(bytes) {
        return Err(ImportError::at(
            ImportErrorKind::NotAStore,
            format!("{DB_NAME}-wal"),
            "a SQLite write-ahead log without its database: import mlflow.db and \
             mlflow.db-wal together (both files picked, or a zip of both)",
        ));
    }
    let tree = read_entries(bytes, limits)?;
    match find_db(&tree) {
        Some(path) => DbUpload::from_tree(tree, &path).map(Opened::Db),
        None => Ok(Opened::Mlruns(tree)),
    }
}

/// Opens what a person picked or dropped: one file as [`open_upload`] opens it;
/// several as an SQLite store ([`DbUpload::from_parts`]) when one is a database, else
/// as the files of an `mlruns` store (a dropped `mlruns/` folder).
pub fn open_parts(
    mut parts: Vec<(String, Vec<u8>)>,
    limits: &ArchiveLimits,
) -> Result<Opened, ImportError> {
    if parts.len() == 1 {
        let (_, bytes) = parts.remove(0);
        return open_upload(&bytes, limits);
    }
    if parts.iter().any(|(_, b)| is_sqlite(b)) {
        return DbUpload::from_parts(parts, limits).map(Opened::Db);
    }
    let mut tree = FileTree::default();
    for (path, data) in parts {
        if !path.contains('/') && is_archive(&data) {
            return Err(ImportError::at(
                ImportErrorKind::NotAStore,
                path,
                "an archive among other files: drop one archive of a store, or mlflow.db with \
                 its artifact folder",
            ));
        }
        tree.files.insert(path, data);
    }
    Ok(Opened::Mlruns(tree))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wal_alone_is_refused_by_name() {
        let wal = [0x37, 0x7f, 0x06, 0x82, 0, 0x2d, 0xe2, 0x18];
        let Err(e) = open_upload(&wal, &ArchiveLimits::default()) else {
            panic!("a bare WAL opened")
        };
        assert_eq!(e.kind, ImportErrorKind::NotAStore);
        assert!(
            e.to_string()
                .starts_with("mlflow.db-wal: a SQLite write-ahead log without its database"),
            "{e}"
        );
    }

    fn tree(files: &[(&str, &[u8])]) -> FileTree {
        FileTree {
            files: files
                .iter()
                .map(|(p, d)| (p.to_string(), d.to_vec()))
                .collect(),
            ..FileTree::default()
        }
    }

    const DB: &[u8] = b"SQLite format 3\0rest";

    #[test]
    fn the_database_is_found_where_the_oracle_finds_it() {
        let t = tree(&[
            ("store/mlflow.db", DB),
            ("store/mlruns/1/r/artifacts/a", b"x"),
        ]);
        assert_eq!(find_db(&t).as_deref(), Some("store/mlflow.db"));
        let other = tree(&[("tracking.db", DB), ("mlruns/1/r/artifacts/a", b"x")]);
        assert_eq!(find_db(&other).as_deref(), Some("tracking.db"));
        // An mlruns store with some other SQLite file beside it stays an mlruns store.
        let mlruns = tree(&[("mlruns/0/meta.yaml", b"name: x"), ("cache.db", DB)]);
        assert_eq!(find_db(&mlruns), None);
        let not_sqlite = tree(&[("notes.db", b"hello")]);
        assert_eq!(find_db(&not_sqlite), None);
    }

    #[test]
    fn side_files_and_outside_entries_are_sorted_out() {
        let t = tree(&[
            ("s/mlflow.db", DB),
            ("s/mlflow.db-wal", b"wal"),
            ("s/mlflow.db-shm", b"shm"),
            ("s/mlruns/1/r/artifacts/a", b"x"),
            ("README", b"hi"),
        ]);
        let u = DbUpload::from_tree(t, "s/mlflow.db").unwrap();
        assert_eq!(u.wal.as_deref(), Some(&b"wal"[..]));
        assert_eq!(
            u.beside.files.keys().collect::<Vec<_>>(),
            ["mlruns/1/r/artifacts/a"]
        );
        assert_eq!(u.outside, ["README"]);
        let mut hot = JOURNAL_MAGIC.to_vec();
        hot.extend_from_slice(&[0; 20]);
        let j = tree(&[("mlflow.db", DB), ("mlflow.db-journal", &hot)]);
        let e = DbUpload::from_tree(j, "mlflow.db").unwrap_err();
        assert!(e.to_string().contains("did not finish"), "{e}");
        let cold = tree(&[("mlflow.db", DB), ("mlflow.db-journal", &[0; 28])]);
        assert!(
            DbUpload::from_tree(cold, "mlflow.db").is_ok(),
            "a zeroed journal is not hot"
        );
        let bad = tree(&[("mlflow.db", b"PK not sqlite")]);
        let e = DbUpload::from_tree(bad, "mlflow.db").unwrap_err();
        assert!(e.to_string().contains("not a SQLite 3 database"), "{e}");
    }

    #[test]
    fn parts_need_exactly_one_database() {
        let limits = ArchiveLimits::default();
        let parts = |list: &[(&str, &[u8])]| {
            list.iter()
                .map(|(p, d)| (p.to_string(), d.to_vec()))
                .collect::<Vec<_>>()
        };
        let ok = DbUpload::from_parts(
            parts(&[
                ("mlflow.db", DB),
                ("mlruns/1/r/artifacts/a", b"x"),
                ("mlflow.db-wal", b"w"),
            ]),
            &limits,
        )
        .unwrap();
        assert!(ok.with_files && ok.wal.is_some());
        let none = DbUpload::from_parts(parts(&[("a.txt", b"x")]), &limits).unwrap_err();
        assert!(none.to_string().contains("none of the files"), "{none}");
        let two = DbUpload::from_parts(parts(&[("a.db", DB), ("b.db", DB)]), &limits).unwrap_err();
        assert!(two.to_string().contains("a.db, b.db"), "{two}");
    }
}
