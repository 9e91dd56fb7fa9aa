//! The tracking service both the JS API and the UI call: one [`Tracker`] in memory,
//! persisted to IndexedDB in batches, kept in step with other tabs.
//!
//! Writes never wait on IndexedDB: they change the tracker and schedule a flush
//! within [`FLUSH_DELAY_MS`]. [`Service::flush`] resolves once everything changed
//! before it is committed. After each commit the change is announced on a
//! `BroadcastChannel`, and this tab's listeners (the UI) are told.

use std::cell::{Cell, RefCell};
use std::collections::BTreeSet;
use std::rc::Rc;

use futures::future::{FutureExt, LocalBoxFuture, Shared};
use futures::lock::Mutex;
use wasm_bindgen::prelude::*;

use crate::core::tracking::model::MetricPoint;
use crate::core::tracking::{Result as TrackResult, Tracker, TrackingError};
use crate::store::{Batch, Db, StoreError};

mod archive;

/// How long queued writes may wait before they are flushed.
pub const FLUSH_DELAY_MS: i32 = 100;
/// Shortest interval between two change notifications to the UI.
pub const NOTIFY_INTERVAL_MS: i32 = 50;
/// The database every Ferroflow page of an origin shares.
pub const DB_NAME: &str = "ferroflow";
const CHANNEL: &str = "ferroflow-changes";

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(cb: &js_sys::Function, ms: i32) -> JsValue;
}

/// A failure of the service: a refused operation or a storage error.
#[derive(Debug, Clone)]
pub enum ServiceError {
    /// MLflow refused it.
    Tracking(TrackingError),
    /// IndexedDB failed.
    Store(StoreError),
}

impl std::fmt::Display for ServiceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ServiceError::Tracking(e) => e.fmt(f),
            ServiceError::Store(e) => e.fmt(f),
        }
    }
}

impl From<TrackingError> for ServiceError {
    fn from(e: TrackingError) -> Self {
        ServiceError::Tracking(e)
    }
}

impl From<StoreError> for ServiceError {
    fn from(e: StoreError) -> Self {
        ServiceError::Store(e)
    }
}

/// The service.
pub struct Service {
    tracker: RefCell<Tracker>,
    db: Db,
    write_lock: Mutex<()>,
    flush_scheduled: Cell<bool>,
    notify_scheduled: Rc<Cell<bool>>,
    /// Ids committed and not yet announced to other tabs.
    outbox: Rc<RefCell<(BTreeSet<String>, BTreeSet<String>)>>,
    listeners: RefCell<Vec<Rc<dyn Fn()>>>,
    channel: Option<web_sys::BroadcastChannel>,
}

type InitFuture = Shared<LocalBoxFuture<'static, Result<Rc<Service>, String>>>;

thread_local! {
    static INIT: RefCell<Option<InitFuture>> = const { RefCell::new(None) };
    static READY: RefCell<Option<Rc<Service>>> = const { RefCell::new(None) };
}

/// Current time in ms. Logged points read it one by one: a cached reading would
/// go stale in a slow synchronous loop, and it costs a few percent of `logMetric`.
pub fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}

fn seed() -> u64 {
    let hi = (js_sys::Math::random() * 4_294_967_296.0) as u64;
    let lo = (js_sys::Math::random() * 4_294_967_296.0) as u64;
    (hi << 32 | lo) ^ (js_sys::Date::now() as u64).rotate_left(17)
}

/// The service, opening the database on first use (concurrent callers share it).
pub async fn service() -> Result<Rc<Service>, String> {
    if let Some(s) = ready() {
        return Ok(s);
    }
    let fut = INIT.with(|i| {
        i.borrow_mut()
            .get_or_insert_with(|| Service::open(DB_NAME).boxed_local().shared())
            .clone()
    });
    match fut.await {
        Ok(s) => {
            READY.with(|r| *r.borrow_mut() = Some(s.clone()));
            Ok(s)
        }
        Err(e) => {
            // Let the next call try again (another tab may have released the database).
            INIT.with(|i| *i.borrow_mut() = None);
            Err(e)
        }
    }
}

/// The service if it has finished opening.
pub fn ready() -> Option<Rc<Service>> {
    READY.with(|r| r.borrow().clone())
}

impl Service {
    async fn open(name: &str) -> Result<Rc<Service>, String> {
        let db = Db::open(name).await.map_err(|e| e.to_string())?;
        let (exps, runs) = db.load_all().await.map_err(|e| e.to_string())?;
        let tracker = Tracker::load(exps, runs, seed(), now_ms());
        let channel = web_sys::BroadcastChannel::new(CHANNEL).ok();
        let svc = Rc::new(Service {
            tracker: RefCell::new(tracker),
            db,
            write_lock: Mutex::new(()),
            flush_scheduled: Cell::new(false),
            notify_scheduled: Rc::new(Cell::new(false)),
            outbox: Rc::default(),
            listeners: RefCell::new(Vec::new()),
            channel,
        });
        svc.listen_to_other_tabs();
        svc.flush_on_page_hide();
        // The Default experiment of a new database.
        svc.flush().await.map_err(|e| e.to_string())?;
        Ok(svc)
    }

