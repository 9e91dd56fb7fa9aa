//! Text the UI shows or reads, as pure functions with native tests: numbers, sizes,
//! durations and times as people read them; user Markdown as HTML safe for
//! `innerHTML`; CSV/TSV and JSON artifact previews; line diffs; CSV downloads; URL query
//! strings.

pub mod csv_out;
pub mod delimited;
pub mod format;
pub mod json;
pub mod line_diff;
pub mod markdown;
pub mod url_query;
