//! How a logged-model change applies to the records (`Records::apply` sends them here).

use crate::core::models::logged_model::{LoggedModel, LoggedModelStatus};
use crate::core::tracking::change::{Change, Outcome};
use crate::core::tracking::error::{already_exists, invalid, not_found, Result};
use crate::core::tracking::model::LifecycleStage;
use crate::core::tracking::records::Records;
use crate::core::tracking::rules;

/// The run tag listing a run's logged models (`mlflow.log-model.history`).
pub const TAG_LOG_MODEL_HISTORY: &str = "mlflow.log-model.history";

impl Records {
    /// A logged model by id, deleted ones included.
    pub fn logged_model(&self, id: &str) -> Result<&LoggedModel> {
        self.logged_models
            .get(id)
            .ok_or_else(|| not_found(format!("Logged model with ID '{id}' not found.")))
    }

    fn logged_model_mut(&mut self, id: &str, time: Option<i64>) -> Result<&mut LoggedModel> {
        self.logged_model(id)?;
        self.mark_logged_model(id);
        let m = self.logged_models.get_mut(id).expect("checked above");
        if let Some(t) = time {
            m.last_updated_timestamp = t;
        }
        Ok(m)
    }

    pub(crate) fn apply_model_change(&mut self, change: &Change) -> Result<Outcome> {
        match change {
            Change::CreateLoggedModel { model } => {
                self.active_experiment(&model.experiment_id)?;
                if let Some(run) = &model.source_run_id {
                    self.run(run)?;
                }
                for (k, v) in &model.tags {
                    rules::validate_tag(k, v)?;
                }
                for (k, v) in &model.params {
                    rules::validate_param(k, v)?;
                }
                if self.logged_models.contains_key(&model.model_id) {
                    return Err(already_exists(format!(
                        "Logged model '{}' already exists.",
                        model.model_id
                    )));
                }
                self.logged_models
                    .insert(model.model_id.clone(), model.clone());
                self.mark_logged_model(&model.model_id);
                return Ok(Some(model.model_id.clone()));
            }
            Change::FinalizeLoggedModel {
                model_id,
                status,
                message,
                time,
            } => {
                if *status == LoggedModelStatus::Pending {
                    return Err(invalid("A logged model is finalized as READY or FAILED."));
                }
                let m = self.logged_model_mut(model_id, Some(*time))?;
                m.status = *status;
                m.status_message = message.clone();
            }
            Change::SetLoggedModelTags {
                model_id,
                tags,
                time,
            } => {
                for (k, v) in tags {
                    rules::validate_tag(k, v)?;
                }
                let m = self.logged_model_mut(model_id, Some(*time))?;
                m.tags.extend(tags.iter().cloned());
            }
            Change::DeleteLoggedModelTag { model_id, key } => {
                if !self.logged_model(model_id)?.tags.contains_key(key) {
                    return Err(not_found(format!(
                        "No tag with key '{key}' on logged model '{model_id}'."
                    )));
                }
                self.logged_model_mut(model_id, None)?.tags.remove(key);
            }
            Change::DeleteLoggedModel { model_id, time } => {
                let m = self.logged_model_mut(model_id, Some(*time))?;
                m.lifecycle_stage = LifecycleStage::Deleted;
            }
            Change::AppendModelHistory { run_id, entry } => {
                let run = self.active_run(run_id)?;
                let old = run.run.tags.get(TAG_LOG_MODEL_HISTORY);
                let value = append_history(old.map(String::as_str), entry);
                self.run_mut(run_id)?
                    .run
                    .tags
                    .insert(TAG_LOG_MODEL_HISTORY.into(), value);
            }
            _ => unreachable!("Records::apply sends only logged-model changes here"),
        }
        Ok(None)
    }
}

/// The history tag with `entry` appended, keeping what was there byte for byte (a
/// value that is not a JSON list is replaced, as MLflow would fail to read it).
fn append_history(old: Option<&str>, entry: &str) -> String {
    let old = old.map(str::trim).filter(|o| {
        o.starts_with('[')
            && o.ends_with(']')
            && serde_json::from_str::<Vec<serde::de::IgnoredAny>>(o).is_ok()
    });
    match old {
        Some(o) if o.len() > 2 && o[1..o.len() - 1].trim().is_empty() => format!("[{entry}]"),
        Some(o) if o.len() > 2 => format!("{}, {entry}]", &o[..o.len() - 1]),
        _ => format!("[{entry}]"),
    }
}

#[cfg(test)]
mod tests {
    use super::append_history;

    #[test]
    fn history_entries_append_as_python_writes_them() {
        assert_eq!(append_history(None, "{\"a\": 1}"), "[{\"a\": 1}]");
        assert_eq!(append_history(Some("[]"), "{}"), "[{}]");
        assert_eq!(
            append_history(Some("[{\"a\": 1}]"), "{\"b\": 2}"),
            "[{\"a\": 1}, {\"b\": 2}]"
        );
        assert_eq!(append_history(Some("not json"), "{}"), "[{}]");
    }
}
