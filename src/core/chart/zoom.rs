//! Zooming: from a drag on the plot to a data range, and back to the full extent.

use super::scale::Scale;

/// Drags shorter than this (px) are clicks, not zooms: zooming to a sliver a few
/// pixels wide is almost always an accident.
pub const MIN_ZOOM_DRAG_PX: f64 = 4.0;

/// The data range `(low, high)` under a drag from pixel `px_from` to `px_to` on
/// `scale`'s axis, in either direction; `None` if the drag is shorter than
/// [`MIN_ZOOM_DRAG_PX`] or a position is NaN.
///
/// Pixels beyond the plot are clamped to its edge, so dragging out of the plot
/// zooms to the edge rather than past the data. Works for [`super::LogScale`] too
/// (the range is then spaced logarithmically).
pub fn zoom_to_pixels(scale: &impl Scale, px_from: f64, px_to: f64) -> Option<(f64, f64)> {
    let (r0, r1) = scale.range();
    let (rmin, rmax) = (r0.min(r1), r0.max(r1));
    if px_from.is_nan() || px_to.is_nan() {
        return None;
    }
    let (a, b) = (px_from.clamp(rmin, rmax), px_to.clamp(rmin, rmax));
    if (a - b).abs() < MIN_ZOOM_DRAG_PX {
        return None;
    }
    let (da, db) = (scale.to_domain(a), scale.to_domain(b));
    Some((da.min(db), da.max(db)))
}

/// The smallest and largest finite value, `None` if there is none: the x range to
/// reset a zoom to, or the y range to auto-scale to. Combine several series with
/// [`merge_extents`].
pub fn extent(values: &[f64]) -> Option<(f64, f64)> {
    values
        .iter()
        .copied()
        .filter(|v| v.is_finite())
        .fold(None, |acc, v| merge_extents(acc, Some((v, v))))
}

/// The range covering both `a` and `b` (either may be `None`).
pub fn merge_extents(a: Option<(f64, f64)>, b: Option<(f64, f64)>) -> Option<(f64, f64)> {
    match (a, b) {
        (Some((a0, a1)), Some((b0, b1))) => Some((a0.min(b0), a1.max(b1))),
        (x, None) | (None, x) => x,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::chart::scale::{LinearScale, LogScale};

    #[test]
    fn drag_selects_the_range_under_it() {
        let s = LinearScale::new((0.0, 100.0), (0.0, 500.0));
        assert_eq!(zoom_to_pixels(&s, 100.0, 200.0), Some((20.0, 40.0)));
        assert_eq!(zoom_to_pixels(&s, 200.0, 100.0), Some((20.0, 40.0)));
        // y axis running upwards
        let y = LinearScale::new((0.0, 1.0), (100.0, 0.0));
        assert_eq!(zoom_to_pixels(&y, 25.0, 75.0), Some((0.25, 0.75)));
    }

    #[test]
    fn clicks_and_out_of_plot_drags() {
        let s = LinearScale::new((0.0, 100.0), (0.0, 500.0));
        assert_eq!(zoom_to_pixels(&s, 100.0, 102.0), None);
        assert_eq!(zoom_to_pixels(&s, f64::NAN, 102.0), None);
        assert_eq!(zoom_to_pixels(&s, 400.0, 900.0), Some((80.0, 100.0)));
        assert_eq!(zoom_to_pixels(&s, 600.0, 900.0), None);
    }

    #[test]
    fn log_zoom_is_logarithmic() {
        let s = LogScale::new((1.0, 1e4), (0.0, 400.0));
        let (lo, hi) = zoom_to_pixels(&s, 100.0, 300.0).unwrap();
        assert!((lo - 10.0).abs() < 1e-9 && (hi - 1000.0).abs() < 1e-9);
    }

    #[test]
    fn extent_skips_non_finite() {
        assert_eq!(
            extent(&[3.0, f64::NAN, -1.0, f64::INFINITY, 7.0]),
            Some((-1.0, 7.0))
        );
        assert_eq!(extent(&[f64::NAN]), None);
        assert_eq!(
            merge_extents(Some((0.0, 1.0)), Some((-2.0, 0.5))),
            Some((-2.0, 1.0))
        );
        assert_eq!(merge_extents(None, Some((1.0, 2.0))), Some((1.0, 2.0)));
    }
}
