//! Axis ticks at "nice" values (1-2-5 steps, powers of ten) and compact labels.
//!
//! Ticks are returned *inside* the range asked for, as a zoomed axis needs. For an
//! auto-scaled axis, first widen the domain with [`nice_domain`]; its ticks then
//! start and end exactly on the domain's bounds.

/// Most ticks any function here returns, whatever `target_count` says.
const MAX_TICKS: usize = 1000;
/// Slack when testing "is a multiple of step", so that `0.3 / 0.1 = 2.9999999999999996`
/// still counts as 3.
const STEP_EPSILON: f64 = 1e-9;
/// Beyond this many steps from zero, doubles cannot tell ticks apart (a range of
/// width 1 around 10³⁰⁰): the bounds are returned instead.
const MAX_STEP_MULTIPLE: f64 = 1e15;

/// The 1-2-5 step (`m × 10^e`, `m` ∈ {1, 2, 5}) nearest, geometrically, to
/// `span / target_count`, as its mantissa and exponent (d3's `tickIncrement`).
fn step_parts(span: f64, target_count: usize) -> Option<(i64, i32)> {
    let target = target_count.clamp(1, MAX_TICKS) as f64;
    let raw = span / target;
    if !(raw.is_finite() && raw > 0.0) {
        return None;
    }
    let mut e = raw.log10().floor() as i32;
    let f = raw / pow10(e);
    // Thresholds are the geometric means of 1, 2, 5, 10.
    let m = if f < 2f64.sqrt() {
        1
    } else if f < 10f64.sqrt() {
        2
    } else if f < 50f64.sqrt() {
        5
    } else {
        e += 1;
        1
    };
    Some((m, e))
}

/// `10^e`, correctly rounded (`powi` is not, for negative `e`).
fn pow10(e: i32) -> f64 {
    decimal(1, e)
}

/// The double nearest to the decimal `i × 10^e`.
fn decimal(i: i64, e: i32) -> f64 {
    format!("{i}e{e}").parse().unwrap_or(f64::NAN)
}

/// The nice step (1, 2 or 5 times a power of ten) that splits `span` into about
/// `target_count` intervals (between 0.6× and 1.6× as many); NaN if `span` is not
/// finite and positive.
pub fn nice_step(span: f64, target_count: usize) -> f64 {
    match step_parts(span, target_count) {
        Some((m, e)) => decimal(m, e),
        None => f64::NAN,
    }
}

/// `(min, max)` put in order and given some width if it has none, so that a
/// single value still gets an axis around it.
fn widened(min: f64, max: f64) -> Option<(f64, f64)> {
    if !(min.is_finite() && max.is_finite()) {
        return None;
    }
    let (lo, hi) = (min.min(max), min.max(max));
    if hi > lo {
        return Some((lo, hi));
    }
    let pad = if lo == 0.0 { 1.0 } else { lo.abs() * 0.1 };
    Some((lo - pad, hi + pad))
}

/// The next smaller 1-2-5 step: 5 → 2 → 1 → 0.5.
fn smaller_step((m, e): (i64, i32)) -> (i64, i32) {
    match m {
        5 => (2, e),
        2 => (1, e),
        _ => (5, e - 1),
    }
}

/// The indices `k` of the multiples `k × step` inside `[lo, hi]` (with float
/// slack), or `None` if doubles cannot tell them apart at this magnitude.
fn multiples_inside(lo: f64, hi: f64, step: f64) -> Option<(i64, i64)> {
    if lo.abs().max(hi.abs()) / step > MAX_STEP_MULTIPLE {
        return None;
    }
    let first = (lo / step - STEP_EPSILON).ceil() as i64;
    let last = (hi / step + STEP_EPSILON).floor() as i64;
    Some((first, last))
}

/// Ticks at multiples of a 1-2-5 step inside `[min, max]` (bounds included),
/// about `target_count` of them and at least two: if the step [`nice_step`] picks
/// would leave fewer, the next smaller one is used.
///
/// Values are the decimals they look like (`0.3`, not `0.30000000000000004`). The
/// bounds may come in either order; a zero-width range is widened by 10% of its
/// value (or by 1 around zero); non-finite bounds give no ticks; a range too narrow
/// for its magnitude to hold distinct nice values gives just its two bounds.
pub fn nice_ticks(min: f64, max: f64, target_count: usize) -> Vec<f64> {
    let Some((lo, hi)) = widened(min, max) else {
        return Vec::new();
    };
    let Some(mut parts) = step_parts(hi - lo, target_count) else {
        return Vec::new();
    };
    loop {
        let (m, e) = parts;
        let Some((first, last)) = multiples_inside(lo, hi, decimal(m, e)) else {
            return vec![lo, hi];
        };
        // Halving the step at least doubles the count, so this ends quickly.
        if last - first < 1 {
            parts = smaller_step(parts);
            continue;
        }
        return (first..=last)
            .take(MAX_TICKS + 1)
            .map(|k| decimal(k * m, e))
            .collect();
    }
}

