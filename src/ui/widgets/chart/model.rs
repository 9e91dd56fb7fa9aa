//! What a metric chart shows, computed from its inputs: series put in x order, the
//! plot's scales and ticks, and what the mouse points at. No DOM here; the maths is
//! `core::chart`, this only assembles it for [`super::MetricChart`].

use std::sync::Arc;

use crate::core::chart::{
    format_tick, log_ticks, nice_domain, nice_step, nice_ticks, time_ticks, LinearScale, LogScale,
    Scale,
};
use crate::core::text::format::{format_clock, format_duration_ms};
use crate::core::tracking::model::MetricPoint;
use crate::ui::widgets::local_utc_offset_ms;

/// What the x axis measures.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum XMode {
    /// The logged step.
    #[default]
    Step,
    /// The point's timestamp (local clock).
    WallTime,
    /// Time since the series' first point.
    RelativeTime,
}

impl XMode {
    /// Every mode, in menu order.
    pub const ALL: [XMode; 3] = [XMode::Step, XMode::WallTime, XMode::RelativeTime];

    /// The `<option>` value.
    pub fn as_str(self) -> &'static str {
        match self {
            XMode::Step => "step",
            XMode::WallTime => "wall",
            XMode::RelativeTime => "relative",
        }
    }

    /// The menu label.
    pub fn label(self) -> &'static str {
        match self {
            XMode::Step => "Step",
            XMode::WallTime => "Wall time",
            XMode::RelativeTime => "Relative time",
        }
    }

    /// Parses [`XMode::as_str`].
    pub fn parse(s: &str) -> Self {
        XMode::ALL
            .into_iter()
            .find(|m| m.as_str() == s)
            .unwrap_or_default()
    }
}

/// One series in x order, with its x and y as `f64` columns for the chart maths.
pub struct Prepared {
    /// Legend label.
    pub label: String,
    /// Points sorted by x (stable: equal x keep their logging order).
    pub points: Arc<Vec<MetricPoint>>,
    /// x of each point in the current [`XMode`].
    pub xs: Vec<f64>,
    /// Raw values.
    pub ys: Vec<f64>,
}

fn x_of(p: &MetricPoint, mode: XMode, t0: i64) -> f64 {
    match mode {
        XMode::Step => p.step as f64,
        XMode::WallTime => p.timestamp as f64,
        XMode::RelativeTime => (p.timestamp - t0) as f64,
    }
}

/// Puts a series in x order for `mode` (relative time counts from the series'
/// earliest timestamp). Histories are nearly always logged in step
/// and time order, so this is usually one check and two column copies; a history
/// logged out of order is copied and sorted once here rather than on every draw.
pub fn prepare(label: &str, points: &Arc<Vec<MetricPoint>>, mode: XMode) -> Prepared {
    let t0 = points.iter().map(|p| p.timestamp).min().unwrap_or(0);
    let key = |p: &MetricPoint| match mode {
        XMode::Step => p.step,
        _ => p.timestamp,
    };
    let sorted = points.windows(2).all(|w| key(&w[0]) <= key(&w[1]));
    let points = if sorted {
        points.clone()
    } else {
        let mut copy = points.as_ref().clone();
        copy.sort_by_key(key);
        Arc::new(copy)
    };
    Prepared {
        label: label.to_owned(),
        xs: points.iter().map(|p| x_of(p, mode, t0)).collect(),
        ys: points.iter().map(|p| p.value).collect(),
        points,
    }
}

/// The plot area inside the canvas, in CSS pixels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Plot {
    pub left: f64,
    pub top: f64,
    pub width: f64,
    pub height: f64,
}

impl Plot {
    /// Whether the point lies over the plot area.
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

/// The y scale: linear, or log for values spanning decades.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum YScale {
    Linear(LinearScale),
    Log(LogScale),
}

impl YScale {
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
    pub px: f64,
    pub label: String,
}

/// Everything needed to draw the axes and map the mouse.
#[derive(Clone, Debug, PartialEq)]
pub struct Geometry {
    pub width: f64,
    pub height: f64,
    pub plot: Plot,
    pub x: LinearScale,
    pub y: YScale,
    pub x_ticks: Vec<Tick>,
    pub y_ticks: Vec<Tick>,
    /// Whether there is anything to draw.
    pub has_data: bool,
    /// On a log scale, whether some visible values are ≤ 0 (not drawn).
    pub hides_non_positive: bool,
}

/// The x extent of all series (`None` when they are empty).
pub fn full_x_range(series: &[Prepared]) -> Option<(f64, f64)> {
    series
        .iter()
        .filter_map(|s| Some((*s.xs.first()?, *s.xs.last()?)))
        .reduce(|a, b| (a.0.min(b.0), a.1.max(b.1)))
}

