//! How a metric chart starts out: its x axis, y scale and smoothing — the state of its
//! controls before the user touches them.

use super::series::XMode;

/// The initial x axis, y scale and EMA smoothing weight of a metric chart. The default
/// is the site's: steps, a linear scale, no smoothing.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ChartOptions {
    /// What the x axis shows.
    pub x: XMode,
    /// A log y scale instead of a linear one.
    pub log_y: bool,
    /// The EMA weight, 0 (none) to 1 (see [`super::ema_smooth`]).
    pub smoothing: f64,
}
