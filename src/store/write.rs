//! Writing: a flush's read-modify-write transaction, and whole-record batches
//! (imports, artifacts, extra files). Each is one transaction: all of it or nothing.

use futures::future::{join_all, try_join_all, LocalBoxFuture};
use js_sys::{Reflect, Uint8Array};
use rexie::TransactionMode;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

use super::read::{
    chunk_key, decode_chunks, key2, prefix_range, read_needs, run_range, RecordStores,
};
use super::{
    global, Db, Result, StoreError, StoreErrorKind, ARTIFACTS, ARTIFACT_INDEX, CHUNKS, EXPERIMENTS,
    EXTRA, LOGGED_MODELS, RECORD_STORES, REGISTERED_MODELS, RUNS,
};
use crate::core::models::LoggedModel;
use crate::core::registry::RegisteredModel;
use crate::core::tracking::codec::encode_record;
use crate::core::tracking::metric_log::{encode_chunk, MetricChunk};
use crate::core::tracking::model::Experiment;
use crate::core::tracking::{FlushBatch, Merged, Stored, StoredRun, Tails};

/// Whole records and files to write in one transaction (imports, artifacts).
#[derive(Default)]
pub struct Batch<'a> {
    /// Whole experiment records.
    pub experiments: &'a [Experiment],
    /// Whole run records.
    pub runs: &'a [StoredRun],
    /// Metric chunks (replacing the same `(run, key, seq)`).
    pub chunks: &'a [MetricChunk],
    /// Artifacts `(run id, path, bytes)`.
    pub artifacts: &'a [(String, String, Vec<u8>)],
    /// Extra files `(root-relative path, bytes)`.
    pub extra_files: &'a [(String, Vec<u8>)],
    /// Whole logged-model records (their files go in `artifacts`, owned by the id).
    pub logged_models: &'a [LoggedModel],
    /// Whole registered-model records.
    pub registered_models: &'a [RegisteredModel],
    /// Registered models to delete first (a mirrored rename or delete).
    pub remove_registered_models: &'a [String],
    /// Runs and logged models whose metric chunks and artifacts are all deleted first
    /// (an imported one replacing one).
    pub replace_runs: &'a [String],
}

type Request<'a> = LocalBoxFuture<'a, std::result::Result<(), rexie::Error>>;

fn put<'a>(store: &'a rexie::Store, value: JsValue, key: JsValue) -> Request<'a> {
    Box::pin(async move { store.put(&value, Some(&key)).await.map(drop) })
}

/// Puts a record as JSON text under `key`, counting its size.
fn put_record<'a, T: serde::Serialize>(
    store: &'a rexie::Store,
    record: &T,
    key: &str,
    size: &mut usize,
) -> Request<'a> {
    let text = encode_record(record);
    *size += text.len();
    put(store, text.into(), key.into())
}

fn bytes(b: &[u8]) -> JsValue {
    Uint8Array::from(b).into()
}

/// Issues every request at once (requests of one transaction run in order), then waits
/// for all: no round trip per record.
async fn all(requests: Vec<Request<'_>>) -> Result<()> {
    for r in join_all(requests).await {
        r?;
    }
    Ok(())
}

/// `navigator.storage.estimate()`: bytes this site stores and may store.
async fn estimate() -> Option<(f64, f64)> {
    let nav = Reflect::get(&global(), &"navigator".into()).ok()?;
    let storage = Reflect::get(&nav, &"storage".into()).ok()?;
    let f: js_sys::Function = Reflect::get(&storage, &"estimate".into()).ok()?.into();
    let p: js_sys::Promise = f.call0(&storage).ok()?.into();
    let e = JsFuture::from(p).await.ok()?;
    let num = |k: &str| Reflect::get(&e, &k.into()).ok()?.as_f64();
    Some((num("usage")?, num("quota")?))
}

fn mb(bytes: f64) -> String {
    format!("{:.1} MB", bytes / 1e6)
}

impl Db {
    /// Waits for `tx` to finish. An abort is an error, never a silent success: with
    /// the connection open, IndexedDB aborts a write transaction when the site's
    /// storage is full (rexie does not hand over the transaction's `error`, so the
    /// kind is inferred; the browser's own figures are quoted).
    pub(super) async fn committed(&self, tx: rexie::Transaction, write_bytes: usize) -> Result<()> {
        if tx.done().await?.is_committed() {
            return Ok(());
        }
        self.check_open()?;
        // (The browser's quota figure is not quoted: Chromium reports the disk's
        // share even when a lower limit applies.)
        let stored = match estimate().await {
            Some((usage, _)) => format!(" This site stores {} in the browser.", mb(usage)),
            None => String::new(),
        };
        Err(StoreError {
            kind: StoreErrorKind::Full,
            message: format!(
                "The browser refused to save a write of {} (its storage for this site is \
                 full); nothing of it was saved.{stored} Free space (delete or export and \
                 remove old runs, or clear other sites' data) and try again.",
                mb(write_bytes as f64)
            ),
        })
    }

