//! Paints a metric chart on a `<canvas>`: grid, axis labels, one line per series.
//!
//! Each series is cut down to what the plot's device pixels can show with
//! `core::chart::downsample_min_max_sorted` (first, min, max and last point of each
//! pixel column; the series are already in x order), so the cost of a draw follows
//! the canvas width, not the history length. Where the pen goes is
//! `core::chart::trace`; this file only makes the canvas calls.

use std::sync::Arc;

use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

use crate::core::chart::{
    downsample_min_max_sorted, fitting_x_labels, infinity_markers, trace, Geometry, PreparedSeries,
    Scale, SortedXs, EDGE_BAND_PX,
};

use super::Band;

/// Colours read from the page's CSS variables, so the chart follows the theme.
pub struct Colors {
    pub muted: String,
    pub grid: String,
    pub series: Vec<String>,
}

/// Series colours: `--chart-1` … `--chart-N` on the chart element.
pub const PALETTE_SIZE: usize = 10;

impl Colors {
    /// Reads the variables as they apply to `el`.
    pub fn read(el: &web_sys::Element) -> Colors {
        let style = web_sys::window().and_then(|w| w.get_computed_style(el).ok().flatten());
        let var = |name: &str, fallback: &str| {
            style
                .as_ref()
                .and_then(|s| s.get_property_value(name).ok())
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
                .unwrap_or_else(|| fallback.to_owned())
        };
        Colors {
            muted: var("--muted", "#656d76"),
            grid: var("--line", "#d0d7de"),
            series: (1..=PALETTE_SIZE)
                .map(|i| var(&format!("--chart-{i}"), "#0969da"))
                .collect(),
        }
    }
}

/// The 2D context of `canvas`, sized to `width`×`height` CSS px at `dpr` device
/// pixels per CSS px, scaled so that drawing is in CSS px.
fn context(
    canvas: &HtmlCanvasElement,
    width: f64,
    height: f64,
    dpr: f64,
) -> Option<CanvasRenderingContext2d> {
    let (w, h) = ((width * dpr).round() as u32, (height * dpr).round() as u32);
    // Setting the size clears the canvas and resets the context: only when needed.
    if canvas.width() != w {
        canvas.set_width(w);
    }
    if canvas.height() != h {
        canvas.set_height(h);
    }
    let ctx = canvas
        .get_context("2d")
        .ok()??
        .dyn_into::<CanvasRenderingContext2d>()
        .ok()?;
    ctx.set_transform(dpr, 0.0, 0.0, dpr, 0.0, 0.0).ok()?;
    ctx.clear_rect(0.0, 0.0, width, height);
    Some(ctx)
}

/// Draws everything; returns the number of points drawn (after downsampling).
pub fn draw(
    canvas: &HtmlCanvasElement,
    geo: &Geometry,
    series: &[PreparedSeries],
    smoothed: &[Option<Arc<Vec<f64>>>],
    bands: &[Band],
    colors: &Colors,
    dpr: f64,
) -> usize {
    let Some(ctx) = context(canvas, geo.width, geo.height, dpr) else {
        return 0;
    };
    draw_axes(&ctx, geo, colors);
    let p = geo.plot;
    ctx.save();
    ctx.begin_path();
    ctx.rect(p.left, p.top, p.width, p.height);
    ctx.clip();
    let columns = (p.width * dpr).round().max(1.0) as usize;
    let x_range = geo.x.domain();
    let mut drawn = 0;
    for (i, s) in series.iter().enumerate() {
        let color = &colors.series[i % colors.series.len()];
        let smooth = smoothed.get(i).and_then(|o| o.as_deref());
        if let Some(b) = bands.get(i) {
            drawn += fill_band(&ctx, geo, &s.xs, b, color, x_range, columns);
        }
        let raw = downsample_min_max_sorted(&s.xs, &s.ys, x_range, columns);
        drawn += raw.points.len();
        // With smoothing on, the raw line stays as a faint trace behind it.
        ctx.set_global_alpha(if smooth.is_some() { 0.25 } else { 1.0 });
        stroke(&ctx, geo, &raw.points, color, columns);
        ctx.set_global_alpha(1.0);
        if let Some(sm) = smooth {
            let d = downsample_min_max_sorted(&s.xs, sm, x_range, columns);
            drawn += d.points.len();
            stroke(&ctx, geo, &d.points, color, columns);
        }
        mark_infinities(&ctx, geo, &raw.infinities, color);
    }
    ctx.restore();
    drawn
}

