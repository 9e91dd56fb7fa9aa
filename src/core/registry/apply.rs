//! How a registry change applies to the records (`Records::apply` sends registry
//! changes here), with MLflow's rules and messages.

use crate::core::registry::model::{ModelVersion, RegisteredModel, Stage};
use crate::core::registry::rules::{
    model_not_found, validate_alias, validate_model_name, validate_tag, version_not_found,
};
use crate::core::tracking::change::{Change, OnExisting, Outcome};
use crate::core::tracking::error::{already_exists, Result};
use crate::core::tracking::records::Records;

/// MLflow's SQLite store blanks these on a deleted version.
const REDACTED_SOURCE: &str = "REDACTED-SOURCE-PATH";
const REDACTED_RUN_ID: &str = "REDACTED-RUN-ID";
const REDACTED_RUN_LINK: &str = "REDACTED-RUN-LINK";

impl Records {
    /// A registered model by name.
    pub fn registered_model(&self, name: &str) -> Result<&RegisteredModel> {
        self.registered_models
            .get(name)
            .ok_or_else(|| model_not_found(name))
    }

    /// A version that is not deleted.
    pub fn model_version(&self, name: &str, version: u64) -> Result<&ModelVersion> {
        self.registered_model(name)?
            .versions
            .get(&version)
            .filter(|v| !v.is_deleted())
            .ok_or_else(|| version_not_found(name, version))
    }

    fn registered_mut(&mut self, name: &str) -> Result<&mut RegisteredModel> {
        if !self.registered_models.contains_key(name) {
            return Err(model_not_found(name));
        }
        self.mark_registered_model(name, false);
        Ok(self.registered_models.get_mut(name).expect("checked above"))
    }

    fn version_mut(&mut self, name: &str, version: u64) -> Result<&mut ModelVersion> {
        self.model_version(name, version)?;
        let m = self.registered_mut(name)?;
        Ok(m.versions.get_mut(&version).expect("checked above"))
    }

    pub(crate) fn apply_registry_change(&mut self, change: &Change) -> Result<Outcome> {
        match change {
            Change::CreateRegisteredModel {
                name,
                description,
                tags,
                time,
                existing,
            } => {
                validate_model_name(name)?;
                for (k, v) in tags {
                    validate_tag(k, v)?;
                }
                if self.registered_models.contains_key(name) {
                    return match existing {
                        OnExisting::UseIt => Ok(None),
                        OnExisting::Refuse => Err(already_exists(format!(
                            "Registered Model (name={name}) already exists."
                        ))),
                    };
                }
                let mut m = RegisteredModel::new(name, *time);
                m.description = description.clone();
                m.tags = tags.iter().cloned().collect();
                self.registered_models.insert(name.clone(), m);
                self.mark_registered_model(name, false);
            }
            Change::RenameRegisteredModel {
                name,
                new_name,
                time,
            } => {
                validate_model_name(new_name)?;
                self.registered_model(name)?;
                if new_name != name && self.registered_models.contains_key(new_name) {
                    return Err(already_exists(format!(
                        "Registered Model (name={new_name}) already exists."
                    )));
                }
                let mut m = self.registered_models.remove(name).expect("checked above");
                m.name = new_name.clone();
                m.last_updated_timestamp = Some(*time);
                for v in m.versions.values_mut() {
                    v.name = new_name.clone();
                }
                self.mark_registered_model(name, true);
                self.registered_models.insert(new_name.clone(), m);
                self.mark_registered_model(new_name, false);
            }
            Change::UpdateRegisteredModel {
                name,
                description,
                time,
            } => {
                let m = self.registered_mut(name)?;
                m.description = description.clone();
                m.last_updated_timestamp = Some(*time);
            }
            Change::DeleteRegisteredModel { name } => {
                self.registered_model(name)?;
                self.registered_models.remove(name);
                self.mark_registered_model(name, true);
            }
            Change::SetRegisteredModelTag { name, key, value } => {
                validate_tag(key, value)?;
                self.registered_mut(name)?
                    .tags
                    .insert(key.clone(), value.clone());
            }
            Change::DeleteRegisteredModelTag { name, key } => {
                // As MLflow's SQL store: deleting a tag that is not there is no error.
                self.registered_mut(name)?.tags.remove(key);
            }
            Change::CreateModelVersion { version } => {
                for (k, v) in &version.tags {
                    validate_tag(k, v)?;
                }
                let m = self.registered_mut(&version.name)?;
                let n = m.next_version();
                let mut v = version.clone();
                v.version = n;
                v.current_stage = Stage::None;
                m.last_updated_timestamp = Some(v.creation_timestamp);
                m.versions.insert(n, v);
                return Ok(Some(n.to_string()));
            }
            Change::UpdateModelVersion {
                name,
                version,
                description,
                time,
            } => {
                let v = self.version_mut(name, *version)?;
                v.description = description.clone();
                v.last_updated_timestamp = Some(*time);
            }
            Change::DeleteModelVersion {
                name,
                version,
                time,
            } => {
                let v = self.version_mut(name, *version)?;
                v.current_stage = Stage::DeletedInternal;
                v.last_updated_timestamp = Some(*time);
                v.description = None;
                v.user_id = None;
                v.status_message = None;
                v.source = Some(REDACTED_SOURCE.into());
                v.run_id = Some(REDACTED_RUN_ID.into());
                v.run_link = Some(REDACTED_RUN_LINK.into());
                let m = self.registered_mut(name)?;
                m.aliases.retain(|_, v| *v != *version);
                m.last_updated_timestamp = Some(*time);
            }
            Change::SetModelVersionTag {
                name,
                version,
                key,
                value,
            } => {
                validate_tag(key, value)?;
                self.version_mut(name, *version)?
                    .tags
                    .insert(key.clone(), value.clone());
            }
            Change::DeleteModelVersionTag { name, version, key } => {
                self.version_mut(name, *version)?.tags.remove(key);
            }
            Change::SetAlias {
                name,
                alias,
                version,
                time,
            } => {
                validate_alias(alias)?;
                self.model_version(name, *version)?;
                let m = self.registered_mut(name)?;
                m.aliases.insert(alias.clone(), *version);
                m.last_updated_timestamp = Some(*time);
            }
            Change::DeleteAlias { name, alias } => {
                self.registered_mut(name)?.aliases.remove(alias);
            }
            Change::TransitionStage {
                name,
                version,
                stage,
                archive_existing,
                time,
            } => {
                self.model_version(name, *version)?;
                let m = self.registered_mut(name)?;
                if *archive_existing && matches!(stage, Stage::Staging | Stage::Production) {
                    for other in m.versions.values_mut() {
                        if other.version != *version && other.current_stage == *stage {
                            other.current_stage = Stage::Archived;
                            other.last_updated_timestamp = Some(*time);
                        }
                    }
                }
                let v = m.versions.get_mut(version).expect("checked above");
                v.current_stage = *stage;
                v.last_updated_timestamp = Some(*time);
            }
            _ => unreachable!("Records::apply sends only registry changes here"),
        }
        Ok(None)
    }
}
