//! Min/max downsampling of a metric series to the chart's pixel columns, and the
//! y range of its visible part for auto-scaling.
//!
//! Both are fastest on x values in order. A chart puts its series in x order once
//! when they arrive, as a [`SortedXs`]; the `_sorted` entry points take that proof
//! and never check the order again, so a repaint costs what the visible part costs.
//!
//! A chart a thousand pixels wide cannot show a million points, but it must not lose
//! the one spike among them either. For every pixel column we keep the first, the
//! lowest, the highest and the last point, in x order: the envelope of the column is
//! then drawn exactly, and consecutive columns join where the data joins.

use super::scale::ScaleKind;

/// x values in ascending order, none NaN: what the fast paths need, checked once.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SortedXs(Vec<f64>);

impl SortedXs {
    /// `xs` if it is ascending with no NaN; else gives it back.
    pub fn new(xs: Vec<f64>) -> Result<Self, Vec<f64>> {
        if is_sorted_without_nan(&xs) {
            Ok(SortedXs(xs))
        } else {
            Err(xs)
        }
    }

    /// `xs` converted from ascending `i64`s (conversion to `f64` keeps their order
    /// and gives no NaN), so it need not be checked again; debug builds still do.
    pub(crate) fn from_ascending_integers(xs: Vec<f64>) -> Self {
        debug_assert!(is_sorted_without_nan(&xs));
        SortedXs(xs)
    }

    /// The values.
    pub fn as_slice(&self) -> &[f64] {
        &self.0
    }
}

impl std::ops::Deref for SortedXs {
    type Target = [f64];

    fn deref(&self) -> &[f64] {
        &self.0
    }
}

/// What [`downsample_min_max`] keeps of a series.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Downsampled {
    /// Points to draw, in ascending x order. A point whose y is NaN is a *gap
    /// marker*: end the current line there and start a new one at the next point.
    /// Every other y is finite.
    pub points: Vec<(f64, f64)>,
    /// Visible points whose y was ±Infinity, as `(x, ±INFINITY)` in ascending x
    /// order, at most one of each sign per pixel column. They are not in `points`
    /// (the line runs on past them); the UI can mark them at the plot's edge.
    pub infinities: Vec<(f64, f64)>,
}

/// Downsamples a series for a chart `pixel_columns` wide showing `x_range`.
///
/// - For every pixel column the first, minimum, maximum and last finite point (in
///   x order) are kept, so no spike disappears and lines connect correctly. At most
///   4 points per column, plus up to 2 gap markers in a column that holds NaNs, plus
///   the 2 neighbours below.
/// - Points outside `x_range` are dropped, except the nearest finite point on each
///   side, so the line enters and leaves the plot instead of starting at its first
///   visible point. (No neighbour is kept if the nearest point outside is a NaN:
///   the line is broken there anyway.)
/// - **NaN y breaks the line**: a NaN is emitted as a gap marker (`y = NaN`) rather
///   than bridged, because a run that logged NaN (a diverged loss) should look
///   interrupted, not smooth. A column keeps its first and last NaN, and markers
///   that would follow one another merge into one.
/// - **±Infinity y is skipped** (the line joins its neighbours) and reported in
///   [`Downsampled::infinities`].
/// - Points with NaN x are dropped; ±Infinity x is never visible nor a neighbour.
/// - `xs` should be sorted ascending (steps, timestamps); then this is one linear
///   pass over the visible part plus a binary search per non-empty pixel column
///   (1M points into 1000 columns: about 3 ms natively, release build), after one
///   pass that checks the order ([`downsample_min_max_sorted`] skips it). Unsorted
///   input (a history logged out of order) is first copied and sorted, stably, so
///   equal x keep their log order: O(n log n).
///
/// `x_range` may be given either way round; if it is not finite the result is
/// empty. `pixel_columns` of 0 counts as 1. If `xs` and `ys` differ in length the
/// extra tail of the longer one is ignored.
pub fn downsample_min_max(
    xs: &[f64],
    ys: &[f64],
    x_range: (f64, f64),
    pixel_columns: usize,
) -> Downsampled {
    let n = xs.len().min(ys.len());
    let (xs, ys) = (&xs[..n], &ys[..n]);
    let Some((lo, hi)) = ordered_finite_range(x_range) else {
        return Downsampled::default();
    };
    if is_sorted_without_nan(xs) {
        downsample_sorted(xs, ys, lo, hi, pixel_columns.max(1))
    } else {
        let (sx, sy) = sorted_copy(xs, ys);
        downsample_sorted(&sx, &sy, lo, hi, pixel_columns.max(1))
    }
}

