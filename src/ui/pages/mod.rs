//! One component per route.

mod compare;
mod experiment_runs;
mod experiments;
mod run;

pub use compare::CompareRuns;
pub use experiment_runs::ExperimentRuns;
pub use experiments::Experiments;
pub use run::RunPage;

use leptos::prelude::*;

/// Shown for an unknown path.
#[component]
pub fn NotFound() -> impl IntoView {
    view! {
        <section>
            <h1>"Page not found"</h1>
            <p><a href=crate::ui::href("/")>"Back to the experiments"</a></p>
        </section>
    }
}
