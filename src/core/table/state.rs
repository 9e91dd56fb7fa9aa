//! The runs table's view state, as one plain struct that lives in the URL.
//!
//! Like MLflow's frontend, everything a user set up in the runs table — filter,
//! sort, extra columns, lifecycle view, expanded/pinned/hidden runs — is one value,
//! so a link reproduces the view. [`RunsTableState::to_query`] writes it as URL
//! query pairs and [`RunsTableState::from_query`] reads them back;
//! [`crate::core::text::url_query`] does the percent-encoding. Columns and sort keys
//! are [`ColumnKey`]s.
//!
//! Encoding (one pair per item, so keys may hold any character, commas included):
//!
//! | param      | value                                   | repeats | default      |
//! |------------|-----------------------------------------|---------|--------------|
//! | `filter`   | the search filter, verbatim             | no      | empty        |
//! | `orderBy`  | `<column key> ASC` or `<column key> DESC` | yes   | none         |
//! | `columns`  | a column key (empty: no extra columns)  | yes     | the varying ones |
//! | `view`     | `ACTIVE_ONLY`, `DELETED_ONLY`, `ALL`    | no      | `ACTIVE_ONLY`|
//! | `expanded` | a parent run id whose children show     | yes     | none         |
//! | `pinned`   | a run id pinned to the top              | yes     | none         |
//! | `hidden`   | a run id hidden from charts             | yes     | none         |
//! | `groupBy`  | a param or tag column key runs group by | no      | none         |
//! | `group`    | the id of a group shown expanded        | yes     | none         |
//! | `charts`   | `on`: the chart grid above the table    | no      | off          |
//! | `chart.<metric>` | that grid chart's settings ([`ChartOptions::to_text`]) | per metric | the site's |
//!
//! `orderBy` is split at its *last* space, and a direction never contains one, so a
//! key with spaces (or ending in ` DESC`) still reads back exactly. Defaults are
//! left out of the URL.

use std::collections::BTreeMap;

use super::column_key::{ColumnKey, ColumnKind};
use crate::core::chart::ChartOptions;
use crate::core::search::{OrderKey, RunAttribute};
use crate::core::tracking::model::{RunId, ViewType};
use crate::core::tracking::queries::RunOrderKey;

/// Removes `item` from `list`, or appends it if it was not there.
fn toggle<T: PartialEq>(list: &mut Vec<T>, item: T) {
    match list.iter().position(|x| *x == item) {
        Some(i) => {
            list.remove(i);
        }
        None => list.push(item),
    }
}

/// Query parameter names.
const FILTER: &str = "filter";
const ORDER_BY: &str = "orderBy";
const COLUMNS: &str = "columns";
const VIEW: &str = "view";
const EXPANDED: &str = "expanded";
const PINNED: &str = "pinned";
const HIDDEN: &str = "hidden";
const GROUP_BY: &str = "groupBy";
const GROUP: &str = "group";
const CHARTS: &str = "charts";
/// Prefix of a grid chart's settings: `chart.<metric key>`.
const CHART_PREFIX: &str = "chart.";

/// One sort criterion of the runs table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderBy {
    /// The column sorted by, e.g. `metrics.acc`, `attributes.start_time`.
    pub key: ColumnKey,
    /// Ascending (true) or descending (false).
    pub ascending: bool,
}

/// Everything the user set up in the runs table.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RunsTableState {
    /// MLflow search filter (`metrics.acc > 0.9 and params.opt = 'adam'`), verbatim;
    /// empty shows all runs.
    pub filter: String,
    /// Sort criteria, most significant first; empty means the store's default
    /// (see [`RunsTableState::effective_order_by`]).
    pub order_by: Vec<OrderBy>,
    /// Extra columns shown beside the fixed ones, in display order:
    /// `params.lr`, `metrics.loss`, `metrics_min.loss`, `tags.x` — when
    /// [`RunsTableState::columns_chosen`].
    pub columns: Vec<ColumnKey>,
    /// Whether the user chose the extra columns. Until they do, the table shows the
    /// params and metrics that vary across the experiment's runs
    /// ([`super::varying::varying_columns`]); choosing starts from those.
    pub columns_chosen: bool,
    /// Which lifecycle stages are listed.
    pub view: ViewType,
    /// Parent runs whose child runs are shown (collapsed by default).
    pub expanded: Vec<RunId>,
    /// Runs pinned to the top of the table.
    pub pinned: Vec<RunId>,
    /// Runs left out of the charts (still listed in the table).
    pub hidden: Vec<RunId>,
    /// The param or tag runs are grouped by (see [`super::groups`]); `None` lists
    /// runs one by one.
    pub group_by: Option<ColumnKey>,
    /// Groups whose runs are shown, by [`super::groups::RunGroup::id`] (collapsed by
    /// default).
    pub open_groups: Vec<String>,
    /// Whether the chart grid (one chart per chosen metric for the shown runs) is
    /// open above the table.
    pub charts: bool,
    /// Grid charts whose settings differ from the site's, by metric key.
    pub chart_options: BTreeMap<String, ChartOptions>,
}

