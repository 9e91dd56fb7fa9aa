//! The three views and the frame around each: the service followed by a [`Store`] of
//! the view's own, the site's root for links, and the error shown (and reported) in
//! place of the content.

use std::rc::Rc;

use leptos::prelude::*;

use crate::core::error::ErrorCode;
use crate::core::table::state::RunsTableState;
use crate::core::tracking::Tracker;
use crate::core::views::{
    filter_error, ChartSpec, ExperimentRef, RunSpec, RunsSpec, ViewError, ViewSpec,
};
use crate::service::{self, Subscription};
use crate::ui::tracking::{RunSummary, RunsOfExperiment};
use crate::ui::widgets::chart::HistoryChart;
use crate::ui::{href, SiteRoot, Store};

/// Hears the error the view shows, `None` when it shows its content.
pub type Reporter = Rc<dyn Fn(Option<&ViewError>)>;

type Report = StoredValue<Reporter, LocalStorage>;

/// Where a view is: still reading through the store for what it names, showing an
/// error, or showing its content (for the runs view, the experiment's id).
#[derive(Clone, Debug, PartialEq)]
enum Phase<T> {
    Looking,
    Failed(ViewError),
    Ready(T),
}

impl<T> Phase<T> {
    /// From what the read-through found (`None` while it reads) and what the tracker
    /// has now.
    fn of(read: Option<Result<(), ViewError>>, now: Result<T, ViewError>) -> Self {
        match (read, now) {
            (_, Ok(v)) => Phase::Ready(v),
            (None, Err(_)) => Phase::Looking,
            (Some(Err(e)), Err(_)) | (Some(Ok(())), Err(e)) => Phase::Failed(e),
        }
    }

    fn error(&self) -> Option<ViewError> {
        match self {
            Phase::Failed(e) => Some(e.clone()),
            _ => None,
        }
    }
}

/// One view, whatever its kind: options that could not be read show their message;
/// the rest waits for the store and follows it.
#[component]
pub fn View(
    spec: Result<ViewSpec, String>,
    site: String,
    report: Reporter,
    open_site: super::OpenSite,
) -> impl IntoView {
    provide_context(SiteRoot(site));
    let store = Store {
        status: RwSignal::new(None),
        revision: RwSignal::new(0),
        lifecycle: RwSignal::new(None),
    };
    provide_context(store);
    let report: Report = StoredValue::new_local(report);
    let spec = match spec {
        Ok(spec) => spec,
        Err(message) => return error_view(message).into_any(),
    };
    follow_service(store);
    let open_error = Memo::new(move |_| match store.status.get() {
        Some(Err(e)) => Some(ViewError {
            code: ErrorCode::TemporarilyUnavailable,
            message: format!("Ferroflow could not open its browser store: {e}"),
        }),
        _ => None,
    });
    Effect::new(move |_| {
        if let Some(e) = open_error.get() {
            report.with_value(|r| r(Some(&e)));
        }
    });
    let spec = StoredValue::new(spec);
    let content = move || match store.status.get() {
        None => view! { <p class="muted">"Opening the local store…"</p> }.into_any(),
        Some(Err(_)) => {
            error_view(open_error.get().map(|e| e.message).unwrap_or_default()).into_any()
        }
        Some(Ok(())) => match spec.get_value() {
            ViewSpec::Runs(spec) => view! { <RunsView spec report/> }.into_any(),
            ViewSpec::Chart(spec) => view! { <ChartView spec report/> }.into_any(),
            ViewSpec::Run(spec) => view! { <RunView spec report/> }.into_any(),
        },
    };
    view! { {content} <OpenInSite open_site/> }.into_any()
}

/// The view's "Open in Ferroflow" button: `mlflow.connect()` from the click (the site
/// opens in a new tab and asks whether this page may write to it), and how it went.
#[component]
fn OpenInSite(open_site: super::OpenSite) -> impl IntoView {
    let status = RwSignal::new(None::<(bool, String)>);
    let open_site = StoredValue::new_local(open_site);
    let click = move |_| {
        // Called in the click itself: the browser lets it open a tab.
        let promise = open_site.with_value(|f| f());
        status.set(Some((
            false,
            "Waiting for the Ferroflow tab to allow this page…".into(),
        )));
        leptos::task::spawn_local(async move {
            let said = match wasm_bindgen_futures::JsFuture::from(promise).await {
                Ok(_) => (
                    false,
                    "Connected: what this page logs is on your Ferroflow site too.".into(),
                ),
                Err(e) => {
                    let message = js_sys::Reflect::get(&e, &"message".into())
                        .ok()
                        .and_then(|m| m.as_string())
                        .unwrap_or_else(|| "The Ferroflow site could not be opened.".into());
                    (true, message)
                }
            };
            let _ = status.try_set(Some(said));
        });
    };
    view! {
        <div class="view-bar">
            <button class="open-site" on:click=click>"Open in Ferroflow"</button>
            {move || status.get().map(|(error, text)| view! {
                <span class:error=error class:muted=!error role="status">{text}</span>
            })}
        </div>
    }
}