/// A group's band under its mean line: the upper edge left to right, then the lower
/// edge back, each downsampled per pixel column like a line (points the y scale
/// cannot place are left out; a gap in the mean is bridged in the band).
fn fill_band(
    ctx: &CanvasRenderingContext2d,
    geo: &Geometry,
    xs: &SortedXs,
    band: &Band,
    color: &str,
    x_range: (f64, f64),
    columns: usize,
) -> usize {
    let (top, bottom) = (
        geo.plot.top - EDGE_BAND_PX,
        geo.plot.top + geo.plot.height + EDGE_BAND_PX,
    );
    let edge = |ys: &[f64]| -> Vec<(f64, f64)> {
        downsample_min_max_sorted(xs, ys, x_range, columns)
            .points
            .into_iter()
            .filter_map(|(x, y)| Some((geo.x.to_px(x), geo.y.px(y)?.clamp(top, bottom))))
            .collect()
    };
    let (high, low) = (edge(&band.high), edge(&band.low));
    if high.is_empty() || low.is_empty() {
        return 0;
    }
    ctx.set_fill_style_str(color);
    ctx.set_global_alpha(0.18);
    ctx.begin_path();
    let mut path = high.iter().chain(low.iter().rev());
    if let Some(&(x, y)) = path.next() {
        ctx.move_to(x, y);
    }
    for &(x, y) in path {
        ctx.line_to(x, y);
    }
    ctx.close_path();
    ctx.fill();
    ctx.set_global_alpha(1.0);
    high.len() + low.len()
}

/// One series' line: its polylines, and dots where points would not show.
fn stroke(
    ctx: &CanvasRenderingContext2d,
    geo: &Geometry,
    points: &[(f64, f64)],
    color: &str,
    columns: usize,
) {
    ctx.set_stroke_style_str(color);
    ctx.set_fill_style_str(color);
    ctx.set_line_width(1.5);
    ctx.set_line_join("round");
    let t = trace(geo, points, columns);
    ctx.begin_path();
    for line in &t.lines {
        let mut points = line.iter();
        if let Some(&(x, y)) = points.next() {
            ctx.move_to(x, y);
        }
        for &(x, y) in points {
            ctx.line_to(x, y);
        }
    }
    ctx.stroke();
    if !t.dots.is_empty() {
        ctx.begin_path();
        for (x, y) in t.dots {
            ctx.move_to(x + 2.5, y);
            let _ = ctx.arc(x, y, 2.5, 0.0, std::f64::consts::TAU);
        }
        ctx.fill();
    }
}

/// ±Infinity: a small triangle at the top or bottom edge, pointing out of the plot.
fn mark_infinities(
    ctx: &CanvasRenderingContext2d,
    geo: &Geometry,
    infinities: &[(f64, f64)],
    color: &str,
) {
    if infinities.is_empty() {
        return;
    }
    ctx.set_fill_style_str(color);
    ctx.begin_path();
    for [a, b, c] in infinity_markers(geo, infinities) {
        ctx.move_to(a.0, a.1);
        ctx.line_to(b.0, b.1);
        ctx.line_to(c.0, c.1);
        ctx.close_path();
    }
    ctx.fill();
}

fn draw_axes(ctx: &CanvasRenderingContext2d, geo: &Geometry, colors: &Colors) {
    let p = geo.plot;
    ctx.set_line_width(1.0);
    ctx.set_stroke_style_str(&colors.grid);
    ctx.begin_path();
    // Half-pixel offsets keep 1px lines crisp.
    for t in &geo.y_ticks {
        let y = t.px.round() + 0.5;
        ctx.move_to(p.left, y);
        ctx.line_to(p.left + p.width, y);
    }
    for t in &geo.x_ticks {
        let x = t.px.round() + 0.5;
        ctx.move_to(x, p.top);
        ctx.line_to(x, p.top + p.height);
    }
    ctx.stroke();
    ctx.set_stroke_style_str(&colors.muted);
    ctx.begin_path();
    ctx.move_to(p.left + 0.5, p.top);
    ctx.line_to(p.left + 0.5, p.top + p.height + 0.5);
    ctx.line_to(p.left + p.width, p.top + p.height + 0.5);
    ctx.stroke();

    ctx.set_fill_style_str(&colors.muted);
    ctx.set_font("11px system-ui, -apple-system, 'Segoe UI', sans-serif");
    ctx.set_text_align("right");
    ctx.set_text_baseline("middle");
    for t in &geo.y_ticks {
        let _ = ctx.fill_text(&t.label, p.left - 6.0, t.px);
    }
    ctx.set_text_align("center");
    ctx.set_text_baseline("top");
    for t in fitting_x_labels(&geo.x_ticks) {
        let _ = ctx.fill_text(&t.label, t.px, p.top + p.height + 6.0);
    }
}
