//! The virtualized grid: a sticky header and, of all rows, only those within the
//! scrolled viewport (plus some overscan) in the DOM, each absolutely placed at
//! `index × ROW_HEIGHT` inside a body as tall as every row together.

use std::collections::BTreeSet;
use std::sync::Arc;

use leptos::prelude::*;

use crate::ui::widgets::scroll::ScrollViewport;

use super::columns::{grid_template, total_width, Column, ROW_HEIGHT};
use super::table::{SelectedRuns, TableData};
use crate::core::table::column_key::ColumnKey;
use crate::core::table::groups::RunGroup;
use crate::core::table::rows::DisplayRow;
use crate::core::table::state::RunsTableState;
use crate::core::text::format::plural;
use crate::core::tracking::model::{LifecycleStage, RunId};
use crate::service;
use crate::ui::href;

/// Rows rendered beyond each edge of the viewport, so fast scrolling shows no gap.
const OVERSCAN: usize = 8;
/// Height of the sticky header row in px.
const HEAD_HEIGHT: f64 = 36.0;

/// One rendered row: its position and what it shows.
#[derive(Clone, PartialEq)]
struct RowItem {
    generation: u64,
    pos: usize,
    row: DisplayRow,
    id: RunId,
    nested: bool,
    /// The group, for a group's row.
    group: Option<Arc<GroupItem>>,
}

/// A group's row: the group, the key runs are grouped by, and its run ids.
#[derive(PartialEq)]
struct GroupItem {
    group: RunGroup,
    key: ColumnKey,
}

#[component]
pub fn RunsBody(
    data: Memo<Arc<TableData>>,
    columns: Memo<Vec<Column>>,
    state: Memo<RunsTableState>,
    experiment_id: Signal<String>,
    sort_by: Callback<Column>,
    toggle_expanded: Callback<RunId>,
    toggle_group: Callback<String>,
) -> impl IntoView {
    let selected = expect_context::<SelectedRuns>();
    let scroller = NodeRef::<leptos::html::Div>::new();
    let scroll = ScrollViewport::follow(scroller);
    let (scroll_top, viewport) = (scroll.top, scroll.height);

    // A new filter, sort, view or grouping starts at the top.
    let query_shape = Memo::new(move |_| {
        state.with(|s| {
            (
                s.filter.clone(),
                s.order_by.clone(),
                s.view,
                s.group_by.clone(),
            )
        })
    });
    Effect::new(move |prev: Option<()>| {
        // `.track()` would not do: a memo nobody reads is never computed, so it
        // never learns that the state changed.
        query_shape.with(|_| ());
        if prev.is_some() {
            if let Some(el) = scroller.get_untracked() {
                el.set_scroll_top(0);
            }
            scroll_top.set(0.0);
        }
    });

    let window = Memo::new(move |_| {
        let n = data.with(|d| d.rows.display.len());
        let top = (scroll_top.get() - HEAD_HEIGHT).max(0.0);
        let first = (top / ROW_HEIGHT).floor() as usize;
        let shown = (viewport.get() / ROW_HEIGHT).ceil() as usize + 1;
        let start = first.saturating_sub(OVERSCAN).min(n);
        let end = (first + shown + OVERSCAN).min(n);
        (start, end)
    });
    let items = move || {
        let (start, end) = window.get();
        data.with(|d| {
            (start..end)
                .map(|pos| {
                    let row = d.rows.display[pos];
                    let group = row.group.and_then(|g| {
                        let key = state.with_untracked(|s| s.group_by.clone())?;
                        Some(Arc::new(GroupItem {
                            group: d.rows.groups[g as usize].group.clone(),
                            key,
                        }))
                    });
                    RowItem {
                        generation: d.generation,
                        pos,
                        row,
                        id: d.rows.ids[row.index as usize].clone(),
                        nested: d.rows.nested,
                        group,
                    }
                })
                .collect::<Vec<_>>()
        })
    };

    let inner_style = move || {
        columns.with(|c| {
            format!(
                "width: {}; --runs-cols: {}",
                total_width(c),
                grid_template(c)
            )
        })
    };
    let body_height = move || {
        format!(
            "{}px",
            data.with(|d| d.rows.display.len()) as f64 * ROW_HEIGHT
        )
    };
    let row_count = move || data.with(|d| d.rows.display.len() + 1);

    view! {
        <div
            class="runs-scroll"
            node_ref=scroller
            role="table"
            aria-label="Runs"
            aria-rowcount=row_count
            data-build-ms=move || format!("{:.1}", data.with(|d| d.build_ms))
            on:scroll=move |_| scroll.measure()
        >
            <div class="runs-inner" style=inner_style>
                <Header data columns state sort_by/>
                <div class="runs-body" role="rowgroup" style:height=body_height>
                    <For
                        each=items
                        key=|item| (item.generation, item.pos, item.id.clone())
                        let:item
                    >
                        {if item.group.is_some() {
                            view! { <GroupRow item columns selected toggle_group/> }.into_any()
                        } else {
                            view! { <Row item columns experiment_id selected toggle_expanded/> }.into_any()
                        }}
                    </For>
                </div>
            </div>
        </div>
        {move || data.with(|d| {
            let note = if d.rows.error.is_some() {
                "Fix the filter, or clear it, to see runs."
            } else if d.rows.display.is_empty() && d.rows.in_view > 0 {
                "No runs match this filter."
            } else if d.rows.in_view == 0 {
                "No runs in this view."
            } else {
                return None;
            };
            Some(view! { <p class="table-note">{note}</p> })
        })}
    }
}

