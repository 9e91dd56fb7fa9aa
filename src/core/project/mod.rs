//! Browser projects (MLflow Projects run in a module Web Worker): the pure part.
//!
//! A project is a folder or a zip holding an `MLproject` file in MLflow's YAML shape,
//! whose entry points may name an ES module and an exported function instead of (or
//! as well as) a shell `command`. The api layer fetches the files; this module parses
//! the `MLproject` ([`parse_mlproject`]), checks the run's parameters strictly
//! ([`check_parameters`]; MLflow itself does not), finds the imports of each module
//! ([`scan_imports`], [`resolve_import`]), orders the files so each Blob URL exists
//! before a module importing it is rewritten ([`bundle_order`], [`rewrite`]) and hashes
//! the code that runs ([`sha256_hex`], [`project_sha256`]).
//!
//! Every error is `INVALID_PARAMETER_VALUE`: all of them are about what the project or
//! the caller gave.

mod bundle;
mod imports;
mod params;
mod paths;
mod spec;

use std::fmt;

pub use crate::core::error::ErrorCode;
pub use bundle::{bundle_order, project_sha256, sha256_hex};
pub use imports::{resolve_import, rewrite, scan_imports, ImportRef, Resolved};
pub use params::{check_parameters, Checked, Given, PathRef, Value};
pub use paths::{find_mlproject, normalize_project_path, project_root};
pub use spec::{parse_mlproject, EntryPoint, Environment, ParamKind, ParamSpec, Project, Runnable};

/// A refused project, parameter set or bundle.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProjectError {
    /// The MLflow error code (always `INVALID_PARAMETER_VALUE` here).
    pub code: ErrorCode,
    /// What went wrong and what to do.
    pub message: String,
}

impl fmt::Display for ProjectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ProjectError {}

/// Result of a project operation.
pub type Result<T> = std::result::Result<T, ProjectError>;

/// An `INVALID_PARAMETER_VALUE` error.
pub(crate) fn invalid(message: impl Into<String>) -> ProjectError {
    ProjectError {
        code: ErrorCode::InvalidParameterValue,
        message: message.into(),
    }
}
