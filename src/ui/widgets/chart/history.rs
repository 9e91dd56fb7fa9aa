//! `HistoryChart`: one metric's full history for each of some runs, loaded through
//! the service and drawn by [`MetricChart`]. The run page shows one per metric for its
//! run; the compare page one per metric for every compared run that logged it.

use std::sync::Arc;

use leptos::prelude::*;

use super::{ChartSeries, MetricChart};
use crate::core::chart::ChartOptions;
use crate::core::text::csv_out::{csv_file_name, history_csv, long_history_csv, RunHistory};
use crate::core::tracking::model::MetricPoint;
use crate::core::tracking::Tracker;
use crate::service;
use crate::ui::widgets::blob::download;
use crate::ui::Store;

/// What changes when a run's history of `key` changes: its latest point and its
/// stored chunk count. `None` if the run or metric is unknown.
type HistoryStamp = Option<(i64, i64, u64, u64)>;

fn stamp(t: &Tracker, run_id: &str, key: &str) -> HistoryStamp {
    let stored = t.stored_run(run_id).ok()?;
    let latest = stored.run.metrics.get(key)?;
    Some((
        latest.step,
        latest.timestamp,
        latest.value.to_bits(),
        stored.history_version(key),
    ))
}

/// Reads every run's history of `key` (`None` for no key: nothing to read), by run id.
async fn load_histories(
    ids: Vec<String>,
    key: Option<String>,
) -> Result<Vec<(String, Arc<Vec<MetricPoint>>)>, String> {
    let Some(key) = key else {
        return Ok(Vec::new());
    };
    let s = service::ready().ok_or_else(|| "The store is not open.".to_owned())?;
    let mut out: Vec<(String, Arc<Vec<MetricPoint>>)> = Vec::with_capacity(ids.len());
    for id in ids {
        let points = s
            .metric_history(&id, &key)
            .await
            .map_err(|e| e.to_string())?;
        out.push((id, Arc::new(points)));
    }
    Ok(out)
}

