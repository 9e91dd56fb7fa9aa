//! Keyboard shortcuts that work on every page.

use leptos::ev;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// The attribute marking a page's main search or filter box, which `/` focuses.
pub const SEARCH_BOX_ATTR: &str = "data-search-box";

/// `/` focuses the page's search or filter box (as on GitHub), unless the user is
/// typing in a field already.
pub fn focus_search_on_slash() {
    let handle = window_event_listener(ev::keydown, |e: web_sys::KeyboardEvent| {
        if e.key() != "/" || e.ctrl_key() || e.meta_key() || e.alt_key() {
            return;
        }
        let typing = e
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .is_some_and(|el| {
                matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
                    || el.closest("[contenteditable]").ok().flatten().is_some()
            });
        if typing {
            return;
        }
        let target = document()
            .query_selector(&format!("[{SEARCH_BOX_ATTR}]"))
            .ok()
            .flatten()
            .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok());
        if let Some(el) = target {
            e.prevent_default();
            let _ = el.focus();
        }
    });
    // The app lives as long as the page.
    std::mem::forget(handle);
}