/// The sticky header: select-all and a sort button per column.
#[component]
fn Header(
    data: Memo<Arc<TableData>>,
    columns: Memo<Vec<Column>>,
    state: Memo<RunsTableState>,
    sort_by: Callback<Column>,
) -> impl IntoView {
    let selected = expect_context::<SelectedRuns>();
    // (shown rows, how many of them are selected)
    let coverage = Memo::new(move |_| {
        data.with(|d| {
            selected.0.with(|s| {
                // A grouped table shows every run through its group's row.
                if !d.rows.groups.is_empty() {
                    let k = d.rows.ids.iter().filter(|id| s.contains(*id)).count();
                    return (d.rows.ids.len(), k);
                }
                let n = d.rows.display.len();
                let k = d
                    .rows
                    .display
                    .iter()
                    .filter(|r| s.contains(&d.rows.ids[r.index as usize]))
                    .count();
                (n, k)
            })
        })
    });
    let toggle_all = move |_| {
        let (n, k) = coverage.get_untracked();
        if n > 0 && k == n {
            selected.0.update(BTreeSet::clear);
        } else {
            let all: BTreeSet<RunId> = data.with_untracked(|d| {
                if !d.rows.groups.is_empty() {
                    return d.rows.ids.iter().cloned().collect();
                }
                d.rows
                    .display
                    .iter()
                    .map(|r| d.rows.ids[r.index as usize].clone())
                    .collect()
            });
            selected.0.set(all);
        }
    };
    let order = Memo::new(move |_| state.with(|s| s.effective_order_by().first().cloned()));
    view! {
        <div class="runs-head" role="row">
            <div class="cell check sticky-0" role="columnheader">
                <input
                    type="checkbox"
                    aria-label="Select all shown runs"
                    prop:checked=move || { let (n, k) = coverage.get(); n > 0 && k == n }
                    prop:indeterminate=move || { let (n, k) = coverage.get(); k > 0 && k < n }
                    on:change=toggle_all
                />
            </div>
            <For each=move || columns.get() key=|c| c.key() let:col>
                {
                    let key = col.key();
                    let key2 = key.clone();
                    let sorted = Signal::derive(move || order.with(|o| o.as_ref().filter(|o| o.key == key).map(|o| o.ascending)));
                    let aria_sort = move || match sorted.get() {
                        Some(true) => "ascending",
                        Some(false) => "descending",
                        None => "none",
                    };
                    let arrow = move || match sorted.get() {
                        Some(true) => "▲",
                        Some(false) => "▼",
                        None => "",
                    };
                    let class = format!(
                        "cell{}{}",
                        if col.is_numeric() { " num" } else { "" },
                        if col == Column::Name { " name sticky-1" } else { "" }
                    );
                    let kind = col.kind().map(|k| k.to_owned());
                    let label = col.label();
                    let c = col.clone();
                    view! {
                        <div class=class role="columnheader" aria-sort=aria_sort title=key2.to_string()>
                            <button type="button" class="sort" on:click=move |_| sort_by.run(c.clone())>
                                {kind.map(|k| view! { <span class=format!("kind {k}")>{k.chars().next().map(|c| c.to_ascii_uppercase()).unwrap_or(' ').to_string()}</span> })}
                                <span class="label">{label}</span>
                                <span class="arrow" aria-hidden="true">{arrow}</span>
                            </button>
                        </div>
                    }
                }
            </For>
        </div>
    }
}

