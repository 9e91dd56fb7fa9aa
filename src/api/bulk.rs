//! Bulk logging: `logBatch` (MLflow's `log_batch`: metrics, params and tags of one
//! run, all or nothing, within its limits) and `logMetricSeries` (one metric's points
//! as columns, typed arrays welcome, in one boundary crossing).

use std::rc::Rc;

use js_sys::{Array, Float64Array, Promise, Reflect};
use wasm_bindgen::prelude::*;

use super::args::{describe, required_string, string_map, value_to_string, Opts};
use super::errors::invalid_arg;
use super::logging::{knows, metric_value, target_run, whole_number};
use super::{settle, svc, with_service};
use crate::core::tracking::model::MetricPoint;
use crate::core::tracking::rules;
use crate::service::{now_ms, Service};

#[wasm_bindgen(typescript_custom_section)]
const TS_BULK: &str = r#"
/** One metric point of a batch (step 0 and the current time when left out). */
export interface BatchMetric { key: string; value: number; step?: number; timestamp?: number; }
export type BatchPairs =
  | { key: string; value: string | number | boolean }[]
  | Record<string, string | number | boolean>;
/** What `logBatch` logs: at most 1,000 metrics, 100 params, 100 tags, 1,000 in all. */
export interface Batch { metrics?: BatchMetric[]; params?: BatchPairs; tags?: BatchPairs; }
/** A numeric column: a typed array (BigInt64Array too) or an array of numbers. */
export type NumberColumn = ArrayLike<number> | BigInt64Array;
export interface SeriesOptions extends RunTarget {
  /** Whole numbers, one per value (default: counting on from the metric's latest step, else from 0). */
  steps?: NumberColumn;
  /** Milliseconds since 1970: one per value, or one for all (default: now). */
  timestamps?: NumberColumn | number;
}
"#;

#[wasm_bindgen(inline_js = r#"
// A numeric column as a Float64Array (a Float64Array is taken as is). On a bad
// element, its index; -1 if `v` is no array at all. `whole`: safe integers only.
export function column(v, whole) {
  let out;
  if (v instanceof Float64Array) out = v;
  else if (v instanceof BigInt64Array || v instanceof BigUint64Array) {
    out = new Float64Array(v.length);
    for (let i = 0; i < v.length; i++) out[i] = Number(v[i]);
  } else if (ArrayBuffer.isView(v) && !(v instanceof DataView)) out = new Float64Array(v);
  else if (Array.isArray(v)) {
    out = new Float64Array(v.length);
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      if (typeof x !== "number") return i;
      out[i] = x;
    }
  } else return -1;
  if (whole) for (let i = 0; i < out.length; i++) if (!Number.isSafeInteger(out[i])) return i;
  return out;
}
"#)]
extern "C" {
    #[wasm_bindgen(js_name = column)]
    fn js_column(v: &JsValue, whole: bool) -> JsValue;
}

/// `v` as numbers (`whole`: as whole numbers), or an error naming the bad element.
fn column(v: &JsValue, whole: bool, what: &str, key: &str) -> Result<Vec<f64>, JsValue> {
    let r = js_column(v, whole);
    if let Some(a) = r.dyn_ref::<Float64Array>() {
        return Ok(a.to_vec());
    }
    let kind = if whole { "whole numbers" } else { "numbers" };
    let i = r.as_f64().unwrap_or(-1.0);
    if i < 0.0 {
        return Err(invalid_arg(format!(
            "Metric '{key}': {what} must be an array or typed array of {kind}, got {}",
            describe(v)
        )));
    }
    let bad = Reflect::get_u32(v, i as u32).unwrap_or(JsValue::UNDEFINED);
    let shown = match bad.as_f64() {
        Some(n) => n.to_string(),
        None => describe(&bad),
    };
    Err(invalid_arg(format!(
        "Metric '{key}': {what}[{i}] must be one of {kind} (NaN and ±Infinity are values), got {shown}"
    )))
}

/// One metric's points as columns, read and checked, waiting for their run.
struct Series {
    key: String,
    values: Vec<f64>,
    steps: Option<Vec<f64>>,
    timestamps: Timestamps,
}

enum Timestamps {
    Now,
    All(i64),
    Each(Vec<f64>),
}

impl Series {
    fn read(key: &str, values: &JsValue, o: &Opts) -> Result<Series, JsValue> {
        rules::validate_key(rules::KeyKind::Metric, key).map_err(|e| invalid_arg(e.0))?;
        let values = column(values, false, "values", key)?;
        let same_length = |c: Vec<f64>, what: &str| {
            if c.len() == values.len() {
                Ok(c)
            } else {
                Err(invalid_arg(format!(
                    "Metric '{key}': {} {what} for {} values; give one per value.",
                    c.len(),
                    values.len()
                )))
            }
        };
        let steps = o.get("steps");
        let steps = if steps.is_undefined() || steps.is_null() {
            None
        } else {
            Some(same_length(column(&steps, true, "steps", key)?, "steps")?)
        };
        let ts = o.get("timestamps");
        let timestamps = if ts.is_undefined() || ts.is_null() {
            Timestamps::Now
        } else if ts.as_f64().is_some() {
            Timestamps::All(whole_number(&ts, "timestamps", key)?.unwrap_or(0))
        } else {
            Timestamps::Each(same_length(
                column(&ts, true, "timestamps", key)?,
                "timestamps",
            )?)
        };
        Ok(Series {
            key: key.to_owned(),
            values,
            steps,
            timestamps,
        })
    }

