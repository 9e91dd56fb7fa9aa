//! A metric history put in x order for the chart: the x axis it is drawn against,
//! and its x and y as `f64` columns for the maths.

use std::collections::HashMap;
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
    /// Another metric of the same run, joined on step (see [`prepare_against`]).
    /// Which metric is kept beside the mode, so the mode stays `Copy`.
    Metric,
}

impl XMode {
    /// Every mode that needs no metric key, in menu order.
    pub const ALL: [XMode; 3] = [XMode::Step, XMode::WallTime, XMode::RelativeTime];

    /// The `<option>` value.
    pub fn as_str(self) -> &'static str {
        match self {
            XMode::Step => "step",
            XMode::WallTime => "wall",
            XMode::RelativeTime => "relative",
            XMode::Metric => "metric",
        }
    }

    /// The menu label.
    pub fn label(self) -> &'static str {
        match self {
            XMode::Step => "Step",
            XMode::WallTime => "Wall time",
            XMode::RelativeTime => "Relative time",
            XMode::Metric => "Metric",
        }
    }

    /// Parses [`XMode::as_str`]; anything else is the default, step. (The metric
    /// mode's menu values are `metric:<key>`: see [`parse_x_choice`].)
    pub fn parse(s: &str) -> Self {
        XMode::ALL
            .into_iter()
            .find(|m| m.as_str() == s)
            .unwrap_or_default()
    }
}

/// Parses an x menu value: `metric:<key>` is [`XMode::Metric`] with that key (a key
/// may itself hold `:`), anything else [`XMode::parse`] without a key. An empty key
/// is step.
pub fn parse_x_choice(s: &str) -> (XMode, Option<String>) {
    match s.strip_prefix("metric:") {
        Some(key) if !key.is_empty() => (XMode::Metric, Some(key.to_owned())),
        _ => (XMode::parse(s), None),
    }
}

