//! The tracking service both the JS API and the UI call: this context's [`Tracker`]
//! view, persisted to IndexedDB, kept in step with every other tab and worker.
//!
//! Rooms: `flush` (the write path: scheduling, the read-modify-write flush, writers
//! waiting for their changes' outcomes), `sync` (announcing commits to other contexts,
//! taking theirs, reading through for records this view does not know), `archive`
//! (imports and exports; `sqlite_module` loads the SQLite reader for `.db` imports),
//! `error`.
//!
//! Writes never wait on IndexedDB to change the view: reads see them at once. A
//! change that can lose a race to another writer (a param value, an experiment name)
//! learns its outcome from the flush that merges it ([`Service::write_committed`]);
//! metric points are committed within [`FLUSH_DELAY_MS`] and [`Service::flush`]
//! resolves once everything changed before it is stored.

mod archive;
mod error;
mod flush;
mod mirror;
mod models;
pub mod projects;
mod sqlite_module;
mod sync;

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::rc::{Rc, Weak};

use futures::channel::oneshot;
use futures::future::{FutureExt, LocalBoxFuture, Shared};
use futures::lock::Mutex;
use wasm_bindgen::prelude::*;

use crate::core::tracking::{Outcome, Ticket, Tracker};
use crate::store::{Db, StoreEvent};

pub use archive::{Imported, Progress};
pub use error::ServiceError;
pub use mirror::CommitHook;
pub use models::FinishModel;

/// How long queued metric points may wait before they are flushed.
pub const FLUSH_DELAY_MS: i32 = 100;
/// Shortest interval between two change notifications to the UI.
pub const NOTIFY_INTERVAL_MS: i32 = 50;
/// The database every Ferroflow page of an origin shares.
pub const DB_NAME: &str = "ferroflow";

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(cb: &js_sys::Function, ms: i32) -> JsValue;
}

type Waiter = oneshot::Sender<Result<Outcome, ServiceError>>;

/// The service.
pub struct Service {
    tracker: RefCell<Tracker>,
    db: Db,
    write_lock: Mutex<()>,
    flush_soon: Cell<bool>,
    flush_late: Cell<bool>,
    notify_scheduled: Rc<Cell<bool>>,
    /// Writers waiting for their changes' outcomes, by ticket.
    waiters: RefCell<BTreeMap<Ticket, Waiter>>,
    listeners: Rc<RefCell<Listeners>>,
    /// Hear this context's own commits (the bridge to the site).
    commit_hooks: RefCell<Vec<CommitHook>>,
    sync: sync::TabSync,
}

/// Who hears about commits ([`Service::subscribe`]), by the number their
/// [`Subscription`] removes them with.
#[derive(Default)]
struct Listeners {
    next: u64,
    by_id: BTreeMap<u64, Rc<dyn Fn()>>,
}

/// A listener added by [`Service::subscribe`]. Dropping it (or [`Subscription::cancel`])
/// removes the listener; [`Subscription::forget`] keeps it for the context's life.
#[must_use = "dropping a Subscription removes its listener at once"]
pub struct Subscription {
    id: u64,
    listeners: Weak<RefCell<Listeners>>,
}

impl Subscription {
    /// Removes the listener (as dropping does).
    pub fn cancel(self) {}

    /// Keeps the listener as long as the service lives.
    pub fn forget(self) {
        std::mem::forget(self);
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        if let Some(l) = self.listeners.upgrade() {
            l.borrow_mut().by_id.remove(&self.id);
        }
    }
}

/// Hears the store's lifecycle events.
type StoreWatcher = Rc<dyn Fn(StoreEvent)>;

type InitFuture = Shared<LocalBoxFuture<'static, Result<Rc<Service>, ServiceError>>>;

thread_local! {
    static INIT: RefCell<Option<InitFuture>> = const { RefCell::new(None) };
    static READY: RefCell<Option<Rc<Service>>> = const { RefCell::new(None) };
    static STORE_WATCHERS: RefCell<Vec<StoreWatcher>> = const { RefCell::new(Vec::new()) };
}

/// Current time in ms. Logged points read it one by one: a cached reading would
/// go stale in a slow synchronous loop, and it costs a few percent of `logMetric`.
pub fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}

/// 64 random bits (the platform's randomness mixed with the clock): the id
/// generator's seed, and the id of a new saved view.
pub fn seed() -> u64 {
    let hi = (js_sys::Math::random() * 4_294_967_296.0) as u64;
    let lo = (js_sys::Math::random() * 4_294_967_296.0) as u64;
    (hi << 32 | lo) ^ (js_sys::Date::now() as u64).rotate_left(17)
}

/// Calls `f` on the store's lifecycle events (a blocked open, a connection another
/// tab's upgrade closed). Register before [`service`] to hear about the open.
pub fn watch_store(f: StoreWatcher) {
    STORE_WATCHERS.with(|w| w.borrow_mut().push(f));
}

fn store_event(ev: StoreEvent) {
    let watchers: Vec<_> = STORE_WATCHERS.with(|w| w.borrow().clone());
    if watchers.is_empty() {
        let text = match ev {
            StoreEvent::Blocked => {
                "Ferroflow waits for another tab to close an older version of its store."
            }
            StoreEvent::Opened => "Ferroflow's store is open.",
            StoreEvent::Closed => {
                "Ferroflow was updated in another tab: reload this page to keep logging."
            }
        };
        web_sys::console::warn_1(&text.into());
    }
    for w in watchers {
        w(ev);
    }
}

