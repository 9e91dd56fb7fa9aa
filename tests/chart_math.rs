//! Chart maths and runs-table URL state, as the UI uses them: downsampling, ticks, smoothing, outlier clipping, round trips.

mod support;

use std::sync::Arc;
use std::time::Instant;

use ferroflow::core::chart::{
    clipped_range, downsample_min_max, ema_smooth, format_tick, geometry, log_ticks, nice_domain,
    nice_ticks, prepare, prepare_against, visible_y_range, zoom_to_pixels, ChartOptions, ChartView,
    LinearScale, Scale, ScaleKind, XMode, CLIP_FRACTION,
};
use ferroflow::core::table::column_key::ColumnKey;
use ferroflow::core::table::state::{OrderBy, RunsTableState};
use ferroflow::core::tracking::model::MetricPoint;
use ferroflow::core::tracking::model::ViewType;
use support::{same_f64, Rng};

/// Deterministic noise (64-bit LCG), so failures reproduce.
struct Lcg(u64);

impl Lcg {
    fn next_f64(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn steps(n: usize) -> Vec<f64> {
    (0..n).map(|i| i as f64).collect()
}

#[test]
fn a_single_spike_in_a_million_zeros_survives() {
    let n = 1_000_000;
    let xs = steps(n);
    let mut ys = vec![0.0; n];
    ys[654_321] = 1e6;
    let d = downsample_min_max(&xs, &ys, (0.0, (n - 1) as f64), 1000);
    assert!(d.points.contains(&(654_321.0, 1e6)));
    assert!(d.points.len() <= 4 * 1000 + 2, "{} points", d.points.len());
}

#[test]
fn output_is_bounded_ordered_and_keeps_each_columns_envelope() {
    let n = 200_000;
    let columns = 300;
    let mut rng = Lcg(7);
    let xs = steps(n);
    let ys: Vec<f64> = (0..n).map(|_| rng.next_f64() * 2.0 - 1.0).collect();
    let d = downsample_min_max(&xs, &ys, (0.0, (n - 1) as f64), columns);
    assert!(d.points.len() <= 4 * columns + 2);
    assert!(d.points.windows(2).all(|w| w[0].0 < w[1].0));
    // every kept point is a real point
    assert!(d.points.iter().all(|&(x, y)| ys[x as usize] == y));
    // the global envelope is kept exactly
    let (lo, hi) = visible_y_range(&xs, &ys, (0.0, (n - 1) as f64), ScaleKind::Linear)
        .range
        .unwrap();
    assert!(d.points.iter().any(|p| p.1 == lo));
    assert!(d.points.iter().any(|p| p.1 == hi));
}

#[test]
fn zoomed_range_keeps_one_neighbour_each_side() {
    let xs = steps(1000);
    let ys: Vec<f64> = xs.iter().map(|x| x.sin()).collect();
    let d = downsample_min_max(&xs, &ys, (100.5, 200.5), 50);
    let first = d.points.first().unwrap();
    let last = d.points.last().unwrap();
    assert_eq!(first.0, 100.0);
    assert_eq!(last.0, 201.0);
    let inside = d.points[1..d.points.len() - 1].iter();
    assert!(inside.clone().all(|p| p.0 >= 100.5 && p.0 <= 200.5));
}

#[test]
fn out_of_order_history_downsamples_like_the_sorted_one() {
    let n = 10_000;
    let mut rng = Lcg(42);
    let xs = steps(n);
    let ys: Vec<f64> = (0..n).map(|_| rng.next_f64()).collect();
    let mut order: Vec<usize> = (0..n).collect();
    for i in (1..n).rev() {
        order.swap(i, (rng.next_f64() * (i + 1) as f64) as usize);
    }
    let sx: Vec<f64> = order.iter().map(|&i| xs[i]).collect();
    let sy: Vec<f64> = order.iter().map(|&i| ys[i]).collect();
    let range = (1234.5, 8765.5);
    assert_eq!(
        downsample_min_max(&sx, &sy, range, 100),
        downsample_min_max(&xs, &ys, range, 100)
    );
}

#[test]
fn nan_breaks_and_infinity_is_reported() {
    let xs = steps(10);
    let mut ys = vec![1.0; 10];
    ys[3] = f64::NAN;
    ys[6] = f64::INFINITY;
    let d = downsample_min_max(&xs, &ys, (0.0, 9.0), 100);
    let gaps: Vec<f64> = d
        .points
        .iter()
        .filter(|p| p.1.is_nan())
        .map(|p| p.0)
        .collect();
    assert_eq!(gaps, vec![3.0]);
    assert!(!d.points.iter().any(|p| p.0 == 6.0));
    assert_eq!(d.infinities, vec![(6.0, f64::INFINITY)]);
}

/// Whether `step` is 1, 2 or 5 times a power of ten.
fn is_one_two_five(step: f64) -> bool {
    let m = step / 10f64.powf(step.log10().floor());
    [1.0, 2.0, 5.0, 10.0].iter().any(|n| (m - n).abs() < 1e-9)
}

#[test]
fn ticks_are_nice_and_cover_the_range() {
    let ranges = [
        (0.0, 1.0),
        (0.013, 0.0871),
        (-37.0, 1234.0),
        (99_999.0, 100_003.0),
        (-1e-7, 3e-7),
        (2.5, 2.5),
    ];
    for (lo, hi) in ranges {
        for target in [2, 5, 8] {
            let ticks = nice_ticks(lo, hi, target);
            assert!(ticks.len() >= 2, "{lo}..{hi}: {ticks:?}");
            assert!(ticks.len() <= 2 * target + 2, "{lo}..{hi}: {ticks:?}");
            let step = ticks[1] - ticks[0];
            assert!(is_one_two_five(step), "{lo}..{hi} step {step}");
            assert!(ticks
                .windows(2)
                .all(|w| ((w[1] - w[0]) - step).abs() < step * 1e-9));
            // Every value in the range is within a step of a tick.
            if hi > lo {
                assert!(ticks[0] >= lo && ticks[0] - lo < step);
                assert!(*ticks.last().unwrap() <= hi && hi - ticks.last().unwrap() < step);
            }
            // Widened to a nice domain, the ticks sit on both ends.
            let (dlo, dhi) = nice_domain(lo, hi, target);
            assert!(dlo <= lo && dhi >= hi);
            let dt = nice_ticks(dlo, dhi, target);
            assert_eq!((dt[0], *dt.last().unwrap()), (dlo, dhi));
        }
    }
}

#[test]
fn labels_are_distinct_and_compact() {
    let ticks = nice_ticks(0.0, 2500.0, 5);
    let labels: Vec<String> = ticks.iter().map(|&t| format_tick(t, 500.0)).collect();
    assert_eq!(labels, ["0", "500", "1k", "1.5k", "2k", "2.5k"]);
    assert_eq!(format_tick(2e-5, 1e-5), "2e-5");
    assert_eq!(format_tick(0.001, 0.001), "0.001");
}

#[test]
fn log_ticks_fall_on_powers_of_ten() {
    let ticks = log_ticks(3e-5, 2.0, 10);
    assert_eq!(ticks, vec![1e-4, 1e-3, 1e-2, 0.1, 1.0]);
}

#[test]
fn ema_matches_hand_computed_values() {
    // weight 0.6: last = 0.4, 0.24 + 1.2 = 1.44 ; debias 0.4, 0.64
    let s = ema_smooth(&[1.0, 3.0, f64::NAN], 0.6);
    assert!((s[0] - 1.0).abs() < 1e-12);
    assert!((s[1] - 1.44 / 0.64).abs() < 1e-12);
    assert!(s[2].is_nan());
}

#[test]
fn drag_zoom_round_trips_through_the_scale() {
    let s = LinearScale::new((0.0, 1000.0), (40.0, 840.0));
    let (lo, hi) = zoom_to_pixels(&s, s.to_px(250.0), s.to_px(500.0)).unwrap();
    assert!((lo - 250.0).abs() < 1e-9 && (hi - 500.0).abs() < 1e-9);
}

fn key(text: &str) -> ColumnKey {
    ColumnKey::parse(text).unwrap()
}

#[test]
fn table_state_round_trips_awkward_keys_through_the_url() {
    let state = RunsTableState {
        filter: "params.`a,b` = 'x, y' and tags.`ünï` != ''".into(),
        order_by: vec![
            OrderBy {
                key: key("metrics.`acc,top-1`"),
                ascending: false,
            },
            OrderBy {
                key: key("params.lr ASC"),
                ascending: false,
            },
            OrderBy {
                key: key("tags.名前 "),
                ascending: true,
            },
        ],
        columns: vec![key("params.a,b"), key("metrics.`loss`"), key("tags.😀 x")],
        view: ViewType::DeletedOnly,
        expanded: vec!["0123456789abcdef0123456789abcdef".into()],
        pinned: vec!["run,with,commas".into()],
        hidden: vec![],
        group_by: Some(key("tags.`team, a&b`")),
        open_groups: vec!["v:x=1&y=2".into(), "none".into()],
        charts: true,
        columns_chosen: true,
        chart_options: [(
            "a&b=c;d".to_string(),
            ChartOptions::from_text("log;band=stderr;x=metric:x=1&y;2"),
        )]
        .into(),
    };
    let query = state.to_query();
    assert_eq!(RunsTableState::from_query(&query), state);
    // The UI's own params sit beside ours and are left alone.
    let mut with_others = vec![("experiment".to_string(), "3".to_string())];
    with_others.extend(query);
    assert_eq!(RunsTableState::from_query(&with_others), state);
}

/// The clipped range as a reader would compute it: sort the finite values, drop
/// ⌊n·fraction⌋ at each end (but never all of them), take the ends of the rest.
fn naive_clipped_range(values: &[f64], fraction: f64) -> Option<(f64, f64)> {
    let mut v: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n == 0 {
        return None;
    }
    let mut k = (n as f64 * fraction).floor() as usize;
    while 2 * k >= n {
        k -= 1;
    }
    Some((v[k], v[n - 1 - k]))
}

#[test]
fn clipped_range_matches_a_sort_on_random_values() {
    let mut rng = Rng::new(13);
    for round in 0..2000 {
        let n = match round % 4 {
            0 => rng.below(8) as usize,
            1 => rng.below(150) as usize,
            2 => 90 + rng.below(30) as usize,
            _ => rng.below(5000) as usize,
        };
        let values: Vec<f64> = (0..n)
            .map(|_| {
                if rng.chance(30) {
                    // repeats, so ties at the cut are common
                    (rng.below(5) as f64) - 2.0
                } else {
                    rng.f64()
                }
            })
            .collect();
        let fraction = match rng.below(4) {
            0 => CLIP_FRACTION,
            1 => 0.0,
            2 => rng.below(60) as f64 / 100.0,
            _ => 0.05,
        };
        let got = clipped_range(values.clone(), fraction);
        let want = naive_clipped_range(&values, fraction);
        let same = match (got, want) {
            (Some(a), Some(b)) => same_f64(a.0, b.0) && same_f64(a.1, b.1),
            (a, b) => a == b,
        };
        assert!(
            same,
            "round {round}, n {n}, fraction {fraction}: {got:?} vs {want:?}"
        );
    }
}

fn history(values: impl IntoIterator<Item = f64>) -> Arc<Vec<MetricPoint>> {
    Arc::new(
        values
            .into_iter()
            .enumerate()
            .map(|(i, value)| MetricPoint {
                timestamp: 1_700_000_000_000 + i as i64,
                value,
                step: i as i64,
            })
            .collect(),
    )
}

fn chart_view(x_range: (f64, f64), y_scale: ScaleKind) -> ChartView {
    ChartView {
        mode: XMode::Step,
        x_range,
        y_scale,
        clip_outliers: true,
        y_fixed: None,
        width: 800.0,
        height: 400.0,
    }
}

#[test]
fn clipping_spans_every_series_and_the_smoothed_lines() {
    // Two runs of ordinary values in 0..1 with a few huge spikes each, one lightly
    // smoothed (each spike then lifts a dozen smoothed values too: still under 1 %).
    let mut rng = Rng::new(5);
    let mut run = |spikes: &[usize], spike: f64| {
        let values: Vec<f64> = (0..2000)
            .map(|i| {
                if spikes.contains(&i) {
                    spike
                } else {
                    (rng.below(1000) as f64) / 1000.0
                }
            })
            .collect();
        prepare("run", &history(values), XMode::Step)
    };
    let series = [run(&[3, 800, 1500], 1e9), run(&[10, 11], -1e9)];
    let smoothed = vec![Some(Arc::new(ema_smooth(&series[0].ys, 0.2))), None];
    let g = geometry(
        &series,
        &smoothed,
        &chart_view((0.0, 1999.0), ScaleKind::Linear),
        |_| 0.0,
    );
    let (lo, hi) = g.y.domain();
    assert!(
        (-1.0..=0.0).contains(&lo) && (1.0..=2.0).contains(&hi),
        "{lo}..{hi}"
    );
    // What the axis fits is the naive quantile range of every visible value.
    let all: Vec<f64> = series
        .iter()
        .flat_map(|s| s.ys.iter().copied())
        .chain(smoothed[0].as_ref().unwrap().iter().copied())
        .collect();
    let (q_lo, q_hi) = naive_clipped_range(&all, CLIP_FRACTION).unwrap();
    assert!(
        lo <= q_lo && hi >= q_hi && hi < q_hi + 1.0,
        "{lo}..{hi} for {q_lo}..{q_hi}"
    );
    // On a log scale the non-positive values (and the negative spikes) drop out first.
    let g = geometry(
        &series,
        &smoothed,
        &chart_view((0.0, 1999.0), ScaleKind::Log),
        |_| 0.0,
    );
    let (lo, hi) = g.y.domain();
    assert!(lo > 0.0 && hi < 10.0, "{lo}..{hi}");
    assert!(g.hides_non_positive);
}

/// Prints how long clipping the y range of a million visible points takes (best of
/// 5), beside the plain auto range; it asserts nothing about time. Run:
/// `cargo test --release --test chart_math -- --ignored --nocapture`.
#[test]
#[ignore]
fn bench_clipped_y_range_million_points() {
    let n = 1_000_000;
    let mut rng = Lcg(3);
    let s = prepare("big", &history((0..n).map(|_| rng.next_f64())), XMode::Step);
    for clip in [false, true] {
        let mut view = chart_view((0.0, n as f64), ScaleKind::Linear);
        view.clip_outliers = clip;
        let mut best = std::time::Duration::MAX;
        for _ in 0..5 {
            let start = Instant::now();
            let g = geometry(std::slice::from_ref(&s), &[], &view, |_| 0.0);
            assert!(g.has_data);
            best = best.min(start.elapsed());
        }
        println!("1M points, geometry with clip_outliers {clip}: {best:?}");
    }
}

/// Prints how long downsampling a million points takes (best of 5); it asserts
/// nothing about time. Run: `cargo test --release --test chart_math -- --ignored --nocapture`.
#[test]
#[ignore]
fn bench_downsample_million_points() {
    let n = 1_000_000;
    let mut rng = Lcg(1);
    let xs = steps(n);
    let ys: Vec<f64> = (0..n).map(|_| rng.next_f64()).collect();
    let mut shuffled = xs.clone();
    shuffled.swap(0, n - 1);
    for (name, xs) in [("sorted", &xs), ("unsorted", &shuffled)] {
        let mut best = std::time::Duration::MAX;
        let mut kept = 0;
        for _ in 0..5 {
            let start = Instant::now();
            kept = downsample_min_max(xs, &ys, (0.0, n as f64), 1000)
                .points
                .len();
            best = best.min(start.elapsed());
        }
        println!("1M points, {name}: {kept} kept in {best:?}");
    }
}

/// The join rule spelled out as slowly as possible: for each y point, scan every x
/// point for the last one at its step (latest timestamp, then logged last).
fn naive_against(y: &[MetricPoint], x: &[MetricPoint]) -> (Vec<(f64, f64, i64)>, usize) {
    let mut kept = Vec::new();
    let mut dropped = 0;
    for p in y {
        let mut best: Option<&MetricPoint> = None;
        for q in x.iter().filter(|q| q.step == p.step) {
            if best.is_none_or(|b| q.timestamp >= b.timestamp) {
                best = Some(q);
            }
        }
        match best {
            Some(q) if q.value.is_finite() => kept.push((q.value, p.value, p.step)),
            _ => dropped += 1,
        }
    }
    // Insertion sort: stable by construction, and obviously so.
    let mut sorted: Vec<(f64, f64, i64)> = Vec::new();
    for k in kept {
        let at = sorted
            .iter()
            .position(|s| s.0 > k.0)
            .unwrap_or(sorted.len());
        sorted.insert(at, k);
    }
    (sorted, dropped)
}

#[test]
fn x_from_another_metric_matches_a_naive_join_on_random_histories() {
    let mut rng = Rng::new(29);
    for round in 0..400 {
        let steps = 1 + rng.below(12) as i64;
        let point = |rng: &mut Rng, value: f64| MetricPoint {
            step: rng.below(steps as u64) as i64 - 1,
            // Few distinct timestamps, so equal ones (logging order decides) are common.
            timestamp: rng.below(4) as i64,
            value,
        };
        let y: Vec<MetricPoint> = (0..rng.below(30))
            .map(|_| {
                let v = rng.below(100) as f64;
                point(&mut rng, v)
            })
            .collect();
        let x: Vec<MetricPoint> = (0..rng.below(30))
            .map(|_| {
                let v = match rng.below(10) {
                    0 => f64::NAN,
                    1 => f64::INFINITY,
                    2 => f64::NEG_INFINITY,
                    // Few distinct x values, so equal x (y's order decides) are common.
                    _ => rng.below(6) as f64 - 2.0,
                };
                point(&mut rng, v)
            })
            .collect();
        let got = prepare_against("run", &Arc::new(y.clone()), &x);
        let (want, dropped) = naive_against(&y, &x);
        assert_eq!(got.dropped, dropped, "round {round}");
        let s = &got.series;
        assert_eq!(s.points.len(), s.xs.len(), "round {round}");
        let got: Vec<(f64, f64, i64)> =
            s.xs.iter()
                .zip(s.points.iter())
                .map(|(&x, p)| (x, p.value, p.step))
                .collect();
        assert_eq!(got, want, "round {round}: y {y:?} x {x:?}");
        assert_eq!(s.ys, want.iter().map(|w| w.1).collect::<Vec<_>>());
    }
}

/// The band of a group, the slow and obvious way: every step any member has, each
/// member's last point there, mean and sample std of the finite values.
fn naive_group(members: &[Vec<MetricPoint>]) -> Vec<(i64, f64, f64, f64, u32)> {
    let mut steps: Vec<i64> = members.iter().flatten().map(|p| p.step).collect();
    steps.sort();
    steps.dedup();
    steps
        .into_iter()
        .map(|step| {
            let vals: Vec<f64> = members
                .iter()
                .filter_map(|m| m.iter().rev().find(|p| p.step == step).map(|p| p.value))
                .filter(|v| v.is_finite())
                .collect();
            let n = vals.len();
            if n == 0 {
                return (step, f64::NAN, f64::NAN, f64::NAN, 0);
            }
            let mean = vals.iter().sum::<f64>() / n as f64;
            let var = if n > 1 {
                vals.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64
            } else {
                0.0
            };
            let (min, max) = vals
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
                    (a.min(v), b.max(v))
                });
            let _ = (min, max);
            (step, mean, var.sqrt(), min, n as u32)
        })
        .collect()
}

