//! The run's params and latest metrics as key/value tables.

use leptos::prelude::*;

use super::handle::RunHandle;
use crate::core::text::format::format_value;
use crate::core::tracking::model::MetricPoint;
use crate::ui::widgets::format_time;

/// Params, by key.
#[component]
pub fn ParamsTable(h: RunHandle) -> impl IntoView {
    let params = Memo::new(move |_| {
        h.run.with(|r| {
            r.as_ref()
                .map(|r| r.params.clone().into_iter().collect::<Vec<_>>())
                .unwrap_or_default()
        })
    });
    view! {
        <section class="run-section run-params">
            <h2>"Parameters " <span class="count">{move || params.read().len()}</span></h2>
            <Show when=move || !params.read().is_empty()
                fallback=|| view! { <p class="muted">"No parameters logged."</p> }>
                <table class="grid kv">
                    <thead><tr><th scope="col">"Name"</th><th scope="col">"Value"</th></tr></thead>
                    <tbody>
                        <For each=move || params.get() key=|kv| kv.clone() let:kv>
                            <tr><td class="key">{kv.0}</td><td class="value">{kv.1}</td></tr>
                        </For>
                    </tbody>
                </table>
            </Show>
        </section>
    }
}

/// The latest value of every metric, as MLflow picks it.
#[component]
pub fn MetricsTable(h: RunHandle) -> impl IntoView {
    let metrics = Memo::new(move |_| {
        h.run.with(|r| {
            r.as_ref()
                .map(|r| {
                    r.metrics
                        .iter()
                        .map(|(k, p)| (k.clone(), *p))
                        .collect::<Vec<(String, MetricPoint)>>()
                })
                .unwrap_or_default()
        })
    });
    view! {
        <section class="run-section run-metrics">
            <h2>"Metrics " <span class="count">{move || metrics.read().len()}</span></h2>
            <Show when=move || !metrics.read().is_empty()
                fallback=|| view! { <p class="muted">"No metrics logged."</p> }>
                <table class="grid kv">
                    <thead><tr>
                        <th scope="col">"Name"</th><th scope="col" class="num">"Latest value"</th>
                        <th scope="col" class="num">"Step"</th><th scope="col">"Logged"</th>
                    </tr></thead>
                    <tbody>
                        {move || metrics.get().into_iter().map(|(k, p)| view! {
                            <tr>
                                <td class="key">{k}</td>
                                <td class="num">{format_value(p.value)}</td>
                                <td class="num">{p.step}</td>
                                <td class="muted">{format_time(p.timestamp)}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </Show>
        </section>
    }
}
