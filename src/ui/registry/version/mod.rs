//! One model version: the route and the sections of its page.

mod mlmodel;

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map};
use leptos_router::NavigateOptions;

use mlmodel::ModelSummary;

use super::aliases::AliasEditor;
use super::commit;
use super::confirm::Confirm;
use super::handle::ModelHandle;
use crate::core::models::resolve::resolve;
use crate::core::registry::{ModelVersion, Stage};
use crate::core::table::registry::{model_path, RunRef};
use crate::service;
use crate::ui::widgets::description::DescriptionEditor;
use crate::ui::widgets::files::{FileBrowser, FilesOwner};
use crate::ui::widgets::format_time;
use crate::ui::widgets::tags::TagEditor;
use crate::ui::{href, Store};

/// `/models/:name/versions/:version`: one version — where it came from, description,
/// tags, aliases and stage, what its `MLmodel` says, how to load it, and its files.
#[component]
pub fn VersionPage() -> impl IntoView {
    let params = use_params_map();
    let key = Memo::new(move |_| {
        let p = params.read();
        (
            p.get("name").unwrap_or_default(),
            p.get("version").unwrap_or_default(),
        )
    });
    move || {
        let (name, version) = key.get();
        view! { <VersionBody name version/> }
    }
}

/// The version `number` of `h`'s model, if it is there and not deleted.
fn live_version(h: ModelHandle, number: Option<u64>) -> Memo<Option<ModelVersion>> {
    Memo::new(move |_| {
        let n = number?;
        h.model.with(|m| {
            m.as_ref()?
                .versions
                .get(&n)
                .filter(|v| !v.is_deleted())
                .cloned()
        })
    })
}

#[component]
fn VersionBody(name: String, version: String) -> impl IntoView {
    let h = ModelHandle::new(name);
    let number = version.trim().parse::<u64>().ok();
    let v = live_version(h, number);
    view! {
        <Show when=move || v.with(Option::is_some) fallback=move || view! {
            <VersionNotFound h version=version.clone()/>
        }>
            <VersionSections h number=number.unwrap_or_default() v/>
        </Show>
    }
}

/// A deleted, unknown or malformed version (nothing until the store has been asked).
#[component]
fn VersionNotFound(h: ModelHandle, version: String) -> impl IntoView {
    move || {
        if !h.checked.get() {
            return view! { <p class="muted">"Reading the registry…"</p> }.into_any();
        }
        let name = h.name.get_value();
        let has_model = h.model.with(Option::is_some);
        view! {
            <section class="registry-page not-found">
                <p class="crumbs">
                    <a href=href("/models")>"Registered models"</a>
                    {has_model.then(|| view! { " / " <a href=href(&model_path(&name))>{name.clone()}</a> })}
                </p>
                <h1>"Model version not found"</h1>
                {if has_model {
                    view! {
                        <p>"Registered model " <code>{name.clone()}</code> " has no version "
                           <code>{version.clone()}</code> ": it was deleted, or never registered. "
                           <a href=href(&model_path(&name))>"See its versions"</a></p>
                    }.into_any()
                } else {
                    view! {
                        <p>"No registered model is named " <code>{name.clone()}</code> ". "
                           <a href=href("/models")>"See all registered models"</a></p>
                    }.into_any()
                }}
            </section>
        }
        .into_any()
    }
}

#[component]
fn VersionSections(h: ModelHandle, number: u64, v: Memo<Option<ModelVersion>>) -> impl IntoView {
    let store = expect_context::<Store>();
    // Where its files are; refused (with MLflow's reason) for a source this store lacks.
    let files = Memo::new(move |_| {
        store.revision.track();
        v.track();
        let s = service::ready()?;
        let uri = format!("models:/{}/{number}", h.name.get_value());
        Some(s.read(|t| resolve(t, &uri).map(|r| r.files).map_err(|e| e.to_string())))
    });
    let name = h.name.get_value();
    view! {
        <article class="registry-page detail-page version-page">
            <p class="crumbs">
                <a href=href("/models")>"Registered models"</a>
                " / "
                <a href=href(&model_path(&name))>{name.clone()}</a>
            </p>
            <div class="reg-title">
                <h1>{name.clone()} <span class="muted">{format!(" · Version {number}")}</span></h1>
                <div class="reg-actions"><DeleteVersion h number/></div>
            </div>
            <VersionOverview h number v/>
            <section class="reg-section version-description"><VersionDescription h number v/></section>
            <section class="reg-section version-tags"><VersionTags h number v/></section>
            <section class="reg-section version-aliases"><AliasEditor h version=number/></section>
            {move || match files.get() {
                None => ().into_any(),
                Some(Err(e)) => view! {
                    <section class="reg-section model-summary">
                        <h2>"Model"</h2>
                        <p class="error" role="alert">{e}</p>
                    </section>
                }.into_any(),
                Some(Ok(f)) => view! {
                    <ModelSummary files=f.clone() name=h.name.get_value() version=number/>
                    <section class="reg-section model-files">
                        <h2>"Files"</h2>
                        <FileBrowser owner=FilesOwner::Model(f) label="Model files"
                            empty=|| view! { <p class="muted">"This model has no files in this store."</p> }/>
                    </section>
                }.into_any(),
            }}
        </article>
    }
}

