//! Model URIs as MLflow parses them (`mlflow/store/artifact/utils/models.py`):
//! `runs:/<run>/<path>`, `models:/<model id>`, `models:/<name>/<version>`,
//! `models:/<name>/latest`, `models:/<name>/<stage>`, `models:/<name>@<alias>`.

use crate::core::tracking::error::{invalid, Result};

/// A parsed model URI.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ModelUri {
    /// `runs:/<run>/<path>`: a run's artifact folder (or its LoggedModel of that name).
    Run {
        /// The run.
        run_id: String,
        /// Path under the run's artifacts (`model`, `tfjs-model`, …).
        path: String,
    },
    /// `models:/m-…`: a LoggedModel.
    LoggedModel {
        /// Its id.
        model_id: String,
    },
    /// `models:/<name>/<n>`.
    Version {
        /// Registered model.
        name: String,
        /// Version number.
        version: u64,
    },
    /// `models:/<name>/latest`: the highest version not deleted.
    Latest {
        /// Registered model.
        name: String,
    },
    /// `models:/<name>/<Stage>`: the newest version in a stage (deprecated in MLflow).
    Stage {
        /// Registered model.
        name: String,
        /// Stage as written (matched case-insensitively).
        stage: String,
    },
    /// `models:/<name>@<alias>`.
    Alias {
        /// Registered model.
        name: String,
        /// Alias.
        alias: String,
    },
}

fn bad(uri: &str, why: &str) -> crate::core::tracking::TrackingError {
    invalid(format!(
        "Not a valid model URI: '{uri}' ({why}). Use runs:/<run_id>/<path>, models:/<model_id>, \
         models:/<name>/<version>, models:/<name>/latest or models:/<name>@<alias>."
    ))
}

impl ModelUri {
    /// Parses `uri` as MLflow does.
    pub fn parse(uri: &str) -> Result<ModelUri> {
        if let Some(rest) = uri.strip_prefix("runs:/") {
            let rest = rest.trim_start_matches('/');
            let (run_id, path) = rest.split_once('/').unwrap_or((rest, ""));
            if run_id.is_empty() {
                return Err(bad(uri, "no run id"));
            }
            return Ok(ModelUri::Run {
                run_id: run_id.to_owned(),
                path: path.trim_matches('/').to_owned(),
            });
        }
        let Some(path) = uri.strip_prefix("models:/") else {
            return Err(bad(uri, "it starts with neither runs:/ nor models:/"));
        };
        let path = path.trim_start_matches('/');
        let mut parts = path.splitn(2, '/');
        let first = parts.next().unwrap_or_default();
        if first.trim().is_empty() {
            return Err(bad(uri, "no model name or id"));
        }
        match parts.next() {
            Some(suffix) if suffix.trim().is_empty() => Err(bad(uri, "nothing after the name")),
            Some(suffix) if suffix.contains('/') => Err(bad(uri, "too many parts")),
            Some(suffix) if !suffix.is_empty() && suffix.bytes().all(|b| b.is_ascii_digit()) => {
                let version = suffix
                    .parse()
                    .map_err(|_| bad(uri, "the version number is too large"))?;
                Ok(ModelUri::Version {
                    name: first.to_owned(),
                    version,
                })
            }
            Some(suffix) if suffix.eq_ignore_ascii_case("latest") => Ok(ModelUri::Latest {
                name: first.to_owned(),
            }),
            Some(suffix) => Ok(ModelUri::Stage {
                name: first.to_owned(),
                stage: suffix.to_owned(),
            }),
            None => match first.rsplit_once('@') {
                Some((name, alias)) if !alias.trim().is_empty() && !name.is_empty() => {
                    Ok(ModelUri::Alias {
                        name: name.to_owned(),
                        alias: alias.to_owned(),
                    })
                }
                _ => Ok(ModelUri::LoggedModel {
                    model_id: first.to_owned(),
                }),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_mlflow_accepts() {
        let p = |s| ModelUri::parse(s).unwrap();
        assert_eq!(
            p("runs:/abc/model"),
            ModelUri::Run {
                run_id: "abc".into(),
                path: "model".into()
            }
        );
        assert_eq!(
            p("runs:/abc/a/b/"),
            ModelUri::Run {
                run_id: "abc".into(),
                path: "a/b".into()
            }
        );
        assert_eq!(
            p("models:/m-0123"),
            ModelUri::LoggedModel {
                model_id: "m-0123".into()
            }
        );
        assert_eq!(
            p("models:/mnist/3"),
            ModelUri::Version {
                name: "mnist".into(),
                version: 3
            }
        );
        assert_eq!(
            p("models:/mnist/LATEST"),
            ModelUri::Latest {
                name: "mnist".into()
            }
        );
        assert_eq!(
            p("models:/mnist/Production"),
            ModelUri::Stage {
                name: "mnist".into(),
                stage: "Production".into()
            }
        );
        assert_eq!(
            p("models:/my@model@champion"),
            ModelUri::Alias {
                name: "my@model".into(),
                alias: "champion".into()
            }
        );
    }

    #[test]
    fn malformed_uris_are_refused_with_the_forms_named() {
        for bad in [
            "",
            "s3://x",
            "runs:/",
            "models:/",
            "models:/x/",
            "models:/x/1/2",
            "runs:model",
        ] {
            let e = ModelUri::parse(bad).unwrap_err();
            assert_eq!(
                e.code,
                crate::core::error::ErrorCode::InvalidParameterValue,
                "{bad}"
            );
            assert!(e.message.contains("models:/<name>@<alias>"), "{bad}: {e}");
        }
    }
}
