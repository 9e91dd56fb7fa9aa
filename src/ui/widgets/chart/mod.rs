//! `MetricChart`: metric histories as line charts on a `<canvas>`.
//!
//! ```ignore
//! use crate::ui::widgets::chart::{ChartSeries, MetricChart};
//! let series = Signal::derive(move || vec![ChartSeries {
//!     label: "run-a".into(), run_id: id.clone(), points: Arc::new(history),
//!     x_points: None,
//! }]);
//! view! { <MetricChart series=series title="loss"/> }
//! ```
//!
//! One or more series (one per run, for the compare page) are overlaid. The user picks
//! the x axis (step, wall time, time since the first point, or another metric the
//! caller offers, joined on step: `core::chart::prepare_against`), a linear or log y axis
//! and EMA smoothing; can fit the y axis without the top and bottom 1 % of the
//! visible values ("Clip outliers") or freeze it as drawn ("Lock y", so live points,
//! zoom and smoothing leave it be); drags across the plot to zoom into an x range and
//! double-clicks to reset; hovering lists each series' nearest point.
//!
//! Why canvas: a history may hold a million points. Series are put in x order once
//! when they arrive (`core::chart::prepare`); each draw then cuts every series down
//! to the first/min/max/last point of each device-pixel column
//! (`core::chart::downsample_min_max_sorted`), so a draw costs the same for 1,000 or
//! 1,000,000 points, and spikes survive. SVG would need a DOM node per segment. The
//! geometry, hit testing and pen strokes are `core::chart`; this module wires them
//! to signals and the DOM.
//! Hover, the drag rectangle and the tooltip are DOM overlays, so moving the mouse
//! never repaints the canvas.
//!
//! The canvas carries `data-draw-ms` (the last redraw, from inputs to pixels, incl.
//! any layout and downsampling it needed), `data-prepare-ms` (the last time series
//! were put in x order and into columns), `data-points`, `data-drawn-points`,
//! `data-x-range`, `data-x-mode` ("step", "wall", "relative", "metric:<key>"),
//! `data-y-scale`, `data-y-range` (the y domain, "low high"),
//! `data-y-clip` and `data-y-lock` ("on"/"off") and `data-smoothing` (what the last
//! paint showed),
//! for benchmarks and tests; grouped (the `groups` prop: one mean line and band per
//! group, `core::chart::aggregate`), also `data-groups` (how many), `data-band` (the
//! spread: "std", "minmax", "stderr") and `data-group-ms` (the last aggregation).

mod draw;
mod history;
mod watch;

pub use history::HistoryChart;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use leptos::html;
use leptos::prelude::*;

use draw::{draw, Colors, PALETTE_SIZE};
use watch::{watch_size_and_theme, Teardown};

use crate::core::chart::{
    aggregate, ema_smooth, format_x, full_x_range, geometry_with_bands, hover as hit_test,
    parse_x_choice, prepare, prepare_against, x_choice_value, zoom_to_pixels, ChartOptions,
    ChartView, PreparedSeries, Scale, ScaleKind, Spread, XMode, MAX_SMOOTHING_WEIGHT,
};
use crate::core::table::column_key::ColumnKey;
use crate::core::table::groups::RunGroup;
use crate::core::text::format::format_value;
use crate::core::tracking::model::MetricPoint;
use crate::ui::widgets::local_utc_offset_ms;

/// One line of a [`MetricChart`]: a run's history of one metric.
///
/// `points` is an `Arc` because leptos signals hold `Send + Sync` values. Two
/// series are equal when label, run and the *same* `points` allocation match, so
/// memos over series never compare histories point by point.
#[derive(Clone, Debug)]
pub struct ChartSeries {
    /// Legend label (a run name).
    pub label: String,
    /// The run it belongs to.
    pub run_id: String,
    /// The history, in any order (it is sorted by x for drawing if need be).
    pub points: Arc<Vec<MetricPoint>>,
    /// The same run's history of the x metric, when the x axis is a metric and it
    /// has loaded (`None` draws nothing in that mode).
    pub x_points: Option<Arc<Vec<MetricPoint>>>,
}

