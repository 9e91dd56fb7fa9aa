//! The run's description (`mlflow.note.content`): Markdown, shown sanitized and
//! edited as plain text.

use leptos::prelude::*;

use super::handle::RunHandle;
use crate::core::tracking::rules::TAG_NOTE;
use crate::ui::widgets::markdown::Markdown;

/// Shows the description, with an editor behind "Edit".
#[component]
pub fn RunDescription(h: RunHandle) -> impl IntoView {
    let note = Memo::new(move |_| {
        h.run
            .with(|r| r.as_ref().and_then(|r| r.tags.get(TAG_NOTE).cloned()))
            .unwrap_or_default()
    });
    let editing = RwSignal::new(false);
    let draft = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let edit = move |_| {
        draft.set(note.get_untracked());
        error.set(None);
        editing.set(true);
    };
    let save = move |_| {
        let text = draft.get_untracked();
        let had_note = h
            .run
            .with_untracked(|r| r.as_ref().is_some_and(|r| r.tags.contains_key(TAG_NOTE)));
        let result = h.write(|t, id| {
            if !text.trim().is_empty() {
                t.set_tags(id, &[(TAG_NOTE.to_owned(), text)])
            } else if had_note {
                t.delete_tag(id, TAG_NOTE)
            } else {
                Ok(())
            }
        });
        match result {
            Ok(()) => editing.set(false),
            Err(e) => error.set(Some(e)),
        }
    };
    view! {
        <section class="run-section run-description">
            <div class="section-head">
                <h2>"Description"</h2>
                <Show when=move || !editing.get()>
                    <button type="button" on:click=edit>
                        {move || if note.read().is_empty() { "Add description" } else { "Edit" }}
                    </button>
                </Show>
            </div>
            <Show
                when=move || editing.get()
                fallback=move || view! {
                    <Show
                        when=move || !note.read().is_empty()
                        fallback=|| view! { <p class="muted">"No description. Markdown is supported."</p> }
                    >
                        <Markdown source=note/>
                    </Show>
                }
            >
                <textarea class="description-editor" aria-label="Description (Markdown)" rows="8"
                    prop:value=move || draft.get()
                    on:input=move |ev| draft.set(event_target_value(&ev))></textarea>
                <div class="form-actions">
                    <button type="button" class="primary" on:click=save>"Save"</button>
                    <button type="button" on:click=move |_| editing.set(false)>"Cancel"</button>
                    <span class="muted">"Markdown; raw HTML is shown as text."</span>
                </div>
                {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            </Show>
        </section>
    }
}
