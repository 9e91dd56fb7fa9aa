//! Registering a model a run logged: a small dialog that names a registered model
//! (a new name creates it) and adds the model as its next version, then links to it.

use std::sync::atomic::{AtomicU64, Ordering};

use leptos::prelude::*;

use super::commit;
use crate::core::table::registry::{model_path, version_path};
use crate::core::tracking::NewVersion;
use crate::service;
use crate::ui::href;

static DIALOGS: AtomicU64 = AtomicU64::new(0);

/// What a Register button registers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Registration {
    /// `models:/<m-id>` or `runs:/<run>/<artifact_path>`.
    pub source: String,
    /// The LoggedModel it is.
    pub model_id: Option<String>,
    /// The run that made it.
    pub run_id: Option<String>,
    /// What the button and dialog call it (`model`, `sk_model`).
    pub label: String,
}

/// The registration whose dialog is open, shared by a [`RegisterHost`]'s buttons.
#[derive(Clone, Copy)]
struct OpenDialog(RwSignal<Option<Registration>>);

/// Holds the Register dialog for the [`RegisterButton`]s inside it: the dialog lives
/// here, not in the list row that opened it, so it stays open while the list
/// re-renders around it (the row itself changes once the version is registered).
#[component]
pub fn RegisterHost(children: Children) -> impl IntoView {
    let open = OpenDialog(RwSignal::new(None));
    provide_context(open);
    view! {
        {children()}
        {move || open.0.get().map(|what| view! {
            <RegisterDialog what on_close=Callback::new(move |_| open.0.set(None))/>
        })}
    }
}

/// "Register", opening the dialog for `what` (inside a [`RegisterHost`]).
#[component]
pub fn RegisterButton(what: Registration) -> impl IntoView {
    let open = expect_context::<OpenDialog>();
    let aria = format!("Register {}", what.label);
    view! {
        <button type="button" class="register" aria-label=aria
            on:click=move |_| open.0.set(Some(what.clone()))>"Register"</button>
    }
}

/// The dialog: a name (existing names offered), what registering it will do, and the
/// new version's link once the merge has numbered it.
#[component]
fn RegisterDialog(what: Registration, on_close: Callback<()>) -> impl IntoView {
    let id = DIALOGS.fetch_add(1, Ordering::Relaxed);
    let (title_id, list_id) = (
        format!("register-title-{id}"),
        format!("register-names-{id}"),
    );
    let names: Vec<String> = service::ready()
        .map(|s| s.read(|t| t.registered_models().map(|m| m.name.clone()).collect()))
        .unwrap_or_default();
    let name = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let done = RwSignal::new(None::<(String, u64)>);
    let input = NodeRef::<leptos::html::Input>::new();
    Effect::new(move |_| {
        if let Some(el) = input.get() {
            let _ = el.focus();
        }
    });
    // What registering under the typed name will do.
    let plan = move || {
        let n = name.get().trim().to_owned();
        if n.is_empty() {
            return String::new();
        }
        let next = service::ready()
            .and_then(|s| s.read(|t| t.registered_model(&n).ok().map(|m| m.next_version())));
        match next {
            Some(v) => format!("Adds version {v} to “{n}”."),
            None => format!("Creates the registered model “{n}” with version 1."),
        }
    };
    let (source, label) = (what.source.clone(), what.label.clone());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let n = name.get_untracked().trim().to_owned();
        let args = NewVersion {
            name: n.clone(),
            source: what.source.clone(),
            model_id: what.model_id.clone(),
            run_id: what.run_id.clone(),
            create_model: true,
            ..Default::default()
        };
        busy.set(true);
        leptos::task::spawn_local(async move {
            let registered = commit(move |t, now| t.create_model_version(args, now)).await;
            let _ = busy.try_set(false);
            match registered {
                // The merge numbers the version: the last change's outcome.
                Ok((provisional, outcomes)) => {
                    let number = outcomes
                        .last()
                        .cloned()
                        .flatten()
                        .and_then(|v| v.parse().ok())
                        .unwrap_or(provisional);
                    let _ = done.try_set(Some((n, number)));
                }
                Err(e) => {
                    let _ = error.try_set(Some(e));
                }
            }
        });
    };
    view! {
        <div class="dialog-backdrop" on:click=move |_| on_close.run(())></div>
        <div class="dialog register-dialog" role="dialog" aria-modal="true" aria-labelledby=title_id.clone()
            on:keydown=move |ev| if ev.key() == "Escape" { on_close.run(()) }>
            <h2 id=title_id.clone()>{format!("Register {label}")}</h2>
            <p class="muted">"Source: " <code>{source}</code></p>
            <Show when=move || done.with(Option::is_none) fallback=move || {
                let (n, v) = done.get().unwrap_or_default();
                view! {
                    <p class="registered" role="status">
                        "Registered as "
                        <a href=href(&version_path(&n, v))>{format!("{n} version {v}")}</a>
                        " of " <a href=href(&model_path(&n))>{n.clone()}</a> "."
                    </p>
                    <div class="form-actions">
                        <button type="button" class="primary" on:click=move |_| on_close.run(())>"Close"</button>
                    </div>
                }
            }>
                <form on:submit=submit.clone()>
                    <label class="field">
                        <span>"Registered model"</span>
                        <input node_ref=input type="text" list=list_id.clone() aria-label="Registered model name"
                            placeholder="A new or existing name"
                            prop:value=move || name.get()
                            on:input=move |ev| { name.set(event_target_value(&ev)); error.set(None); }/>
                    </label>
                    <datalist id=list_id.clone()>
                        {names.iter().map(|n| view! { <option value=n.clone()></option> }).collect_view()}
                    </datalist>
                    <p class="muted plan">{plan}</p>
                    {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
                    <div class="form-actions">
                        <button type="submit" class="primary" disabled=move || busy.get()>"Register"</button>
                        <button type="button" on:click=move |_| on_close.run(())>"Cancel"</button>
                    </div>
                </form>
            </Show>
        </div>
    }
}