/// A view's error, in place of its content.
fn error_view(message: String) -> impl IntoView {
    view! { <p class="error view-error" role="alert">{message}</p> }
}

/// Keeps `store.revision` following the service's commits while the current owner
/// lives (the mounted view), opening the service first if need be.
fn follow_service(store: Store) {
    let subscription = StoredValue::new_local(None::<Subscription>);
    on_cleanup(move || drop(subscription.try_update_value(Option::take)));
    let listen = move |s: Rc<service::Service>| {
        let rev = store.revision;
        let sub = s.subscribe(Rc::new(move || {
            let _ = rev.try_update(|r| *r += 1);
        }));
        // A view unmounted while the store opened gets it back, and drops it.
        drop(subscription.try_set_value(Some(sub)));
        let _ = store.status.try_set(Some(Ok(())));
    };
    match service::ready() {
        Some(s) => listen(s),
        None => leptos::task::spawn_local(async move {
            match service::service().await {
                Ok(s) => listen(s),
                Err(e) => {
                    let _ = store.status.try_set(Some(Err(e.to_string())));
                }
            }
        }),
    }
}

/// `f` over the tracker; an error if the store is not open (views render only once
/// it is).
fn read<T>(f: impl FnOnce(&Tracker) -> Result<T, ViewError>) -> Result<T, ViewError> {
    match service::ready() {
        Some(s) => s.read(f),
        None => Err(ViewError {
            code: ErrorCode::InvalidState,
            message: "The store is not open.".into(),
        }),
    }
}

/// Reads what the view names through from the store if this context's view lacks it
/// (another tab or worker may have just made it); `None` while it reads.
fn read_through(
    known: impl FnOnce(&Tracker) -> bool,
    fetch: impl std::future::Future<Output = Result<(), service::ServiceError>> + 'static,
) -> RwSignal<Option<Result<(), ViewError>>> {
    let done = RwSignal::new(None);
    if read(|t| Ok(known(t))).unwrap_or(false) {
        done.set(Some(Ok(())));
        return done;
    }
    leptos::task::spawn_local(async move {
        let outcome = fetch.await.map_err(|e| ViewError {
            code: e.code(),
            message: e.to_string(),
        });
        let _ = done.try_set(Some(outcome));
    });
    done
}

/// Runs `ids` read through (see [`read_through`]).
fn read_through_runs(ids: Vec<String>) -> RwSignal<Option<Result<(), ViewError>>> {
    let check = ids.clone();
    read_through(
        move |t| check.iter().all(|id| t.run(id).is_ok()),
        async move {
            if let Some(s) = service::ready() {
                for id in &ids {
                    s.know_run(id).await?;
                }
            }
            Ok(())
        },
    )
}

/// Reports the phase's error, and when it changes.
fn report_phase<T>(phase: Memo<Phase<T>>, report: Report)
where
    T: Clone + PartialEq + Send + Sync + 'static,
{
    Effect::new(move |_| {
        let e = phase.with(Phase::error);
        report.with_value(|r| r(e.as_ref()));
    });
}

