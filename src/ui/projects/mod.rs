//! Browser Projects: `/projects/run` opens an `MLproject` (by URL, from a picked
//! `.zip`, or the code stored with an earlier run), shows what it holds, and runs one
//! of its entry points in a module Web Worker through `service::projects`, then
//! follows the run live. The run page's Project section and Stop button come from
//! here too.
//!
//! The page's parts: `open` (where the project comes from), `summary` (what was
//! loaded), `form` (entry point, parameters, experiment, Run), `live` (the started
//! run, and the Stop button the run page reuses).

mod form;
mod live;
mod open;
mod summary;

pub use live::StopButton;
pub use summary::short_hash;

use std::collections::BTreeMap;
use std::rc::Rc;

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::core::tracking::DEFAULT_EXPERIMENT_ID;
use crate::service;
use crate::service::projects::{self, LoadedProject, ProjectRun, ProjectSource, TAG_ENTRY_POINT};

use form::RunForm;
use live::LiveRun;
use open::ProjectOpener;
use summary::ProjectSummary;

/// What a re-run starts from: the earlier run's entry point, params and experiment.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Prefill {
    /// The entry point it ran.
    entry_point: Option<String>,
    /// Its params as logged.
    params: BTreeMap<String, String>,
    /// Its experiment.
    experiment_id: Option<String>,
}

impl Prefill {
    /// What run `run_id` ran with, if the view has it.
    fn of_run(run_id: &str) -> Prefill {
        let Some(s) = service::ready() else {
            return Prefill::default();
        };
        s.read(|t| {
            t.run(run_id)
                .map(|r| Prefill {
                    entry_point: r.tags.get(TAG_ENTRY_POINT).cloned(),
                    params: r.params.clone(),
                    experiment_id: Some(r.info.experiment_id.clone()),
                })
                .unwrap_or_default()
        })
    }
}

/// `url` made absolute against the site's root (its `<base href>`), so
/// `?uri=examples/project/` names the site's demo from any route.
fn absolute(url: &str) -> String {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.base_uri().ok().flatten())
        .and_then(|base| web_sys::Url::new_with_base(url, &base).ok())
        .map_or_else(|| url.to_owned(), |u| u.href())
}

/// Where opening a project stands.
#[derive(Clone)]
enum Opening {
    Idle,
    Loading(String),
    Failed(String),
    Loaded(Rc<LoadedProject>, Prefill),
}

/// `/projects/run`: open a project and run it. `?uri=<url>` opens that project at
/// once; `?run=<runId>` opens the code stored with that run, its form prefilled with
/// the run's params (the Re-run form); `?experiment=<id>` picks the experiment.
#[component]
pub fn RunProjectPage() -> impl IntoView {
    let query = use_query_map();
    let state = RwSignal::new_local(Opening::Idle);
    let started = RwSignal::new_local(None::<ProjectRun>);
    let url = RwSignal::new(String::new());
    // Ignores a load that a later one overtook.
    let generation = StoredValue::new(0u64);

    // `rerun`: the run whose params prefill the form (read once its code is loaded,
    // which brings the run into the view).
    let open = move |source: ProjectSource, what: String, rerun: Option<String>| {
        let Some(s) = service::ready() else { return };
        generation.update_value(|g| *g += 1);
        let mine = generation.get_value();
        state.set(Opening::Loading(what));
        started.set(None);
        leptos::task::spawn_local(async move {
            let result = projects::load(&s, source).await;
            if generation.try_get_value() != Some(mine) {
                return;
            }
            let _ = state.try_set(match result {
                Ok(p) => {
                    let prefill = rerun.as_deref().map(Prefill::of_run).unwrap_or_default();
                    Opening::Loaded(Rc::new(p), prefill)
                }
                Err(e) => Opening::Failed(e.to_string()),
            });
        });
    };

    // The query opens a project: on arrival, and when it names another one.
    Effect::new(move |last: Option<(Option<String>, Option<String>)>| {
        let key = query.with(|q| (q.get("uri"), q.get("run")));
        if last.as_ref() == Some(&key) {
            return key;
        }
        match &key {
            (_, Some(run)) if !run.is_empty() => open(
                ProjectSource::Run(run.clone()),
                format!("the code stored with run {run}"),
                Some(run.clone()),
            ),
            (Some(uri), _) if !uri.is_empty() => {
                url.set(uri.clone());
                let uri = absolute(uri);
                open(ProjectSource::Url(uri.clone()), uri, None)
            }
            _ => {}
        }
        key
    });
    // `?experiment=` wins over the re-run's experiment, which wins over Default.
    let experiment = Signal::derive(move || {
        query
            .with(|q| q.get("experiment"))
            .filter(|e| !e.is_empty())
    });

    let on_url = Callback::new(move |u: String| {
        let u = absolute(&u);
        open(ProjectSource::Url(u.clone()), u, None)
    });
    let on_archive = Callback::new(move |(name, bytes): (String, Vec<u8>)| {
        open(
            ProjectSource::Archive {
                name: name.clone(),
                bytes,
            },
            name,
            None,
        )
    });

    view! {
        <section class="project-page">
            <h1>"Run a project"</h1>
            <p class="muted">
                "A project is a folder with an " <code>"MLproject"</code>
                " file whose entry points name an ES module and the function it exports; it runs in a Web Worker of this tab and logs to this browser's store."
            </p>
            <ProjectOpener url on_url on_archive/>
            {move || state.with(|st| match st {
                Opening::Idle => ().into_any(),
                Opening::Loading(what) => view! {
                    <p class="muted" role="status">"Opening " <span class="mono">{what.clone()}</span> "…"</p>
                }.into_any(),
                Opening::Failed(e) => view! {
                    <div class="error-box" role="alert" data-testid="project-error">
                        <strong>"The project could not be opened. "</strong>{e.clone()}
                    </div>
                }.into_any(),
                Opening::Loaded(p, prefill) => {
                    let experiment = experiment
                        .get_untracked()
                        .or_else(|| prefill.experiment_id.clone())
                        .unwrap_or_else(|| DEFAULT_EXPERIMENT_ID.to_owned());
                    let project = StoredValue::new_local(p.clone());
                    view! {
                        <ProjectSummary project/>
                        <RunForm project prefill=prefill.clone() experiment started/>
                    }.into_any()
                }
            })}
            {move || started.with(|r| r.clone()).map(|run| view! { <LiveRun run/> })}
        </section>
    }
}
