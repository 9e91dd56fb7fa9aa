//! Logged models and their files: logging one (PENDING record, files, then READY with
//! its registry version in one merge), and reading the files a model URI names.

use std::rc::Rc;

use super::{now_ms, Service, ServiceError};
use crate::core::models::resolve::ModelFiles;
use crate::core::models::{LoggedModelStatus, ModelId};
use crate::core::tracking::{NewLoggedModel, NewVersion};

/// What finishes a logged model once its files are chosen.
pub struct FinishModel {
    /// Files by path relative to the model's folder (`MLmodel`, `model.json`, …).
    pub files: Vec<(String, Vec<u8>)>,
    /// An entry for the source run's `mlflow.log-model.history` tag (JSON text).
    pub history_entry: Option<String>,
    /// Register it under this name (created if missing).
    pub register_as: Option<String>,
    /// The source run (for the registry version).
    pub run_id: Option<String>,
}

impl Service {
    /// Creates a PENDING logged model and waits until it is stored; returns its id.
    pub async fn begin_logged_model(
        self: &Rc<Self>,
        args: NewLoggedModel,
    ) -> Result<ModelId, ServiceError> {
        let (id, _) = self
            .write_committed(|t| t.create_logged_model(args, now_ms()))
            .await?;
        Ok(id)
    }

    /// Stores a logged model's files in one transaction, then marks it READY, appends
    /// the run's history entry and registers it, in one merge. Returns the registered
    /// version's number. If the files cannot be stored, the model is marked FAILED
    /// with the reason and the storage error is returned.
    pub async fn finish_logged_model(
        self: &Rc<Self>,
        model_id: &str,
        finish: FinishModel,
    ) -> Result<Option<u64>, ServiceError> {
        let artifacts: Vec<(String, String, Vec<u8>)> = (finish.files.into_iter())
            .map(|(p, b)| (model_id.to_owned(), p, b))
            .collect();
        if let Err(e) = self.write_files(&artifacts, &[]).await {
            let message = Some(e.to_string());
            let _ = self
                .write_committed(|t| {
                    t.finalize_logged_model(model_id, LoggedModelStatus::Failed, message, now_ms())
                })
                .await;
            return Err(e);
        }
        let id = model_id.to_owned();
        let (version, outcomes) = self
            .write_committed(move |t| {
                let now = now_ms();
                t.finalize_logged_model(&id, LoggedModelStatus::Ready, None, now)?;
                if let (Some(run), Some(entry)) = (&finish.run_id, finish.history_entry) {
                    t.append_model_history(run, entry)?;
                }
                let Some(name) = finish.register_as else {
                    return Ok(false);
                };
                t.create_model_version(
                    NewVersion {
                        name,
                        source: format!("models:/{id}"),
                        run_id: finish.run_id.clone(),
                        model_id: Some(id.clone()),
                        create_model: true,
                        ..Default::default()
                    },
                    now,
                )?;
                Ok(true)
            })
            .await?;
        // The version's number is the last change's outcome, decided by the merge.
        Ok(version
            .then(|| outcomes.last().cloned().flatten()?.parse().ok())
            .flatten())
    }

    /// Paths and sizes of a model's files, relative to its folder.
    pub async fn model_file_sizes(
        &self,
        files: &ModelFiles,
    ) -> Result<Vec<(String, u64)>, ServiceError> {
        let (owner, prefix) = owner_and_prefix(files);
        let sizes = self.db.artifact_sizes(&owner, &prefix).await?;
        Ok(sizes
            .into_iter()
            .filter_map(|(p, n)| Some((p.strip_prefix(&prefix)?.to_owned(), n)))
            .collect())
    }

    /// One file of a model, by path relative to its folder.
    pub async fn model_file(
        &self,
        files: &ModelFiles,
        path: &str,
    ) -> Result<Option<Vec<u8>>, ServiceError> {
        let (owner, prefix) = owner_and_prefix(files);
        Ok(self.db.artifact(&owner, &format!("{prefix}{path}")).await?)
    }
}

/// Whose artifacts hold a model's files, and under which folder.
fn owner_and_prefix(files: &ModelFiles) -> (String, String) {
    match files {
        ModelFiles::LoggedModel { model_id } => (model_id.clone(), String::new()),
        ModelFiles::RunArtifacts { run_id, path } if path.is_empty() => {
            (run_id.clone(), String::new())
        }
        ModelFiles::RunArtifacts { run_id, path } => {
            (run_id.clone(), format!("{}/", path.trim_end_matches('/')))
        }
    }
}
