//! Above the grid: the filter box (MLflow's search grammar, errors shown where they
//! are), the lifecycle view, and what to do with the selected runs.

use std::sync::Arc;

use leptos::prelude::*;

use super::table::{SelectedRuns, TableData};
use crate::core::compare_url;
use crate::core::table::column_key::ColumnKey;
use crate::core::table::groups::group_options;
use crate::core::table::state::RunsTableState;
use crate::core::text::format::plural;
use crate::core::tracking::model::{LifecycleStage, ViewType};
use crate::core::tracking::queries::QueryError;
use crate::service;
use crate::ui::widgets::group_by::GroupBySelect;
use crate::ui::widgets::query_error::QueryBox;
use crate::ui::widgets::transfer::ExportButton;

/// The MLflow search filter. Applied on Enter; the URL keeps it.
#[component]
pub fn FilterBox(
    state: Memo<RunsTableState>,
    set_state: Callback<RunsTableState>,
    error: Signal<Option<QueryError>>,
) -> impl IntoView {
    let applied = Memo::new(move |_| state.with(|s| s.filter.clone()));
    // The `/` shortcut is the site's; a notebook view has its page's keys.
    let placeholder = match use_context::<crate::ui::SiteRoot>() {
        None => "metrics.acc > 0.9 and params.optimizer = 'adam'   (press / to focus)",
        Some(_) => "metrics.acc > 0.9 and params.optimizer = 'adam'",
    };
    let apply = Callback::new(move |text: String| {
        let mut s = state.get_untracked();
        s.filter = text;
        set_state.run(s);
    });
    view! {
        <QueryBox applied apply error class="filter-box" label="Filter runs" placeholder button="Filter"/>
    }
}

/// Active, deleted or all runs.
#[component]
pub fn ViewSwitch(
    state: Memo<RunsTableState>,
    set_state: Callback<RunsTableState>,
) -> impl IntoView {
    let current = Memo::new(move |_| state.with(|s| s.view));
    let button = move |view: ViewType, label: &'static str| {
        view! {
            <button
                type="button"
                aria-pressed=move || if current.get() == view { "true" } else { "false" }
                on:click=move |_| {
                    let mut s = state.get_untracked();
                    if s.view != view {
                        s.view = view;
                        set_state.run(s);
                    }
                }
            >{label}</button>
        }
    };
    view! {
        <div class="segmented" role="group" aria-label="Which runs">
            {button(ViewType::ActiveOnly, "Active")}
            {button(ViewType::DeletedOnly, "Deleted")}
            {button(ViewType::All, "All")}
        </div>
    }
}

/// "Group by": none, or a param or tag of the experiment's runs in the current view.
/// A grouped table shows one row per value (run count, metric means) that opens to
/// its runs.
#[component]
pub fn GroupBy(
    #[prop(into)] experiment_id: Signal<String>,
    state: Memo<RunsTableState>,
    set_state: Callback<RunsTableState>,
) -> impl IntoView {
    let store = expect_context::<crate::ui::Store>();
    let options = Memo::new(move |_| {
        store.revision.track();
        let ids = [experiment_id.get()];
        let view = state.with(|s| s.view);
        service::ready()
            .map(|s| s.read(|t| group_options(t.runs_in(&ids, view))))
            .unwrap_or_default()
    });
    let current = Memo::new(move |_| state.with(|s| s.group_by.clone()));
    let on_change = Callback::new(move |key: Option<ColumnKey>| {
        let mut s = state.get_untracked();
        s.set_group_by(key);
        set_state.run(s);
    });
    view! { <GroupBySelect options current on_change class="group-by"/> }
}

/// Counts and actions for the ticked runs, including the mlruns export of the
/// selection.
#[component]
pub fn SelectionBar(experiment_id: Signal<String>, data: Memo<Arc<TableData>>) -> impl IntoView {
    let selected = expect_context::<SelectedRuns>();
    let go_to = crate::ui::use_go_to();
    let error = RwSignal::new(None::<String>);
    // Selected ids in table order, split by lifecycle stage.
    let picked = selected.in_table_order(data);
    let stages = Memo::new(move |_| {
        let ids = picked.get();
        service::ready()
            .map(|s| {
                s.read(|t| {
                    ids.iter().fold((0, 0), |(a, d), id| match t.run(id) {
                        Ok(r) if r.info.lifecycle_stage == LifecycleStage::Deleted => (a, d + 1),
                        Ok(_) => (a + 1, d),
                        Err(_) => (a, d),
                    })
                })
            })
            .unwrap_or((0, 0))
    });
    let change = move |delete: bool| {
        let ids = picked.get_untracked();
        let Some(s) = service::ready() else { return };
        let now = service::now_ms();
        let res = s.write(|t| {
            for id in &ids {
                let deleted = t.run(id)?.info.lifecycle_stage == LifecycleStage::Deleted;
                match (delete, deleted) {
                    (true, false) => t.delete_run(id, now)?,
                    (false, true) => t.restore_run(id)?,
                    _ => {}
                }
            }
            Ok::<_, crate::core::tracking::TrackingError>(())
        });
        match res {
            Ok(()) => {
                error.set(None);
                selected.0.update(|s| s.clear());
            }
            Err(e) => error.set(Some(e.to_string())),
        }
    };
    let compare = move |_| {
        let ids = picked.get_untracked();
        let experiments = [experiment_id.get_untracked()];
        go_to(&format!(
            "/compare-runs{}",
            compare_url::to_query(&ids, &experiments)
        ));
    };
    let count = move || picked.with(Vec::len);
    view! {
        <div class="selection-bar" class:active=move || picked.with(|p| !p.is_empty())>
            <span class="count">{move || match count() {
                0 => "Select runs to compare, delete or restore".to_owned(),
                n => format!("{} selected", plural(n, "run")),
            }}</span>
            <button type="button" disabled=move || count() < 2 title="Compare the selected runs side by side" on:click=compare>"Compare"</button>
            <button type="button" class="danger" disabled=move || stages.get().0 == 0 on:click=move |_| change(true)>"Delete"</button>
            <button type="button" disabled=move || stages.get().1 == 0 on:click=move |_| change(false)>"Restore"</button>
            <Show when=move || { count() > 0 }>
                <button type="button" class="ghost" on:click=move |_| selected.0.update(|s| s.clear())>"Clear selection"</button>
            </Show>
            <span class="export-selected">
                <ExportButton
                    label="Export selected"
                    file_stem=Signal::derive(move || data.with(|d| format!("{}-selected", d.rows.experiment_name.clone().unwrap_or_default())))
                    run_ids=Signal::derive(move || picked.get())
                />
            </span>
            {move || error.get().map(|e| view! { <span class="error" role="alert">{e}</span> })}
        </div>
    }
}