/// A group's row: ▸/▾ and the group's label with its run count, the mean of each
/// metric column, shared param and tag values; its checkbox ticks all its runs.
#[component]
fn GroupRow(
    item: RowItem,
    columns: Memo<Vec<Column>>,
    selected: SelectedRuns,
    toggle_group: Callback<String>,
) -> impl IntoView {
    let RowItem {
        pos, row, group, ..
    } = item;
    let Some(group) = group else {
        return ().into_any();
    };
    let Some(svc) = service::ready() else {
        return ().into_any();
    };
    let top = format!("{}px", pos as f64 * ROW_HEIGHT);
    let cols = columns.get_untracked();
    let GroupItem { group, key } = group.as_ref();
    let label = group.label(key);
    let cells = svc.read(|t| {
        let runs = group.runs(t);
        cols.iter()
            .map(|c| (c.clone(), c.group_text(group, key, &runs)))
            .collect::<Vec<_>>()
    });
    let ids: Arc<Vec<RunId>> = Arc::new(group.run_ids.clone());
    let ticked = {
        let ids = ids.clone();
        Memo::new(move |_| {
            selected
                .0
                .with(|s| ids.iter().filter(|id| s.contains(*id)).count())
        })
    };
    let n = ids.len();
    let group_id = group.id();
    let toggle_label = if row.expanded {
        format!("Hide the {} runs of {label}", n)
    } else {
        format!("Show the {} runs of {label}", n)
    };
    let cells = cells
        .into_iter()
        .map(|(c, text)| match c {
            Column::Name => {
                let id = group_id.clone();
                view! {
                    <div class="cell name sticky-1" role="cell">
                        <button
                            type="button"
                            class="expander"
                            aria-expanded=if row.expanded { "true" } else { "false" }
                            aria-label=toggle_label.clone()
                            title=toggle_label.clone()
                            on:click=move |_| toggle_group.run(id.clone())
                        >
                            {if row.expanded { "▾" } else { "▸" }}
                        </button>
                        <span class="group-label" title=text.clone().unwrap_or_default()>{text.clone()}</span>
                        <span class="muted group-count">{plural(n, "run")}</span>
                    </div>
                }
                .into_any()
            }
            c => {
                let class = if c.is_numeric() { "cell num" } else { "cell" };
                let title = text.clone().unwrap_or_default();
                view! { <div class=class role="cell" title=title>{text}</div> }.into_any()
            }
        })
        .collect_view();
    let aria = format!("Select the {} runs of {label}", n);
    view! {
        <div class="runs-row group-row" class:selected=move || ticked.get() == n role="row" data-group=group_id style:top=top>
            <div class="cell check sticky-0" role="cell">
                <input
                    type="checkbox"
                    aria-label=aria
                    prop:checked=move || ticked.get() == n
                    prop:indeterminate=move || { let k = ticked.get(); k > 0 && k < n }
                    on:change=move |_| {
                        let all = ticked.get_untracked() == n;
                        selected.0.update(|s| {
                            for id in ids.iter() {
                                if all {
                                    s.remove(id);
                                } else {
                                    s.insert(id.clone());
                                }
                            }
                        });
                    }
                />
            </div>
            {cells}
        </div>
    }
    .into_any()
}

