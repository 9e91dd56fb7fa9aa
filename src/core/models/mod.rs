//! MLflow Models: logged models (MLflow 3's LoggedModel entities), the `MLmodel` file,
//! and model URIs (`runs:/`, `models:/`) resolved as MLflow resolves them. Changes to
//! logged models go through the tracking journal (`core::tracking::change`). For
//! people: a model summarised (`summary`: flavors, signature rows, the load snippet)
//! and a run's `mlflow.log-model.history` tag read back (`history`).

mod apply;
pub mod autolog;
pub mod history;
pub mod logged_model;
pub mod mlmodel;
pub mod resolve;
pub mod search;
pub mod summary;
pub mod uri;

pub use apply::TAG_LOG_MODEL_HISTORY;
pub use logged_model::{is_model_id, LoggedModel, LoggedModelMetric, LoggedModelStatus, ModelId};
pub use uri::ModelUri;
