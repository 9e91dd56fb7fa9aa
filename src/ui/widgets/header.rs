use leptos::prelude::*;

use super::theme::{self, Theme};
use crate::ui::href;

/// The top bar: product name linking home, and the theme toggle.
#[component]
pub fn Header() -> impl IntoView {
    view! {
        <header class="topbar">
            <a class="brand" href=href("/")>"Ferroflow"</a>
            <span class="tagline">"MLflow tracking in your browser"</span>
            <span class="spacer"></span>
            <ThemeToggle/>
        </header>
    }
}

/// Switches between light and dark; the choice outlives the page.
#[component]
fn ThemeToggle() -> impl IntoView {
    let current = RwSignal::new(theme::current());
    let label = move || match current.get() {
        Theme::Light => "Switch to dark theme",
        Theme::Dark => "Switch to light theme",
    };
    view! {
        <button
            class="theme-toggle ghost"
            type="button"
            aria-label=label
            title=label
            on:click=move |_| {
                // Read afresh: the system setting may have changed since the last click.
                let next = theme::current().toggled();
                theme::choose(next);
                current.set(next);
            }
        >
            {move || match current.get() {
                Theme::Light => "☾ Dark",
                Theme::Dark => "☀ Light",
            }}
        </button>
    }
}