    /// Stores a flush: in one read-modify-write transaction, reads the records the batch
    /// needs and the tails of the series it appends to, merges the batch into them
    /// (core decides every outcome), and writes what changed. Returns the merge and the
    /// records as stored, for the writer's view.
    pub async fn flush(&self, batch: &FlushBatch) -> Result<(Merged, Stored)> {
        let tx = self.transaction(&RECORD_STORES, TransactionMode::ReadWrite)?;
        let stores = RecordStores::of(&tx)?;
        let chunks = tx.store(CHUNKS)?;
        let needs = batch.needs();
        let mut base = read_needs(&stores, &needs).await?;
        let wanted = batch.tails_needed(&base);
        let got = try_join_all(
            (wanted.iter()).map(|(run, key, seq)| chunks.get(chunk_key(run, key, *seq))),
        )
        .await?;
        let mut tails = Tails::default();
        for ((run, key, _), v) in wanted.into_iter().zip(got) {
            let mut points = Vec::new();
            decode_chunks(v.as_slice(), &mut points)?;
            tails.insert((run, key), points);
        }
        let merged = batch.merge(&mut base, tails);
        let mut size = 0;
        let mut requests = Vec::new();
        for e in &merged.experiments {
            requests.push(put_record(
                &stores.experiments,
                e,
                &e.experiment_id,
                &mut size,
            ));
        }
        for r in &merged.runs {
            requests.push(put_record(&stores.runs, r, &r.run.info.run_id, &mut size));
        }
        for m in &merged.logged_models {
            requests.push(put_record(&stores.logged_models, m, &m.model_id, &mut size));
        }
        for name in &merged.removed_registered_models {
            requests.push(Box::pin(
                stores.registered_models.delete(name.as_str().into()),
            ));
        }
        for m in &merged.registered_models {
            requests.push(put_record(&stores.registered_models, m, &m.name, &mut size));
        }
        for c in &merged.chunks {
            let b = encode_chunk(&c.points);
            size += b.len();
            requests.push(put(&chunks, bytes(&b), chunk_key(&c.run_id, &c.key, c.seq)));
        }
        all(requests).await?;
        self.committed(tx, size).await?;
        let absent = needs.absent_from(&base);
        Ok((
            merged,
            Stored {
                records: base,
                absent,
            },
        ))
    }

    /// Writes whole records and files in one transaction: all of it or nothing.
    pub async fn write(&self, batch: &Batch<'_>) -> Result<()> {
        let replacing = !batch.replace_runs.is_empty();
        let has_files = !batch.artifacts.is_empty() || replacing;
        // Only the stores touched: a smaller scope commits faster.
        let touched: Vec<&str> = [
            (EXPERIMENTS, !batch.experiments.is_empty()),
            (RUNS, !batch.runs.is_empty()),
            (CHUNKS, !batch.chunks.is_empty() || replacing),
            (ARTIFACTS, has_files),
            (ARTIFACT_INDEX, has_files),
            (EXTRA, !batch.extra_files.is_empty()),
            (LOGGED_MODELS, !batch.logged_models.is_empty()),
            (
                REGISTERED_MODELS,
                !batch.registered_models.is_empty() || !batch.remove_registered_models.is_empty(),
            ),
        ]
        .into_iter()
        .filter_map(|(name, used)| used.then_some(name))
        .collect();
        if touched.is_empty() {
            return Ok(());
        }
        let tx = self.transaction(&touched, TransactionMode::ReadWrite)?;
        let store = |name: &str| -> Result<Option<rexie::Store>> {
            Ok(if touched.contains(&name) {
                Some(tx.store(name)?)
            } else {
                None
            })
        };
        let (exps, runs, chunks, arts, index, extra) = (
            store(EXPERIMENTS)?,
            store(RUNS)?,
            store(CHUNKS)?,
            store(ARTIFACTS)?,
            store(ARTIFACT_INDEX)?,
            store(EXTRA)?,
        );
        let (logged, registered) = (store(LOGGED_MODELS)?, store(REGISTERED_MODELS)?);
        let mut size = 0;
        let mut requests: Vec<Request<'_>> = Vec::new();
        if let Some(c) = &chunks {
            for run in batch.replace_runs {
                requests.push(Box::pin(c.delete(run_range(run)?.into())));
            }
            for ch in batch.chunks {
                let b = encode_chunk(&ch.points);
                size += b.len();
                requests.push(put(c, bytes(&b), chunk_key(&ch.run_id, &ch.key, ch.seq)));
            }
        }
        if let Some(st) = &exps {
            for e in batch.experiments {
                requests.push(put_record(st, e, &e.experiment_id, &mut size));
            }
        }
        if let Some(st) = &runs {
            for r in batch.runs {
                requests.push(put_record(st, r, &r.run.info.run_id, &mut size));
            }
        }
        if let (Some(st), Some(ix)) = (&arts, &index) {
            for run in batch.replace_runs {
                requests.push(Box::pin(st.delete(prefix_range(run, "")?.into())));
                requests.push(Box::pin(ix.delete(prefix_range(run, "")?.into())));
            }
            for (run, path, b) in batch.artifacts {
                size += b.len();
                requests.push(put(st, bytes(b), key2(run, path)));
                requests.push(put(ix, JsValue::from(b.len() as f64), key2(run, path)));
            }
        }
        if let Some(st) = &logged {
            for m in batch.logged_models {
                requests.push(put_record(st, m, &m.model_id, &mut size));
            }
        }
        if let Some(st) = &registered {
            for name in batch.remove_registered_models {
                requests.push(Box::pin(st.delete(name.as_str().into())));
            }
            for m in batch.registered_models {
                requests.push(put_record(st, m, &m.name, &mut size));
            }
        }
        if let Some(st) = &extra {
            for (path, b) in batch.extra_files {
                size += b.len();
                requests.push(put(st, bytes(b), path.as_str().into()));
            }
        }
        all(requests).await?;
        self.committed(tx, size).await
    }
}