    /// Queues the points in `run` (steps counting on from the latest when not given).
    fn log(self, s: &Rc<Service>, run: &str) -> Result<JsValue, JsValue> {
        let first_step = match &self.steps {
            Some(_) => 0,
            None => s.read(|t| {
                t.run(run)
                    .ok()
                    .and_then(|r| r.metrics.get(&self.key))
                    .map_or(0, |p| p.step.saturating_add(1))
            }),
        };
        let now = now_ms();
        let points: Vec<MetricPoint> = (self.values.iter().enumerate())
            .map(|(i, &value)| MetricPoint {
                timestamp: match &self.timestamps {
                    Timestamps::Now => now,
                    Timestamps::All(t) => *t,
                    Timestamps::Each(ts) => ts[i] as i64,
                },
                value,
                step: match &self.steps {
                    Some(steps) => steps[i] as i64,
                    None => first_step.saturating_add(i as i64),
                },
            })
            .collect();
        s.write(|t| t.log_metric_series(run, &self.key, &points))?;
        Ok(JsValue::UNDEFINED)
    }
}

/// `logMetricSeries(key, values, {steps?, timestamps?, runId?})`: queues every point
/// at once, as `logMetric` queues one (all or nothing; `flush()` or `endRun()` waits
/// for them to be stored).
#[wasm_bindgen(js_name = logMetricSeries, unchecked_return_type = "Promise<void>")]
pub fn log_metric_series(
    key: &str,
    #[wasm_bindgen(unchecked_param_type = "NumberColumn")] values: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "SeriesOptions")] options: Option<JsValue>,
) -> Promise {
    let parsed = (|| {
        let s = svc()?;
        let o = Opts::new(
            &options.unwrap_or(JsValue::UNDEFINED),
            "logMetricSeries options ({steps, timestamps, runId})",
        )?;
        let series = Series::read(key, &values, &o)?;
        let run = target_run(&o.get("runId"))?;
        Ok::<_, JsValue>((s, run, series))
    })();
    match parsed {
        Ok((s, run, series)) if knows(&s, &run) => settle(series.log(&s, &run)),
        Ok((_, run, series)) => with_service(move |s| async move {
            s.know_run(&run).await?;
            series.log(&s, &run)
        }),
        Err(e) => Promise::reject(&e),
    }
}

/// A batch's metrics: `[{key, value, step?, timestamp?}]`.
fn batch_metrics(v: &JsValue, now: i64) -> Result<Vec<(String, MetricPoint)>, JsValue> {
    if v.is_undefined() || v.is_null() {
        return Ok(Vec::new());
    }
    if !Array::is_array(v) {
        return Err(invalid_arg(format!(
            "logBatch: 'metrics' must be an array of {{key, value, step?, timestamp?}}, got {}",
            describe(v)
        )));
    }
    (Array::from(v).iter().enumerate())
        .map(|(i, m)| {
            let o = Opts::new(&m, &format!("logBatch: metrics[{i}]"))?;
            let key = required_string(&o.get("key"), &format!("metrics[{i}].key"))?;
            let point = MetricPoint {
                value: metric_value(&o.get("value"), &key)?,
                step: whole_number(&o.get("step"), "step", &key)?.unwrap_or(0),
                timestamp: whole_number(&o.get("timestamp"), "timestamp", &key)?.unwrap_or(now),
            };
            Ok((key, point))
        })
        .collect()
}

/// A batch's params or tags: `[{key, value}]` (in order) or `{key: value}`.
fn batch_pairs(v: &JsValue, what: &str) -> Result<Vec<(String, String)>, JsValue> {
    if v.is_undefined() || v.is_null() {
        return Ok(Vec::new());
    }
    if !Array::is_array(v) {
        return Ok(string_map(v, what)?.into_iter().collect());
    }
    (Array::from(v).iter().enumerate())
        .map(|(i, p)| {
            let o = Opts::new(&p, &format!("logBatch: {what}[{i}]"))?;
            let key = required_string(&o.get("key"), &format!("{what}[{i}].key"))?;
            let value = o.get("value");
            if value.is_undefined() || value.is_null() {
                return Err(invalid_arg(format!("'{what}[{i}].value' is required")));
            }
            Ok((key.clone(), value_to_string(&value, &key)?))
        })
        .collect()
}

/// `logBatch({metrics?, params?, tags?}, {runId?})`: MLflow's `log_batch`. All or
/// nothing, within MLflow's limits; resolves once all of it is stored.
#[wasm_bindgen(js_name = logBatch, unchecked_return_type = "Promise<void>")]
pub fn log_batch(
    #[wasm_bindgen(unchecked_param_type = "Batch")] batch: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "RunTarget")] options: Option<JsValue>,
) -> Promise {
    let parsed = (|| {
        let b = Opts::new(&batch, "logBatch's batch ({metrics, params, tags})")?;
        let metrics = batch_metrics(&b.get("metrics"), now_ms())?;
        let params = batch_pairs(&b.get("params"), "params")?;
        let tags = batch_pairs(&b.get("tags"), "tags")?;
        // Refused before a run is started for it.
        rules::validate_batch(metrics.len(), &params, tags.len()).map_err(|e| invalid_arg(e.0))?;
        let o = Opts::new(&options.unwrap_or(JsValue::UNDEFINED), "options")?;
        svc()?;
        Ok::<_, JsValue>((metrics, params, tags, target_run(&o.get("runId"))?))
    })();
    with_service(move |s| async move {
        let (metrics, params, tags, run) = parsed?;
        s.know_run(&run).await?;
        s.write_committed(|t| t.log_batch(&run, &metrics, &params, &tags))
            .await?;
        if !metrics.is_empty() {
            s.flush().await?;
        }
        Ok(JsValue::UNDEFINED)
    })
}
