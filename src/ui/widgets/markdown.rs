//! Markdown written by users (run descriptions, `.md` artifacts), shown as sanitized
//! HTML: the rendering and its XSS gate are `core::text::markdown`.

use leptos::prelude::*;

use crate::core::text::markdown::render_markdown;

/// Renders `source` as sanitized Markdown.
#[component]
pub fn Markdown(#[prop(into)] source: Signal<String>) -> impl IntoView {
    view! { <div class="markdown" inner_html=move || render_markdown(&source.read())></div> }
}
