//! What several features use: the metric chart, Markdown and the description
//! editor, the tag editor, the file browser, the header and theme, keyboard
//! shortcuts, snippets to copy (the first-run one), and moving stores in and out.

pub mod blob;
pub mod bridge;
pub mod chart;
pub mod description;
pub mod files;
mod first_run;
pub mod group_by;
mod header;
mod keys;
pub mod markdown;
pub mod query_error;
pub mod scroll;
pub mod snippet;
pub mod tags;
pub mod theme;
pub mod transfer;

pub use first_run::FirstRun;
pub use header::Header;
pub use keys::focus_search_on_slash;

use crate::core::text::format::format_timestamp;

/// The browser's local zone offset from UTC (ms) at `at_ms`, for `core::text::format`.
pub fn local_utc_offset_ms(at_ms: f64) -> f64 {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(at_ms));
    -d.get_timezone_offset() * 60_000.0
}

/// `1700000000000` → `2023-11-14 22:13:20`, in the browser's local time.
pub fn format_time(ms: i64) -> String {
    format_timestamp(ms, local_utc_offset_ms)
}
