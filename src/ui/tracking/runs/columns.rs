//! The runs table's columns: the fixed ones MLflow shows, and any param, metric, tag
//! or attribute the user adds by its column key (`metrics.acc`).

use crate::core::search::{RunAttribute, RunField};
use crate::core::table::column_key::{ColumnKey, ColumnKind};
use crate::core::table::groups::{group_cell, GroupCell, RunGroup};
use crate::core::text::format::{format_duration_ms, format_value, run_duration_ms};
use crate::core::tracking::model::Run;
use crate::core::tracking::rules::TAG_SOURCE_NAME;
use crate::service::projects::TAG_ENTRY_POINT;
use crate::ui::widgets::format_time;

/// Height of every row in px; the virtualized body depends on it being fixed.
pub const ROW_HEIGHT: f64 = 32.0;
/// Width of the selection column in px.
pub const CHECK_WIDTH: u32 = 36;

/// One column of the runs table.
#[derive(Clone, Debug, PartialEq)]
pub enum Column {
    /// Run name, linking to the run.
    Name,
    /// RUNNING, FINISHED, …
    Status,
    /// Start time.
    Start,
    /// End minus start (so far, while running).
    Duration,
    /// `user_id`.
    User,
    /// The `mlflow.source.name` tag, shortened.
    Source,
    /// The `mlflow.project.entryPoint` tag: shown by default only in experiments with
    /// project runs (see [`Column::defaults`]).
    EntryPoint,
    /// A column the user added, such as `params.lr`.
    Extra(ColumnKey),
}

impl Column {
    /// The columns every table starts with.
    pub const FIXED: [Column; 6] = [
        Column::Name,
        Column::Status,
        Column::Start,
        Column::Duration,
        Column::User,
        Column::Source,
    ];

    /// The columns a table starts with: [`Column::FIXED`], and Entry point when some
    /// run of the experiment ran a project (`project_runs`) and the user has not added
    /// its tag as a column of their own.
    pub fn defaults(project_runs: bool, extra: &[ColumnKey]) -> Vec<Column> {
        let mut cols = Column::FIXED.to_vec();
        if project_runs && !extra.contains(&Column::EntryPoint.key()) {
            cols.push(Column::EntryPoint);
        }
        cols
    }

    /// The column key, as sort criteria in the URL name it.
    pub fn key(&self) -> ColumnKey {
        match self {
            Column::Name => ColumnKey::attribute(RunAttribute::RunName),
            Column::Status => ColumnKey::attribute(RunAttribute::Status),
            Column::Start => ColumnKey::attribute(RunAttribute::StartTime),
            Column::Duration => ColumnKey::duration(),
            Column::User => ColumnKey::attribute(RunAttribute::UserId),
            Column::Source => ColumnKey::new(ColumnKind::Tags, TAG_SOURCE_NAME),
            Column::EntryPoint => ColumnKey::new(ColumnKind::Tags, TAG_ENTRY_POINT),
            Column::Extra(k) => k.clone(),
        }
    }

    /// The header text.
    pub fn label(&self) -> String {
        match self {
            Column::Name => "Run name".into(),
            Column::Status => "Status".into(),
            Column::Start => "Created".into(),
            Column::Duration => "Duration".into(),
            Column::User => "User".into(),
            Column::Source => "Source".into(),
            Column::EntryPoint => "Entry point".into(),
            Column::Extra(k) => match k.kind() {
                ColumnKind::MetricsMin => format!("{} (min)", k.name()),
                ColumnKind::MetricsMax => format!("{} (max)", k.name()),
                _ => k.name().to_owned(),
            },
        }
    }

    /// The extra column's kind as its key's prefix (`params`, `metrics`,
    /// `metrics_min`, …): the header's badge and its CSS class.
    pub fn kind(&self) -> Option<&str> {
        match self {
            Column::Extra(k) => Some(k.kind().prefix()),
            _ => None,
        }
    }

    /// Width in px.
    pub fn width(&self) -> u32 {
        match self {
            Column::Name => 240, // the default of `--name-w`
            Column::Status => 104,
            Column::Start => 178,
            Column::Duration => 96,
            Column::User => 110,
            Column::Source => 170,
            Column::EntryPoint => 120,
            Column::Extra(_) => 130,
        }
    }

