//! The notebook views: `mlflow.show.runs`, `.chart` and `.run` (see `api::show`) as
//! elements any page can append and an Observable cell shows as they are. Each is the
//! site's own component — the runs table, `HistoryChart`, the run summary — mounted in
//! an open shadow root (`host`), so the page's CSS and the site's do not meet.
//!
//! Styles: the shadow root links `views.css` from the Ferroflow site the page loaded
//! `mlflow.js` from. The build writes that file from the site's own stylesheets
//! (`scripts/views_css.sh`, a Trunk hook) with `rem` pinned to 16px, since a `rem`
//! inside a shadow root still follows the page's `<html>`; `style/views.css` gives the
//! view's root what `<html>` and `<body>` give the site.
//!
//! Live: each mounted view subscribes to the service and bumps a `Store` revision of
//! its own, as the site's app does; the site's components follow it. The subscription
//! and everything else go when the element leaves the document.
//!
//! Links: `SiteRoot` makes every in-app link a full URL on the Ferroflow site, and a
//! click opens it in a new tab.

mod host;
mod views;

use std::rc::Rc;

use leptos::prelude::*;
use web_sys::HtmlElement;

use crate::core::views::{filter_error, ViewError, ViewSpec};

/// Hears the error a view shows (`None` once it shows its content again), with the
/// view's element, for `element.error`.
pub type Report = Rc<dyn Fn(&HtmlElement, Option<&ViewError>)>;

/// The element for `spec` (or for the message of options that could not be read),
/// linking to the Ferroflow site at `site` (`http://host/ferroflow/`; the page's own
/// base when `None`). Problems in the options are reported at once; what the view
/// finds in the store, once it is in a document. `Err` only where there is no document.
pub fn build(
    spec: Result<ViewSpec, String>,
    site: Option<String>,
    report: Report,
) -> Result<HtmlElement, String> {
    let site = site_root(site);
    let stylesheet = format!("{site}/views.css");
    let kind = spec.as_ref().map_or("error", ViewSpec::kind);
    let early = match &spec {
        Ok(ViewSpec::Runs(r)) => filter_error(&r.table.filter),
        _ => None,
    };
    let reporter = report.clone();
    let render: host::Render = Rc::new(move |host: HtmlElement| {
        let (spec, site) = (spec.clone(), site.clone());
        let report: views::Reporter = {
            let (report, host) = (reporter.clone(), host.clone());
            Rc::new(move |e: Option<&ViewError>| report(&host, e))
        };
        view! { <views::View spec site report/> }.into_any()
    });
    let host = host::view_element(kind, &stylesheet, render)?;
    if early.is_some() {
        report(&host, early.as_ref());
    }
    Ok(host)
}

/// `http://host/ferroflow/` → `http://host/ferroflow`; without a site, this page's
/// origin and base path.
fn site_root(site: Option<String>) -> String {
    match site {
        Some(s) => s.trim_end_matches('/').to_owned(),
        None => {
            let origin = web_sys::window()
                .and_then(|w| w.location().origin().ok())
                .unwrap_or_default();
            format!("{origin}{}", crate::ui::base_path())
        }
    }
}
