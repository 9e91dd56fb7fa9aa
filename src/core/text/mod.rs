//! Text the UI shows or reads, as pure functions with native tests.

pub mod format;
pub mod markdown;
