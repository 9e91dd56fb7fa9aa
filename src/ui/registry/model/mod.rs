//! One registered model: the route and the sections of its page.

mod manage;
mod versions;

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use manage::{DeleteModel, RenameModel};
use versions::VersionsTable;

use super::aliases::AliasEditor;
use super::handle::ModelHandle;
use crate::ui::href;
use crate::ui::widgets::description::DescriptionEditor;
use crate::ui::widgets::format_time;
use crate::ui::widgets::tags::TagEditor;

/// `/models/:name`: one registered model — description, tags, aliases and versions;
/// rename and delete.
#[component]
pub fn ModelPage() -> impl IntoView {
    let params = use_params_map();
    let name = Memo::new(move |_| params.read().get("name").unwrap_or_default());
    // Another model is another page: its editors start afresh.
    move || {
        let name = name.get();
        view! { <ModelBody name/> }
    }
}

#[component]
fn ModelBody(name: String) -> impl IntoView {
    let h = ModelHandle::new(name.clone());
    let exists = Memo::new(move |_| h.model.with(Option::is_some));
    view! {
        <Show when=move || exists.get() fallback=move || view! { <ModelNotFound h/> }>
            <article class="registry-page detail-page model-page">
                <p class="crumbs"><a href=href("/models")>"Registered models"</a></p>
                <ModelTitle h/>
                <ModelOverview h/>
                <section class="reg-section model-description"><ModelDescription h/></section>
                <section class="reg-section model-tags"><ModelTags h/></section>
                <section class="reg-section model-aliases"><AliasEditor h/></section>
                <VersionsTable h/>
            </article>
        </Show>
    }
}

/// What a missing model shows (nothing until the store has been asked).
#[component]
fn ModelNotFound(h: ModelHandle) -> impl IntoView {
    move || {
        if !h.checked.get() {
            return view! { <p class="muted">"Reading the registry…"</p> }.into_any();
        }
        view! {
            <section class="registry-page not-found">
                <p class="crumbs"><a href=href("/models")>"Registered models"</a></p>
                <h1>"Registered model not found"</h1>
                <p>"No registered model is named " <code>{h.name.get_value()}</code> ". "
                   <a href=href("/models")>"See all registered models"</a></p>
            </section>
        }
        .into_any()
    }
}

/// The name, and what to do with the model.
#[component]
fn ModelTitle(h: ModelHandle) -> impl IntoView {
    let renaming = RwSignal::new(false);
    view! {
        <div class="reg-title">
            <Show when=move || !renaming.get() fallback=move || view! {
                <RenameModel h on_done=Callback::new(move |_| renaming.set(false))/>
            }>
                <h1>{move || h.name.get_value()}</h1>
                <div class="reg-actions">
                    <button type="button" on:click=move |_| renaming.set(true)>"Rename"</button>
                    <DeleteModel h/>
                </div>
            </Show>
        </div>
    }
}

/// Times and counts.
#[component]
fn ModelOverview(h: ModelHandle) -> impl IntoView {
    let facts = move || {
        h.model.with(|m| {
            m.as_ref().map(|m| {
                (
                    m.creation_timestamp.map(format_time),
                    m.last_updated_timestamp.map(format_time),
                    m.live_versions().count(),
                    m.live_versions().next_back().map(|v| v.version),
                )
            })
        })
    };
    let dash = || "—".to_owned();
    view! {
        <dl class="reg-overview">
            <div data-field="created"><dt>"Created"</dt><dd>{move || facts().and_then(|f| f.0).unwrap_or_else(dash)}</dd></div>
            <div data-field="modified"><dt>"Last modified"</dt><dd>{move || facts().and_then(|f| f.1).unwrap_or_else(dash)}</dd></div>
            <div data-field="versions"><dt>"Versions"</dt><dd>{move || facts().map(|f| f.2.to_string())}</dd></div>
            <div data-field="latest"><dt>"Latest version"</dt><dd>{move || match facts().and_then(|f| f.3) {
                Some(v) => view! { <a href=href(&crate::core::table::registry::version_path(&h.name.get_value(), v))>{format!("Version {v}")}</a> }.into_any(),
                None => dash().into_any(),
            }}</dd></div>
        </dl>
    }
}

/// The model's Markdown description.
#[component]
fn ModelDescription(h: ModelHandle) -> impl IntoView {
    let text = Memo::new(move |_| {
        h.model
            .with(|m| m.as_ref().and_then(|m| m.description.clone()))
            .unwrap_or_default()
    });
    let save = Callback::new(move |text: String| {
        let description = Some(text).filter(|t| !t.trim().is_empty());
        h.write(|t, n, now| t.update_registered_model(n, description, now))
    });
    view! { <DescriptionEditor text save/> }
}

/// The model's tags.
#[component]
fn ModelTags(h: ModelHandle) -> impl IntoView {
    let tags = Memo::new(move |_| {
        h.model.with(|m| {
            m.as_ref()
                .map(|m| {
                    m.tags
                        .iter()
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    });
    let set = Callback::new(move |(k, v): (String, String)| {
        h.write(|t, n, _| t.set_registered_model_tag(n, &k, &v))
    });
    let delete =
        Callback::new(move |k: String| h.write(|t, n, _| t.delete_registered_model_tag(n, &k)));
    view! { <TagEditor tags set delete/> }
}
