//! A metric history put in x order for the chart: the x axis it is drawn against,
//! and its x and y as `f64` columns for the maths.

use std::sync::Arc;

use super::downsample::SortedXs;
use crate::core::tracking::model::MetricPoint;

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

    /// Parses [`XMode::as_str`]; anything else is the default, step.
    pub fn parse(s: &str) -> Self {
        XMode::ALL
            .into_iter()
            .find(|m| m.as_str() == s)
            .unwrap_or_default()
    }
}

/// One series in x order, with its x and y as `f64` columns for the chart maths.
#[derive(Clone, Debug, PartialEq)]
pub struct PreparedSeries {
    /// Legend label.
    pub label: String,
    /// Points sorted by x (stable: equal x keep their logging order).
    pub points: Arc<Vec<MetricPoint>>,
    /// x of each point in the current [`XMode`], ascending.
    pub xs: SortedXs,
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
/// earliest timestamp). Histories are nearly always logged in step and time order,
/// so this is usually one check and two column copies; a history logged out of
/// order is copied and sorted once here rather than on every draw.
pub fn prepare(label: &str, points: &Arc<Vec<MetricPoint>>, mode: XMode) -> PreparedSeries {
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
    let xs: Vec<f64> = points.iter().map(|p| x_of(p, mode, t0)).collect();
    // Integer keys in order give floats in order: this cannot fail, but if it ever
    // did the chart would draw nothing rather than draw wrong.
    let xs = SortedXs::new(xs).unwrap_or_default();
    PreparedSeries {
        label: label.to_owned(),
        ys: points.iter().map(|p| p.value).collect(),
        xs,
        points,
    }
}

/// The x extent of all series (`None` when they are empty).
pub fn full_x_range(series: &[PreparedSeries]) -> Option<(f64, f64)> {
    series
        .iter()
        .filter_map(|s| Some((*s.xs.first()?, *s.xs.last()?)))
        .reduce(|a, b| (a.0.min(b.0), a.1.max(b.1)))
}

/// Index of the point of sorted `xs` nearest to `x` (`None` if empty); the earlier
/// one on a tie.
pub fn nearest(xs: &SortedXs, x: f64) -> Option<usize> {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn pt(step: i64, timestamp: i64, value: f64) -> MetricPoint {
        MetricPoint {
            timestamp,
            value,
            step,
        }
    }

    #[test]
    fn in_order_histories_are_shared_not_copied() {
        let points = Arc::new(vec![pt(0, 100, 1.0), pt(1, 200, 2.0), pt(2, 150, 3.0)]);
        let s = prepare("run", &points, XMode::Step);
        assert!(Arc::ptr_eq(&s.points, &points));
        assert_eq!(s.xs.as_slice(), [0.0, 1.0, 2.0]);
        assert_eq!(s.ys, [1.0, 2.0, 3.0]);
    }

    #[test]
    fn out_of_order_histories_are_sorted_stably_by_the_axis() {
        let points = Arc::new(vec![pt(2, 300, 1.0), pt(0, 100, 2.0), pt(2, 200, 3.0)]);
        let s = prepare("run", &points, XMode::Step);
        assert_eq!(s.xs.as_slice(), [0.0, 2.0, 2.0]);
        assert_eq!(
            s.ys,
            [2.0, 1.0, 3.0],
            "equal steps keep their logging order"
        );
        let s = prepare("run", &points, XMode::WallTime);
        assert_eq!(s.xs.as_slice(), [100.0, 200.0, 300.0]);
        let s = prepare("run", &points, XMode::RelativeTime);
        assert_eq!(s.xs.as_slice(), [0.0, 100.0, 200.0]);
    }

    #[test]
    fn extent_spans_every_series() {
        let a = prepare(
            "a",
            &Arc::new(vec![pt(5, 0, 0.0), pt(9, 0, 0.0)]),
            XMode::Step,
        );
        let b = prepare("b", &Arc::new(vec![pt(-2, 0, 0.0)]), XMode::Step);
        let empty = prepare("c", &Arc::new(vec![]), XMode::Step);
        assert_eq!(full_x_range(&[a, b, empty.clone()]), Some((-2.0, 9.0)));
        assert_eq!(full_x_range(&[empty]), None);
    }

    #[test]
    fn nearest_point_takes_the_earlier_on_a_tie() {
        let xs = SortedXs::new(vec![0.0, 10.0, 20.0]).unwrap();
        assert_eq!(nearest(&xs, -5.0), Some(0));
        assert_eq!(nearest(&xs, 4.0), Some(0));
        assert_eq!(nearest(&xs, 5.0), Some(0));
        assert_eq!(nearest(&xs, 6.0), Some(1));
        assert_eq!(nearest(&xs, 99.0), Some(2));
        assert_eq!(nearest(&SortedXs::default(), 1.0), None);
    }

    #[test]
    fn x_modes_round_trip_through_their_option_values() {
        for m in XMode::ALL {
            assert_eq!(XMode::parse(m.as_str()), m);
        }
        assert_eq!(XMode::parse("sideways"), XMode::Step);
    }
}
