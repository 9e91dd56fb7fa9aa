//! TF.js autologging: `mlflow.tfjs.callback(options)` for `model.fit(x, y, {callbacks})`
//! and `mlflow.tfjs.autolog(tf, options)`, which patches `tf.LayersModel`'s `fit` and
//! `fitDataset`. What is logged, and under which names, is `core::models::autolog`'s
//! (MLflow's Keras autolog); this file gathers what TF.js reports. Per-batch logging
//! queues points like `logMetric` and never waits on IndexedDB.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Function, Promise};
use serde_json::Value as Json;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use super::args::Opts;
use super::{errors, svc};
use crate::core::models::autolog::{
    early_stopping_tags, fit_params, log_metrics, FitSetup, LogEvery,
};
use crate::core::tracking::model::{MetricPoint, RunStatus};
use crate::service::{now_ms, Service};

#[wasm_bindgen(typescript_custom_section)]
const TS_TFJS: &str = r#"
export interface TfjsAutologOptions {
  /** "epoch" (default), "batch", or every N batches (also logged, as batch_<metric> at a global step). */
  logEvery?: "epoch" | "batch" | number;
  /** Log the trained model when the fit ends (as `logModel(model, "model")`). */
  logModel?: boolean;
  registeredModelName?: string;
  /** Start a run nested under the active one. */
  nested?: boolean;
  runName?: string;
  /** Log to this run. */
  runId?: string;
  /** Browser system metrics under system/ every 10 s while the fit's run is active. */
  logSystemMetrics?: boolean;
  /** autolog only: undo an earlier autolog(tf). */
  disable?: boolean;
  /** callback only: the tf.callbacks.earlyStopping instance, for the early-stopping tags. */
  earlyStopping?: unknown;
  /** callback only: the model being fit, for its optimizer params, summary and logModel
   * (TF.js hands it to the callback only when a tf.Callback is first in `callbacks`). */
  model?: unknown;
}
/** An object for model.fit's callbacks (beside tfvis and tf.callbacks.earlyStopping). */
export interface TfjsCallback {
  onTrainBegin(logs?: unknown): Promise<void>;
  onEpochBegin(epoch: number, logs?: unknown): Promise<void>;
  onEpochEnd(epoch: number, logs?: unknown): Promise<void>;
  /** Present when batches are logged, or when TF.js uses the object as a tf.Callback. */
  readonly onBatchBegin?: (batch: number, logs?: unknown) => Promise<void>;
  readonly onBatchEnd?: (batch: number, logs?: unknown) => Promise<void>;
  onTrainEnd(logs?: unknown): Promise<void>;
}
"#;

#[wasm_bindgen(inline_js = r#"
// Our callback is a plain hooks object *and* duck-types tf.Callback (setParams,
// setModel, every hook): TF.js wraps plain objects in a CustomCallback when the first
// entry of `callbacks` is one, and uses the entries as they are when the first is a
// tf.Callback (tf.callbacks.earlyStopping). A CustomCallback is given the fit's params
// (read from `this`) but not the model, so the model comes from setModel, from
// autolog (the patched fit's `this`), or from the `model` option.
export function make_callback(session, knownModel) {
  let model = knownModel ?? null, params = null, epochStart = 0;
  const numbers = async (logs) => {
    const out = {};
    for (const [k, v] of Object.entries(logs ?? {})) {
      out[k] = v && typeof v.data === "function" ? (await v.data())[0] : v;
    }
    return out;
  };
  const describe = () => {
    const lines = [];
    try { model?.summary?.(undefined, undefined, (l) => lines.push(l)); } catch (_) {}
    let config = null;
    try { config = JSON.parse(JSON.stringify(model?.optimizer?.getConfig?.() ?? null)); } catch (_) {}
    const loss = model?.loss;
    return {
      params: params ?? {}, optimizerName: model?.optimizer?.getClassName?.() ?? null, optimizerConfig: config,
      loss: typeof loss === "string" ? loss : Array.isArray(loss) ? loss.map((l) => typeof l === "string" ? l : l?.name).join(",") : loss?.name ?? null,
      metrics: params?.metrics ?? model?.metricsNames ?? [], summary: lines.join("\n"),
    };
  };
  // As a plain object, TF.js reads the hooks once, when it wraps it: a batch hook it
  // finds makes it resolve every batch's scalars (a device sync each), so the batch
  // hooks are there only when batches are logged — or when TF.js uses the object as a
  // tf.Callback (it calls setParams/setModel first, then every hook).
  let direct = false;
  const batchEnd = async (batch, logs) => { if (session.wantsBatches) session.batchEnd(await numbers(logs)); };
  const noop = async () => {};
  return {
    setParams(p) { direct = true; params = p; },
    setModel(m) { direct = true; model = m; },
    async onTrainBegin() { params = params ?? this?.params ?? null; await session.trainBegin(describe()); },
    async onEpochBegin() { epochStart = performance.now(); },
    async onEpochEnd(epoch, logs) { session.epochEnd(epoch, await numbers(logs), performance.now() - epochStart); },
    get onBatchBegin() { return direct ? noop : undefined; },
    get onBatchEnd() { return direct || session.wantsBatches ? batchEnd : undefined; },
    async onTrainEnd() { await session.trainEnd(model, model?.stopTraining === true); },
  };
}

