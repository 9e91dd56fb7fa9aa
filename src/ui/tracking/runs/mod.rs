//! One experiment's runs: the route, and the runs table it shows.

mod body;
mod charts;
mod columns;
mod compare_with;
mod csv;
mod picker;
mod table;
mod toolbar;
mod views;

use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_navigate, use_params_map};
use leptos_router::NavigateOptions;

use crate::core::table::state::RunsTableState;
use crate::core::text::format::{plural, thousands};

use table::{table_data, RunsTable, SelectedRuns};

use super::tabs::{ExperimentTabs, Tab};
use crate::core::text::url_query;
use crate::ui::href;
use crate::ui::widgets::transfer::ExportButton;
use crate::ui::widgets::FirstRun;

/// `/experiments/:experimentId`: the experiment's runs. The table's whole state is
/// the URL query (see `core::table::state`), so a reload or a shared link shows the
/// same view.
#[component]
pub fn ExperimentRuns() -> impl IntoView {
    let params = use_params_map();
    let experiment_id =
        Signal::derive(move || params.read().get("experimentId").unwrap_or_default());
    let location = use_location();
    let state =
        Memo::new(move |_| RunsTableState::from_query(&url_query::parse(&location.search.get())));
    let navigate = use_navigate();
    let set_state = Callback::new(move |s: RunsTableState| {
        let path = format!(
            "/experiments/{}{}",
            url_query::encode_component(&experiment_id.get_untracked()),
            url_query::encode(&s.to_query())
        );
        navigate(
            &path,
            NavigateOptions {
                replace: true,
                scroll: false,
                ..Default::default()
            },
        );
    });
    view! {
        <section class="runs-page">
            <p class="crumbs"><a href=href("/")>"Experiments"</a></p>
            <RunsOfExperiment experiment_id state set_state tabs=true/>
        </section>
    }
}

/// One experiment's title row (name, counts, export) and runs table, showing `state`;
/// changes go to `set_state`. The runs page keeps the state in the URL; a notebook
/// view (`ui::embed`) keeps it in a signal.
#[component]
pub fn RunsOfExperiment(
    #[prop(into)] experiment_id: Signal<String>,
    state: Memo<RunsTableState>,
    set_state: Callback<RunsTableState>,
    /// The experiment's Runs / Models tabs (the site's page, not a notebook view).
    #[prop(optional)]
    tabs: bool,
) -> impl IntoView {
    provide_context(SelectedRuns::new());
    let data = table_data(experiment_id, state);
    let name = move || data.with(|d| d.rows.experiment_name.clone());
    let counts = move || {
        data.with(|d| {
            let matching = d.rows.ids.len();
            if d.rows.error.is_some() {
                String::new()
            } else if matching == d.rows.in_view {
                plural(matching, "run")
            } else {
                format!(
                    "{} of {}",
                    thousands(matching),
                    plural(d.rows.in_view, "run")
                )
            }
        })
    };
    let found = move || data.with(|d| d.rows.experiment_name.is_some());
    let empty = move || data.with(|d| d.rows.in_experiment == 0);
    view! {
        <Show
            when=found
            fallback=move || view! {
                <h1>"Experiment not found"</h1>
                <p>"No experiment has the id " <code>{experiment_id.get()}</code> ". "
                   <a href=href("/")>"See all experiments"</a></p>
            }
        >
            <div class="title-row">
                <h1>{name}</h1>
                <span class="muted count">{counts}</span>
                <ExportButton
                    label="Export experiment"
                    file_stem=Signal::derive(move || name().unwrap_or_default())
                    experiment_ids=Signal::derive(move || vec![experiment_id.get()])
                />
            </div>
            {tabs.then(|| view! { <ExperimentTabs experiment_id current=Tab::Runs/> })}
            <Show
                when=empty
                fallback=move || view! {
                    {tabs.then(|| view! { <views::SavedViews experiment_id state/> })}
                    <RunsTable experiment_id data state set_state/>
                }
            >
                <FirstRun title="No runs yet" experiment_id=experiment_id.get_untracked()/>
            </Show>
        </Show>
    }
}
