//! The only code that knows IndexedDB (through rexie).
//!
//! Schema (database `ferroflow`, one object store each, out-of-line keys):
//! - `meta`: `"schema"` → the data-format version the records were written in;
//! - `experiments`: experiment id → the `Experiment` as JSON;
//! - `runs`: run id → the `StoredRun` (info, params, tags, latest metrics, chunk
//!   counts) as JSON;
//! - `metric_chunks`: `[run id, key, seq]` → a `Uint8Array` of up to 16,384 points
//!   (`core::tracking::metric_log::encode_chunk`);
//! - `artifacts`: `[run id, path]` → the file's bytes as a `Uint8Array`;
//! - `artifact_index`: `[run id, path]` → the file's size, so listings never read
//!   the bytes;
//! - `extra_files`: root-relative path → bytes of imported files Ferroflow does not
//!   model (registry, logged models, datasets, run inputs/outputs), exported back as
//!   they came.
//!
//! Upgrades: IndexedDB's version creates missing object stores (version 1 had no
//! `artifacts` or `extra_files`, version 2 no `artifact_index`); [`MIGRATIONS`] then
//! rewrites records written by older data formats, one step at a time.

use js_sys::{Array, Uint8Array};
use rexie::{KeyRange, ObjectStore, Rexie, TransactionMode};
use wasm_bindgen::JsValue;

use crate::core::tracking::metric_log::{decode_chunk, encode_chunk, MetricChunk};
use crate::core::tracking::model::{Experiment, MetricPoint};
use crate::core::tracking::StoredRun;

/// IndexedDB version: bump when object stores are added.
pub const IDB_VERSION: u32 = 3;
/// Record-format version: bump with a new entry in [`MIGRATIONS`].
pub const SCHEMA_VERSION: u32 = 2;

const META: &str = "meta";
const EXPERIMENTS: &str = "experiments";
const RUNS: &str = "runs";
const CHUNKS: &str = "metric_chunks";
const ARTIFACTS: &str = "artifacts";
const EXTRA: &str = "extra_files";
const ARTIFACT_INDEX: &str = "artifact_index";
const ALL_STORES: [&str; 7] = [
    META,
    EXPERIMENTS,
    RUNS,
    CHUNKS,
    ARTIFACTS,
    EXTRA,
    ARTIFACT_INDEX,
];

/// A record-format migration: from `version - 1` to `version`.
pub struct Migration {
    /// The version this step produces.
    pub version: u32,
    /// What it does, for the log.
    pub what: &'static str,
}

/// Steps from older record formats, applied in order above the stored format.
pub const MIGRATIONS: &[Migration] = &[Migration {
    version: 2,
    what: "index the sizes of stored artifacts",
}];

/// A storage failure, as a message.
#[derive(Debug, Clone)]
pub struct StoreError(pub String);

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "IndexedDB: {}", self.0)
    }
}

impl From<rexie::Error> for StoreError {
    fn from(e: rexie::Error) -> Self {
        StoreError(e.to_string())
    }
}

type Result<T> = std::result::Result<T, StoreError>;

/// What to write in one transaction.
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
    /// Runs whose metric chunks and artifacts are all deleted first (an imported
    /// run replacing one).
    pub replace_runs: &'a [String],
}

/// Waits for `tx` to finish; an abort (storage full, tab closing) is an error, not
/// a silent success.
async fn committed(tx: rexie::Transaction) -> Result<()> {
    if tx.done().await?.is_committed() {
        Ok(())
    } else {
        Err(StoreError(
            "the write was aborted (is the browser's storage full?); nothing of it was saved"
                .into(),
        ))
    }
}

/// An open Ferroflow database.
pub struct Db {
    rexie: Rexie,
}

fn key2(a: &str, b: &str) -> JsValue {
    Array::of2(&a.into(), &b.into()).into()
}

fn chunk_key(run: &str, key: &str, seq: u32) -> JsValue {
    Array::of3(&run.into(), &key.into(), &JsValue::from(seq)).into()
}

