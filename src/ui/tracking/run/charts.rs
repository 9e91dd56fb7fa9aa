//! A chart for every metric of the run, each with its full history.

use leptos::prelude::*;

use super::handle::RunHandle;
use crate::ui::widgets::chart::HistoryChart;

/// The charts grid.
#[component]
pub fn RunCharts(h: RunHandle) -> impl IntoView {
    let keys = Memo::new(move |_| {
        h.run.with(|r| {
            r.as_ref()
                .map(|r| r.metrics.keys().cloned().collect::<Vec<_>>())
                .unwrap_or_default()
        })
    });
    // The one line is this run, labelled with its (editable) name.
    let runs = Signal::derive(move || {
        let name = h.run.with(|r| {
            r.as_ref()
                .map(|r| r.info.run_name.clone())
                .unwrap_or_default()
        });
        vec![(h.id.get_value(), name)]
    });
    view! {
        <section class="run-section run-charts">
            <h2>"Metric charts"</h2>
            <Show when=move || !keys.read().is_empty()
                fallback=|| view! { <p class="muted">"No metrics logged, so nothing to chart."</p> }>
                <div class="chart-grid">
                    <For each=move || keys.get() key=|k| k.clone() let:key>
                        <HistoryChart key runs/>
                    </For>
                </div>
            </Show>
        </section>
    }
}