#[test]
fn grouped_bands_match_a_naive_fold_on_random_runs() {
    use ferroflow::core::chart::{aggregate, Spread};
    let mut rng = Rng::new(1313);
    for case in 0..300 {
        let k = 1 + rng.below(6) as usize;
        let members: Vec<Vec<MetricPoint>> = (0..k)
            .map(|_| {
                let len = rng.below(30) as usize;
                let mut step = rng.below(5) as i64 - 2;
                (0..len)
                    .map(|i| {
                        // Mostly ascending, with repeats and the odd step back.
                        step += match rng.below(10) {
                            0 => 0,
                            1 => -3,
                            _ => 1 + rng.below(2) as i64,
                        };
                        let value = match rng.below(12) {
                            0 => f64::NAN,
                            1 => f64::INFINITY,
                            _ => (rng.below(2000) as f64 - 1000.0) / 7.0,
                        };
                        MetricPoint {
                            timestamp: 1000 + i as i64,
                            value,
                            step,
                        }
                    })
                    .collect()
            })
            .collect();
        let prepared: Vec<_> = members
            .iter()
            .map(|m| prepare("m", &Arc::new(m.clone()), XMode::Step))
            .collect();
        let refs: Vec<_> = prepared.iter().collect();
        let want = naive_group(&members);
        let std = aggregate("g", &refs, Spread::Std);
        let mm = aggregate("g", &refs, Spread::MinMax);
        assert_eq!(std.mean.points.len(), want.len(), "case {case}");
        assert_eq!(std.size, k);
        for (i, &(step, mean, sd, _, n)) in want.iter().enumerate() {
            let close = |a: f64, b: f64| {
                (a.is_nan() && b.is_nan()) || (a - b).abs() <= 1e-9 * (1.0 + b.abs())
            };
            assert_eq!(std.mean.points[i].step, step, "case {case} point {i}");
            assert_eq!(std.mean.xs[i], step as f64);
            assert_eq!(std.n[i], n, "case {case} step {step}");
            assert!(
                close(std.mean.ys[i], mean),
                "case {case} step {step}: {} vs {mean}",
                std.mean.ys[i]
            );
            assert!(
                close(std.high[i] - std.mean.ys[i], sd) || n == 0,
                "case {case} step {step}"
            );
            if n > 0 {
                let vals: Vec<f64> = members
                    .iter()
                    .filter_map(|m| m.iter().rev().find(|p| p.step == step).map(|p| p.value))
                    .filter(|v| v.is_finite())
                    .collect();
                let min = vals.iter().copied().fold(f64::INFINITY, f64::min);
                let max = vals.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                assert!(
                    mm.low[i] <= min.max(mm.mean.ys[i]) && close(mm.low[i], min),
                    "case {case}"
                );
                assert!(close(mm.high[i], max), "case {case}");
            }
        }
    }
}

