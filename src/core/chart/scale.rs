//! Scales: a data domain mapped onto a pixel range, and back for the mouse.

/// A mapping from data values to pixels and back.
///
/// The pixel range may run either way: a y axis is usually `(height, 0.0)` so that
/// larger values sit higher.
pub trait Scale {
    /// The pixel position of data value `v`. Never NaN for a finite `v`.
    fn to_px(&self, v: f64) -> f64;
    /// The data value under pixel `px` (the inverse of [`Scale::to_px`]).
    fn to_domain(&self, px: f64) -> f64;
    /// The data domain `(low, high)`, as the scale uses it.
    fn domain(&self) -> (f64, f64);
    /// The pixel range `(at low, at high)`.
    fn range(&self) -> (f64, f64);
}

/// Which kind of scale an axis uses.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ScaleKind {
    /// Even steps: [`LinearScale`].
    #[default]
    Linear,
    /// Decades: [`LogScale`]; values ≤ 0 have no place on it.
    Log,
}

/// A linear scale.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LinearScale {
    domain: (f64, f64),
    range: (f64, f64),
}

impl LinearScale {
    /// A scale mapping `domain.0 → range.0` and `domain.1 → range.1`.
    ///
    /// A domain of zero width (one distinct value) maps every value to the middle
    /// of the range; the inverse then returns `domain.0`.
    pub fn new(domain: (f64, f64), range: (f64, f64)) -> Self {
        LinearScale { domain, range }
    }
}

impl Scale for LinearScale {
    fn to_px(&self, v: f64) -> f64 {
        let (d0, d1) = self.domain;
        let (r0, r1) = self.range;
        if d1 == d0 {
            return (r0 + r1) / 2.0;
        }
        r0 + (v - d0) / (d1 - d0) * (r1 - r0)
    }

    fn to_domain(&self, px: f64) -> f64 {
        let (d0, d1) = self.domain;
        let (r0, r1) = self.range;
        if r1 == r0 {
            return d0;
        }
        d0 + (px - r0) / (r1 - r0) * (d1 - d0)
    }

    fn domain(&self) -> (f64, f64) {
        self.domain
    }

    fn range(&self) -> (f64, f64) {
        self.range
    }
}

/// A base-10 logarithmic scale, for losses that fall over decades.
///
/// A logarithm has no value at zero or below, so non-positive values are clamped:
/// a non-positive domain bound is replaced (see [`LogScale::new`]) and a
/// non-positive value is drawn at the domain's low edge. Both are reported, so the
/// UI can say "values ≤ 0 are not shown on a log scale".
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LogScale {
    log_domain: (f64, f64),
    range: (f64, f64),
    domain_clamped: bool,
}

/// Decades shown below the high bound when the low bound is not positive.
const DECADES_BELOW_WHEN_CLAMPED: i32 = 6;

impl LogScale {
    /// A scale mapping `domain.0 → range.0` and `domain.1 → range.1` logarithmically.
    ///
    /// A non-positive (or non-finite) low bound becomes `high / 10⁶`; if the high
    /// bound is not positive either, the domain becomes `(1, 10)`.
    /// [`LogScale::is_domain_clamped`] then returns true.
    pub fn new(domain: (f64, f64), range: (f64, f64)) -> Self {
        let (mut lo, mut hi) = (domain.0.min(domain.1), domain.0.max(domain.1));
        let flipped = domain.0 > domain.1;
        let mut clamped = false;
        if !(hi > 0.0 && hi.is_finite()) {
            (lo, hi, clamped) = (1.0, 10.0, true);
        } else if lo.is_nan() || lo <= 0.0 {
            lo = hi / 10f64.powi(DECADES_BELOW_WHEN_CLAMPED);
            clamped = true;
        }
        let log_domain = if flipped {
            (hi.log10(), lo.log10())
        } else {
            (lo.log10(), hi.log10())
        };
        LogScale {
            log_domain,
            range,
            domain_clamped: clamped,
        }
    }

