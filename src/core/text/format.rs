//! Numbers, sizes, durations and times as people read them.
//!
//! Local times need the user's zone, which only the browser knows: functions that
//! show one take a [`UtcOffset`] (the UI passes the browser's; tests pass a fixed
//! one), so the calendar arithmetic itself is plain and tested here.

/// Milliseconds in a second, minute, hour and day.
const SECOND: f64 = 1_000.0;
const MINUTE: f64 = 60.0 * SECOND;
const HOUR: f64 = 60.0 * MINUTE;
const DAY: f64 = 24.0 * HOUR;
const DAY_MS: i64 = 86_400_000;

/// The local zone's offset from UTC in ms at an instant (ms since the epoch): east
/// of Greenwich is positive. A function, because the offset changes with daylight
/// saving time.
pub type UtcOffset = fn(f64) -> f64;

/// `10000` → `10,000`.
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `n` and a noun, plural unless `n` is 1: `1 run`, `0 runs`, `10,000 runs`.
pub fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{} {noun}s", thousands(n))
    }
}

/// A metric value as MLflow's UI shows it: at most six decimals, trailing zeros
/// dropped, NaN and ±Infinity spelled out.
pub fn format_value(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v.is_infinite() {
        if v > 0.0 { "Infinity" } else { "-Infinity" }.into()
    } else {
        let s = format!("{v:.6}");
        let s = s.trim_end_matches('0').trim_end_matches('.');
        if s.is_empty() || s == "-" {
            "0".into()
        } else {
            s.to_owned()
        }
    }
}

/// A file size: `512 B`, `1.5 KB`, `20.3 MB`, `2.0 GB` (1 KB = 1024 B).
pub fn format_size(bytes: u64) -> String {
    let b = bytes as f64;
    if b < 1024.0 {
        format!("{bytes} B")
    } else if b < 1024.0 * 1024.0 {
        format!("{:.1} KB", b / 1024.0)
    } else if b < 1024.0 * 1024.0 * 1024.0 {
        format!("{:.1} MB", b / (1024.0 * 1024.0))
    } else {
        format!("{:.1} GB", b / (1024.0 * 1024.0 * 1024.0))
    }
}

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

/// How long a run took, or has taken so far at `now_ms` while it has no end; never
/// negative (clocks of different machines may disagree).
pub fn run_duration_ms(start_ms: i64, end_ms: Option<i64>, now_ms: i64) -> i64 {
    end_ms.unwrap_or(now_ms).saturating_sub(start_ms).max(0)
}

/// `text` cut to at most `max_chars` characters, the last of them `…` when cut.
pub fn ellipsize(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        text.to_owned()
    } else {
        let head: String = text.chars().take(max_chars.saturating_sub(1)).collect();
        format!("{head}…")
    }
}

/// A date and time of day on the proleptic Gregorian calendar.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CivilTime {
    /// The year (astronomical: 0 is 1 BC).
    pub year: i64,
    /// 1 to 12.
    pub month: u32,
    /// 1 to 31.
    pub day: u32,
    /// 0 to 23.
    pub hour: u32,
    /// 0 to 59.
    pub minute: u32,
    /// 0 to 59.
    pub second: u32,
}

impl CivilTime {
    /// The local date and time at `ms` since the epoch in a zone `utc_offset_ms` ahead
    /// of UTC, as JavaScript's `Date` getters give it (fractions of a second dropped).
    pub fn at(ms: i64, utc_offset_ms: i64) -> Self {
        let local = ms.saturating_add(utc_offset_ms);
        let (days, in_day) = (local.div_euclid(DAY_MS), local.rem_euclid(DAY_MS));
        let (year, month, day) = civil_from_days(days);
        CivilTime {
            year,
            month,
            day,
            hour: (in_day / 3_600_000) as u32,
            minute: (in_day / 60_000 % 60) as u32,
            second: (in_day / 1_000 % 60) as u32,
        }
    }
}

/// Year, month and day of a count of days since 1970-01-01 (Howard Hinnant's
/// `civil_from_days`, exact over the whole `i64` range the caller can reach).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// A timestamp (ms) as local time: `2023-11-14 22:13:20`.
pub fn format_timestamp(ms: i64, zone: UtcOffset) -> String {
    let t = CivilTime::at(ms, zone(ms as f64).round() as i64);
    format!(
        "{}-{:02}-{:02} {:02}:{:02}:{:02}",
        t.year, t.month, t.day, t.hour, t.minute, t.second
    )
}

