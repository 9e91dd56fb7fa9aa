//! A metric chart's settings — the state of its controls: x axis, y scale, outlier
//! clipping, y lock, smoothing and, when grouped, the band — and their text form,
//! which the runs page keeps in the URL per chart (so saved views and links keep
//! them).
//!
//! Text form: `;`-separated items, each left out when it is the default: `log`,
//! `clip`, `lock=<low>,<high>`, `smooth=<weight>`, `band=<minmax|stderr>`, and last
//! `x=<wall|relative|metric:<key>>`. The x item is last because a metric key may hold
//! any character: everything after `x=` is the value. Numbers are written in
//! shortest round-trip digits, so they read back bit for bit.

use super::band::Spread;
use super::series::{parse_x_choice, x_choice_value, XMode};
use super::smooth::MAX_SMOOTHING_WEIGHT;

/// A chart's settings. The default is the site's: steps, a linear scale, no clipping,
/// no lock, no smoothing, ± std bands.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ChartOptions {
    /// What the x axis shows.
    pub x: XMode,
    /// The x metric, when `x` is [`XMode::Metric`].
    pub x_metric: Option<String>,
    /// A log y scale instead of a linear one.
    pub log_y: bool,
    /// Fit the y axis without the top and bottom 1 % of the visible values.
    pub clip_outliers: bool,
    /// The y domain frozen by "Lock y".
    pub y_lock: Option<(f64, f64)>,
    /// The EMA weight, 0 (none) to [`MAX_SMOOTHING_WEIGHT`] (see [`super::ema_smooth`]).
    pub smoothing: f64,
    /// The band around each group's mean.
    pub spread: Spread,
}

impl ChartOptions {
    /// The x menu value (`step`, `metric:<key>`, …).
    pub fn x_choice(&self) -> String {
        x_choice_value(self.x, self.x_metric.as_deref())
    }

    /// The text form (see the module doc); empty for the default.
    pub fn to_text(&self) -> String {
        let mut items = Vec::new();
        if self.log_y {
            items.push("log".to_owned());
        }
        if self.clip_outliers {
            items.push("clip".to_owned());
        }
        if let Some((lo, hi)) = self.y_lock {
            items.push(format!("lock={lo},{hi}"));
        }
        if self.smoothing != 0.0 {
            items.push(format!("smooth={}", self.smoothing));
        }
        if self.spread != Spread::default() {
            items.push(format!("band={}", self.spread.as_str()));
        }
        if self.x != XMode::default() {
            items.push(format!("x={}", self.x_choice()));
        }
        items.join(";")
    }

    /// Reads [`ChartOptions::to_text`], tolerantly: an item it cannot read (unknown,
    /// a smoothing weight out of range, a lock that is not two finite numbers low to
    /// high) is left at its default.
    pub fn from_text(text: &str) -> Self {
        let mut o = ChartOptions::default();
        let mut rest = text;
        while !rest.is_empty() {
            if let Some(x) = rest.strip_prefix("x=") {
                (o.x, o.x_metric) = parse_x_choice(x);
                break;
            }
            let (item, more) = rest.split_once(';').unwrap_or((rest, ""));
            rest = more;
            let (name, value) = item.split_once('=').unwrap_or((item, ""));
            match name {
                "log" => o.log_y = true,
                "clip" => o.clip_outliers = true,
                "lock" => o.y_lock = parse_lock(value),
                "smooth" => {
                    o.smoothing = value
                        .parse::<f64>()
                        .ok()
                        .filter(|w| (0.0..=MAX_SMOOTHING_WEIGHT).contains(w))
                        .unwrap_or(0.0)
                }
                "band" => o.spread = Spread::parse(value),
                _ => {}
            }
        }
        o
    }
}

fn parse_lock(value: &str) -> Option<(f64, f64)> {
    let (lo, hi) = value.split_once(',')?;
    let (lo, hi) = (lo.parse::<f64>().ok()?, hi.parse::<f64>().ok()?);
    (lo.is_finite() && hi.is_finite() && lo <= hi).then_some((lo, hi))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_is_empty_text() {
        assert_eq!(ChartOptions::default().to_text(), "");
        assert_eq!(ChartOptions::from_text(""), ChartOptions::default());
    }

    #[test]
    fn every_setting_round_trips_and_the_x_metric_may_hold_anything() {
        for key in ["epoch", "a;b=c", "x=1;log", "", "metric:y", "损失 ;"] {
            let o = ChartOptions {
                x: XMode::Metric,
                x_metric: Some(key.to_owned()).filter(|k| !k.is_empty()),
                log_y: true,
                clip_outliers: true,
                y_lock: Some((-0.1, 1e300)),
                smoothing: 0.6,
                spread: Spread::MinMax,
            };
            let text = o.to_text();
            let back = ChartOptions::from_text(&text);
            if key.is_empty() {
                // `metric:` without a key is no metric: steps.
                assert_eq!(back.x, XMode::Step, "{text}");
            } else {
                assert_eq!(back, o, "{text}");
            }
        }
        let o = ChartOptions {
            x: XMode::RelativeTime,
            smoothing: 0.1 + 0.2,
            y_lock: Some((f64::MIN_POSITIVE, 5e-324_f64.max(f64::MIN_POSITIVE))),
            ..Default::default()
        };
        assert_eq!(ChartOptions::from_text(&o.to_text()), o, "bit for bit");
    }

    #[test]
    fn unreadable_items_stay_default() {
        let o =
            ChartOptions::from_text("log;smooth=7;lock=2,1;band=wide;zoom=3;lock=a,b;;x=sideways");
        assert_eq!(
            o,
            ChartOptions {
                log_y: true,
                ..Default::default()
            }
        );
        assert_eq!(ChartOptions::from_text("lock=NaN,1").y_lock, None);
        assert_eq!(ChartOptions::from_text("lock=0,inf").y_lock, None);
    }
}
