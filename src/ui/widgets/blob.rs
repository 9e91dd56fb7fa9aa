//! `blob:` URLs for bytes the page holds: for previews and download links that live
//! as long as a view ([`BlobUrls`]), and for a one-off download ([`download`]).

use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// A `blob:` URL for `bytes` typed `mime`; the caller revokes it.
pub fn object_url(bytes: &[u8], mime: &str) -> Result<String, String> {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(mime);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &opts)
        .map_err(|_| "the browser could not create the file")?;
    web_sys::Url::create_object_url_with_blob(&blob).map_err(|_| "no object URL".to_owned())
}

/// Object URLs created for a view, revoked when the view goes away.
#[derive(Clone, Copy)]
pub struct BlobUrls(StoredValue<Vec<String>>);

impl BlobUrls {
    /// A set whose URLs are revoked when the current reactive owner is cleaned up
    /// (cleanups run before the owner's values are dropped).
    pub fn scoped() -> Self {
        let urls = BlobUrls(StoredValue::new(Vec::new()));
        on_cleanup(move || urls.revoke_all());
        urls
    }

    /// A `blob:` URL for `bytes` typed `mime`, revoked with the others.
    pub fn create(&self, bytes: &[u8], mime: &str) -> Option<String> {
        let url = object_url(bytes, mime).ok()?;
        self.0.update_value(|u| u.push(url.clone()));
        Some(url)
    }

    /// Revokes every URL made so far.
    pub fn revoke_all(&self) {
        let urls = self.0.try_update_value(std::mem::take).unwrap_or_default();
        for url in urls {
            let _ = web_sys::Url::revoke_object_url(&url);
        }
    }
}

/// Offers `bytes` as a download named `file_name`.
pub fn download(bytes: &[u8], file_name: &str, mime: &str) -> Result<(), String> {
    let doc = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let url = object_url(bytes, mime)?;
    let a: web_sys::HtmlAnchorElement = doc
        .create_element("a")
        .map_err(|_| "no anchor")?
        .unchecked_into();
    a.set_href(&url);
    a.set_download(file_name);
    a.click();
    // Give the download a moment to start before the URL is released.
    let revoke = wasm_bindgen::closure::Closure::once_into_js(move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    });
    if let Some(w) = web_sys::window() {
        let _ =
            w.set_timeout_with_callback_and_timeout_and_arguments_0(revoke.unchecked_ref(), 10_000);
    }
    Ok(())
}
