//! The metric write path: points queue in memory per (run, key) series and leave in
//! chunks of up to [`CHUNK_POINTS`] points, so storage holds a few records per series
//! instead of one per point.
//!
//! The last, partly filled chunk of a series ("tail") stays in memory and is rewritten
//! under the same sequence number until it is full, so frequent flushes do not leave
//! thousands of tiny chunks behind.

use crate::core::fxhash::FxHashMap;

use crate::core::model::MetricPoint;

/// Points per stored chunk (24 bytes each: 384 KiB per full chunk).
pub const CHUNK_POINTS: usize = 16_384;

/// A chunk ready to store: `points` replace whatever was stored at `(run_id, key, seq)`.
#[derive(Clone, Debug, PartialEq)]
pub struct MetricChunk {
    /// The run.
    pub run_id: String,
    /// The metric key.
    pub key: String,
    /// Position of the chunk in the series (0, 1, …).
    pub seq: u32,
    /// The chunk's points in logging order.
    pub points: Vec<MetricPoint>,
}

#[derive(Debug, Default)]
struct Series {
    /// Sequence number of the tail chunk.
    tail_seq: u32,
    /// Points already stored in the tail chunk.
    tail: Vec<MetricPoint>,
    /// Points logged since the last drain.
    pending: Vec<MetricPoint>,
}

/// Queued metric points of every series.
#[derive(Debug, Default)]
pub struct MetricLog {
    /// run id → metric key → series; nested so lookups by `&str` allocate nothing.
    series: FxHashMap<String, FxHashMap<String, Series>>,
    pending_points: usize,
}

impl MetricLog {
    /// Queues a point. `next_seq` says where a series this log has not seen yet
    /// starts (the number of chunks already stored for it).
    pub fn push(&mut self, run_id: &str, key: &str, point: MetricPoint, next_seq: u32) {
        self.pending_points += 1;
        // Look up by borrowed strings first: the hot path allocates nothing.
        if let Some(s) = self.series.get_mut(run_id).and_then(|m| m.get_mut(key)) {
            s.pending.push(point);
            return;
        }
        let s = Series {
            tail_seq: next_seq,
            tail: Vec::new(),
            pending: vec![point],
        };
        self.series
            .entry(run_id.to_owned())
            .or_default()
            .insert(key.to_owned(), s);
    }

    /// Points queued and not drained yet.
    pub fn pending_points(&self) -> usize {
        self.pending_points
    }

    /// Moves every pending point into chunks. Returns the chunks to store and, per
    /// (run, key), the number of chunks the series now has in storage.
    pub fn drain(&mut self) -> (Vec<MetricChunk>, Vec<(String, String, u32)>) {
        let mut chunks = Vec::new();
        let mut counts = Vec::new();
        let all = self
            .series
            .iter_mut()
            .flat_map(|(r, m)| m.iter_mut().map(move |(k, s)| (r, k, s)));
        for (run_id, key, s) in all {
            if s.pending.is_empty() {
                continue;
            }
            s.tail.append(&mut s.pending);
            while s.tail.len() >= CHUNK_POINTS {
                let rest = s.tail.split_off(CHUNK_POINTS);
                let full = std::mem::replace(&mut s.tail, rest);
                chunks.push(MetricChunk {
                    run_id: run_id.clone(),
                    key: key.clone(),
                    seq: s.tail_seq,
                    points: full,
                });
                s.tail_seq += 1;
            }
            if !s.tail.is_empty() {
                chunks.push(MetricChunk {
                    run_id: run_id.clone(),
                    key: key.clone(),
                    seq: s.tail_seq,
                    points: s.tail.clone(),
                });
            }
            let stored = s.tail_seq + u32::from(!s.tail.is_empty());
            counts.push((run_id.clone(), key.clone(), stored));
        }
        self.pending_points = 0;
        (chunks, counts)
    }

    /// Forgets the in-memory tails of a run (it ended); its next point starts a new
    /// chunk.
    pub fn release_run(&mut self, run_id: &str) {
        if let Some(m) = self.series.get_mut(run_id) {
            m.retain(|_, s| !s.pending.is_empty());
            if m.is_empty() {
                self.series.remove(run_id);
            }
        }
    }
}

