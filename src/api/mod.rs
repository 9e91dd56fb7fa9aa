//! The `mlflow` JS surface: the only code that handles `JsValue`.
//!
//! Every export has an explicit camelCase `js_name` mirroring MLflow's fluent API
//! (`mlflow.log_metric` → `logMetric`). Calls that touch storage return Promises;
//! logging calls queue and resolve at once (the service flushes in batches). The
//! fluent state (active experiment, stack of active runs) lives here, as it does in
//! MLflow's `mlflow.tracking.fluent`.

mod archive;
mod args;
mod artifacts;
mod bulk;
mod connect;
mod dto;
mod errors;
mod experiments;
mod logging;
mod models;
mod projects;
mod registry;
mod runs;
pub mod show;
mod system_metrics;
mod tfjs;

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::Promise;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use crate::service::{self, Service};

thread_local! {
    /// Experiment chosen by `setExperiment`.
    static ACTIVE_EXPERIMENT: RefCell<Option<String>> = const { RefCell::new(None) };
    /// Runs started by `startRun` and not ended, innermost last.
    static ACTIVE_RUNS: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

/// The service once `ready()` resolved; a clear error before.
fn svc() -> Result<Rc<Service>, JsValue> {
    service::ready().ok_or_else(|| {
        errors::js_error(
            crate::core::error::ErrorCode::InvalidState,
            "Ferroflow is not ready yet: import 'mlflow.js' (it waits for start-up), or await mlflow.ready() first.",
        )
    })
}

/// Runs `f` once the service is open, as a Promise.
fn with_service<F, Fut>(f: F) -> Promise
where
    F: FnOnce(Rc<Service>) -> Fut + 'static,
    Fut: std::future::Future<Output = Result<JsValue, JsValue>> + 'static,
{
    future_to_promise(async move {
        let s = service::service().await?;
        f(s).await
    })
}

/// A settled Promise for synchronous results.
fn settle(r: Result<JsValue, JsValue>) -> Promise {
    match r {
        Ok(v) => Promise::resolve(&v),
        Err(e) => Promise::reject(&e),
    }
}

/// What an id argument names.
#[derive(Clone, Copy)]
enum IdOf {
    Run,
    Experiment,
}

/// A change addressed by an id argument (`runId`, `experimentId`): an id this context
/// does not know is read through to the store first (another context may have made
/// it a moment ago); resolves once the change is merged into the store.
fn write_by_id(
    id: &JsValue,
    of: IdOf,
    f: impl FnOnce(&mut crate::core::tracking::Tracker, &str) -> crate::core::tracking::Result<()>
        + 'static,
) -> Promise {
    let what = match of {
        IdOf::Run => "runId",
        IdOf::Experiment => "experimentId",
    };
    let id = args::required_string(id, what);
    with_service(move |s| async move {
        let id = id?;
        match of {
            IdOf::Run => s.know_run(&id).await?,
            IdOf::Experiment => s.know_experiment(&id).await?,
        }
        s.write_committed(|t| f(t, &id)).await?;
        Ok(JsValue::UNDEFINED)
    })
}

/// Opens the store (once); resolves when the API is usable.
#[wasm_bindgen(js_name = ready)]
pub fn ready() -> Promise {
    with_service(|_| async { Ok(JsValue::UNDEFINED) })
}

/// Resolves when everything logged before this call is committed to IndexedDB.
#[wasm_bindgen(js_name = flush)]
pub fn flush() -> Promise {
    with_service(|s| async move {
        s.flush().await?;
        Ok(JsValue::UNDEFINED)
    })
}

fn active_experiment() -> Option<String> {
    ACTIVE_EXPERIMENT.with(|a| a.borrow().clone())
}

fn set_active_experiment(id: Option<String>) {
    ACTIVE_EXPERIMENT.with(|a| *a.borrow_mut() = id);
}

fn active_run_id() -> Option<String> {
    ACTIVE_RUNS.with(|a| a.borrow().last().cloned())
}

/// Calls `f` with the active run's id without copying it (the logging hot path).
fn with_active_run<T>(f: impl FnOnce(&str) -> T) -> Option<T> {
    ACTIVE_RUNS.with(|a| a.borrow().last().map(|id| f(id)))
}

fn has_active_run() -> bool {
    ACTIVE_RUNS.with(|a| !a.borrow().is_empty())
}

fn push_active_run(id: String) {
    ACTIVE_RUNS.with(|a| a.borrow_mut().push(id));
}

fn pop_active_run() -> Option<String> {
    ACTIVE_RUNS.with(|a| a.borrow_mut().pop())
}

/// Where the running code lives, for `mlflow.source.name`.
fn page_url() -> String {
    js_sys::Reflect::get(&js_sys::global(), &"location".into())
        .ok()
        .and_then(|loc| js_sys::Reflect::get(&loc, &"href".into()).ok())
        .and_then(|h| h.as_string())
        .unwrap_or_default()
}
