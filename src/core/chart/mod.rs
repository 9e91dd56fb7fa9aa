//! Chart maths for the metric charts (and their grouped lines: mean and band) and the parallel-coordinates/scatter views:
//! series put in x order, downsampling, scales, the plot's geometry, ticks and
//! their labels, smoothing, zoom, hover hit-testing, what the painter strokes, the y range
//! with outliers clipped, and per-axis normalisation.
//!
//! Everything here is plain `f64` arithmetic with unit tests, in the manner of
//! leptos-chartistry: the UI wraps these functions in memos and only renders what
//! they return. Conventions shared by the modules:
//!
//! - A y value of NaN in a drawable series is a *gap*: the renderer lifts the pen
//!   there (see [`downsample_min_max`]).
//! - ±Infinity is never projected; it is reported beside the series so the UI can
//!   mark it at the plot edge.
//! - Ranges are `(low, high)` tuples in data units; pixel ranges may run either way
//!   (`(height, 0.0)` for a y axis whose origin is at the bottom).

pub mod band;
pub mod downsample;
pub mod hover;
pub mod normalize;
pub mod options;
pub mod plot;
pub mod scale;
pub mod series;
pub mod smooth;
pub mod ticks;
pub mod time;
pub mod trace;
pub mod yrange;
pub mod zoom;

pub use band::{aggregate, GroupedSeries, Spread};
pub use downsample::{
    downsample_min_max, downsample_min_max_sorted, visible_y_range, visible_y_range_sorted,
    Downsampled, SortedXs, VisibleY,
};
pub use hover::{hover, Hover, HoverPoint};
pub use normalize::{categorical_positions, normalize, numeric_values, CategoricalAxis};
pub use options::ChartOptions;
pub use plot::{format_x, geometry, geometry_with_bands, ChartView, Geometry, Plot, Tick, YScale};
pub use scale::{LinearScale, LogScale, Scale, ScaleKind};
pub use series::{
    full_x_range, nearest, parse_x_choice, prepare, prepare_against, x_by_step, x_choice_value,
    AgainstMetric, PreparedSeries, XMode,
};
pub use smooth::{ema_smooth, MAX_SMOOTHING_WEIGHT};
pub use ticks::{format_tick, log_ticks, nice_domain, nice_step, nice_ticks};
pub use time::{time_ticks, TimeTicks};
pub use trace::{fitting_x_labels, infinity_markers, trace, Trace, EDGE_BAND_PX};
pub use yrange::{clipped_count, clipped_range, push_visible_values, CLIP_FRACTION};
pub use zoom::{extent, merge_extents, zoom_to_pixels, MIN_ZOOM_DRAG_PX};