/// `(min, max)` widened outwards to multiples of the [`nice_ticks`] step, for an
/// auto-scaled axis: `nice_ticks` of the result starts and ends exactly on its
/// bounds. Returns the input (ordered) if it is not finite.
pub fn nice_domain(min: f64, max: f64, target_count: usize) -> (f64, f64) {
    let Some((mut lo, mut hi)) = widened(min, max) else {
        return (min.min(max), min.max(max));
    };
    // Widening can change the step; repeat until it settles (as d3's `nice` does).
    let mut previous = None;
    for _ in 0..10 {
        let Some((m, e)) = step_parts(hi - lo, target_count) else {
            break;
        };
        if previous == Some((m, e)) {
            break;
        }
        previous = Some((m, e));
        let step = decimal(m, e);
        if lo.abs().max(hi.abs()) / step > MAX_STEP_MULTIPLE {
            break;
        }
        let first = (lo / step + STEP_EPSILON).floor() as i64;
        let last = (hi / step - STEP_EPSILON).ceil() as i64;
        (lo, hi) = (decimal(first * m, e), decimal(last * m, e));
    }
    (lo, hi)
}

/// Ticks for a log axis inside `[min, max]`: powers of ten; every `k`-th power if
/// there are more than `target_count` decades; with 2× and 5× between powers when
/// the range spans fewer than three; and linear [`nice_ticks`] when it spans less
/// than one decade, where powers would leave the axis bare.
///
/// Non-positive bounds are clamped as [`super::LogScale::new`] clamps them.
pub fn log_ticks(min: f64, max: f64, target_count: usize) -> Vec<f64> {
    let (mut lo, hi) = (min.min(max), min.max(max));
    if !(hi > 0.0 && hi.is_finite()) {
        return Vec::new();
    }
    if lo.is_nan() || lo <= 0.0 {
        lo = hi / 1e6;
    }
    let (llo, lhi) = (lo.log10(), hi.log10());
    if lhi - llo < 1.0 {
        return nice_ticks(lo, hi, target_count);
    }
    let (first, last) = (llo.floor() as i32, lhi.ceil() as i32);
    let decades = (last - first) as usize;
    let target = target_count.clamp(1, MAX_TICKS);
    let stride = decades.div_ceil(target).max(1) as i32;
    let mantissas: &[i64] = if decades < 3 { &[1, 2, 5] } else { &[1] };
    let mut ticks = Vec::new();
    for e in first..=last {
        if e.rem_euclid(stride) != 0 {
            continue;
        }
        for &m in mantissas {
            let v = decimal(m, e);
            if v >= lo && v <= hi {
                ticks.push(v);
            }
        }
    }
    ticks
}

/// Fewest decimals (0..=15) that write `step` without loss, so that labels of
/// ticks `step` apart differ.
fn decimals_for(step: f64) -> usize {
    if !(step.is_finite() && step > 0.0) {
        return 3;
    }
    (0..=15)
        .find(|&d| {
            let s = step * pow10(d as i32);
            (s - s.round()).abs() <= s * 1e-9
        })
        .unwrap_or(15)
}

/// `"2.50"` → `"2.5"`, `"3.0"` → `"3"`, `"-0"` → `"0"`; leaves integers alone.
fn trim_zeros(s: &str) -> String {
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        s
    };
    if s == "-0" { "0" } else { s }.to_string()
}

