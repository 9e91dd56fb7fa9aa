//! Versions, opening, upgrades and migrations, and the connection's lifecycle.
//!
//! The database is opened first with a raw `IDBOpenDBRequest`, because rexie's builder
//! hides the request's `blocked` event (another tab holds an older version open) and
//! closes its connection on `versionchange` without telling anyone. That first
//! connection creates missing object stores on upgrade and stays open as a watcher:
//! its `versionchange` handler closes it and tells the service, which tells the user
//! to reload. rexie then opens the same version (no upgrade runs) for all reads and
//! writes.

use std::cell::Cell;
use std::rc::Rc;

use js_sys::{Promise, Reflect, Uint8Array};
use rexie::{ObjectStore, Rexie, TransactionMode};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use super::read::{decode_chunks, key2, series_range, text_record};
use super::{
    closed_error, global, Db, Result, StoreError, StoreErrorKind, ALL_STORES, ARTIFACTS,
    ARTIFACT_INDEX, CHUNKS, EXTRA, LOGGED_MODELS, META, REGISTERED_MODELS, RUNS,
};
use crate::core::interchange::mlruns::models_from_kept_files;
use crate::core::tracking::codec::encode_record;
use crate::core::tracking::model::MetricRange;
use crate::core::tracking::records::StoredRun;

/// IndexedDB version: bump when object stores are added (4: logged models and the
/// registry).
pub const IDB_VERSION: u32 = 4;
/// Record-format version: bump with a new entry in [`MIGRATIONS`].
pub const SCHEMA_VERSION: u32 = 4;

/// A record-format migration: from `version - 1` to `version`.
pub struct Migration {
    /// The version this step produces.
    pub version: u32,
    /// What it does, for the log.
    pub what: &'static str,
}

/// Steps from older record formats, applied in order above the stored format.
pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 2,
        what: "index the sizes of stored artifacts",
    },
    Migration {
        version: 3,
        what: "model the logged models and registry that older versions kept as files",
    },
    Migration {
        version: 4,
        what: "record each metric's lowest and highest value in its run",
    },
];

/// Lifecycle events the user should hear about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StoreEvent {
    /// Opening waits: another tab keeps an older version of the database open.
    Blocked,
    /// The open went through after waiting.
    Opened,
    /// Another tab opened a newer version: this tab's connection is closed.
    Closed,
}

fn dom_error_name(e: &JsValue) -> String {
    Reflect::get(e, &"name".into())
        .ok()
        .and_then(|n| n.as_string())
        .unwrap_or_default()
}

/// Opens `name` at [`IDB_VERSION`] with a raw request: creates missing object stores,
/// reports `blocked`, and watches the connection for `versionchange`.
async fn open_watcher(
    name: &str,
    events: Rc<dyn Fn(StoreEvent)>,
    closed: Rc<Cell<bool>>,
) -> Result<web_sys::IdbDatabase> {
    let factory: web_sys::IdbFactory = Reflect::get(&global(), &"indexedDB".into())
        .ok()
        .and_then(|f| f.dyn_into().ok())
        .ok_or_else(|| {
            StoreError::failed(
                "This browser context has no IndexedDB (private mode, or storage is disabled \
                 for this site): Ferroflow cannot store anything here.",
            )
        })?;
    let request = factory
        .open_with_u32(name, IDB_VERSION)
        .map_err(|e| StoreError::failed(format!("IndexedDB refused to open '{name}': {e:?}")))?;
    let upgrade = Closure::<dyn FnMut(web_sys::Event)>::new(move |ev: web_sys::Event| {
        let Some(req) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::IdbOpenDbRequest>().ok())
        else {
            return;
        };
        let Ok(db) = req
            .result()
            .and_then(|r| r.dyn_into::<web_sys::IdbDatabase>())
        else {
            return;
        };
        let existing = db.object_store_names();
        for store in ALL_STORES {
            if !existing.contains(store) {
                let _ = db.create_object_store(store);
            }
        }
    });
    request.set_onupgradeneeded(Some(upgrade.as_ref().unchecked_ref()));
    let was_blocked = Rc::new(Cell::new(false));
    let blocked = {
        let (events, was_blocked) = (events.clone(), was_blocked.clone());
        Closure::<dyn FnMut()>::new(move || {
            was_blocked.set(true);
            events(StoreEvent::Blocked);
        })
    };
    request.set_onblocked(Some(blocked.as_ref().unchecked_ref()));
    let done = Promise::new(&mut |ok, err| {
        request.set_onsuccess(Some(&ok));
        request.set_onerror(Some(&err));
    });
    let outcome = JsFuture::from(done).await;
    request.set_onupgradeneeded(None);
    request.set_onblocked(None);
    drop((upgrade, blocked));
    if let Err(ev) = outcome {
        let error = request.error().ok().flatten();
        let name_ = error
            .as_ref()
            .map(|e| dom_error_name(e))
            .unwrap_or_default();
        let _ = ev;
        if name_ == "VersionError" {
            return Err(newer_error("IndexedDB version"));
        }
        return Err(StoreError::failed(format!(
            "IndexedDB could not open the store: {}",
            error.map(|e| e.message()).unwrap_or(name_)
        )));
    }
    if was_blocked.get() {
        events(StoreEvent::Opened);
    }
    let db: web_sys::IdbDatabase = request
        .result()
        .and_then(|r| r.dyn_into())
        .map_err(|_| StoreError::failed("IndexedDB opened no database"))?;
    let on_change = {
        let db = db.clone();
        Closure::<dyn FnMut()>::new(move || {
            // Let the other tab's upgrade go ahead; this tab must reload.
            db.close();
            if !closed.replace(true) {
                events(StoreEvent::Closed);
            }
        })
    };
    db.set_onversionchange(Some(on_change.as_ref().unchecked_ref()));
    on_change.forget();
    Ok(db)
}

