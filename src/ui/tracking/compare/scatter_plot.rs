//! A scatter plot (SVG) of any two params or metrics, one point per run.

use std::sync::Arc;

use leptos::prelude::*;

use crate::core::text::format::ellipsize;

use crate::core::compare::{axis, plot_keys, CompareData};
use crate::core::table::column_key::{ColumnKey, ColumnKind};

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 380.0;
const LEFT: f64 = 90.0;
const RIGHT: f64 = 24.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 56.0;
/// Points are kept off the frame by this fraction of the plot.
const PAD: f64 = 0.05;

/// Two selects (x and y) and the plot.
#[component]
pub fn ScatterPlot(data: Memo<Arc<CompareData>>) -> impl IntoView {
    let keys = Memo::new(move |_| data.with(|d| plot_keys(d)));
    // Defaults: the first param against the first metric (or the first two keys).
    let defaults = Memo::new(move |_| {
        keys.with(|ks| {
            let first_param = ks.iter().find(|k| k.kind() == ColumnKind::Params);
            let first_metric = ks.iter().find(|k| k.kind() == ColumnKind::Metrics);
            match (first_param, first_metric) {
                (Some(p), Some(m)) => (Some(p.clone()), Some(m.clone())),
                _ => (ks.first().cloned(), ks.get(1).or(ks.first()).cloned()),
            }
        })
    });
    let x_pick = RwSignal::new(None::<ColumnKey>);
    let y_pick = RwSignal::new(None::<ColumnKey>);
    let valid = move |k: Option<ColumnKey>| k.filter(|k| keys.with(|ks| ks.contains(k)));
    let x_key = Memo::new(move |_| valid(x_pick.get()).or_else(|| defaults.get().0));
    let y_key = Memo::new(move |_| valid(y_pick.get()).or_else(|| defaults.get().1));
    let select = move |label: &'static str,
                       current: Memo<Option<ColumnKey>>,
                       set: RwSignal<Option<ColumnKey>>| {
        view! {
            <label class="field">
                <span>{label}</span>
                <select aria-label=format!("Scatter {label}") on:change=move |ev| set.set(ColumnKey::parse(&event_target_value(&ev)))>
                    {move || keys.get().into_iter().map(|k| {
                        let id = k.to_string();
                        let selected = current.get().as_ref() == Some(&k);
                        view! { <option value=id selected=selected>{format!("{} {}", k.kind().singular(), k.name())}</option> }
                    }).collect_view()}
                </select>
            </label>
        }
    };
    view! {
        <div class="plot scatter">
            <div class="plot-controls">
                {select("X axis", x_key, x_pick)}
                {select("Y axis", y_key, y_pick)}
            </div>
            {move || {
                let (Some(xk), Some(yk)) = (x_key.get(), y_key.get()) else {
                    return view! { <p class="muted">"These runs have no params or metrics to plot."</p> }.into_any();
                };
                let d = data.get();
                let (ax, ay) = (axis(&d, &xk), axis(&d, &yk));
                let px = |p: f64| LEFT + (PAD + p * (1.0 - 2.0 * PAD)) * (WIDTH - LEFT - RIGHT);
                let py = |p: f64| TOP + (1.0 - PAD - p * (1.0 - 2.0 * PAD)) * (HEIGHT - TOP - BOTTOM);
                let x_ticks = ax.ticks.iter().map(|(p, l)| view! {
                    <g class="tick">
                        <line x1=px(*p) x2=px(*p) y1=TOP y2={HEIGHT - BOTTOM} class="grid"/>
                        <text x=px(*p) y={HEIGHT - BOTTOM + 16.0} text-anchor="middle">{ellipsize(l, 12)}</text>
                    </g>
                }).collect_view();
                let y_ticks = ay.ticks.iter().map(|(p, l)| view! {
                    <g class="tick">
                        <line x1=LEFT x2={WIDTH - RIGHT} y1=py(*p) y2=py(*p) class="grid"/>
                        <text x={LEFT - 8.0} y=py(*p) dy="0.32em" text-anchor="end">{ellipsize(l, 12)}</text>
                    </g>
                }).collect_view();
                let mut plotted = 0;
                let points = d.runs.iter().enumerate().filter_map(|(i, r)| {
                    let (x, y) = (ax.positions[i]?, ay.positions[i]?);
                    plotted += 1;
                    let tip = format!(
                        "{}\n{}: {}\n{}: {}",
                        r.name,
                        xk.name(), r.text(&xk).unwrap_or_default(),
                        yk.name(), r.text(&yk).unwrap_or_default()
                    );
                    Some(view! {
                        <g class=format!("point s{}", i % 10 + 1)>
                            <circle cx=px(x) cy=py(y) r="6"><title>{tip}</title></circle>
                            // Labels of points in the right half go on their left.
                            {if x > 0.6 {
                                view! { <text x={px(x) - 9.0} y=py(y) dy="0.32em" text-anchor="end">{ellipsize(&r.name, 18)}</text> }.into_any()
                            } else {
                                view! { <text x={px(x) + 9.0} y=py(y) dy="0.32em">{ellipsize(&r.name, 18)}</text> }.into_any()
                            }}
                        </g>
                    })
                }).collect::<Vec<_>>();
                let missing = d.runs.len() - plotted;
                view! {
                    <div class="plot-scroll">
                        <svg role="img" aria-label=format!("Scatter plot of {} against {}", yk.name(), xk.name())
                            width=WIDTH height=HEIGHT viewBox=format!("0 0 {WIDTH} {HEIGHT}")>
                            <rect class="frame" x=LEFT y=TOP width={WIDTH - LEFT - RIGHT} height={HEIGHT - TOP - BOTTOM}/>
                            {x_ticks}
                            {y_ticks}
                            <text class="axis-title" x={(LEFT + WIDTH - RIGHT) / 2.0} y={HEIGHT - 12.0} text-anchor="middle">
                                {format!("{} {}", xk.kind().singular(), ellipsize(xk.name(), 40))}
                            </text>
                            <text class="axis-title" transform=format!("translate(16 {}) rotate(-90)", (TOP + HEIGHT - BOTTOM) / 2.0) text-anchor="middle">
                                {format!("{} {}", yk.kind().singular(), ellipsize(yk.name(), 30))}
                            </text>
                            {points}
                        </svg>
                    </div>
                    {(missing > 0).then(|| view! {
                        <p class="muted">{format!("{missing} run(s) lack one of these values and are not shown.")}</p>
                    })}
                }.into_any()
            }}
        </div>
    }
}
