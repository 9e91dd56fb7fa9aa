use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

/// `/experiments/:experimentId/runs/:runId`: one run.
#[component]
pub fn RunPage() -> impl IntoView {
    let params = use_params_map();
    let run_id = move || params.read().get("runId").unwrap_or_default();
    view! { <section><h1>"Run " {run_id}</h1></section> }
}
