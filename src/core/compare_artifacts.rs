//! What the compare page can put side by side from the compared runs' artifacts:
//! images at one path in several runs, per-step image series (MLflow 3's
//! `log_image(key=…, step=…)` names) grouped by key, and text files at one path in
//! several runs (diffed with [`crate::core::text::line_diff`]).
//!
//! Kinds come from [`mime_type`], the rule the run page's previews use: the same
//! files are images (SVG included: both pages load them through `<img>`, where
//! scripts never run) and text.

use std::collections::{BTreeMap, BTreeSet};

use crate::core::tracking::artifacts::mime_type;

/// How a path is compared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArtifactKind {
    /// Shown as an image, side by side.
    Image,
    /// Diffed line by line.
    Text,
}

/// The kind of `path` by its name, `None` for files that are not compared.
pub fn artifact_kind(path: &str) -> Option<ArtifactKind> {
    match mime_type(path) {
        m if m.starts_with("image/") => Some(ArtifactKind::Image),
        "text/plain"
        | "text/markdown"
        | "text/csv"
        | "text/tab-separated-values"
        | "text/html"
        | "application/json"
        | "application/yaml" => Some(ArtifactKind::Text),
        _ => None,
    }
}

/// One image of a per-step series, parsed from its name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepImage {
    /// The key given to `log_image` (`~` in the name read back as `/`).
    pub key: String,
    /// The step.
    pub step: i64,
    /// When it was logged (ms).
    pub timestamp: i64,
    /// Whether this is MLflow's `+compressed.webp` copy.
    pub compressed: bool,
}

/// Parses MLflow 3's per-step image name,
/// `images/<key>+step+<n>+timestamp+<ms>+<uuid>.png` (`/` in the key written `~`),
/// or its compressed copy `…+<uuid>+compressed.webp`, as mlflow 3.17.2's
/// `log_image(image, key="conf/mat", step=3)` writes them (checked:
/// `images/conf~mat+step+3+timestamp+1796225919899+2429fd83-…-e2c672783f48.png` and
/// its `…+compressed.webp`). Other paths give `None`.
pub fn parse_step_image(path: &str) -> Option<StepImage> {
    let name = path.strip_prefix("images/")?;
    if name.contains('/') {
        return None;
    }
    let (stem, compressed) = match name.strip_suffix("+compressed.webp") {
        Some(stem) => (stem, true),
        None => (name.rsplit_once('.')?.0, false),
    };
    if !compressed && artifact_kind(path) != Some(ArtifactKind::Image) {
        return None;
    }
    // From the right, so a key may hold `+` itself.
    let mut parts = stem.rsplitn(6, '+');
    let uuid = parts.next()?;
    let timestamp = parts.next()?.parse().ok()?;
    let ts_word = parts.next()?;
    let step = parts.next()?.parse().ok()?;
    let step_word = parts.next()?;
    let key = parts.next()?;
    if uuid.is_empty() || ts_word != "timestamp" || step_word != "step" || key.is_empty() {
        return None;
    }
    Some(StepImage {
        key: key.replace('~', "/"),
        step,
        timestamp,
        compressed,
    })
}

/// A path several runs have.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SharedPath {
    /// The artifact path.
    pub path: String,
    /// Indexes of the runs that have it (into the lists given), ascending.
    pub runs: Vec<usize>,
}

/// A per-step image key logged by several runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageSeries {
    /// The key.
    pub key: String,
    /// Every step any of the runs has an image at, ascending: the slider's stops.
    pub steps: Vec<i64>,
    /// Per run (in the order given): the image shown at each step it has one.
    pub per_run: Vec<BTreeMap<i64, String>>,
}

impl ImageSeries {
    /// The path of run `run`'s image at `step`, if it logged one.
    pub fn image_at(&self, run: usize, step: i64) -> Option<&str> {
        self.per_run.get(run)?.get(&step).map(String::as_str)
    }
}

/// Everything comparable among the runs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ComparableArtifacts {
    /// Image paths in two runs or more (per-step series excluded), sorted.
    pub images: Vec<SharedPath>,
    /// Per-step image keys in two runs or more, sorted by key.
    pub series: Vec<ImageSeries>,
    /// Text paths in two runs or more, sorted.
    pub texts: Vec<SharedPath>,
}

impl ComparableArtifacts {
    /// Whether there is nothing to put side by side.
    pub fn is_empty(&self) -> bool {
        self.images.is_empty() && self.series.is_empty() && self.texts.is_empty()
    }
}