impl PartialEq for ChartSeries {
    fn eq(&self, other: &Self) -> bool {
        self.label == other.label
            && self.run_id == other.run_id
            && Arc::ptr_eq(&self.points, &other.points)
            && match (&self.x_points, &other.x_points) {
                (Some(a), Some(b)) => Arc::ptr_eq(a, b),
                (a, b) => a.is_none() && b.is_none(),
            }
    }
}

/// Runs drawn as groups: each group's legend label (`lr=0.1 · 3 runs`) and its
/// members' run ids; series whose run is in no group are not drawn.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ChartGroups(pub Vec<(String, Vec<String>)>);

impl ChartGroups {
    /// `groups` of runs grouped by `key`, each named by its legend.
    pub fn of(key: &ColumnKey, groups: &[RunGroup]) -> Self {
        ChartGroups(
            groups
                .iter()
                .map(|g| (g.legend(key), g.run_ids.clone()))
                .collect(),
        )
    }
}

/// A group's band beside its mean line (`core::chart::GroupedSeries` without the mean).
#[derive(Clone, Debug)]
pub(crate) struct Band {
    pub low: Vec<f64>,
    pub high: Vec<f64>,
    pub n: Vec<u32>,
    pub size: usize,
}

/// What the chart draws: the runs' series, or the groups' means and bands.
#[derive(Clone)]
struct Shown {
    series: Arc<Vec<PreparedSeries>>,
    smoothed: Arc<Vec<Option<Arc<Vec<f64>>>>>,
    bands: Arc<Vec<Band>>,
}

impl PartialEq for Shown {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.series, &other.series)
            && Arc::ptr_eq(&self.smoothed, &other.smoothed)
            && Arc::ptr_eq(&self.bands, &other.bands)
    }
}

/// A recomputed value that is only ever equal to itself, so memos holding large
/// columns notify on recompute instead of comparing them.
struct Fresh<T>(Arc<T>);

impl<T> Clone for Fresh<T> {
    fn clone(&self) -> Self {
        Fresh(self.0.clone())
    }
}

impl<T> PartialEq for Fresh<T> {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

/// The tooltip for what the mouse points at: each series' nearest point.
#[derive(Clone, Debug, PartialEq)]
struct Tooltip {
    /// Mouse position over the plot (CSS px).
    at: (f64, f64),
    /// Where the first series' nearest point sits, for the crosshair.
    snap_px: f64,
    header: String,
    rows: Vec<TooltipRow>,
}

#[derive(Clone, Debug, PartialEq)]
struct TooltipRow {
    label: String,
    color: usize,
    value: String,
    smoothed: Option<String>,
    step: i64,
    dot: Option<(f64, f64)>,
    /// A group's band `[low – high]`, and `n of N runs` when not all count here.
    band: Option<(String, Option<String>)>,
}

fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map(|p| p.now())
        .unwrap_or(0.0)
}

fn store_ms(cell: &AtomicU64, ms: f64) {
    cell.store(ms.to_bits(), Ordering::Relaxed);
}

