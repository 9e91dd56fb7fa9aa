//! `mlflow.show`: views that live in a notebook. `runs`, `chart` and `run` each return
//! an element (an Observable cell shows it as is; a page appends it) showing the
//! site's own runs table, metric charts or run summary, live while the store changes.
//!
//! They never throw inside a cell: options that cannot be read, an unknown run or
//! experiment and a bad filter become a message in the element and `element.error`
//! (an `Error` with MLflow's `code`; `null` while the view shows its content). Options
//! problems are there at once; what the view finds in the store, once it is in a
//! document.
//!
//! `api` does not call `ui`: the entry point installs the UI that builds the views
//! ([`install`]), and `mlflow.js` tells where the Ferroflow site is ([`set_site_url`]),
//! for the views' stylesheet and links.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use js_sys::Reflect;
use wasm_bindgen::prelude::*;

use super::args::{describe, opt_string, Opts};
use super::errors::{invalid_arg, js_error};
use crate::core::error::ErrorCode;
use crate::core::views::{ChartSpec, RunSpec, RunsSpec, ViewError, ViewSpec};
use crate::service;

/// Builds a view's element: the spec (or the message of options that could not be
/// read), the site's URL, and who hears the errors the view shows over its life.
/// `Err` where no element can be made (no document).
pub type BuildView = fn(
    Result<ViewSpec, String>,
    Option<String>,
    Rc<dyn Fn(&web_sys::HtmlElement, Option<&ViewError>)>,
) -> Result<web_sys::HtmlElement, String>;