    /// Numbers are right-aligned and sort largest first on the first click.
    pub fn is_numeric(&self) -> bool {
        match self {
            Column::Start | Column::Duration => true,
            Column::Extra(k) => {
                k.kind().is_metric()
                    || k.field() == Some(RunField::Attribute(RunAttribute::EndTime))
            }
            _ => false,
        }
    }

    /// The text of this column for `run`; `None` for an empty cell.
    pub fn text(&self, run: &Run, now: i64) -> Option<String> {
        let info = &run.info;
        match self {
            Column::Name => Some(info.run_name.clone()),
            Column::Status => Some(info.status.as_str().to_owned()),
            Column::Start => Some(format_time(info.start_time)),
            Column::Duration => {
                let ms = run_duration_ms(info.start_time, info.end_time, now);
                Some(format_duration_ms(ms as f64))
            }
            Column::User => Some(info.user_id.clone()).filter(|u| !u.is_empty()),
            Column::Source => run.tags.get(TAG_SOURCE_NAME).map(|s| shorten_source(s)),
            Column::EntryPoint => run.tags.get(TAG_ENTRY_POINT).cloned(),
            Column::Extra(k) if k.kind().is_metric() => k.metric_value(run).map(format_value),
            Column::Extra(k) => match k.field()? {
                RunField::Metric(m) => run.metrics.get(&m).map(|p| format_value(p.value)),
                RunField::Param(p) => run.params.get(&p).cloned(),
                RunField::Tag(t) => run.tags.get(&t).cloned(),
                RunField::Attribute(a) => attribute_text(run, a),
            },
        }
    }

    /// The text of this column in the row of a group of `runs` grouped by `key`: the
    /// group's label in the name column, the mean of a metric (with `(n of m)` when
    /// not every run counts), the value of a param or tag when every run shares it,
    /// else how many values they have; `None` for the rest.
    pub fn group_text(&self, group: &RunGroup, key: &ColumnKey, runs: &[&Run]) -> Option<String> {
        match self {
            Column::Name => Some(group.label(key)),
            Column::Extra(k) => match group_cell(k, runs)? {
                GroupCell::Mean(m) => Some(m.cell()),
                GroupCell::Shared(v) => v,
                GroupCell::Values(n) => Some(format!("{n} values")),
            },
            _ => None,
        }
    }

    /// The full text behind a shortened cell, for its tooltip.
    pub fn title(&self, run: &Run) -> Option<String> {
        match self {
            Column::Source => run.tags.get(TAG_SOURCE_NAME).cloned(),
            Column::Start => Some(format!("{} ms since the epoch", run.info.start_time)),
            _ => None,
        }
    }
}

fn attribute_text(run: &Run, a: RunAttribute) -> Option<String> {
    let info = &run.info;
    Some(match a {
        RunAttribute::RunId => info.run_id.clone(),
        RunAttribute::RunName => info.run_name.clone(),
        RunAttribute::Status => info.status.as_str().into(),
        RunAttribute::StartTime => format_time(info.start_time),
        RunAttribute::EndTime => format_time(info.end_time?),
        RunAttribute::UserId => info.user_id.clone(),
        RunAttribute::ArtifactUri => info.artifact_uri.clone(),
        RunAttribute::LifecycleStage => info.lifecycle_stage.as_str().into(),
    })
}

/// A source for a narrow cell: no scheme, and the tail kept when it is long (the
/// script or page name is at the end).
pub fn shorten_source(source: &str) -> String {
    const MAX: usize = 28;
    let s = source.split_once("://").map_or(source, |(_, rest)| rest);
    let s = s.trim_end_matches('/');
    let n = s.chars().count();
    if n <= MAX {
        s.to_owned()
    } else {
        let tail: String = s.chars().skip(n - (MAX - 1)).collect();
        format!("…{tail}")
    }
}

/// The CSS grid template for these columns (after the selection column). The name
/// column's width is the CSS variable `--name-w` (narrower on phones).
pub fn grid_template(columns: &[Column]) -> String {
    let mut t = format!("{CHECK_WIDTH}px");
    for c in columns {
        match c {
            Column::Name => t.push_str(" var(--name-w)"),
            c => t.push_str(&format!(" {}px", c.width())),
        }
    }
    t
}

/// The CSS width of the table with these columns.
pub fn total_width(columns: &[Column]) -> String {
    let fixed: u32 = columns
        .iter()
        .filter(|c| **c != Column::Name)
        .map(Column::width)
        .sum();
    format!("calc({}px + var(--name-w))", CHECK_WIDTH + fixed)
}
