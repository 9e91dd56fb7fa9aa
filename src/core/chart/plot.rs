//! The plot of a metric chart, computed from its inputs: where the plot area sits in
//! the canvas, its x and y scales and their ticks. The painter and the mouse handling
//! only read a [`Geometry`].

use std::sync::Arc;

use super::downsample::visible_y_range_sorted;
use super::scale::{LinearScale, LogScale, Scale, ScaleKind};
use super::series::{PreparedSeries, XMode};
use super::ticks::{format_tick, log_ticks, nice_domain, nice_step, nice_ticks};
use super::time::time_ticks;
use super::yrange::{clipped_range, push_visible_values, CLIP_FRACTION};
use super::zoom::merge_extents;
use crate::core::text::format::{
    format_clock, format_duration_ms, format_timestamp, format_value, UtcOffset,
};

/// The plot area inside the canvas, in CSS pixels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Plot {
    /// Left edge.
    pub left: f64,
    /// Top edge.
    pub top: f64,
    /// Width.
    pub width: f64,
    /// Height.
    pub height: f64,
}

impl Plot {
    /// Whether the point lies over the plot area (edges included).
    pub fn contains(&self, x: f64, y: f64) -> bool {
        x >= self.left
            && x <= self.left + self.width
            && y >= self.top
            && y <= self.top + self.height
    }
}

/// Space for the y labels at the left and the x labels below.
const MARGIN_LEFT: f64 = 58.0;
const MARGIN_RIGHT: f64 = 14.0;
const MARGIN_TOP: f64 = 10.0;
const MARGIN_BOTTOM: f64 = 26.0;
/// The plot never shrinks below this (CSS px), however small the canvas.
const MIN_PLOT: f64 = 10.0;

/// The y scale: linear, or log for values spanning decades.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum YScale {
    /// Even steps.
    Linear(LinearScale),
    /// Decades.
    Log(LogScale),
}

impl YScale {
    /// The data range the axis spans, `(low, high)`.
    pub fn domain(&self) -> (f64, f64) {
        match self {
            YScale::Linear(s) => s.domain(),
            YScale::Log(s) => s.domain(),
        }
    }

    /// Pixel of `v`; `None` where the point cannot be drawn (non-finite, or not
    /// positive on a log scale — the line breaks there).
    pub fn px(&self, v: f64) -> Option<f64> {
        if !v.is_finite() {
            return None;
        }
        match self {
            YScale::Linear(s) => Some(s.to_px(v)),
            YScale::Log(s) => (v > 0.0).then(|| s.to_px(v)),
        }
    }
}

/// A tick: position (CSS px along its axis) and label.
#[derive(Clone, Debug, PartialEq)]
pub struct Tick {
    /// Position along the axis.
    pub px: f64,
    /// What the axis writes there.
    pub label: String,
}

/// What the user chose to see, and the canvas size.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ChartView {
    /// What x measures.
    pub mode: XMode,
    /// The x range shown (the zoom, or every series' extent).
    pub x_range: (f64, f64),
    /// Linear or log y.
    pub y_scale: ScaleKind,
    /// Fit the y axis to the visible values without the top and bottom
    /// [`CLIP_FRACTION`] of them (lines beyond run off the plot's edge).
    pub clip_outliers: bool,
    /// A y domain the user locked (as last drawn): used as it is, whatever is
    /// visible, unless it cannot be (not finite, empty, or not positive on a log
    /// scale), when the axis fits the data as usual.
    pub y_fixed: Option<(f64, f64)>,
    /// Canvas width in CSS px.
    pub width: f64,
    /// Canvas height in CSS px.
    pub height: f64,
}

