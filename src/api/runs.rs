//! Runs: start, end, get, search, delete, restore, terminate.

use js_sys::Promise;
use wasm_bindgen::prelude::*;

use super::args::{required_string, Opts};
use super::dto::{to_js, RunDto};
use super::{errors, svc, with_service, write_by_id, IdOf};
use crate::core::error::ErrorCode;
use crate::core::tracking::model::RunStatus;
use crate::core::tracking::{NewRun, RunSource};
use crate::service::{now_ms, Service};

pub(super) fn run_js(s: &Service, id: &str) -> Result<JsValue, JsValue> {
    Ok(s.read(|t| t.run(id).map(|r| to_js(&RunDto::from(r))))?)
}

fn source() -> RunSource {
    RunSource {
        user: String::new(),
        name: super::page_url(),
        kind: "LOCAL".into(),
    }
}

fn already_active() -> JsValue {
    let active = super::active_run_id().unwrap_or_default();
    errors::js_error(
        ErrorCode::InvalidState,
        &format!(
            "Run with UUID {active} is already active. To start a new run, first end the current run with mlflow.endRun(). To start a nested run, call startRun({{nested: true}})."
        ),
    )
}

/// Starts a run in the active experiment (or `experimentId`), like `mlflow.start_run`.
pub(super) fn start_run_now(o: &Opts) -> Result<String, JsValue> {
    let s = svc()?;
    let nested = o.bool("nested")?;
    let resume = o.string("runId")?;
    if let (Some(active), false) = (super::active_run_id(), nested) {
        if resume.as_deref() == Some(active.as_str()) {
            return Ok(active);
        }
    }
    if let Some(resume) = resume {
        if super::active_run_id().is_some() && !nested {
            return Err(already_active());
        }
        s.write(|t| {
            if t.run(&resume)?.info.lifecycle_stage == crate::core::tracking::model::LifecycleStage::Deleted {
                return Err(crate::core::tracking::invalid(format!(
                    "Cannot start run with ID {resume} because it is in the deleted state; restore it first (mlflow.restoreRun)."
                )));
            }
            t.set_terminated(&resume, RunStatus::Running, now_ms())
        })?;
        super::push_active_run(resume.clone());
        return Ok(resume);
    }
    let mut parent = o.string("parentRunId")?;
    if let Some(active) = super::active_run_id() {
        if !nested && parent.is_none() {
            return Err(already_active());
        }
        parent.get_or_insert(active);
    }
    let args = NewRun {
        experiment_id: o.string("experimentId")?.or_else(super::active_experiment),
        run_name: o.string("runName")?,
        parent_run_id: parent,
        tags: o.string_map("tags")?,
        description: o.string("description")?,
        source: source(),
    };
    let id = s.write(|t| t.create_run(args, now_ms()))?;
    super::push_active_run(id.clone());
    if o.bool("logSystemMetrics")? {
        let tf =
            js_sys::Reflect::get(&js_sys::global(), &"tf".into()).unwrap_or(JsValue::UNDEFINED);
        super::system_metrics::start(&id, &tf);
    }
    Ok(id)
}

/// `startRun({runName?, experimentId?, nested?, parentRunId?, runId?, tags?, description?}) → Run`.
#[wasm_bindgen(js_name = startRun, unchecked_return_type = "Promise<Run>")]
pub fn start_run(
    #[wasm_bindgen(unchecked_optional_param_type = "StartRunOptions")] options: Option<JsValue>,
) -> Promise {
    let options = options.unwrap_or(JsValue::UNDEFINED);

    with_service(move |s| async move {
        let o = Opts::new(&options, "startRun options")?;
        // A run to resume (or a parent) may come from another context.
        for key in ["runId", "parentRunId"] {
            if let Some(id) = o.string(key)? {
                s.know_run(&id).await?;
            }
        }
        // Stored by the flush this schedules at once (not awaited: a sweep's
        // startRun + endRun then costs one transaction).
        let id = start_run_now(&o)?;
        run_js(&s, &id)
    })
}

/// `activeRun() → Run | null`.
#[wasm_bindgen(js_name = activeRun, unchecked_return_type = "Run | null")]
pub fn active_run() -> Result<JsValue, JsValue> {
    let s = svc()?;
    match super::active_run_id() {
        Some(id) => run_js(&s, &id),
        None => Ok(JsValue::NULL),
    }
}

