//! The experiment page's tabs: its runs, and the models logged into it.

use leptos::prelude::*;

use crate::core::text::url_query::encode_component;
use crate::ui::href;

/// Which tab is open.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    /// `/experiments/:id`.
    Runs,
    /// `/experiments/:id/models`.
    Models,
}

/// The tab links of experiment `experiment_id`, `current` marked.
#[component]
pub fn ExperimentTabs(#[prop(into)] experiment_id: Signal<String>, current: Tab) -> impl IntoView {
    let link = move |tab: Tab, label: &'static str| {
        let path = move || {
            let id = encode_component(&experiment_id.get());
            match tab {
                Tab::Runs => href(&format!("/experiments/{id}")),
                Tab::Models => href(&format!("/experiments/{id}/models")),
            }
        };
        view! {
            <a href=path class:current=tab == current aria-current=(tab == current).then_some("page")>{label}</a>
        }
    };
    view! {
        <nav class="tabs" aria-label="Experiment">
            {link(Tab::Runs, "Runs")}
            {link(Tab::Models, "Models")}
        </nav>
    }
}
