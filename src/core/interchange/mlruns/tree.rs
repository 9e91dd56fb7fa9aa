//! A store's file tree, folder by folder, as the readers walk it: taking a folder's
//! files out, splitting it into sub-folders, value files (params, tags, aliases) with
//! their keys checked as MLflow checks them, and naming files in messages.

use std::collections::{BTreeMap, BTreeSet};

use crate::core::tracking::rules::{self, KeyKind, MAX_KEY_LEN};

use super::error::{ImportError, ImportErrorKind};
use super::yaml::YamlProblem;

/// What to do with a model folder (logged or registered) MLflow would fail on: fail
/// the import, as MLflow fails, or keep its files as they are (the migration of
/// stores imported before models were read, which must not lose anything).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum OnBroken {
    Fail,
    KeepFiles,
}

/// Folders an import accounted for, by store-relative path.
#[derive(Default)]
pub(super) struct Accounted {
    /// Sub-folders the exporter recreates anyway.
    pub made_dirs: Vec<String>,
    /// Folders MLflow skips, left out of the snapshot (each ending in `/`).
    pub skipped: Vec<String>,
}

impl Accounted {
    /// The empty folders of `leaves` still to keep as extras.
    pub fn keep(&self, leaves: BTreeSet<String>) -> BTreeSet<String> {
        let made: BTreeSet<&str> = self.made_dirs.iter().map(String::as_str).collect();
        leaves
            .into_iter()
            .filter(|d| !made.contains(d.as_str()))
            .filter(|d| {
                !self
                    .skipped
                    .iter()
                    .any(|s| format!("{d}/").starts_with(s.as_str()))
            })
            .collect()
    }
}

/// The paths of `dirs` below `prefix` (ending in `/`), made relative to it.
pub(super) fn dirs_under(dirs: &BTreeSet<String>, prefix: &str) -> BTreeSet<String> {
    dirs.iter()
        .filter_map(|d| d.strip_prefix(prefix))
        .map(str::to_owned)
        .collect()
}

/// One sub-folder's files and empty folders, by path relative to it.
#[derive(Debug, Default)]
pub(super) struct Folder {
    pub files: BTreeMap<String, Vec<u8>>,
    pub dirs: BTreeSet<String>,
}

/// Splits a folder's `files` and empty `dirs` (relative paths) into its sub-folders
/// by name, plus the files directly in it.
pub(super) fn sub_folders(
    files: BTreeMap<String, Vec<u8>>,
    dirs: &BTreeSet<String>,
) -> (BTreeMap<String, Folder>, BTreeMap<String, Vec<u8>>) {
    let (mut folders, mut loose) = (BTreeMap::<String, Folder>::new(), BTreeMap::new());
    for (path, bytes) in files {
        match path.split_once('/') {
            Some((head, rest)) => {
                let f = folders.entry(head.to_owned()).or_default();
                f.files.insert(rest.to_owned(), bytes);
            }
            None => {
                loose.insert(path, bytes);
            }
        }
    }
    for d in dirs {
        let (head, rest) = d.split_once('/').unwrap_or((d, ""));
        let f = folders.entry(head.to_owned()).or_default();
        if !rest.is_empty() {
            f.dirs.insert(rest.to_owned());
        }
    }
    (folders, loose)
}

/// Names files in messages the way the archive does.
pub(super) struct Ctx<'a> {
    pub prefix: &'a str,
    /// The folder `rel` paths start in: `"<id>/"`, `".trash/<id>/"`, `"models/"`, …
    pub loc: &'a str,
}

impl Ctx<'_> {
    pub fn name(&self, rel: &str) -> String {
        format!("{}{}{rel}", self.prefix, self.loc)
    }
    pub fn invalid(&self, rel: &str, detail: impl Into<String>) -> ImportError {
        ImportError::at(ImportErrorKind::Invalid, self.name(rel), detail)
    }
    pub fn yaml_error(&self, rel: &str, problem: YamlProblem) -> ImportError {
        self.meta_error(rel, "run", problem)
    }
    /// A `meta.yaml` of `what` (a run, a logged model, …) that does not read.
    pub fn meta_error(&self, rel: &str, what: &str, problem: YamlProblem) -> ImportError {
        match problem {
            YamlProblem::Empty => self.invalid(
                rel,
                format!("empty meta.yaml; MLflow cannot read this {what}"),
            ),
            YamlProblem::Bad { line, detail } => ImportError::at_line(self.name(rel), line, detail),
        }
    }
}

