//! Pure Rust: the tracking model, MLflow's rules, the search grammar, mlruns
//! read/write and chart maths. Nothing here knows the browser; `cargo test` runs it
//! natively.
#![warn(missing_docs)]

pub mod float_serde;
pub mod model;
pub mod rules;
pub mod chart;
pub mod table_state;
pub mod search;