/// Lowest and highest drawable y of the points with x in `[lo, hi]`, and whether a
/// non-positive finite value was skipped (log scale).
fn visible_y(
    xs: &[f64],
    ys: &[f64],
    (lo, hi): (f64, f64),
    log: bool,
) -> (Option<(f64, f64)>, bool) {
    let start = xs.partition_point(|&x| x < lo);
    let end = start + xs[start..].partition_point(|&x| x <= hi);
    let mut range: Option<(f64, f64)> = None;
    let mut skipped = false;
    for &y in &ys[start..end.min(ys.len())] {
        if !y.is_finite() {
            continue;
        }
        if log && y <= 0.0 {
            skipped = true;
            continue;
        }
        range = Some(match range {
            None => (y, y),
            Some((a, b)) => (a.min(y), b.max(y)),
        });
    }
    (range, skipped)
}

/// Widens a zero-width range so that a single point sits in the middle.
fn widen((lo, hi): (f64, f64), by: f64) -> (f64, f64) {
    if hi > lo {
        (lo, hi)
    } else {
        (lo - by, hi + by)
    }
}

/// Scales and ticks for a canvas `width`×`height` (CSS px) showing `x_range` of
/// `series` (raw values, and smoothed ones when smoothing is on).
pub fn geometry(
    series: &[Prepared],
    smoothed: &[Option<Arc<Vec<f64>>>],
    mode: XMode,
    x_range: (f64, f64),
    log: bool,
    width: f64,
    height: f64,
) -> Geometry {
    let plot = Plot {
        left: MARGIN_LEFT,
        top: MARGIN_TOP,
        width: (width - MARGIN_LEFT - MARGIN_RIGHT).max(10.0),
        height: (height - MARGIN_TOP - MARGIN_BOTTOM).max(10.0),
    };
    let x_pad = if mode == XMode::Step { 0.5 } else { 500.0 };
    let x_domain = widen(x_range, x_pad);
    let x = LinearScale::new(x_domain, (plot.left, plot.left + plot.width));

    let mut y_range: Option<(f64, f64)> = None;
    let mut hides_non_positive = false;
    for (i, s) in series.iter().enumerate() {
        let columns = std::iter::once(&s.ys).chain(smoothed.get(i).and_then(|o| o.as_deref()));
        for ys in columns {
            let (r, skipped) = visible_y(&s.xs, ys, x_domain, log);
            hides_non_positive |= skipped;
            y_range = crate::core::chart::merge_extents(y_range, r);
        }
    }
    let has_data = y_range.is_some();
    let (y_lo, y_hi) = y_range.unwrap_or(if log { (1.0, 10.0) } else { (0.0, 1.0) });
    let y_target = ((plot.height / 45.0).round() as usize).clamp(2, 8);
    let (y, y_values, y_step) = if log {
        // A little headroom, in log space, so the extremes do not touch the frame.
        let (lo, hi) = if y_hi > y_lo {
            let pad = (y_hi / y_lo).log10() * 0.05;
            (y_lo / 10f64.powf(pad), y_hi * 10f64.powf(pad))
        } else {
            (y_lo / 2.0, y_hi * 2.0)
        };
        let scale = LogScale::new((lo, hi), (plot.top + plot.height, plot.top));
        (YScale::Log(scale), log_ticks(lo, hi, y_target), f64::NAN)
    } else {
        let (lo, hi) = nice_domain(y_lo, y_hi, y_target);
        let scale = LinearScale::new((lo, hi), (plot.top + plot.height, plot.top));
        (
            YScale::Linear(scale),
            nice_ticks(lo, hi, y_target),
            nice_step(hi - lo, y_target),
        )
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
        x_ticks: x_ticks(mode, x_domain, x_target, &x),
        y_ticks,
        has_data,
        hides_non_positive,
    }
}

fn x_ticks(mode: XMode, (lo, hi): (f64, f64), target: usize, scale: &LinearScale) -> Vec<Tick> {
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
        XMode::RelativeTime => {
            let t = time_ticks(lo, hi, target);
            t.ticks
                .into_iter()
                .map(|v| tick(v, format_duration_ms(v)))
                .collect()
        }
        XMode::WallTime => {
            // Ticks on the local clock: shift into local time, tick, shift back.
            let offset = local_utc_offset_ms(lo);
            let t = time_ticks(lo + offset, hi + offset, target);
            t.ticks
                .into_iter()
                .map(|v| {
                    tick(
                        v - offset,
                        format_clock(v - offset, t.step_ms, hi - lo, local_utc_offset_ms),
                    )
                })
                .collect()
        }
    }
}

/// The x value as the axis writes it, for the tooltip and the zoom caption.
pub fn format_x(v: f64, mode: XMode) -> String {
    match mode {
        XMode::Step => format!("{}", v.round() as i64),
        XMode::RelativeTime => format_duration_ms(v),
        XMode::WallTime => crate::ui::widgets::format_time(v.round() as i64),
    }
}

/// Index of the point of sorted `xs` nearest to `x` (`None` if empty).
pub fn nearest(xs: &[f64], x: f64) -> Option<usize> {
    if xs.is_empty() {
        return None;
    }
    let i = xs.partition_point(|&v| v < x);
    if i == 0 {
        return Some(0);
    }
    if i == xs.len() {
        return Some(i - 1);
    }
    Some(if x - xs[i - 1] <= xs[i] - x { i - 1 } else { i })
}
