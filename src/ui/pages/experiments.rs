use leptos::prelude::*;

use crate::core::model::{LifecycleStage, ViewType};
use crate::service;
use crate::ui::components::format_time;
use crate::ui::{href, Store};

/// One row of the experiments list.
#[derive(Clone, PartialEq)]
struct ExperimentRow {
    id: String,
    name: String,
    runs: usize,
    last_activity: Option<i64>,
}

fn rows() -> Vec<ExperimentRow> {
    let Some(s) = service::ready() else {
        return vec![];
    };
    s.read(|t| {
        let mut counts = std::collections::HashMap::<&str, (usize, i64)>::new();
        for r in t.runs_in(&[], ViewType::ActiveOnly) {
            let c = counts.entry(r.info.experiment_id.as_str()).or_default();
            c.0 += 1;
            c.1 = c.1.max(r.info.end_time.unwrap_or(r.info.start_time));
        }
        let mut rows: Vec<_> = t
            .experiments()
            .filter(|e| e.lifecycle_stage == LifecycleStage::Active)
            .map(|e| {
                let (runs, last_run) = counts
                    .get(e.experiment_id.as_str())
                    .copied()
                    .unwrap_or_default();
                let last = e.last_update_time.unwrap_or(0).max(last_run);
                ExperimentRow {
                    id: e.experiment_id.clone(),
                    name: e.name.clone(),
                    runs,
                    last_activity: (last > 0).then_some(last),
                }
            })
            .collect();
        rows.sort_by(|a, b| {
            b.last_activity
                .cmp(&a.last_activity)
                .then(a.name.cmp(&b.name))
        });
        rows
    })
}

/// `/`: every experiment with its run count and last activity.
#[component]
pub fn Experiments() -> impl IntoView {
    let store = expect_context::<Store>();
    let list = Memo::new(move |_| {
        store.revision.track();
        rows()
    });
    view! {
        <section>
            <h1>"Experiments"</h1>
            <table class="grid experiments">
                <thead><tr><th>"Name"</th><th>"ID"</th><th class="num">"Runs"</th><th>"Last activity"</th></tr></thead>
                <tbody>
                    <For each=move || list.get() key=|r| (r.id.clone(), r.name.clone(), r.runs, r.last_activity) let:row>
                        <tr data-experiment-id=row.id.clone()>
                            <td><a href=href(&format!("/experiments/{}", row.id))>{row.name.clone()}</a></td>
                            <td class="mono">{row.id.clone()}</td>
                            <td class="num">{row.runs}</td>
                            <td>{row.last_activity.map(format_time).unwrap_or_default()}</td>
                        </tr>
                    </For>
                </tbody>
            </table>
        </section>
    }
}
