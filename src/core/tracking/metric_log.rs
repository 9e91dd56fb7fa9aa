//! The metric write path: points queue in memory per (run, key) series and, when a
//! flush merges them into storage, are appended to the stored series in chunks of up
//! to [`CHUNK_POINTS`] points, so storage holds a few records per series instead of
//! one per point.
//!
//! The last, partly filled chunk of a series (its "tail") is rewritten under the same
//! sequence number until it is full. A flush reads the tail *as stored*, inside the
//! same transaction that rewrites it, so writers in several tabs append to one series
//! without overwriting each other's points or reusing a sequence number. A series of
//! at most [`INLINE_POINTS`] points is not chunked at all: it travels inside its run's
//! record (a sweep of 10,000 runs with 10 metrics each would otherwise write 100,000
//! one-point records).

use crate::core::fxhash::FxHashMap;

use crate::core::tracking::model::{MetricPoint, MetricRange};
use crate::core::tracking::records::StoredRun;

/// Points per stored chunk (24 bytes each: 384 KiB per full chunk).
pub const CHUNK_POINTS: usize = 16_384;
/// Longest history kept inline in its run's record instead of in chunks.
pub const INLINE_POINTS: usize = 64;

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

/// Points of one series waiting to be stored, in logging order.
#[derive(Clone, Debug, PartialEq)]
pub struct SeriesPoints {
    /// The run.
    pub run_id: String,
    /// The metric key.
    pub key: String,
    /// The points.
    pub points: Vec<MetricPoint>,
}

/// Queued metric points of every series.
#[derive(Debug, Default)]
pub struct MetricLog {
    /// run id → metric key → points; nested so lookups by `&str` allocate nothing.
    series: FxHashMap<String, FxHashMap<String, Vec<MetricPoint>>>,
    pending_points: usize,
}

impl MetricLog {
    /// Queues a point (the hot path: no allocation once the series exists).
    pub fn push(&mut self, run_id: &str, key: &str, point: MetricPoint) {
        self.pending_points += 1;
        if let Some(s) = self.series.get_mut(run_id).and_then(|m| m.get_mut(key)) {
            s.push(point);
            return;
        }
        self.series
            .entry(run_id.to_owned())
            .or_default()
            .insert(key.to_owned(), vec![point]);
    }

    /// Queues a run of points of one series (in logging order).
    pub fn extend(&mut self, run_id: &str, key: &str, points: &[MetricPoint]) {
        self.pending_points += points.len();
        if let Some(s) = self.series.get_mut(run_id).and_then(|m| m.get_mut(key)) {
            s.extend_from_slice(points);
            return;
        }
        self.series
            .entry(run_id.to_owned())
            .or_default()
            .insert(key.to_owned(), points.to_vec());
    }

    /// Points queued and not drained yet.
    pub fn pending_points(&self) -> usize {
        self.pending_points
    }

    /// Takes every queued point, per series.
    pub fn drain(&mut self) -> Vec<SeriesPoints> {
        self.pending_points = 0;
        let mut out = Vec::new();
        for (run_id, keys) in self.series.drain() {
            for (key, points) in keys {
                out.push(SeriesPoints {
                    run_id: run_id.clone(),
                    key,
                    points,
                });
            }
        }
        out
    }

    /// Puts back points a failed flush took, ahead of any queued since.
    pub fn restore(&mut self, failed: Vec<SeriesPoints>) {
        for s in failed {
            self.pending_points += s.points.len();
            let queued = self
                .series
                .entry(s.run_id)
                .or_default()
                .entry(s.key)
                .or_default();
            let newer = std::mem::replace(queued, s.points);
            queued.extend(newer);
        }
    }

    /// Drops everything queued for a run (an import replaced it).
    pub fn forget_run(&mut self, run_id: &str) {
        if let Some(m) = self.series.remove(run_id) {
            self.pending_points -= m.values().map(Vec::len).sum::<usize>();
        }
    }
}

