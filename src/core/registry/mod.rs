//! The Model Registry: registered models, their versions, tags and aliases, with
//! MLflow's rules (SQLite-store semantics where MLflow's two stores differ: a rename
//! keeps tags, aliases and versions). Changes go through the same journal and merge as
//! tracking changes (`core::tracking::change`), so several writers merge here too.

mod apply;
pub mod model;
pub mod queries;
pub mod rules;
pub mod search;

pub use model::{ModelVersion, RegisteredModel, Stage, VersionStatus};