/// Everything needed to draw the axes and map the mouse.
#[derive(Clone, Debug, PartialEq)]
pub struct Geometry {
    /// Canvas width in CSS px.
    pub width: f64,
    /// Canvas height in CSS px.
    pub height: f64,
    /// The plot area.
    pub plot: Plot,
    /// x data → px.
    pub x: LinearScale,
    /// y data → px.
    pub y: YScale,
    /// Ticks along the bottom.
    pub x_ticks: Vec<Tick>,
    /// Ticks up the left side.
    pub y_ticks: Vec<Tick>,
    /// Whether there is anything to draw.
    pub has_data: bool,
    /// On a log scale, whether some visible values are ≤ 0 (not drawn).
    pub hides_non_positive: bool,
}

/// Widens a zero-width range so that a single point sits in the middle.
fn widen((lo, hi): (f64, f64), by: f64) -> (f64, f64) {
    if hi > lo {
        (lo, hi)
    } else {
        (lo - by, hi + by)
    }
}

/// Scales and ticks for `view` of `series` (raw values, and smoothed ones where
/// smoothing is on): the y axis fits what is visible in the x range (less the
/// outliers when `view.clip_outliers`), or is the domain the user locked. Wall-clock
/// ticks are on the local clock of `zone`.
pub fn geometry(
    series: &[PreparedSeries],
    smoothed: &[Option<Arc<Vec<f64>>>],
    view: &ChartView,
    zone: UtcOffset,
) -> Geometry {
    geometry_with_bands(series, smoothed, &[], view, zone)
}

/// [`geometry`] for series drawn with a band (a group's mean, `core::chart::band`):
/// `bands[i]` is series `i`'s lower and upper edge, on its xs, and counts toward the
/// y range like its values (outlier clipping and a locked range included).
pub fn geometry_with_bands(
    series: &[PreparedSeries],
    smoothed: &[Option<Arc<Vec<f64>>>],
    bands: &[[&[f64]; 2]],
    view: &ChartView,
    zone: UtcOffset,
) -> Geometry {
    let (width, height) = (view.width, view.height);
    let plot = Plot {
        left: MARGIN_LEFT,
        top: MARGIN_TOP,
        width: (width - MARGIN_LEFT - MARGIN_RIGHT).max(MIN_PLOT),
        height: (height - MARGIN_TOP - MARGIN_BOTTOM).max(MIN_PLOT),
    };
    let x_pad = match view.mode {
        XMode::Step => 0.5,
        XMode::WallTime | XMode::RelativeTime => 500.0,
        // A metric's values may be 1e-6 or 1e9: a tenth of the value (one either
        // side of zero) keeps a lone point in the middle at any magnitude.
        XMode::Metric => match view.x_range.0.abs() {
            m if m > 0.0 && m.is_finite() => m * 0.1,
            _ => 1.0,
        },
    };
    let x_domain = widen(view.x_range, x_pad);
    let x = LinearScale::new(x_domain, (plot.left, plot.left + plot.width));

    let log = view.y_scale == ScaleKind::Log;
    let columns = || {
        series.iter().enumerate().flat_map(move |(i, s)| {
            std::iter::once(s.ys.as_slice())
                .chain(
                    smoothed
                        .get(i)
                        .and_then(|o| o.as_deref())
                        .map(Vec::as_slice),
                )
                .chain(bands.get(i).into_iter().flatten().copied())
                .map(move |ys| (s, ys))
        })
    };
    let mut y_range: Option<(f64, f64)> = None;
    let mut hides_non_positive = false;
    for (s, ys) in columns() {
        let visible = visible_y_range_sorted(&s.xs, ys, x_domain, view.y_scale);
        hides_non_positive |= visible.hides_non_positive;
        y_range = merge_extents(y_range, visible.range);
    }
    let has_data = y_range.is_some();
    let fixed = view
        .y_fixed
        .filter(|&(lo, hi)| lo.is_finite() && hi.is_finite() && lo < hi && !(log && lo <= 0.0));
    if has_data && view.clip_outliers && fixed.is_none() {
        let mut values = Vec::new();
        for (s, ys) in columns() {
            push_visible_values(&s.xs, ys, x_domain, view.y_scale, &mut values);
        }
        y_range = clipped_range(values, CLIP_FRACTION).or(y_range);
    }
    let (y_lo, y_hi) = y_range.unwrap_or(if log { (1.0, 10.0) } else { (0.0, 1.0) });
    let y_target = ((plot.height / 45.0).round() as usize).clamp(2, 8);
    let y_px = (plot.top + plot.height, plot.top);
    let (y, y_values, y_step) = match (fixed, log) {
        (Some((lo, hi)), true) => (
            YScale::Log(LogScale::new((lo, hi), y_px)),
            log_ticks(lo, hi, y_target),
            f64::NAN,
        ),
        (Some((lo, hi)), false) => (
            YScale::Linear(LinearScale::new((lo, hi), y_px)),
            nice_ticks(lo, hi, y_target),
            nice_step(hi - lo, y_target),
        ),
        (None, true) => {
            // A little headroom, in log space, so the extremes do not touch the frame.
            let (lo, hi) = if y_hi > y_lo {
                let pad = (y_hi / y_lo).log10() * 0.05;
                (y_lo / 10f64.powf(pad), y_hi * 10f64.powf(pad))
            } else {
                (y_lo / 2.0, y_hi * 2.0)
            };
            let scale = LogScale::new((lo, hi), y_px);
            (YScale::Log(scale), log_ticks(lo, hi, y_target), f64::NAN)
        }
        (None, false) => {
            let (lo, hi) = nice_domain(y_lo, y_hi, y_target);
            let scale = LinearScale::new((lo, hi), y_px);
            (
                YScale::Linear(scale),
                nice_ticks(lo, hi, y_target),
                nice_step(hi - lo, y_target),
            )
        }
    };
    let y_ticks = y_values
        .iter()
        .filter_map(|&v| {
            Some(Tick {
                px: y.px(v)?,
                label: format_tick(v, if log { v } else { y_step }),
            })
        })
        .collect();
    let x_target = ((plot.width / 90.0).round() as usize).clamp(2, 10);
    Geometry {
        width,
        height,
        plot,
        x,
        y,
        x_ticks: x_ticks(view.mode, x_domain, x_target, &x, zone),
        y_ticks,
        has_data,
        hides_non_positive,
    }
}

