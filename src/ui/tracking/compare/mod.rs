//! Runs compared: the route, the side-by-side table, overlaid charts and plots.

mod charts;
mod parallel_coordinates;
mod scatter_plot;
mod table;

use std::sync::Arc;

use leptos::prelude::*;
use leptos_router::hooks::use_location;

use charts::CompareCharts;
use parallel_coordinates::ParallelCoordinates;
use scatter_plot::ScatterPlot;
use table::CompareTable;

use crate::core::compare::{compare_runs, CompareData};
use crate::core::text::format::plural;
use crate::core::text::url_query;
use crate::service;
use crate::ui::{href, Store};

/// The run ids of `?runs=id1,id2,…` (repeated `runs` params are joined).
fn requested_ids(search: &str) -> Vec<String> {
    url_query::parse(search)
        .into_iter()
        .filter(|(k, _)| k == "runs")
        .flat_map(|(_, v)| {
            v.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .collect()
}

/// `/compare-runs?runs=id1,id2,…`: runs side by side, overlaid metric charts, a
/// parallel-coordinates plot and a scatter plot.
#[component]
pub fn CompareRuns() -> impl IntoView {
    let store = expect_context::<Store>();
    let location = use_location();
    let ids = Memo::new(move |_| requested_ids(&location.search.get()));
    let data = Memo::new(move |_| {
        store.revision.track();
        let data = service::ready()
            .map(|s| ids.with(|ids| s.read(|t| compare_runs(t, ids))))
            .unwrap_or_default();
        Arc::new(data)
    });
    let back = move || {
        data.with(|d| {
            d.runs.first().map(|r| {
                (
                    href(&format!("/experiments/{}", r.experiment_id)),
                    "Back to the runs".to_owned(),
                )
            })
        })
        .unwrap_or_else(|| (href("/"), "Experiments".to_owned()))
    };
    view! {
        <section class="compare-page">
            <p class="crumbs">{move || { let (link, label) = back(); view! { <a href=link>{label}</a> } }}</p>
            <h1>{move || format!("Comparing {}", plural(data.with(|d| d.runs.len()), "run"))}</h1>
            {move || data.with(|d| (!d.missing.is_empty()).then(|| {
                let list = d.missing.join(", ");
                view! { <p class="error" role="alert">"Not found: " <code>{list}</code></p> }
            }))}
            <Show
                when=move || data.with(|d: &Arc<CompareData>| !d.runs.is_empty())
                fallback=move || view! {
                    <p class="table-note">
                        "No runs to compare. Tick runs in an experiment's runs table and press Compare."
                    </p>
                }
            >
                <CompareTable data/>
                <CompareCharts data/>
                <section class="compare-plots">
                    <div class="plot-card">
                        <h2>"Parallel coordinates"</h2>
                        <ParallelCoordinates data/>
                    </div>
                    <div class="plot-card">
                        <h2>"Scatter"</h2>
                        <ScatterPlot data/>
                    </div>
                </section>
            </Show>
        </section>
    }
}