fn parse_status(v: &JsValue, default: RunStatus) -> Result<RunStatus, JsValue> {
    match super::args::opt_string(v, "status")? {
        None => Ok(default),
        Some(st) => RunStatus::parse(&st).ok_or_else(|| {
            errors::invalid_arg(format!(
                "Unknown run status '{st}'; use RUNNING, SCHEDULED, FINISHED, FAILED or KILLED."
            ))
        }),
    }
}

/// `endRun(status = "FINISHED")`: ends the active run and commits everything it logged.
#[wasm_bindgen(js_name = endRun, unchecked_return_type = "Promise<void>")]
pub fn end_run(
    #[wasm_bindgen(unchecked_optional_param_type = "RunStatus")] status: Option<JsValue>,
) -> Promise {
    let status = status.unwrap_or(JsValue::UNDEFINED);

    with_service(move |s| async move {
        let status = parse_status(&status, RunStatus::Finished)?;
        if let Some(id) = super::pop_active_run() {
            super::system_metrics::stop(&id);
            s.write(|t| t.set_terminated(&id, status, now_ms()))?;
        }
        s.flush().await?;
        Ok(JsValue::UNDEFINED)
    })
}

/// `getRun(runId) → Run`.
#[wasm_bindgen(js_name = getRun, unchecked_return_type = "Promise<Run>")]
pub fn get_run(
    #[wasm_bindgen(js_name = runId, unchecked_param_type = "string")] run_id: JsValue,
) -> Promise {
    with_service(move |s| async move {
        let id = required_string(&run_id, "runId")?;
        s.know_run(&id).await?;
        run_js(&s, &id)
    })
}

/// `searchRuns({experimentIds?, filter?, orderBy?, maxResults?, viewType?}) → Run[]`.
#[wasm_bindgen(js_name = searchRuns, unchecked_return_type = "Promise<Run[]>")]
pub fn search_runs(
    #[wasm_bindgen(unchecked_optional_param_type = "SearchRunsOptions")] options: Option<JsValue>,
) -> Promise {
    let options = options.unwrap_or(JsValue::UNDEFINED);

    with_service(move |s| async move {
        let o = Opts::new(&options, "searchRuns options")?;
        let ids = o.strings("experimentIds")?;
        let view = super::experiments::view_type(&o)?;
        let filter = o.string("filter")?.unwrap_or_default();
        let order = o.strings("orderBy")?;
        let max = super::experiments::max_results(&o)?;
        // Experiments another context made a moment ago are read through.
        for id in &ids {
            s.know_experiment(id).await?;
        }
        let out = js_sys::Array::new();
        s.read(|t| {
            let runs =
                crate::core::tracking::queries::search_runs(t, &ids, view, &filter, &order, max)?;
            for r in runs {
                out.push(&to_js(&RunDto::from(r)));
            }
            Ok::<_, crate::core::tracking::queries::QueryError>(())
        })?;
        Ok(out.into())
    })
}

/// `deleteRun(runId)`: soft delete.
#[wasm_bindgen(js_name = deleteRun, unchecked_return_type = "Promise<void>")]
pub fn delete_run(
    #[wasm_bindgen(js_name = runId, unchecked_param_type = "string")] run_id: JsValue,
) -> Promise {
    write_by_id(&run_id, IdOf::Run, |t, id| t.delete_run(id, now_ms()))
}

/// `restoreRun(runId)`.
#[wasm_bindgen(js_name = restoreRun, unchecked_return_type = "Promise<void>")]
pub fn restore_run(
    #[wasm_bindgen(js_name = runId, unchecked_param_type = "string")] run_id: JsValue,
) -> Promise {
    write_by_id(&run_id, IdOf::Run, |t, id| t.restore_run(id))
}

/// `setTerminated(runId, status = "FINISHED")`.
#[wasm_bindgen(js_name = setTerminated, unchecked_return_type = "Promise<void>")]
pub fn set_terminated(
    #[wasm_bindgen(js_name = runId, unchecked_param_type = "string")] run_id: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "RunStatus")] status: Option<JsValue>,
) -> Promise {
    let status = status.unwrap_or(JsValue::UNDEFINED);

    match parse_status(&status, RunStatus::Finished) {
        Ok(st) => write_by_id(&run_id, IdOf::Run, move |t, id| {
            if st.is_terminated() {
                super::system_metrics::stop(id);
            }
            t.set_terminated(id, st, now_ms())
        }),
        Err(e) => Promise::reject(&e),
    }
}