    /// Whether [`LogScale::new`] had to replace a non-positive domain bound.
    pub fn is_domain_clamped(&self) -> bool {
        self.domain_clamped
    }

    /// Like [`Scale::to_px`], and also says whether `v` was clamped because it was
    /// not positive (it is then placed at the domain's low edge).
    pub fn to_px_checked(&self, v: f64) -> (f64, bool) {
        if v > 0.0 {
            (self.px_of_log(v.log10()), false)
        } else {
            let low = self.log_domain.0.min(self.log_domain.1);
            (self.px_of_log(low), true)
        }
    }

    fn px_of_log(&self, lv: f64) -> f64 {
        let (d0, d1) = self.log_domain;
        let (r0, r1) = self.range;
        if d1 == d0 {
            return (r0 + r1) / 2.0;
        }
        r0 + (lv - d0) / (d1 - d0) * (r1 - r0)
    }
}

impl Scale for LogScale {
    /// Non-positive values are clamped to the domain's low edge (see
    /// [`LogScale::to_px_checked`]).
    fn to_px(&self, v: f64) -> f64 {
        self.to_px_checked(v).0
    }

    fn to_domain(&self, px: f64) -> f64 {
        let (d0, d1) = self.log_domain;
        let (r0, r1) = self.range;
        if r1 == r0 {
            return 10f64.powf(d0);
        }
        10f64.powf(d0 + (px - r0) / (r1 - r0) * (d1 - d0))
    }

    fn domain(&self) -> (f64, f64) {
        (10f64.powf(self.log_domain.0), 10f64.powf(self.log_domain.1))
    }

    fn range(&self) -> (f64, f64) {
        self.range
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-9 * (1.0 + a.abs().max(b.abs()))
    }

    #[test]
    fn linear_maps_and_inverts() {
        let s = LinearScale::new((0.0, 10.0), (0.0, 200.0));
        assert_eq!(s.to_px(5.0), 100.0);
        assert_eq!(s.to_domain(50.0), 2.5);
        // y axis: larger values higher up (smaller px)
        let y = LinearScale::new((-1.0, 1.0), (100.0, 0.0));
        assert_eq!(y.to_px(1.0), 0.0);
        assert_eq!(y.to_px(-1.0), 100.0);
        assert!(close(y.to_domain(y.to_px(0.3)), 0.3));
    }

    #[test]
    fn linear_zero_width_domain_is_centred() {
        let s = LinearScale::new((3.0, 3.0), (0.0, 100.0));
        assert_eq!(s.to_px(3.0), 50.0);
        assert_eq!(s.to_px(1e9), 50.0);
        assert_eq!(s.to_domain(10.0), 3.0);
    }

    #[test]
    fn log_maps_decades_evenly() {
        let s = LogScale::new((1.0, 1000.0), (0.0, 300.0));
        assert!(!s.is_domain_clamped());
        assert!(close(s.to_px(10.0), 100.0));
        assert!(close(s.to_px(100.0), 200.0));
        assert!(close(s.to_domain(150.0), 10f64.powf(1.5)));
        assert!(close(s.domain().1, 1000.0));
    }

    #[test]
    fn log_clamps_non_positive_values_and_says_so() {
        let s = LogScale::new((0.01, 1.0), (100.0, 0.0));
        assert_eq!(s.to_px_checked(0.0), (100.0, true));
        assert_eq!(s.to_px_checked(-5.0), (100.0, true));
        let (px, clamped) = s.to_px_checked(0.1);
        assert!(close(px, 50.0) && !clamped);
    }

    #[test]
    fn log_clamps_non_positive_domain() {
        let s = LogScale::new((0.0, 100.0), (0.0, 80.0));
        assert!(s.is_domain_clamped());
        assert!(close(s.domain().0, 1e-4));
        let s = LogScale::new((-5.0, -1.0), (0.0, 80.0));
        assert!(s.is_domain_clamped());
        assert!(close(s.domain().0, 1.0) && close(s.domain().1, 10.0));
        assert!(s.to_px(-3.0).is_finite());
    }
}