/// The comparable sets from each run's artifact paths (`runs[i]` is run `i`'s list).
pub fn comparable_artifacts<S: AsRef<str>>(runs: &[Vec<S>]) -> ComparableArtifacts {
    let mut by_path: BTreeMap<&str, (ArtifactKind, BTreeSet<usize>)> = BTreeMap::new();
    // key → run → step → best (timestamp, not compressed, path)
    type Best<'a> = (i64, bool, &'a str);
    let mut steps: BTreeMap<String, BTreeMap<usize, BTreeMap<i64, Best>>> = BTreeMap::new();
    for (i, paths) in runs.iter().enumerate() {
        for path in paths.iter().map(AsRef::as_ref) {
            if let Some(s) = parse_step_image(path) {
                let candidate = (s.timestamp, !s.compressed, path);
                let at = steps
                    .entry(s.key)
                    .or_default()
                    .entry(i)
                    .or_default()
                    .entry(s.step)
                    .or_insert(candidate);
                // the latest; at one time the PNG over its compressed copy; then by path
                if candidate > *at {
                    *at = candidate;
                }
            } else if let Some(kind) = artifact_kind(path) {
                by_path
                    .entry(path)
                    .or_insert((kind, BTreeSet::new()))
                    .1
                    .insert(i);
            }
        }
    }
    let mut out = ComparableArtifacts::default();
    for (path, (kind, holders)) in by_path {
        if holders.len() < 2 {
            continue;
        }
        let shared = SharedPath {
            path: path.to_owned(),
            runs: holders.into_iter().collect(),
        };
        match kind {
            ArtifactKind::Image => out.images.push(shared),
            ArtifactKind::Text => out.texts.push(shared),
        }
    }
    for (key, by_run) in steps {
        if by_run.len() < 2 {
            continue;
        }
        let all: BTreeSet<i64> = by_run.values().flat_map(|s| s.keys().copied()).collect();
        let per_run = (0..runs.len())
            .map(|i| {
                by_run
                    .get(&i)
                    .map(|s| s.iter().map(|(step, b)| (*step, b.2.to_owned())).collect())
                    .unwrap_or_default()
            })
            .collect();
        out.series.push(ImageSeries {
            key,
            steps: all.into_iter().collect(),
            per_run,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step_name(key: &str, step: i64, ts: i64, uuid: &str) -> String {
        format!("images/{key}+step+{step}+timestamp+{ts}+{uuid}.png")
    }

    #[test]
    fn mlflow_step_names_parse_and_others_do_not() {
        let s = parse_step_image("images/val~confusion+step+3+timestamp+1700000000123+ab-cd.png")
            .unwrap();
        assert_eq!(
            s,
            StepImage {
                key: "val/confusion".into(),
                step: 3,
                timestamp: 1_700_000_000_123,
                compressed: false,
            }
        );
        let c = parse_step_image("images/a+b+step+-1+timestamp+5+u+compressed.webp").unwrap();
        assert_eq!((c.key.as_str(), c.step, c.compressed), ("a+b", -1, true));
        for other in [
            "images/plain.png",
            "plots/k+step+1+timestamp+2+u.png",
            "images/k+step+x+timestamp+2+u.png",
            "images/k+step+1+time+2+u.png",
            "images/k+step+1+timestamp+2+u.txt",
            "images/deep/k+step+1+timestamp+2+u.png",
            "images/+step+1+timestamp+2+u.png",
        ] {
            assert_eq!(parse_step_image(other), None, "{other}");
        }
    }

    #[test]
    fn paths_in_two_runs_or_more_are_comparable_by_kind() {
        let runs = vec![
            vec![
                "plots/confusion.png",
                "notes.txt",
                "model.bin",
                "only-a.png",
            ],
            vec!["plots/confusion.png", "notes.txt", "model.bin", "MLmodel"],
            vec!["plots/confusion.png", "logo.svg", "MLmodel"],
        ];
        let c = comparable_artifacts(&runs);
        let paths = |v: &[SharedPath]| {
            v.iter()
                .map(|s| (s.path.clone(), s.runs.clone()))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            paths(&c.images),
            [("plots/confusion.png".to_string(), vec![0, 1, 2])]
        );
        assert_eq!(
            paths(&c.texts),
            [
                ("MLmodel".to_string(), vec![1, 2]),
                ("notes.txt".to_string(), vec![0, 1])
            ]
        );
        assert!(c.series.is_empty());
        assert!(comparable_artifacts(&[vec!["a.png"], vec!["b.png"]]).is_empty());
    }

    #[test]
    fn step_series_offer_the_union_of_steps_and_the_latest_image_at_each() {
        let a = vec![
            step_name("loss~map", 0, 10, "u1"),
            step_name("loss~map", 0, 10, "u1").replace(".png", "+compressed.webp"),
            step_name("loss~map", 1, 20, "u2"),
            step_name("loss~map", 1, 25, "u3"), // logged again at step 1: the later wins
            step_name("solo", 0, 1, "s"),
        ];
        let b = vec![
            // only the compressed copy: it is shown
            step_name("loss~map", 2, 30, "v1").replace(".png", "+compressed.webp"),
            step_name("loss~map", 0, 7, "v2"),
            // same timestamp: the larger path, whatever the listing order
            step_name("loss~map", 1, 40, "vb"),
            step_name("loss~map", 1, 40, "va"),
        ];
        let c = comparable_artifacts(&[a.clone(), b.clone(), vec![]]);
        assert_eq!(c.series.len(), 1, "solo is in one run only");
        let s = &c.series[0];
        assert_eq!(s.key, "loss/map");
        assert_eq!(s.steps, [0, 1, 2]);
        assert_eq!(s.image_at(0, 0), Some(a[0].as_str()), "PNG over its webp");
        assert_eq!(s.image_at(0, 1), Some(a[3].as_str()));
        assert_eq!(s.image_at(0, 2), None);
        assert_eq!(s.image_at(1, 2), Some(b[0].as_str()));
        assert_eq!(s.image_at(1, 1), Some(b[2].as_str()));
        assert_eq!(s.image_at(2, 0), None);
        let reversed: Vec<Vec<String>> = vec![
            a.into_iter().rev().collect(),
            b.into_iter().rev().collect(),
            vec![],
        ];
        assert_eq!(
            comparable_artifacts(&reversed),
            c,
            "listing order does not matter"
        );
        assert!(c.images.is_empty(), "step images are not compared by path");
    }
}
