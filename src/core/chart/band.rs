//! A group of runs as one chart line: the mean of its members' values at each step,
//! with a band around it (± 1 std, min–max or ± std error).
//!
//! Members align by *step*, whatever the x axis: at each step any member logged, the
//! members that have it count (a member with several points at one step counts its
//! last, in its prepared order — logging order on the step axis), the line's x is the
//! mean of their x there (exactly the step on the step axis) and its y the mean of
//! their finite values. Non-finite values are left out of that step and of its `n`;
//! a step where no member is finite is a gap (NaN), as in any series.
//!
//! Cost: one merge over the members' step-ordered points, a round per step that
//! visits each member once — no hashing, no allocation per point. Runs of a sweep
//! share their steps, so that is one visit per point; members with disjoint steps
//! cost members × steps.

use std::sync::Arc;

use super::downsample::SortedXs;
use super::series::PreparedSeries;
use crate::core::tracking::model::MetricPoint;

/// What the band around a group's mean shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Spread {
    /// ± 1 sample standard deviation (0 for one member).
    #[default]
    Std,
    /// The lowest to the highest member value.
    MinMax,
    /// ± the standard error of the mean (std / √n).
    StdErr,
}

impl Spread {
    /// Every spread, in menu order.
    pub const ALL: [Spread; 3] = [Spread::Std, Spread::MinMax, Spread::StdErr];

    /// The `<option>` value (and the canvas' `data-band`).
    pub fn as_str(self) -> &'static str {
        match self {
            Spread::Std => "std",
            Spread::MinMax => "minmax",
            Spread::StdErr => "stderr",
        }
    }

    /// The menu label.
    pub fn label(self) -> &'static str {
        match self {
            Spread::Std => "± std",
            Spread::MinMax => "min–max",
            Spread::StdErr => "± std error",
        }
    }

    /// Parses [`Spread::as_str`]; anything else is the default, std.
    pub fn parse(s: &str) -> Self {
        Spread::ALL
            .into_iter()
            .find(|m| m.as_str() == s)
            .unwrap_or_default()
    }
}

/// A group's line: the mean as a series the chart draws like any other, and its band.
#[derive(Clone, Debug, PartialEq)]
pub struct GroupedSeries {
    /// The mean, in x order (ties by step): `points` carry the step, the mean value
    /// and the members' mean timestamp, so hover and downsampling work unchanged.
    pub mean: PreparedSeries,
    /// The band's lower edge at each point (NaN where the mean is).
    pub low: Vec<f64>,
    /// The band's upper edge at each point.
    pub high: Vec<f64>,
    /// How many members count at each point (finite values at that step).
    pub n: Vec<u32>,
    /// How many members the group has.
    pub size: usize,
}

/// One member's points in step order: its own order when that is step order (the
/// usual case), else a stable permutation.
struct Cursor<'a> {
    series: &'a PreparedSeries,
    order: Option<Vec<u32>>,
    pos: usize,
}

impl Cursor<'_> {
    fn index(&self, k: usize) -> usize {
        self.order.as_ref().map_or(k, |o| o[k] as usize)
    }

    fn step_at(&self, k: usize) -> Option<i64> {
        (k < self.series.points.len()).then(|| self.series.points[self.index(k)].step)
    }
}

/// Running mean and spread of one step's values (Welford), in member order.
#[derive(Default)]
struct Acc {
    members: usize,
    sum_x: f64,
    sum_t: f64,
    n: u32,
    mean: f64,
    m2: f64,
    min: f64,
    max: f64,
}

impl Acc {
    fn add(&mut self, x: f64, t: i64, v: f64) {
        self.members += 1;
        self.sum_x += x;
        self.sum_t += t as f64;
        if !v.is_finite() {
            return;
        }
        self.n += 1;
        if self.n == 1 {
            (self.mean, self.m2, self.min, self.max) = (v, 0.0, v, v);
            return;
        }
        let d = v - self.mean;
        self.mean += d / self.n as f64;
        self.m2 += d * (v - self.mean);
        self.min = self.min.min(v);
        self.max = self.max.max(v);
    }