fn view_as_str(view: ViewType) -> &'static str {
    match view {
        ViewType::ActiveOnly => "ACTIVE_ONLY",
        ViewType::DeletedOnly => "DELETED_ONLY",
        ViewType::All => "ALL",
    }
}

impl OrderBy {
    /// The `orderBy` query value: `"<key> ASC"` / `"<key> DESC"`.
    pub fn to_query_value(&self) -> String {
        let dir = if self.ascending { "ASC" } else { "DESC" };
        format!("{} {dir}", self.key)
    }

    /// Reads an `orderBy` query value. The direction is the text after the last
    /// space, case-insensitive; without one (or if that text is not a direction)
    /// the whole value is the key, ascending, as in SQL. `None` if the key is not a
    /// valid column key.
    pub fn parse_query_value(value: &str) -> Option<Self> {
        let (key, ascending) = match value.rsplit_once(' ') {
            Some((key, dir)) if dir.eq_ignore_ascii_case("ASC") => (key, true),
            Some((key, dir)) if dir.eq_ignore_ascii_case("DESC") => (key, false),
            _ => (value, true),
        };
        Some(OrderBy {
            key: ColumnKey::parse(key)?,
            ascending,
        })
    }

    /// The order key the search sorts by; `None` for a column it cannot sort (an
    /// attribute it does not know).
    pub fn order_key(&self) -> Option<RunOrderKey> {
        let ascending = self.ascending;
        if self.key.is_duration() {
            return Some(RunOrderKey::Duration { ascending });
        }
        let max = match self.key.kind() {
            ColumnKind::MetricsMin => Some(false),
            ColumnKind::MetricsMax => Some(true),
            _ => None,
        };
        if let Some(max) = max {
            let key = self.key.name().to_owned();
            return Some(RunOrderKey::MetricRange {
                key,
                max,
                ascending,
            });
        }
        let field = self.key.field()?;
        Some(RunOrderKey::Field(OrderKey { field, ascending }))
    }
}

impl RunsTableState {
    /// MLflow's default sort when none is chosen: newest runs first.
    pub fn default_order_by() -> OrderBy {
        OrderBy {
            key: ColumnKey::attribute(RunAttribute::StartTime),
            ascending: false,
        }
    }

    /// The sort to apply: [`RunsTableState::order_by`], or the default if empty.
    pub fn effective_order_by(&self) -> Vec<OrderBy> {
        if self.order_by.is_empty() {
            vec![Self::default_order_by()]
        } else {
            self.order_by.clone()
        }
    }

    /// Shows `key` as a column (last), or hides it if shown; `shown` are the extra
    /// columns shown now (the varying ones until the user chose), which the choice
    /// starts from.
    pub fn toggle_column(&mut self, shown: &[ColumnKey], key: ColumnKey) {
        if !self.columns_chosen {
            self.choose_columns(shown.to_vec());
        }
        toggle(&mut self.columns, key);
    }

    /// Shows exactly `columns` as the extra columns (a choice: they stay as they are
    /// whatever the runs log).
    pub fn choose_columns(&mut self, columns: Vec<ColumnKey>) {
        self.columns = columns;
        self.columns_chosen = true;
    }

    /// Back to the varying columns.
    pub fn default_columns(&mut self) {
        self.columns.clear();
        self.columns_chosen = false;
    }

    /// Shows the runs of the group `id`, or hides them if shown.
    pub fn toggle_group(&mut self, id: String) {
        toggle(&mut self.open_groups, id);
    }

    /// Groups runs by `key` (a param or tag; anything else, or `None`, ungroups);
    /// groups start collapsed.
    pub fn set_group_by(&mut self, key: Option<ColumnKey>) {
        let key = key.filter(super::groups::can_group_by);
        if key != self.group_by {
            self.group_by = key;
            self.open_groups.clear();
        }
    }

    /// The settings of the grid chart of `metric`.
    pub fn chart_options_of(&self, metric: &str) -> ChartOptions {
        self.chart_options.get(metric).cloned().unwrap_or_default()
    }

    /// Sets the grid chart of `metric` to `options` (the default forgets it).
    pub fn set_chart_options(&mut self, metric: &str, options: ChartOptions) {
        if options == ChartOptions::default() {
            self.chart_options.remove(metric);
        } else {
            self.chart_options.insert(metric.to_owned(), options);
        }
    }

    /// Shows the child runs of `parent`, or hides them if shown.
    pub fn toggle_expanded(&mut self, parent: RunId) {
        toggle(&mut self.expanded, parent);
    }

