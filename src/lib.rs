//! Ferroflow: MLflow experiment tracking as a Rust/WebAssembly single-page app.
//!
//! Architecture Invariant: `core` is pure Rust — no leptos, web-sys, js-sys or
//! `JsValue` — and is tested natively with `cargo test`. Web-only dependencies are
//! target-gated in Cargo.toml, so a web import in `core` breaks the native build.
//!
//! Architecture Invariant: `store` is the only code that knows IndexedDB (rexie). Its
//! public functions take and return `core` types; `JsValue` appears inside it only as
//! the record encoding rexie needs.
//!
//! Architecture Invariant: `api` is the only code that exchanges `JsValue`s with
//! callers and defines the `mlflow` JS surface (explicit camelCase `js_name`s, JS
//! `Error`s with MLflow error codes).
//!
//! Architecture Invariant: `ui` (leptos + leptos_router) and `api` both go through
//! `service`, which owns this context's view, batches writes to `store`, and
//! announces changes to other contexts. The UI never touches IndexedDB; `api` never
//! calls `ui` (the entry point below wires the UI, and gives `api::show` the UI's
//! notebook views to build).
//!
//! Architecture Invariant: writers merge, never overwrite. Every flush is one
//! IndexedDB read-modify-write transaction that replays this context's journal over
//! the records as stored (`core::tracking::flush`), so tabs, workers and iframes of
//! one origin can write the same run at once and nothing is lost.
//!
//! Architecture Invariant: values are kept bit for bit, and errors keep MLflow's code
//! from where they arise to the JS `Error` (converted in `api::errors` only).
//!
//! ARCHITECTURE.md maps the rest.

pub mod core;

#[cfg(target_arch = "wasm32")]
pub mod api;
#[cfg(target_arch = "wasm32")]
pub mod service;
#[cfg(target_arch = "wasm32")]
pub mod store;
#[cfg(target_arch = "wasm32")]
mod ui;

/// The wasm entry point: mounts the UI when the page has the Ferroflow root element
/// (the site itself); on other pages and in workers only the JS API is there, with
/// the notebook views (`mlflow.show`) wherever there is a document.
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen::prelude::wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
    api::show::install(ui::embed::build);
    if let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("ferroflow-app"))
    {
        ui::mount(root);
    }
}
