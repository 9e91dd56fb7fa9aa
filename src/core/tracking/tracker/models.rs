//! The view's logged models: reads, and changes journaled for the merge.

use std::collections::BTreeMap;

use super::Tracker;
use crate::core::models::{LoggedModel, LoggedModelStatus, ModelId};
use crate::core::tracking::change::Change;
use crate::core::tracking::error::Result;
use crate::core::tracking::model::LifecycleStage;

/// Arguments of [`Tracker::create_logged_model`].
#[derive(Clone, Debug, Default)]
pub struct NewLoggedModel {
    /// The experiment (the source run's, when there is one).
    pub experiment_id: String,
    /// Name (`model`, …).
    pub name: String,
    /// Free-form type (`tfjs`).
    pub model_type: Option<String>,
    /// The run that logged it.
    pub source_run_id: Option<String>,
    /// Params.
    pub params: BTreeMap<String, String>,
    /// Tags.
    pub tags: BTreeMap<String, String>,
}

impl Tracker {
    /// Every logged model, deleted ones included, by id.
    pub fn logged_models(&self) -> impl Iterator<Item = &LoggedModel> {
        self.records.logged_models.values()
    }

    /// A logged model by id (deleted ones included).
    pub fn logged_model(&self, id: &str) -> Result<&LoggedModel> {
        self.records.logged_model(id)
    }

    /// A new PENDING logged model in its experiment's artifact location; returns its id.
    pub fn create_logged_model(&mut self, args: NewLoggedModel, now: i64) -> Result<ModelId> {
        let root = self
            .records
            .experiment(&args.experiment_id)?
            .artifact_location
            .clone();
        let model_id = loop {
            let id = self.ids.model_id();
            if !self.records.logged_models.contains_key(&id) {
                break id;
            }
        };
        let model = LoggedModel {
            artifact_location: crate::core::models::logged_model::default_model_location(
                &root, &model_id,
            ),
            model_id: model_id.clone(),
            experiment_id: args.experiment_id,
            name: args.name,
            creation_timestamp: now,
            last_updated_timestamp: now,
            model_type: args.model_type,
            source_run_id: args.source_run_id,
            status: LoggedModelStatus::Pending,
            status_message: None,
            lifecycle_stage: LifecycleStage::Active,
            params: args.params,
            tags: args.tags,
            metrics: Vec::new(),
        };
        self.record(Change::CreateLoggedModel { model })?;
        Ok(model_id)
    }

    /// Marks a logged model READY (its files are stored) or FAILED.
    pub fn finalize_logged_model(
        &mut self,
        id: &str,
        status: LoggedModelStatus,
        message: Option<String>,
        now: i64,
    ) -> Result<()> {
        self.record(Change::FinalizeLoggedModel {
            model_id: id.into(),
            status,
            message,
            time: now,
        })
        .map(drop)
    }

    /// Sets tags on a logged model.
    pub fn set_logged_model_tags(
        &mut self,
        id: &str,
        tags: &[(String, String)],
        now: i64,
    ) -> Result<()> {
        self.record(Change::SetLoggedModelTags {
            model_id: id.into(),
            tags: tags.to_vec(),
            time: now,
        })
        .map(drop)
    }

    /// Deletes a logged model's tag.
    pub fn delete_logged_model_tag(&mut self, id: &str, key: &str) -> Result<()> {
        self.record(Change::DeleteLoggedModelTag {
            model_id: id.into(),
            key: key.into(),
        })
        .map(drop)
    }

    /// Soft-deletes a logged model.
    pub fn delete_logged_model(&mut self, id: &str, now: i64) -> Result<()> {
        self.record(Change::DeleteLoggedModel {
            model_id: id.into(),
            time: now,
        })
        .map(drop)
    }

    /// Appends an entry (JSON text) to the run's `mlflow.log-model.history` tag.
    pub fn append_model_history(&mut self, run_id: &str, entry: String) -> Result<()> {
        self.record(Change::AppendModelHistory {
            run_id: run_id.into(),
            entry,
        })
        .map(drop)
    }
}
