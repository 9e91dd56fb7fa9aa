//! A started project run, followed live: its status (from the store as the worker
//! logs, and from the run's end), a link to its page, its metric charts as they grow,
//! the error when it failed, and Stop while it runs.

use leptos::prelude::*;

use crate::core::tracking::model::RunStatus;
use crate::service;
use crate::service::projects::{Ended, ProjectRun};
use crate::ui::widgets::chart::HistoryChart;
use crate::ui::widgets::files::FilesOwner;
use crate::ui::{href, Store};

/// What the live view shows of the run, as the store has it now.
#[derive(Clone, Debug, PartialEq)]
struct Seen {
    name: String,
    experiment_id: String,
    status: RunStatus,
    metrics: Vec<String>,
}

/// The run `run` started, followed until it ends (and after).
#[component]
pub fn LiveRun(run: ProjectRun) -> impl IntoView {
    let store = expect_context::<Store>();
    let id = run.run_id.clone();
    let ended = RwSignal::new(None::<Ended>);
    {
        let run = run.clone();
        leptos::task::spawn_local(async move {
            // A failed commit of the end leaves the store's status on show.
            match run.ended().await {
                Ok(e) => {
                    let _ = ended.try_set(Some(e));
                }
                Err(e) => web_sys::console::error_1(&format!("Ferroflow: {e}").into()),
            }
        });
    }
    let handle = StoredValue::new_local(run);
    let seen = {
        let id = id.clone();
        Memo::new(move |_| {
            store.revision.track();
            ended.track();
            let s = service::ready()?;
            s.read(|t| {
                t.run(&id).ok().map(|r| Seen {
                    name: r.info.run_name.clone(),
                    experiment_id: r.info.experiment_id.clone(),
                    status: r.info.status,
                    metrics: r.metrics.keys().cloned().collect(),
                })
            })
        })
    };
    // The end as this tab saw it wins (it carries the error); until then the store's.
    let status = Memo::new(move |_| {
        ended
            .with(|e| e.as_ref().map(|e| e.status))
            .or_else(|| seen.with(|s| s.as_ref().map(|s| s.status)))
            .unwrap_or(RunStatus::Running)
    });
    // The error, from the end this tab saw, else from the run's `error.txt`.
    let failure = {
        let id = id.clone();
        LocalResource::new(move || {
            let failed = status.get() == RunStatus::Failed;
            let told = ended.with(|e| e.as_ref().and_then(|e| e.error.clone()));
            let owner = FilesOwner::Run(id.clone());
            async move {
                if !failed {
                    return None;
                }
                if told.is_some() {
                    return told;
                }
                let bytes = owner.read("error.txt").await.ok().flatten()?;
                Some(String::from_utf8_lossy(&bytes).into_owned())
            }
        })
    };
    let keys = Memo::new(move |_| {
        seen.with(|s| s.as_ref().map(|s| s.metrics.clone()).unwrap_or_default())
    });
    let runs = {
        let id = id.clone();
        Signal::derive(move || {
            let name = seen.with(|s| s.as_ref().map(|s| s.name.clone()).unwrap_or_default());
            vec![(id.clone(), name)]
        })
    };
    let link = {
        let id = id.clone();
        move || {
            seen.with(|s| {
                s.as_ref()
                    .map(|s| href(&format!("/experiments/{}/runs/{id}", s.experiment_id)))
            })
        }
    };
    let name = move || seen.with(|s| s.as_ref().map(|s| s.name.clone()).unwrap_or_default());
    view! {
        <section class="live-run" data-testid="live-run" data-run-id=id.clone() aria-label="Started run">
            <div class="live-head">
                <h2>"Run " <a href=link>{name}</a></h2>
                {move || {
                    let s = status.get().as_str();
                    view! { <span class=format!("status {}", s.to_ascii_lowercase()) role="status" data-testid="run-status">{s}</span> }
                }}
                {move || (status.get() == RunStatus::Running).then(|| view! { <StopButton run=handle.get_value()/> })}
            </div>
            <p class="muted">"Run ID " <code>{id.clone()}</code></p>
            {move || failure.get().flatten().map(|e| view! {
                <div class="error-box" role="alert" data-testid="run-failure">
                    <strong>"The run failed. "</strong>
                    <pre class="run-error-text">{e}</pre>
                </div>
            })}
            <Show when=move || !keys.read().is_empty()
                fallback=move || view! {
                    <p class="muted">{move || if status.get() == RunStatus::Running { "No metrics logged yet." } else { "No metrics were logged." }}</p>
                }>
                <div class="chart-grid">
                    <For each=move || keys.get() key=|k| k.clone() let:key>
                        <HistoryChart key runs/>
                    </For>
                </div>
            </Show>
        </section>
    }
}

/// Stops `run` (its worker ends, the run is marked KILLED).
#[component]
pub fn StopButton(run: ProjectRun) -> impl IntoView {
    let run = StoredValue::new_local(run);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let stop = move |_| {
        let Some(run) = run.try_get_value() else {
            return;
        };
        busy.set(true);
        leptos::task::spawn_local(async move {
            let result = run.stop().await;
            let _ = busy.try_set(false);
            let _ = error.try_set(result.err().map(|e| e.to_string()));
        });
    };
    view! {
        <button type="button" class="danger stop-run" on:click=stop disabled=move || busy.get()>"Stop"</button>
        {move || error.get().map(|e| view! { <span class="error" role="alert">{format!("Could not stop the run: {e}")}</span> })}
    }
}
