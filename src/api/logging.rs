//! Logging params, metrics and tags to the active run, or to `{runId}` given as the
//! last option (like `MlflowClient`). Without an active run one is started, as
//! MLflow's fluent API does.
//!
//! `logMetric` is the hot path of a training loop: it queues the point in memory
//! and returns a settled Promise; nothing here waits on IndexedDB.

use js_sys::Promise;
use wasm_bindgen::prelude::*;

use super::args::{describe, required_string, string_map, value_to_string, Opts};
use super::{errors, settle, svc, with_service};
use crate::core::tracking::model::MetricPoint;
use crate::service::{now_ms, Service};

#[wasm_bindgen(inline_js = r#"
// One boundary crossing for the common shapes of logMetric's third argument:
// absent → NaN; a number or {step} → the step; anything else → -Infinity (slow path).
export function fast_step(o) {
  if (o === undefined || o === null) return NaN;
  if (typeof o === "number") return o;
  if (typeof o === "object" && o.timestamp === undefined && o.runId === undefined) {
    const s = o.step;
    if (s === undefined || s === null) return NaN;
    if (typeof s === "number") return s;
  }
  return -Infinity;
}
"#)]
extern "C" {
    fn fast_step(options: &JsValue) -> f64;
}

thread_local! {
    /// The Promise every successful logMetric call returns (already resolved).
    static RESOLVED: Promise = Promise::resolve(&JsValue::UNDEFINED);
}

/// The run to log to: `runId` if given, else the active run, else a new one.
pub(super) fn target_run(run_id: &JsValue) -> Result<String, JsValue> {
    if let Some(id) = run_id.as_string() {
        return Ok(id);
    }
    if !run_id.is_undefined() && !run_id.is_null() {
        return Err(errors::invalid_arg(format!(
            "runId must be a string, got {}",
            describe(run_id)
        )));
    }
    if let Some(id) = super::active_run_id() {
        return Ok(id);
    }
    super::runs::start_run_now(&Opts::new(&JsValue::UNDEFINED, "")?)
}

/// Whether this context's view knows the run (else it is read through first).
pub(super) fn knows(s: &Service, run: &str) -> bool {
    s.read(|t| t.run(run).is_ok())
}

pub(super) fn whole_number(v: &JsValue, what: &str, key: &str) -> Result<Option<i64>, JsValue> {
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    match v.as_f64() {
        Some(n) => whole(n, what, key).map(Some),
        None => Err(errors::invalid_arg(format!(
            "Metric '{key}': {what} must be a whole number, got {}",
            describe(v)
        ))),
    }
}

fn whole(n: f64, what: &str, key: &str) -> Result<i64, JsValue> {
    if n.fract() == 0.0 && n.abs() <= 9_007_199_254_740_991.0 {
        Ok(n as i64)
    } else {
        Err(errors::invalid_arg(format!(
            "Metric '{key}': {what} must be a whole number, got {n}"
        )))
    }
}

pub(super) fn metric_value(v: &JsValue, key: &str) -> Result<f64, JsValue> {
    v.as_f64().ok_or_else(|| {
        errors::invalid_arg(format!(
            "Got invalid value {} for metric '{key}'. Please specify value as a number (NaN and ±Infinity are allowed).",
            describe(v)
        ))
    })
}

/// Reads `{step?, timestamp?, runId?}` (or a bare number as the step).
fn metric_options(
    options: &JsValue,
    key: &str,
) -> Result<(Option<i64>, Option<i64>, JsValue), JsValue> {
    if options.is_undefined() || options.is_null() {
        return Ok((None, None, JsValue::UNDEFINED));
    }
    if options.as_f64().is_some() {
        return Ok((
            whole_number(options, "step", key)?,
            None,
            JsValue::UNDEFINED,
        ));
    }
    let o = Opts::new(options, "logMetric options ({step, timestamp, runId})")?;
    Ok((
        whole_number(&o.get("step"), "step", key)?,
        whole_number(&o.get("timestamp"), "timestamp", key)?,
        o.get("runId"),
    ))
}

fn log_one(
    s: &std::rc::Rc<Service>,
    run: &str,
    key: &str,
    value: f64,
    step: Option<i64>,
    ts: Option<i64>,
) -> Result<(), JsValue> {
    let point = MetricPoint {
        timestamp: ts.unwrap_or_else(now_ms),
        value,
        step: step.unwrap_or(0),
    };
    Ok(s.write(|t| t.log_metric(run, key, point))?)
}

