//! A parallel-coordinates plot (SVG): one vertical axis per chosen param or metric,
//! one line per run through its value on each axis.

use std::sync::Arc;

use leptos::prelude::*;

use crate::core::text::format::ellipsize;

use crate::core::compare::{axis, plot_keys, varies, Axis, CompareData};
use crate::core::table::column_key::{ColumnKey, ColumnKind};

const AXIS_GAP: f64 = 150.0;
const MARGIN_X: f64 = 100.0;
const TOP: f64 = 60.0;
const BOTTOM: f64 = 24.0;
const HEIGHT: f64 = 340.0;
/// Axes chosen by default, at most.
const DEFAULT_AXES: usize = 8;

/// The default axes: params that differ between the runs, then metrics.
fn default_axes(data: &CompareData) -> Vec<ColumnKey> {
    let keys = plot_keys(data);
    let mut chosen: Vec<ColumnKey> = keys
        .iter()
        .filter(|k| k.kind() == ColumnKind::Params && varies(data, k))
        .cloned()
        .collect();
    chosen.extend(keys.into_iter().filter(|k| k.kind() == ColumnKind::Metrics));
    chosen.truncate(DEFAULT_AXES);
    chosen
}

/// The plot, with checkboxes choosing its axes.
#[component]
pub fn ParallelCoordinates(data: Memo<Arc<CompareData>>) -> impl IntoView {
    // `None` until the user changes the axes: then defaults follow the data.
    let picked = RwSignal::new(None::<Vec<ColumnKey>>);
    let axes_keys = Memo::new(move |_| {
        picked
            .get()
            .unwrap_or_else(|| data.with(|d| default_axes(d)))
    });
    let axes = Memo::new(move |_| {
        let d = data.get();
        axes_keys
            .get()
            .iter()
            .map(|k| axis(&d, k))
            .collect::<Vec<Axis>>()
    });
    let toggle = move |key: ColumnKey| {
        let mut keys = axes_keys.get_untracked();
        if let Some(i) = keys.iter().position(|k| *k == key) {
            keys.remove(i);
        } else {
            let order = data.with_untracked(|d| plot_keys(d));
            keys.push(key);
            keys.sort_by_key(|k| order.iter().position(|o| o == k));
        }
        picked.set(Some(keys));
    };
    view! {
        <div class="plot parallel">
            {move || {
                let axes = axes.get();
                let runs = data.with(|d| d.runs.iter().map(|r| r.name.clone()).collect::<Vec<_>>());
                if axes.is_empty() {
                    return view! { <p class="muted">"Choose at least one param or metric below."</p> }.into_any();
                }
                let width = MARGIN_X * 2.0 + AXIS_GAP * (axes.len().max(2) - 1) as f64;
                let x = move |i: usize| MARGIN_X + AXIS_GAP * i as f64;
                let y = |p: f64| TOP + (1.0 - p) * (HEIGHT - TOP - BOTTOM);
                let lines = runs.iter().enumerate().map(|(r, name)| {
                    let mut d = String::new();
                    let mut pen_down = false;
                    for (i, a) in axes.iter().enumerate() {
                        match a.positions[r] {
                            Some(p) => {
                                d.push_str(&format!("{}{:.1},{:.1} ", if pen_down { "L" } else { "M" }, x(i), y(p)));
                                pen_down = true;
                            }
                            None => pen_down = false,
                        }
                    }
                    view! {
                        <path class=format!("line s{}", r % 10 + 1) d=d>
                            <title>{name.clone()}</title>
                        </path>
                    }
                }).collect_view();
                let axis_views = axes.iter().enumerate().map(|(i, a)| {
                    let ticks = a.ticks.iter().map(|(p, label)| view! {
                        <g class="tick">
                            <line x1={x(i) - 4.0} x2=x(i) y1=y(*p) y2=y(*p)/>
                            <text x={x(i) - 7.0} y=y(*p) dy="0.32em" text-anchor="end">{ellipsize(label, 12)}</text>
                        </g>
                    }).collect_view();
                    let title = format!("{} {}", a.key.kind().singular(), a.key.name());
                    view! {
                        <g class="axis">
                            <line x1=x(i) x2=x(i) y1=TOP y2={HEIGHT - BOTTOM}/>
                            {ticks}
                            <text class="axis-title" x=x(i) y={TOP - 30.0} text-anchor="middle">
                                <title>{title}</title>
                                {ellipsize(a.key.name(), 20)}
                            </text>
                            <text class="axis-kind" x=x(i) y={TOP - 16.0} text-anchor="middle">{a.key.kind().singular()}</text>
                        </g>
                    }
                }).collect_view();
                view! {
                    <div class="plot-scroll">
                        <svg
                            role="img"
                            aria-label="Parallel coordinates of the compared runs"
                            width=width
                            height=HEIGHT
                            viewBox=format!("0 0 {width} {HEIGHT}")
                        >
                            <g class="lines">{lines}</g>
                            {axis_views}
                        </svg>
                    </div>
                }.into_any()
            }}
            <details class="axis-picker">
                <summary>"Axes"</summary>
                <ul>
                    {move || data.with(|d| plot_keys(d)).into_iter().map(|k| {
                        let k2 = k.clone();
                        let on = move || axes_keys.with(|a| a.contains(&k2));
                        let label = format!("{} {}", k.kind().singular(), k.name());
                        view! {
                            <li><label>
                                <input type="checkbox" prop:checked=on on:change=move |_| toggle(k.clone())/>
                                {label}
                            </label></li>
                        }
                    }).collect_view()}
                </ul>
            </details>
        </div>
    }
}