/// The service, opening the database on first use (concurrent callers share it).
pub async fn service() -> Result<Rc<Service>, ServiceError> {
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
    async fn open(name: &str) -> Result<Rc<Service>, ServiceError> {
        let db = Db::open(name, Rc::new(store_event)).await?;
        let tracker = Tracker::from_records(db.load_everything().await?, seed(), now_ms());
        let svc = Rc::new(Service {
            tracker: RefCell::new(tracker),
            db,
            write_lock: Mutex::new(()),
            flush_soon: Cell::new(false),
            flush_late: Cell::new(false),
            notify_scheduled: Rc::new(Cell::new(false)),
            waiters: RefCell::new(BTreeMap::new()),
            listeners: Rc::default(),
            commit_hooks: RefCell::new(Vec::new()),
            sync: sync::TabSync::new(),
        });
        svc.listen_to_other_contexts();
        svc.flush_on_page_hide();
        // The Default experiment of a new database.
        svc.flush().await?;
        Ok(svc)
    }

    /// Reads the view.
    pub fn read<T>(&self, f: impl FnOnce(&Tracker) -> T) -> T {
        f(&self.tracker.borrow())
    }

    /// Changes the view and schedules a flush; the changes' outcomes are not awaited
    /// (a change the merge refuses disappears from the view, and is logged).
    pub fn write<T, E>(
        self: &Rc<Self>,
        f: impl FnOnce(&mut Tracker) -> Result<T, E>,
    ) -> Result<T, E> {
        let out = f(&mut self.tracker.borrow_mut());
        self.schedule_flush();
        out
    }

    /// Changes the view, then waits until the changes are merged into the store:
    /// resolves to `f`'s result and each change's outcome, or to the refusal of the
    /// first refused change (another writer won a race), or a storage failure.
    pub async fn write_committed<T>(
        self: &Rc<Self>,
        f: impl FnOnce(&mut Tracker) -> Result<T, crate::core::tracking::TrackingError>,
    ) -> Result<(T, Vec<Outcome>), ServiceError> {
        let first = self.read(Tracker::next_ticket);
        let out = self.write(f)?;
        let outcomes = self.committed_since(first).await?;
        Ok((out, outcomes))
    }

    /// Waits for the outcomes of the changes made since ticket `first` (taken with
    /// `read(Tracker::next_ticket)` before making them). The waiters are registered
    /// before this returns, so no flush can slip between.
    pub fn committed_since(
        self: &Rc<Self>,
        first: Ticket,
    ) -> impl std::future::Future<Output = Result<Vec<Outcome>, ServiceError>> {
        let receivers: Vec<_> = {
            let last = self.read(Tracker::next_ticket);
            let mut waiters = self.waiters.borrow_mut();
            (first..last)
                .map(|ticket| {
                    let (tx, rx) = oneshot::channel();
                    waiters.insert(ticket, tx);
                    rx
                })
                .collect()
        };
        self.schedule_flush();
        async move {
            let mut outcomes = Vec::with_capacity(receivers.len());
            for rx in receivers {
                let outcome = rx.await.unwrap_or_else(|_| {
                    Err(ServiceError::Store(crate::store::StoreError {
                        kind: crate::store::StoreErrorKind::Failed,
                        message: "the write was dropped before it was stored".into(),
                    }))
                })?;
                outcomes.push(outcome);
            }
            Ok(outcomes)
        }
    }

    /// Paths and sizes of a run's artifacts under `prefix`.
    pub async fn artifact_sizes(
        &self,
        run_id: &str,
        prefix: &str,
    ) -> Result<Vec<(String, u64)>, ServiceError> {
        self.know_run(run_id).await?;
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

    /// A metric's full history, including points not flushed yet.
    pub async fn metric_history(
        self: &Rc<Self>,
        run_id: &str,
        key: &str,
    ) -> Result<Vec<crate::core::tracking::model::MetricPoint>, ServiceError> {
        self.know_run(run_id).await?;
        self.read(|t| t.run(run_id).map(drop))?;
        self.flush().await?;
        Ok(self.db.metric_history(run_id, key).await?)
    }

    /// Calls `f` after every committed change, here or in another context, until the
    /// returned [`Subscription`] is dropped.
    pub fn subscribe(&self, f: Rc<dyn Fn()>) -> Subscription {
        let mut l = self.listeners.borrow_mut();
        let id = l.next;
        l.next += 1;
        l.by_id.insert(id, f);
        Subscription {
            id,
            listeners: Rc::downgrade(&self.listeners),
        }
    }

    /// How many listeners are subscribed (the site's UI, each notebook view shown).
    pub fn subscriber_count(&self) -> usize {
        self.listeners.borrow().by_id.len()
    }

    /// Tells listeners about changes, at most once per [`NOTIFY_INTERVAL_MS`]: a
    /// script ending thousands of runs must not re-render the UI thousands of times.
    fn notify(&self) {
        if self.listeners.borrow().by_id.is_empty() || self.notify_scheduled.replace(true) {
            return;
        }
        let listeners = self.listeners.clone();
        let scheduled = self.notify_scheduled.clone();
        // Listeners as they are when it fires: one removed meanwhile is not called.
        let cb = Closure::once_into_js(move || {
            scheduled.set(false);
            let ls: Vec<_> = listeners.borrow().by_id.values().cloned().collect();
            for l in ls {
                l();
            }
        });
        set_timeout(cb.unchecked_ref(), NOTIFY_INTERVAL_MS);
    }
}