/// `logMetric(key, value, {step?, timestamp?, runId?})`: queues one point and returns
/// an already-resolved Promise (a refused point rejects it).
#[wasm_bindgen(js_name = logMetric, unchecked_return_type = "Promise<void>")]
pub fn log_metric(
    key: &str,
    #[wasm_bindgen(unchecked_param_type = "number")] value: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "MetricOptions | number")] options: Option<
        JsValue,
    >,
) -> Promise {
    let options = options.unwrap_or(JsValue::UNDEFINED);

    match log_metric_fast(key, &value, &options) {
        Ok(()) => RESOLVED.with(Promise::clone),
        // A run id this context does not know: read it through, then log.
        Err(Missed::UnknownRun(run)) => {
            let key = key.to_owned();
            with_service(move |s| async move {
                s.know_run(&run).await?;
                let (step, ts, _) = metric_options(&options, &key)?;
                let v = metric_value(&value, &key)?;
                log_one(&s, &run, &key, v, step, ts)?;
                Ok(JsValue::UNDEFINED)
            })
        }
        Err(Missed::Refused(e)) => Promise::reject(&e),
    }
}

/// Why the synchronous path did not log a point.
enum Missed {
    /// Refused, with the error to reject with.
    Refused(JsValue),
    /// Addressed to a run this context does not know yet.
    UnknownRun(String),
}

impl From<JsValue> for Missed {
    fn from(e: JsValue) -> Self {
        Missed::Refused(e)
    }
}

impl From<crate::core::tracking::TrackingError> for Missed {
    fn from(e: crate::core::tracking::TrackingError) -> Self {
        Missed::Refused(e.into())
    }
}

/// The hot path: the active run, a step or nothing as options, the cached clock.
fn log_metric_fast(key: &str, value: &JsValue, options: &JsValue) -> Result<(), Missed> {
    let s = svc()?;
    let v = metric_value(value, key)?;
    let step = fast_step(options);
    if step == f64::NEG_INFINITY || !super::has_active_run() {
        // Before a run may be auto-started for it, the key must be valid.
        crate::core::tracking::rules::validate_key(
            crate::core::tracking::rules::KeyKind::Metric,
            key,
        )
        .map_err(|e| errors::invalid_arg(e.0))?;
    }
    if step == f64::NEG_INFINITY {
        let (step, ts, run_id) = metric_options(options, key)?;
        let run = target_run(&run_id)?;
        if !knows(&s, &run) {
            return Err(Missed::UnknownRun(run));
        }
        return Ok(log_one(&s, &run, key, v, step, ts)?);
    }
    let step = if step.is_nan() {
        0
    } else {
        whole(step, "step", key)?
    };
    let point = MetricPoint {
        timestamp: now_ms(),
        value: v,
        step,
    };
    let logged = super::with_active_run(|run| s.write(|t| t.log_metric(run, key, point)));
    match logged {
        Some(r) => Ok(r?),
        None => {
            let run = target_run(&JsValue::UNDEFINED)?;
            Ok(s.write(|t| t.log_metric(&run, key, point))?)
        }
    }
}

/// `logMetrics({k: v}, {step?, timestamp?, runId?})`: all-or-nothing.
#[wasm_bindgen(js_name = logMetrics, unchecked_return_type = "Promise<void>")]
pub fn log_metrics(
    #[wasm_bindgen(unchecked_param_type = "Record<string, number>")] metrics: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "MetricOptions | number")] options: Option<
        JsValue,
    >,
) -> Promise {
    let options = options.unwrap_or(JsValue::UNDEFINED);

    let parsed = (|| {
        let s = svc()?;
        let obj = metrics.dyn_ref::<js_sys::Object>().ok_or_else(|| {
            errors::invalid_arg(format!(
                "logMetrics takes an object of key: number, got {}",
                describe(&metrics)
            ))
        })?;
        let mut points = Vec::new();
        for entry in js_sys::Object::entries(obj).iter() {
            let pair = js_sys::Array::from(&entry);
            let key = pair.get(0).as_string().unwrap_or_default();
            crate::core::tracking::rules::validate_key(
                crate::core::tracking::rules::KeyKind::Metric,
                &key,
            )
            .map_err(|e| errors::invalid_arg(e.0))?;
            points.push((metric_value(&pair.get(1), &key)?, key));
        }
        let (step, ts, run_id) = metric_options(&options, "(logMetrics)")?;
        let run = target_run(&run_id)?;
        let ts = Some(ts.unwrap_or_else(now_ms));
        Ok::<_, JsValue>((s, run, points, step, ts))
    })();
    let log_all =
        |(s, run, points, step, ts): (std::rc::Rc<Service>, String, Vec<(f64, String)>, _, _)| {
            for (value, key) in points {
                log_one(&s, &run, &key, value, step, ts)?;
            }
            Ok::<_, JsValue>(JsValue::UNDEFINED)
        };
    match parsed {
        Ok(p) if !knows(&p.0, &p.1) => with_service(move |s| async move {
            s.know_run(&p.1).await?;
            log_all(p)
        }),
        Ok(p) => settle(log_all(p)),
        Err(e) => Promise::reject(&e),
    }
}