// The fit arguments worth logging, and what an early-stopping callback among them says.
function fit_args(args) {
  const keep = {};
  for (const k of ["epochs", "batchSize", "validationSplit", "initialEpoch", "shuffle", "stepsPerEpoch", "batchesPerEpoch", "validationBatchSize"]) {
    if (typeof args?.[k] === "number" || typeof args?.[k] === "boolean") keep[k] = args[k];
  }
  return keep;
}
function early_stopping(callbacks) {
  const list = Array.isArray(callbacks) ? callbacks : callbacks ? [callbacks] : [];
  const es = list.find((c) => c && typeof c.monitor === "string" && "patience" in c);
  return es ? { monitor: es.monitor, patience: es.patience } : null;
}

// Patches tf.LayersModel.prototype.fit / fitDataset so every fit logs; returns the undo.
export function patch_fit(tf, makeSession) {
  const proto = tf?.LayersModel?.prototype;
  if (!proto || typeof proto.fit !== "function") return null;
  const original = { fit: proto.fit, fitDataset: proto.fitDataset };
  const wrap = (orig, argsAt) => async function (...call) {
    const args = call[argsAt] ?? {};
    const session = makeSession();
    session.setFitArgs(fit_args(args), early_stopping(args.callbacks));
    // The run exists before TF.js checks the inputs, so a fit that throws at once is
    // recorded as FAILED too.
    await session.begin();
    const user = Array.isArray(args.callbacks) ? args.callbacks : args.callbacks ? [args.callbacks] : [];
    call[argsAt] = { ...args, callbacks: [...user, make_callback(session, this)] };
    try {
      return await orig.apply(this, call);
    } catch (e) {
      await session.fail(String(e?.stack ?? e));
      throw e;
    }
  };
  proto.fit = wrap(original.fit, 2);
  if (original.fitDataset) proto.fitDataset = wrap(original.fitDataset, 1);
  return () => { proto.fit = original.fit; if (original.fitDataset) proto.fitDataset = original.fitDataset; };
}

export function session_early_stopping(es) {
  return es && typeof es.monitor === "string" ? { monitor: es.monitor, patience: es.patience } : null;
}
"#)]
extern "C" {
    fn make_callback(session: TfjsSession, model: &JsValue) -> JsValue;
    fn patch_fit(tf: &JsValue, make_session: &Function) -> JsValue;
    fn session_early_stopping(es: &JsValue) -> JsValue;
}

thread_local! {
    /// The undo of the last `autolog(tf)`.
    static UNPATCH: RefCell<Option<Function>> = const { RefCell::new(None) };
}

/// What an autolog session was asked to do.
#[derive(Clone)]
struct Options {
    log_every: LogEvery,
    log_model: bool,
    registered_model_name: Option<String>,
    nested: bool,
    run_name: Option<String>,
    run_id: Option<String>,
    log_system_metrics: bool,
    tf: JsValue,
}

impl Options {
    fn read(options: &JsValue, what: &str) -> Result<Options, JsValue> {
        let o = Opts::new(options, what)?;
        let every: Json = serde_wasm_bindgen::from_value(o.get("logEvery")).unwrap_or(Json::Null);
        Ok(Options {
            log_every: LogEvery::parse(&every).map_err(errors::invalid_arg)?,
            log_model: o.bool("logModel")?,
            registered_model_name: o.string("registeredModelName")?,
            nested: o.bool("nested")?,
            run_name: o.string("runName")?,
            run_id: o.string("runId")?,
            log_system_metrics: o.bool("logSystemMetrics")?,
            tf: JsValue::UNDEFINED,
        })
    }
}