/// `mlflow.show.runs`: the experiment's title row and runs table, the table's state
/// kept here instead of in a URL.
#[component]
fn RunsView(spec: RunsSpec, report: Report) -> impl IntoView {
    let store = expect_context::<Store>();
    let RunsSpec { experiment, table } = spec;
    let state = RwSignal::new(table);
    let state_now = Memo::new(move |_| state.get());
    let set_state = Callback::new(move |s: RunsTableState| state.set(s));
    let read_done = match &experiment {
        ExperimentRef::Id(id) => {
            let (check, id) = (id.clone(), id.clone());
            read_through(move |t| t.experiment(&check).is_ok(), async move {
                match service::ready() {
                    Some(s) => s.know_experiment(&id).await,
                    None => Ok(()),
                }
            })
        }
        ExperimentRef::Name(name) => {
            let name = name.clone();
            read_through(move |t| t.experiment_by_name(&name).is_some(), async move {
                match service::ready() {
                    Some(s) => s.know_experiments().await,
                    None => Ok(()),
                }
            })
        }
    };
    let experiment = StoredValue::new(experiment);
    let phase = Memo::new(move |_| {
        store.revision.track();
        let id = read(|t| experiment.with_value(|e| e.resolve(t)));
        Phase::of(read_done.get(), id)
    });
    let filter_problem = Memo::new(move |_| state.with(|s| filter_error(&s.filter)));
    Effect::new(move |_| {
        let e = phase.with(Phase::error).or_else(|| filter_problem.get());
        report.with_value(|r| r(e.as_ref()));
    });
    move || match phase.get() {
        Phase::Looking => view! { <p class="muted">"Looking for the experiment…"</p> }.into_any(),
        Phase::Failed(e) => error_view(e.message).into_any(),
        Phase::Ready(id) => view! {
            <section class="runs-page">
                <RunsOfExperiment experiment_id=id state=state_now set_state/>
            </section>
        }
        .into_any(),
    }
}

/// `mlflow.show.chart`: a chart per metric key, each overlaying the runs, as the run
/// and compare pages draw them.
#[component]
fn ChartView(spec: ChartSpec, report: Report) -> impl IntoView {
    let store = expect_context::<Store>();
    let read_done = read_through_runs(spec.run_ids.clone());
    let options = Signal::stored(spec.options.clone());
    let spec = StoredValue::new(spec);
    let runs = Memo::new(move |_| {
        store.revision.track();
        read(|t| spec.with_value(|s| s.runs(t)))
    });
    let phase = Memo::new(move |_| Phase::of(read_done.get(), runs.get().map(drop)));
    report_phase(phase, report);
    let keys = Memo::new(move |_| {
        store.revision.track();
        read(|t| Ok(spec.with_value(|s| s.chart_keys(t)))).unwrap_or_default()
    });
    let drawn = Signal::derive(move || runs.get().unwrap_or_default());
    move || {
        match phase.get() {
        Phase::Looking => view! { <p class="muted">"Looking for the runs…"</p> }.into_any(),
        Phase::Failed(e) => error_view(e.message).into_any(),
        Phase::Ready(()) => view! {
            <RunLinks runs=drawn/>
            <Show
                when=move || !keys.read().is_empty()
                fallback=|| view! { <p class="muted">"No metrics logged yet: a chart appears for each as the runs log it."</p> }
            >
                <div class="chart-grid">
                    <For each=move || keys.get() key=|k| k.clone() let:key>
                        <HistoryChart key runs=drawn options/>
                    </For>
                </div>
            </Show>
        }
        .into_any(),
    }
    }
}

/// The charted runs, each a link to its page on the site, with its status.
#[component]
fn RunLinks(runs: Signal<Vec<(String, String)>>) -> impl IntoView {
    let store = expect_context::<Store>();
    let links = Memo::new(move |_| {
        store.revision.track();
        runs.with(|runs| {
            read(|t| {
                Ok(runs
                    .iter()
                    .filter_map(|(id, label)| {
                        let r = t.run(id).ok()?;
                        let path = format!("/experiments/{}/runs/{id}", r.info.experiment_id);
                        Some((path, label.clone(), r.info.status.as_str()))
                    })
                    .collect::<Vec<_>>())
            })
            .unwrap_or_default()
        })
    });
    view! {
        <p class="view-caption">
            <For each=move || links.get() key=|l| l.clone() let:link>
                <span class="view-run">
                    <a href=href(&link.0)>{link.1}</a>
                    " "
                    <span class=format!("status {}", link.2.to_ascii_lowercase())>{link.2}</span>
                </span>
            </For>
        </p>
    }
}

/// `mlflow.show.run`: the run's name, facts, params and latest metrics.
#[component]
fn RunView(spec: RunSpec, report: Report) -> impl IntoView {
    let store = expect_context::<Store>();
    let read_done = read_through_runs(vec![spec.run_id.clone()]);
    let spec = StoredValue::new(spec);
    let phase = Memo::new(move |_| {
        store.revision.track();
        Phase::of(read_done.get(), read(|t| spec.with_value(|s| s.check(t))))
    });
    report_phase(phase, report);
    move || match phase.get() {
        Phase::Looking => view! { <p class="muted">"Looking for the run…"</p> }.into_any(),
        Phase::Failed(e) => error_view(e.message).into_any(),
        Phase::Ready(()) => {
            view! { <RunSummary id=spec.with_value(|s| s.run_id.clone())/> }.into_any()
        }
    }
}
