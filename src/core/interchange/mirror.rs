//! The notebook → site bridge's message: what one context stored, to be stored as is
//! by the Ferroflow site (another origin, another IndexedDB). Records travel as JSON
//! (the store's own codec: floats bit for bit), metric chunks and artifact bytes as
//! binary parts. Everything is checked before anything is applied: a malformed or
//! hostile message is refused whole.

use serde::{Deserialize, Serialize};

use crate::core::models::{is_model_id, LoggedModel};
use crate::core::registry::RegisteredModel;
use crate::core::tracking::artifacts::validate_artifact_path;
use crate::core::tracking::metric_log::{decode_chunk, MetricChunk};
use crate::core::tracking::model::Experiment;
use crate::core::tracking::rules::{self, KeyKind};
use crate::core::tracking::StoredRun;

/// A metric chunk whose points are binary part `part`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct ChunkRef {
    /// The run.
    pub run_id: String,
    /// The metric key.
    pub key: String,
    /// The chunk's position in its series.
    pub seq: u32,
    /// Index of its bytes among the binary parts.
    pub part: usize,
}

/// A file (of a run or a logged model) whose bytes are binary part `part`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct FileRef {
    /// The run or logged model owning it.
    pub owner: String,
    /// Its path under the owner's artifacts.
    pub path: String,
    /// Index of its bytes among the binary parts.
    pub part: usize,
}

/// The JSON half of a mirror message.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct MirrorHeader {
    /// Whole experiment records.
    #[serde(default)]
    pub experiments: Vec<Experiment>,
    /// Whole run records.
    #[serde(default)]
    pub runs: Vec<StoredRun>,
    /// Metric chunks.
    #[serde(default)]
    pub chunks: Vec<ChunkRef>,
    /// Files.
    #[serde(default)]
    pub files: Vec<FileRef>,
    /// Whole logged-model records.
    #[serde(default)]
    pub logged_models: Vec<LoggedModel>,
    /// Whole registered-model records.
    #[serde(default)]
    pub registered_models: Vec<RegisteredModel>,
    /// Registered models that are gone (deleted or renamed away).
    #[serde(default)]
    pub removed_registered_models: Vec<String>,
}

/// A checked mirror message, ready to store.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Mirror {
    /// Experiments.
    pub experiments: Vec<Experiment>,
    /// Runs.
    pub runs: Vec<StoredRun>,
    /// Metric chunks.
    pub chunks: Vec<MetricChunk>,
    /// Files `(owner, path, bytes)`.
    pub files: Vec<(String, String, Vec<u8>)>,
    /// Logged models.
    pub logged_models: Vec<LoggedModel>,
    /// Registered models.
    pub registered_models: Vec<RegisteredModel>,
    /// Registered models to remove.
    pub removed_registered_models: Vec<String>,
}

impl Mirror {
    /// Whether there is nothing to store.
    pub fn is_empty(&self) -> bool {
        self.experiments.is_empty()
            && self.runs.is_empty()
            && self.chunks.is_empty()
            && self.files.is_empty()
            && self.logged_models.is_empty()
            && self.registered_models.is_empty()
            && self.removed_registered_models.is_empty()
    }

    /// The message's two halves: JSON text and binary parts.
    pub fn encode(&self) -> (String, Vec<Vec<u8>>) {
        let mut parts = Vec::new();
        let mut header = MirrorHeader {
            experiments: self.experiments.clone(),
            runs: self.runs.clone(),
            logged_models: self.logged_models.clone(),
            registered_models: self.registered_models.clone(),
            removed_registered_models: self.removed_registered_models.clone(),
            ..MirrorHeader::default()
        };
        for c in &self.chunks {
            header.chunks.push(ChunkRef {
                run_id: c.run_id.clone(),
                key: c.key.clone(),
                seq: c.seq,
                part: parts.len(),
            });
            parts.push(crate::core::tracking::metric_log::encode_chunk(&c.points));
        }
        for (owner, path, bytes) in &self.files {
            header.files.push(FileRef {
                owner: owner.clone(),
                path: path.clone(),
                part: parts.len(),
            });
            parts.push(bytes.clone());
        }
        (crate::core::tracking::codec::encode_record(&header), parts)
    }

