//! The leptos UI: the app, its routes, and the features behind them. It reads the same
//! service the JS API writes through, never IndexedDB directly.
//!
//! Grouped by feature: `tracking` (experiments, runs, one run, compare), `registry`
//! (registered models, one model, one version) and `projects` (open and run a browser
//! project) own their pages and their private parts; `widgets` holds what several
//! features use (the metric chart, Markdown and descriptions, tags, files, header and
//! theme, import/export); `embed` shows some of them outside the site, as the
//! notebook views (`mlflow.show`).

pub mod embed;
mod projects;
mod registry;
mod tracking;
mod widgets;

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

use crate::service;
use crate::store::StoreEvent;

/// Shared UI state: has the store opened, and a revision bumped on every committed
/// change (here or in another tab) so views recompute.
#[derive(Clone, Copy)]
pub struct Store {
    /// `None` while opening; the error text if it failed.
    pub status: RwSignal<Option<Result<(), String>>>,
    /// Bumped after each commit.
    pub revision: RwSignal<u64>,
    /// The store's lifecycle as the user must hear it (a blocked open, a connection
    /// another tab's upgrade closed).
    pub lifecycle: RwSignal<Option<StoreEvent>>,
}

/// The site's path prefix (`/ferroflow` on GitHub Pages, `` at the root), read from
/// the `<base href>` Trunk writes for the public URL.
pub fn base_path() -> String {
    let base = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.base_uri().ok().flatten())
        .and_then(|u| web_sys::Url::new(&u).ok())
        .map(|u| u.pathname())
        .unwrap_or_default();
    base.trim_end_matches('/').to_owned()
}

/// The Ferroflow site a view shown in another page links to (`http://host/ferroflow`,
/// no trailing slash), as context: [`embed`] provides it, so [`href`] and [`site_url`]
/// point there; on the site itself there is none and links stay under the base path.
#[derive(Clone, Debug)]
pub struct SiteRoot(pub String);

/// An absolute in-app link (`/experiments/1` → `/ferroflow/experiments/1`), or the full
/// URL on the site when shown elsewhere ([`SiteRoot`]).
pub fn href(path: &str) -> String {
    match use_context::<SiteRoot>() {
        Some(SiteRoot(root)) => format!("{root}{path}"),
        None => format!("{}{path}", base_path()),
    }
}

/// The site's own URL for `path` with origin (`http://host/ferroflow/mlflow.js`), for
/// snippets a user pastes elsewhere.
pub fn site_url(path: &str) -> String {
    if let Some(SiteRoot(root)) = use_context::<SiteRoot>() {
        return format!("{root}{path}");
    }
    let origin = web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default();
    format!("{origin}{}", href(path))
}

/// Goes to an in-app path: through the router on the site; in a new tab of the site
/// from a view shown elsewhere ([`SiteRoot`]), which has no router.
pub fn use_go_to() -> impl Fn(&str) + Clone {
    let site = use_context::<SiteRoot>();
    let navigate = site.is_none().then(leptos_router::hooks::use_navigate);
    move |path: &str| match (&site, &navigate) {
        (Some(SiteRoot(root)), _) => {
            if let Some(w) = web_sys::window() {
                let url = format!("{root}{path}");
                let _ = w.open_with_url_and_target_and_features(&url, "_blank", "noopener");
            }
        }
        (None, Some(navigate)) => navigate(path, Default::default()),
        (None, None) => {}
    }
}

/// Mounts the app into `root` and opens the store.
pub fn mount(root: web_sys::Element) {
    use wasm_bindgen::JsCast;
    let Ok(root) = root.dyn_into::<web_sys::HtmlElement>() else {
        return;
    };
    open_mlflow_hash_link();
    leptos::mount::mount_to(root, App).forget();
}

/// A link copied from MLflow's UI with its host swapped for the site's
/// (`…/ferroflow/#/compare-runs?runs=[…]`) opens the page it names: the address
/// becomes that path before the router reads it (replaced, so Back does not return
/// to the hash form).
fn open_mlflow_hash_link() {
    let Some(w) = web_sys::window() else { return };
    let hash = w.location().hash().unwrap_or_default();
    let Some(route) = crate::core::text::url_query::mlflow_hash_route(&hash) else {
        return;
    };
    if let Ok(history) = w.history() {
        let url = format!("{}{route}", base_path());
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
    }
}