/// The chart of `key` for `runs`, `(run id, legend label)` in legend order. Histories
/// are read again only when a run's latest point or stored chunk count for this key
/// changes, so a running run's curve grows live, while commits to other runs or
/// metrics (or a rename) cost no reading here. The x axis may be another metric the
/// runs logged; its histories are read (the same way) only while one is chosen.
#[component]
pub fn HistoryChart(
    /// The metric key.
    key: String,
    /// The runs drawn: id and legend label.
    #[prop(into)]
    runs: Signal<Vec<(String, String)>>,
    /// The chart's settings, and who hears the user change them (see [`MetricChart`]).
    #[prop(optional, into)]
    options: Signal<ChartOptions>,
    #[prop(optional)] on_options: Option<Callback<ChartOptions>>,
    /// Whether the CSV download is in long form (`run_id,run_name,key,…`) even for
    /// one run, as on the compare page. Otherwise one run's chart downloads
    /// `step,timestamp,value`, and a chart of several runs the long form.
    #[prop(optional)]
    long_form: bool,
    /// Runs drawn as groups (mean and band), passed to [`MetricChart`].
    #[prop(optional, into)]
    groups: Signal<Option<super::ChartGroups>>,
) -> impl IntoView {
    let store = expect_context::<Store>();
    let ids =
        Memo::new(move |_| runs.with(|r| r.iter().map(|(id, _)| id.clone()).collect::<Vec<_>>()));
    let stamps = Memo::new({
        let key = key.clone();
        move |_| {
            store.revision.track();
            let Some(s) = service::ready() else {
                return Vec::new();
            };
            ids.with(|ids| s.read(|t| ids.iter().map(|id| stamp(t, id, &key)).collect::<Vec<_>>()))
        }
    });
    let histories = LocalResource::new({
        let key = key.clone();
        move || {
            // Read, not `.track()`: an unread memo is never recomputed.
            stamps.with(|_| ());
            load_histories(ids.get(), Some(key.clone()))
        }
    });
    // The x axis' metric: the other keys the runs logged, and while one is chosen,
    // its histories (reloaded as the chart's own are).
    let x_metric = RwSignal::new(None::<String>);
    let x_keys = Memo::new({
        let key = key.clone();
        move |_| {
            store.revision.track();
            let Some(s) = service::ready() else {
                return Vec::new();
            };
            let mut keys: Vec<String> = ids.with(|ids| {
                s.read(|t| {
                    ids.iter()
                        .filter_map(|id| t.run(id).ok())
                        .flat_map(|r| r.metrics.keys().cloned())
                        .collect()
                })
            });
            keys.sort();
            keys.dedup();
            keys.retain(|k| *k != key);
            keys
        }
    });
    let x_stamps = Memo::new(move |_| {
        let x_key = x_metric.get()?;
        store.revision.track();
        let s = service::ready()?;
        Some(ids.with(|ids| {
            s.read(|t| {
                ids.iter()
                    .map(|id| stamp(t, id, &x_key))
                    .collect::<Vec<_>>()
            })
        }))
    });
    // Tagged with the key they are of: while another metric's load is under way the
    // resource still holds the last one's, which must not be drawn as the new one.
    let x_histories = LocalResource::new(move || {
        x_stamps.with(|_| ());
        let key = x_metric.get();
        let load = load_histories(ids.get(), key.clone());
        async move { load.await.map(|h| (key, h)) }
    });
    // Labels are joined by run id, so a history loaded for an older list of runs is
    // never drawn under another run's name.
    let series = Memo::new(move |_| match histories.get() {
        Some(Ok(loaded)) => {
            let xs = match x_histories.get() {
                Some(Ok((of, xs))) if of.is_some() && x_metric.with(|k| *k == of) => xs,
                _ => Vec::new(),
            };
            runs.with(|runs| {
                loaded
                    .iter()
                    .filter_map(|(id, points)| {
                        let (_, label) = runs.iter().find(|(r, _)| r == id)?;
                        Some(ChartSeries {
                            label: label.clone(),
                            run_id: id.clone(),
                            points: points.clone(),
                            x_points: xs.iter().find(|(x, _)| x == id).map(|(_, p)| p.clone()),
                        })
                    })
                    .collect()
            })
        }
        _ => Vec::new(),
    });
    // Runs drawn against a metric they never logged: they draw nothing, so say why.
    let x_missing = move || {
        let x_key = x_metric.get()?;
        let names: Vec<String> = series.with(|all| {
            all.iter()
                .filter(|s| s.x_points.as_ref().is_some_and(|p| p.is_empty()))
                .map(|s| s.label.clone())
                .collect()
        });
        (!names.is_empty()).then(|| {
            view! { <p class="chart-note muted">{format!("No values of {x_key} for {}", names.join(", "))}</p> }
        })
    };
    let loading = Signal::derive(move || histories.read().is_none());
    let error = move || match (histories.get(), x_histories.get()) {
        (Some(Err(e)), _) | (_, Some(Err(e))) => {
            let what = if ids.with(Vec::len) == 1 {
                "history"
            } else {
                "histories"
            };
            Some(
                view! { <p class="error" role="alert">{format!("Could not read the {what}: {e}")}</p> },
            )
        }
        _ => None,
    };
    let csv_error = RwSignal::new(None::<String>);
    let csv = Callback::new({
        let key = key.clone();
        move |()| {
            csv_error.set(
                series
                    .with_untracked(|all| save_csv(&key, all, long_form))
                    .err(),
            )
        }
    });
    let title = key.clone();
    view! {
        <div class="chart-cell" data-metric=key>
            <MetricChart series=series title=title loading=loading options on_options csv x_keys x_metric groups/>
            {x_missing}
            {error}
            {move || csv_error.get().map(|e| view! { <p class="error" role="alert">{format!("CSV failed: {e}")}</p> })}
        </div>
    }
}

/// Downloads the loaded histories (every point, not the drawn ones) as CSV:
/// `<run name>-<key>.csv` for one run, `<key>-runs.csv` in long form.
fn save_csv(key: &str, series: &[ChartSeries], long_form: bool) -> Result<(), String> {
    let (text, stem) = match series {
        [one] if !long_form => (history_csv(&one.points), format!("{}-{key}", one.label)),
        all => {
            let runs: Vec<RunHistory<'_>> = all
                .iter()
                .map(|s| RunHistory {
                    run_id: &s.run_id,
                    run_name: &s.label,
                    points: &s.points,
                })
                .collect();
            (long_history_csv(key, &runs), format!("{key}-runs"))
        }
    };
    download(
        text.as_bytes(),
        &csv_file_name(&stem),
        "text/csv;charset=utf-8",
    )
}