/// [`downsample_min_max`] of x values known to be in order: no check, no copy.
pub fn downsample_min_max_sorted(
    xs: &SortedXs,
    ys: &[f64],
    x_range: (f64, f64),
    pixel_columns: usize,
) -> Downsampled {
    let n = xs.len().min(ys.len());
    let Some((lo, hi)) = ordered_finite_range(x_range) else {
        return Downsampled::default();
    };
    downsample_sorted(&xs[..n], &ys[..n], lo, hi, pixel_columns.max(1))
}

/// The y extent of what a chart shows of a series (see [`visible_y_range`]).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct VisibleY {
    /// Lowest and highest drawable y; `None` if nothing visible is drawable.
    pub range: Option<(f64, f64)>,
    /// On a log scale, whether some visible finite values were ≤ 0 and left out.
    pub hides_non_positive: bool,
}

/// The lowest and highest y among the points whose x lies in `x_range`
/// (inclusive) that an axis of `kind` can place — finite, and positive on a log
/// scale — for auto-scaling the y axis to what is visible. The out-of-range
/// neighbours that [`downsample_min_max`] keeps are not counted: they are clipped at
/// the plot's edge. Order of `xs` does not matter.
pub fn visible_y_range(xs: &[f64], ys: &[f64], x_range: (f64, f64), kind: ScaleKind) -> VisibleY {
    let n = xs.len().min(ys.len());
    let (xs, ys) = (&xs[..n], &ys[..n]);
    let Some((lo, hi)) = ordered_finite_range(x_range) else {
        return VisibleY::default();
    };
    let (start, end) = if is_sorted_without_nan(xs) {
        visible_slice(xs, lo, hi)
    } else {
        (0, n)
    };
    y_extent(&xs[start..end], &ys[start..end], lo, hi, kind)
}

/// [`visible_y_range`] of x values known to be in order: a binary search, no check.
pub fn visible_y_range_sorted(
    xs: &SortedXs,
    ys: &[f64],
    x_range: (f64, f64),
    kind: ScaleKind,
) -> VisibleY {
    let n = xs.len().min(ys.len());
    let Some((lo, hi)) = ordered_finite_range(x_range) else {
        return VisibleY::default();
    };
    let (start, end) = visible_slice(&xs[..n], lo, hi);
    y_extent(&xs[start..end], &ys[start..end], lo, hi, kind)
}

fn y_extent(xs: &[f64], ys: &[f64], lo: f64, hi: f64, kind: ScaleKind) -> VisibleY {
    // Plain comparisons, not `f64::min`/`max`: the size-optimised build calls libm
    // for those, per point. `y` is finite here, so the sentinels always give way.
    let (mut low, mut high) = (f64::INFINITY, f64::NEG_INFINITY);
    let mut hides_non_positive = false;
    let log = kind == ScaleKind::Log;
    for (&x, &y) in xs.iter().zip(ys) {
        if !(x >= lo && x <= hi && y.is_finite()) {
            continue;
        }
        if log && y <= 0.0 {
            hides_non_positive = true;
            continue;
        }
        if y < low {
            low = y;
        }
        if y > high {
            high = y;
        }
    }
    VisibleY {
        range: (low <= high).then_some((low, high)),
        hides_non_positive,
    }
}

fn ordered_finite_range((a, b): (f64, f64)) -> Option<(f64, f64)> {
    (a.is_finite() && b.is_finite()).then(|| (a.min(b), a.max(b)))
}