#[component]
fn App() -> impl IntoView {
    let store = Store {
        status: RwSignal::new(None),
        revision: RwSignal::new(0),
        lifecycle: RwSignal::new(None),
    };
    provide_context(store);
    // Before the store opens, so a blocked open is heard.
    service::watch_store(std::rc::Rc::new(move |ev| store.lifecycle.set(Some(ev))));
    widgets::theme::apply_stored();
    widgets::focus_search_on_slash();
    let bridge = widgets::bridge::Bridge::start();
    provide_context(bridge);
    leptos::task::spawn_local(async move {
        match service::service().await {
            Ok(s) => {
                let rev = store.revision;
                // The site's UI listens as long as the page lives.
                s.subscribe(std::rc::Rc::new(move || rev.update(|r| *r += 1)))
                    .forget();
                store.status.set(Some(Ok(())));
                bridge.ready();
            }
            Err(e) => store.status.set(Some(Err(e.to_string()))),
        }
    });
    let base = base_path();
    view! {
        <Router base=base>
            <widgets::Header/>
            <StoreBanner/>
            <widgets::bridge::BridgePrompt/>
            <main class="page">
                {move || match store.status.get() {
                    None if store.lifecycle.get() == Some(StoreEvent::Blocked) => view! {
                        <p class="notice" role="status">
                            "Waiting for another Ferroflow tab: an older version of Ferroflow is open in another tab and holds the browser store. Close or reload that tab and this page continues by itself."
                        </p>
                    }.into_any(),
                    None => view! { <p class="muted">"Opening the local store…"</p> }.into_any(),
                    Some(Err(e)) => view! {
                        <p class="error" role="alert">"Ferroflow could not open its browser store: " {e}</p>
                    }.into_any(),
                    Some(Ok(())) => view! {
                        <widgets::transfer::BundleOpener/>
                        <Routes fallback=|| view! { <NotFound/> }>
                            <Route path=path!("/") view=tracking::Experiments/>
                            <Route path=path!("/experiments/:experimentId") view=tracking::ExperimentRuns/>
                            <Route path=path!("/experiments/:experimentId/models") view=tracking::ExperimentModels/>
                            <Route path=path!("/experiments/:experimentId/runs/:runId") view=tracking::RunPage/>
                            <Route path=path!("/compare-runs") view=tracking::CompareRuns/>
                            <Route path=path!("/connections") view=widgets::bridge::Connections/>
                            <Route path=path!("/models") view=registry::Models/>
                            <Route path=path!("/models/:name") view=registry::ModelPage/>
                            <Route path=path!("/models/:name/versions/:version") view=registry::VersionPage/>
                            <Route path=path!("/projects/run") view=projects::RunProjectPage/>
                        </Routes>
                    }.into_any(),
                }}
            </main>
        </Router>
    }
}

/// Tells the user when this tab lost its store: another tab opened a newer Ferroflow,
/// so nothing more is saved from here until a reload.
#[component]
fn StoreBanner() -> impl IntoView {
    let store = expect_context::<Store>();
    let reload = |_| {
        if let Some(w) = web_sys::window() {
            let _ = w.location().reload();
        }
    };
    move || {
        (store.lifecycle.get() == Some(StoreEvent::Closed)).then(|| {
            view! {
                <div class="store-banner" role="alert">
                    <span>"Ferroflow was updated in another tab. Reload this page to keep working: nothing more is saved from this tab until then."</span>
                    <button class="primary" on:click=reload>"Reload"</button>
                </div>
            }
        })
    }
}

/// Shown for an unknown path.
#[component]
fn NotFound() -> impl IntoView {
    view! {
        <section>
            <h1>"Page not found"</h1>
            <p><a href=href("/")>"Back to the experiments"</a></p>
        </section>
    }
}
