//! Archives in and out: a `.zip`, `.tar` or `.tar.gz` (recognised by its bytes, not its
//! name) becomes an in-memory file tree rooted at the MLflow store; a file tree becomes
//! a reproducible zip.
//!
//! Reading is defensive: entries with `..`, absolute or drive paths (backslashes count
//! as separators), links, devices and duplicates are refused by name, and every byte
//! inflated is counted against [`ArchiveLimits`], so a small bomb fails early instead
//! of filling memory.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;

use super::error::{ImportError, ImportErrorKind};
use super::tarball::{is_tar_header, read_tar, read_tar_gz};
use super::zipfile::{self, ZipItem};

/// Caps on what one archive may expand to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ArchiveLimits {
    /// Most bytes all file entries together may inflate to.
    pub max_total_bytes: u64,
    /// Most entries (files and directories) an archive may hold.
    pub max_entries: u64,
}

impl Default for ArchiveLimits {
    /// 2 GiB and one million entries.
    fn default() -> Self {
        ArchiveLimits {
            max_total_bytes: 2 << 30,
            max_entries: 1_000_000,
        }
    }
}

/// Files and explicit directories, by `/`-separated relative path (no leading or
/// trailing `/`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FileTree {
    /// File contents by path.
    pub files: BTreeMap<String, Vec<u8>>,
    /// Directories that exist as entries of their own (empty ones matter: MLflow 3
    /// needs a run's empty `metrics/`, `params/` and `artifacts/`).
    pub dirs: BTreeSet<String>,
}

/// An archive read and re-rooted at the MLflow store it holds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StoreArchive {
    /// Where the store sits in the archive (`"mlruns/"`, or `""` for a bare store);
    /// prefix it to a store path to name the archive entry.
    pub prefix: String,
    /// The store's files, relative to the store root.
    pub tree: FileTree,
    /// Archive entries outside the store root, which are not imported.
    pub outside: Vec<String>,
}

/// Reads a zip, tar or tar.gz archive and locates the MLflow store inside it: `mlruns/`
/// (or any single top-level folder) at the root, or the store's contents directly.
pub fn read_archive(bytes: &[u8], limits: &ArchiveLimits) -> Result<StoreArchive, ImportError> {
    let tree = read_entries(bytes, limits)?;
    locate_store(tree)
}

/// Reads every entry of a zip, tar or tar.gz archive, with paths as in the archive.
pub fn read_entries(bytes: &[u8], limits: &ArchiveLimits) -> Result<FileTree, ImportError> {
    let mut out = Collector::new(limits);
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        zipfile::read_zip(bytes, &mut out)?;
    } else if bytes.starts_with(&[0x1f, 0x8b]) {
        read_tar_gz(bytes, &mut out)?;
    } else if is_tar_header(bytes) {
        read_tar(bytes, &mut out, "tar")?;
    } else {
        return Err(ImportError::new(
            ImportErrorKind::NotAnArchive,
            "not a zip, tar or tar.gz archive",
        ));
    }
    Ok(out.tree)
}

/// Writes `files` and `dirs` as a zip: UTF-8 names (flag set), deflate, an explicit
/// entry for every directory (so empty ones survive extraction), sorted by path so the
/// same tree always gives the same bytes.
pub fn write_zip(files: &BTreeMap<String, Vec<u8>>, dirs: &BTreeSet<String>) -> Vec<u8> {
    write_zip_from(
        files.iter().map(|(p, d)| (p.as_str(), d.as_slice())),
        dirs.iter().map(String::as_str),
    )
}

