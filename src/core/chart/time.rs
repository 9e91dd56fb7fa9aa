//! Time axes: relative-time labels and tick positions at nice clock intervals.
//!
//! Nothing here knows a calendar or a time zone: ticks are multiples of an interval
//! in milliseconds, and wall-clock labels are the UI's business (the browser knows
//! the user's zone).

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

/// A duration in milliseconds, as a person reads it: `"850 ms"`, `"12.3 s"`,
/// `"4 min 5 s"`, `"2 h 3 min"`, `"3 d 4 h"`.
///
/// Each form rounds to its last unit, moving up a unit when rounding reaches it
/// (59.96 s is `"1 min"`, not `"60.0 s"`); a zero second unit is left out (`"4 min"`,
/// `"2 h"`). Negative durations get a `-`; non-finite ones are `"NaN"`, `"∞"`, `"-∞"`.
pub fn format_duration_ms(ms: f64) -> String {
    if ms.is_nan() {
        return "NaN".into();
    }
    let sign = if ms < 0.0 { "-" } else { "" };
    let a = ms.abs();
    if a.is_infinite() {
        return format!("{sign}∞");
    }
    let whole_ms = a.round();
    if whole_ms < SECOND {
        if whole_ms == 0.0 {
            return "0 ms".into();
        }
        return format!("{sign}{whole_ms} ms");
    }
    let tenths = (a / 100.0).round();
    if tenths < 600.0 {
        return format!("{sign}{:.1} s", tenths / 10.0);
    }
    let two_units = |big: u64, big_name: &str, small: u64, small_name: &str| {
        if small == 0 {
            format!("{sign}{big} {big_name}")
        } else {
            format!("{sign}{big} {big_name} {small} {small_name}")
        }
    };
    let secs = (a / SECOND).round() as u64;
    if secs < 3600 {
        return two_units(secs / 60, "min", secs % 60, "s");
    }
    let mins = (a / MINUTE).round() as u64;
    if mins < 24 * 60 {
        return two_units(mins / 60, "h", mins % 60, "min");
    }
    let hours = (a / HOUR).round() as u64;
    two_units(hours / 24, "d", hours % 24, "h")
}

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
    fn durations_read_naturally() {
        assert_eq!(format_duration_ms(850.0), "850 ms");
        assert_eq!(format_duration_ms(0.2), "0 ms");
        assert_eq!(format_duration_ms(999.6), "1.0 s");
        assert_eq!(format_duration_ms(12_345.0), "12.3 s");
        assert_eq!(format_duration_ms(59_960.0), "1 min");
        assert_eq!(format_duration_ms(245_000.0), "4 min 5 s");
        assert_eq!(format_duration_ms(2.0 * HOUR + 3.0 * MINUTE), "2 h 3 min");
        assert_eq!(format_duration_ms(HOUR), "1 h");
        assert_eq!(format_duration_ms(3.0 * DAY + 4.0 * HOUR), "3 d 4 h");
        assert_eq!(format_duration_ms(-1500.0), "-1.5 s");
        assert_eq!(format_duration_ms(f64::INFINITY), "∞");
        assert_eq!(format_duration_ms(f64::NAN), "NaN");
    }

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
