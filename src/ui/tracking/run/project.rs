//! The Project section of a project run (one a browser worker ran): its entry point,
//! code hash and source, the code stored with it (each file opens in the artifact
//! browser), Re-run with the stored code, and Stop while this tab runs it.

use leptos::prelude::*;

use super::artifacts::ARTIFACTS_ID;
use super::handle::RunHandle;
use crate::core::text::format::format_size;
use crate::core::tracking::model::RunStatus;
use crate::core::tracking::rules::{TAG_SOURCE_NAME, TAG_SOURCE_TYPE};
use crate::service::projects::{self, CODE_DIR, TAG_ENTRY_POINT, TAG_SHA256};
use crate::ui::projects::StopButton;
use crate::ui::widgets::files::FilesOwner;
use crate::ui::{use_go_to, Store};

/// The tag naming how a project run was run; a browser project run has this value.
const TAG_BACKEND: &str = "mlflow.project.backend";
const BROWSER_BACKEND: &str = "browser-worker";

/// The Project section, shown for a browser project run only. `open_file` is the
/// artifact browser's selection.
#[component]
pub fn RunProject(h: RunHandle, open_file: RwSignal<Option<String>>) -> impl IntoView {
    let is_project = Memo::new(move |_| {
        h.run.with(|r| {
            r.as_ref().is_some_and(|r| {
                r.tags.get(TAG_SOURCE_TYPE).map(String::as_str) == Some("PROJECT")
                    && r.tags.get(TAG_BACKEND).map(String::as_str) == Some(BROWSER_BACKEND)
            })
        })
    });
    move || {
        is_project
            .get()
            .then(|| view! { <ProjectFacts h open_file/> })
    }
}

#[component]
fn ProjectFacts(h: RunHandle, open_file: RwSignal<Option<String>>) -> impl IntoView {
    let store = expect_context::<Store>();
    let go = use_go_to();
    let id = h.id.get_value();
    let tag = move |k: &'static str| {
        h.run
            .with(|r| r.as_ref().and_then(|r| r.tags.get(k).cloned()))
    };
    // `code/` is written once, just after the run: the store's revisions are followed
    // only until it is there.
    let files = {
        let owner = FilesOwner::Run(id.clone());
        let listed = StoredValue::new(false);
        LocalResource::new(move || {
            if !listed.get_value() {
                store.revision.track();
            }
            let owner = owner.clone();
            async move {
                owner.list().await.map(|all| {
                    let code: Vec<_> = all
                        .into_iter()
                        .filter(|(p, _)| p.starts_with(CODE_DIR))
                        .collect();
                    if !code.is_empty() {
                        listed.set_value(true);
                    }
                    code
                })
            }
        })
    };
    // Only this tab can stop a run it started; the status makes this follow its end.
    let running_here = {
        let id = id.clone();
        Memo::new(move |_| {
            let running = h.run.with(|r| {
                r.as_ref()
                    .is_some_and(|r| r.info.status == RunStatus::Running)
            });
            running && projects::running(&id).is_some()
        })
    };
    let open = move |path: String| {
        open_file.set(Some(path));
        if let Some(el) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id(ARTIFACTS_ID))
        {
            el.scroll_into_view();
        }
    };
    let rerun = {
        let id = id.clone();
        move |_| go(&format!("/projects/run?run={id}"))
    };
    let stop_id = id.clone();
    view! {
        <section class="run-section project-card" data-testid="project-card" aria-labelledby="project-card-title">
            <div class="section-head">
                <h2 id="project-card-title">"Project"</h2>
                <div class="form-actions">
                    <button type="button" class="primary" on:click=rerun
                        title="Run this entry point again with the code stored with this run">"Re-run"</button>
                    {move || running_here.get().then(|| projects::running(&stop_id)).flatten()
                        .map(|run| view! { <StopButton run/> })}
                </div>
            </div>
            <dl class="run-overview">
                <div class="run-field" data-field="entry-point"><dt>"Entry point"</dt>
                    <dd><code>{move || tag(TAG_ENTRY_POINT).unwrap_or_else(|| "main".to_owned())}</code></dd></div>
                <div class="run-field" data-field="code-hash"><dt>"Code hash"</dt>
                    <dd>{move || tag(TAG_SHA256).map(|sha| view! {
                        <code title=format!("sha256 {sha}")>{crate::ui::projects::short_hash(&sha)}</code>
                    })}</dd></div>
                <div class="run-field wide" data-field="project-source"><dt>"Source"</dt>
                    <dd class="mono">{move || tag(TAG_SOURCE_NAME).unwrap_or_else(|| "—".to_owned())}</dd></div>
            </dl>
            <h3 class="project-files-title">"Stored code"</h3>
            {move || match files.get() {
                None => view! { <p class="muted">"Reading the stored code…"</p> }.into_any(),
                Some(Err(e)) => view! { <p class="error" role="alert">"Could not list the stored code: " {e}</p> }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! {
                    <p class="muted">"No code was stored with this run, so it cannot be re-run here."</p>
                }.into_any(),
                Some(Ok(list)) => view! {
                    <ul class="project-files" aria-label="Stored code">
                        {list.into_iter().map(|(path, size)| {
                            let rel = path.strip_prefix(CODE_DIR).unwrap_or(&path).to_owned();
                            let target = path.clone();
                            view! {
                                <li>
                                    <button type="button" class="link" data-path=path.clone()
                                        title=format!("Show {path} among the artifacts")
                                        on:click=move |_| open(target.clone())>{rel}</button>
                                    " " <span class="muted">{format_size(size)}</span>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any(),
            }}
        </section>
    }
}
