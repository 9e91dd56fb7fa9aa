//! Pure Rust: the tracking model, MLflow's rules, the search grammar, mlruns
//! read/write, chart maths, the text the UI shows (formatting, safe Markdown), and
//! what the notebook views were asked to show.
//! Nothing here knows the browser; `cargo test` runs it natively.
#![warn(missing_docs)]

pub mod chart;
pub mod compare;
pub mod compare_artifacts;
pub mod compare_url;
pub mod error;
pub mod float_serde;
pub mod fxhash;
pub mod ids;
pub mod interchange;
pub mod models;
pub mod project;
pub mod registry;
pub mod search;
pub mod table;
pub mod text;
pub mod tracking;
pub mod views;
