//! Browser system metrics (opt-in: `startRun({logSystemMetrics: true})` or an autolog
//! option), under `system/` every 10 s as MLflow's monitor does, with honest names for
//! what a page can measure: JS heap, TF.js tensors and bytes (`tf.memory()`), origin
//! storage used, main-thread busy % (long tasks). MLflow's CPU/GPU/network names are
//! never reused for them. Static facts go in tags.

use std::cell::RefCell;
use std::collections::BTreeMap;

use js_sys::Function;
use wasm_bindgen::prelude::*;

use crate::core::tracking::model::MetricPoint;
use crate::service::{now_ms, ready};

/// MLflow's sampling interval.
const INTERVAL_MS: u32 = 10_000;

#[wasm_bindgen(inline_js = r#"
export function start_sampler(tf, intervalMs, log) {
  let step = 0, busy = 0, obs = null;
  try {
    obs = new PerformanceObserver((list) => { for (const e of list.getEntries()) busy += e.duration; });
    obs.observe({ type: "longtask" });
  } catch (_) { obs = null; }
  let last = performance.now();
  const sample = async () => {
    const now = performance.now(), span = Math.max(1, now - last);
    last = now;
    const mb = (b) => b / 1e6, m = {};
    if (globalThis.performance?.memory) m.js_heap_used_megabytes = mb(performance.memory.usedJSHeapSize);
    try {
      const t = tf?.memory?.();
      if (t) {
        m.tfjs_num_tensors = t.numTensors;
        m.tfjs_tensor_megabytes = mb(t.numBytes);
        if (typeof t.numBytesInGPU === "number") m.tfjs_gpu_megabytes = mb(t.numBytesInGPU);
      }
    } catch (_) {}
    try { const e = await navigator.storage?.estimate?.(); if (typeof e?.usage === "number") m.storage_usage_megabytes = mb(e.usage); } catch (_) {}
    if (obs && step > 0) m.main_thread_busy_percentage = Math.min(100, (busy / span) * 100);
    busy = 0;
    for (const [k, v] of Object.entries(m)) log(`system/${k}`, Math.round(v * 10) / 10, step);
    step += 1;
  };
  sample();
  const id = setInterval(sample, intervalMs);
  return () => { clearInterval(id); obs?.disconnect(); };
}
export function system_facts(tf) {
  const facts = {};
  if (typeof navigator?.hardwareConcurrency === "number") facts.hardware_concurrency = String(navigator.hardwareConcurrency);
  if (typeof navigator?.deviceMemory === "number") facts.device_memory_gb = String(navigator.deviceMemory);
  try { const b = tf?.getBackend?.(); if (b) facts.tfjs_backend = b; } catch (_) {}
  try { if (tf?.version?.tfjs) facts.tfjs_version = tf.version.tfjs; } catch (_) {}
  try {
    const c = typeof OffscreenCanvas !== "undefined" ? new OffscreenCanvas(1, 1) : null;
    const gl = c?.getContext("webgl");
    const info = gl?.getExtension("WEBGL_debug_renderer_info");
    const r = info ? gl.getParameter(info.UNMASKED_RENDERER_WEBGL) : null;
    if (r) facts.gpu_renderer = String(r);
  } catch (_) {}
  return facts;
}
"#)]
extern "C" {
    fn start_sampler(tf: &JsValue, interval_ms: u32, log: &Function) -> Function;
    fn system_facts(tf: &JsValue) -> JsValue;
}

thread_local! {
    /// Run id → stops its sampler.
    static SAMPLERS: RefCell<BTreeMap<String, Function>> = const { RefCell::new(BTreeMap::new()) };
}

/// Starts sampling for `run` (once), tagging the static facts.
pub(super) fn start(run: &str, tf: &JsValue) {
    if SAMPLERS.with(|s| s.borrow().contains_key(run)) {
        return;
    }
    let Some(s) = ready() else { return };
    let facts: BTreeMap<String, String> =
        serde_wasm_bindgen::from_value(system_facts(tf)).unwrap_or_default();
    let tags: Vec<(String, String)> = facts
        .into_iter()
        .map(|(k, v)| (format!("ferroflow.system.{k}"), v))
        .collect();
    let _ = s.write(|t| t.set_tags(run, &tags));
    let run_id = run.to_owned();
    let log =
        Closure::<dyn Fn(String, f64, f64)>::new(move |key: String, value: f64, step: f64| {
            let Some(s) = ready() else { return };
            let point = MetricPoint {
                timestamp: now_ms(),
                value,
                step: step as i64,
            };
            let _ = s.write(|t| t.log_metric(&run_id, &key, point));
        });
    let stop = start_sampler(tf, INTERVAL_MS, log.as_ref().unchecked_ref());
    // The sampler holds the closure until it is stopped.
    log.forget();
    SAMPLERS.with(|s| s.borrow_mut().insert(run.to_owned(), stop));
}

/// Stops sampling for `run`, if it is sampled.
pub(super) fn stop(run: &str) {
    if let Some(stop) = SAMPLERS.with(|s| s.borrow_mut().remove(run)) {
        let _ = stop.call0(&JsValue::NULL);
    }
}