fn x_ticks(
    mode: XMode,
    (lo, hi): (f64, f64),
    target: usize,
    scale: &LinearScale,
    zone: UtcOffset,
) -> Vec<Tick> {
    let tick = |v: f64, label: String| Tick {
        px: scale.to_px(v),
        label,
    };
    match mode {
        XMode::Step => {
            let step = nice_step(hi - lo, target).max(1.0);
            let mut values = nice_ticks(lo, hi, target);
            // Steps are whole numbers: no tick at 2.5.
            values.retain(|v| v.fract() == 0.0);
            values
                .into_iter()
                .map(|v| tick(v, format_tick(v, step)))
                .collect()
        }
        XMode::Metric => {
            let step = nice_step(hi - lo, target);
            nice_ticks(lo, hi, target)
                .into_iter()
                .map(|v| tick(v, format_tick(v, step)))
                .collect()
        }
        XMode::RelativeTime => {
            let t = time_ticks(lo, hi, target);
            t.ticks
                .into_iter()
                .map(|v| tick(v, format_duration_ms(v)))
                .collect()
        }
        XMode::WallTime => {
            // Ticks on the local clock: shift into local time, tick, shift back.
            let offset = zone(lo);
            let t = time_ticks(lo + offset, hi + offset, target);
            t.ticks
                .into_iter()
                .map(|v| {
                    let at = v - offset;
                    tick(at, format_clock(at, t.step_ms, hi - lo, zone))
                })
                .collect()
        }
    }
}