fn newer_error(what: &str) -> StoreError {
    StoreError {
        kind: StoreErrorKind::Newer,
        message: format!(
            "This browser store was written by a newer Ferroflow ({what} above this one's); \
             reload the page to get the new version."
        ),
    }
}

impl Db {
    /// Opens (creating or upgrading) the database `name`; `events` hears about a
    /// blocked open and a connection closed by another tab's upgrade.
    pub async fn open(name: &str, events: Rc<dyn Fn(StoreEvent)>) -> Result<Db> {
        let closed = Rc::new(Cell::new(false));
        let watcher = open_watcher(name, events, closed.clone()).await?;
        // Same version: rexie's upgrade step does not run. Every store is still named,
        // because rexie's upgrade would delete the stores it is not given.
        let mut b = Rexie::builder(name).version(IDB_VERSION);
        for s in ALL_STORES {
            b = b.add_object_store(ObjectStore::new(s));
        }
        let rexie = b.build().await.map_err(|e| {
            if closed.get() {
                closed_error()
            } else {
                StoreError::from(e)
            }
        })?;
        let db = Db {
            rexie,
            closed,
            watcher,
        };
        db.migrate().await?;
        Ok(db)
    }

    /// Opens `name` without anyone listening to its lifecycle (tests).
    pub async fn open_quietly(name: &str) -> Result<Db> {
        Db::open(name, Rc::new(|_| ())).await
    }

    async fn migrate(&self) -> Result<()> {
        let stores = [
            META,
            ARTIFACTS,
            ARTIFACT_INDEX,
            EXTRA,
            LOGGED_MODELS,
            REGISTERED_MODELS,
            RUNS,
            CHUNKS,
        ];
        let tx = self.transaction(&stores, TransactionMode::ReadWrite)?;
        let meta = tx.store(META)?;
        let stored = meta
            .get("schema".into())
            .await?
            .and_then(|v| v.as_f64())
            .map_or(1, |v| v as u32);
        if stored > SCHEMA_VERSION {
            return Err(newer_error(&format!(
                "format {stored}, this one reads {SCHEMA_VERSION}"
            )));
        }
        for step in MIGRATIONS.iter().filter(|m| m.version > stored) {
            match step.version {
                2 => {
                    // Sizes of artifacts stored before the index existed.
                    let index = tx.store(ARTIFACT_INDEX)?;
                    let all = tx.store(ARTIFACTS)?.scan(None, None, None, None).await?;
                    for (key, bytes) in all {
                        let size = JsValue::from(Uint8Array::new(&bytes).length());
                        index.put(&size, Some(&key)).await?;
                    }
                }
                3 => model_kept_files(&tx).await?,
                4 => metric_ranges(&tx).await?,
                v => return Err(StoreError::failed(format!("no migration to format {v}"))),
            }
        }
        if stored != SCHEMA_VERSION {
            meta.put(&JsValue::from(SCHEMA_VERSION), Some(&"schema".into()))
                .await?;
        }
        self.committed(tx, 0).await
    }
}