struct Session {
    opts: Options,
    run_id: Option<String>,
    /// The session started the run, so it ends it.
    started: bool,
    batches_seen: u64,
    last_epoch: Option<i64>,
    fit_args: Json,
    early_stopping: Option<(Option<String>, Option<Json>)>,
}

/// One fit's autologging (internal: reached through `mlflow.tfjs`).
#[wasm_bindgen]
pub struct TfjsSession {
    inner: Rc<RefCell<Session>>,
}

fn session(opts: Options, early: JsValue) -> TfjsSession {
    let s = TfjsSession {
        inner: Rc::new(RefCell::new(Session {
            opts,
            run_id: None,
            started: false,
            batches_seen: 0,
            last_epoch: None,
            fit_args: Json::Null,
            early_stopping: None,
        })),
    };
    s.set_early_stopping(&early);
    s
}

impl TfjsSession {
    fn set_early_stopping(&self, early: &JsValue) {
        let early: Json = serde_wasm_bindgen::from_value(early.clone()).unwrap_or(Json::Null);
        if let Json::Object(es) = early {
            let monitor = es.get("monitor").and_then(Json::as_str).map(str::to_owned);
            self.inner.borrow_mut().early_stopping = Some((monitor, es.get("patience").cloned()));
        }
    }

    fn run(&self) -> Option<String> {
        self.inner.borrow().run_id.clone()
    }

    /// Queues one metric point for the session's run (the logMetric path: no wait).
    fn log(&self, s: &Rc<Service>, key: &str, value: f64, step: i64) {
        let Some(run) = self.run() else { return };
        let point = MetricPoint {
            timestamp: now_ms(),
            value,
            step,
        };
        if let Err(e) = s.write(|t| t.log_metric(&run, key, point)) {
            web_sys::console::warn_1(
                &format!("Ferroflow autolog: metric '{key}' not logged: {e}").into(),
            );
        }
    }
}

#[wasm_bindgen]
impl TfjsSession {
    /// The fit's arguments and its early-stopping callback, when autolog sees them.
    #[wasm_bindgen(js_name = setFitArgs)]
    pub fn set_fit_args(&self, args: JsValue, early: JsValue) {
        self.inner.borrow_mut().fit_args =
            serde_wasm_bindgen::from_value(args).unwrap_or(Json::Null);
        self.set_early_stopping(&early);
    }

    /// Whether batches are logged.
    #[wasm_bindgen(getter, js_name = wantsBatches)]
    pub fn wants_batches(&self) -> bool {
        self.inner.borrow().opts.log_every != LogEvery::Epoch
    }

