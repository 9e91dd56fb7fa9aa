//! What several features use: the metric chart, Markdown, the header and theme,
//! keyboard shortcuts, the first-run snippet, and moving stores in and out.

pub mod chart;
mod first_run;
mod header;
mod keys;
pub mod markdown;
pub mod theme;
pub mod transfer;
pub mod url_query;

pub use first_run::FirstRun;
pub use header::Header;
pub use keys::focus_search_on_slash;

/// `1700000000000` → `2023-11-14 22:13:20` (UTC-free local time via JS Date).
pub fn format_time(ms: i64) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
    let pad = |n: u32| format!("{n:02}");
    format!(
        "{}-{}-{} {}:{}:{}",
        d.get_full_year(),
        pad(d.get_month() + 1),
        pad(d.get_date()),
        pad(d.get_hours()),
        pad(d.get_minutes()),
        pad(d.get_seconds())
    )
}

/// A metric value as MLflow's UI shows it (NaN and ±Infinity spelled out).
pub fn format_value(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v.is_infinite() {
        if v > 0.0 { "Infinity" } else { "-Infinity" }.into()
    } else {
        let s = format!("{v:.6}");
        let s = s.trim_end_matches('0').trim_end_matches('.');
        if s.is_empty() || s == "-" {
            "0".into()
        } else {
            s.to_owned()
        }
    }
}