    /// Reads the tracker.
    pub fn read<T>(&self, f: impl FnOnce(&Tracker) -> T) -> T {
        f(&self.tracker.borrow())
    }

    /// Changes the tracker and schedules a flush.
    pub fn write<T>(
        self: &Rc<Self>,
        f: impl FnOnce(&mut Tracker) -> TrackResult<T>,
    ) -> TrackResult<T> {
        let out = f(&mut self.tracker.borrow_mut());
        self.schedule_flush();
        out
    }

    /// Paths and sizes of a run's artifacts under `prefix` (committed ones included).
    pub async fn artifact_sizes(
        &self,
        run_id: &str,
        prefix: &str,
    ) -> Result<Vec<(String, u64)>, ServiceError> {
        self.know_run(run_id).await;
        self.read(|t| t.run(run_id).map(drop))?;
        Ok(self.db.artifact_sizes(run_id, prefix).await?)
    }

    /// One artifact's bytes, if the run has it.
    pub async fn artifact(
        &self,
        run_id: &str,
        path: &str,
    ) -> Result<Option<Vec<u8>>, ServiceError> {
        Ok(self.db.artifact(run_id, path).await?)
    }

    /// Calls `f` after every committed change, here or in another tab.
    pub fn subscribe(&self, f: Rc<dyn Fn()>) {
        self.listeners.borrow_mut().push(f);
    }

    /// Tells listeners about changes, at most once per [`NOTIFY_INTERVAL_MS`]: a
    /// script ending thousands of runs must not re-render the UI thousands of times.
    fn notify(&self) {
        if self.listeners.borrow().is_empty() || self.notify_scheduled.replace(true) {
            return;
        }
        let ls: Vec<_> = self.listeners.borrow().clone();
        let scheduled = self.notify_scheduled.clone();
        let cb = Closure::once_into_js(move || {
            scheduled.set(false);
            for l in ls {
                l();
            }
        });
        set_timeout(cb.unchecked_ref(), NOTIFY_INTERVAL_MS);
    }

    /// Schedules a flush within [`FLUSH_DELAY_MS`] unless one is scheduled.
    pub fn schedule_flush(self: &Rc<Self>) {
        if self.flush_scheduled.replace(true) {
            return;
        }
        let me = self.clone();
        let cb = Closure::once_into_js(move || {
            me.flush_scheduled.set(false);
            wasm_bindgen_futures::spawn_local(async move {
                if let Err(e) = me.flush().await {
                    web_sys::console::error_1(&format!("Ferroflow could not save: {e}").into());
                }
            });
        });
        set_timeout(cb.unchecked_ref(), FLUSH_DELAY_MS);
    }

    /// Commits everything changed before this call.
    pub async fn flush(&self) -> Result<(), StoreError> {
        let _guard = self.write_lock.lock().await;
        let pending = self.tracker.borrow_mut().take_pending();
        if pending.is_empty() {
            return Ok(());
        }
        let batch = Batch {
            experiments: &pending.experiments,
            runs: &pending.runs,
            chunks: &pending.chunks,
            ..Default::default()
        };
        if let Err(e) = self.commit(&batch).await {
            // Keep it all for the next flush: nothing logged is dropped on a failure.
            self.tracker.borrow_mut().restore_pending(pending);
            return Err(e);
        }
        Ok(())
    }

    /// Writes `batch` in one transaction, then tells other tabs and this tab's
    /// listeners what changed. Callers hold the write lock.
    async fn commit(&self, batch: &Batch<'_>) -> Result<(), StoreError> {
        self.db.write(batch).await?;
        let experiments = batch.experiments.iter().map(|e| e.experiment_id.clone());
        let runs = (batch.runs.iter().map(|r| r.run.info.run_id.clone()))
            .chain(batch.artifacts.iter().map(|a| a.0.clone()));
        self.announce(experiments.collect(), runs.collect());
        self.notify();
        Ok(())
    }

    /// Writes artifacts and extra files right away (after queued changes).
    pub async fn write_files(
        &self,
        artifacts: &[(String, String, Vec<u8>)],
        extra_files: &[(String, Vec<u8>)],
    ) -> Result<(), StoreError> {
        self.flush().await?;
        let _guard = self.write_lock.lock().await;
        let batch = Batch {
            artifacts,
            extra_files,
            ..Default::default()
        };
        self.commit(&batch).await
    }

