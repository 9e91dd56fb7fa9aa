//! The runs table's "CSV" button: what the table shows — the filtered, sorted rows
//! (expanded child runs where they are shown, groups and their open runs when
//! grouped) and the visible columns — as
//! `<experiment name>-runs.csv`, with values exact rather than as shown (full source,
//! metric values in shortest round-trip digits, times in ms since the epoch).

use std::sync::Arc;

use leptos::prelude::*;

use super::columns::Column;
use super::table::TableData;
use crate::core::search::{RunAttribute, RunField};
use crate::core::table::column_key::ColumnKey;
use crate::core::table::groups::{group_cell, GroupCell};
use crate::core::table::state::RunsTableState;
use crate::core::text::csv_out::{csv_file_name, number, table_csv};
use crate::core::text::format::run_duration_ms;
use crate::core::tracking::model::Run;
use crate::core::tracking::rules::TAG_SOURCE_NAME;
use crate::service;
use crate::service::projects::TAG_ENTRY_POINT;
use crate::ui::widgets::blob::download;

/// The header: the run name, the run id after it, then each column's label (an
/// added column by its full key, `metrics.loss`; times with their unit).
fn header(columns: &[Column]) -> Vec<String> {
    let mut out = Vec::with_capacity(columns.len() + 1);
    for c in columns {
        out.push(match c {
            Column::Start => "Created (ms since epoch)".to_owned(),
            Column::Duration => "Duration (ms)".to_owned(),
            Column::Extra(k) => k.to_string(),
            c => c.label(),
        });
        if *c == Column::Name {
            out.push("Run ID".to_owned());
        }
    }
    out
}

/// One column's exact value for `run`; empty when the run has none.
fn cell(c: &Column, run: &Run, now: i64) -> String {
    let info = &run.info;
    let text = match c {
        Column::Name => Some(info.run_name.clone()),
        Column::Status => Some(info.status.as_str().to_owned()),
        Column::Start => Some(info.start_time.to_string()),
        Column::Duration => Some(run_duration_ms(info.start_time, info.end_time, now).to_string()),
        Column::User => Some(info.user_id.clone()),
        Column::Source => run.tags.get(TAG_SOURCE_NAME).cloned(),
        Column::EntryPoint => run.tags.get(TAG_ENTRY_POINT).cloned(),
        Column::Extra(k) if k.kind().is_metric() => k.metric_value(run).map(number),
        Column::Extra(k) => match k.field() {
            Some(RunField::Metric(_)) => None,
            Some(RunField::Param(p)) => run.params.get(&p).cloned(),
            Some(RunField::Tag(t)) => run.tags.get(&t).cloned(),
            Some(RunField::Attribute(a)) => match a {
                RunAttribute::RunId => Some(info.run_id.clone()),
                RunAttribute::RunName => Some(info.run_name.clone()),
                RunAttribute::Status => Some(info.status.as_str().into()),
                RunAttribute::StartTime => Some(info.start_time.to_string()),
                RunAttribute::EndTime => info.end_time.map(|t| t.to_string()),
                RunAttribute::UserId => Some(info.user_id.clone()),
                RunAttribute::ArtifactUri => Some(info.artifact_uri.clone()),
                RunAttribute::LifecycleStage => Some(info.lifecycle_stage.as_str().into()),
            },
            // `attributes.duration` in ms, as the Duration column; a name search does
            // not know (a hand-edited URL) has no value.
            None if k.is_duration() => {
                Some(run_duration_ms(info.start_time, info.end_time, now).to_string())
            }
            None => None,
        },
    };
    text.unwrap_or_default()
}

/// The CSV of the shown rows and `columns`. A grouped table starts with the columns
/// `Group` and `Runs`: a group's row has its label, run count and, in metric columns,
/// the exact mean of the runs' finite latest values (params and tags when all runs
/// share one value); a run's row of an open group has its group's label.
fn runs_csv(
    data: &TableData,
    columns: &[Column],
    group_by: Option<&ColumnKey>,
) -> Result<String, String> {
    let s = service::ready().ok_or("The store is not open.")?;
    let now = service::now_ms();
    let grouped = group_by.filter(|_| !data.rows.groups.is_empty());
    let rows = s.read(|t| {
        let mut group_label = String::new();
        data.rows
            .display
            .iter()
            .filter_map(|row| {
                let mut out = Vec::with_capacity(columns.len() + 3);
                if let (Some(key), Some(g)) = (grouped, row.group) {
                    let group = &data.rows.groups[g as usize].group;
                    let runs = group.runs(t);
                    group_label = group.label(key);
                    out.push(group_label.clone());
                    out.push(group.run_ids.len().to_string());
                    for c in columns {
                        out.push(exact_group_cell(c, &runs));
                        if *c == Column::Name {
                            out.push(String::new());
                        }
                    }
                    return Some(out);
                }
                let id = &data.rows.ids[row.index as usize];
                let run = t.run(id).ok()?;
                if grouped.is_some() {
                    out.push(group_label.clone());
                    out.push(String::new());
                }
                for c in columns {
                    out.push(cell(c, run, now));
                    if *c == Column::Name {
                        out.push(id.clone());
                    }
                }
                Some(out)
            })
            .collect::<Vec<_>>()
    });
    let mut head = header(columns);
    if grouped.is_some() {
        head.splice(0..0, ["Group".to_owned(), "Runs".to_owned()]);
    }
    Ok(table_csv(&head, &rows))
}

/// One column of a group's row, exact: a metric's mean (empty if no run has a finite
/// value), a param's or tag's value when every run has the same; else empty.
fn exact_group_cell(c: &Column, runs: &[&Run]) -> String {
    let Column::Extra(k) = c else {
        return String::new();
    };
    match group_cell(k, runs) {
        Some(GroupCell::Mean(m)) if m.finite > 0 => number(m.mean),
        Some(GroupCell::Shared(Some(v))) => v,
        _ => String::new(),
    }
}

/// Downloads what the table shows as CSV.
#[component]
pub fn RunsCsvButton(
    data: Memo<Arc<TableData>>,
    columns: Memo<Vec<Column>>,
    state: Memo<RunsTableState>,
) -> impl IntoView {
    let error = RwSignal::new(None::<String>);
    let save = move |_| {
        let d = data.get_untracked();
        let result = columns
            .with_untracked(|c| state.with_untracked(|s| runs_csv(&d, c, s.group_by.as_ref())))
            .and_then(|text| {
                let experiment = d.rows.experiment_name.as_deref().unwrap_or_default();
                let name = csv_file_name(&format!("{experiment}-runs"));
                download(text.as_bytes(), &name, "text/csv;charset=utf-8")
            });
        error.set(result.err());
    };
    let disabled = move || data.with(|d| d.rows.error.is_some() || d.rows.display.is_empty());
    view! {
        <button
            type="button"
            class="csv"
            title="Download the shown runs and columns as CSV"
            aria-label="CSV of the runs table"
            disabled=disabled
            on:click=save
        >"CSV"</button>
        {move || error.get().map(|e| view! { <span class="error" role="alert">{format!("CSV failed: {e}")}</span> })}
    }
}