    /// Picks (or starts) the session's run, once.
    pub fn begin(&self) -> Promise {
        let me = TfjsSession {
            inner: self.inner.clone(),
        };
        future_to_promise(async move {
            me.run_for_fit().await?;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// The fit begins: logs the fit's params and the model summary (in the session's
    /// run, started if needed), and starts system metrics if asked.
    #[wasm_bindgen(js_name = trainBegin)]
    pub fn train_begin(&self, setup: JsValue) -> Promise {
        let me = TfjsSession {
            inner: self.inner.clone(),
        };
        future_to_promise(async move {
            let s = svc()?;
            let setup: Json = serde_wasm_bindgen::from_value(setup).unwrap_or(Json::Null);
            let run = me.run_for_fit().await?;
            let opts = me.inner.borrow().opts.clone();
            let fit = FitSetup {
                args: me.inner.borrow().fit_args.clone(),
                params: setup.get("params").cloned().unwrap_or(Json::Null),
                optimizer_name: setup
                    .get("optimizerName")
                    .and_then(Json::as_str)
                    .map(str::to_owned),
                optimizer_config: setup.get("optimizerConfig").cloned().unwrap_or(Json::Null),
                loss: setup.get("loss").and_then(Json::as_str).map(str::to_owned),
                metrics: (setup
                    .get("metrics")
                    .and_then(Json::as_array)
                    .into_iter()
                    .flatten())
                .filter_map(|m| m.as_str().map(str::to_owned))
                .collect(),
            };
            // One param at a time: a refit in the same run may repeat some with another
            // value, which MLflow refuses; the others still go in.
            let first = s.read(crate::core::tracking::Tracker::next_ticket);
            for (k, v) in fit_params(&fit) {
                let _ = s.write(|t| t.log_params(&run, &[(k, v)]));
            }
            let _ = s.committed_since(first).await;
            if let Some(summary) = setup
                .get("summary")
                .and_then(Json::as_str)
                .filter(|t| !t.is_empty())
            {
                s.write_files(
                    &[(
                        run.clone(),
                        "model_summary.txt".into(),
                        summary.as_bytes().to_vec(),
                    )],
                    &[],
                )
                .await?;
            }
            if opts.log_system_metrics {
                super::system_metrics::start(&run, &opts.tf);
            }
            Ok(JsValue::UNDEFINED)
        })
    }

    /// An epoch ended: its metrics at `step = epoch`, and `epoch_time_ms`.
    #[wasm_bindgen(js_name = epochEnd)]
    pub fn epoch_end(&self, epoch: f64, logs: JsValue, ms: f64) {
        let Ok(s) = svc() else { return };
        let logs: Json = serde_wasm_bindgen::from_value(logs).unwrap_or(Json::Null);
        let step = epoch as i64;
        for (k, v) in log_metrics(&logs) {
            self.log(&s, &k, v, step);
        }
        self.log(&s, "epoch_time_ms", ms, step);
        self.inner.borrow_mut().last_epoch = Some(step);
    }

    /// A batch ended: with `logEvery` batches, its metrics as `batch_<key>` at the
    /// number of batches seen since the fit began (TF.js restarts `batch` each epoch).
    #[wasm_bindgen(js_name = batchEnd)]
    pub fn batch_end(&self, logs: JsValue) {
        let (seen, every) = {
            let mut st = self.inner.borrow_mut();
            st.batches_seen += 1;
            (st.batches_seen, st.opts.log_every)
        };
        if !every.logs_batch(seen) {
            return;
        }
        let Ok(s) = svc() else { return };
        let logs: Json = serde_wasm_bindgen::from_value(logs).unwrap_or(Json::Null);
        for (k, v) in log_metrics(&logs) {
            self.log(&s, &format!("batch_{k}"), v, seen as i64);
        }
    }

    /// The fit ended: early-stopping tags if the model stopped early, the model if
    /// asked, and the run ended if this session started it.
    #[wasm_bindgen(js_name = trainEnd)]
    pub fn train_end(&self, model: JsValue, stopped: bool) -> Promise {
        let me = TfjsSession {
            inner: self.inner.clone(),
        };
        future_to_promise(async move {
            let s = svc()?;
            let Some(run) = me.run() else {
                return Ok(JsValue::UNDEFINED);
            };
            let (opts, last_epoch, early) = {
                let st = me.inner.borrow();
                (st.opts.clone(), st.last_epoch, st.early_stopping.clone())
            };
            if stopped {
                let (monitor, patience) = early.unwrap_or((None, None));
                let tags = early_stopping_tags(
                    last_epoch.unwrap_or(0),
                    monitor.as_deref(),
                    patience.as_ref(),
                );
                let _ = s.write(|t| t.set_tags(&run, &tags));
            }
            if opts.log_model && !model.is_null() && !model.is_undefined() {
                let o = js_sys::Object::new();
                js_sys::Reflect::set(&o, &"runId".into(), &run.as_str().into())?;
                if let Some(name) = &opts.registered_model_name {
                    js_sys::Reflect::set(&o, &"registeredModelName".into(), &name.as_str().into())?;
                }
                super::models::log_tfjs_model(&s, &model, "model", &o.into()).await?;
            }
            me.finish(&s, RunStatus::Finished).await
        })
    }

    /// The fit threw: the error as `fit_error.txt`, and the run FAILED if this session
    /// started it.
    pub fn fail(&self, text: String) -> Promise {
        let me = TfjsSession {
            inner: self.inner.clone(),
        };
        future_to_promise(async move {
            let s = svc()?;
            if let Some(run) = me.run() {
                s.write_files(&[(run, "fit_error.txt".into(), text.into_bytes())], &[])
                    .await?;
            }
            me.finish(&s, RunStatus::Failed).await
        })
    }
}

impl TfjsSession {
    /// The run this fit logs to: `runId`, else the active run (unless `nested`), else a
    /// new one this session starts (and ends).
    async fn run_for_fit(&self) -> Result<String, JsValue> {
        if let Some(run) = self.run() {
            return Ok(run);
        }
        let s = svc()?;
        let opts = self.inner.borrow().opts.clone();
        let (run, started) = match (&opts.run_id, super::active_run_id()) {
            (Some(id), _) => {
                s.know_run(id).await?;
                (id.clone(), false)
            }
            (None, Some(active)) if !opts.nested => (active, false),
            _ => {
                let o = js_sys::Object::new();
                let set = |k: &str, v: JsValue| js_sys::Reflect::set(&o, &k.into(), &v);
                set("nested", opts.nested.into())?;
                if let Some(n) = &opts.run_name {
                    set("runName", n.as_str().into())?;
                }
                (
                    super::runs::start_run_now(&Opts::new(&o.into(), "run")?)?,
                    true,
                )
            }
        };
        let mut st = self.inner.borrow_mut();
        st.run_id = Some(run.clone());
        st.started = started;
        Ok(run)
    }

    /// Ends the run this session started (and its system metrics), then commits.
    async fn finish(&self, s: &Rc<Service>, status: RunStatus) -> Result<JsValue, JsValue> {
        let (run, started) = {
            let mut st = self.inner.borrow_mut();
            (st.run_id.take(), std::mem::take(&mut st.started))
        };
        if let (Some(run), true) = (run, started) {
            super::system_metrics::stop(&run);
            if super::active_run_id().as_deref() == Some(run.as_str()) {
                super::pop_active_run();
            }
            s.write(|t| t.set_terminated(&run, status, now_ms()))?;
        }
        s.flush().await?;
        Ok(JsValue::UNDEFINED)
    }
}

/// `mlflow.tfjs.callback(options)` → an object for `model.fit`'s `callbacks`.
#[wasm_bindgen(js_name = tfjsCallback, unchecked_return_type = "TfjsCallback")]
pub fn tfjs_callback(
    #[wasm_bindgen(unchecked_optional_param_type = "TfjsAutologOptions")] options: Option<JsValue>,
) -> Result<JsValue, JsValue> {
    let options = options.unwrap_or(JsValue::UNDEFINED);
    let mut opts = Options::read(&options, "tfjs.callback options")?;
    opts.tf = js_sys::Reflect::get(&js_sys::global(), &"tf".into()).unwrap_or(JsValue::UNDEFINED);
    let o = Opts::new(&options, "tfjs.callback options")?;
    let early = session_early_stopping(&o.get("earlyStopping"));
    Ok(make_callback(session(opts, early), &o.get("model")))
}

/// `mlflow.tfjs.autolog(tf, options)`: every later `fit`/`fitDataset` of a
/// `tf.LayersModel` logs, until `autolog(tf, {disable: true})`. The `tf` namespace is
/// passed in: this module never imports TF.js.
#[wasm_bindgen(js_name = tfjsAutolog)]
pub fn tfjs_autolog(
    #[wasm_bindgen(unchecked_param_type = "unknown")] tf: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "TfjsAutologOptions")] options: Option<JsValue>,
) -> Result<(), JsValue> {
    let options = options.unwrap_or(JsValue::UNDEFINED);
    let disable = Opts::new(&options, "tfjs.autolog options")?.bool("disable")?;
    if let Some(undo) = UNPATCH.with(|u| u.borrow_mut().take()) {
        undo.call0(&JsValue::NULL)?;
    }
    if disable {
        return Ok(());
    }
    let mut opts = Options::read(&options, "tfjs.autolog options")?;
    opts.tf = tf.clone();
    let make =
        Closure::<dyn Fn() -> TfjsSession>::new(move || session(opts.clone(), JsValue::NULL));
    let undo = patch_fit(&tf, make.as_ref().unchecked_ref());
    make.forget();
    let undo: Function = undo.dyn_into().map_err(|_| {
        errors::invalid_arg("tfjs.autolog takes the TF.js namespace (`import * as tf from \"@tensorflow/tfjs\"`) as its first argument")
    })?;
    UNPATCH.with(|u| *u.borrow_mut() = Some(undo));
    Ok(())
}