/// Appends `points` to `key`'s stored history in `run`, returning the chunks to store.
/// `tail` is what storage holds at the series' last chunk (`None` for an inline or
/// new series). The run's chunk count, inline history, latest value and range are
/// updated.
pub fn append_series(
    run: &mut StoredRun,
    key: &str,
    tail: Option<Vec<MetricPoint>>,
    points: &[MetricPoint],
) -> Vec<MetricChunk> {
    for p in points {
        run.note_latest(key, *p);
    }
    let stored = run.metric_chunks.get(key).copied().unwrap_or(0);
    let (first_seq, mut all) = if stored == 0 {
        (0, run.inline_metrics.remove(key).unwrap_or_default())
    } else {
        (stored - 1, tail.unwrap_or_default())
    };
    all.extend_from_slice(points);
    // A new or inline series is whole here; a chunked one widens the range it has.
    if stored == 0 {
        run.run
            .metric_ranges
            .insert(key.to_owned(), MetricRange::of(&all));
    } else if let Some(r) = run.run.metric_ranges.get_mut(key) {
        for p in points {
            r.note(p.value);
        }
    }
    if stored == 0 && all.len() <= INLINE_POINTS {
        run.inline_metrics.insert(key.to_owned(), all);
        return Vec::new();
    }
    let run_id = &run.run.info.run_id;
    let chunks: Vec<MetricChunk> = all
        .chunks(CHUNK_POINTS)
        .zip(first_seq..)
        .map(|(part, seq)| MetricChunk {
            run_id: run_id.clone(),
            key: key.to_owned(),
            seq,
            points: part.to_vec(),
        })
        .collect();
    run.metric_chunks
        .insert(key.to_owned(), first_seq + chunks.len() as u32);
    chunks
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
    use crate::core::tracking::model::RunStatus;

    fn p(i: i64) -> MetricPoint {
        MetricPoint {
            timestamp: 1000 + i,
            value: i as f64 * 0.5,
            step: i,
        }
    }

    fn pts(r: std::ops::Range<i64>) -> Vec<MetricPoint> {
        r.map(p).collect()
    }

    fn run() -> StoredRun {
        let mut r = crate::core::tracking::test_runs::run_with("r", &[], &[]);
        r.info.status = RunStatus::Running;
        StoredRun::new(r)
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
        let mut r = run();
        assert!(append_series(&mut r, "loss", None, &pts(0..1)).is_empty());
        assert_eq!(r.inline_metrics["loss"], pts(0..1));
        let rest = pts(1..INLINE_POINTS as i64 + 1);
        let chunks = append_series(&mut r, "loss", None, &rest);
        assert!(r.inline_metrics.is_empty(), "past the inline limit");
        assert_eq!(
            (chunks[0].seq, chunks[0].points.len()),
            (0, INLINE_POINTS + 1)
        );
        assert_eq!(r.metric_chunks["loss"], 1);
        assert_eq!(r.run.metrics["loss"], p(INLINE_POINTS as i64));
    }

    #[test]
    fn the_stored_tail_is_rewritten_until_full() {
        let mut r = run();
        let c1 = append_series(&mut r, "loss", None, &pts(0..100));
        assert_eq!((c1.len(), c1[0].seq, c1[0].points.len()), (1, 0, 100));
        let c2 = append_series(&mut r, "loss", Some(c1[0].points.clone()), &pts(100..101));
        assert_eq!(
            (c2[0].seq, c2[0].points.len()),
            (0, 101),
            "same chunk, rewritten"
        );
        let more = pts(101..CHUNK_POINTS as i64 + 10);
        let c3 = append_series(&mut r, "loss", Some(c2[0].points.clone()), &more);
        assert_eq!(c3.len(), 2);
        assert_eq!((c3[0].seq, c3[0].points.len()), (0, CHUNK_POINTS));
        assert_eq!((c3[1].seq, c3[1].points.len()), (1, 10));
        assert_eq!(r.metric_chunks["loss"], 2);
        let all: Vec<i64> = c3
            .iter()
            .flat_map(|c| c.points.iter().map(|p| p.step))
            .collect();
        assert_eq!(all, (0..CHUNK_POINTS as i64 + 10).collect::<Vec<_>>());
        let c4 = append_series(&mut r, "loss", Some(c3[1].points.clone()), &pts(0..1));
        assert_eq!(
            (c4[0].seq, c4[0].points.len()),
            (1, 11),
            "appends after the stored tail"
        );
    }

    #[test]
    fn restored_points_go_before_newer_ones() {
        let mut log = MetricLog::default();
        log.push("r", "m", p(0));
        let failed = log.drain();
        log.push("r", "m", p(1));
        log.restore(failed);
        assert_eq!(log.pending_points(), 2);
        assert_eq!(log.drain()[0].points, vec![p(0), p(1)]);
        log.push("r", "m", p(2));
        log.forget_run("r");
        assert_eq!((log.pending_points(), log.drain().len()), (0, 0));
    }
}
