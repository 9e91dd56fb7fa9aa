//! A Markdown description (a run's note, a registered model's or a version's
//! description): shown sanitized, edited as plain text behind "Edit".

use leptos::prelude::*;

use super::markdown::Markdown;

/// The description `text` with its editor; `save` stores what was typed (an empty
/// text clears it) and returns MLflow's refusal, shown under the editor.
#[component]
pub fn DescriptionEditor(
    #[prop(into)] text: Signal<String>,
    save: Callback<String, Result<(), String>>,
) -> impl IntoView {
    let editing = RwSignal::new(false);
    let draft = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let edit = move |_| {
        draft.set(text.get_untracked());
        error.set(None);
        editing.set(true);
    };
    let store = move |_| match save.run(draft.get_untracked()) {
        Ok(()) => editing.set(false),
        Err(e) => error.set(Some(e)),
    };
    view! {
        <div class="section-head">
            <h2>"Description"</h2>
            <Show when=move || !editing.get()>
                <button type="button" on:click=edit>
                    {move || if text.read().is_empty() { "Add description" } else { "Edit" }}
                </button>
            </Show>
        </div>
        <Show
            when=move || editing.get()
            fallback=move || view! {
                <Show
                    when=move || !text.read().is_empty()
                    fallback=|| view! { <p class="muted">"No description. Markdown is supported."</p> }
                >
                    <Markdown source=text/>
                </Show>
            }
        >
            <textarea class="description-editor" aria-label="Description (Markdown)" rows="8"
                prop:value=move || draft.get()
                on:input=move |ev| draft.set(event_target_value(&ev))></textarea>
            <div class="form-actions">
                <button type="button" class="primary" on:click=store>"Save"</button>
                <button type="button" on:click=move |_| editing.set(false)>"Cancel"</button>
                <span class="muted">"Markdown; raw HTML is shown as text."</span>
            </div>
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
        </Show>
    }
}
