//! The view's Model Registry: reads, and changes journaled for the merge.

use std::collections::BTreeMap;

use super::Tracker;
use crate::core::registry::{ModelVersion, RegisteredModel, Stage, VersionStatus};
use crate::core::tracking::change::{Change, OnExisting};
use crate::core::tracking::error::Result;

/// Arguments of [`Tracker::create_model_version`].
#[derive(Clone, Debug, Default)]
pub struct NewVersion {
    /// Registered model (created if missing when `create_model` is set).
    pub name: String,
    /// Where the model is (`models:/m-…`, `runs:/<run>/<path>`, …), as given.
    pub source: String,
    /// The source resolved to a location (kept for export).
    pub storage_location: Option<String>,
    /// The run that made it.
    pub run_id: Option<String>,
    /// A link to the run.
    pub run_link: Option<String>,
    /// The LoggedModel it is.
    pub model_id: Option<String>,
    /// Markdown description.
    pub description: Option<String>,
    /// Tags.
    pub tags: BTreeMap<String, String>,
    /// Who registers it.
    pub user_id: Option<String>,
    /// Create the registered model first if there is none (`registerModel`).
    pub create_model: bool,
}

impl Tracker {
    /// Every registered model, by name.
    pub fn registered_models(&self) -> impl Iterator<Item = &RegisteredModel> {
        self.records.registered_models.values()
    }

    /// A registered model by name.
    pub fn registered_model(&self, name: &str) -> Result<&RegisteredModel> {
        self.records.registered_model(name)
    }

    /// A version that is not deleted.
    pub fn model_version(&self, name: &str, version: u64) -> Result<&ModelVersion> {
        self.records.model_version(name, version)
    }

    /// `createRegisteredModel`.
    pub fn create_registered_model(
        &mut self,
        name: &str,
        description: Option<String>,
        tags: BTreeMap<String, String>,
        now: i64,
    ) -> Result<()> {
        self.record(Change::CreateRegisteredModel {
            name: name.into(),
            description,
            tags: tags.into_iter().collect(),
            time: now,
            existing: OnExisting::Refuse,
        })
        .map(drop)
    }

    /// A new version (`createModelVersion`, or `registerModel` with `create_model`);
    /// its number here is provisional: the merge's outcome is the stored one.
    pub fn create_model_version(&mut self, args: NewVersion, now: i64) -> Result<u64> {
        if args.create_model {
            self.record(Change::CreateRegisteredModel {
                name: args.name.clone(),
                description: None,
                tags: Vec::new(),
                time: now,
                existing: OnExisting::UseIt,
            })?;
        }
        let version = ModelVersion {
            name: args.name,
            version: 0,
            creation_timestamp: now,
            last_updated_timestamp: Some(now),
            description: args.description,
            user_id: args.user_id,
            current_stage: Stage::None,
            source: Some(args.source),
            run_id: args.run_id,
            run_link: args.run_link,
            status: VersionStatus::Ready,
            status_message: None,
            tags: args.tags,
            model_id: args.model_id,
            storage_location: args.storage_location,
        };
        let out = self.record(Change::CreateModelVersion { version })?;
        Ok(out.and_then(|v| v.parse().ok()).unwrap_or(0))
    }

    /// `renameRegisteredModel`.
    pub fn rename_registered_model(&mut self, name: &str, new_name: &str, now: i64) -> Result<()> {
        self.record(Change::RenameRegisteredModel {
            name: name.into(),
            new_name: new_name.into(),
            time: now,
        })
        .map(drop)
    }

    /// `updateRegisteredModel`.
    pub fn update_registered_model(
        &mut self,
        name: &str,
        description: Option<String>,
        now: i64,
    ) -> Result<()> {
        self.record(Change::UpdateRegisteredModel {
            name: name.into(),
            description,
            time: now,
        })
        .map(drop)
    }

    /// `deleteRegisteredModel`.
    pub fn delete_registered_model(&mut self, name: &str) -> Result<()> {
        self.record(Change::DeleteRegisteredModel { name: name.into() })
            .map(drop)
    }

    /// `setRegisteredModelTag`.
    pub fn set_registered_model_tag(&mut self, name: &str, key: &str, value: &str) -> Result<()> {
        self.record(Change::SetRegisteredModelTag {
            name: name.into(),
            key: key.into(),
            value: value.into(),
        })
        .map(drop)
    }

    /// `deleteRegisteredModelTag`.
    pub fn delete_registered_model_tag(&mut self, name: &str, key: &str) -> Result<()> {
        self.record(Change::DeleteRegisteredModelTag {
            name: name.into(),
            key: key.into(),
        })
        .map(drop)
    }

    /// `updateModelVersion`.
    pub fn update_model_version(
        &mut self,
        name: &str,
        version: u64,
        description: Option<String>,
        now: i64,
    ) -> Result<()> {
        self.record(Change::UpdateModelVersion {
            name: name.into(),
            version,
            description,
            time: now,
        })
        .map(drop)
    }

    /// `deleteModelVersion`.
    pub fn delete_model_version(&mut self, name: &str, version: u64, now: i64) -> Result<()> {
        self.record(Change::DeleteModelVersion {
            name: name.into(),
            version,
            time: now,
        })
        .map(drop)
    }

    /// `setModelVersionTag`.
    pub fn set_model_version_tag(
        &mut self,
        name: &str,
        version: u64,
        key: &str,
        value: &str,
    ) -> Result<()> {
        self.record(Change::SetModelVersionTag {
            name: name.into(),
            version,
            key: key.into(),
            value: value.into(),
        })
        .map(drop)
    }

    /// `deleteModelVersionTag`.
    pub fn delete_model_version_tag(&mut self, name: &str, version: u64, key: &str) -> Result<()> {
        self.record(Change::DeleteModelVersionTag {
            name: name.into(),
            version,
            key: key.into(),
        })
        .map(drop)
    }

    /// `setRegisteredModelAlias`: the alias names `version` (moved if it named another).
    pub fn set_alias(&mut self, name: &str, alias: &str, version: u64, now: i64) -> Result<()> {
        self.record(Change::SetAlias {
            name: name.into(),
            alias: alias.into(),
            version,
            time: now,
        })
        .map(drop)
    }

    /// `deleteRegisteredModelAlias`.
    pub fn delete_alias(&mut self, name: &str, alias: &str) -> Result<()> {
        self.record(Change::DeleteAlias {
            name: name.into(),
            alias: alias.into(),
        })
        .map(drop)
    }

    /// `transitionModelVersionStage`.
    pub fn transition_stage(
        &mut self,
        name: &str,
        version: u64,
        stage: Stage,
        archive_existing: bool,
        now: i64,
    ) -> Result<()> {
        self.record(Change::TransitionStage {
            name: name.into(),
            version,
            stage,
            archive_existing,
            time: now,
        })
        .map(drop)
    }
}
