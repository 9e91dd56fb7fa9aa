//! Time axes: relative-time labels and tick positions at nice clock intervals.
//!
//! Nothing here knows a calendar or a time zone: ticks are multiples of an interval
//! in milliseconds. Their labels are `core::text::format`'s (`format_duration_ms`,
//! `format_clock`), given the zone offset the browser knows.

use super::ticks::nice_step;

/// Milliseconds in a second, minute, hour and day.
const SECOND: f64 = 1_000.0;
const MINUTE: f64 = 60.0 * SECOND;
const HOUR: f64 = 60.0 * MINUTE;
const DAY: f64 = 24.0 * HOUR;

/// The clock intervals a time axis steps by, up to a day; beyond, 1-2-5 days.
const CLOCK_INTERVALS_MS: [f64; 9] = [
    SECOND,
    5.0 * SECOND,
    15.0 * SECOND,
    MINUTE,
    5.0 * MINUTE,
    15.0 * MINUTE,
    HOUR,
    6.0 * HOUR,
    DAY,
];

/// Most ticks [`time_ticks`] returns.
const MAX_TIME_TICKS: usize = 1000;

/// Tick positions for a time axis, and the interval between them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TimeTicks {
    /// The interval between ticks (ms): a 1-2-5 number of milliseconds below a
    /// second, one of 1 s, 5 s, 15 s, 1 min, 5 min, 15 min, 1 h, 6 h, 1 d, or a 1-2-5
    /// number of days.
    pub step_ms: f64,
    /// Tick positions (ms), ascending, inside the range asked for.
    pub ticks: Vec<f64>,
}

/// Ticks at a nice interval for about `target_count` intervals over
/// `[min_ms, max_ms]`; positions are the multiples of that interval inside the
/// range. From one second to one day the interval is the smallest clock interval
/// giving at most `target_count`; below and above, the nearest 1-2-5 step (of
/// milliseconds or days), as [`nice_step`] picks it.
///
/// For a relative-time axis pass durations (0 = run start): ticks fall on whole
/// minutes *of the run*. For wall time pass epoch milliseconds: ticks fall on
/// whole minutes, hours and days of UTC; to align days to local midnight instead,
/// add the zone's offset to both bounds and subtract it from the ticks. Bounds
/// that are not finite give no ticks; a zero-width range gives at most one.
pub fn time_ticks(min_ms: f64, max_ms: f64, target_count: usize) -> TimeTicks {
    if !(min_ms.is_finite() && max_ms.is_finite()) {
        return TimeTicks::default();
    }
    let (lo, hi) = (min_ms.min(max_ms), min_ms.max(max_ms));
    let target = target_count.clamp(1, MAX_TIME_TICKS);
    let span = (hi - lo).max(1.0);
    let wanted = span / target as f64;
    let step_ms = if wanted < SECOND {
        nice_step(span, target).max(1.0)
    } else if let Some(&clock) = CLOCK_INTERVALS_MS.iter().find(|&&c| c >= wanted) {
        clock
    } else {
        nice_step(span / DAY, target).max(1.0) * DAY
    };
    let first = (lo / step_ms).ceil();
    let last = (hi / step_ms).floor();
    let ticks = if last - first > MAX_TIME_TICKS as f64 {
        Vec::new()
    } else {
        (first as i64..=last as i64)
            .map(|k| k as f64 * step_ms)
            .collect()
    };
    TimeTicks { step_ms, ticks }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_are_clock_like() {
        let t = time_ticks(0.0, 10.0 * SECOND, 5);
        assert_eq!(t.step_ms, 5.0 * SECOND);
        assert_eq!(t.ticks, vec![0.0, 5_000.0, 10_000.0]);
        assert_eq!(time_ticks(0.0, 40.0 * MINUTE, 6).step_ms, 15.0 * MINUTE);
        assert_eq!(time_ticks(0.0, 20.0 * HOUR, 5).step_ms, 6.0 * HOUR);
        assert_eq!(time_ticks(0.0, 3.0 * DAY, 5).step_ms, DAY);
        assert_eq!(time_ticks(0.0, 30.0 * DAY, 5).step_ms, 5.0 * DAY);
        assert_eq!(time_ticks(0.0, 800.0, 4).step_ms, 200.0);
        assert_eq!(time_ticks(0.0, 2.0, 10).step_ms, 1.0);
    }

    #[test]
    fn ticks_are_multiples_inside_the_range() {
        let t0 = 1_700_000_123_456.0;
        let t = time_ticks(t0, t0 + 2.0 * HOUR, 8);
        assert_eq!(t.step_ms, 15.0 * MINUTE);
        assert!(t.ticks.iter().all(|&x| x >= t0 && x <= t0 + 2.0 * HOUR));
        assert!(t.ticks.iter().all(|&x| x % t.step_ms == 0.0));
        assert_eq!(t.ticks.len(), 8);
        assert!(time_ticks(f64::NAN, 1.0, 5).ticks.is_empty());
        assert_eq!(time_ticks(5_000.0, 5_000.0, 5).ticks, vec![5_000.0]);
    }
}
