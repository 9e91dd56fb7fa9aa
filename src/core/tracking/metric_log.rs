//! The metric write path: points queue in memory per (run, key) series and leave in
//! chunks of up to [`CHUNK_POINTS`] points, so storage holds a few records per series
//! instead of one per point.
//!
//! The last, partly filled chunk of a series ("tail") stays in memory and is rewritten
//! under the same sequence number until it is full, so frequent flushes do not leave
//! thousands of tiny chunks behind. A series of at most [`INLINE_POINTS`] points is
//! not chunked at all: it travels inside its run's record (a sweep of 10,000 runs
//! with 10 metrics each would otherwise write 100,000 one-point records).

use crate::core::fxhash::FxHashMap;

use crate::core::tracking::model::MetricPoint;

/// Points per stored chunk (24 bytes each: 384 KiB per full chunk).
pub const CHUNK_POINTS: usize = 16_384;
/// Longest history kept inline in its run's record instead of in chunks.
pub const INLINE_POINTS: usize = 64;

/// What [`MetricLog::drain`] hands over for storing.
#[derive(Debug, Default)]
pub struct Drained {
    /// Chunks to store.
    pub chunks: Vec<MetricChunk>,
    /// Per (run, key): chunks the series now has in storage (0 = kept inline).
    pub counts: Vec<(String, String, u32)>,
    /// Per (run, key): the whole history of a series small enough to stay inline.
    pub inline: Vec<(String, String, Vec<MetricPoint>)>,
}

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
    /// The run ended: forget the series once its last points are drained.
    released: bool,
}

/// Queued metric points of every series.
#[derive(Debug, Default)]
pub struct MetricLog {
    /// run id → metric key → series; nested so lookups by `&str` allocate nothing.
    series: FxHashMap<String, FxHashMap<String, Series>>,
    pending_points: usize,
}