/// A wall-clock tick label as precise as the tick interval needs: `11-14` for
/// daily ticks, `22:13:20` below a minute, `11-14 22:13` when the axis spans more
/// than a day, else `22:13`.
pub fn format_clock(ms: f64, step_ms: f64, span_ms: f64, zone: UtcOffset) -> String {
    // As JavaScript's `Date` does: the instant is truncated to whole milliseconds.
    let t = CivilTime::at(ms as i64, zone(ms).round() as i64);
    let day = format!("{:02}-{:02}", t.month, t.day);
    let hm = format!("{:02}:{:02}", t.hour, t.minute);
    if step_ms >= DAY {
        day
    } else if step_ms < MINUTE {
        format!("{hm}:{:02}", t.second)
    } else if span_ms > DAY {
        format!("{day} {hm}")
    } else {
        hm
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const UTC: UtcOffset = |_| 0.0;
    const INDIA: UtcOffset = |_| 5.5 * HOUR;
    const NEW_YORK_WINTER: UtcOffset = |_| -5.0 * HOUR;

    #[test]
    fn thousands_and_plurals() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(10_000), "10,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(plural(1, "run"), "1 run");
        assert_eq!(plural(0, "run"), "0 runs");
        assert_eq!(plural(2, "run"), "2 runs");
        assert_eq!(plural(21_000, "run"), "21,000 runs");
    }

    #[test]
    fn metric_values_as_mlflow_shows_them() {
        assert_eq!(format_value(0.5), "0.5");
        assert_eq!(format_value(1.0), "1");
        assert_eq!(format_value(0.1234567), "0.123457");
        assert_eq!(format_value(-2.25), "-2.25");
        assert_eq!(format_value(0.0), "0");
        assert_eq!(format_value(1e-9), "0");
        assert_eq!(format_value(12345.0), "12345");
        assert_eq!(format_value(f64::NAN), "NaN");
        assert_eq!(format_value(f64::INFINITY), "Infinity");
        assert_eq!(format_value(f64::NEG_INFINITY), "-Infinity");
    }

    #[test]
    fn sizes_in_binary_units() {
        assert_eq!(format_size(0), "0 B");
        assert_eq!(format_size(1023), "1023 B");
        assert_eq!(format_size(1536), "1.5 KB");
        assert_eq!(format_size(20 * 1024 * 1024 + 300 * 1024), "20.3 MB");
        assert_eq!(format_size(2 << 30), "2.0 GB");
    }

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
    fn run_durations_run_on_while_running_and_never_go_negative() {
        assert_eq!(run_duration_ms(1_000, Some(4_000), 9_000), 3_000);
        assert_eq!(run_duration_ms(1_000, None, 9_000), 8_000);
        assert_eq!(run_duration_ms(5_000, Some(4_000), 9_000), 0);
        assert_eq!(run_duration_ms(i64::MIN, Some(i64::MAX), 0), i64::MAX);
    }

    #[test]
    fn ellipsize_counts_characters_not_bytes() {
        assert_eq!(ellipsize("short", 12), "short");
        assert_eq!(ellipsize("exactly-12ch", 12), "exactly-12ch");
        assert_eq!(ellipsize("learning_rate_decay", 12), "learning_ra…");
        assert_eq!(ellipsize("日本語のパラメータ", 4), "日本語…");
        assert_eq!(ellipsize("abc", 0), "…");
    }

    #[test]
    fn civil_time_matches_the_calendar() {
        let t = CivilTime::at(1_700_000_000_000, 0);
        assert_eq!(
            t,
            CivilTime {
                year: 2023,
                month: 11,
                day: 14,
                hour: 22,
                minute: 13,
                second: 20
            }
        );
        assert_eq!(CivilTime::at(0, 0).year, 1970);
        // Before the epoch, times count down from midnight as Date's getters do.
        let t = CivilTime::at(-1, 0);
        assert_eq!(
            (t.year, t.month, t.day, t.hour, t.minute, t.second),
            (1969, 12, 31, 23, 59, 59)
        );
        // Leap days, and centuries that are not leap years.
        assert_eq!(CivilTime::at(1_709_164_800_000, 0).day, 29);
        assert_eq!(CivilTime::at(951_782_400_000, 0).month, 2); // 2000-02-29
        let t = CivilTime::at(4_107_542_400_000, 0); // 2100-03-01
        assert_eq!((t.year, t.month, t.day), (2100, 3, 1));
        // Fractions of a second are dropped, not rounded.
        assert_eq!(CivilTime::at(1_700_000_000_999, 0).second, 20);
    }

    #[test]
    fn timestamps_read_in_the_given_zone() {
        assert_eq!(
            format_timestamp(1_700_000_000_000, UTC),
            "2023-11-14 22:13:20"
        );
        assert_eq!(
            format_timestamp(1_700_000_000_000, INDIA),
            "2023-11-15 03:43:20"
        );
        assert_eq!(
            format_timestamp(1_700_000_000_000, NEW_YORK_WINTER),
            "2023-11-14 17:13:20"
        );
        assert_eq!(format_timestamp(0, NEW_YORK_WINTER), "1969-12-31 19:00:00");
        assert_eq!(
            format_timestamp(-62_135_596_800_000, UTC),
            "1-01-01 00:00:00"
        );
    }

    #[test]
    fn clock_labels_follow_the_tick_interval() {
        let t = 1_700_000_000_000.0;
        assert_eq!(format_clock(t, DAY, 10.0 * DAY, UTC), "11-14");
        assert_eq!(format_clock(t, 15.0 * SECOND, MINUTE, UTC), "22:13:20");
        assert_eq!(format_clock(t, HOUR, 2.0 * DAY, UTC), "11-14 22:13");
        assert_eq!(format_clock(t, HOUR, 6.0 * HOUR, UTC), "22:13");
        assert_eq!(format_clock(t, HOUR, 6.0 * HOUR, INDIA), "03:43");
    }
}