/// The x value as the axis writes it, for the tooltip and the zoom caption.
pub fn format_x(v: f64, mode: XMode, zone: UtcOffset) -> String {
    match mode {
        XMode::Step => format!("{}", v.round() as i64),
        XMode::RelativeTime => format_duration_ms(v),
        XMode::WallTime => format_timestamp(v.round() as i64, zone),
        XMode::Metric => format_value(v),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::chart::series::prepare;
    use crate::core::tracking::model::MetricPoint;

    const UTC: UtcOffset = |_| 0.0;
    const INDIA: UtcOffset = |_| 5.5 * 3_600_000.0;

    fn series(points: &[(i64, f64)]) -> PreparedSeries {
        let points: Vec<MetricPoint> = points
            .iter()
            .map(|&(step, value)| MetricPoint {
                timestamp: 1_700_000_000_000 + step * 60_000,
                value,
                step,
            })
            .collect();
        prepare("run", &Arc::new(points), XMode::Step)
    }

    fn view(x_range: (f64, f64), y_scale: ScaleKind) -> ChartView {
        ChartView {
            mode: XMode::Step,
            x_range,
            y_scale,
            clip_outliers: false,
            y_fixed: None,
            width: 600.0,
            height: 300.0,
        }
    }

    #[test]
    fn the_plot_sits_inside_the_margins_and_never_collapses() {
        let g = geometry(&[], &[], &view((0.0, 1.0), ScaleKind::Linear), UTC);
        assert_eq!(
            g.plot,
            Plot {
                left: 58.0,
                top: 10.0,
                width: 528.0,
                height: 264.0
            }
        );
        assert!(g.plot.contains(58.0, 10.0) && !g.plot.contains(57.9, 100.0));
        let tiny = ChartView {
            width: 20.0,
            height: 5.0,
            ..view((0.0, 1.0), ScaleKind::Linear)
        };
        let g = geometry(&[], &[], &tiny, UTC);
        assert_eq!((g.plot.width, g.plot.height), (10.0, 10.0));
        assert!(!g.has_data);
    }

    #[test]
    fn the_y_axis_fits_what_is_visible() {
        let s = series(&[(0, 100.0), (1, 2.0), (2, 3.0), (3, 4.0), (4, -50.0)]);
        let all = geometry(
            std::slice::from_ref(&s),
            &[],
            &view((0.0, 4.0), ScaleKind::Linear),
            UTC,
        );
        let YScale::Linear(y) = all.y else { panic!() };
        let (lo, hi) = y.domain();
        assert!(lo <= -50.0 && hi >= 100.0, "{lo}..{hi}");
        let zoomed = geometry(&[s], &[], &view((1.0, 3.0), ScaleKind::Linear), UTC);
        let YScale::Linear(y) = zoomed.y else {
            panic!()
        };
        let (lo, hi) = y.domain();
        assert!(
            lo > -50.0 && lo <= 2.0 && (4.0..100.0).contains(&hi),
            "{lo}..{hi}"
        );
        // Higher values sit higher; every tick is on the plot.
        assert!(zoomed.y.px(4.0).unwrap() < zoomed.y.px(2.0).unwrap());
        for t in zoomed.y_ticks.iter().chain(&zoomed.x_ticks) {
            assert!(t.px >= 0.0 && t.px <= 600.0, "{t:?}");
        }
    }

    #[test]
    fn smoothed_values_count_toward_the_y_range() {
        let s = series(&[(0, 1.0), (1, 2.0)]);
        let smooth = vec![Some(Arc::new(vec![1.0, 40.0]))];
        let g = geometry(&[s], &smooth, &view((0.0, 1.0), ScaleKind::Linear), UTC);
        let YScale::Linear(y) = g.y else { panic!() };
        assert!(y.domain().1 >= 40.0);
    }

    #[test]
    fn a_log_axis_leaves_out_values_at_or_below_zero_and_says_so() {
        let s = series(&[(0, -1.0), (1, 0.001), (2, 10.0)]);
        let g = geometry(
            std::slice::from_ref(&s),
            &[],
            &view((0.0, 2.0), ScaleKind::Log),
            UTC,
        );
        assert!(g.has_data && g.hides_non_positive);
        assert_eq!(g.y.px(-1.0), None);
        assert_eq!(g.y.px(0.0), None);
        assert!(g.y.px(0.001).is_some());
        let labels: Vec<&str> = g.y_ticks.iter().map(|t| t.label.as_str()).collect();
        assert!(
            labels.contains(&"0.01") && labels.contains(&"1"),
            "{labels:?}"
        );
        let g = geometry(&[s], &[], &view((1.0, 2.0), ScaleKind::Log), UTC);
        assert!(!g.hides_non_positive, "the negative value is out of view");
    }

    fn spiky(n: i64) -> PreparedSeries {
        let points: Vec<(i64, f64)> = (0..n)
            .map(|i| {
                (
                    i,
                    if i % 200 == 7 {
                        1e9
                    } else {
                        1.0 + (i % 10) as f64
                    },
                )
            })
            .collect();
        series(&points)
    }

    #[test]
    fn clipping_outliers_fits_the_ordinary_values() {
        let s = spiky(1000);
        let mut v = view((0.0, 999.0), ScaleKind::Linear);
        let all = geometry(std::slice::from_ref(&s), &[], &v, UTC);
        assert!(all.y.domain().1 >= 1e9);
        v.clip_outliers = true;
        let clipped = geometry(std::slice::from_ref(&s), &[], &v, UTC);
        let (lo, hi) = clipped.y.domain();
        assert!(lo <= 1.0 && (10.0..20.0).contains(&hi), "{lo}..{hi}");
        assert!(clipped.has_data);
        // The spike is off the top of the plot: the painter clips it.
        assert!(clipped.y.px(1e9).unwrap() < clipped.plot.top);
        v.y_scale = ScaleKind::Log;
        let log = geometry(std::slice::from_ref(&s), &[], &v, UTC);
        let (lo, hi) = log.y.domain();
        assert!(
            lo > 0.0 && lo <= 1.0 && (10.0..20.0).contains(&hi),
            "{lo}..{hi}"
        );
        // Fewer than a hundred visible values: nothing is clipped.
        v.x_range = (0.0, 50.0);
        v.y_scale = ScaleKind::Linear;
        let few = geometry(std::slice::from_ref(&s), &[], &v, UTC);
        assert!(few.y.domain().1 >= 1e9);
    }

    #[test]
    fn a_locked_y_range_is_used_as_it_is() {
        let s = spiky(1000);
        let mut v = view((0.0, 999.0), ScaleKind::Linear);
        v.y_fixed = Some((-3.0, 7.5));
        let g = geometry(std::slice::from_ref(&s), &[], &v, UTC);
        assert_eq!(g.y.domain(), (-3.0, 7.5));
        assert!(g.has_data && !g.y_ticks.is_empty());
        for t in &g.y_ticks {
            assert!(t.px >= g.plot.top - 1e-9 && t.px <= g.plot.top + g.plot.height + 1e-9);
        }
        // Zooming, clipping and smoothing leave it be.
        v.x_range = (10.0, 20.0);
        v.clip_outliers = true;
        let smooth = vec![Some(Arc::new(vec![1e12; 1000]))];
        let g = geometry(std::slice::from_ref(&s), &smooth, &v, UTC);
        assert_eq!(g.y.domain(), (-3.0, 7.5));
        // On a log scale a range reaching 0 cannot be drawn: the axis fits the data.
        v.y_scale = ScaleKind::Log;
        v.clip_outliers = false;
        let g = geometry(std::slice::from_ref(&s), &[], &v, UTC);
        assert!(matches!(g.y, YScale::Log(_)));
        let (lo, hi) = g.y.domain();
        assert!(lo > 0.0 && hi > 7.5, "{lo}..{hi}");
        v.y_fixed = Some((0.5, 50.0));
        let g = geometry(std::slice::from_ref(&s), &[], &v, UTC);
        let (lo, hi) = g.y.domain();
        assert!(
            (lo - 0.5).abs() < 1e-12 && (hi - 50.0).abs() < 1e-9,
            "{lo}..{hi}"
        );
        // Nonsense ranges are ignored too.
        v.x_range = (0.0, 999.0);
        for bad in [
            (5.0, 5.0),
            (7.0, 1.0),
            (f64::NAN, 1.0),
            (0.0, f64::INFINITY),
        ] {
            v.y_fixed = Some(bad);
            let g = geometry(std::slice::from_ref(&s), &[], &v, UTC);
            assert!(g.y.domain().1 >= 1e9, "{bad:?}");
        }
    }

    #[test]
    fn a_band_counts_toward_the_y_range() {
        let s = series(&[(0, 1.0), (1, 2.0)]);
        let (low, high) = ([-5.0, 0.0], [1.0, 30.0]);
        let bands = [[&low[..], &high[..]]];
        let v = view((0.0, 1.0), ScaleKind::Linear);
        let g = geometry_with_bands(std::slice::from_ref(&s), &[], &bands, &v, UTC);
        let (lo, hi) = g.y.domain();
        assert!(lo <= -5.0 && hi >= 30.0, "{lo}..{hi}");
        let locked = ChartView {
            y_fixed: Some((0.0, 3.0)),
            ..v
        };
        let g = geometry_with_bands(&[s], &[], &bands, &locked, UTC);
        assert_eq!(g.y.domain(), (0.0, 3.0));
    }

    #[test]
    fn a_single_step_gets_room_on_both_sides() {
        let s = series(&[(7, 1.0)]);
        let g = geometry(&[s], &[], &view((7.0, 7.0), ScaleKind::Linear), UTC);
        assert_eq!(g.x.domain(), (6.5, 7.5));
        assert!((g.x.to_px(7.0) - (58.0 + 264.0)).abs() < 1e-9);
        // Steps are whole numbers: no tick at 6.5 or 7.5.
        assert!(g.x_ticks.iter().all(|t| t.label == "7"), "{:?}", g.x_ticks);
    }

    #[test]
    fn a_single_metric_value_gets_room_in_its_own_units() {
        let s = series(&[(0, 1.0)]);
        for (x, want) in [
            (0.002, (0.0018, 0.0022)),
            (0.0, (-1.0, 1.0)),
            (-50.0, (-55.0, -45.0)),
        ] {
            let v = ChartView {
                mode: XMode::Metric,
                ..view((x, x), ScaleKind::Linear)
            };
            let (lo, hi) = geometry(std::slice::from_ref(&s), &[], &v, UTC).x.domain();
            assert!(
                (lo - want.0).abs() < 1e-12 && (hi - want.1).abs() < 1e-12,
                "{x}: {lo}..{hi}"
            );
        }
    }

    #[test]
    fn wall_clock_ticks_are_on_the_local_clock() {
        let t0 = 1_700_000_000_000.0;
        let wall = |zone| {
            let v = ChartView {
                mode: XMode::WallTime,
                ..view((t0, t0 + 3.0 * 3_600_000.0), ScaleKind::Linear)
            };
            geometry(&[], &[], &v, zone).x_ticks
        };
        let (utc, india) = (wall(UTC), wall(INDIA));
        assert!(!utc.is_empty());
        assert!(utc.iter().any(|t| t.label == "23:00"), "{utc:?}");
        // India is 5½ hours ahead: half-hour ticks sit on the hour there.
        assert!(india.iter().any(|t| t.label == "04:00"), "{india:?}");
        assert_eq!(format_x(t0, XMode::WallTime, INDIA), "2023-11-15 03:43:20");
        assert_eq!(format_x(90_000.0, XMode::RelativeTime, UTC), "1 min 30 s");
        assert_eq!(format_x(41.6, XMode::Step, UTC), "42");
        assert_eq!(format_x(0.25, XMode::Metric, UTC), format_value(0.25));
    }
}
