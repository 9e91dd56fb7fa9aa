//! Reading: records, metric histories, artifacts and extra files.

use futures::future::try_join_all;
use js_sys::{Array, Uint8Array};
use rexie::{KeyRange, TransactionMode};
use wasm_bindgen::JsValue;

use super::{
    Db, Result, StoreError, ARTIFACTS, ARTIFACT_INDEX, CHUNKS, EXPERIMENTS, EXTRA, LOGGED_MODELS,
    REGISTERED_MODELS, RUNS,
};
use crate::core::models::LoggedModel;
use crate::core::registry::RegisteredModel;

/// The record stores a view reads.
const RECORD_VIEW_STORES: [&str; 4] = [EXPERIMENTS, RUNS, LOGGED_MODELS, REGISTERED_MODELS];
use crate::core::tracking::codec::decode_record;
use crate::core::tracking::metric_log::decode_chunk;
use crate::core::tracking::model::{Experiment, MetricPoint};
use crate::core::tracking::{Needs, Records, StoredRun};

pub(super) fn key2(a: &str, b: &str) -> JsValue {
    Array::of2(&a.into(), &b.into()).into()
}

pub(super) fn chunk_key(run: &str, key: &str, seq: u32) -> JsValue {
    Array::of3(&run.into(), &key.into(), &JsValue::from(seq)).into()
}

fn range(lo: &JsValue, hi: &JsValue) -> Result<KeyRange> {
    KeyRange::bound(lo, hi, Some(false), Some(false)).map_err(|e| StoreError::failed(e.to_string()))
}

/// Every chunk of one series.
pub(super) fn series_range(run: &str, key: &str) -> Result<KeyRange> {
    range(&chunk_key(run, key, 0), &chunk_key(run, key, u32::MAX))
}

/// Every chunk of a run: `[run]` up to `[run, []]` (arrays sort after strings).
pub(super) fn run_range(run: &str) -> Result<KeyRange> {
    let lo: JsValue = Array::of1(&run.into()).into();
    let hi: JsValue = Array::of2(&run.into(), &Array::new()).into();
    range(&lo, &hi)
}

/// Keys `[run, prefix…]` up to `[run, prefix + U+FFFF]`.
pub(super) fn prefix_range(run: &str, prefix: &str) -> Result<KeyRange> {
    range(&key2(run, prefix), &key2(run, &format!("{prefix}\u{ffff}")))
}

pub(super) fn text_record<T: serde::de::DeserializeOwned>(v: &JsValue, what: &str) -> Result<T> {
    let s = v
        .as_string()
        .ok_or_else(|| StoreError::failed(format!("a stored {what} record is not text")))?;
    decode_record(&s, what).map_err(StoreError::failed)
}

/// The record object stores of one transaction.
pub(super) struct RecordStores {
    pub(super) experiments: rexie::Store,
    pub(super) runs: rexie::Store,
    pub(super) logged_models: rexie::Store,
    pub(super) registered_models: rexie::Store,
}

impl RecordStores {
    /// The stores of `tx`, which must span them.
    pub(super) fn of(tx: &rexie::Transaction) -> Result<Self> {
        Ok(RecordStores {
            experiments: tx.store(EXPERIMENTS)?,
            runs: tx.store(RUNS)?,
            logged_models: tx.store(LOGGED_MODELS)?,
            registered_models: tx.store(REGISTERED_MODELS)?,
        })
    }
}

/// Every record of `store` (JSON text), decoded.
async fn all_of<T: serde::de::DeserializeOwned>(
    store: &rexie::Store,
    what: &str,
) -> Result<Vec<T>> {
    let all = store.get_all(None, None).await?;
    all.iter().map(|v| text_record(v, what)).collect()
}

/// The records of `store` under `keys` that exist, decoded.
async fn some_of<T: serde::de::DeserializeOwned>(
    store: &rexie::Store,
    keys: &std::collections::BTreeSet<String>,
    what: &str,
) -> Result<Vec<T>> {
    let got = try_join_all(keys.iter().map(|k| store.get(k.into()))).await?;
    got.iter().flatten().map(|v| text_record(v, what)).collect()
}

/// The records `needs` names, read in one transaction.
pub(super) async fn read_needs(stores: &RecordStores, needs: &Needs) -> Result<Records> {
    let (exps, runs) = (&stores.experiments, &stores.runs);
    let experiments = async {
        if needs.all_experiments {
            all_of::<Experiment>(exps, "experiment").await
        } else {
            some_of::<Experiment>(exps, &needs.experiments, "experiment").await
        }
    };
    // Every read at once: one round trip to IndexedDB, not one per store.
    let (experiments, mut stored, logged, registered) = futures::try_join!(
        experiments,
        some_of::<StoredRun>(runs, &needs.runs, "run"),
        some_of::<LoggedModel>(&stores.logged_models, &needs.logged_models, "logged model"),
        some_of::<RegisteredModel>(
            &stores.registered_models,
            &needs.registered_models,
            "registered model",
        ),
    )?;
    if !needs.runs_of_experiments.is_empty() {
        // A delete or restore of an experiment: rare, so a scan. The text test skips
        // parsing the runs of other experiments (records are compact JSON).
        let marks: Vec<String> = (needs.runs_of_experiments.iter())
            .map(|id| format!("\"experiment_id\":{}", serde_json::Value::from(id.as_str())))
            .collect();
        for v in runs.get_all(None, None).await? {
            let Some(text) = v.as_string() else { continue };
            if marks.iter().any(|m| text.contains(m.as_str())) {
                let r: StoredRun = text_record(&v, "run")?;
                let mine = needs
                    .runs_of_experiments
                    .contains(&r.run.info.experiment_id);
                if mine && !needs.runs.contains(&r.run.info.run_id) {
                    stored.push(r);
                }
            }
        }
    }
    let mut records = Records::new(experiments, stored);
    records.logged_models = logged
        .into_iter()
        .map(|m| (m.model_id.clone(), m))
        .collect();
    records.registered_models = registered
        .into_iter()
        .map(|m| (m.name.clone(), m))
        .collect();
    Ok(records)
}

