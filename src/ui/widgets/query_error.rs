//! A refused search filter shown where it went wrong: the filter with a caret under
//! the position MLflow's grammar names, and the message.

use leptos::prelude::*;

use crate::core::tracking::queries::QueryError;

/// `error` about the filter `text` the user applied. An order-by error (or a refusal
/// that is not about the text) has nothing to point into, so it shows the message only.
#[component]
pub fn QueryErrorView(#[prop(into)] text: Signal<String>, error: QueryError) -> impl IntoView {
    let caret = match &error {
        QueryError::Filter(f) if f.order_by_clause.is_none() => Some(view! {
            <pre><code>{move || text.get()}"\n"<span class="caret">{format!("{}^", " ".repeat(f.position))}</span></code></pre>
        }),
        _ => None,
    };
    view! {
        <div class="filter-error" role="alert">
            {caret}
            <p>{error.to_string()}</p>
        </div>
    }
}

/// A search box in MLflow's filter grammar, applied on Enter (trimmed) and cleared
/// with Clear, and the refused filter's error under it. `applied` is the query in
/// force (the URL keeps it: a reload, back button or shared link brings its own);
/// `apply` hears a new one, only when it differs.
#[component]
pub fn QueryBox(
    applied: Memo<String>,
    apply: Callback<String>,
    #[prop(into)] error: Signal<Option<QueryError>>,
    /// The form's classes.
    class: &'static str,
    /// The input's accessible name.
    label: &'static str,
    placeholder: &'static str,
    /// The submit button's text.
    button: &'static str,
) -> impl IntoView {
    let draft = RwSignal::new(applied.get_untracked());
    Effect::new(move |_| draft.set(applied.get()));
    let submit = move |text: String| {
        if applied.get_untracked() != text {
            apply.run(text);
        }
    };
    view! {
        <form class=class role="search" on:submit=move |ev| {
            ev.prevent_default();
            submit(draft.get_untracked().trim().to_owned());
        }>
            <input
                type="text"
                data-search-box=""
                aria-label=label
                placeholder=placeholder
                spellcheck="false"
                autocomplete="off"
                prop:value=move || draft.get()
                on:input=move |ev| draft.set(event_target_value(&ev))
            />
            <button type="submit">{button}</button>
            <Show when=move || !applied.get().is_empty()>
                <button type="button" class="ghost" on:click=move |_| {
                    draft.set(String::new());
                    submit(String::new());
                }>"Clear"</button>
            </Show>
        </form>
        {move || error.get().map(|error| view! { <QueryErrorView text=applied error/> })}
    }
}