/// A line chart of metric histories (see the module doc).
#[component]
pub fn MetricChart(
    /// The histories to overlay.
    #[prop(into)]
    series: Signal<Vec<ChartSeries>>,
    /// The heading (the metric key).
    #[prop(into)]
    title: String,
    /// True while histories are still loading (shown instead of "no data").
    #[prop(optional, into)]
    loading: Signal<bool>,
    /// The controls' settings (the site's defaults unless given). When they change
    /// the controls follow; when the user changes a control, `on_options` hears it.
    #[prop(optional, into)]
    options: Signal<ChartOptions>,
    /// Told the settings each time the user changes a control (the runs page keeps
    /// them in the URL).
    #[prop(default = None)]
    on_options: Option<Callback<ChartOptions>>,
    /// When given, a "CSV" button among the controls runs it (the caller writes the
    /// file: it knows the full histories and how the page names them).
    #[prop(optional)]
    csv: Option<Callback<()>>,
    /// Other metrics the x axis may be (the menu's "Metric" group; none if empty).
    #[prop(optional, into)]
    x_keys: Signal<Vec<String>>,
    /// The x metric chosen, when the x axis is a metric; the caller owns it because
    /// it loads that metric's histories into [`ChartSeries::x_points`].
    #[prop(optional)]
    x_metric: Option<RwSignal<Option<String>>>,
    /// When given, one line per group: the members' mean with a band (the "Band"
    /// control picks ± std, min–max or ± std error).
    #[prop(optional, into)]
    groups: Signal<Option<ChartGroups>>,
) -> impl IntoView {
    let start = options.get_untracked();
    let spread = RwSignal::new(start.spread);
    let group_ms = Arc::new(AtomicU64::new(0));
    let x_mode = RwSignal::new(start.x);
    let x_metric = x_metric.unwrap_or_else(|| RwSignal::new(None));
    x_metric.set(start.x_metric);
    let x_choice = move || x_metric.with(|k| x_choice_value(x_mode.get(), k.as_deref()));
    let y_log = RwSignal::new(start.log_y);
    let smoothing = RwSignal::new(start.smoothing);
    let clip_outliers = RwSignal::new(start.clip_outliers);
    // The y domain "Lock y" froze, as it was drawn when checked.
    let y_lock = RwSignal::new(start.y_lock);
    let settings = move || ChartOptions {
        x: x_mode.get(),
        x_metric: x_metric.get().filter(|_| x_mode.get() == XMode::Metric),
        log_y: y_log.get(),
        clip_outliers: clip_outliers.get(),
        y_lock: y_lock.get(),
        smoothing: smoothing.get(),
        spread: spread.get(),
    };
    // Settings from outside (a saved view, the back button) move the controls; a
    // control the user moved is reported. Each side compares first, so neither
    // echoes the other.
    Effect::new(move |_| {
        let o = options.get();
        if o != untrack(settings) {
            x_mode.set(o.x);
            x_metric.set(o.x_metric);
            y_log.set(o.log_y);
            clip_outliers.set(o.clip_outliers);
            y_lock.set(o.y_lock);
            smoothing.set(o.smoothing);
            spread.set(o.spread);
        }
    });
    if let Some(report) = on_options {
        Effect::new(move |_| {
            let now = settings();
            if now != options.get_untracked() {
                report.run(now);
            }
        });
    }
    let zoom = RwSignal::new(None::<(f64, f64)>);
    // CSS width, height and device pixel ratio of the plot area.
    let size = RwSignal::new((0.0f64, 0.0f64, 1.0f64));
    let theme = RwSignal::new(0u32);
    let hover = RwSignal::new(None::<(f64, f64)>);
    let drag = RwSignal::new(None::<(f64, f64)>);
    let prepare_ms = Arc::new(AtomicU64::new(0));

    let prepared = Memo::new({
        let prepare_ms = prepare_ms.clone();
        move |_| {
            let mode = x_mode.get();
            let t0 = now_ms();
            let out: Vec<PreparedSeries> = series.with(|all| {
                all.iter()
                    .map(|s| match (mode, &s.x_points) {
                        (XMode::Metric, Some(x)) => prepare_against(&s.label, &s.points, x).series,
                        (XMode::Metric, None) => prepare(&s.label, &Arc::default(), mode),
                        _ => prepare(&s.label, &s.points, mode),
                    })
                    .collect()
            });
            store_ms(&prepare_ms, now_ms() - t0);
            Fresh(Arc::new(out))
        }
    });
    let smoothed = Memo::new(move |_| {
        let w = smoothing.get();
        let out: Vec<Option<Arc<Vec<f64>>>> = prepared.with(|p| {
            p.0.iter()
                .map(|s| (w > 0.0).then(|| Arc::new(ema_smooth(&s.ys, w))))
                .collect()
        });
        Fresh(Arc::new(out))
    });
    // Grouped: one mean series and band per group, members matched by run id.
    let shown = Memo::new({
        let group_ms = group_ms.clone();
        move |_| {
            let Some(gs) = groups.get() else {
                return Shown {
                    series: prepared.get().0,
                    smoothed: smoothed.get().0,
                    bands: Arc::new(Vec::new()),
                };
            };
            let spread = spread.get();
            let t0 = now_ms();
            let (means, bands): (Vec<PreparedSeries>, Vec<Band>) = prepared.with(|p| {
                series.with(|all| {
                    gs.0.iter()
                        .map(|(label, ids)| {
                            let members: Vec<&PreparedSeries> = all
                                .iter()
                                .zip(p.0.iter())
                                .filter(|(s, _)| ids.contains(&s.run_id))
                                .map(|(_, p)| p)
                                .collect();
                            let g = aggregate(label, &members, spread);
                            let band = Band {
                                low: g.low,
                                high: g.high,
                                n: g.n,
                                size: g.size,
                            };
                            (g.mean, band)
                        })
                        .unzip()
                })
            });
            store_ms(&group_ms, now_ms() - t0);
            let w = smoothing.get();
            let smoothed = means
                .iter()
                .map(|s| (w > 0.0).then(|| Arc::new(ema_smooth(&s.ys, w))))
                .collect();
            Shown {
                series: Arc::new(means),
                smoothed: Arc::new(smoothed),
                bands: Arc::new(bands),
            }
        }
    });
    let full_range = Memo::new(move |_| prepared.with(|p| full_x_range(&p.0)));
    let geo = Memo::new(move |_| {
        let (w, h, _) = size.get();
        if w <= 0.0 || h <= 0.0 {
            return None;
        }
        let range = zoom.get().or(full_range.get()).unwrap_or((0.0, 1.0));
        let shown = shown.get();
        let view = ChartView {
            mode: x_mode.get(),
            x_range: range,
            y_scale: if y_log.get() {
                ScaleKind::Log
            } else {
                ScaleKind::Linear
            },
            clip_outliers: clip_outliers.get(),
            y_fixed: y_lock.get(),
            width: w,
            height: h,
        };
        let bands: Vec<[&[f64]; 2]> = shown
            .bands
            .iter()
            .map(|b| [b.low.as_slice(), b.high.as_slice()])
            .collect();
        Some(Arc::new(geometry_with_bands(
            &shown.series,
            &shown.smoothed,
            &bands,
            &view,
            local_utc_offset_ms,
        )))
    });
    let total_points =
        Memo::new(move |_| series.with(|s| s.iter().map(|s| s.points.len()).sum::<usize>()));

    let canvas_ref = NodeRef::<html::Canvas>::new();
    let plot_ref = NodeRef::<html::Div>::new();

    // Paint whenever the data, view, size or theme change.
    Effect::new({
        let prepare_ms = prepare_ms.clone();
        let group_ms = group_ms.clone();
        move |_| {
            theme.track();
            let Some(canvas) = canvas_ref.get() else {
                return;
            };
            let t0 = now_ms();
            let Some(g) = geo.get() else { return };
            let dpr = size.get().2;
            let colors = Colors::read(&canvas);
            let drawn = shown.with(|sh| {
                draw(
                    &canvas,
                    &g,
                    &sh.series,
                    &sh.smoothed,
                    &sh.bands,
                    &colors,
                    dpr,
                )
            });
            let grouped = groups.with(|g| g.as_ref().map(|g| g.0.len()));
            let group_ms = f64::from_bits(group_ms.load(Ordering::Relaxed));
            let ms = now_ms() - t0;
            let (lo, hi) = g.x.domain();
            let (y_lo, y_hi) = g.y.domain();
            let on_off = |on: bool| if on { "on" } else { "off" }.to_owned();
            let prep = f64::from_bits(prepare_ms.load(Ordering::Relaxed));
            for (k, v) in [
                ("data-draw-ms", format!("{ms:.2}")),
                ("data-prepare-ms", format!("{prep:.2}")),
                ("data-points", total_points.get_untracked().to_string()),
                ("data-drawn-points", drawn.to_string()),
                ("data-x-range", format!("{lo} {hi}")),
                ("data-x-mode", x_choice()),
                ("data-y-range", format!("{y_lo} {y_hi}")),
                // Tracked: locking (or clipping nothing) leaves the geometry as it
                // was, yet the canvas says what is on.
                ("data-y-clip", on_off(clip_outliers.get())),
                ("data-y-lock", on_off(y_lock.with(Option::is_some))),
                (
                    "data-y-scale",
                    if y_log.get_untracked() {
                        "log"
                    } else {
                        "linear"
                    }
                    .to_owned(),
                ),
                ("data-smoothing", smoothing.get_untracked().to_string()),
            ] {
                let _ = canvas.set_attribute(k, &v);
            }
            match grouped {
                Some(count) => {
                    for (k, v) in [
                        ("data-groups", count.to_string()),
                        ("data-band", spread.get_untracked().as_str().to_owned()),
                        ("data-group-ms", format!("{group_ms:.2}")),
                    ] {
                        let _ = canvas.set_attribute(k, &v);
                    }
                }
                None => {
                    for k in ["data-groups", "data-band", "data-group-ms"] {
                        let _ = canvas.remove_attribute(k);
                    }
                }
            }
        }
    });

    // Size from a ResizeObserver; colours again when the theme changes.
    // (Cleanups run before the owner's stored values are dropped.)
    let teardown: Teardown = StoredValue::new_local(Vec::new());
    on_cleanup(move || {
        for f in teardown
            .try_update_value(std::mem::take)
            .unwrap_or_default()
        {
            f();
        }
    });
    plot_ref.on_load(move |el| watch_size_and_theme(&el, size, theme, teardown));

    let hover_info = Memo::new(move |_| {
        let at = hover.get()?;
        if drag.get().is_some() {
            return None;
        }
        let g = geo.get()?;
        let mode = x_mode.get();
        let sh = shown.get();
        let hit = hit_test(&g, &sh.series, &sh.smoothed, at)?;
        let rows = hit
            .points
            .iter()
            .map(|h| {
                let s = &sh.series[h.series];
                let point = s.points[h.index];
                let band = sh.bands.get(h.series).map(|b| {
                    let range = format!(
                        "[{} – {}]",
                        format_value(b.low[h.index]),
                        format_value(b.high[h.index])
                    );
                    let n = b.n[h.index] as usize;
                    (
                        range,
                        (n < b.size).then(|| format!("{n} of {} runs", b.size)),
                    )
                });
                TooltipRow {
                    label: s.label.clone(),
                    color: h.series % PALETTE_SIZE,
                    value: format_value(point.value),
                    smoothed: h.smoothed.map(format_value),
                    step: point.step,
                    dot: h.dot,
                    band,
                }
            })
            .collect();
        let x = format_x(hit.x, mode, local_utc_offset_ms);
        Some(Tooltip {
            at,
            snap_px: hit.crosshair_px,
            header: match mode {
                XMode::Step => format!("Step {x}"),
                XMode::Metric => format!("{} {x}", x_metric.get().unwrap_or_default()),
                _ => x,
            },
            rows,
        })
    });

    // Mouse position relative to the plot element.
    let local = move |ev: &web_sys::MouseEvent| -> Option<(f64, f64)> {
        let el = plot_ref.get_untracked()?;
        let r = el.get_bounding_client_rect();
        Some((
            ev.client_x() as f64 - r.left(),
            ev.client_y() as f64 - r.top(),
        ))
    };
    let finish_drag = move || {
        let Some((a, b)) = drag.get_untracked() else {
            return;
        };
        drag.set(None);
        if let Some(g) = geo.get_untracked() {
            if let Some(range) = zoom_to_pixels(&g.x, a, b) {
                zoom.set(Some(range));
            }
        }
    };

    let drag_rect = move || {
        let (a, b) = drag.get()?;
        let g = geo.get()?;
        let (l, r) = (g.plot.left, g.plot.left + g.plot.width);
        let (x0, x1) = (a.min(b).clamp(l, r), a.max(b).clamp(l, r));
        Some(view! {
            <div class="chart-drag" style:left=format!("{x0}px") style:width=format!("{}px", x1 - x0)
                style:top=format!("{}px", g.plot.top) style:height=format!("{}px", g.plot.height)></div>
        })
    };
    let overlay = move || {
        let h = hover_info.get()?;
        let g = geo.get()?;
        // The tooltip sits on the roomier side of the cursor and never wider than it.
        let flip = h.at.0 > g.width / 2.0;
        let room = if flip { h.at.0 } else { g.width - h.at.0 } - 20.0;
        let step_mode = x_mode.get() == XMode::Step;
        let dots = h
            .rows
            .iter()
            .filter_map(|r| {
                let (x, y) = r.dot?;
                Some(view! { <span class=format!("chart-dot c{}", r.color + 1) style:left=format!("{x}px") style:top=format!("{y}px")></span> })
            })
            .collect_view();
        let rows = h
            .rows
            .into_iter()
            .map(|r| {
                // Step mode names the step in the header; raw values only matter smoothed.
                let mut sub = Vec::new();
                if r.smoothed.is_some() {
                    sub.push(format!("raw {}", r.value));
                }
                if let Some((range, count)) = &r.band {
                    sub.push(range.clone());
                    sub.extend(count.clone());
                }
                if !step_mode {
                    sub.push(format!("step {}", r.step));
                }
                view! {
                    <div class="chart-tip-row">
                        <span class=format!("swatch c{}", r.color + 1)></span>
                        <span class="chart-tip-label">{r.label}</span>
                        <span class="chart-tip-value">{r.smoothed.clone().unwrap_or(r.value)}</span>
                    </div>
                    {(!sub.is_empty()).then(|| view! { <div class="chart-tip-sub muted">{sub.join(" · ")}</div> })}
                }
            })
            .collect_view();
        Some(view! {
            <div class="chart-crosshair" style:left=format!("{}px", h.snap_px)
                style:top=format!("{}px", g.plot.top) style:height=format!("{}px", g.plot.height)></div>
            {dots}
            <div class="chart-tip" class:flip=flip role="tooltip" style:max-width=format!("{}px", room.max(120.0))
                style:left=format!("{}px", h.at.0) style:top=format!("{}px", h.at.1)>
                <div class="chart-tip-head">{h.header}</div>
                {rows}
            </div>
        })
    };
    let zoom_caption = move || {
        let (lo, hi) = zoom.get()?;
        let mode = x_mode.get();
        Some(view! {
            <span class="chart-zoom">
                {format!(
                    "{} {} – {}",
                    mode.label(),
                    format_x(lo, mode, local_utc_offset_ms),
                    format_x(hi, mode, local_utc_offset_ms)
                )}
                <button type="button" class="link" on:click=move |_| zoom.set(None)>"Reset zoom"</button>
            </span>
        })
    };
    let legend = move || {
        if let Some(gs) = groups.get() {
            return Some(
                gs.0.into_iter()
                    .enumerate()
                    .map(|(i, (label, _))| {
                        view! {
                            <li><span class=format!("swatch c{}", i % PALETTE_SIZE + 1)></span>{label}</li>
                        }
                    })
                    .collect_view()
                    .into_any(),
            );
        }
        series.with(|all| {
            (all.len() > 1).then(|| {
                all.iter()
                    .enumerate()
                    .map(|(i, s)| {
                        view! {
                            <li><span class=format!("swatch c{}", i % PALETTE_SIZE + 1)></span>{s.label.clone()}</li>
                        }
                    })
                    .collect_view()
                    .into_any()
            })
        })
    };
    let csv_name = format!("CSV of {title}");
    let aria = {
        let title = title.clone();
        move || format!("Chart of {title}: {} points", total_points.get())
    };
    let status = move || {
        if total_points.get() == 0 {
            Some(if loading.get() {
                "Loading history…"
            } else {
                "No points logged"
            })
        } else if geo.with(|g| g.as_ref().is_some_and(|g| !g.has_data)) {
            Some("No finite values here")
        } else {
            None
        }
    };
    view! {
        <figure class="metric-chart">
            <div class="chart-head">
                <figcaption class="chart-title">{title}</figcaption>
                <div class="chart-controls">
                    <select aria-label="X axis" prop:value=x_choice
                        on:change=move |ev| {
                            let (mode, key) = parse_x_choice(&event_target_value(&ev));
                            x_metric.set(key);
                            x_mode.set(mode);
                            zoom.set(None);
                        }>
                        {XMode::ALL.into_iter().map(|m| view! { <option value=m.as_str() selected=move || x_choice() == m.as_str()>{m.label()}</option> }).collect_view()}
                        {move || x_keys.with(|keys| (!keys.is_empty()).then(|| view! {
                            <optgroup label="Metric">
                                {keys.iter().map(|k| {
                                    let value = format!("metric:{k}");
                                    let is = value.clone();
                                    view! { <option value=value selected=move || x_choice() == is>{k.clone()}</option> }
                                }).collect_view()}
                            </optgroup>
                        }))}
                    </select>
                    <label class="check"><input type="checkbox" prop:checked=move || y_log.get()
                        on:change=move |ev| y_log.set(event_target_checked(&ev))/>"Log scale"</label>
                    <label class="check" title="Fit the y axis without the top and bottom 1 % of the visible values">
                        <input type="checkbox" prop:checked=move || clip_outliers.get()
                            on:change=move |ev| clip_outliers.set(event_target_checked(&ev))/>"Clip outliers"</label>
                    <label class="check" title="Keep the y axis as it is now while points arrive, zoom or smoothing change">
                        <input type="checkbox" prop:checked=move || y_lock.get().is_some()
                            on:change=move |ev| y_lock.set(
                                event_target_checked(&ev)
                                    .then(|| geo.get_untracked().map(|g| g.y.domain()))
                                    .flatten(),
                            )/>"Lock y"</label>
                    <label class="smoothing">"Smoothing"
                        <input type="range" min="0" max=MAX_SMOOTHING_WEIGHT.min(0.99).to_string() step="0.01"
                            prop:value=move || smoothing.get().to_string()
                            on:input=move |ev| smoothing.set(event_target_value(&ev).parse().unwrap_or(0.0))/>
                        <output>{move || format!("{:.2}", smoothing.get())}</output>
                    </label>
                    {move || groups.with(Option::is_some).then(|| view! {
                        <select aria-label="Band" title="The band around each group's mean"
                            prop:value=move || spread.get().as_str()
                            on:change=move |ev| spread.set(Spread::parse(&event_target_value(&ev)))>
                            {Spread::ALL.into_iter().map(|m| view! { <option value=m.as_str()>{m.label()}</option> }).collect_view()}
                        </select>
                    })}
                    {csv.map(|save| view! {
                        <button type="button" class="chart-csv" title="Download the full history as CSV"
                            aria-label=csv_name.clone()
                            disabled=move || loading.get() || series.with(Vec::is_empty)
                            on:click=move |_| save.run(())>"CSV"</button>
                    })}
                </div>
            </div>
            <div class="chart-plot" node_ref=plot_ref
                on:pointerdown=move |ev| {
                    if ev.button() != 0 { return; }
                    ev.prevent_default();
                    // Captured, so a drag that leaves the plot still ends here.
                    if let Some(el) = plot_ref.get_untracked() { let _ = el.set_pointer_capture(ev.pointer_id()); }
                    if let Some((x, _)) = local(&ev) { drag.set(Some((x, x))); }
                }
                on:pointermove=move |ev| {
                    let Some(at) = local(&ev) else { return };
                    hover.set(Some(at));
                    if let Some((a, _)) = drag.get_untracked() { drag.set(Some((a, at.0))); }
                }
                on:pointerup=move |_| finish_drag()
                on:pointercancel=move |_| drag.set(None)
                on:pointerleave=move |_| if drag.get_untracked().is_none() { hover.set(None) }
                on:dblclick=move |_| zoom.set(None)>
                <canvas node_ref=canvas_ref role="img" aria-label=aria></canvas>
                {drag_rect}
                {overlay}
                {move || status().map(|s| view! { <p class="chart-status muted">{s}</p> })}
            </div>
            <div class="chart-foot">
                <ul class="chart-legend">{legend}</ul>
                {zoom_caption}
                {move || geo.get().filter(|g| g.hides_non_positive).map(|_| view! {
                    <span class="muted">"Values ≤ 0 are not shown on a log scale."</span>
                })}
            </div>
        </figure>
    }
}