    /// Checks and decodes a message; refuses it whole, naming the first problem.
    pub fn decode(json: &str, parts: &[Vec<u8>]) -> Result<Mirror, String> {
        let h: MirrorHeader =
            serde_json::from_str(json).map_err(|e| format!("not a mirror message: {e}"))?;
        let part = |i: usize| {
            parts
                .get(i)
                .ok_or_else(|| format!("binary part {i} is missing"))
        };
        for e in &h.experiments {
            rules::validate_experiment_id(&e.experiment_id).map_err(|e| e.0)?;
            rules::validate_experiment_name(&e.name).map_err(|e| e.0)?;
        }
        for r in &h.runs {
            rules::validate_run_id(&r.run.info.run_id).map_err(|e| e.0)?;
            rules::validate_experiment_id(&r.run.info.experiment_id).map_err(|e| e.0)?;
            for k in r.run.params.keys() {
                rules::validate_key(KeyKind::Param, k).map_err(|e| e.0)?;
            }
            for k in r.run.metrics.keys().chain(r.metric_keys()) {
                rules::validate_key(KeyKind::Metric, k).map_err(|e| e.0)?;
            }
        }
        let mut chunks = Vec::with_capacity(h.chunks.len());
        for c in &h.chunks {
            rules::validate_run_id(&c.run_id).map_err(|e| e.0)?;
            rules::validate_key(KeyKind::Metric, &c.key).map_err(|e| e.0)?;
            let mut points = Vec::new();
            decode_chunk(part(c.part)?, &mut points)?;
            chunks.push(MetricChunk {
                run_id: c.run_id.clone(),
                key: c.key.clone(),
                seq: c.seq,
                points,
            });
        }
        let mut files = Vec::with_capacity(h.files.len());
        for f in &h.files {
            if !is_model_id(&f.owner) {
                rules::validate_run_id(&f.owner).map_err(|e| e.0)?;
            }
            validate_artifact_path(&f.path).map_err(|e| e.0)?;
            files.push((f.owner.clone(), f.path.clone(), part(f.part)?.clone()));
        }
        for m in &h.logged_models {
            if !is_model_id(&m.model_id) {
                return Err(format!("'{}' is not a logged model id", m.model_id));
            }
        }
        for name in h
            .registered_models
            .iter()
            .map(|m| &m.name)
            .chain(&h.removed_registered_models)
        {
            crate::core::registry::rules::validate_model_name(name).map_err(|e| e.message)?;
        }
        Ok(Mirror {
            experiments: h.experiments,
            runs: h.runs,
            chunks,
            files,
            logged_models: h.logged_models,
            registered_models: h.registered_models,
            removed_registered_models: h.removed_registered_models,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::tracking::model::MetricPoint;
    use crate::core::tracking::{NewRun, Tracker};

    fn sample() -> Mirror {
        let mut t = Tracker::load(vec![], vec![], 1, 5);
        let run = t.create_run(NewRun::default(), 5).unwrap();
        let stored = t.stored_run(&run).unwrap().clone();
        Mirror {
            experiments: t.experiments().cloned().collect(),
            runs: vec![stored],
            chunks: vec![MetricChunk {
                run_id: run.clone(),
                key: "loss".into(),
                seq: 0,
                points: vec![MetricPoint {
                    timestamp: 1,
                    value: 0.9111111111111111,
                    step: 0,
                }],
            }],
            files: vec![(run, "a/b.txt".into(), b"hi".to_vec())],
            ..Mirror::default()
        }
    }

    #[test]
    fn a_message_round_trips_bit_for_bit() {
        let m = sample();
        let (json, parts) = m.encode();
        assert_eq!(Mirror::decode(&json, &parts).unwrap(), m);
    }

    #[test]
    fn malformed_or_hostile_messages_are_refused_whole() {
        let m = sample();
        let (json, parts) = m.encode();
        assert!(Mirror::decode("{not json", &parts).is_err());
        assert!(Mirror::decode(&json, &[]).unwrap_err().contains("missing"));
        let bad_bytes = vec![vec![0u8; 23], parts[1].clone()];
        assert!(Mirror::decode(&json, &bad_bytes).is_err());
        let escape = json.replace("a/b.txt", "../../etc/passwd");
        assert!(Mirror::decode(&escape, &parts).is_err());
        let bad_key = json.replace("\"loss\"", "\"../x\"");
        assert!(Mirror::decode(&bad_key, &parts).is_err());
        let bad_model = r#"{"removed_registered_models":["a/b"]}"#;
        assert!(Mirror::decode(bad_model, &[]).is_err());
    }
}
