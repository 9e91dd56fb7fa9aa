//! What the painter strokes, in CSS pixels: a downsampled series as polylines and
//! dots, ±Infinity as edge markers, and which x labels fit. The canvas calls are the
//! UI's; deciding where the pen goes is here, with tests.

use super::plot::{Geometry, Tick};
use super::scale::Scale;

/// One series as the painter draws it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Trace {
    /// Polylines (each at least one point), broken at gap markers (NaN) and at values
    /// the y scale cannot place.
    pub lines: Vec<Vec<(f64, f64)>>,
    /// Points drawn as dots: lone points between breaks, and every point of a
    /// sparse series, so they stay visible.
    pub dots: Vec<(f64, f64)>,
}

/// Fewer points than one per this many pixel columns is sparse: every point gets a
/// dot.
const SPARSE_COLUMNS_PER_POINT: usize = 6;

/// How far beyond the plot's top and bottom edges (CSS px) a point's y may lie; the
/// painter clips at the edges, and a line to a spike that clipped outliers or a
/// locked y range leave far off the plot (1e12 px away, say) is brought in to here, so
/// the canvas, which rasterizes in single precision, never sees such coordinates. The
/// visible part of the line barely moves: its slope changes by under a pixel per
/// thousand pixels of run.
pub const EDGE_BAND_PX: f64 = 1e6;

/// Where the pen goes for downsampled `points` on a plot `columns` device pixels
/// wide.
pub fn trace(geo: &Geometry, points: &[(f64, f64)], columns: usize) -> Trace {
    let (top, bottom) = (
        geo.plot.top - EDGE_BAND_PX,
        geo.plot.top + geo.plot.height + EDGE_BAND_PX,
    );
    let sparse = points.len() * SPARSE_COLUMNS_PER_POINT < columns;
    let mut out = Trace::default();
    let mut line: Vec<(f64, f64)> = Vec::with_capacity(points.len());
    let end_line = |line: &mut Vec<(f64, f64)>, out: &mut Trace| {
        if line.len() == 1 && !sparse {
            out.dots.push(line[0]);
        }
        if !line.is_empty() {
            out.lines.push(std::mem::take(line));
        }
    };
    for &(x, y) in points {
        match geo.y.px(y) {
            Some(py) => {
                let p = (geo.x.to_px(x), py.clamp(top, bottom));
                line.push(p);
                if sparse {
                    out.dots.push(p);
                }
            }
            None => end_line(&mut line, &mut out),
        }
    }
    end_line(&mut line, &mut out);
    out
}

/// ±Infinity at `x`: a triangle at the plot's top (+∞) or bottom (−∞) edge, pointing
/// out of the plot, as its three corners.
pub fn infinity_markers(geo: &Geometry, infinities: &[(f64, f64)]) -> Vec<[(f64, f64); 3]> {
    let p = geo.plot;
    infinities
        .iter()
        .map(|&(x, y)| {
            let px = geo.x.to_px(x);
            let (edge, inward) = if y > 0.0 {
                (p.top, 1.0)
            } else {
                (p.top + p.height, -1.0)
            };
            [
                (px, edge),
                (px - 5.0, edge + 8.0 * inward),
                (px + 5.0, edge + 8.0 * inward),
            ]
        })
        .collect()
}

/// Half the width of an x label at the chart's 11 px font, estimated from its length
/// (no text measuring per label).
fn half_label_width(label: &str) -> f64 {
    label.chars().count() as f64 * 3.3
}