    /// (mean, low, high); NaN when no value counted.
    fn band(&self, spread: Spread) -> (f64, f64, f64) {
        if self.n == 0 {
            return (f64::NAN, f64::NAN, f64::NAN);
        }
        let std = if self.n > 1 {
            (self.m2 / (self.n - 1) as f64).max(0.0).sqrt()
        } else {
            0.0
        };
        match spread {
            Spread::Std => (self.mean, self.mean - std, self.mean + std),
            Spread::StdErr => {
                let e = std / (self.n as f64).sqrt();
                (self.mean, self.mean - e, self.mean + e)
            }
            // Rounding can put the mean a hair outside [min, max]; the band holds it.
            Spread::MinMax => (self.mean, self.min.min(self.mean), self.max.max(self.mean)),
        }
    }
}

/// Folds `members` (prepared on the same x axis) into one line labelled `label`.
pub fn aggregate(label: &str, members: &[&PreparedSeries], spread: Spread) -> GroupedSeries {
    let mut cursors: Vec<Cursor> = members
        .iter()
        .map(|&s| {
            let sorted = s.points.windows(2).all(|w| w[0].step <= w[1].step);
            let order = (!sorted).then(|| {
                let mut o: Vec<u32> = (0..s.points.len() as u32).collect();
                o.sort_by_key(|&i| s.points[i as usize].step);
                o
            });
            Cursor {
                series: s,
                order,
                pos: 0,
            }
        })
        .collect();
    let capacity = members.iter().map(|s| s.points.len()).max().unwrap_or(0);
    let mut points: Vec<MetricPoint> = Vec::with_capacity(capacity);
    let (mut xs, mut low, mut high, mut n) = (
        Vec::with_capacity(capacity),
        Vec::with_capacity(capacity),
        Vec::with_capacity(capacity),
        Vec::with_capacity(capacity),
    );
    // Rounds: each takes every member at the lowest next step, in member order, and
    // finds the next lowest on the way.
    let mut next = cursors.iter().filter_map(|c| c.step_at(0)).min();
    while let Some(step) = next {
        next = None;
        let mut acc = Acc::default();
        for c in cursors.iter_mut() {
            if c.step_at(c.pos) == Some(step) {
                // Several points at this step: the last counts.
                let mut k = c.pos;
                while c.step_at(k + 1) == Some(step) {
                    k += 1;
                }
                let i = c.index(k);
                acc.add(c.series.xs[i], c.series.points[i].timestamp, c.series.ys[i]);
                c.pos = k + 1;
            }
            if let Some(s) = c.step_at(c.pos) {
                next = Some(next.map_or(s, |m: i64| m.min(s)));
            }
        }
        let (mean, lo, hi) = acc.band(spread);
        let count = acc.members as f64;
        points.push(MetricPoint {
            timestamp: (acc.sum_t / count).round() as i64,
            value: mean,
            step,
        });
        xs.push(acc.sum_x / count);
        low.push(lo);
        high.push(hi);
        n.push(acc.n);
    }
    // Step order is x order on the step axis; on a time axis it usually is too.
    let xs = match SortedXs::new(xs) {
        Ok(xs) => xs,
        Err(xs) => {
            let mut order: Vec<usize> = (0..xs.len()).collect();
            // Stable, and steps ascend in the input: ties keep step order.
            order.sort_by(|&a, &b| xs[a].total_cmp(&xs[b]));
            let pick = |col: &[f64]| order.iter().map(|&i| col[i]).collect::<Vec<f64>>();
            (low, high) = (pick(&low), pick(&high));
            n = order.iter().map(|&i| n[i]).collect();
            points = order.iter().map(|&i| points[i]).collect();
            SortedXs::new(pick(&xs)).unwrap_or_default()
        }
    };
    GroupedSeries {
        mean: PreparedSeries {
            label: label.to_owned(),
            ys: points.iter().map(|p| p.value).collect(),
            xs,
            points: Arc::new(points),
        },
        low,
        high,
        n,
        size: members.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::chart::series::{prepare, XMode};

    fn run(points: &[(i64, f64)], mode: XMode) -> PreparedSeries {
        let points: Vec<MetricPoint> = points
            .iter()
            .enumerate()
            .map(|(i, &(step, value))| MetricPoint {
                timestamp: 1_000 + step * 10 + i as i64,
                value,
                step,
            })
            .collect();
        prepare("r", &Arc::new(points), mode)
    }

    #[test]
    fn uneven_lengths_use_the_runs_that_have_the_step() {
        let a = run(&[(0, 1.0), (1, 2.0), (2, 3.0)], XMode::Step);
        let b = run(&[(0, 3.0), (1, 4.0)], XMode::Step);
        let g = aggregate("g", &[&a, &b], Spread::Std);
        assert_eq!(g.mean.xs.as_slice(), [0.0, 1.0, 2.0]);
        assert_eq!(g.mean.ys, [2.0, 3.0, 3.0]);
        assert_eq!(g.n, [2, 2, 1]);
        assert_eq!(g.size, 2);
        let s = 2f64.sqrt();
        assert_eq!(g.low[..2], [2.0 - s, 3.0 - s]);
        assert_eq!(g.high[..2], [2.0 + s, 3.0 + s]);
        // One member: no spread.
        assert_eq!((g.low[2], g.high[2]), (3.0, 3.0));
        let g = aggregate("g", &[&a, &b], Spread::MinMax);
        assert_eq!((g.low[0], g.high[0]), (1.0, 3.0));
        let g = aggregate("g", &[&a, &b], Spread::StdErr);
        assert!((g.high[0] - 3.0).abs() < 1e-12, "{}", g.high[0]);
    }

    #[test]
    fn non_finite_values_are_left_out_of_their_step() {
        let a = run(&[(0, f64::NAN), (1, f64::INFINITY)], XMode::Step);
        let b = run(&[(0, 4.0)], XMode::Step);
        let g = aggregate("g", &[&a, &b], Spread::Std);
        assert_eq!(g.mean.ys[0], 4.0);
        assert_eq!(g.n, [1, 0]);
        assert!(g.mean.ys[1].is_nan() && g.low[1].is_nan() && g.high[1].is_nan());
        assert_eq!(g.mean.points[1].step, 1);
    }

    #[test]
    fn a_repeated_step_counts_its_last_point() {
        let a = run(&[(0, 1.0), (1, 5.0), (1, 7.0), (2, 1.0)], XMode::Step);
        let g = aggregate("g", &[&a], Spread::Std);
        assert_eq!(g.mean.ys, [1.0, 7.0, 1.0]);
        // Out of step order: sorted once, the last logged of a step still counts.
        let b = run(&[(2, 1.0), (1, 5.0), (0, 1.0), (1, 9.0)], XMode::WallTime);
        let g = aggregate("g", &[&b], Spread::Std);
        assert_eq!(g.mean.ys, [1.0, 9.0, 1.0]);
        assert_eq!(
            g.mean.points.iter().map(|p| p.step).collect::<Vec<_>>(),
            [0, 1, 2]
        );
    }

    #[test]
    fn on_a_time_axis_x_is_the_members_mean_time_at_the_step() {
        let a = run(&[(0, 1.0), (1, 2.0)], XMode::RelativeTime);
        let b = run(&[(0, 3.0), (1, 4.0), (2, 5.0)], XMode::RelativeTime);
        let g = aggregate("g", &[&a, &b], Spread::Std);
        // Member x: a 0, 11; b 0, 11, 22.
        assert_eq!(g.mean.xs.as_slice(), [0.0, 11.0, 22.0]);
        assert!(aggregate("e", &[], Spread::Std).mean.xs.is_empty());
    }

    #[test]
    fn spreads_round_trip_through_their_option_values() {
        for s in Spread::ALL {
            assert_eq!(Spread::parse(s.as_str()), s);
        }
        assert_eq!(Spread::parse("?"), Spread::Std);
    }
}
