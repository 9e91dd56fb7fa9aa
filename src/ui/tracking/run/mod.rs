//! One run: the route and the sections of its page.

mod artifacts;
mod charts;
mod description;
mod handle;
mod models;
mod overview;
mod params_and_metrics;
mod project;
mod tags;

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use artifacts::ArtifactBrowser;
use charts::RunCharts;
use description::RunDescription;
use handle::RunHandle;
use models::RunModels;
use overview::{related, RunHeader, RunOverview};
use params_and_metrics::{MetricsTable, ParamsTable};
use project::RunProject;
use tags::RunTags;

use crate::ui::href;

/// `/experiments/:experimentId/runs/:runId`: one run — overview, the project it ran
/// (a project run's), description, params, metrics, tags, the models it logged, a
/// chart per metric and the artifacts.
#[component]
pub fn RunPage() -> impl IntoView {
    let params = use_params_map();
    let run_id = Memo::new(move |_| params.read().get("runId").unwrap_or_default());
    // Another run is another page: its state (expanded folders, zoom) starts afresh.
    move || {
        let id = run_id.get();
        view! { <RunBody id/> }
    }
}

#[component]
fn RunBody(id: String) -> impl IntoView {
    let h = RunHandle::new(id.clone());
    let exists = Memo::new(move |_| h.run.with(|r| r.is_some()));
    let rel = related(h);
    // The artifact browser's selection, which the Project section's file links set.
    let open_file = RwSignal::new(None::<String>);
    view! {
        <Show when=move || exists.get() fallback=move || view! {
            <section>
                <p class="crumbs"><a href=href("/")>"Experiments"</a></p>
                <h1>"Run not found"</h1>
                <p>"No run has the id " <code>{id.clone()}</code> "."</p>
            </section>
        }>
            <article class="run-page detail-page">
                <RunHeader h rel/>
                <RunOverview h rel/>
                <RunProject h open_file/>
                <RunDescription h/>
                <div class="run-columns">
                    <ParamsTable h/>
                    <MetricsTable h/>
                </div>
                <RunTags h/>
                <RunModels h/>
                <RunCharts h/>
                <ArtifactBrowser h selected=open_file/>
            </article>
        </Show>
    }
}

/// Run `id`'s name and status, facts, params and latest metrics: the top of the run
/// page, as a notebook view (`ui::embed`) shows it. Expects the run to exist.
#[component]
pub fn RunSummary(id: String) -> impl IntoView {
    let h = RunHandle::new(id);
    let rel = related(h);
    view! {
        <article class="run-page">
            <RunHeader h rel/>
            <RunOverview h rel/>
            <div class="run-columns">
                <ParamsTable h/>
                <MetricsTable h/>
            </div>
        </article>
    }
}
