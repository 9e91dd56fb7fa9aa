//! A folder of files as a tree beside a preview of the selected one, with downloads:
//! a run's artifacts, or a model's files. Both are read through the service by their
//! [`FilesOwner`].

mod preview;
mod tree;

pub use preview::FilePreview;
pub use tree::FileBrowser;

use crate::core::models::resolve::ModelFiles;
use crate::service;

/// Whose files are shown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FilesOwner {
    /// A run's artifacts.
    Run(String),
    /// A model's files (a LoggedModel's, or a folder of a run's artifacts).
    Model(ModelFiles),
}

impl FilesOwner {
    /// Every file's path (relative to the owner's root) and size.
    pub async fn list(&self) -> Result<Vec<(String, u64)>, String> {
        let s = service::ready().ok_or_else(|| "The store is not open.".to_owned())?;
        match self {
            FilesOwner::Run(id) => s.artifact_sizes(id, "").await,
            FilesOwner::Model(files) => s.model_file_sizes(files).await,
        }
        .map_err(|e| e.to_string())
    }

    /// One file's bytes, `None` if it is not there.
    pub async fn read(&self, path: &str) -> Result<Option<Vec<u8>>, String> {
        let s = service::ready().ok_or_else(|| "The store is not open.".to_owned())?;
        match self {
            FilesOwner::Run(id) => s.artifact(id, path).await,
            FilesOwner::Model(files) => s.model_file(files, path).await,
        }
        .map_err(|e| e.to_string())
    }

    /// What a file that went away is called in the error.
    fn gone(&self) -> &'static str {
        match self {
            FilesOwner::Run(_) => "This file is no longer among the run's artifacts.",
            FilesOwner::Model(_) => "This file is no longer among the model's files.",
        }
    }
}