    /// Stores imported records with their histories, artifacts and extra files in one
    /// transaction (all or nothing); the tracker takes them once they are committed.
    pub async fn import(&self, batch: Batch<'_>) -> Result<(), StoreError> {
        self.flush().await?;
        let _guard = self.write_lock.lock().await;
        self.commit(&batch).await?;
        self.tracker
            .borrow_mut()
            .replace_imported(batch.experiments.to_vec(), batch.runs.to_vec());
        Ok(())
    }

    /// Makes sure the tracker knows `run_id` (and its experiment): a run another tab
    /// or a worker created a moment ago may be committed before its announcement
    /// arrives, so a miss reads through to IndexedDB.
    pub async fn know_run(&self, run_id: &str) {
        if self.read(|t| t.run(run_id).is_ok()) {
            return;
        }
        let Ok((_, runs)) = self.db.load_some(&[], &[run_id.to_owned()]).await else {
            return;
        };
        let Some(exp_id) = runs.first().map(|r| r.run.info.experiment_id.clone()) else {
            return;
        };
        let exps = if self.read(|t| t.experiment(&exp_id).is_ok()) {
            Vec::new()
        } else {
            self.db
                .load_some(&[exp_id], &[])
                .await
                .map(|(e, _)| e)
                .unwrap_or_default()
        };
        self.tracker.borrow_mut().refresh(exps, runs);
    }

    /// Like [`Service::know_run`] for an experiment.
    pub async fn know_experiment(&self, experiment_id: &str) {
        if self.read(|t| t.experiment(experiment_id).is_ok()) {
            return;
        }
        if let Ok((exps, _)) = self.db.load_some(&[experiment_id.to_owned()], &[]).await {
            self.tracker.borrow_mut().refresh(exps, Vec::new());
        }
    }

    /// A metric's full history, including points not flushed yet.
    pub async fn metric_history(
        &self,
        run_id: &str,
        key: &str,
    ) -> Result<Vec<MetricPoint>, ServiceError> {
        self.know_run(run_id).await;
        self.read(|t| t.run(run_id).map(|_| ()))?;
        self.flush().await?;
        // A short series lives inline in the run record; a longer one in chunks.
        let inline = self.read(|t| {
            t.stored_run(run_id)
                .ok()
                .filter(|r| !r.metric_chunks.contains_key(key))
                .map(|r| r.inline_metrics.get(key).cloned().unwrap_or_default())
        });
        match inline {
            Some(points) => Ok(points),
            None => Ok(self.db.metric_history(run_id, key).await?),
        }
    }

    /// Queues committed ids for other tabs; one message per [`NOTIFY_INTERVAL_MS`]
    /// carries them all.
    fn announce(&self, experiments: BTreeSet<String>, runs: BTreeSet<String>) {
        let Some(ch) = &self.channel else { return };
        let first = {
            let mut out = self.outbox.borrow_mut();
            let first = out.0.is_empty() && out.1.is_empty();
            out.0.extend(experiments);
            out.1.extend(runs);
            first
        };
        if !first {
            return;
        }
        let (ch, outbox) = (ch.clone(), self.outbox.clone());
        let cb = Closure::once_into_js(move || {
            let (e, r) = std::mem::take(&mut *outbox.borrow_mut());
            let msg = serde_json::json!({ "experiments": e, "runs": r });
            let _ = ch.post_message(&JsValue::from_str(&msg.to_string()));
        });
        set_timeout(cb.unchecked_ref(), NOTIFY_INTERVAL_MS);
    }

    fn listen_to_other_tabs(self: &Rc<Self>) {
        let Some(ch) = &self.channel else { return };
        let weak = Rc::downgrade(self);
        let cb = Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
            let Some(me) = weak.upgrade() else { return };
            let Some(text) = ev.data().as_string() else {
                return;
            };
            let Ok(msg) = serde_json::from_str::<serde_json::Value>(&text) else {
                return;
            };
            let ids = |k: &str| -> Vec<String> {
                msg[k]
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .filter_map(|v| v.as_str().map(str::to_owned))
                            .collect()
                    })
                    .unwrap_or_default()
            };
            let (exps, runs) = (ids("experiments"), ids("runs"));
            wasm_bindgen_futures::spawn_local(async move {
                if let Ok((e, r)) = me.db.load_some(&exps, &runs).await {
                    me.tracker.borrow_mut().refresh(e, r);
                    me.notify();
                }
            });
        });
        ch.set_onmessage(Some(cb.as_ref().unchecked_ref()));
        cb.forget();
    }

    fn flush_on_page_hide(self: &Rc<Self>) {
        let Some(window) = web_sys::window() else {
            return;
        };
        let weak = Rc::downgrade(self);
        let cb = Closure::<dyn Fn()>::new(move || {
            if let Some(me) = weak.upgrade() {
                wasm_bindgen_futures::spawn_local(async move {
                    let _ = me.flush().await;
                });
            }
        });
        for ev in ["pagehide", "visibilitychange"] {
            let _ = window.add_event_listener_with_callback(ev, cb.as_ref().unchecked_ref());
        }
        cb.forget();
    }
}
