//! What the mouse points at on a metric chart: each series' nearest point in x, and
//! where to draw its dot and the crosshair.

use std::sync::Arc;

use super::plot::Geometry;
use super::scale::Scale;
use super::series::{nearest, PreparedSeries};

/// One series' point under the mouse.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct HoverPoint {
    /// Which series (index into the chart's series).
    pub series: usize,
    /// Which point of it (index into its sorted points).
    pub index: usize,
    /// The smoothed value there, when smoothing is on.
    pub smoothed: Option<f64>,
    /// Where its dot goes (CSS px); `None` when the value cannot be placed.
    pub dot: Option<(f64, f64)>,
}

/// What the mouse at one position points at.
#[derive(Clone, Debug, PartialEq)]
pub struct Hover {
    /// x of the first series' nearest point, in data units, for the tooltip header.
    pub x: f64,
    /// Where the crosshair goes (CSS px): at that point.
    pub crosshair_px: f64,
    /// Each series' nearest point, in series order (series without points left out).
    pub points: Vec<HoverPoint>,
}

/// What the mouse at `(x_px, y_px)` over the chart points at; `None` off the plot or
/// when no series has points. Smoothed values, where given, are what the dots mark.
pub fn hover(
    geo: &Geometry,
    series: &[PreparedSeries],
    smoothed: &[Option<Arc<Vec<f64>>>],
    (x_px, y_px): (f64, f64),
) -> Option<Hover> {
    if !geo.plot.contains(x_px, y_px) {
        return None;
    }
    let x = geo.x.to_domain(x_px);
    let mut first_x = None;
    let points: Vec<HoverPoint> = series
        .iter()
        .enumerate()
        .filter_map(|(i, s)| {
            let k = nearest(&s.xs, x)?;
            let smooth = smoothed
                .get(i)
                .and_then(|o| o.as_ref())
                .and_then(|v| v.get(k).copied());
            let shown = smooth.unwrap_or(s.ys[k]);
            let px = geo.x.to_px(s.xs[k]);
            first_x.get_or_insert(s.xs[k]);
            Some(HoverPoint {
                series: i,
                index: k,
                smoothed: smooth,
                dot: geo.y.px(shown).map(|py| (px, py)),
            })
        })
        .collect();
    let x = first_x?;
    Some(Hover {
        x,
        crosshair_px: geo.x.to_px(x),
        points,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::chart::plot::{geometry, ChartView};
    use crate::core::chart::scale::ScaleKind;
    use crate::core::chart::series::{prepare, XMode};
    use crate::core::tracking::model::MetricPoint;

    fn series(points: &[(i64, f64)]) -> PreparedSeries {
        let points = points
            .iter()
            .map(|&(step, value)| MetricPoint {
                timestamp: 0,
                value,
                step,
            })
            .collect();
        prepare("s", &Arc::new(points), XMode::Step)
    }

    fn chart(series: &[PreparedSeries], y_scale: ScaleKind) -> Geometry {
        let view = ChartView {
            mode: XMode::Step,
            x_range: (0.0, 10.0),
            y_scale,
            clip_outliers: false,
            y_fixed: None,
            width: 600.0,
            height: 300.0,
        };
        geometry(series, &[], &view, |_| 0.0)
    }

    #[test]
    fn each_series_reports_its_nearest_point() {
        let a = series(&[(0, 1.0), (4, 2.0), (10, 3.0)]);
        let b = series(&[(5, 7.0)]);
        let all = [a, b];
        let g = chart(&all, ScaleKind::Linear);
        let at = (g.x.to_px(4.4), 100.0);
        let h = hover(&g, &all, &[], at).unwrap();
        assert_eq!(h.x, 4.0);
        assert_eq!(h.crosshair_px, g.x.to_px(4.0));
        let picked: Vec<(usize, usize)> = h.points.iter().map(|p| (p.series, p.index)).collect();
        assert_eq!(picked, [(0, 1), (1, 0)]);
        let (dx, dy) = h.points[1].dot.unwrap();
        assert_eq!((dx, dy), (g.x.to_px(5.0), g.y.px(7.0).unwrap()));
    }

    #[test]
    fn off_the_plot_or_without_points_nothing_is_hovered() {
        let a = series(&[(0, 1.0)]);
        let g = chart(std::slice::from_ref(&a), ScaleKind::Linear);
        assert_eq!(
            hover(&g, std::slice::from_ref(&a), &[], (10.0, 100.0)),
            None,
            "over the y labels"
        );
        assert_eq!(
            hover(&g, &[a], &[], (300.0, 295.0)),
            None,
            "over the x labels"
        );
        let empty = series(&[]);
        assert_eq!(hover(&g, &[empty], &[], (300.0, 100.0)), None);
    }

    #[test]
    fn dots_mark_the_smoothed_value_and_vanish_where_the_scale_cannot_place_it() {
        let a = series(&[(0, 1.0), (10, -1.0)]);
        let smooth = vec![Some(Arc::new(vec![1.0, 0.5]))];
        let g = chart(std::slice::from_ref(&a), ScaleKind::Linear);
        let h = hover(
            &g,
            std::slice::from_ref(&a),
            &smooth,
            (g.x.to_px(9.0), 100.0),
        )
        .unwrap();
        assert_eq!(h.points[0].smoothed, Some(0.5));
        assert_eq!(h.points[0].dot.unwrap().1, g.y.px(0.5).unwrap());
        let g = chart(std::slice::from_ref(&a), ScaleKind::Log);
        let h = hover(&g, &[a], &[], (g.x.to_px(9.0), 100.0)).unwrap();
        assert_eq!(h.points[0].dot, None, "-1 has no place on a log axis");
    }
}