/// The x ticks whose labels are written: left to right, a label that would come
/// within 6 px of the previous one is skipped (long clock labels on a narrow chart).
pub fn fitting_x_labels(ticks: &[Tick]) -> Vec<&Tick> {
    let mut right_of_last = f64::NEG_INFINITY;
    ticks
        .iter()
        .filter(|t| {
            let half = half_label_width(&t.label);
            if t.px - half < right_of_last + 6.0 {
                return false;
            }
            right_of_last = t.px + half;
            true
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::chart::plot::{geometry, ChartView};
    use crate::core::chart::scale::ScaleKind;
    use crate::core::chart::series::XMode;

    fn geo(y_scale: ScaleKind) -> Geometry {
        // x 0..10 over 58..586 px; y from the default range.
        let view = ChartView {
            mode: XMode::RelativeTime,
            x_range: (0.0, 10.0),
            y_scale,
            clip_outliers: false,
            y_fixed: None,
            width: 600.0,
            height: 300.0,
        };
        geometry(&[], &[], &view, |_| 0.0)
    }

    #[test]
    fn a_dense_line_is_one_polyline_without_dots() {
        let g = geo(ScaleKind::Linear);
        let points: Vec<(f64, f64)> = (0..=10).map(|i| (i as f64, 0.5)).collect();
        let t = trace(&g, &points, 20);
        assert_eq!(t.lines.len(), 1);
        assert_eq!(t.lines[0].len(), 11);
        assert!(t.dots.is_empty());
        assert_eq!(t.lines[0][0].0, g.x.to_px(0.0));
    }

    #[test]
    fn gaps_break_the_line_and_lone_points_become_dots() {
        let g = geo(ScaleKind::Linear);
        let nan = f64::NAN;
        let points = [
            (0.0, 0.1),
            (1.0, 0.2),
            (2.0, nan),
            (3.0, 0.3),
            (4.0, nan),
            (5.0, 0.4),
            (6.0, 0.5),
        ];
        let t = trace(&g, &points, 10);
        let lens: Vec<usize> = t.lines.iter().map(Vec::len).collect();
        assert_eq!(lens, [2, 1, 2]);
        assert_eq!(t.dots, vec![t.lines[1][0]]);
    }

    #[test]
    fn a_log_axis_breaks_at_values_it_cannot_place() {
        let g = geo(ScaleKind::Log);
        let t = trace(&g, &[(0.0, 1.0), (1.0, 0.0), (2.0, 2.0), (3.0, 3.0)], 4);
        let lens: Vec<usize> = t.lines.iter().map(Vec::len).collect();
        assert_eq!(lens, [1, 2]);
    }

    #[test]
    fn far_off_spikes_are_brought_in_to_the_edge_band() {
        let g = geo(ScaleKind::Linear);
        let t = trace(&g, &[(0.0, 0.5), (1.0, 1e15), (2.0, -1e15), (3.0, 0.5)], 4);
        let ys: Vec<f64> = t.lines[0].iter().map(|p| p.1).collect();
        assert_eq!(ys[0], g.y.px(0.5).unwrap());
        assert_eq!(ys[1], g.plot.top - EDGE_BAND_PX);
        assert_eq!(ys[2], g.plot.top + g.plot.height + EDGE_BAND_PX);
    }

    #[test]
    fn sparse_series_dot_every_point() {
        let g = geo(ScaleKind::Linear);
        let t = trace(
            &g,
            &[(0.0, 0.1), (5.0, 0.2), (9.0, f64::NAN), (10.0, 0.3)],
            1000,
        );
        assert_eq!(t.dots.len(), 3);
        assert_eq!(t.lines.len(), 2);
    }

    #[test]
    fn infinities_point_out_of_their_edge() {
        let g = geo(ScaleKind::Linear);
        let m = infinity_markers(&g, &[(5.0, f64::INFINITY), (5.0, f64::NEG_INFINITY)]);
        let (top, bottom) = (g.plot.top, g.plot.top + g.plot.height);
        assert_eq!(m[0][0], (g.x.to_px(5.0), top));
        assert!(m[0][1].1 > top, "+∞ points up, out of the top");
        assert_eq!(m[1][0].1, bottom);
        assert!(m[1][1].1 < bottom);
    }

    #[test]
    fn crowded_x_labels_are_thinned_left_to_right() {
        let tick = |px: f64, label: &str| Tick {
            px,
            label: label.into(),
        };
        let ticks = [
            tick(100.0, "11-14 22:00"),
            tick(130.0, "11-14 23:00"),
            tick(180.0, "11-15 00:00"),
            tick(200.0, "1"),
        ];
        let shown: Vec<f64> = fitting_x_labels(&ticks).iter().map(|t| t.px).collect();
        assert_eq!(shown, [100.0, 180.0]);
        assert_eq!(fitting_x_labels(&[]).len(), 0);
    }
}