    /// What the search sorts by: [`RunsTableState::effective_order_by`] as order
    /// keys, leaving out columns it cannot sort (as a hand-edited URL may name).
    pub fn order_keys(&self) -> Vec<RunOrderKey> {
        self.effective_order_by()
            .iter()
            .filter_map(OrderBy::order_key)
            .collect()
    }

    /// The state as URL query pairs (see the module docs), defaults left out, in a
    /// fixed order. `from_query(&s.to_query()) == s` for every state whose column
    /// keys have names and whose run ids are not empty.
    pub fn to_query(&self) -> Vec<(String, String)> {
        let mut q = Vec::new();
        let mut push = |k: &str, v: String| q.push((k.to_string(), v));
        if !self.filter.is_empty() {
            push(FILTER, self.filter.clone());
        }
        for o in &self.order_by {
            push(ORDER_BY, o.to_query_value());
        }
        for c in &self.columns {
            push(COLUMNS, c.to_string());
        }
        if self.columns_chosen && self.columns.is_empty() {
            push(COLUMNS, String::new());
        }
        if self.view != ViewType::default() {
            push(VIEW, view_as_str(self.view).to_string());
        }
        for (name, ids) in [
            (EXPANDED, &self.expanded),
            (PINNED, &self.pinned),
            (HIDDEN, &self.hidden),
        ] {
            for id in ids {
                push(name, id.clone());
            }
        }
        if self.charts {
            push(CHARTS, "on".to_owned());
        }
        for (metric, o) in &self.chart_options {
            let text = o.to_text();
            if !text.is_empty() && !metric.is_empty() {
                push(&format!("{CHART_PREFIX}{metric}"), text);
            }
        }
        if let Some(key) = &self.group_by {
            push(GROUP_BY, key.to_string());
            for id in &self.open_groups {
                push(GROUP, id.clone());
            }
        }
        q
    }