/// The x menu value of a mode and, for [`XMode::Metric`], its key.
pub fn x_choice_value(mode: XMode, key: Option<&str>) -> String {
    match (mode, key) {
        (XMode::Metric, Some(key)) => format!("metric:{key}"),
        (mode, _) => mode.as_str().to_owned(),
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

/// Puts a series in x order for `mode` (relative time counts from the series'
/// earliest timestamp). Histories are nearly always logged in step and time order,
/// so this is usually one pass that checks the order while it copies the two
/// columns; a history logged out of order is copied and sorted once here rather than
/// on every draw.
pub fn prepare(label: &str, points: &Arc<Vec<MetricPoint>>, mode: XMode) -> PreparedSeries {
    let (points, (xs, ys)) = match columns_in_order(points, mode) {
        Some(columns) => (points.clone(), columns),
        None => {
            let mut copy = points.as_ref().clone();
            copy.sort_by_key(|p| order_key(p, mode));
            // Sorted by the key now, so the columns come out in order.
            let columns = columns_in_order(&copy, mode).unwrap_or_default();
            (Arc::new(copy), columns)
        }
    };
    PreparedSeries {
        label: label.to_owned(),
        ys,
        xs,
        points,
    }
}

/// The integer a mode orders points by.
fn order_key(p: &MetricPoint, mode: XMode) -> i64 {
    match mode {
        // A metric x comes from `prepare_against`; here it orders as step.
        XMode::Step | XMode::Metric => p.step,
        XMode::WallTime | XMode::RelativeTime => p.timestamp,
    }
}

/// The x and y columns of `points` if they are in [`order_key`] order, in one pass;
/// `None` (stopping early) at the first point out of order. In order by time, the
/// first timestamp is the earliest, which relative time counts from.
fn columns_in_order(points: &[MetricPoint], mode: XMode) -> Option<(SortedXs, Vec<f64>)> {
    let t0 = points.first().map_or(0, |p| p.timestamp);
    let mut xs = Vec::with_capacity(points.len());
    let mut ys = Vec::with_capacity(points.len());
    let mut last = i64::MIN;
    for p in points {
        let key = order_key(p, mode);
        if key < last {
            return None;
        }
        last = key;
        xs.push(match mode {
            XMode::RelativeTime => key.saturating_sub(t0) as f64,
            _ => key as f64,
        });
        ys.push(p.value);
    }
    // Ascending integers (less a constant) convert to ascending floats, never NaN.
    Some((SortedXs::from_ascending_integers(xs), ys))
}

/// A y history put against another metric of the same run, and how many of its
/// points had no x.
#[derive(Clone, Debug, PartialEq)]
pub struct AgainstMetric {
    /// The y points kept, in x order, with their x.
    pub series: PreparedSeries,
    /// y points dropped: no x point at their step, or a non-finite x there.
    pub dropped: usize,
}

/// Each step's x: the x metric's last logged point at that step — the latest
/// timestamp, and of equal timestamps the one logged last — so a step logged twice
/// always gives the same x, whatever order a store hands the points back in.
pub fn x_by_step(x: &[MetricPoint]) -> HashMap<i64, f64> {
    let mut last: HashMap<i64, (i64, f64)> = HashMap::with_capacity(x.len());
    for p in x {
        // `>=`: a later point with the same timestamp wins.
        last.entry(p.step)
            .and_modify(|e| {
                if p.timestamp >= e.0 {
                    *e = (p.timestamp, p.value);
                }
            })
            .or_insert((p.timestamp, p.value));
    }
    last.into_iter().map(|(step, (_, v))| (step, v)).collect()
}

/// Puts the history `y` against the history `x` of another metric of the same run:
/// each y point's x is [`x_by_step`] at its step. y points whose step has no x
/// point, or whose x is not finite, are dropped (and counted); the rest are sorted
/// stably by x (equal x keep y's logging order). The result has the shape
/// [`prepare`] gives, so downsampling, geometry and hover work unchanged.
pub fn prepare_against(label: &str, y: &Arc<Vec<MetricPoint>>, x: &[MetricPoint]) -> AgainstMetric {
    let by_step = x_by_step(x);
    let mut kept: Vec<(f64, MetricPoint)> = y
        .iter()
        .filter_map(|p| {
            let xv = *by_step.get(&p.step)?;
            xv.is_finite().then_some((xv, *p))
        })
        .collect();
    let dropped = y.len() - kept.len();
    // Finite, so `total_cmp` is the usual order (and -0 sorts before +0, which the
    // ascending check accepts either way). `sort_by` is stable.
    kept.sort_by(|a, b| a.0.total_cmp(&b.0));
    let xs = SortedXs::new(kept.iter().map(|k| k.0).collect()).unwrap_or_default();
    let points: Vec<MetricPoint> = kept.iter().map(|k| k.1).collect();
    AgainstMetric {
        series: PreparedSeries {
            label: label.to_owned(),
            ys: points.iter().map(|p| p.value).collect(),
            xs,
            points: Arc::new(points),
        },
        dropped,
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
        assert_eq!(
            parse_x_choice("metric:a:b"),
            (XMode::Metric, Some("a:b".to_owned()))
        );
        assert_eq!(parse_x_choice("metric:"), (XMode::Step, None));
        assert_eq!(parse_x_choice("wall"), (XMode::WallTime, None));
        assert_eq!(x_choice_value(XMode::Metric, Some("epoch")), "metric:epoch");
        assert_eq!(x_choice_value(XMode::RelativeTime, None), "relative");
    }

    #[test]
    fn against_a_metric_joins_on_step_and_sorts_by_its_value() {
        let y = Arc::new(vec![
            pt(0, 10, 1.0),
            pt(1, 11, 2.0),
            pt(2, 12, 3.0),
            pt(3, 13, 4.0),
            pt(4, 14, 5.0),
        ]);
        let x = [
            pt(0, 10, 5.0),
            // Step 1 twice: the later timestamp wins though logged first.
            pt(1, 20, 3.0),
            pt(1, 15, 9.0),
            // Step 2 twice at one timestamp: the one logged last wins.
            pt(2, 12, 7.0),
            pt(2, 12, 3.0),
            pt(3, 13, f64::NAN),
        ];
        let a = prepare_against("run", &y, &x);
        assert_eq!(a.dropped, 2, "step 3 has a NaN x, step 4 none");
        assert_eq!(a.series.xs.as_slice(), [3.0, 3.0, 5.0]);
        assert_eq!(a.series.ys, [2.0, 3.0, 1.0], "equal x keep y's order");
        assert_eq!(
            a.series.points.iter().map(|p| p.step).collect::<Vec<_>>(),
            [1, 2, 0]
        );
    }
}