/// Whether `xs` is ascending with no NaN (any NaN fails a `<=` comparison).
fn is_sorted_without_nan(xs: &[f64]) -> bool {
    match xs {
        [] => true,
        [x] => !x.is_nan(),
        _ => xs.windows(2).all(|w| w[0] <= w[1]),
    }
}

/// Copies the points with a non-NaN x into x order (stable).
fn sorted_copy(xs: &[f64], ys: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let mut points: Vec<(f64, f64)> = xs
        .iter()
        .copied()
        .zip(ys.iter().copied())
        .filter(|p| !p.0.is_nan())
        .collect();
    points.sort_by(|a, b| a.0.total_cmp(&b.0));
    points.into_iter().unzip()
}

/// Index range of the points of sorted `xs` inside `[lo, hi]`.
pub(crate) fn visible_slice(xs: &[f64], lo: f64, hi: f64) -> (usize, usize) {
    let start = xs.partition_point(|&x| x < lo);
    let end = start + xs[start..].partition_point(|&x| x <= hi);
    (start, end)
}

/// [`flush_column`] for the usual column, every y finite: its first, lowest,
/// highest and last point in x order, without the general case's bookkeeping (a
/// chart of a million points has tens of thousands of columns). Appends nothing and
/// returns false if some y is not finite.
fn flush_finite_column(xs: &[f64], ys: &[f64], a: usize, b: usize, out: &mut Downsampled) -> bool {
    let (mut min_i, mut max_i) = (a, a);
    let (mut min_y, mut max_y) = (ys[a], ys[a]);
    if !min_y.is_finite() {
        return false;
    }
    for (i, &y) in (a + 1..).zip(&ys[a + 1..b]) {
        if !y.is_finite() {
            return false;
        }
        if y < min_y {
            min_y = y;
            min_i = i;
        }
        if y > max_y {
            max_y = y;
            max_i = i;
        }
    }
    let (inner_a, inner_b) = if min_i <= max_i {
        (min_i, max_i)
    } else {
        (max_i, min_i)
    };
    let mut previous = usize::MAX;
    for i in [a, inner_a, inner_b, b - 1] {
        if i != previous {
            out.points.push((xs[i], ys[i]));
            previous = i;
        }
    }
    true
}

/// Appends what the pixel column holding points `a..b` keeps: its first, lowest,
/// highest and last finite point and its first and last NaN (as gap markers), in x
/// order; and one infinity of each sign.
fn flush_column(xs: &[f64], ys: &[f64], a: usize, b: usize, out: &mut Downsampled) {
    if !flush_finite_column(xs, ys, a, b, out) {
        flush_any_column(xs, ys, a, b, out);
    }
}

/// [`flush_column`] for any column: NaN and infinities included.
fn flush_any_column(xs: &[f64], ys: &[f64], a: usize, b: usize, out: &mut Downsampled) {
    const NONE: usize = usize::MAX;
    // first, min, max, last finite; first, last NaN
    let mut keep = [NONE; 6];
    let (mut min_y, mut max_y) = (f64::INFINITY, f64::NEG_INFINITY);
    let (mut pos_inf, mut neg_inf) = (NONE, NONE);
    for (k, &y) in ys[a..b].iter().enumerate() {
        let i = a + k;
        if y.is_finite() {
            if keep[0] == NONE {
                keep[0] = i;
            }
            if y < min_y {
                min_y = y;
                keep[1] = i;
            }
            if y > max_y {
                max_y = y;
                keep[2] = i;
            }
            keep[3] = i;
        } else if y.is_nan() {
            if keep[4] == NONE {
                keep[4] = i;
            }
            keep[5] = i;
        } else if y > 0.0 {
            pos_inf = pos_inf.min(i);
        } else {
            neg_inf = neg_inf.min(i);
        }
    }
    keep.sort_unstable();
    let mut previous = NONE;
    for &i in keep.iter().take_while(|&&i| i != NONE) {
        if i == previous {
            continue;
        }
        previous = i;
        let after_gap = out.points.last().is_some_and(|q| q.1.is_nan());
        if !(ys[i].is_nan() && after_gap) {
            out.points.push((xs[i], ys[i]));
        }
    }
    let mut infinities = [(pos_inf, f64::INFINITY), (neg_inf, f64::NEG_INFINITY)];
    infinities.sort_unstable_by_key(|p| p.0);
    for (i, inf) in infinities {
        if i != NONE {
            out.infinities.push((xs[i], inf));
        }
    }
}

