use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// `/compare-runs?runs=id1,id2,…`: runs side by side.
#[component]
pub fn CompareRuns() -> impl IntoView {
    let query = use_query_map();
    let ids = move || query.read().get("runs").unwrap_or_default();
    view! { <section><h1>"Compare " {ids}</h1></section> }
}
