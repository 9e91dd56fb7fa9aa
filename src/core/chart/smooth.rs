//! Line smoothing as TensorBoard's and MLflow's charts do it.

/// Heaviest smoothing weight accepted: at 1 the average would never move (TensorBoard's
/// slider stops here too).
pub const MAX_SMOOTHING_WEIGHT: f64 = 0.999;

/// Debiased exponential moving average of `ys`, point by point, as TensorBoard
/// computes it (`weight` 0 = no smoothing, 0.99 = heavy):
///
/// ```text
/// last = last·w + (1 − w)·y        (last starts at 0)
/// smoothed = last / (1 − wⁿ)       (n = finite values so far)
/// ```
///
/// The division removes the pull towards the starting 0, so the first smoothed
/// value equals the first value.
///
/// - Non-finite values (NaN, ±Infinity) are passed through unchanged and do not
///   enter the average, so one NaN does not poison the rest of the line, and `n`
///   counts only the finite values averaged. (MLflow's own `EMA` counts every index
///   in `n`, which under-corrects after a NaN; TensorBoard's count is the right one.)
/// - If every finite value is the same, `ys` is returned as is, so a flat line
///   stays exactly flat despite rounding.
/// - `weight` is clamped to `[0, MAX_SMOOTHING_WEIGHT]`; NaN counts as 0.
///
/// The output has the same length as `ys`, index for index.
pub fn ema_smooth(ys: &[f64], weight: f64) -> Vec<f64> {
    let w = if weight.is_nan() {
        0.0
    } else {
        weight.clamp(0.0, MAX_SMOOTHING_WEIGHT)
    };
    let mut finite = ys.iter().copied().filter(|y| y.is_finite());
    let is_constant = match finite.next() {
        None => true,
        Some(first) => finite.all(|y| y == first),
    };
    if w == 0.0 || is_constant {
        return ys.to_vec();
    }
    let mut last = 0.0;
    let mut bias = 1.0; // w^n
    ys.iter()
        .map(|&y| {
            if !y.is_finite() {
                return y;
            }
            last = last * w + (1.0 - w) * y;
            bias *= w;
            last / (1.0 - bias)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_close(got: &[f64], want: &[f64]) {
        assert_eq!(got.len(), want.len());
        for (g, w) in got.iter().zip(want) {
            assert!(
                g == w || (g.is_nan() && w.is_nan()) || (g - w).abs() < 1e-12,
                "{got:?} != {want:?}"
            );
        }
    }

    #[test]
    fn matches_hand_computed_values() {
        // last: 0.5, 1.25, 2.125; debias: 0.5, 0.75, 0.875
        assert_close(
            &ema_smooth(&[1.0, 2.0, 3.0], 0.5),
            &[1.0, 1.25 / 0.75, 2.125 / 0.875],
        );
    }

    #[test]
    fn weight_zero_is_identity_and_first_value_is_kept() {
        let ys = [3.0, -1.0, 4.0];
        assert_eq!(ema_smooth(&ys, 0.0), ys.to_vec());
        assert_eq!(ema_smooth(&ys, f64::NAN), ys.to_vec());
        assert_eq!(ema_smooth(&ys, 0.99)[0], 3.0);
    }

    #[test]
    fn non_finite_values_pass_through_without_poisoning() {
        let ys = [1.0, f64::NAN, 3.0, f64::INFINITY, 5.0];
        let s = ema_smooth(&ys, 0.5);
        // The NaN and the infinity are skipped: the average of 1, 3, 5 as if adjacent.
        let clean = ema_smooth(&[1.0, 3.0, 5.0], 0.5);
        assert_close(&s, &[clean[0], f64::NAN, clean[1], f64::INFINITY, clean[2]]);
    }

    #[test]
    fn flat_lines_stay_flat_and_weight_is_clamped() {
        assert_eq!(ema_smooth(&[0.1; 50], 0.9), vec![0.1; 50]);
        let s = ema_smooth(&[1.0, 2.0], 5.0);
        assert!(s.iter().all(|v| v.is_finite() && *v >= 1.0 && *v <= 2.0));
        assert!(ema_smooth(&[], 0.5).is_empty());
    }
}