/// Explicit directories with nothing below them.
pub(super) fn leaf_dirs(
    files: &BTreeMap<String, Vec<u8>>,
    dirs: &BTreeSet<String>,
) -> BTreeSet<String> {
    dirs.iter()
        .filter(|d| {
            let below = format!("{d}/");
            let under = |k: Option<&String>| k.is_some_and(|k| k.starts_with(&below));
            !under(files.range(below.clone()..).next().map(|(k, _)| k))
                && !under(dirs.range(below.clone()..).next())
        })
        .cloned()
        .collect()
}

/// Moves the entries under `prefix` (ending in `/`) out of `map`, keys made relative.
pub(super) fn take_prefix<V>(map: &mut BTreeMap<String, V>, prefix: &str) -> BTreeMap<String, V> {
    let mut taken = map.split_off(prefix);
    // '/' + 1 == '0': the first key past every "<prefix>…".
    let end = format!("{}0", &prefix[..prefix.len() - 1]);
    let mut after = taken.split_off(&end);
    map.append(&mut after);
    taken
        .into_iter()
        .map(|(k, v)| (k[prefix.len()..].to_string(), v))
        .collect()
}

/// MLflow re-validates keys on read, but without the 250-character limit.
pub(super) fn validate_read_key(kind: KeyKind, key: &str) -> Result<(), rules::InvalidValue> {
    let Err(err) = rules::validate_key(kind, key) else {
        return Ok(());
    };
    if key.chars().count() > MAX_KEY_LEN {
        // Same characters and path shape, shorter segments.
        let short: Vec<String> = key
            .split('/')
            .map(|s| s.chars().take(8).collect())
            .collect();
        if rules::validate_key(kind, &short.join("/")).is_ok() {
            return Ok(());
        }
    }
    Err(err)
}

fn utf8(ctx: &Ctx, rel: &str, bytes: Vec<u8>) -> Result<String, ImportError> {
    String::from_utf8(bytes).map_err(|_| ctx.invalid(rel, "not valid UTF-8"))
}

/// A value file's text (tags, params, aliases are read as UTF-8 text by MLflow).
pub(super) fn text(ctx: &Ctx, rel: &str, bytes: &[u8]) -> Result<String, ImportError> {
    std::str::from_utf8(bytes)
        .map(str::to_owned)
        .map_err(|_| ctx.invalid(rel, "not valid UTF-8"))
}

/// Key → value files below `dir/` of a folder's borrowed `files` (`base` prefixes the
/// names in messages), keys checked as MLflow checks them on read.
pub(super) fn read_values_in(
    ctx: &Ctx,
    base: &str,
    dir: &str,
    files: &BTreeMap<String, Vec<u8>>,
    kind: KeyKind,
) -> Result<BTreeMap<String, String>, ImportError> {
    let mut out = BTreeMap::new();
    for (key, bytes) in files_under(files, dir) {
        let rel = format!("{base}{dir}/{key}");
        validate_read_key(kind, key).map_err(|e| ctx.invalid(&rel, e.0))?;
        out.insert(key.to_owned(), text(ctx, &rel, bytes)?);
    }
    Ok(out)
}

/// The files below `dir/` of `files`, by path relative to `dir/`.
pub(super) fn files_under<'a>(
    files: &'a BTreeMap<String, Vec<u8>>,
    dir: &str,
) -> impl Iterator<Item = (&'a str, &'a [u8])> {
    let prefix = format!("{dir}/");
    files
        .range(prefix.clone()..)
        .map_while(move |(k, v)| k.strip_prefix(&prefix).map(|rel| (rel, v.as_slice())))
}

/// Reads key → value files (params, tags) below `dir/` of `files`.
pub(super) fn read_values(
    ctx: &Ctx,
    base: &str,
    dir: &str,
    files: &mut BTreeMap<String, Vec<u8>>,
    kind: KeyKind,
) -> Result<BTreeMap<String, String>, ImportError> {
    let mut out = BTreeMap::new();
    for (key, bytes) in take_prefix(files, &format!("{dir}/")) {
        let rel = format!("{base}{dir}/{key}");
        validate_read_key(kind, &key).map_err(|e| ctx.invalid(&rel, e.0))?;
        out.insert(key, utf8(ctx, &rel, bytes)?);
    }
    Ok(out)
}
