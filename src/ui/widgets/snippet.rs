//! A code snippet to paste elsewhere, with a button that copies it.

use leptos::prelude::*;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// `navigator.clipboard.writeText`; throws where there is no clipboard API.
    #[wasm_bindgen(js_namespace = ["navigator", "clipboard"], js_name = writeText, catch)]
    fn clipboard_write_text(text: &str) -> Result<js_sys::Promise, JsValue>;
}

/// `code` in a block, with a Copy button (which says when the browser refused, so
/// the user selects and copies by hand).
#[component]
pub fn Snippet(#[prop(into)] code: String) -> impl IntoView {
    let copied = RwSignal::new(None::<bool>);
    let text = code.clone();
    let copy = move |_| {
        let text = text.clone();
        leptos::task::spawn_local(async move {
            let ok = match clipboard_write_text(&text) {
                Ok(p) => wasm_bindgen_futures::JsFuture::from(p).await.is_ok(),
                Err(_) => false,
            };
            copied.set(Some(ok));
        });
    };
    view! {
        <div class="snippet">
            <pre><code>{code}</code></pre>
            <button type="button" class="copy" on:click=copy>
                {move || match copied.get() {
                    None => "Copy",
                    Some(true) => "Copied",
                    Some(false) => "Select and copy",
                }}
            </button>
        </div>
    }
}