fn series_range(run: &str, key: &str) -> Result<KeyRange> {
    KeyRange::bound(
        &chunk_key(run, key, 0),
        &chunk_key(run, key, u32::MAX),
        Some(false),
        Some(false),
    )
    .map_err(|e| StoreError(e.to_string()))
}

/// Every chunk of a run: `[run]` up to `[run, []]` (arrays sort after strings).
fn run_range(run: &str) -> Result<KeyRange> {
    let lo: JsValue = Array::of1(&run.into()).into();
    let hi: JsValue = Array::of2(&run.into(), &Array::new()).into();
    KeyRange::bound(&lo, &hi, Some(false), Some(false)).map_err(|e| StoreError(e.to_string()))
}

/// Keys `[run, prefix…]` up to `[run, prefix + U+FFFF]`.
fn prefix_range(run: &str, prefix: &str) -> Result<KeyRange> {
    let hi = format!("{prefix}\u{ffff}");
    KeyRange::bound(
        &key2(run, prefix),
        &key2(run, &hi),
        Some(false),
        Some(false),
    )
    .map_err(|e| StoreError(e.to_string()))
}

fn json<T: serde::de::DeserializeOwned>(v: &JsValue, what: &str) -> Result<T> {
    let s = v
        .as_string()
        .ok_or_else(|| StoreError(format!("a {what} record is not a string")))?;
    serde_json::from_str(&s).map_err(|e| StoreError(format!("a {what} record is unreadable: {e}")))
}

fn to_json<T: serde::Serialize>(v: &T) -> JsValue {
    JsValue::from_str(&serde_json::to_string(v).expect("model types serialize"))
}

impl Db {
    /// Opens (creating or upgrading) the database `name`.
    pub async fn open(name: &str) -> Result<Db> {
        let mut b = Rexie::builder(name).version(IDB_VERSION);
        for s in ALL_STORES {
            b = b.add_object_store(ObjectStore::new(s));
        }
        let db = Db {
            rexie: b.build().await?,
        };
        db.migrate().await?;
        Ok(db)
    }

