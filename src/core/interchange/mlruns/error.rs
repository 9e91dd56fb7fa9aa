//! The one error type of mlruns import: what went wrong, in which file, on which line.

use std::fmt;

/// What kind of problem stopped an import, so callers can react without parsing text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImportErrorKind {
    /// The bytes are not a zip, tar or tar.gz archive.
    NotAnArchive,
    /// The archive is truncated or its data does not decode.
    Corrupt,
    /// An entry we refuse to extract: `..`, absolute path, link, duplicate.
    UnsafeEntry,
    /// The archive expands past the configured limits (a decompression bomb).
    TooLarge,
    /// The archive holds no MLflow store.
    NotAStore,
    /// A store file MLflow itself would fail on (bad YAML, malformed metric, …).
    Invalid,
}

/// An import failure whose message names the archive entry or store file and, where
/// it helps, the line: `mlruns/1/abc/metrics/loss line 17: expected …`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportError {
    /// The category, for callers.
    pub kind: ImportErrorKind,
    /// The file or archive entry at fault, as named in the archive.
    pub path: Option<String>,
    /// 1-based line within `path`, when known.
    pub line: Option<usize>,
    /// What is wrong, for a person.
    pub detail: String,
}

impl ImportError {
    /// An error about a whole archive or store (no single file to name).
    pub fn new(kind: ImportErrorKind, detail: impl Into<String>) -> Self {
        ImportError {
            kind,
            path: None,
            line: None,
            detail: detail.into(),
        }
    }

    /// An error about one file or archive entry.
    pub fn at(kind: ImportErrorKind, path: impl Into<String>, detail: impl Into<String>) -> Self {
        ImportError {
            kind,
            path: Some(path.into()),
            line: None,
            detail: detail.into(),
        }
    }

    /// An invalid store file, at a line.
    pub fn at_line(path: impl Into<String>, line: usize, detail: impl Into<String>) -> Self {
        ImportError {
            kind: ImportErrorKind::Invalid,
            path: Some(path.into()),
            line: Some(line),
            detail: detail.into(),
        }
    }
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.path, self.line) {
            (Some(p), Some(l)) => write!(f, "{p} line {l}: {}", self.detail),
            (Some(p), None) => write!(f, "{p}: {}", self.detail),
            _ => f.write_str(&self.detail),
        }
    }
}

impl std::error::Error for ImportError {}