/// [`write_zip`] over borrowed entries (the exporter lends artifacts, never copies).
pub(super) fn write_zip_from<'a>(
    files: impl Iterator<Item = (&'a str, &'a [u8])>,
    dirs: impl Iterator<Item = &'a str>,
) -> Vec<u8> {
    let files: Vec<(&str, &[u8])> = files.collect();
    let mut all_dirs: BTreeSet<&str> = dirs.collect();
    let explicit: Vec<&str> = all_dirs.iter().copied().collect();
    for path in files.iter().map(|(p, _)| *p).chain(explicit) {
        let mut p = path;
        while let Some(i) = p.rfind('/') {
            p = &p[..i];
            if !all_dirs.insert(p) {
                break;
            }
        }
    }
    // Sort as the archive names ("a/" before "a/x", "a b" before "a/"), which keeps a
    // directory ahead of its contents.
    let mut items: Vec<(String, Option<&[u8]>)> = all_dirs
        .into_iter()
        .filter(|d| !d.is_empty())
        .map(|d| (format!("{d}/"), None))
        .chain(files.iter().map(|(p, d)| (p.to_string(), Some(*d))))
        .collect();
    items.sort_by(|a, b| a.0.cmp(&b.0));
    let total: usize = files.iter().map(|(_, d)| d.len()).sum();
    zipfile::write_zip(
        items.iter().map(|(name, data)| ZipItem {
            name: name.strip_suffix('/').unwrap_or(name),
            data: *data,
        }),
        total,
    )
}

/// An entry name [`Collector::check_path`] accepted, normalised to a relative `/` path;
/// `None` for the root itself (`./`). Only `check_path` makes one, so nothing unchecked
/// is recorded.
pub(super) struct SafePath(Option<String>);

/// Gathers entries from either archive format, enforcing paths, uniqueness and limits.
pub(super) struct Collector<'l> {
    pub(super) limits: &'l ArchiveLimits,
    total: u64,
    tree: FileTree,
}

impl<'l> Collector<'l> {
    fn new(limits: &'l ArchiveLimits) -> Self {
        Collector {
            limits,
            total: 0,
            tree: FileTree::default(),
        }
    }

    /// Fails once an archive lists more entries than allowed.
    pub(super) fn check_entry_count(&self, count: u64) -> Result<(), ImportError> {
        if count > self.limits.max_entries {
            return Err(ImportError::new(
                ImportErrorKind::TooLarge,
                format!(
                    "the archive has more than {} entries; not importing it",
                    self.limits.max_entries
                ),
            ));
        }
        Ok(())
    }

    /// The error for a link entry.
    pub(super) fn link_error(&self, name: &str, what: &str) -> ImportError {
        ImportError::at(
            ImportErrorKind::UnsafeEntry,
            name,
            format!("unsupported archive entry ({what}); only files and directories"),
        )
    }

    /// Checks and normalises an entry name once, before its data is read; the result
    /// is what [`Collector::add_file`] and [`Collector::add_dir`] record.
    pub(super) fn check_path(&self, name: &str) -> Result<SafePath, ImportError> {
        safe_path(name).map(SafePath)
    }

    /// Reads `reader` to its end, failing as soon as the archive's byte budget is spent;
    /// `declared` is the size the archive claims.
    pub(super) fn read_capped(
        &mut self,
        name: &str,
        reader: impl Read,
        declared: u64,
    ) -> Result<Vec<u8>, ImportError> {
        let left = self.limits.max_total_bytes.saturating_sub(self.total);
        // The declared size is only a hint for the first allocation, never a bound.
        let hint = declared.min(left).min(64 << 20);
        let mut data = Vec::with_capacity(usize::try_from(hint).unwrap_or(0));
        reader
            .take(left.saturating_add(1))
            .read_to_end(&mut data)
            .map_err(|e| {
                ImportError::at(ImportErrorKind::Corrupt, name, format!("cannot read: {e}"))
            })?;
        if data.len() as u64 > left {
            return Err(ImportError::at(
                ImportErrorKind::TooLarge,
                name,
                format!(
                    "the archive expands past the {} byte limit here; not importing it",
                    self.limits.max_total_bytes
                ),
            ));
        }
        self.total += data.len() as u64;
        Ok(data)
    }

    /// Records a directory entry (repeating one is harmless); `name` is as the archive
    /// spells it, for messages.
    pub(super) fn add_dir(&mut self, name: &str, path: SafePath) -> Result<(), ImportError> {
        let Some(path) = path.0 else {
            return Ok(());
        };
        if self.tree.files.contains_key(&path) || self.file_above(&path) {
            return Err(duplicate(name));
        }
        self.tree.dirs.insert(path);
        Ok(())
    }

