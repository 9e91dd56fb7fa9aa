//! Runs compared: the route, the side-by-side table, overlaid charts, plots and
//! artifacts side by side.

mod artifacts;
mod charts;
mod parallel_coordinates;
mod scatter_plot;
mod table;

use std::sync::Arc;

use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_navigate};
use leptos_router::NavigateOptions;

use artifacts::CompareArtifacts;
use charts::CompareCharts;
use parallel_coordinates::ParallelCoordinates;
use scatter_plot::ScatterPlot;
use table::CompareTable;

use crate::core::compare::{compare_runs, CompareData};
use crate::core::compare_url;
use crate::core::table::column_key::ColumnKey;
use crate::core::table::groups::{can_group_by, group_options, group_runs};
use crate::core::text::format::plural;
use crate::core::tracking::model::Run;
use crate::service;
use crate::ui::widgets::chart::ChartGroups;
use crate::ui::widgets::group_by::GroupBySelect;
use crate::ui::{href, Store};

/// `/compare-runs?runs=["id1","id2"]&experiments=["1","2"]` (MLflow's form) or
/// `/compare-runs?runs=id1,id2` (see `core::compare_url`): runs side by side, of one
/// experiment or several, overlaid metric charts, a parallel-coordinates plot and a
/// scatter plot, and artifacts the runs share side by side.
#[component]
pub fn CompareRuns() -> impl IntoView {
    let store = expect_context::<Store>();
    let location = use_location();
    let query = Memo::new(move |_| compare_url::parse(&location.search.get()));
    let data = Memo::new(move |_| {
        store.revision.track();
        let data = service::ready()
            .map(|s| query.with(|q| s.read(|t| compare_runs(t, &q.run_ids))))
            .unwrap_or_default();
        Arc::new(data)
    });
    // The compared runs as stored, for "Group by" (its options and groups).
    let runs = Memo::new(move |_| {
        store.revision.track();
        let runs: Vec<Run> = service::ready()
            .map(|s| {
                data.with(|d| {
                    s.read(|t| {
                        d.runs
                            .iter()
                            .filter_map(|r| t.run(&r.id).ok().cloned())
                            .collect()
                    })
                })
            })
            .unwrap_or_default();
        Arc::new(runs)
    });
    let group_by = Memo::new(move |_| {
        query.with(|q| {
            q.group_by
                .as_deref()
                .and_then(ColumnKey::parse)
                .filter(can_group_by)
        })
    });
    let options = Memo::new(move |_| runs.with(|r| group_options(r.iter())));
    let groups = Signal::derive(move || {
        let key = group_by.get()?;
        Some(ChartGroups::of(
            &key,
            &runs.with(|r| group_runs(&key, r.iter())),
        ))
    });
    let navigate = use_navigate();
    let set_group_by = Callback::new(move |key: Option<ColumnKey>| {
        let search = location.search.get_untracked();
        let key = key.map(|k| k.to_string());
        let query = compare_url::with_group_by(&search, key.as_deref());
        let path = location.pathname.get_untracked();
        navigate(
            &format!("{path}{query}"),
            NavigateOptions {
                replace: true,
                ..Default::default()
            },
        );
    });
    // One experiment: back to its runs; several: a link to each.
    let crumbs = move || {
        let experiments = data.with(|d| d.experiments());
        match experiments.as_slice() {
            [] => view! { <a href=href("/")>"Experiments"</a> }.into_any(),
            [(id, _)] => view! {
                <a href=href(&format!("/experiments/{id}"))>"Back to the runs"</a>
            }
            .into_any(),
            many => {
                let n = many.len();
                let links = many
                    .iter()
                    .enumerate()
                    .map(|(i, (id, name))| {
                        let label = if name.is_empty() {
                            id.clone()
                        } else {
                            name.clone()
                        };
                        view! {
                            {(i > 0).then_some(" · ")}
                            <a href=href(&format!("/experiments/{id}"))>{label}</a>
                        }
                    })
                    .collect_view();
                view! { <span>{format!("Runs from {n} experiments: ")}{links}</span> }.into_any()
            }
        }
    };
    view! {
        <section class="compare-page">
            <p class="crumbs">{crumbs}</p>
            <h1>{move || format!("Comparing {}", plural(data.with(|d| d.runs.len()), "run"))}</h1>
            {move || query.with(|q| q.errors.iter().map(|e| view! {
                <p class="error compare-url-error" role="alert">{e.clone()}</p>
            }).collect_view())}
            {move || data.with(|d| (!d.missing.is_empty()).then(|| {
                let list = d.missing.join(", ");
                let what = if d.missing.len() == 1 { "No run has the id" } else { "No runs have the ids" };
                view! {
                    <p class="error compare-missing" role="alert">
                        {what} " " <code>{list}</code> " in this browser's store: they are not compared."
                    </p>
                }
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
                <GroupBySelect options current=group_by on_change=set_group_by class="compare-group-by"/>
                <CompareCharts data groups/>
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
                <CompareArtifacts data/>
            </Show>
        </section>
    }
}
