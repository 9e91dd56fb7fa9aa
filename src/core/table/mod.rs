//! The runs table as plain data: its state, which lives in the URL ([`state`]), the
//! column keys that state and the cells are written in ([`column_key`]), and the rows
//! it shows, filtered and sorted by the same search the API runs ([`rows`]).

pub mod column_key;
pub mod rows;
pub mod state;
