//! The UI's tables as plain data. The runs table: its state, which lives in the URL
//! ([`state`]), the column keys that state and the cells are written in
//! ([`column_key`]), and the rows it shows, filtered and sorted by the same search the
//! API runs ([`rows`]). The experiments list: run counts and the rows a name search
//! shows ([`experiments`]). The Model Registry: the registered-models list and a
//! model's versions ([`registry`]), logged models of an experiment or a run and the
//! run-artifact models of a run's history tag ([`logged_models`]). Saved views of the
//! runs table, kept as experiment tags ([`saved_views`]). Runs grouped by a param or
//! tag value, with their metric means ([`groups`]). The columns shown before the user
//! chooses any: what varies across the runs ([`varying`]).

pub mod column_key;
pub mod experiments;
pub mod groups;
pub mod logged_models;
pub mod registry;
pub mod rows;
pub mod saved_views;
pub mod state;
pub mod varying;
