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
