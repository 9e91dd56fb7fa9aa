//! The compare page's overlaid metric charts: one chart per metric key, one line per
//! compared run that logged it (the run page's `MetricChart`).

use std::sync::Arc;

use leptos::prelude::*;

use crate::core::compare::CompareData;
use crate::service;
use crate::ui::widgets::chart::{ChartSeries, MetricChart};
use crate::ui::Store;

/// A chart for every metric any of the runs logged.
#[component]
pub fn CompareCharts(data: Memo<Arc<CompareData>>) -> impl IntoView {
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
                        <OverlaidChart data key/>
                    </For>
                </div>
            </Show>
        </section>
    }
}

/// One metric for every run that has it. Histories are read again only when a
/// run's latest point or stored chunk count for this key changes.
#[component]
fn OverlaidChart(data: Memo<Arc<CompareData>>, key: String) -> impl IntoView {
    let store = expect_context::<Store>();
    // (run id, run name) of the runs with this metric, in compare order.
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
    let stamp = Memo::new({
        let key = key.clone();
        move |_| {
            store.revision.track();
            let Some(s) = service::ready() else {
                return Vec::new();
            };
            runs.with(|runs| {
                s.read(|t| {
                    runs.iter()
                        .map(|(id, _)| {
                            t.stored_run(id).ok().and_then(|st| {
                                let p = st.run.metrics.get(&key)?;
                                Some((
                                    p.step,
                                    p.timestamp,
                                    p.value.to_bits(),
                                    st.history_version(&key),
                                ))
                            })
                        })
                        .collect::<Vec<_>>()
                })
            })
        }
    });
    let histories = LocalResource::new({
        let key = key.clone();
        move || {
            // Read, not `.track()`: an unread memo is never recomputed.
            stamp.with(|_| ());
            let (runs, key) = (runs.get(), key.clone());
            async move {
                let s = service::ready().ok_or_else(|| "The store is not open.".to_owned())?;
                let mut out = Vec::with_capacity(runs.len());
                for (id, name) in runs {
                    let points = s
                        .metric_history(&id, &key)
                        .await
                        .map_err(|e| e.to_string())?;
                    out.push(ChartSeries {
                        label: name,
                        run_id: id,
                        points: Arc::new(points),
                    });
                }
                Ok::<_, String>(out)
            }
        }
    });
    let series = Memo::new(move |_| match histories.get() {
        Some(Ok(s)) => s,
        _ => Vec::new(),
    });
    let loading = Signal::derive(move || histories.read().is_none());
    let error = move || match histories.get() {
        Some(Err(e)) => {
            Some(view! { <p class="error" role="alert">"Could not read the histories: " {e}</p> })
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