type PairsWrite = fn(
    &mut crate::core::tracking::Tracker,
    &str,
    &[(String, String)],
) -> crate::core::tracking::Result<()>;

/// `key, value` as one pair.
fn one_pair(key: &JsValue, value: &JsValue) -> Result<Vec<(String, String)>, JsValue> {
    let key = required_string(key, "key")?;
    let value = value_to_string(value, &key)?;
    Ok(vec![(key, value)])
}

/// Writes key/value pairs to the target run, all or nothing; resolves once merged
/// into the store (a param value another writer set first is refused then).
fn write_pairs(
    pairs: Result<Vec<(String, String)>, JsValue>,
    options: Option<JsValue>,
    write: PairsWrite,
) -> Promise {
    let target = (|| {
        let pairs = pairs?;
        let o = Opts::new(&options.unwrap_or(JsValue::UNDEFINED), "options")?;
        let run_id = o.get("runId");
        svc()?;
        Ok::<_, JsValue>((pairs, target_run(&run_id)?))
    })();
    with_service(move |s| async move {
        let (pairs, run) = target?;
        s.know_run(&run).await?;
        s.write_committed(|t| write(t, &run, &pairs)).await?;
        Ok(JsValue::UNDEFINED)
    })
}

/// `logParam(key, value, {runId?})`.
#[wasm_bindgen(js_name = logParam, unchecked_return_type = "Promise<void>")]
pub fn log_param(
    #[wasm_bindgen(unchecked_param_type = "string")] key: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string | number | boolean")] value: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "RunTarget")] options: Option<JsValue>,
) -> Promise {
    write_pairs(one_pair(&key, &value), options, |t, run, p| {
        t.log_params(run, p)
    })
}

/// `logParams({k: v}, {runId?})`: all-or-nothing.
#[wasm_bindgen(js_name = logParams, unchecked_return_type = "Promise<void>")]
pub fn log_params(
    #[wasm_bindgen(unchecked_param_type = "Record<string, string | number | boolean>")]
    params: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "RunTarget")] options: Option<JsValue>,
) -> Promise {
    let pairs = string_map(&params, "params").map(|m| m.into_iter().collect());
    write_pairs(pairs, options, |t, run, p| t.log_params(run, p))
}

/// `setTag(key, value, {runId?})`.
#[wasm_bindgen(js_name = setTag, unchecked_return_type = "Promise<void>")]
pub fn set_tag(
    #[wasm_bindgen(unchecked_param_type = "string")] key: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string | number | boolean")] value: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "RunTarget")] options: Option<JsValue>,
) -> Promise {
    write_pairs(one_pair(&key, &value), options, |t, run, p| {
        t.set_tags(run, p)
    })
}

/// `setTags({k: v}, {runId?})`: all-or-nothing.
#[wasm_bindgen(js_name = setTags, unchecked_return_type = "Promise<void>")]
pub fn set_tags(
    #[wasm_bindgen(unchecked_param_type = "Record<string, string | number | boolean>")]
    tags: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "RunTarget")] options: Option<JsValue>,
) -> Promise {
    let pairs = string_map(&tags, "tags").map(|m| m.into_iter().collect());
    write_pairs(pairs, options, |t, run, p| t.set_tags(run, p))
}

/// `deleteTag(key, {runId?})`.
#[wasm_bindgen(js_name = deleteTag, unchecked_return_type = "Promise<void>")]
pub fn delete_tag(
    #[wasm_bindgen(unchecked_param_type = "string")] key: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "RunTarget")] options: Option<JsValue>,
) -> Promise {
    let key = required_string(&key, "key").map(|k| vec![(k, String::new())]);
    write_pairs(key, options, |t, run, p| t.delete_tag(run, &p[0].0))
}