/// Migration step 4: every run record gets the range of each metric history it has
/// (read inline or from its chunks), as `append_series` keeps it from then on.
async fn metric_ranges(tx: &rexie::Transaction) -> Result<()> {
    let (runs, chunks) = (tx.store(RUNS)?, tx.store(CHUNKS)?);
    for (id, v) in runs.scan(None, None, None, None).await? {
        let mut run: StoredRun = text_record(&v, "run")?;
        let missing: Vec<String> = (run.metric_keys())
            .filter(|k| !run.run.metric_ranges.contains_key(*k))
            .cloned()
            .collect();
        if missing.is_empty() {
            continue;
        }
        for key in missing {
            let range = match run.inline_metrics.get(&key) {
                Some(points) => MetricRange::of(points),
                None => {
                    let range = series_range(&run.run.info.run_id, &key)?;
                    let stored = chunks.get_all(Some(range), None).await?;
                    let mut points = Vec::new();
                    decode_chunks(&stored, &mut points)?;
                    MetricRange::of(&points)
                }
            };
            run.run.metric_ranges.insert(key, range);
        }
        runs.put(&encode_record(&run).into(), Some(&id)).await?;
    }
    Ok(())
}

/// Migration step 3: the logged models and registry an older Ferroflow kept among the
/// extra files become records (the logged models' files move to `artifacts`); what
/// MLflow could not read stays as files. One transaction: all of it or nothing.
async fn model_kept_files(tx: &rexie::Transaction) -> Result<()> {
    let extra = tx.store(EXTRA)?;
    let mut files = std::collections::BTreeMap::new();
    for (k, v) in extra.scan(None, None, None, None).await? {
        if let Some(path) = k.as_string() {
            files.insert(path, Uint8Array::new(&v).to_vec());
        }
    }
    let touched = |p: &str| p.starts_with("models/") || p.contains("/models/");
    if !files.keys().any(|p| touched(p)) {
        return Ok(());
    }
    let before: Vec<String> = files.keys().cloned().collect();
    let kept = models_from_kept_files(files, Default::default());
    for w in &kept.warnings {
        web_sys::console::warn_1(&format!("Ferroflow store upgrade: {w}").into());
    }
    let (logged, registered) = (tx.store(LOGGED_MODELS)?, tx.store(REGISTERED_MODELS)?);
    let (arts, index) = (tx.store(ARTIFACTS)?, tx.store(ARTIFACT_INDEX)?);
    for rec in &kept.logged_models {
        let id = &rec.model.model_id;
        logged
            .put(&encode_record(&rec.model).into(), Some(&id.as_str().into()))
            .await?;
        for (path, bytes) in &rec.artifacts {
            let key = key2(id, path);
            arts.put(&Uint8Array::from(bytes.as_slice()).into(), Some(&key))
                .await?;
            index
                .put(&JsValue::from(bytes.len() as f64), Some(&key))
                .await?;
        }
    }
    for m in &kept.registered_models {
        registered
            .put(&encode_record(m).into(), Some(&m.name.as_str().into()))
            .await?;
    }
    // What is still kept as files is written back; the rest leaves the extra files.
    let still: std::collections::BTreeSet<String> = (kept.extra_files.keys().cloned())
        .chain(kept.extra_dirs.iter().map(|d| format!("{d}/")))
        .collect();
    for path in before.iter().filter(|p| !still.contains(*p)) {
        extra.delete(path.as_str().into()).await?;
    }
    for d in &kept.extra_dirs {
        let key = format!("{d}/");
        if !before.contains(&key) {
            extra
                .put(
                    &Uint8Array::new_with_length(0).into(),
                    Some(&key.as_str().into()),
                )
                .await?;
        }
    }
    Ok(())
}
