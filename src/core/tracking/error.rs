//! The tracking family's error: a refused operation with MLflow's code and a message a
//! person can act on.

use std::fmt;

pub use crate::core::error::ErrorCode;
use crate::core::tracking::rules::InvalidValue;

/// A refused tracking operation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrackingError {
    /// The MLflow error code.
    pub code: ErrorCode,
    /// What went wrong and what to do.
    pub message: String,
}

impl fmt::Display for TrackingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for TrackingError {}

impl From<InvalidValue> for TrackingError {
    fn from(e: InvalidValue) -> Self {
        invalid(e.0)
    }
}

/// Result of a tracking operation.
pub type Result<T> = std::result::Result<T, TrackingError>;

/// An `INVALID_PARAMETER_VALUE` error.
pub fn invalid(message: impl Into<String>) -> TrackingError {
    TrackingError {
        code: ErrorCode::InvalidParameterValue,
        message: message.into(),
    }
}

/// A `RESOURCE_DOES_NOT_EXIST` error.
pub fn not_found(message: impl Into<String>) -> TrackingError {
    TrackingError {
        code: ErrorCode::ResourceDoesNotExist,
        message: message.into(),
    }
}

/// A `RESOURCE_ALREADY_EXISTS` error.
pub fn already_exists(message: impl Into<String>) -> TrackingError {
    TrackingError {
        code: ErrorCode::ResourceAlreadyExists,
        message: message.into(),
    }
}

/// An `INVALID_STATE` error.
pub fn invalid_state(message: impl Into<String>) -> TrackingError {
    TrackingError {
        code: ErrorCode::InvalidState,
        message: message.into(),
    }
}

pub(crate) fn run_not_found(id: &str) -> TrackingError {
    not_found(format!("Run '{id}' not found."))
}

pub(crate) fn experiment_not_found(id: &str) -> TrackingError {
    not_found(format!("No experiment with id '{id}'."))
}

pub(crate) fn deleted_experiment(id: &str) -> TrackingError {
    invalid_state(format!(
        "Experiment '{id}' is deleted; restore it first (mlflow.restoreExperiment)."
    ))
}

pub(crate) fn deleted_run(id: &str) -> TrackingError {
    invalid_state(format!(
        "Run '{id}' is deleted; restore it before logging to it (mlflow.restoreRun)."
    ))
}