    /// Records a file entry; a second entry for the same path is refused.
    pub(super) fn add_file(
        &mut self,
        name: &str,
        path: SafePath,
        data: Vec<u8>,
    ) -> Result<(), ImportError> {
        let Some(path) = path.0 else {
            return Err(ImportError::at(
                ImportErrorKind::UnsafeEntry,
                name,
                "a file entry without a name",
            ));
        };
        let below = format!("{path}/");
        let has_below = |keys: &mut dyn Iterator<Item = &String>| {
            keys.next().is_some_and(|k| k.starts_with(&below))
        };
        if self.tree.files.contains_key(&path)
            || self.tree.dirs.contains(&path)
            || self.file_above(&path)
            || has_below(&mut self.tree.files.range(below.clone()..).map(|(k, _)| k))
            || has_below(&mut self.tree.dirs.range(below.clone()..))
        {
            return Err(duplicate(name));
        }
        self.tree.files.insert(path, data);
        Ok(())
    }

    /// Whether some ancestor of `path` is a file.
    fn file_above(&self, path: &str) -> bool {
        path.match_indices('/')
            .any(|(i, _)| self.tree.files.contains_key(&path[..i]))
    }
}

fn duplicate(name: &str) -> ImportError {
    ImportError::at(
        ImportErrorKind::UnsafeEntry,
        name,
        "duplicate archive entry (the path appears twice, or as both file and folder)",
    )
}

/// Normalises an entry name to a relative `/` path, refusing anything that could land
/// outside the extraction root. `None` for the root itself (`./`).
fn safe_path(name: &str) -> Result<Option<String>, ImportError> {
    let unsafe_entry = |why: &str| {
        ImportError::at(
            ImportErrorKind::UnsafeEntry,
            name,
            format!("unsafe archive entry ({why})"),
        )
    };
    let n = name.replace('\\', "/");
    let first = n.split('/').next().unwrap_or("");
    let drive =
        first.len() == 2 && first.ends_with(':') && first.as_bytes()[0].is_ascii_alphabetic();
    if n.starts_with('/') || drive {
        return Err(unsafe_entry("absolute path"));
    }
    if n.contains('\0') {
        return Err(unsafe_entry("NUL in name"));
    }
    let parts: Vec<&str> = n
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    if parts.contains(&"..") {
        return Err(unsafe_entry("path traversal"));
    }
    Ok((!parts.is_empty()).then(|| parts.join("/")))
}

/// The immediate children of directory `prefix` (`""` or ending in `/`): name → is_dir.
pub(crate) fn children<'t>(tree: &'t FileTree, prefix: &str) -> BTreeMap<&'t str, bool> {
    let mut out = BTreeMap::new();
    let paths = tree.files.keys().map(|p| (p, false));
    for (path, is_dir) in paths.chain(tree.dirs.iter().map(|p| (p, true))) {
        if let Some(rest) = path.strip_prefix(prefix) {
            match rest.split_once('/') {
                Some((head, _)) => out.insert(head, true),
                None if !rest.is_empty() => out.insert(rest, is_dir),
                None => None,
            };
        }
    }
    out
}

fn looks_like_store(tree: &FileTree, prefix: &str) -> bool {
    children(tree, prefix).into_iter().any(|(name, is_dir)| {
        is_dir
            && (name == ".trash"
                || name == "models"
                || tree
                    .files
                    .contains_key(&format!("{prefix}{name}/meta.yaml")))
    })
}

/// Where [`locate_store`] would root the store in `tree`, if it holds one: `""`,
/// `"mlruns/"`, `"<single folder>/"`, … up to four levels down.
pub fn find_store_prefix(tree: &FileTree) -> Option<String> {
    let mut prefix = String::new();
    for _ in 0..4 {
        if looks_like_store(tree, &prefix) {
            break;
        }
        let kids: Vec<(&str, bool)> = children(tree, &prefix)
            .into_iter()
            .filter(|(n, _)| !n.starts_with("__MACOSX"))
            .collect();
        let next = if kids.contains(&("mlruns", true)) {
            "mlruns"
        } else if let [(only, true)] = kids.as_slice() {
            only
        } else {
            break;
        };
        prefix = format!("{prefix}{next}/");
    }
    looks_like_store(tree, &prefix).then_some(prefix)
}

