use leptos::prelude::*;
use leptos_router::hooks::use_location;

use super::theme::{self, Theme};
use crate::ui::{base_path, href};

/// The site's sections, as the header names them.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Section {
    Experiments,
    Models,
    Projects,
}

/// Which section an in-app path (without the site's prefix) belongs to.
fn section_of(path: &str) -> Section {
    if path == "/models" || path.starts_with("/models/") {
        Section::Models
    } else if path == "/projects" || path.starts_with("/projects/") {
        Section::Projects
    } else {
        Section::Experiments
    }
}

/// The top bar: product name linking home, the sections (the current one marked
/// for assistive technology with `aria-current`), and the theme toggle.
#[component]
pub fn Header() -> impl IntoView {
    let location = use_location();
    let base = base_path();
    let current = Memo::new(move |_| {
        location.pathname.with(|p| {
            let p = p.strip_prefix(base.as_str()).unwrap_or(p);
            section_of(p)
        })
    });
    let link = move |section: Section, path: &'static str, label: &'static str| {
        let here = move || current.get() == section;
        view! {
            <a href=href(path) class:current=here aria-current=move || here().then_some("page")>{label}</a>
        }
    };
    view! {
        <header class="topbar">
            <a class="brand" href=href("/") title="Ferroflow: MLflow in your browser">"Ferroflow"</a>
            <nav class="sections" aria-label="Sections">
                {link(Section::Experiments, "/", "Experiments")}
                {link(Section::Models, "/models", "Models")}
                {link(Section::Projects, "/projects/run", "Projects")}
            </nav>
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
            // On a phone only the symbol shows (the label still names the button).
            {move || match current.get() {
                Theme::Light => view! { <span aria-hidden="true">"☾"</span><span class="theme-word">" Dark"</span> },
                Theme::Dark => view! { <span aria-hidden="true">"☀"</span><span class="theme-word">" Light"</span> },
            }}
        </button>
    }
}
