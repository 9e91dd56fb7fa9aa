//! The Model Registry: the registered-models list, one model, one version, and the
//! Register dialog the run page and the experiment's Models tab open. Each route's
//! module owns its private parts; `aliases` is shared by the model and version pages.

mod aliases;
mod confirm;
mod handle;
mod model;
mod models;
mod register;
mod version;

pub use model::ModelPage;
pub use models::Models;
pub use register::{RegisterButton, RegisterHost, Registration};
pub use version::VersionPage;

use crate::core::models::mlmodel::MlModel;
use crate::core::models::resolve::ModelFiles;
use crate::core::tracking::{Outcome, Result as TrackResult, Tracker};
use crate::service;

/// Makes a change that can lose a race to another tab (a name taken a moment ago),
/// and waits for the merge's verdict: `f`'s result and each change's outcome, or
/// MLflow's message.
pub async fn commit<T>(
    f: impl FnOnce(&mut Tracker, i64) -> TrackResult<T>,
) -> Result<(T, Vec<Outcome>), String> {
    let s = service::ready().ok_or_else(|| "The store is not open yet.".to_owned())?;
    let now = service::now_ms();
    s.write_committed(|t| f(t, now))
        .await
        .map_err(|e| e.to_string())
}

/// A model's `MLmodel`, read and parsed (`Ok(None)` if it has none).
pub async fn read_mlmodel(files: &ModelFiles) -> Result<Option<MlModel>, String> {
    let s = service::ready().ok_or_else(|| "The store is not open.".to_owned())?;
    let bytes = s
        .model_file(files, "MLmodel")
        .await
        .map_err(|e| e.to_string())?;
    bytes.map(|b| MlModel::parse(&b)).transpose()
}
