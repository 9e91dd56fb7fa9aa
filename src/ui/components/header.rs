use leptos::prelude::*;

use crate::ui::href;

/// The top bar: product name linking home.
#[component]
pub fn Header() -> impl IntoView {
    view! {
        <header class="topbar">
            <a class="brand" href=href("/")>"Ferroflow"</a>
            <span class="tagline">"MLflow tracking in your browser"</span>
        </header>
    }
}