    /// Reads a state from URL query pairs, tolerantly: unknown params are ignored
    /// (the page may have others), as are values it cannot read (an invalid
    /// column key or view, an empty run id); for `filter` and `view` the first
    /// readable occurrence wins, as with `URLSearchParams.get`.
    pub fn from_query(pairs: &[(String, String)]) -> Self {
        let mut s = RunsTableState::default();
        let (mut have_filter, mut have_view) = (false, false);
        let mut open_groups = Vec::new();
        for (k, v) in pairs {
            match k.as_str() {
                FILTER if !have_filter => {
                    s.filter = v.clone();
                    have_filter = true;
                }
                ORDER_BY => s.order_by.extend(OrderBy::parse_query_value(v)),
                COLUMNS => {
                    s.columns_chosen = true;
                    s.columns.extend(ColumnKey::parse(v));
                }
                VIEW if !have_view => {
                    if let Some(view) = ViewType::parse(v.trim()) {
                        s.view = view;
                        have_view = true;
                    }
                }
                EXPANDED if !v.is_empty() => s.expanded.push(v.clone()),
                PINNED if !v.is_empty() => s.pinned.push(v.clone()),
                HIDDEN if !v.is_empty() => s.hidden.push(v.clone()),
                GROUP_BY if s.group_by.is_none() => {
                    s.group_by = ColumnKey::parse(v).filter(super::groups::can_group_by)
                }
                GROUP if !v.is_empty() => open_groups.push(v.clone()),
                CHARTS => s.charts |= v == "on",
                k => {
                    if let Some(metric) = k.strip_prefix(CHART_PREFIX) {
                        if !metric.is_empty() && !s.chart_options.contains_key(metric) {
                            s.set_chart_options(metric, ChartOptions::from_text(v));
                        }
                    }
                }
            }
        }
        if s.group_by.is_some() {
            s.open_groups = open_groups;
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn col(key: &str) -> ColumnKey {
        ColumnKey::parse(key).unwrap()
    }

    fn order(key: &str, ascending: bool) -> OrderBy {
        OrderBy {
            key: col(key),
            ascending,
        }
    }

    #[test]
    fn default_state_is_an_empty_query() {
        assert!(RunsTableState::default().to_query().is_empty());
        assert_eq!(RunsTableState::from_query(&[]), RunsTableState::default());
    }

    #[test]
    fn full_state_round_trips() {
        let s = RunsTableState {
            filter: "metrics.acc > 0.9 and params.`a,b` = 'x'".into(),
            order_by: vec![
                order("metrics.val loss DESC", true),
                order("params.a,b", false),
            ],
            columns: vec![
                col("params.lr"),
                col("tags.`x`"),
                col("metrics.损失"),
                col("metrics_min.a b"),
                col("metrics_max.c"),
            ],
            columns_chosen: true,
            view: ViewType::All,
            expanded: vec!["abc".into()],
            pinned: vec!["p1".into(), "p2".into()],
            hidden: vec!["h".into()],
            group_by: Some(col("params.learning rate")),
            open_groups: vec!["v:0.1".into(), "none".into()],
            charts: true,
            chart_options: [
                (
                    "val loss".to_owned(),
                    ChartOptions::from_text("log;smooth=0.5;x=metric:epoch;x"),
                ),
                ("a=b&c".to_owned(), ChartOptions::from_text("clip;lock=0,1")),
            ]
            .into(),
        };
        let q = s.to_query();
        assert!(q.contains(&("orderBy".into(), "metrics.val loss DESC ASC".into())));
        assert!(q.contains(&("view".into(), "ALL".into())));
        assert_eq!(RunsTableState::from_query(&q), s);
    }

    #[test]
    fn garbage_is_ignored() {
        let q = pairs(&[
            ("tab", "charts"),
            ("orderBy", "bogus"),
            ("orderBy", "nokind.x DESC"),
            ("orderBy", "metrics. DESC"),
            ("orderBy", "metrics.acc desc"),
            ("orderBy", "metrics.loss"),
            ("columns", ""),
            ("columns", "metrics"),
            ("columns", "params.lr"),
            ("view", "sideways"),
            ("view", "deleted_only"),
            ("view", "ALL"),
            ("pinned", ""),
            ("filter", "a"),
            ("filter", "b"),
            ("groupBy", "metrics.loss"),
            ("groupBy", "tags.team"),
            ("groupBy", "params.lr"),
            ("group", ""),
            ("group", "v:x"),
        ]);
        let s = RunsTableState::from_query(&q);
        assert_eq!(
            s.order_by,
            vec![order("metrics.acc", false), order("metrics.loss", true)]
        );
        assert_eq!(s.columns, vec![col("params.lr")]);
        assert_eq!(s.view, ViewType::DeletedOnly);
        assert!(s.pinned.is_empty());
        assert_eq!(s.filter, "a");
        assert_eq!(s.group_by, Some(col("tags.team")), "metrics do not group");
        assert_eq!(s.open_groups, ["v:x"]);
        // Open groups without a grouping mean nothing.
        let s = RunsTableState::from_query(&pairs(&[("group", "v:x")]));
        assert!(s.open_groups.is_empty());
    }

    #[test]
    fn sort_columns_become_search_order_keys() {
        use crate::core::search::RunField;
        let s = RunsTableState {
            order_by: vec![
                order("attributes.duration", false),
                order("attributes.no_such_thing", true),
                order("tags.mlflow.runName", true),
            ],
            ..Default::default()
        };
        assert_eq!(
            s.order_keys(),
            vec![
                RunOrderKey::Duration { ascending: false },
                RunOrderKey::Field(OrderKey {
                    field: RunField::Tag("mlflow.runName".into()),
                    ascending: true
                }),
            ]
        );
        assert_eq!(
            RunsTableState::default().order_keys(),
            vec![RunOrderKey::Field(OrderKey {
                field: RunField::Attribute(RunAttribute::StartTime),
                ascending: false
            })]
        );
    }

    #[test]
    fn toggling_adds_at_the_end_and_removes_in_place() {
        let mut s = RunsTableState::default();
        s.toggle_column(&[], col("metrics.a"));
        s.toggle_column(&[], col("params.b"));
        s.toggle_column(&[], col("tags.c"));
        s.toggle_column(&[], col("params.b"));
        assert_eq!(s.columns, vec![col("metrics.a"), col("tags.c")]);
        s.toggle_expanded("r1".into());
        s.toggle_expanded("r1".into());
        assert!(s.expanded.is_empty());
    }

    #[test]
    fn choosing_starts_from_the_varying_columns_and_none_is_a_choice() {
        let mut s = RunsTableState::default();
        let varying = [col("metrics.loss"), col("params.lr")];
        s.toggle_column(&varying, col("params.lr"));
        assert_eq!(s.columns, [col("metrics.loss")]);
        s.toggle_column(&varying, col("metrics_min.loss"));
        assert_eq!(s.columns, [col("metrics.loss"), col("metrics_min.loss")]);
        s.choose_columns(Vec::new());
        let q = s.to_query();
        assert_eq!(
            q,
            pairs(&[("columns", "")]),
            "no columns is not the default"
        );
        let back = RunsTableState::from_query(&q);
        assert!(back.columns_chosen && back.columns.is_empty());
        s.default_columns();
        assert_eq!(s, RunsTableState::default());
    }

    #[test]
    fn default_sort_is_newest_first() {
        let s = RunsTableState::default();
        assert_eq!(
            s.effective_order_by(),
            vec![order("attributes.start_time", false)]
        );
    }
}