/// Where the version came from, and its stage.
#[component]
fn VersionOverview(h: ModelHandle, number: u64, v: Memo<Option<ModelVersion>>) -> impl IntoView {
    let store = expect_context::<Store>();
    let links = Memo::new(move |_| {
        store.revision.track();
        let (run_id, model_id) = v.with(|v| {
            v.as_ref()
                .map(|v| (v.run_id.clone(), v.model_id.clone()))
                .unwrap_or_default()
        });
        let s = service::ready()?;
        Some(s.read(|t| {
            let run = run_id.as_deref().and_then(|r| RunRef::find(t, r));
            let model = model_id.as_deref().and_then(|id| {
                let m = t.logged_model(id).ok()?;
                Some((m.experiment_id.clone(), m.name.clone()))
            });
            (run_id, run, model_id, model)
        }))
    });
    let field = move |name: &'static str, label: &'static str, value: AnyView| {
        view! { <div data-field=name><dt>{label}</dt><dd>{value}</dd></div> }
    };
    let dash = || view! { <span class="muted">"—"</span> }.into_any();
    let get =
        move |f: fn(&ModelVersion) -> String| v.with(|v| v.as_ref().map(f).unwrap_or_default());
    let stage_error = RwSignal::new(None::<String>);
    let set_stage = move |ev: leptos::ev::Event| {
        let Some(stage) = Stage::parse(&event_target_value(&ev)) else {
            return;
        };
        let r = h.write(|t, n, now| t.transition_stage(n, number, stage, false, now));
        stage_error.set(r.err());
    };
    view! {
        <dl class="reg-overview">
            {field("registered", "Registered at", view! { {move || get(|v| format_time(v.creation_timestamp))} }.into_any())}
            {field("modified", "Last modified", view! { {move || get(|v| v.last_updated_timestamp.map(format_time).unwrap_or_default())} }.into_any())}
            {field("source-run", "Source run", view! { {move || links.with(|l| match l {
                Some((_, Some(run), _, _)) => view! { <a href=href(&run.path())>{run.name.clone()}</a> }.into_any(),
                Some((Some(id), None, _, _)) => view! { <code>{id.clone()}</code> " (not in this store)" }.into_any(),
                _ => dash(),
            })} }.into_any())}
            {field("logged-model", "Logged model", view! { {move || links.with(|l| match l {
                Some((_, _, Some(id), Some((exp, mname)))) => view! {
                    <a href=href(&format!("/experiments/{exp}/models#{id}"))>{mname.clone()}</a>
                    " " <code>{id.clone()}</code>
                }.into_any(),
                Some((_, _, Some(id), None)) => view! { <code>{id.clone()}</code> " (not in this store)" }.into_any(),
                _ => dash(),
            })} }.into_any())}
            {field("source", "Source", view! { <code>{move || get(|v| v.source.clone().unwrap_or_default())}</code> }.into_any())}
            {field("status", "Status", view! { {move || get(|v| v.status.as_str().to_owned())} }.into_any())}
            {field("stage", "Stage", view! {
                <select aria-label="Stage" on:change=set_stage>
                    {move || {
                        let now = v.with(|v| v.as_ref().map(|v| v.current_stage));
                        Stage::ALL.into_iter().map(|s| view! {
                            <option value=s.as_str() selected=now == Some(s)>{s.as_str()}</option>
                        }).collect_view()
                    }}
                </select>
                <span class="muted hint">"Deprecated in MLflow: prefer aliases."</span>
                {move || stage_error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            }.into_any())}
        </dl>
    }
}

/// The version's Markdown description.
#[component]
fn VersionDescription(h: ModelHandle, number: u64, v: Memo<Option<ModelVersion>>) -> impl IntoView {
    let text = Memo::new(move |_| {
        v.with(|v| v.as_ref().and_then(|v| v.description.clone()))
            .unwrap_or_default()
    });
    let save = Callback::new(move |text: String| {
        let description = Some(text).filter(|t| !t.trim().is_empty());
        h.write(|t, n, now| t.update_model_version(n, number, description, now))
    });
    view! { <DescriptionEditor text save/> }
}

/// The version's tags.
#[component]
fn VersionTags(h: ModelHandle, number: u64, v: Memo<Option<ModelVersion>>) -> impl IntoView {
    let tags = Memo::new(move |_| {
        v.with(|v| {
            v.as_ref()
                .map(|v| {
                    v.tags
                        .iter()
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    });
    let set = Callback::new(move |(k, val): (String, String)| {
        h.write(|t, n, _| t.set_model_version_tag(n, number, &k, &val))
    });
    let delete = Callback::new(move |k: String| {
        h.write(|t, n, _| t.delete_model_version_tag(n, number, &k))
    });
    view! { <TagEditor tags set delete/> }
}

/// The delete button and its confirmation; the model's page opens after.
#[component]
fn DeleteVersion(h: ModelHandle, number: u64) -> impl IntoView {
    let asking = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let navigate = use_navigate();
    let confirm = Callback::new(move |_| {
        let name = h.name.get_value();
        busy.set(true);
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            let deleted = commit({
                let name = name.clone();
                move |t, now| t.delete_model_version(&name, number, now)
            })
            .await;
            let _ = busy.try_set(false);
            match deleted {
                Ok(_) => navigate(&model_path(&name), NavigateOptions::default()),
                Err(e) => {
                    let _ = error.try_set(Some(e));
                }
            }
        });
    });
    view! {
        <button type="button" class="danger" on:click=move |_| { error.set(None); asking.set(true); }>"Delete version"</button>
        <Show when=move || asking.get()>
            <Confirm
                title=format!("Delete version {number} of “{}”?", h.name.get_value())
                message="Its aliases go with it, and its number is never used again. This cannot be undone."
                action="Delete version"
                on_confirm=confirm
                on_cancel=Callback::new(move |_| asking.set(false))
                busy
                error
            />
        </Show>
    }
}
