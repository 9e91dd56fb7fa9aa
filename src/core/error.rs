//! MLflow's error codes, shared by every domain (tracking, registry, imports, storage).
//! Each operation family has its own error type carrying one of these; the JS surface
//! turns them into `Error`s with `code` set, at the api boundary only.

/// MLflow's error codes, as its REST API names them (`databricks.ErrorCode`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// 404: no such experiment, run, artifact, model, ….
    ResourceDoesNotExist,
    /// 400: a bad argument, filter or value.
    InvalidParameterValue,
    /// 409: a name or id is taken.
    ResourceAlreadyExists,
    /// The entity is in a state that forbids the change (e.g. deleted).
    InvalidState,
    /// The browser's storage for this site is full.
    ResourceExhausted,
    /// Storage cannot be used right now (another tab upgraded it, or blocks it).
    TemporarilyUnavailable,
    /// Storage failed in an unexpected way.
    InternalError,
    /// The caller is not allowed (the site refused a connection).
    PermissionDenied,
}

impl ErrorCode {
    /// MLflow's spelling (`RESOURCE_DOES_NOT_EXIST`).
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::ResourceDoesNotExist => "RESOURCE_DOES_NOT_EXIST",
            ErrorCode::InvalidParameterValue => "INVALID_PARAMETER_VALUE",
            ErrorCode::ResourceAlreadyExists => "RESOURCE_ALREADY_EXISTS",
            ErrorCode::InvalidState => "INVALID_STATE",
            ErrorCode::ResourceExhausted => "RESOURCE_EXHAUSTED",
            ErrorCode::TemporarilyUnavailable => "TEMPORARILY_UNAVAILABLE",
            ErrorCode::InternalError => "INTERNAL_ERROR",
            ErrorCode::PermissionDenied => "PERMISSION_DENIED",
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
