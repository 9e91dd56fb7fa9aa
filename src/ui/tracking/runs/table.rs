//! The runs table of one experiment: filter box, lifecycle view, column picker, CSV
//! download, selection actions and a virtualized body that renders only the rows on
//! screen.
//!
//! Data flow: the URL query → [`RunsTableState`] (the page parses it) → one memo
//! that filters, sorts and nests every run as plain data ([`data::build`], keyed on
//! `Store.revision` so writes here or in another tab show up) → a window of rows
//! around `scrollTop`, whose cells are read from the tracker as they render.

use std::collections::{BTreeSet, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use leptos::prelude::*;

use crate::core::table::rows::{table_rows, TableRows};
use crate::core::table::state::{OrderBy, RunsTableState};
use crate::core::table::varying::{varying_columns, VaryingColumns};
use crate::core::tracking::model::{RunId, ViewType};
use crate::service;
use crate::service::projects::TAG_ENTRY_POINT;
use crate::ui::Store;

use super::columns::Column;
use super::{body, charts, csv, picker, toolbar};

/// The runs ticked in the runs table, for actions on them (compare, delete, restore,
/// export). The runs page provides it as a context; the table keeps it to runs that
/// still match.
#[derive(Clone, Copy)]
pub struct SelectedRuns(pub RwSignal<BTreeSet<RunId>>);

impl SelectedRuns {
    /// A new, empty selection.
    pub fn new() -> Self {
        SelectedRuns(RwSignal::new(BTreeSet::new()))
    }
}

impl SelectedRuns {
    /// The ticked runs still in `data`, in table order.
    pub fn in_table_order(self, data: Memo<Arc<TableData>>) -> Memo<Vec<RunId>> {
        Memo::new(move |_| {
            data.with(|d| {
                self.0.with(|s| {
                    d.rows
                        .ids
                        .iter()
                        .filter(|id| s.contains(*id))
                        .cloned()
                        .collect::<Vec<_>>()
                })
            })
        })
    }
}

impl Default for SelectedRuns {
    fn default() -> Self {
        Self::new()
    }
}

/// What the table shows: core's rows, stamped for the view.
#[derive(Debug, Default)]
pub struct TableData {
    /// Distinguishes builds, so rendered rows are replaced when the data changes.
    pub generation: u64,
    /// The runs, filtered, sorted and nested.
    pub rows: TableRows,
    /// How long the build took (ms), shown as `data-build-ms` for benchmarks.
    pub build_ms: f64,
}

static GENERATION: AtomicU64 = AtomicU64::new(0);

/// The table data for `experiment_id` and `state`, rebuilt after every committed
/// change (`Store.revision`).
pub fn table_data(
    experiment_id: Signal<String>,
    state: Memo<RunsTableState>,
) -> Memo<Arc<TableData>> {
    let store = expect_context::<Store>();
    Memo::new_with_compare(
        move |_| {
            store.revision.track();
            let id = experiment_id.get();
            let clock = web_sys::window().and_then(|w| w.performance());
            let t0 = clock.as_ref().map_or(0.0, |p| p.now());
            let rows = state.with(|st| {
                service::ready()
                    .map(|s| s.read(|t| table_rows(t, &id, st)))
                    .unwrap_or_default()
            });
            Arc::new(TableData {
                generation: GENERATION.fetch_add(1, Ordering::Relaxed) + 1,
                rows,
                build_ms: clock.as_ref().map_or(0.0, |p| p.now()) - t0,
            })
        },
        |a: Option<&Arc<TableData>>, b: Option<&Arc<TableData>>| match (a, b) {
            (Some(a), Some(b)) => !Arc::ptr_eq(a, b),
            _ => true,
        },
    )
}

/// The runs table of `data` (see [`table_data`]) for `experiment_id` showing
/// `state`; changes go to `set_state` (which puts them in the URL). Expects
/// [`SelectedRuns`] in context.
#[component]
pub fn RunsTable(
    #[prop(into)] experiment_id: Signal<String>,
    data: Memo<Arc<TableData>>,
    state: Memo<RunsTableState>,
    set_state: Callback<RunsTableState>,
) -> impl IntoView {
    let selected = expect_context::<SelectedRuns>();
    // Keep the selection to runs that still match (deleted, filtered out, …).
    Effect::new(move |_| {
        let d = data.get();
        let ids: HashSet<&str> = d.rows.ids.iter().map(String::as_str).collect();
        let stale = selected
            .0
            .with_untracked(|s| s.iter().any(|id| !ids.contains(id.as_str())));
        if stale {
            selected
                .0
                .update(|s| s.retain(|id| ids.contains(id.as_str())));
        }
    });
    // Only an experiment with project runs gets the Entry point column by default,
    // so ordinary experiments' tables do not change.
    let store = expect_context::<Store>();
    let project_runs = Memo::new(move |_| {
        store.revision.track();
        let ids = [experiment_id.get()];
        service::ready().is_some_and(|s| {
            s.read(|t| {
                t.runs_in(&ids, ViewType::All)
                    .any(|r| r.tags.contains_key(TAG_ENTRY_POINT))
            })
        })
    });
    // Until the user chooses columns: what varies across the runs in this view.
    let varying = Memo::new(move |_| {
        let (chosen, view) = state.with(|s| (s.columns_chosen, s.view));
        if chosen {
            return VaryingColumns::default();
        }
        store.revision.track();
        let ids = [experiment_id.get()];
        service::ready()
            .map(|s| s.read(|t| varying_columns(t.runs_in(&ids, view))))
            .unwrap_or_default()
    });
    let extra = Memo::new(move |_| {
        state.with(|s| {
            if s.columns_chosen {
                s.columns.clone()
            } else {
                varying.with(|v| v.shown.clone())
            }
        })
    });
    let columns = Memo::new(move |_| {
        extra.with(|extra| {
            let mut cols = Column::defaults(project_runs.get(), extra);
            cols.extend(extra.iter().cloned().map(Column::Extra));
            cols
        })
    });
    let more_varying = Memo::new(move |_| varying.with(|v| v.left_out.len()));
    let sort_by = Callback::new(move |col: Column| {
        let mut s = state.get_untracked();
        let key = col.key();
        let ascending = match s.effective_order_by().first() {
            Some(o) if o.key == key => !o.ascending,
            _ => !col.is_numeric(),
        };
        s.order_by = vec![OrderBy { key, ascending }];
        set_state.run(s);
    });
    let toggle_expanded = Callback::new(move |id: RunId| {
        let mut s = state.get_untracked();
        s.toggle_expanded(id);
        set_state.run(s);
    });
    let toggle_group = Callback::new(move |id: String| {
        let mut s = state.get_untracked();
        s.toggle_group(id);
        set_state.run(s);
    });
    let error = Signal::derive(move || data.with(|d| d.rows.error.clone()));
    view! {
        <div class="runs-toolbar">
            <toolbar::FilterBox state set_state error/>
            <toolbar::ViewSwitch state set_state/>
            <picker::ColumnPicker experiment_id state set_state extra/>
            {move || (more_varying.get() > 0).then(|| view! {
                <button type="button" class="link more-columns"
                    title="Show every param and metric that varies across the runs"
                    on:click=move |_| {
                        let mut s = state.get_untracked();
                        let all = varying.with_untracked(|v| v.shown.iter().chain(&v.left_out).cloned().collect());
                        s.choose_columns(all);
                        set_state.run(s);
                    }>{format!("+{} more varying", more_varying.get())}</button>
            })}
            <toolbar::GroupBy experiment_id state set_state/>
            <csv::RunsCsvButton data columns state/>
            <charts::ChartsToggle state set_state/>
        </div>
        <toolbar::SelectionBar experiment_id data/>
        <super::compare_with::CompareWith experiment_id data/>
        <charts::RunsCharts data state set_state/>
        <body::RunsBody data columns state experiment_id sort_by toggle_expanded toggle_group/>
    }
}