/// Run with `cargo test --release --test chart_math -- --ignored --nocapture`.
#[test]
#[ignore]
fn bench_group_thousand_runs_into_ten() {
    use ferroflow::core::chart::{aggregate, Spread};
    let mut noise = Lcg(7);
    let prepared: Vec<_> = (0..1000)
        .map(|_| {
            let points: Vec<MetricPoint> = (0..1000)
                .map(|s| MetricPoint {
                    timestamp: s,
                    value: noise.next_f64(),
                    step: s,
                })
                .collect();
            prepare("r", &Arc::new(points), XMode::Step)
        })
        .collect();
    let t = Instant::now();
    let groups: Vec<_> = prepared
        .chunks(100)
        .map(|c| aggregate("g", &c.iter().collect::<Vec<_>>(), Spread::Std))
        .collect();
    println!(
        "1,000 runs × 1,000 steps into {} groups: {:.1} ms (native)",
        groups.len(),
        t.elapsed().as_secs_f64() * 1e3
    );
    assert!(groups
        .iter()
        .all(|g| g.mean.points.len() == 1000 && g.n[0] == 100));
}

/// `prepare` against the plain definition, for random histories in every mode: a
/// stable sort by the mode's key, x from it (relative time from the earliest
/// timestamp), the values carried bit for bit. Half the histories are in order (the
/// one-pass path), the rest shuffled, with repeated steps and timestamps.
#[test]
fn prepare_is_a_stable_sort_by_the_axis_with_exact_columns() {
    let mut rng = Rng::new(0x5e71e5);
    for round in 0..400 {
        let n = rng.below(60) as usize;
        let mut points: Vec<MetricPoint> = Vec::with_capacity(n);
        let (mut step, mut ts) = (
            rng.below(5) as i64 - 2,
            1_700_000_000_000i64 + rng.below(1000) as i64,
        );
        for _ in 0..n {
            step += rng.below(3) as i64;
            ts += rng.below(3) as i64;
            points.push(MetricPoint {
                timestamp: ts,
                value: f64::from_bits(rng.u64()),
                step,
            });
        }
        if round % 2 == 1 {
            for i in (1..n).rev() {
                points.swap(i, rng.below(i as u64 + 1) as usize);
            }
        }
        let history = Arc::new(points.clone());
        for mode in XMode::ALL {
            let key = |p: &MetricPoint| {
                if mode == XMode::Step {
                    p.step
                } else {
                    p.timestamp
                }
            };
            let mut want = points.clone();
            want.sort_by_key(key);
            let t0 = points.iter().map(|p| p.timestamp).min().unwrap_or(0);
            let want_xs: Vec<f64> = want
                .iter()
                .map(|p| match mode {
                    XMode::Step => p.step as f64,
                    XMode::WallTime => p.timestamp as f64,
                    _ => (p.timestamp - t0) as f64,
                })
                .collect();
            let got = prepare("r", &history, mode);
            assert_eq!(got.xs.as_slice(), want_xs, "round {round} {mode:?}");
            let bits = |v: &[f64]| v.iter().map(|y| y.to_bits()).collect::<Vec<_>>();
            let want_ys: Vec<f64> = want.iter().map(|p| p.value).collect();
            assert_eq!(bits(&got.ys), bits(&want_ys), "round {round} {mode:?}");
            let exact = |v: &[MetricPoint]| {
                v.iter()
                    .map(|p| (p.step, p.timestamp, p.value.to_bits()))
                    .collect::<Vec<_>>()
            };
            assert_eq!(exact(&got.points), exact(&want), "round {round} {mode:?}");
            if exact(&want) == exact(&points) {
                assert!(
                    Arc::ptr_eq(&got.points, &history),
                    "an in-order history is shared"
                );
            }
        }
    }
}
