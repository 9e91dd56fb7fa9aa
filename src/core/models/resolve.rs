//! Which files a model URI names, as MLflow resolves it
//! (`models_artifact_repo.py`, `runs_artifact_repo.py`): a LoggedModel's artifacts, or
//! a folder of a run's artifacts (MLflow 2.x models).

use crate::core::models::logged_model::is_model_id;
use crate::core::models::uri::ModelUri;
use crate::core::registry::model::{ModelVersion, Stage};
use crate::core::tracking::error::{invalid, not_found, Result};
use crate::core::tracking::model::LifecycleStage;
use crate::core::tracking::Tracker;

/// Where a model's files are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ModelFiles {
    /// A LoggedModel's artifacts.
    LoggedModel {
        /// Its id.
        model_id: String,
    },
    /// A folder of a run's artifacts.
    RunArtifacts {
        /// The run.
        run_id: String,
        /// The folder (`model`).
        path: String,
    },
}

/// A resolved model URI: its files, and the registry version it went through.
#[derive(Clone, Debug, PartialEq)]
pub struct Resolved<'a> {
    /// Where the files are.
    pub files: ModelFiles,
    /// The version, for `models:/<name>/…` URIs.
    pub version: Option<&'a ModelVersion>,
}

/// Resolves `uri` against the view.
pub fn resolve<'a>(t: &'a Tracker, uri: &str) -> Result<Resolved<'a>> {
    let parsed = ModelUri::parse(uri)?;
    let version = match &parsed {
        ModelUri::Run { run_id, path } => {
            return Ok(Resolved {
                files: run_files(t, run_id, path)?,
                version: None,
            })
        }
        ModelUri::LoggedModel { model_id } => {
            return Ok(Resolved {
                files: logged_model_files(t, model_id)?,
                version: None,
            })
        }
        ModelUri::Version { name, version } => t.model_version(name, *version)?,
        ModelUri::Latest { name } => t
            .registered_model(name)?
            .live_versions()
            .next_back()
            .ok_or_else(|| not_found(format!("Latest version not found for model {name}.")))?,
        ModelUri::Stage { name, stage } => {
            let wanted = Stage::parse(stage)
                .filter(|s| *s != Stage::DeletedInternal)
                .ok_or_else(|| {
                    invalid(format!(
                        "Invalid Model Version stage: {stage}. Value must be one of None, \
                         Staging, Production, Archived."
                    ))
                })?;
            t.registered_model(name)?
                .live_versions()
                .rev()
                .find(|v| v.current_stage == wanted)
                .ok_or_else(|| {
                    not_found(format!(
                        "No versions of model with name '{name}' and stage '{stage}' found"
                    ))
                })?
        }
        ModelUri::Alias { name, alias } => {
            let m = t.registered_model(name)?;
            let v = m
                .aliases
                .get(alias)
                .ok_or_else(|| invalid(format!("Registered model alias {alias} not found.")))?;
            t.model_version(name, *v)?
        }
    };
    Ok(Resolved {
        files: version_files(t, version)?,
        version: Some(version),
    })
}

/// `runs:/<run>/<path>`: the run's LoggedModel of that name (MLflow 3), else the
/// run's artifact folder.
fn run_files(t: &Tracker, run_id: &str, path: &str) -> Result<ModelFiles> {
    let run = t.run(run_id)?;
    let first = path.split('/').next().unwrap_or_default();
    let logged = t.logged_models().find(|m| {
        m.lifecycle_stage == LifecycleStage::Active
            && m.experiment_id == run.info.experiment_id
            && m.source_run_id.as_deref() == Some(run_id)
            && m.name == first
            && !first.is_empty()
    });
    Ok(match logged {
        Some(m) => ModelFiles::LoggedModel {
            model_id: m.model_id.clone(),
        },
        None => ModelFiles::RunArtifacts {
            run_id: run_id.to_owned(),
            path: path.to_owned(),
        },
    })
}

fn logged_model_files(t: &Tracker, model_id: &str) -> Result<ModelFiles> {
    let m = t.logged_model(model_id)?;
    if m.lifecycle_stage != LifecycleStage::Active {
        return Err(not_found(format!(
            "Logged model with ID '{model_id}' not found."
        )));
    }
    Ok(ModelFiles::LoggedModel {
        model_id: model_id.to_owned(),
    })
}

/// A version's files: its LoggedModel, else what its source (or resolved storage
/// location) names.
fn version_files(t: &Tracker, v: &ModelVersion) -> Result<ModelFiles> {
    if let Some(id) = v
        .model_id
        .as_deref()
        .filter(|id| t.logged_model(id).is_ok())
    {
        return logged_model_files(t, id);
    }
    let sources = [v.source.as_deref(), v.storage_location.as_deref()];
    for source in sources.into_iter().flatten() {
        if source.starts_with("runs:/") || source.starts_with("models:/") {
            if let Ok(r) = resolve(t, source) {
                return Ok(r.files);
            }
            continue;
        }
        if let Some(files) = files_of_location(t, source) {
            return Ok(files);
        }
    }
    Err(not_found(format!(
        "The files of model version (name={}, version={}) are not in this store: its source \
         is '{}'.",
        v.name,
        v.version,
        v.source.as_deref().unwrap_or("")
    )))
}

