//! The UI's tables as plain data. The runs table: its state, which lives in the URL
//! ([`state`]), the column keys that state and the cells are written in
//! ([`column_key`]), and the rows it shows, filtered and sorted by the same search the
//! API runs ([`rows`]). The experiments list: run counts and the rows a name search
//! shows ([`experiments`]).

pub mod column_key;
pub mod experiments;
pub mod rows;
pub mod state;
