//! Renaming and deleting a registered model. Both wait for the merge's verdict: a
//! name another tab took a moment ago, or a model it deleted, is refused here.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;

use crate::core::table::registry::model_path;
use crate::core::text::format::plural;
use crate::ui::registry::commit;
use crate::ui::registry::confirm::Confirm;
use crate::ui::registry::handle::ModelHandle;

/// The rename form, in place of the title; the renamed model's page opens.
#[component]
pub fn RenameModel(h: ModelHandle, on_done: Callback<()>) -> impl IntoView {
    let draft = RwSignal::new(h.name.get_value());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let navigate = use_navigate();
    let input = NodeRef::<leptos::html::Input>::new();
    Effect::new(move |_| {
        if let Some(el) = input.get() {
            el.select();
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let old = h.name.get_value();
        let new = draft.get_untracked().trim().to_owned();
        if new == old {
            on_done.run(());
            return;
        }
        busy.set(true);
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            let renamed = commit({
                let (old, new) = (old.clone(), new.clone());
                move |t, now| t.rename_registered_model(&old, &new, now)
            })
            .await;
            let _ = busy.try_set(false);
            match renamed {
                Ok(_) => navigate(
                    &model_path(&new),
                    NavigateOptions {
                        replace: true,
                        ..Default::default()
                    },
                ),
                Err(e) => {
                    let _ = error.try_set(Some(e));
                }
            }
        });
    };
    view! {
        <form class="inline-form rename-model" aria-label="Rename model" on:submit=submit>
            <input node_ref=input type="text" aria-label="New model name"
                prop:value=move || draft.get()
                on:input=move |ev| { draft.set(event_target_value(&ev)); error.set(None); }
                on:keydown=move |ev| if ev.key() == "Escape" { on_done.run(()) }/>
            <button type="submit" class="primary" disabled=move || busy.get()>"Save"</button>
            <button type="button" class="ghost" on:click=move |_| on_done.run(())>"Cancel"</button>
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
        </form>
    }
}

/// The delete button and its confirmation; the models list opens after.
#[component]
pub fn DeleteModel(h: ModelHandle) -> impl IntoView {
    let asking = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let navigate = use_navigate();
    let confirm = Callback::new(move |_| {
        let name = h.name.get_value();
        busy.set(true);
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            let deleted = commit(move |t, _| t.delete_registered_model(&name)).await;
            let _ = busy.try_set(false);
            match deleted {
                Ok(_) => navigate("/models", NavigateOptions::default()),
                Err(e) => {
                    let _ = error.try_set(Some(e));
                }
            }
        });
    });
    let message = move || {
        let versions = h
            .model
            .with_untracked(|m| m.as_ref().map_or(0, |m| m.live_versions().count()));
        format!(
            "Its {} and their aliases and tags are deleted too. This cannot be undone.",
            plural(versions, "version")
        )
    };
    view! {
        <button type="button" class="danger" on:click=move |_| { error.set(None); asking.set(true); }>"Delete model"</button>
        <Show when=move || asking.get()>
            <Confirm
                title=format!("Delete registered model “{}”?", h.name.get_value())
                message=message()
                action="Delete model"
                on_confirm=confirm
                on_cancel=Callback::new(move |_| asking.set(false))
                busy
                error
            />
        </Show>
    }
}
