//! The empty state: how a new user logs a first run, as a snippet to copy.

use leptos::prelude::*;

use super::snippet::Snippet;
use crate::ui::site_url;

/// The snippet that logs a run into `experiment_id` (Default when `None`) from any
/// page's console, importing this site's `mlflow.js`.
pub fn first_run_snippet(experiment_id: Option<&str>) -> String {
    let start = match experiment_id {
        Some(id) => format!("await mlflow.startRun({{experimentId: \"{id}\"}});"),
        None => "await mlflow.startRun();".to_owned(),
    };
    format!(
        "const mlflow = await import(\"{}\");\n{start}\nmlflow.logMetric(\"loss\", 0.5, {{step: 0}});\nawait mlflow.endRun();",
        site_url("/mlflow.js")
    )
}

/// Tells a new user how to log a first run, with a snippet they can copy.
#[component]
pub fn FirstRun(
    /// What is empty ("No runs yet").
    title: &'static str,
    /// Where the snippet logs (Default when `None`).
    #[prop(optional, into)]
    experiment_id: Option<String>,
) -> impl IntoView {
    let snippet = first_run_snippet(experiment_id.as_deref());
    view! {
        <div class="first-run">
            <h2>{title}</h2>
            <p>
                "Log a run from the browser console of any page (or a Web Worker): "
                "paste this, and it appears here right away."
            </p>
            <Snippet code=snippet/>
            <p class="muted">
                "The JS API mirrors MLflow's fluent API: "
                <code>"logParams"</code>", "<code>"logMetrics"</code>", "<code>"setTags"</code>", "
                <code>"startRun({nested: true})"</code>" and more."
            </p>
        </div>
    }
}
