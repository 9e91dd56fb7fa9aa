//! The element a view lives in: `<ferroflow-view>`, a custom element with an open
//! shadow root holding a `<link>` to the site's views stylesheet and the view's root.
//!
//! The view is mounted (a leptos owner of its own) when the element enters a document
//! and unmounted when it leaves: its effects, observers and service subscription go
//! with the owner. A move — out and back in within one task, as `append` of an
//! element already in the page does — keeps the mounted view as it is; the decision
//! waits for a microtask.
//!
//! Nothing on the Rust side holds the element between those calls (the callbacks get
//! it as an argument), so a view dropped by the page is garbage like any element.

use std::any::Any;
use std::cell::RefCell;
use std::rc::Rc;

use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Document, HtmlElement};

#[wasm_bindgen(inline_js = r#"
// The class only hands its callbacks to hooks kept on each element (under a registered
// symbol), so another copy of Ferroflow in the same page can define it first and
// every copy's views still work.
const HOOKS = Symbol.for("ferroflow.view");
export function new_view_element(document, connected, disconnected) {
  const registry = document.defaultView.customElements;
  if (!registry.get("ferroflow-view")) {
    registry.define("ferroflow-view", class extends document.defaultView.HTMLElement {
      connectedCallback() { this[HOOKS]?.connected(this); }
      disconnectedCallback() { this[HOOKS]?.disconnected(this); }
    });
  }
  const el = document.createElement("ferroflow-view");
  el[HOOKS] = { connected, disconnected };
  return el;
}
"#)]
extern "C" {
    fn new_view_element(
        document: &Document,
        connected: &JsValue,
        disconnected: &JsValue,
    ) -> HtmlElement;
}

/// Renders the view, given its host element; called at every mount.
pub type Render = Rc<dyn Fn(HtmlElement) -> AnyView>;

/// The class of the element inside the shadow root that views mount into (the
/// stylesheet's stand-in for `<html>` and `<body>`).
const ROOT_CLASS: &str = "view-root";

/// A new `<ferroflow-view data-view=kind>` styled by `stylesheet`, showing `render`'s
/// view while it is in a document.
pub fn view_element(kind: &str, stylesheet: &str, render: Render) -> Result<HtmlElement, String> {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("mlflow.show needs a page: there is no document here (in a worker?).")?;
    let mounted: Rc<RefCell<Option<Box<dyn Any>>>> = Rc::default();
    let connected = Closure::<dyn Fn(HtmlElement)>::new({
        let mounted = mounted.clone();
        move |host: HtmlElement| {
            if mounted.borrow().is_some() {
                return; // moved: still mounted
            }
            let Some(root) = view_root(&host) else {
                return;
            };
            let render = render.clone();
            let handle = leptos::mount::mount_to(root, move || render(host));
            *mounted.borrow_mut() = Some(Box::new(handle));
        }
    })
    .into_js_value();
    let disconnected = Closure::<dyn Fn(HtmlElement)>::new(move |host: HtmlElement| {
        let mounted = mounted.clone();
        let settle = Closure::once_into_js(move || {
            if !host.is_connected() {
                // Dropping the handle unmounts the view and disposes its owner.
                let handle = mounted.borrow_mut().take();
                drop(handle);
            }
        });
        if let Some(w) = web_sys::window() {
            w.queue_microtask(settle.unchecked_ref());
        }
    })
    .into_js_value();
    let host = new_view_element(&document, &connected, &disconnected);
    let fail = |e: JsValue| format!("could not build the view: {e:?}");
    host.set_attribute("data-view", kind).map_err(fail)?;
    let shadow = host
        .attach_shadow(&web_sys::ShadowRootInit::new(web_sys::ShadowRootMode::Open))
        .map_err(fail)?;
    let link: web_sys::HtmlLinkElement = document
        .create_element("link")
        .map_err(fail)?
        .unchecked_into();
    link.set_rel("stylesheet");
    link.set_href(stylesheet);
    let root: HtmlElement = document
        .create_element("div")
        .map_err(fail)?
        .unchecked_into();
    root.set_class_name(ROOT_CLASS);
    // Hidden until the stylesheet is there (or failed to load), so a view never
    // flashes unstyled. (CSSOM, which a page's CSP does not refuse.)
    let _ = root.style().set_property("visibility", "hidden");
    let reveal = Closure::<dyn Fn(web_sys::Event)>::new(|ev: web_sys::Event| {
        let root = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Node>().ok())
            .and_then(|link| link.parent_node())
            .and_then(|shadow| shadow.dyn_into::<web_sys::ShadowRoot>().ok())
            .and_then(|shadow| shadow.host().dyn_into::<HtmlElement>().ok())
            .and_then(|host| view_root(&host));
        if let Some(root) = root {
            let _ = root.style().remove_property("visibility");
        }
    })
    .into_js_value();
    for event in ["load", "error"] {
        let _ = link.add_event_listener_with_callback(event, reveal.unchecked_ref());
    }
    let _ = shadow.add_event_listener_with_callback_and_bool(
        "click",
        open_links_in_new_tab().unchecked_ref(),
        true,
    );
    shadow.append_child(&link).map_err(fail)?;
    shadow.append_child(&root).map_err(fail)?;
    Ok(host)
}

/// The element views mount into, inside `host`'s shadow root.
fn view_root(host: &HtmlElement) -> Option<HtmlElement> {
    host.shadow_root()?
        .query_selector(&format!(".{ROOT_CLASS}"))
        .ok()??
        .dyn_into()
        .ok()
}

/// A click listener for the shadow root: a link a view shows leads to the Ferroflow
/// site, so it opens in a new tab instead of replacing the page (a notebook) it sits
/// in. Set as the click happens, so every link of every view is covered; download
/// links are left alone.
fn open_links_in_new_tab() -> JsValue {
    Closure::<dyn Fn(web_sys::Event)>::new(|ev: web_sys::Event| {
        let link = ev
            .composed_path()
            .iter()
            .find_map(|n| n.dyn_into::<web_sys::HtmlAnchorElement>().ok());
        if let Some(a) = link.filter(|a| !a.href().is_empty() && !a.has_attribute("download")) {
            a.set_target("_blank");
            a.set_rel("noopener");
        }
    })
    .into_js_value()
}