/// Finds the store root as the oracle does: the root itself, else `mlruns/`, else the
/// single top-level folder, up to four levels down.
pub fn locate_store(tree: FileTree) -> Result<StoreArchive, ImportError> {
    let Some(prefix) = find_store_prefix(&tree) else {
        return Err(ImportError::new(
            ImportErrorKind::NotAStore,
            "no MLflow store found (expected experiment folders with meta.yaml, '.trash' or \
             'models' at the root, in mlruns/, or under a single top-level folder)",
        ));
    };
    let mut store = StoreArchive {
        prefix: prefix.clone(),
        ..StoreArchive::default()
    };
    for (path, data) in tree.files {
        match path.strip_prefix(&prefix) {
            Some(rel) => {
                store.tree.files.insert(rel.to_string(), data);
            }
            None => store.outside.push(path),
        }
    }
    for dir in tree.dirs {
        match dir.strip_prefix(&prefix) {
            Some(rel) => {
                store.tree.dirs.insert(rel.to_string());
            }
            None if prefix.starts_with(&format!("{dir}/")) => {}
            None => store.outside.push(format!("{dir}/")),
        }
    }
    Ok(store)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_normalised_or_refused() {
        assert_eq!(
            safe_path("./mlruns//0/meta.yaml").unwrap().unwrap(),
            "mlruns/0/meta.yaml"
        );
        assert_eq!(safe_path("a\\b").unwrap().unwrap(), "a/b");
        assert_eq!(safe_path("./").unwrap(), None);
        for bad in [
            "../evil",
            "a/../../b",
            "/etc/passwd",
            "C:\\x",
            "..\\evil",
            "c:/x",
        ] {
            let e = safe_path(bad).unwrap_err();
            assert!(e.to_string().contains(bad), "{e}");
        }
        assert!(safe_path("x:y/z").is_ok(), "a colon key is not a drive");
    }

    #[test]
    fn zip_round_trip_keeps_names_and_empty_dirs() {
        let mut files = BTreeMap::new();
        files.insert("mlruns/0/meta.yaml".to_string(), b"name: x\n".to_vec());
        files.insert("mlruns/0/r/artifacts/ünï 中文.txt".to_string(), vec![]);
        let dirs: BTreeSet<String> = ["mlruns/0/r/metrics".to_string()].into();
        let zip = write_zip(&files, &dirs);
        assert_eq!(zip, write_zip(&files, &dirs), "deterministic");
        let back = read_entries(&zip, &ArchiveLimits::default()).unwrap();
        assert_eq!(back.files, files);
        assert!(back.dirs.contains("mlruns/0/r/metrics"));
        assert!(back.dirs.contains("mlruns"));
        let store = read_archive(&zip, &ArchiveLimits::default()).unwrap();
        assert_eq!(store.prefix, "mlruns/");
        assert!(store.tree.files.contains_key("0/meta.yaml"));
    }

    #[test]
    fn zip64_when_entries_exceed_65535() {
        let files: BTreeMap<String, Vec<u8>> = (0..70_000)
            .map(|i| {
                (
                    format!("mlruns/0/r/artifacts/{i}"),
                    vec![b'x'; usize::from(i % 1000 == 0)],
                )
            })
            .collect();
        let zip = write_zip(&files, &BTreeSet::new());
        let back = read_entries(&zip, &ArchiveLimits::default()).unwrap();
        assert_eq!(back.files, files);
    }

    #[test]
    fn non_archives_are_named_as_such() {
        for junk in [&b""[..], b"hello world", &[0u8; 600]] {
            let e = read_entries(junk, &ArchiveLimits::default()).unwrap_err();
            assert_eq!(e.to_string(), "not a zip, tar or tar.gz archive");
        }
    }
}