/// One run's row, its cells read from the tracker.
#[component]
fn Row(
    item: RowItem,
    columns: Memo<Vec<Column>>,
    experiment_id: Signal<String>,
    selected: SelectedRuns,
    toggle_expanded: Callback<RunId>,
) -> impl IntoView {
    let RowItem {
        pos,
        row,
        id,
        nested,
        ..
    } = item;
    let top = format!("{}px", pos as f64 * ROW_HEIGHT);
    let Some(svc) = service::ready() else {
        return ().into_any();
    };
    let now = service::now_ms();
    let cols = columns.get_untracked();
    let exp = experiment_id.get_untracked();
    svc.read(|t| {
        let Ok(run) = t.run(&id) else {
            return ().into_any();
        };
        let deleted = run.info.lifecycle_stage == LifecycleStage::Deleted;
        let name = run.info.run_name.clone();
        let id_check = id.clone();
        let id_toggle = id.clone();
        let is_selected = move || selected.0.with(|s| s.contains(&id_check));
        let is_selected_class = is_selected.clone();
        let cells = cols
            .iter()
            .map(|c| {
                let text = c.text(run, now);
                let title = c.title(run).or_else(|| text.clone());
                match c {
                    Column::Name => {
                        let link = href(&format!("/experiments/{exp}/runs/{id}"));
                        let indent = format!("{}px", row.depth as u32 * 18);
                        let expander = (row.children > 0).then(|| {
                            let id = id.clone();
                            let label = if row.expanded {
                                format!("Hide {} child runs", row.children)
                            } else {
                                format!("Show {} child runs", row.children)
                            };
                            view! {
                                <button
                                    type="button"
                                    class="expander"
                                    aria-expanded=if row.expanded { "true" } else { "false" }
                                    aria-label=label.clone()
                                    title=label
                                    on:click=move |_| toggle_expanded.run(id.clone())
                                >
                                    {if row.expanded { "▾" } else { "▸" }}
                                    <span class="count">{row.children}</span>
                                </button>
                            }
                        });
                        view! {
                            <div class="cell name sticky-1" role="cell" style:padding-left=indent>
                                {nested.then(|| view! { <span class="expander-slot">{expander}</span> })}
                                <a href=link title=title>{text}</a>
                                {deleted.then(|| view! { <span class="badge deleted">"deleted"</span> })}
                            </div>
                        }
                        .into_any()
                    }
                    Column::Status => {
                        let status = run.info.status.as_str();
                        view! {
                            <div class="cell" role="cell">
                                <span class=format!("status {}", status.to_ascii_lowercase())>{status}</span>
                            </div>
                        }
                        .into_any()
                    }
                    _ => {
                        let class = if c.is_numeric() { "cell num" } else { "cell" };
                        view! { <div class=class role="cell" title=title>{text}</div> }.into_any()
                    }
                }
            })
            .collect_view();
        view! {
            <div
                class="runs-row"
                class:deleted=deleted
                class:selected=is_selected_class
                role="row"
                data-run-id=id.clone()
                style:top=top
            >
                <div class="cell check sticky-0" role="cell">
                    <input
                        type="checkbox"
                        aria-label=format!("Select run {name}")
                        prop:checked=is_selected
                        on:change=move |_| {
                            let id = id_toggle.clone();
                            selected.0.update(|s| {
                                if !s.remove(&id) {
                                    s.insert(id);
                                }
                            });
                        }
                    />
                </div>
                {cells}
            </div>
        }
        .into_any()
    })
}