thread_local! {
    static BUILD: Cell<Option<BuildView>> = const { Cell::new(None) };
    static SITE: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Called by the entry point with the UI's view builder.
pub fn install(build: BuildView) {
    BUILD.with(|b| b.set(Some(build)));
}

#[wasm_bindgen(typescript_custom_section)]
const TS_SHOW: &str = r#"
export interface ShowRunsOptions {
  /** The experiment (or experimentName; neither: the active experiment, else Default). */
  experimentId?: string;
  experimentName?: string;
  /** MLflow's search filter, as the runs table takes it: "metrics.acc > 0.9". */
  filter?: string;
  /** Extra columns: "params.lr", "metrics.acc", "tags.team", "attributes.end_time". */
  columns?: string[];
}
export interface ShowChartOptions {
  /** The run (or runIds, overlaid; neither: the active run). */
  runId?: string;
  runIds?: string[];
  /** A chart per metric key; every metric the runs log when left out. */
  keys?: string[];
  /** The x axis: "step" (default), "time" (wall clock) or "relative" (since the first point). */
  x?: "step" | "time" | "relative";
  /** EMA smoothing weight, 0 (default, none) to 1. */
  smoothing?: number;
  /** A log y axis. */
  logY?: boolean;
}
/** A view: append it to a page; an Observable cell shows it as is. It follows the
 * store while it is in the document and lets go of it when removed. */
export interface ViewElement extends HTMLElement {
  /** What the view shows instead of its content (a bad option or filter, an unknown
   * run or experiment), or null. */
  readonly error: MlflowError | null;
}
"#;

/// Where the Ferroflow site is (the directory `mlflow.js` was loaded from); the views
/// link its stylesheet and pages there. `mlflow.js` calls it once.
#[wasm_bindgen(js_name = __ferroflowSetViewsSite)]
pub fn set_site_url(url: String) {
    SITE.with(|s| *s.borrow_mut() = Some(url));
}

/// How many listeners hear this context's commits: the site's UI and each view in the
/// document. Not API: for tests that views let go when removed.
#[wasm_bindgen(js_name = __ferroflowSubscriberCount)]
pub fn subscriber_count() -> usize {
    service::ready().map_or(0, |s| s.subscriber_count())
}

/// `mlflow.show.runs({experimentName | experimentId, filter, columns})`: the
/// experiment's runs table.
#[wasm_bindgen(js_name = showRuns, unchecked_return_type = "ViewElement")]
pub fn show_runs(
    #[wasm_bindgen(unchecked_optional_param_type = "ShowRunsOptions")] options: Option<JsValue>,
) -> Result<JsValue, JsValue> {
    show(runs_spec(&options.unwrap_or(JsValue::UNDEFINED)))
}

/// `mlflow.show.chart({runId | runIds, keys, x, smoothing, logY})`: a chart per metric.
#[wasm_bindgen(js_name = showChart, unchecked_return_type = "ViewElement")]
pub fn show_chart(
    #[wasm_bindgen(unchecked_optional_param_type = "ShowChartOptions")] options: Option<JsValue>,
) -> Result<JsValue, JsValue> {
    show(chart_spec(&options.unwrap_or(JsValue::UNDEFINED)))
}

/// `mlflow.show.run(runId)`: the run's name, facts, params and metrics.
#[wasm_bindgen(js_name = showRun, unchecked_return_type = "ViewElement")]
pub fn show_run(
    #[wasm_bindgen(js_name = runId, unchecked_optional_param_type = "string")] run_id: Option<
        JsValue,
    >,
) -> Result<JsValue, JsValue> {
    show(run_spec(&run_id.unwrap_or(JsValue::UNDEFINED)))
}

fn from_view_error(e: ViewError) -> JsValue {
    js_error(e.code, &e.message)
}

fn runs_spec(options: &JsValue) -> Result<ViewSpec, JsValue> {
    let o = Opts::new(options, "mlflow.show.runs options")?;
    let spec = RunsSpec::new(
        o.string("experimentId")?,
        o.string("experimentName")?,
        super::active_experiment(),
        o.string("filter")?,
        &o.strings("columns")?,
    );
    spec.map(ViewSpec::Runs).map_err(from_view_error)
}

fn chart_spec(options: &JsValue) -> Result<ViewSpec, JsValue> {
    let o = Opts::new(options, "mlflow.show.chart options")?;
    let run_ids = match o.get("runIds") {
        v if v.is_undefined() || v.is_null() => None,
        _ => Some(o.strings("runIds")?),
    };
    let keys = match o.get("keys") {
        v if v.is_undefined() || v.is_null() => None,
        _ => Some(o.strings("keys")?),
    };
    let spec = ChartSpec::new(
        o.string("runId")?,
        run_ids,
        super::active_run_id(),
        keys,
        o.string("x")?.as_deref(),
        o.number("smoothing")?,
        o.bool("logY")?,
    );
    spec.map(ViewSpec::Chart).map_err(from_view_error)
}

fn run_spec(run_id: &JsValue) -> Result<ViewSpec, JsValue> {
    if run_id.is_object() {
        return Err(invalid_arg(format!(
            "mlflow.show.run takes a run id (a string), got {}",
            describe(run_id)
        )));
    }
    let id = opt_string(run_id, "runId")?;
    RunSpec::new(id, super::active_run_id())
        .map(ViewSpec::Run)
        .map_err(from_view_error)
}

/// The element for `spec`; an options error is its message and `element.error`.
fn show(spec: Result<ViewSpec, JsValue>) -> Result<JsValue, JsValue> {
    let build = BUILD.with(Cell::get).ok_or_else(|| {
        js_error(
            ErrorCode::InvalidState,
            "mlflow.show needs a page: there is no document here (in a worker?).",
        )
    })?;
    let (spec, early) = match spec {
        Ok(spec) => (Ok(spec), JsValue::NULL),
        Err(e) => {
            let message = Reflect::get(&e, &"message".into())
                .ok()
                .and_then(|m| m.as_string())
                .unwrap_or_else(|| "The options could not be read.".to_owned());
            (Err(message), e)
        }
    };
    let site = SITE.with(|s| s.borrow().clone());
    let report = Rc::new(|el: &web_sys::HtmlElement, e: Option<&ViewError>| {
        let value = e.map_or(JsValue::NULL, |e| js_error(e.code, &e.message));
        let _ = Reflect::set(el, &"error".into(), &value);
    });
    let el = build(spec, site, report).map_err(|m| js_error(ErrorCode::InvalidState, &m))?;
    // `null` until the view shows an error; an options error from the start.
    if !Reflect::has(&el, &"error".into()).unwrap_or(false) || !early.is_null() {
        Reflect::set(&el, &"error".into(), &early)?;
    }
    Ok(el.into())
}
