//! The compare page's overlaid metric charts: one chart per metric key, one line per
//! compared run that logged it (the `HistoryChart` the run page uses too).

use std::sync::Arc;

use leptos::prelude::*;

use crate::core::compare::CompareData;
use crate::ui::widgets::chart::{ChartGroups, HistoryChart};

/// A chart for every metric any of the runs logged.
#[component]
pub fn CompareCharts(
    data: Memo<Arc<CompareData>>,
    /// The runs grouped, when "Group by" is set: every chart draws the groups.
    groups: Signal<Option<ChartGroups>>,
) -> impl IntoView {
    let keys = Memo::new(move |_| {
        data.with(|d| {
            let mut keys: Vec<String> = d
                .runs
                .iter()
                .flat_map(|r| r.metrics.keys().cloned())
                .collect();
            keys.sort();
            keys.dedup();
            keys
        })
    });
    view! {
        <section class="compare-charts">
            <h2>"Metric charts"</h2>
            <Show when=move || !keys.read().is_empty()
                fallback=|| view! { <p class="muted">"None of these runs logged a metric."</p> }>
                <div class="chart-grid">
                    <For each=move || keys.get() key=|k| k.clone() let:key>
                        <OverlaidChart data key groups/>
                    </For>
                </div>
            </Show>
        </section>
    }
}

/// One metric for every run that has it, in compare order.
#[component]
fn OverlaidChart(
    data: Memo<Arc<CompareData>>,
    key: String,
    groups: Signal<Option<ChartGroups>>,
) -> impl IntoView {
    let runs = Memo::new({
        let key = key.clone();
        move |_| {
            data.with(|d| {
                d.runs
                    .iter()
                    .filter(|r| r.metrics.contains_key(&key))
                    .map(|r| (r.id.clone(), r.name.clone()))
                    .collect::<Vec<_>>()
            })
        }
    });
    view! { <HistoryChart key runs long_form=true groups/> }
}
