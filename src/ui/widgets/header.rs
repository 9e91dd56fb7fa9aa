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
            <ConnectionsLink/>
            <ThemeToggle/>
        </header>
    }
}

/// "Connections (n)" once a page of another origin may write here; it says
/// "receiving" while one sends.
#[component]
fn ConnectionsLink() -> impl IntoView {
    let bridge = expect_context::<super::bridge::Bridge>();
    move || {
        let n = bridge.allowed.with(|a| a.len());
        let receiving = bridge
            .receiving
            .with(|r| r.values().map(|x| x.messages).sum::<u64>());
        (n > 0).then(|| {
            view! {
                <a class="connections-link" href=href("/connections") data-received=receiving>
                    {format!("Connections ({n})")}
                </a>
            }
        })
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
