//! What a chart watches outside itself: its element's size (ResizeObserver) and the
//! page's colour scheme (the system setting, and attributes such as `data-theme` on
//! `<html>` that a theme toggle sets).

use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// What to undo when the chart goes away (observers, listeners).
pub type Teardown = StoredValue<Vec<Box<dyn FnOnce()>>, LocalStorage>;

/// Keeps `size` in step with the element (ResizeObserver) and bumps `theme` when
/// the colour scheme may have changed (system setting, or attributes on `<html>`
/// such as `data-theme`). Undone by `teardown`.
pub fn watch_size_and_theme(
    el: &web_sys::HtmlDivElement,
    size: RwSignal<(f64, f64, f64)>,
    theme: RwSignal<u32>,
    teardown: Teardown,
) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let measure = {
        let el = el.clone();
        let window = window.clone();
        move || {
            let dpr = window.device_pixel_ratio().max(1.0);
            let _ = size.try_set((el.client_width() as f64, el.client_height() as f64, dpr));
        }
    };
    measure();
    let on_resize = Closure::<dyn FnMut(js_sys::Array)>::new(move |_| measure());
    if let Ok(ro) = web_sys::ResizeObserver::new(on_resize.as_ref().unchecked_ref()) {
        ro.observe(el);
        teardown.update_value(|t| {
            t.push(Box::new(move || {
                ro.disconnect();
                drop(on_resize);
            }))
        });
    }

    let on_theme = Closure::<dyn FnMut()>::new(move || {
        let _ = theme.try_update(|t| *t += 1);
    });
    let callback: &js_sys::Function = on_theme.as_ref().unchecked_ref();
    let media = window
        .match_media("(prefers-color-scheme: dark)")
        .ok()
        .flatten();
    if let Some(m) = &media {
        let _ = m.add_event_listener_with_callback("change", callback);
    }
    let observer = web_sys::MutationObserver::new(callback).ok();
    if let (Some(o), Some(root)) = (
        &observer,
        window.document().and_then(|d| d.document_element()),
    ) {
        let opts = web_sys::MutationObserverInit::new();
        opts.set_attributes(true);
        let _ = o.observe_with_options(&root, &opts);
    }
    teardown.update_value(|t| {
        t.push(Box::new(move || {
            if let Some(m) = media {
                let _ = m.remove_event_listener_with_callback(
                    "change",
                    on_theme.as_ref().unchecked_ref(),
                );
            }
            if let Some(o) = observer {
                o.disconnect();
            }
            drop(on_theme);
        }))
    });
}
