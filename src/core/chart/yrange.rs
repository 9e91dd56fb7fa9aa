//! The y range of a chart with outliers clipped: the values between the low and high
//! quantiles of what is visible, so a few huge spikes do not flatten every other point
//! into a line at the bottom of the plot.
//!
//! Only used when the user asks for it: it copies the visible values (a million for a
//! long history) and partially orders the copy with `select_nth_unstable_by`, O(n)
//! rather than a sort's O(n log n). The plain auto range stays a single pass over the
//! visible points ([`super::visible_y_range_sorted`]).

use super::downsample::{visible_slice, SortedXs};
use super::scale::ScaleKind;

/// The share of the visible values that outlier clipping leaves out at each end: the
/// top and the bottom 1 %.
pub const CLIP_FRACTION: f64 = 0.01;

/// How many values clipping leaves out at each end of `n` values: `fraction` of them
/// rounded down (so nothing below 100 values at 1 %), and always fewer than half, so
/// that at least one value is left.
pub fn clipped_count(n: usize, fraction: f64) -> usize {
    if n == 0 || fraction.is_nan() || fraction <= 0.0 {
        return 0;
    }
    let k = (n as f64 * fraction).floor() as usize;
    k.min((n - 1) / 2)
}

/// The range `(low, high)` of `values` without the lowest and the highest
/// [`clipped_count`]`(n, fraction)` of them, where `n` counts the finite values
/// (NaN and ±Infinity are left out first). `None` when no value is finite.
///
/// Equal values count one by one: among a thousand ones and five 1e9s, clipping 1 %
/// leaves `(1, 1)`.
pub fn clipped_range(mut values: Vec<f64>, fraction: f64) -> Option<(f64, f64)> {
    values.retain(|v| v.is_finite());
    let n = values.len();
    if n == 0 {
        return None;
    }
    let k = clipped_count(n, fraction);
    let (_, &mut lo, above) = values.select_nth_unstable_by(k, f64::total_cmp);
    // The (n-1-k)th smallest overall is among the values above the kth.
    let hi = match above.len().checked_sub(k + 1) {
        Some(i) => *above.select_nth_unstable_by(i, f64::total_cmp).1,
        None => lo,
    };
    Some((lo, hi))
}

/// Appends to `out` the values of `ys` that a chart showing `x_range` with a `kind` y
/// scale would draw: x inside the range, y finite, and y > 0 on a log scale.
pub fn push_visible_values(
    xs: &SortedXs,
    ys: &[f64],
    x_range: (f64, f64),
    kind: ScaleKind,
    out: &mut Vec<f64>,
) {
    let (a, b) = x_range;
    if !(a.is_finite() && b.is_finite()) {
        return;
    }
    let n = xs.len().min(ys.len());
    let (start, end) = visible_slice(&xs[..n], a.min(b), a.max(b));
    let log = kind == ScaleKind::Log;
    out.extend(
        ys[start..end]
            .iter()
            .copied()
            .filter(|y| y.is_finite() && !(log && *y <= 0.0)),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fewer_than_a_hundred_values_are_not_clipped() {
        assert_eq!(clipped_count(0, CLIP_FRACTION), 0);
        assert_eq!(clipped_count(99, CLIP_FRACTION), 0);
        assert_eq!(clipped_count(100, CLIP_FRACTION), 1);
        assert_eq!(clipped_count(1_000_000, CLIP_FRACTION), 10_000);
        // never everything
        assert_eq!(clipped_count(3, 0.9), 1);
        assert_eq!(clipped_count(1, 0.5), 0);
        assert_eq!(clipped_count(10, f64::NAN), 0);
        let few = vec![1.0, 1e9, -1e9];
        assert_eq!(clipped_range(few, CLIP_FRACTION), Some((-1e9, 1e9)));
    }

    #[test]
    fn spikes_are_left_out() {
        let mut v: Vec<f64> = (0..1000).map(|i| (i % 10) as f64).collect();
        v[10] = 1e12;
        v[500] = -1e12;
        v.push(f64::NAN);
        v.push(f64::INFINITY);
        assert_eq!(clipped_range(v, CLIP_FRACTION), Some((0.0, 9.0)));
        assert_eq!(clipped_range(vec![f64::NAN], CLIP_FRACTION), None);
        assert_eq!(clipped_range(vec![], CLIP_FRACTION), None);
    }

    #[test]
    fn visible_values_follow_the_x_range_and_the_scale() {
        let xs = SortedXs::new(vec![0.0, 1.0, 2.0, 3.0, 4.0]).unwrap();
        let ys = [5.0, -1.0, f64::NAN, 7.0, 8.0];
        let mut out = Vec::new();
        push_visible_values(&xs, &ys, (3.0, 1.0), ScaleKind::Linear, &mut out);
        assert_eq!(out, [-1.0, 7.0]);
        out.clear();
        push_visible_values(&xs, &ys, (0.0, 4.0), ScaleKind::Log, &mut out);
        assert_eq!(out, [5.0, 7.0, 8.0]);
    }
}