/// Decodes stored chunks (in key order) into one history.
pub(super) fn decode_chunks(chunks: &[JsValue], out: &mut Vec<MetricPoint>) -> Result<()> {
    for c in chunks {
        let bytes = Uint8Array::new(c).to_vec();
        decode_chunk(&bytes, out).map_err(StoreError::failed)?;
    }
    Ok(())
}

impl Db {
    /// Every record of every kind.
    pub async fn load_everything(&self) -> Result<Records> {
        let tx = self.transaction(&RECORD_VIEW_STORES, TransactionMode::ReadOnly)?;
        let stores = RecordStores::of(&tx)?;
        let mut records = Records::new(
            all_of(&stores.experiments, "experiment").await?,
            all_of(&stores.runs, "run").await?,
        );
        let logged: Vec<LoggedModel> = all_of(&stores.logged_models, "logged model").await?;
        records.logged_models = logged
            .into_iter()
            .map(|m| (m.model_id.clone(), m))
            .collect();
        let registered: Vec<RegisteredModel> =
            all_of(&stores.registered_models, "registered model").await?;
        records.registered_models = registered
            .into_iter()
            .map(|m| (m.name.clone(), m))
            .collect();
        Ok(records)
    }

    /// Every experiment and run record.
    pub async fn load_all(&self) -> Result<(Vec<Experiment>, Vec<StoredRun>)> {
        let tx = self.transaction(&[EXPERIMENTS, RUNS], TransactionMode::ReadOnly)?;
        let exps = tx.store(EXPERIMENTS)?.get_all(None, None).await?;
        let runs = tx.store(RUNS)?.get_all(None, None).await?;
        let exps = exps
            .iter()
            .map(|v| text_record(v, "experiment"))
            .collect::<Result<_>>()?;
        let runs = runs
            .iter()
            .map(|v| text_record(v, "run"))
            .collect::<Result<_>>()?;
        Ok((exps, runs))
    }

    /// The records `needs` names, as stored now (missing ones are absent).
    pub async fn load(&self, needs: &Needs) -> Result<Records> {
        let tx = self.transaction(&RECORD_VIEW_STORES, TransactionMode::ReadOnly)?;
        read_needs(&RecordStores::of(&tx)?, needs).await
    }

    /// A metric's full stored history in logging order (inline in its run record, or in
    /// chunks); empty if the run or metric has none.
    pub async fn metric_history(&self, run_id: &str, key: &str) -> Result<Vec<MetricPoint>> {
        let tx = self.transaction(&[RUNS, CHUNKS], TransactionMode::ReadOnly)?;
        let Some(v) = tx.store(RUNS)?.get(run_id.into()).await? else {
            return Ok(Vec::new());
        };
        let mut run: StoredRun = text_record(&v, "run")?;
        if let Some(points) = run.inline_metrics.remove(key) {
            return Ok(points);
        }
        let chunks = tx
            .store(CHUNKS)?
            .get_all(Some(series_range(run_id, key)?), None)
            .await?;
        let mut out = Vec::new();
        decode_chunks(&chunks, &mut out)?;
        Ok(out)
    }

    /// The history of `key` in a run record as stored (inline, or read from chunks).
    pub async fn history_of(&self, run: &StoredRun, key: &str) -> Result<Vec<MetricPoint>> {
        if let Some(points) = run.inline_metrics.get(key) {
            return Ok(points.clone());
        }
        let tx = self.transaction(&[CHUNKS], TransactionMode::ReadOnly)?;
        let chunks = tx
            .store(CHUNKS)?
            .get_all(Some(series_range(&run.run.info.run_id, key)?), None)
            .await?;
        let mut out = Vec::new();
        decode_chunks(&chunks, &mut out)?;
        Ok(out)
    }

    /// Paths of a run's artifacts under `prefix`, with their sizes (from the index:
    /// no file is read).
    pub async fn artifact_sizes(&self, run_id: &str, prefix: &str) -> Result<Vec<(String, u64)>> {
        let tx = self.transaction(&[ARTIFACT_INDEX], TransactionMode::ReadOnly)?;
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
        let tx = self.transaction(&[ARTIFACTS], TransactionMode::ReadOnly)?;
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
        let tx = self.transaction(&[ARTIFACTS], TransactionMode::ReadOnly)?;
        let v = tx.store(ARTIFACTS)?.get(key2(run_id, path)).await?;
        Ok(v.map(|v| Uint8Array::new(&v).to_vec()))
    }

    /// Every extra file (path, bytes).
    pub async fn extra_files(&self) -> Result<Vec<(String, Vec<u8>)>> {
        let tx = self.transaction(&[EXTRA], TransactionMode::ReadOnly)?;
        let entries = tx.store(EXTRA)?.scan(None, None, None, None).await?;
        Ok(entries
            .into_iter()
            .filter_map(|(k, v)| Some((k.as_string()?, Uint8Array::new(&v).to_vec())))
            .collect())
    }
}