/// A compact label for tick value `v` on an axis whose ticks are `step` apart:
/// `"0.001"`, `"250"`, `"1.5k"`, `"20M"`, `"2e-5"`, `"1.5e18"`.
///
/// Plain decimals between 0.001 and 1000, SI suffixes (k, M, G, T) up to 10¹⁵, and
/// `e` notation beyond either end. Just enough decimals are shown that ticks `step`
/// apart get different labels; trailing zeros are dropped. Values within a
/// millionth of a step of zero are `"0"` (float noise). A `step` that is not finite
/// and positive gives three significant digits. Non-finite values are written
/// `"NaN"`, `"∞"` and `"-∞"`.
pub fn format_tick(v: f64, step: f64) -> String {
    if v.is_nan() {
        return "NaN".into();
    }
    if v.is_infinite() {
        return if v > 0.0 { "∞" } else { "-∞" }.into();
    }
    let a = v.abs();
    let step = if step.is_finite() && step > 0.0 {
        step
    } else {
        pow10(a.log10().floor() as i32 - 2)
    };
    if a == 0.0 || a < step * 1e-6 {
        return "0".into();
    }
    if !(1e-3..1e15).contains(&a) {
        let exp = a.log10().floor() as i32;
        let d = decimals_for(step / pow10(exp));
        let s = format!("{v:.d$e}");
        return match s.split_once('e') {
            Some((mant, e)) => format!("{}e{e}", trim_zeros(mant)),
            None => s,
        };
    }
    if a >= 1e3 {
        let group = (a.log10().floor() as i32 / 3).min(4);
        let unit = pow10(group * 3);
        let suffix = ["", "k", "M", "G", "T"][group as usize];
        let d = decimals_for(step / unit);
        return format!("{}{suffix}", trim_zeros(&format!("{:.d$}", v / unit)));
    }
    let d = decimals_for(step);
    trim_zeros(&format!("{v:.d$}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_are_one_two_five() {
        assert_eq!(nice_step(10.0, 5), 2.0);
        assert_eq!(nice_step(1.0, 10), 0.1);
        assert_eq!(nice_step(0.7, 5), 0.1);
        assert_eq!(nice_step(0.8, 5), 0.2);
        assert_eq!(nice_step(7000.0, 5), 1000.0);
        assert_eq!(nice_step(3.0, 1), 2.0);
        assert_eq!(nice_step(4.0, 1), 5.0);
        assert_eq!(nice_step(8.0, 1), 10.0);
        assert!(nice_step(0.0, 5).is_nan());
    }

    #[test]
    fn ticks_are_exact_decimals_inside_the_range() {
        assert_eq!(nice_ticks(0.0, 1.0, 5), vec![0.0, 0.2, 0.4, 0.6, 0.8, 1.0]);
        assert_eq!(nice_ticks(0.05, 0.35, 3), vec![0.1, 0.2, 0.3]);
        assert_eq!(nice_ticks(-3.0, 7.0, 5), vec![-2.0, 0.0, 2.0, 4.0, 6.0]);
        assert_eq!(nice_ticks(7.0, -3.0, 5), nice_ticks(-3.0, 7.0, 5));
        assert_eq!(nice_ticks(0.0, 0.3, 3), vec![0.0, 0.1, 0.2, 0.3]);
        // 0.05 would leave one tick; 0.02 leaves four
        assert_eq!(nice_ticks(0.013, 0.0871, 2), vec![0.02, 0.04, 0.06, 0.08]);
        assert_eq!(
            nice_ticks(1e300, 1e300 + 1e285, 5),
            vec![1e300, 1e300 + 1e285]
        );
    }

    #[test]
    fn degenerate_ranges() {
        assert_eq!(nice_ticks(5.0, 5.0, 4), vec![4.6, 4.8, 5.0, 5.2, 5.4]);
        assert_eq!(nice_ticks(0.0, 0.0, 2), vec![-1.0, 0.0, 1.0]);
        assert!(nice_ticks(f64::NAN, 1.0, 5).is_empty());
        assert!(nice_ticks(0.0, f64::INFINITY, 5).is_empty());
        assert!(nice_ticks(0.0, 1.0, usize::MAX).len() <= MAX_TICKS + 1);
    }

    #[test]
    fn nice_domain_ends_on_ticks() {
        assert_eq!(nice_domain(0.13, 0.92, 5), (0.0, 1.0));
        assert_eq!(nice_domain(-13.0, 87.0, 5), (-20.0, 100.0));
        assert_eq!(nice_domain(0.05, 1.01, 5), (0.0, 1.2));
        assert_eq!(nice_domain(0.021, 0.333, 7), (0.0, 0.35));
        let (lo, hi) = nice_domain(3.7, 3.7, 5);
        assert!(lo < 3.7 && hi > 3.7);
    }

    #[test]
    fn log_ticks_are_powers_of_ten() {
        assert_eq!(
            log_ticks(1e-4, 10.0, 10),
            vec![1e-4, 1e-3, 1e-2, 0.1, 1.0, 10.0]
        );
        assert_eq!(log_ticks(0.5, 600.0, 10), vec![1.0, 10.0, 100.0]);
        assert_eq!(log_ticks(1.0, 1e12, 4), vec![1.0, 1e3, 1e6, 1e9, 1e12]);
        assert_eq!(
            log_ticks(1.0, 100.0, 10),
            vec![1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0]
        );
        assert_eq!(log_ticks(3.0, 7.0, 4), vec![3.0, 4.0, 5.0, 6.0, 7.0]);
        assert_eq!(
            log_ticks(0.0, 100.0, 10),
            vec![1e-4, 1e-3, 1e-2, 0.1, 1.0, 10.0, 100.0]
        );
        assert!(log_ticks(-1.0, 0.0, 5).is_empty());
    }

    #[test]
    fn labels_are_compact() {
        assert_eq!(format_tick(0.001, 0.001), "0.001");
        assert_eq!(format_tick(0.30000000000000004, 0.1), "0.3");
        assert_eq!(format_tick(0.25, 0.25), "0.25");
        assert_eq!(format_tick(250.0, 50.0), "250");
        assert_eq!(format_tick(1500.0, 500.0), "1.5k");
        assert_eq!(format_tick(2000.0, 500.0), "2k");
        assert_eq!(format_tick(-2.5e7, 5e6), "-25M");
        assert_eq!(format_tick(3e12, 1e12), "3T");
        assert_eq!(format_tick(1.5e18, 5e17), "1.5e18");
        assert_eq!(format_tick(2e-5, 1e-5), "2e-5");
        assert_eq!(format_tick(2.5e-5, 5e-6), "2.5e-5");
        assert_eq!(format_tick(1e-17, 0.1), "0");
        assert_eq!(format_tick(-0.0, 1.0), "0");
        assert_eq!(format_tick(123.456, f64::NAN), "123");
        assert_eq!(format_tick(f64::NEG_INFINITY, 1.0), "-∞");
    }
}