impl MetricLog {
    /// Queues a point. For a series this log has not seen yet, `stored` tells what is
    /// already stored of it: its chunk count and, when it is inline, its points.
    pub fn push(
        &mut self,
        run_id: &str,
        key: &str,
        point: MetricPoint,
        stored: impl FnOnce() -> (u32, Vec<MetricPoint>),
    ) {
        self.pending_points += 1;
        // Look up by borrowed strings first: the hot path allocates nothing.
        if let Some(s) = self.series.get_mut(run_id).and_then(|m| m.get_mut(key)) {
            s.pending.push(point);
            s.released = false;
            return;
        }
        let (tail_seq, tail) = stored();
        let s = Series {
            tail_seq,
            tail,
            pending: vec![point],
            released: false,
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

    /// Moves every pending point into chunks (or an inline history).
    pub fn drain(&mut self) -> Drained {
        let mut out = Drained::default();
        let all = self
            .series
            .iter_mut()
            .flat_map(|(r, m)| m.iter_mut().map(move |(k, s)| (r, k, s)));
        for (run_id, key, s) in all {
            if s.pending.is_empty() {
                continue;
            }
            s.tail.append(&mut s.pending);
            if s.tail_seq == 0 && s.tail.len() <= INLINE_POINTS {
                out.counts.push((run_id.clone(), key.clone(), 0));
                out.inline
                    .push((run_id.clone(), key.clone(), s.tail.clone()));
                continue;
            }
            while s.tail.len() >= CHUNK_POINTS {
                let rest = s.tail.split_off(CHUNK_POINTS);
                let full = std::mem::replace(&mut s.tail, rest);
                out.chunks.push(MetricChunk {
                    run_id: run_id.clone(),
                    key: key.clone(),
                    seq: s.tail_seq,
                    points: full,
                });
                s.tail_seq += 1;
            }
            if !s.tail.is_empty() {
                out.chunks.push(MetricChunk {
                    run_id: run_id.clone(),
                    key: key.clone(),
                    seq: s.tail_seq,
                    points: s.tail.clone(),
                });
            }
            let stored = s.tail_seq + u32::from(!s.tail.is_empty());
            out.counts.push((run_id.clone(), key.clone(), stored));
        }
        self.pending_points = 0;
        for m in self.series.values_mut() {
            m.retain(|_, s| !s.released);
        }
        self.series.retain(|_, m| !m.is_empty());
        out
    }

    /// Forgets the in-memory tails of a run that ended, once its pending points are
    /// drained; a later point starts from what is stored.
    pub fn release_run(&mut self, run_id: &str) {
        if let Some(m) = self.series.get_mut(run_id) {
            for s in m.values_mut() {
                s.released = true;
            }
            m.retain(|_, s| !s.pending.is_empty());
            if m.is_empty() {
                self.series.remove(run_id);
            }
        }
    }

    /// Drops everything queued for a run (an import replaced it).
    pub fn forget_run(&mut self, run_id: &str) {
        if let Some(m) = self.series.remove(run_id) {
            self.pending_points -= m.values().map(|s| s.pending.len()).sum::<usize>();
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
    fn small_series_stay_inline_then_spill_into_chunks() {
        let mut log = MetricLog::default();
        log.push("r", "loss", p(0), || (0, vec![]));
        let d = log.drain();
        assert!(d.chunks.is_empty());
        assert_eq!(d.inline, vec![("r".into(), "loss".into(), vec![p(0)])]);
        assert_eq!(d.counts, vec![("r".into(), "loss".into(), 0)]);
        for i in 1..=INLINE_POINTS as i64 {
            log.push("r", "loss", p(i), || unreachable!());
        }
        let d = log.drain();
        assert!(d.inline.is_empty(), "past the inline limit");
        assert_eq!(
            (d.chunks[0].seq, d.chunks[0].points.len()),
            (0, INLINE_POINTS + 1)
        );
        assert_eq!(d.counts[0].2, 1);
    }

    #[test]
    fn tail_is_rewritten_until_full() {
        let mut log = MetricLog::default();
        for i in 0..100 {
            log.push("r", "loss", p(i), || (0, vec![]));
        }
        let c1 = log.drain().chunks;
        assert_eq!((c1.len(), c1[0].seq, c1[0].points.len()), (1, 0, 100));
        log.push("r", "loss", p(100), || unreachable!());
        let c2 = log.drain().chunks;
        assert_eq!(
            (c2[0].seq, c2[0].points.len()),
            (0, 101),
            "same chunk, rewritten"
        );
        for i in 101..(CHUNK_POINTS as i64 + 10) {
            log.push("r", "loss", p(i), || unreachable!());
        }
        let d = log.drain();
        assert_eq!(d.chunks.len(), 2);
        assert_eq!(
            (d.chunks[0].seq, d.chunks[0].points.len()),
            (0, CHUNK_POINTS)
        );
        assert_eq!((d.chunks[1].seq, d.chunks[1].points.len()), (1, 10));
        assert_eq!(d.counts[0].2, 2);
        let all: Vec<i64> = d
            .chunks
            .iter()
            .flat_map(|c| c.points.iter().map(|p| p.step))
            .collect();
        assert_eq!(all, (0..CHUNK_POINTS as i64 + 10).collect::<Vec<_>>());
    }

    #[test]
    fn a_stored_inline_series_continues_where_it_was() {
        let mut log = MetricLog::default();
        log.push("r", "acc", p(5), || (0, vec![p(3), p(4)]));
        let d = log.drain();
        assert_eq!(d.inline[0].2, vec![p(3), p(4), p(5)]);
    }

    #[test]
    fn unseen_series_start_after_stored_chunks() {
        let mut log = MetricLog::default();
        log.push("r", "acc", p(0), || (3, vec![]));
        let d = log.drain();
        assert_eq!(d.chunks[0].seq, 3);
        assert_eq!(d.counts[0].2, 4);
        log.release_run("r");
        log.push("r", "acc", p(1), || (4, vec![]));
        assert_eq!(log.drain().chunks[0].seq, 4);
    }

    #[test]
    fn an_ended_runs_series_are_dropped_after_their_last_drain() {
        let mut log = MetricLog::default();
        for i in 0..100 {
            log.push("r", "m", p(i), || (0, vec![]));
        }
        log.release_run("r");
        assert_eq!(log.drain().chunks.len(), 1, "pending points still leave");
        assert!(log.series.is_empty(), "then the tail is forgotten");
        log.push("r", "m", p(100), || (1, vec![]));
        assert_eq!(
            log.drain().chunks[0].seq,
            1,
            "a new point starts after what is stored"
        );
    }
}