/// Encodes points column-wise: all timestamps, then values, then steps (little-endian).
pub fn encode_chunk(points: &[MetricPoint]) -> Vec<u8> {
    let mut out = Vec::with_capacity(points.len() * 24);
    for p in points {
        out.extend_from_slice(&p.timestamp.to_le_bytes());
    }
    for p in points {
        out.extend_from_slice(&p.value.to_le_bytes());
    }
    for p in points {
        out.extend_from_slice(&p.step.to_le_bytes());
    }
    out
}

/// Decodes [`encode_chunk`]'s bytes, appending to `out`. Errors on a length that is not
/// a whole number of points.
pub fn decode_chunk(bytes: &[u8], out: &mut Vec<MetricPoint>) -> Result<(), String> {
    if bytes.len() % 24 != 0 {
        return Err(format!(
            "metric chunk of {} bytes is not a whole number of 24-byte points",
            bytes.len()
        ));
    }
    let n = bytes.len() / 24;
    let word = |i: usize| -> [u8; 8] { bytes[i * 8..i * 8 + 8].try_into().unwrap() };
    out.reserve(n);
    for i in 0..n {
        out.push(MetricPoint {
            timestamp: i64::from_le_bytes(word(i)),
            value: f64::from_le_bytes(word(n + i)),
            step: i64::from_le_bytes(word(2 * n + i)),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(i: i64) -> MetricPoint {
        MetricPoint {
            timestamp: 1000 + i,
            value: i as f64 * 0.5,
            step: i,
        }
    }

    #[test]
    fn chunk_round_trip_keeps_non_finite_values() {
        let pts = vec![
            MetricPoint {
                timestamp: 1,
                value: f64::NAN,
                step: -5,
            },
            MetricPoint {
                timestamp: 2,
                value: f64::INFINITY,
                step: 1 << 40,
            },
            MetricPoint {
                timestamp: 3,
                value: f64::NEG_INFINITY,
                step: 0,
            },
        ];
        let mut back = Vec::new();
        decode_chunk(&encode_chunk(&pts), &mut back).unwrap();
        assert!(back[0].value.is_nan());
        assert_eq!(back[1].value, f64::INFINITY);
        assert_eq!(back[1].step, 1 << 40);
        assert_eq!(back[2].value, f64::NEG_INFINITY);
        assert!(decode_chunk(&[0; 23], &mut back).is_err());
    }

    #[test]
    fn tail_is_rewritten_until_full() {
        let mut log = MetricLog::default();
        log.push("r", "loss", p(0), 0);
        let (c1, n1) = log.drain();
        assert_eq!((c1.len(), c1[0].seq, c1[0].points.len()), (1, 0, 1));
        assert_eq!(n1, vec![("r".into(), "loss".into(), 1)]);
        log.push("r", "loss", p(1), 0);
        let (c2, _) = log.drain();
        assert_eq!(
            (c2[0].seq, c2[0].points.len()),
            (0, 2),
            "same chunk, rewritten"
        );
        for i in 2..(CHUNK_POINTS as i64 + 10) {
            log.push("r", "loss", p(i), 0);
        }
        let (c3, n3) = log.drain();
        assert_eq!(c3.len(), 2);
        assert_eq!((c3[0].seq, c3[0].points.len()), (0, CHUNK_POINTS));
        assert_eq!((c3[1].seq, c3[1].points.len()), (1, 10));
        assert_eq!(n3[0].2, 2);
        let all: Vec<i64> = c3
            .iter()
            .flat_map(|c| c.points.iter().map(|p| p.step))
            .collect();
        assert_eq!(all, (0..CHUNK_POINTS as i64 + 10).collect::<Vec<_>>());
    }

    #[test]
    fn unseen_series_start_after_stored_chunks() {
        let mut log = MetricLog::default();
        log.push("r", "acc", p(0), 3);
        let (c, n) = log.drain();
        assert_eq!(c[0].seq, 3);
        assert_eq!(n[0].2, 4);
        log.release_run("r");
        log.push("r", "acc", p(1), 4);
        assert_eq!(log.drain().0[0].seq, 4);
    }
}