/// The nearest point (walking `indices`) that can carry the line off the plot.
fn neighbour(xs: &[f64], ys: &[f64], indices: impl Iterator<Item = usize>) -> Option<(f64, f64)> {
    for i in indices {
        let (x, y) = (xs[i], ys[i]);
        if y.is_nan() || !x.is_finite() {
            return None;
        }
        if y.is_finite() {
            return Some((x, y));
        }
    }
    None
}

fn downsample_sorted(xs: &[f64], ys: &[f64], lo: f64, hi: f64, columns: usize) -> Downsampled {
    let (start, end) = visible_slice(xs, lo, hi);
    let mut out = Downsampled {
        points: Vec::with_capacity((end - start).min(4 * columns + 2)),
        infinities: Vec::new(),
    };
    out.points.extend(neighbour(xs, ys, (0..start).rev()));
    // Column c holds x in [lo + c·width, lo + (c+1)·width); the last also holds hi.
    // Each column's end is found by a forward scan (a column holds few points, and
    // the scan is one comparison per point), and the next non-empty column by the
    // estimate from its first x, so empty columns cost nothing.
    let width = (hi - lo) / columns as f64;
    let (mut a, mut c) = (start, 0usize);
    while a < end {
        if width > 0.0 {
            // `as` saturates; the estimate only ever skips empty columns.
            c = c.max(((xs[a] - lo) / width) as usize);
        }
        let b = if c + 1 >= columns {
            end
        } else {
            let boundary = lo + (c + 1) as f64 * width;
            let mut b = a;
            for &x in &xs[a..end] {
                if x >= boundary {
                    break;
                }
                b += 1;
            }
            b
        };
        if b > a {
            flush_column(xs, ys, a, b, &mut out);
        }
        a = b;
        c += 1;
    }
    if let Some(p) = neighbour(xs, ys, end..xs.len()) {
        out.points.push(p);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The finite fast path keeps exactly what the general path keeps, for random
    /// finite columns (ties, repeats, -0.0, extremes) at random offsets.
    #[test]
    fn finite_columns_keep_what_the_general_path_keeps() {
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let pool = [
            0.0,
            -0.0,
            1.0,
            -1.0,
            2.5,
            f64::MAX,
            f64::MIN,
            f64::MIN_POSITIVE,
        ];
        for _ in 0..5_000 {
            let n = 1 + (next() % 12) as usize;
            let ys: Vec<f64> = (0..n)
                .map(|_| match next() % 3 {
                    0 => pool[(next() % pool.len() as u64) as usize],
                    _ => {
                        f64::from_bits(next() % 0x7fe0_0000_0000_0000)
                            * if next() % 2 == 0 { 1.0 } else { -1.0 }
                    }
                })
                .collect();
            let xs: Vec<f64> = (0..n).map(|i| i as f64).collect();
            let a = (next() % n as u64) as usize;
            let b = a + 1 + (next() % (n - a) as u64) as usize;
            let (mut fast, mut general) = (Downsampled::default(), Downsampled::default());
            assert!(flush_finite_column(&xs, &ys, a, b, &mut fast));
            flush_any_column(&xs, &ys, a, b, &mut general);
            let bits = |d: &Downsampled| {
                d.points
                    .iter()
                    .map(|p| (p.0.to_bits(), p.1.to_bits()))
                    .collect::<Vec<_>>()
            };
            assert_eq!(bits(&fast), bits(&general), "{ys:?} {a}..{b}");
        }
        let mut out = Downsampled::default();
        assert!(!flush_finite_column(
            &[0.0, 1.0],
            &[1.0, f64::NAN],
            0,
            2,
            &mut out
        ));
        assert!(!flush_finite_column(
            &[0.0, 1.0],
            &[f64::INFINITY, 1.0],
            0,
            2,
            &mut out
        ));
    }

    fn ramp(n: usize) -> Vec<f64> {
        (0..n).map(|i| i as f64).collect()
    }

    #[test]
    fn short_series_is_kept_whole() {
        let xs = ramp(5);
        let ys = vec![3.0, 1.0, 4.0, 1.0, 5.0];
        let d = downsample_min_max(&xs, &ys, (0.0, 4.0), 100);
        let want: Vec<_> = xs.iter().copied().zip(ys.iter().copied()).collect();
        assert_eq!(d.points, want);
        assert!(d.infinities.is_empty());
    }

    #[test]
    fn column_keeps_first_min_max_last_in_x_order() {
        let xs = ramp(6);
        let ys = vec![2.0, 9.0, 5.0, -1.0, 3.0, 4.0];
        let d = downsample_min_max(&xs, &ys, (0.0, 5.0), 1);
        assert_eq!(
            d.points,
            vec![(0.0, 2.0), (1.0, 9.0), (3.0, -1.0), (5.0, 4.0)]
        );
    }

    #[test]
    fn neighbours_outside_the_range_are_kept() {
        let xs = ramp(10);
        let ys: Vec<f64> = xs.iter().map(|x| x * 10.0).collect();
        let d = downsample_min_max(&xs, &ys, (3.5, 6.5), 100);
        assert_eq!(
            d.points,
            vec![
                (3.0, 30.0),
                (4.0, 40.0),
                (5.0, 50.0),
                (6.0, 60.0),
                (7.0, 70.0)
            ]
        );
    }

    #[test]
    fn neighbour_skips_infinity_but_not_nan() {
        let xs = ramp(6);
        let ys = vec![1.0, f64::INFINITY, 2.0, 3.0, f64::NAN, 5.0];
        let d = downsample_min_max(&xs, &ys, (2.0, 3.0), 10);
        assert_eq!(d.points, vec![(0.0, 1.0), (2.0, 2.0), (3.0, 3.0)]);
    }

    #[test]
    fn nan_breaks_the_line_with_one_marker() {
        let xs = ramp(6);
        let ys = vec![1.0, 2.0, f64::NAN, f64::NAN, 3.0, 4.0];
        let d = downsample_min_max(&xs, &ys, (0.0, 5.0), 100);
        let ys_out: Vec<f64> = d.points.iter().map(|p| p.1).collect();
        assert_eq!(d.points.len(), 5);
        assert!(ys_out[2].is_nan());
        assert_eq!(d.points[2].0, 2.0);
        assert_eq!(&ys_out[3..], &[3.0, 4.0]);
    }

    #[test]
    fn nan_inside_a_dense_column_is_kept_as_a_gap() {
        let xs = ramp(1000);
        let mut ys = vec![1.0; 1000];
        ys[500] = f64::NAN;
        let d = downsample_min_max(&xs, &ys, (0.0, 999.0), 1);
        assert!(d.points.iter().any(|p| p.1.is_nan()));
        assert!(d.points.len() <= 6);
    }

    #[test]
    fn infinities_are_skipped_and_reported() {
        let xs = ramp(5);
        let ys = vec![1.0, f64::INFINITY, 2.0, f64::NEG_INFINITY, 3.0];
        let d = downsample_min_max(&xs, &ys, (0.0, 4.0), 100);
        assert_eq!(d.points, vec![(0.0, 1.0), (2.0, 2.0), (4.0, 3.0)]);
        assert_eq!(
            d.infinities,
            vec![(1.0, f64::INFINITY), (3.0, f64::NEG_INFINITY)]
        );
    }

    #[test]
    fn unsorted_input_is_sorted_first() {
        let xs = vec![3.0, 0.0, f64::NAN, 2.0, 1.0];
        let ys = vec![30.0, 0.0, 99.0, 20.0, 10.0];
        let d = downsample_min_max(&xs, &ys, (0.0, 3.0), 100);
        assert_eq!(
            d.points,
            vec![(0.0, 0.0), (1.0, 10.0), (2.0, 20.0), (3.0, 30.0)]
        );
    }

    #[test]
    fn degenerate_inputs() {
        assert!(downsample_min_max(&[], &[], (0.0, 1.0), 10)
            .points
            .is_empty());
        let d = downsample_min_max(&[1.0, 2.0], &[5.0, 6.0], (f64::NAN, 1.0), 10);
        assert!(d.points.is_empty());
        // zero-width range and zero columns still work
        let d = downsample_min_max(&[1.0, 1.0, 1.0], &[3.0, 1.0, 2.0], (1.0, 1.0), 0);
        assert_eq!(d.points, vec![(1.0, 3.0), (1.0, 1.0), (1.0, 2.0)]);
        // reversed range, mismatched lengths
        let d = downsample_min_max(&[0.0, 1.0, 2.0], &[5.0, 6.0], (1.0, 0.0), 10);
        assert_eq!(d.points, vec![(0.0, 5.0), (1.0, 6.0)]);
    }

    #[test]
    fn visible_y_range_ignores_outside_and_non_finite() {
        let lin = ScaleKind::Linear;
        let xs = ramp(6);
        let ys = vec![-100.0, 2.0, f64::NAN, f64::INFINITY, 7.0, 100.0];
        assert_eq!(
            visible_y_range(&xs, &ys, (1.0, 4.0), lin).range,
            Some((2.0, 7.0))
        );
        assert_eq!(visible_y_range(&xs, &ys, (2.0, 3.0), lin).range, None);
        let (ux, uy) = (vec![4.0, 1.0, 5.0], vec![7.0, 2.0, 100.0]);
        assert_eq!(
            visible_y_range(&ux, &uy, (4.0, 1.0), lin).range,
            Some((2.0, 7.0))
        );
        assert!(!visible_y_range(&xs, &ys, (0.0, 5.0), lin).hides_non_positive);
    }

    #[test]
    fn on_a_log_scale_values_at_or_below_zero_are_left_out_and_reported() {
        let xs = ramp(5);
        let ys = vec![-1.0, 0.0, 0.01, 10.0, -5.0];
        let v = visible_y_range(&xs, &ys, (0.0, 3.0), ScaleKind::Log);
        assert_eq!(v.range, Some((0.01, 10.0)));
        assert!(v.hides_non_positive);
        let v = visible_y_range(&xs, &ys, (2.0, 3.0), ScaleKind::Log);
        assert!(!v.hides_non_positive, "only what is visible counts");
        let v = visible_y_range(&xs, &ys, (0.0, 1.0), ScaleKind::Log);
        assert_eq!(
            v,
            VisibleY {
                range: None,
                hides_non_positive: true
            }
        );
    }

    #[test]
    fn sorted_entry_points_agree_with_the_checking_ones() {
        let xs = ramp(2000);
        let ys: Vec<f64> = xs.iter().map(|x| (x * 0.37).sin() * x).collect();
        let sorted = SortedXs::new(xs.clone()).unwrap();
        for range in [
            (0.0, 1999.0),
            (100.5, 300.25),
            (1500.0, 5000.0),
            (-10.0, -1.0),
        ] {
            assert_eq!(
                downsample_min_max_sorted(&sorted, &ys, range, 137),
                downsample_min_max(&xs, &ys, range, 137)
            );
            for kind in [ScaleKind::Linear, ScaleKind::Log] {
                assert_eq!(
                    visible_y_range_sorted(&sorted, &ys, range, kind),
                    visible_y_range(&xs, &ys, range, kind)
                );
            }
        }
    }

    #[test]
    fn sorted_xs_refuses_disorder_and_nan() {
        assert!(SortedXs::new(vec![1.0, 1.0, 2.0]).is_ok());
        assert!(SortedXs::new(vec![]).is_ok());
        assert_eq!(SortedXs::new(vec![2.0, 1.0]), Err(vec![2.0, 1.0]));
        assert!(SortedXs::new(vec![1.0, f64::NAN]).is_err());
        assert!(SortedXs::new(vec![f64::NAN]).is_err());
    }
}