/// A stored location (`file:///…/mlruns/<exp>/models/m-…/artifacts`,
/// `…/<exp>/<run>/artifacts/model`) as files this store holds.
fn files_of_location(t: &Tracker, location: &str) -> Option<ModelFiles> {
    let parts: Vec<&str> = location.trim_end_matches('/').split('/').collect();
    for (i, part) in parts.iter().enumerate() {
        if is_model_id(part)
            && parts.get(i + 1) == Some(&"artifacts")
            && t.logged_model(part).is_ok()
        {
            return Some(ModelFiles::LoggedModel {
                model_id: (*part).to_owned(),
            });
        }
        if *part == "artifacts" && i > 0 && t.run(parts[i - 1]).is_ok() {
            return Some(ModelFiles::RunArtifacts {
                run_id: parts[i - 1].to_owned(),
                path: parts[i + 1..].join("/"),
            });
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::tracking::{ErrorCode, NewLoggedModel, NewRun, NewVersion};

    #[test]
    fn every_uri_form_resolves_as_mlflow_resolves_it() {
        let mut t = Tracker::load(vec![], vec![], 1, 10);
        let run = t.create_run(NewRun::default(), 10).unwrap();
        let mid = t
            .create_logged_model(
                NewLoggedModel {
                    experiment_id: "0".into(),
                    name: "tfjs-model".into(),
                    source_run_id: Some(run.clone()),
                    ..Default::default()
                },
                11,
            )
            .unwrap();
        let logged = ModelFiles::LoggedModel {
            model_id: mid.clone(),
        };
        let f = |t: &Tracker, u: &str| resolve(t, u).map(|r| r.files);
        assert_eq!(
            f(&t, &format!("runs:/{run}/tfjs-model")).unwrap(),
            logged,
            "3.x: the run's LoggedModel"
        );
        assert_eq!(
            f(&t, &format!("runs:/{run}/other/model")).unwrap(),
            ModelFiles::RunArtifacts {
                run_id: run.clone(),
                path: "other/model".into()
            }
        );
        assert_eq!(f(&t, &format!("models:/{mid}")).unwrap(), logged);
        for source in [format!("models:/{mid}"), format!("runs:/{run}/tfjs-model")] {
            t.create_model_version(
                NewVersion {
                    name: "m".into(),
                    source,
                    create_model: true,
                    ..Default::default()
                },
                12,
            )
            .unwrap();
        }
        t.set_alias("m", "champion", 1, 13).unwrap();
        t.transition_stage("m", 2, Stage::Staging, false, 14)
            .unwrap();
        for u in [
            "models:/m/1",
            "models:/m/latest",
            "models:/m@champion",
            "models:/m/staging",
        ] {
            assert_eq!(f(&t, u).unwrap(), logged, "{u}");
        }
        assert_eq!(
            resolve(&t, "models:/m/latest")
                .unwrap()
                .version
                .unwrap()
                .version,
            2
        );
        let code = |u: &str| resolve(&t, u).unwrap_err().code;
        assert_eq!(code("models:/m@nope"), ErrorCode::InvalidParameterValue);
        assert_eq!(code("models:/m/7"), ErrorCode::ResourceDoesNotExist);
        assert_eq!(code("models:/nope/1"), ErrorCode::ResourceDoesNotExist);
        assert_eq!(
            code("models:/m-00000000000000000000000000000000"),
            ErrorCode::ResourceDoesNotExist
        );
        assert_eq!(code("gs://x"), ErrorCode::InvalidParameterValue);
    }

    #[test]
    fn imported_sources_resolve_through_their_stored_locations() {
        let mut t = Tracker::load(vec![], vec![], 1, 10);
        let run = t.create_run(NewRun::default(), 10).unwrap();
        t.create_model_version(
            NewVersion {
                name: "old".into(),
                source: format!("file:///home/me/mlruns/0/{run}/artifacts/model"),
                create_model: true,
                ..Default::default()
            },
            11,
        )
        .unwrap();
        assert_eq!(
            resolve(&t, "models:/old/1").unwrap().files,
            ModelFiles::RunArtifacts {
                run_id: run,
                path: "model".into()
            }
        );
        t.create_model_version(
            NewVersion {
                name: "old".into(),
                source: "s3://bucket/x".into(),
                ..Default::default()
            },
            12,
        )
        .unwrap();
        let e = resolve(&t, "models:/old/2").unwrap_err();
        assert!(e.message.contains("not in this store"), "{e}");
    }
}
