//! The runs page's chart grid, as MLflow's chart view: one chart per chosen metric
//! (the table's metric columns, or every metric the shown runs logged), one line per
//! run the table shows, in table order, the first [`MAX_RUNS`] of them — or, when the
//! table groups runs, one mean line with its band per group. Opened with
//! "Charts" (`charts=on` in the URL, so saved views and links keep it); each chart's
//! settings (x axis, log scale, clipping, y lock, smoothing, band) are in the URL too.

use std::sync::Arc;

use leptos::prelude::*;

use super::table::TableData;
use crate::core::table::groups::group_runs;
use crate::core::table::state::RunsTableState;
use crate::core::text::format::plural;
use crate::service;
use crate::ui::widgets::chart::{ChartGroups, HistoryChart};

/// Most runs drawn per chart (the first in table order).
pub const MAX_RUNS: usize = 100;
/// Most charts in the grid when no metric column is chosen (the rest by adding
/// columns).
pub const MAX_CHARTS: usize = 24;

/// What the grid draws: the runs (id, name) and the metric keys.
#[derive(Clone, Debug, Default, PartialEq)]
struct Grid {
    /// (id, name, the metric keys it logged) in table order.
    runs: Vec<(String, String, Vec<String>)>,
    keys: Vec<String>,
    /// Runs the table shows beyond [`MAX_RUNS`].
    runs_left_out: usize,
    /// Metric keys beyond [`MAX_CHARTS`].
    keys_left_out: usize,
    /// The drawn runs grouped, when the table groups runs: each chart draws one mean
    /// line and band per group.
    groups: Option<ChartGroups>,
}

fn grid(data: &TableData, state: &RunsTableState) -> Grid {
    let Some(s) = service::ready() else {
        return Grid::default();
    };
    let shown: Vec<&String> = data
        .rows
        .ids
        .iter()
        .filter(|id| !state.hidden.contains(id))
        .collect();
    s.read(|t| {
        let runs: Vec<_> = shown
            .iter()
            .take(MAX_RUNS)
            .filter_map(|id| t.run(id).ok())
            .collect();
        let mut chosen: Vec<String> = Vec::new();
        for c in state.columns.iter().filter(|c| c.kind().is_metric()) {
            if !chosen.iter().any(|k| k == c.name()) {
                chosen.push(c.name().to_owned());
            }
        }
        let (keys, keys_left_out) = if chosen.is_empty() {
            let mut all: Vec<String> = runs
                .iter()
                .flat_map(|r| r.metrics.keys().cloned())
                .collect();
            all.sort();
            all.dedup();
            let over = all.len().saturating_sub(MAX_CHARTS);
            all.truncate(MAX_CHARTS);
            (all, over)
        } else {
            (chosen, 0)
        };
        let groups = state
            .group_by
            .as_ref()
            .map(|key| ChartGroups::of(key, &group_runs(key, runs.iter().copied())));
        Grid {
            groups,
            runs: runs
                .iter()
                .map(|r| {
                    let keys = r.metrics.keys().cloned().collect();
                    (r.info.run_id.clone(), r.info.run_name.clone(), keys)
                })
                .collect(),
            keys,
            runs_left_out: shown.len().saturating_sub(MAX_RUNS),
            keys_left_out,
        }
    })
}

/// The grid, when `state.charts` is on.
#[component]
pub fn RunsCharts(
    data: Memo<Arc<TableData>>,
    state: Memo<RunsTableState>,
    set_state: Callback<RunsTableState>,
) -> impl IntoView {
    let open = Memo::new(move |_| state.with(|s| s.charts));
    let grid = Memo::new(move |_| {
        if !open.get() {
            return Grid::default();
        }
        data.with(|d| state.with(|s| grid(d, s)))
    });
    let keys = Memo::new(move |_| grid.with(|g| g.keys.clone()));
    let note = move || {
        grid.with(|g| {
            let mut parts = Vec::new();
            if g.runs_left_out > 0 {
                parts.push(format!(
                    "Charts draw the first {MAX_RUNS} runs of the table; {} more are not drawn.",
                    plural(g.runs_left_out, "run")
                ));
            }
            if g.keys_left_out > 0 {
                parts.push(format!(
                    "{} more are not charted: add them as columns to choose which.",
                    plural(g.keys_left_out, "metric")
                ));
            }
            (!parts.is_empty())
                .then(|| view! { <p class="muted charts-note">{parts.join(" ")}</p> })
        })
    };
    view! {
        <Show when=move || open.get()>
            <section class="runs-charts" aria-label="Run charts">
                {note}
                <Show when=move || !keys.read().is_empty()
                    fallback=|| view! { <p class="muted">"The shown runs logged no metrics, so nothing to chart."</p> }>
                    <div class="chart-grid">
                        <For each=move || keys.get() key=|k| k.clone() let:key>
                            <GridChart key grid state set_state/>
                        </For>
                    </div>
                </Show>
            </section>
        </Show>
    }
}

/// One metric for the grid's runs that logged it, in table order; its settings live
/// in the URL state (`chart.<key>`), so links and saved views keep them.
#[component]
fn GridChart(
    key: String,
    grid: Memo<Grid>,
    state: Memo<RunsTableState>,
    set_state: Callback<RunsTableState>,
) -> impl IntoView {
    let runs = Memo::new({
        let key = key.clone();
        move |_| {
            grid.with(|g| {
                g.runs
                    .iter()
                    .filter(|(_, _, keys)| keys.binary_search(&key).is_ok())
                    .map(|(id, name, _)| (id.clone(), name.clone()))
                    .collect::<Vec<_>>()
            })
        }
    });
    let groups = Memo::new(move |_| grid.with(|g| g.groups.clone()));
    let options = Memo::new({
        let key = key.clone();
        move |_| state.with(|s| s.chart_options_of(&key))
    });
    let on_options = Callback::new({
        let key = key.clone();
        move |o| {
            let mut s = state.get_untracked();
            s.set_chart_options(&key, o);
            set_state.run(s);
        }
    });
    view! { <HistoryChart key runs long_form=true groups options on_options/> }
}

/// "Charts": opens or closes the grid.
#[component]
pub fn ChartsToggle(
    state: Memo<RunsTableState>,
    set_state: Callback<RunsTableState>,
) -> impl IntoView {
    let on = move || state.with(|s| s.charts);
    view! {
        <button
            type="button"
            class="charts-toggle"
            aria-pressed=move || if on() { "true" } else { "false" }
            title="One chart per metric column (or every metric) for the runs the table shows"
            on:click=move |_| {
                let mut s = state.get_untracked();
                s.charts = !s.charts;
                set_state.run(s);
            }
        >"Charts"</button>
    }
}