    async fn migrate(&self) -> Result<()> {
        let stores = [META, ARTIFACTS, ARTIFACT_INDEX];
        let tx = self
            .rexie
            .transaction(&stores, TransactionMode::ReadWrite)?;
        let meta = tx.store(META)?;
        let stored = meta
            .get("schema".into())
            .await?
            .and_then(|v| v.as_f64())
            .map_or(1, |v| v as u32);
        if stored > SCHEMA_VERSION {
            return Err(StoreError(format!(
                "this database was written by a newer Ferroflow (format {stored}, this one reads {SCHEMA_VERSION}); reload the page to get the new version"
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
                v => return Err(StoreError(format!("no migration to format {v}"))),
            }
        }
        if stored != SCHEMA_VERSION {
            meta.put(&JsValue::from(SCHEMA_VERSION), Some(&"schema".into()))
                .await?;
        }
        committed(tx).await
    }

    /// Every experiment and run record.
    pub async fn load_all(&self) -> Result<(Vec<Experiment>, Vec<StoredRun>)> {
        let tx = self
            .rexie
            .transaction(&[EXPERIMENTS, RUNS], TransactionMode::ReadOnly)?;
        let exps = tx.store(EXPERIMENTS)?.get_all(None, None).await?;
        let runs = tx.store(RUNS)?.get_all(None, None).await?;
        let exps = exps
            .iter()
            .map(|v| json(v, "experiment"))
            .collect::<Result<_>>()?;
        let runs = runs.iter().map(|v| json(v, "run")).collect::<Result<_>>()?;
        Ok((exps, runs))
    }

    /// The given records, as stored now (missing ones are skipped).
    pub async fn load_some(
        &self,
        experiment_ids: &[String],
        run_ids: &[String],
    ) -> Result<(Vec<Experiment>, Vec<StoredRun>)> {
        let tx = self
            .rexie
            .transaction(&[EXPERIMENTS, RUNS], TransactionMode::ReadOnly)?;
        let (es, rs) = (tx.store(EXPERIMENTS)?, tx.store(RUNS)?);
        let mut exps = Vec::new();
        for id in experiment_ids {
            if let Some(v) = es.get(id.into()).await? {
                exps.push(json(&v, "experiment")?);
            }
        }
        let mut runs = Vec::new();
        for id in run_ids {
            if let Some(v) = rs.get(id.into()).await? {
                runs.push(json(&v, "run")?);
            }
        }
        Ok((exps, runs))
    }

    /// Writes a batch in one transaction: all of it or nothing.
    pub async fn write(&self, batch: &Batch<'_>) -> Result<()> {
        // Only the stores touched: a smaller scope commits faster.
        let touched: Vec<&str> = [
            (EXPERIMENTS, !batch.experiments.is_empty()),
            (RUNS, !batch.runs.is_empty()),
            (
                CHUNKS,
                !batch.chunks.is_empty() || !batch.replace_runs.is_empty(),
            ),
            (
                ARTIFACTS,
                !batch.artifacts.is_empty() || !batch.replace_runs.is_empty(),
            ),
            (
                ARTIFACT_INDEX,
                !batch.artifacts.is_empty() || !batch.replace_runs.is_empty(),
            ),
            (EXTRA, !batch.extra_files.is_empty()),
        ]
        .into_iter()
        .filter_map(|(name, used)| used.then_some(name))
        .collect();
        if touched.is_empty() {
            return Ok(());
        }
        let tx = self
            .rexie
            .transaction(&touched, TransactionMode::ReadWrite)?;
        let store = |name: &str| -> Result<Option<rexie::Store>> {
            Ok(if touched.contains(&name) {
                Some(tx.store(name)?)
            } else {
                None
            })
        };
        let index = store(ARTIFACT_INDEX)?;
        let (exps, runs, chunks, arts, extra) = (
            store(EXPERIMENTS)?,
            store(RUNS)?,
            store(CHUNKS)?,
            store(ARTIFACTS)?,
            store(EXTRA)?,
        );
        // Every request is issued at once (requests of one transaction run in order),
        // then the transaction's completion is awaited: no round trip per store.
        let mut requests: Vec<
            futures::future::LocalBoxFuture<'_, std::result::Result<(), rexie::Error>>,
        > = Vec::new();
        if let Some(c) = &chunks {
            for run in batch.replace_runs {
                requests.push(Box::pin(c.delete(run_range(run)?.into())));
            }
            for ch in batch.chunks {
                let bytes: JsValue = Uint8Array::from(encode_chunk(&ch.points).as_slice()).into();
                let key = chunk_key(&ch.run_id, &ch.key, ch.seq);
                requests.push(Box::pin(async move {
                    c.put(&bytes, Some(&key)).await.map(drop)
                }));
            }
        }
        if let Some(st) = &exps {
            for e in batch.experiments {
                let (v, k) = (to_json(e), JsValue::from_str(&e.experiment_id));
                requests.push(Box::pin(
                    async move { st.put(&v, Some(&k)).await.map(drop) },
                ));
            }
        }
        if let Some(st) = &runs {
            for r in batch.runs {
                let (v, k) = (to_json(r), JsValue::from_str(&r.run.info.run_id));
                requests.push(Box::pin(
                    async move { st.put(&v, Some(&k)).await.map(drop) },
                ));
            }
        }
        if let (Some(st), Some(ix)) = (&arts, &index) {
            for run in batch.replace_runs {
                requests.push(Box::pin(st.delete(prefix_range(run, "")?.into())));
                requests.push(Box::pin(ix.delete(prefix_range(run, "")?.into())));
            }
            for (run, path, bytes) in batch.artifacts {
                let (v, k): (JsValue, _) =
                    (Uint8Array::from(bytes.as_slice()).into(), key2(run, path));
                let size = JsValue::from(bytes.len() as f64);
                let k2 = k.clone();
                requests.push(Box::pin(
                    async move { st.put(&v, Some(&k)).await.map(drop) },
                ));
                requests.push(Box::pin(
                    async move { ix.put(&size, Some(&k2)).await.map(drop) },
                ));
            }
        }
        if let Some(st) = &extra {
            for (path, bytes) in batch.extra_files {
                let (v, k): (JsValue, _) = (
                    Uint8Array::from(bytes.as_slice()).into(),
                    JsValue::from_str(path),
                );
                requests.push(Box::pin(
                    async move { st.put(&v, Some(&k)).await.map(drop) },
                ));
            }
        }
        for r in futures::future::join_all(requests).await {
            r?;
        }
        committed(tx).await
    }

    /// A metric's full history in logging order.
    pub async fn metric_history(&self, run_id: &str, key: &str) -> Result<Vec<MetricPoint>> {
        let tx = self
            .rexie
            .transaction(&[CHUNKS], TransactionMode::ReadOnly)?;
        let chunks = tx
            .store(CHUNKS)?
            .get_all(Some(series_range(run_id, key)?), None)
            .await?;
        let mut out = Vec::new();
        for c in chunks {
            let bytes = Uint8Array::new(&c).to_vec();
            decode_chunk(&bytes, &mut out).map_err(StoreError)?;
        }
        Ok(out)
    }

    /// Paths of a run's artifacts under `prefix`, with their sizes (from the index:
    /// no file is read).
    pub async fn artifact_sizes(&self, run_id: &str, prefix: &str) -> Result<Vec<(String, u64)>> {
        let tx = self
            .rexie
            .transaction(&[ARTIFACT_INDEX], TransactionMode::ReadOnly)?;
        let entries = tx
            .store(ARTIFACT_INDEX)?
            .scan(Some(prefix_range(run_id, prefix)?), None, None, None)
            .await?;
        Ok(entries
            .into_iter()
            .filter_map(|(k, v)| Some((Array::from(&k).get(1).as_string()?, v.as_f64()? as u64)))
            .collect())
    }

    /// Every artifact of a run (path, bytes), by path.
    pub async fn artifacts_of(&self, run_id: &str) -> Result<Vec<(String, Vec<u8>)>> {
        let tx = self
            .rexie
            .transaction(&[ARTIFACTS], TransactionMode::ReadOnly)?;
        let entries = tx
            .store(ARTIFACTS)?
            .scan(Some(prefix_range(run_id, "")?), None, None, None)
            .await?;
        Ok(entries
            .into_iter()
            .filter_map(|(k, v)| {
                Some((
                    Array::from(&k).get(1).as_string()?,
                    Uint8Array::new(&v).to_vec(),
                ))
            })
            .collect())
    }

    /// One artifact's bytes.
    pub async fn artifact(&self, run_id: &str, path: &str) -> Result<Option<Vec<u8>>> {
        let tx = self
            .rexie
            .transaction(&[ARTIFACTS], TransactionMode::ReadOnly)?;
        let v = tx.store(ARTIFACTS)?.get(key2(run_id, path)).await?;
        Ok(v.map(|v| Uint8Array::new(&v).to_vec()))
    }

    /// Every extra file (path, bytes).
    pub async fn extra_files(&self) -> Result<Vec<(String, Vec<u8>)>> {
        let tx = self
            .rexie
            .transaction(&[EXTRA], TransactionMode::ReadOnly)?;
        let entries = tx.store(EXTRA)?.scan(None, None, None, None).await?;
        Ok(entries
            .into_iter()
            .filter_map(|(k, v)| Some((k.as_string()?, Uint8Array::new(&v).to_vec())))
            .collect())
    }

    /// Deletes the database (tests and "reset").
    pub async fn delete(name: &str) -> Result<()> {
        Rexie::delete(name).await.map_err(Into::into)
    }

    /// Closes the connection.
    pub fn close(self) {
        self.rexie.close();
    }
}
