use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::core::model::{Run, ViewType};
use crate::core::queries::search_runs;
use crate::service;
use crate::ui::components::{format_time, format_value};
use crate::ui::{href, Store};

/// What the runs table shows of one run.
#[derive(Clone, PartialEq)]
struct RunRow {
    id: String,
    name: String,
    status: &'static str,
    start: i64,
    user: String,
    metrics: Vec<(String, f64)>,
}

impl From<&Run> for RunRow {
    fn from(r: &Run) -> Self {
        RunRow {
            id: r.info.run_id.clone(),
            name: r.info.run_name.clone(),
            status: r.info.status.as_str(),
            start: r.info.start_time,
            user: r.info.user_id.clone(),
            metrics: r
                .metrics
                .iter()
                .map(|(k, p)| (k.clone(), p.value))
                .collect(),
        }
    }
}

/// `/experiments/:experimentId`: the experiment's runs, newest first.
#[component]
pub fn ExperimentRuns() -> impl IntoView {
    let store = expect_context::<Store>();
    let params = use_params_map();
    let experiment_id = move || params.read().get("experimentId").unwrap_or_default();
    let data = Memo::new(move |_| {
        store.revision.track();
        let id = experiment_id();
        let s = service::ready()?;
        s.read(|t| {
            let exp = t.experiment(&id).ok()?.name.clone();
            let ids = [id.clone()];
            let runs = search_runs::<&str>(t, &ids, ViewType::ActiveOnly, "", &[], None).ok()?;
            Some((exp, runs.into_iter().map(RunRow::from).collect::<Vec<_>>()))
        })
    });
    let metric_keys = Memo::new(move |_| {
        let mut keys: Vec<String> = data
            .get()
            .map(|(_, rows)| {
                rows.iter()
                    .flat_map(|r| r.metrics.iter().map(|m| m.0.clone()))
                    .collect()
            })
            .unwrap_or_default();
        keys.sort();
        keys.dedup();
        keys
    });
    view! {
        <section>
            <p class="crumbs"><a href=href("/")>"Experiments"</a></p>
            {move || match data.get() {
                None => view! { <h1>"Experiment not found"</h1><p>"No experiment has the id " <code>{experiment_id()}</code> "."</p> }.into_any(),
                Some((name, rows)) => {
                    let keys = metric_keys.get();
                    let count = rows.len();
                    view! {
                        <h1>{name}</h1>
                        <p class="muted">{count} " runs"</p>
                        <table class="grid runs">
                            <thead><tr>
                                <th>"Run name"</th><th>"Status"</th><th>"Start time"</th><th>"User"</th>
                                {keys.iter().map(|k| view! { <th class="num">{k.clone()}</th> }).collect_view()}
                            </tr></thead>
                            <tbody>
                                {rows.into_iter().map(|r| {
                                    let cells = keys.iter().map(|k| {
                                        let v = r.metrics.iter().find(|m| &m.0 == k).map(|m| format_value(m.1)).unwrap_or_default();
                                        view! { <td class="num">{v}</td> }
                                    }).collect_view();
                                    view! {
                                        <tr data-run-id=r.id.clone()>
                                            <td>{r.name}</td>
                                            <td><span class=format!("status {}", r.status.to_lowercase())>{r.status}</span></td>
                                            <td>{format_time(r.start)}</td>
                                            <td>{r.user}</td>
                                            {cells}
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any()
                }
            }}
        </section>
    }
}
