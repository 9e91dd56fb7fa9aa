//! `/experiments/:experimentId/models`: the experiment's Models tab — its logged
//! models with their source runs, status, last metric values and registry versions.

use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_params_map};

use super::tabs::{ExperimentTabs, Tab};
use crate::core::table::logged_models::{experiment_logged_models, LoggedModelRow};
use crate::core::table::registry::version_path;
use crate::core::text::format::{format_value, plural};
use crate::service;
use crate::ui::registry::{RegisterButton, RegisterHost, Registration};
use crate::ui::widgets::format_time;
use crate::ui::{href, Store};

/// The Models tab.
#[component]
pub fn ExperimentModels() -> impl IntoView {
    let store = expect_context::<Store>();
    let params = use_params_map();
    let experiment_id =
        Signal::derive(move || params.read().get("experimentId").unwrap_or_default());
    let name = Memo::new(move |_| {
        store.revision.track();
        let id = experiment_id.get();
        service::ready().and_then(|s| s.read(|t| t.experiment(&id).ok().map(|e| e.name.clone())))
    });
    let rows = Memo::new(move |_| {
        store.revision.track();
        let id = experiment_id.get();
        service::ready()
            .map(|s| s.read(|t| experiment_logged_models(t, &id).map_err(|e| e.to_string())))
            .unwrap_or_else(|| Ok(Vec::new()))
    });
    // A link to one model (`#m-…`) brings it into view once its row is there.
    let location = use_location();
    Effect::new(move |_| {
        let hash = location.hash.get();
        rows.track();
        let id = hash.trim_start_matches('#');
        if id.is_empty() {
            return;
        }
        if let Some(el) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id(id))
        {
            el.scroll_into_view();
        }
    });
    let count = move || {
        rows.with(|r| {
            r.as_ref()
                .map(|r| plural(r.len(), "model"))
                .unwrap_or_default()
        })
    };
    view! {
        <section class="runs-page models-tab">
            <p class="crumbs"><a href=href("/")>"Experiments"</a></p>
            <Show when=move || name.with(Option::is_some) fallback=move || view! {
                <h1>"Experiment not found"</h1>
                <p>"No experiment has the id " <code>{experiment_id.get()}</code> ". "
                   <a href=href("/")>"See all experiments"</a></p>
            }>
                <div class="title-row">
                    <h1>{move || name.get()}</h1>
                    <span class="muted count">{count}</span>
                </div>
                <ExperimentTabs experiment_id current=Tab::Models/>
                <RegisterHost>
                {move || match rows.get() {
                    Err(e) => view! { <p class="error" role="alert">{e}</p> }.into_any(),
                    Ok(r) if r.is_empty() => view! {
                        <p class="table-note">
                            "No logged models in this experiment. Log one from a run with "
                            <code>"mlflow.logModel(model, \"model\")"</code>"."
                        </p>
                    }.into_any(),
                    Ok(r) => view! { <LoggedModelsTable rows=r/> }.into_any(),
                }}
                </RegisterHost>
            </Show>
        </section>
    }
}

#[component]
fn LoggedModelsTable(rows: Vec<LoggedModelRow>) -> impl IntoView {
    let row = |m: LoggedModelRow| {
        let run = match (&m.source_run, &m.source_run_id) {
            (Some(r), _) => view! { <a href=href(&r.path())>{r.name.clone()}</a> }.into_any(),
            (None, Some(id)) => {
                view! { <code title="Not in this store">{id.clone()}</code> }.into_any()
            }
            (None, None) => view! { <span class="muted">"—"</span> }.into_any(),
        };
        let metrics = m
            .metrics
            .iter()
            .map(|(k, v)| view! { <span class="tag-chip"><span class="key">{k.clone()}":"</span>{format_value(*v)}</span> })
            .collect_view();
        let versions = m
            .versions
            .iter()
            .map(|(n, v)| view! { <a class="version-link" href=href(&version_path(n, *v))>{format!("{n} v{v}")}</a> })
            .collect_view();
        let what = Registration {
            source: format!("models:/{}", m.model_id),
            model_id: Some(m.model_id.clone()),
            run_id: m.source_run_id.clone(),
            label: m.name.clone(),
        };
        let status = m.status;
        view! {
            <tr id=m.model_id.clone() data-model-id=m.model_id.clone()>
                <td class="name">{m.name.clone()}</td>
                <td class="mono">{m.model_id.clone()}</td>
                <td>{run}</td>
                <td><span class=format!("status {}", status.to_ascii_lowercase()) title=m.status_message.clone()>{status}</span></td>
                <td>{format_time(m.created)}</td>
                <td class="chips">{metrics}</td>
                <td class="chips">{versions}</td>
                <td class="actions"><RegisterButton what/></td>
            </tr>
        }
    };
    view! {
        <div class="table-scroll">
            <table class="grid logged-models">
                <thead><tr>
                    <th scope="col">"Name"</th>
                    <th scope="col">"Model ID"</th>
                    <th scope="col">"Source run"</th>
                    <th scope="col">"Status"</th>
                    <th scope="col">"Created"</th>
                    <th scope="col">"Metrics"</th>
                    <th scope="col">"Registered versions"</th>
                    <th scope="col"><span class="sr-only">"Actions"</span></th>
                </tr></thead>
                <tbody>{rows.into_iter().map(row).collect_view()}</tbody>
            </table>
        </div>
    }
}
