//! A chart for every metric of the run, each loading its full history.

use std::sync::Arc;

use leptos::prelude::*;

use super::handle::RunHandle;
use crate::service;
use crate::ui::widgets::chart::{ChartSeries, MetricChart};
use crate::ui::Store;

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
    view! {
        <section class="run-section run-charts">
            <h2>"Metric charts"</h2>
            <Show when=move || !keys.read().is_empty()
                fallback=|| view! { <p class="muted">"No metrics logged, so nothing to chart."</p> }>
                <div class="chart-grid">
                    <For each=move || keys.get() key=|k| k.clone() let:key>
                        <MetricPanel h key/>
                    </For>
                </div>
            </Show>
        </section>
    }
}

/// One metric's chart. The history is read again when the store's revision shows
/// that this series changed (its latest point or its stored chunk count), so a
/// running run's curve grows live, while commits to other runs or metrics cost
/// nothing here.
#[component]
fn MetricPanel(h: RunHandle, key: String) -> impl IntoView {
    let store = expect_context::<Store>();
    let stamp = Memo::new({
        let key = key.clone();
        move |_| {
            store.revision.track();
            let s = service::ready()?;
            h.id.with_value(|id| {
                s.read(|t| {
                    let stored = t.stored_run(id).ok()?;
                    let latest = stored.run.metrics.get(&key)?;
                    Some((
                        latest.step,
                        latest.timestamp,
                        latest.value.to_bits(),
                        stored.history_version(&key),
                    ))
                })
            })
        }
    });
    let history = LocalResource::new({
        let key = key.clone();
        move || {
            stamp.track();
            let (id, key) = (h.id.get_value(), key.clone());
            async move {
                let s = service::ready().ok_or_else(|| "The store is not open.".to_owned())?;
                s.metric_history(&id, &key)
                    .await
                    .map(Arc::new)
                    .map_err(|e| e.to_string())
            }
        }
    });
    let series = Memo::new(move |_| {
        let label = h.run.with(|r| {
            r.as_ref()
                .map(|r| r.info.run_name.clone())
                .unwrap_or_default()
        });
        match history.get() {
            Some(Ok(points)) => vec![ChartSeries {
                label,
                run_id: h.id.get_value(),
                points,
            }],
            _ => Vec::new(),
        }
    });
    let loading = Signal::derive(move || history.read().is_none());
    let error = move || match history.get() {
        Some(Err(e)) => {
            Some(view! { <p class="error" role="alert">"Could not read the history: " {e}</p> })
        }
        _ => None,
    };
    view! {
        <div class="chart-cell" data-metric=key.clone()>
            <MetricChart series=series title=key.clone() loading=loading/>
            {error}
        </div>
    }
}
