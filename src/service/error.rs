//! The service's error: whichever family failed, with its MLflow code kept.

use crate::core::error::ErrorCode;
use crate::core::interchange::mlruns::ImportError;
use crate::core::tracking::TrackingError;
use crate::store::StoreError;

/// A failure of a service call.
#[derive(Debug, Clone)]
pub enum ServiceError {
    /// MLflow's rules refused it.
    Tracking(TrackingError),
    /// The browser store failed.
    Store(StoreError),
    /// An archive could not be imported.
    Import(ImportError),
    /// The SQLite reader module could not be loaded (offline, or the site moved).
    Reader(String),
    /// A project could not be loaded or run (its message says what and why).
    Project {
        /// MLflow's code: INVALID_PARAMETER_VALUE for the project's or the caller's
        /// mistakes, TEMPORARILY_UNAVAILABLE when it could not be fetched.
        code: ErrorCode,
        /// What went wrong.
        message: String,
    },
}

impl ServiceError {
    /// MLflow's code for it.
    pub fn code(&self) -> ErrorCode {
        match self {
            ServiceError::Tracking(e) => e.code,
            ServiceError::Store(e) => e.code(),
            ServiceError::Import(_) => ErrorCode::InvalidParameterValue,
            ServiceError::Reader(_) => ErrorCode::TemporarilyUnavailable,
            ServiceError::Project { code, .. } => *code,
        }
    }
}

impl std::fmt::Display for ServiceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ServiceError::Tracking(e) => e.fmt(f),
            ServiceError::Store(e) => e.fmt(f),
            ServiceError::Import(e) => write!(f, "Import failed: {e}"),
            ServiceError::Reader(e) => write!(f, "Import failed, nothing was changed: {e}."),
            ServiceError::Project { message, .. } => f.write_str(message),
        }
    }
}

impl std::error::Error for ServiceError {}

impl From<TrackingError> for ServiceError {
    fn from(e: TrackingError) -> Self {
        ServiceError::Tracking(e)
    }
}

impl From<StoreError> for ServiceError {
    fn from(e: StoreError) -> Self {
        ServiceError::Store(e)
    }
}

impl From<ImportError> for ServiceError {
    fn from(e: ImportError) -> Self {
        ServiceError::Import(e)
    }
}
