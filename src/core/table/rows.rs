//! The rows of one experiment's runs table: the runs the table's state asks for,
//! filtered and sorted by the search the API runs
//! ([`crate::core::tracking::queries::search_runs_by`]), then nested under their
//! parents — or, when the state groups by a param or tag, collected into one row per
//! group ([`super::groups`]) that opens to its runs. Rows hold ids and tree
//! positions only; the UI reads the cells of the few rows on screen from the tracker.

use std::collections::{HashMap, HashSet};

use super::groups::{group_runs, RunGroup};
use super::state::RunsTableState;
use crate::core::tracking::model::{Run, RunId, ViewType};
use crate::core::tracking::queries::{search_runs_by, QueryError};
use crate::core::tracking::Tracker;

/// A row as shown: which run, how deep in the tree, and its children.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DisplayRow {
    /// Index into [`TableRows::ids`].
    pub index: u32,
    /// 0 for a top-level run, 1 for its children, …
    pub depth: u16,
    /// How many child runs match (shown or collapsed).
    pub children: u32,
    /// Whether the children are shown.
    pub expanded: bool,
    /// `Some(g)` for the row of group `g` of [`TableRows::groups`] (then `index` is
    /// its first run and `children` its run count), `None` for a run's row.
    pub group: Option<u32>,
}

/// A group of a grouped table: the group and its runs as indices into
/// [`TableRows::ids`], in table order.
#[derive(Clone, Debug, PartialEq)]
pub struct TableGroup {
    /// The shared value and the run ids.
    pub group: RunGroup,
    /// The runs, as indices into [`TableRows::ids`].
    pub indices: Vec<u32>,
}

/// What the runs table shows for one experiment and table state.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TableRows {
    /// `None` if the experiment does not exist.
    pub experiment_name: Option<String>,
    /// Runs matching the filter, sorted.
    pub ids: Vec<RunId>,
    /// Rows in display order: each parent followed by its children when expanded.
    pub display: Vec<DisplayRow>,
    /// Why the filter or sort was refused (then there are no rows).
    pub error: Option<QueryError>,
    /// Runs in the chosen view before filtering.
    pub in_view: usize,
    /// Runs of the experiment in any lifecycle stage.
    pub in_experiment: usize,
    /// Whether any shown run has children (the name column then has expanders).
    pub nested: bool,
    /// The groups, in the order of their first run, when the state groups runs.
    pub groups: Vec<TableGroup>,
}

/// Filters, sorts and nests the runs of `experiment_id` as `state` asks.
pub fn table_rows(t: &Tracker, experiment_id: &str, state: &RunsTableState) -> TableRows {
    let mut rows = TableRows::default();
    let Ok(exp) = t.experiment(experiment_id) else {
        return rows;
    };
    rows.experiment_name = Some(exp.name.clone());
    let ids = [experiment_id.to_owned()];
    for r in t.runs_in(&ids, ViewType::All) {
        rows.in_experiment += 1;
        rows.in_view += usize::from(state.view.includes(r.info.lifecycle_stage));
    }
    let runs = match search_runs_by(
        t,
        &ids,
        state.view,
        &state.filter,
        &state.order_keys(),
        None,
    ) {
        Ok(runs) => runs,
        Err(e) => {
            rows.error = Some(e);
            return rows;
        }
    };
    match &state.group_by {
        Some(key) => {
            (rows.groups, rows.display) = grouped(key, &runs, &state.open_groups);
        }
        None => {
            rows.display = nest(&runs, &state.expanded);
            rows.nested = rows.display.iter().any(|r| r.children > 0);
        }
    }
    rows.ids = runs.into_iter().map(|r| r.info.run_id.clone()).collect();
    rows
}

/// One row per group (in the order of its first run), each open group followed by
/// its runs in sort order, one level in (runs are not nested under parents here).
fn grouped(
    key: &super::column_key::ColumnKey,
    runs: &[&Run],
    open: &[String],
) -> (Vec<TableGroup>, Vec<DisplayRow>) {
    let index: HashMap<&str, u32> = runs
        .iter()
        .enumerate()
        .map(|(i, r)| (r.info.run_id.as_str(), i as u32))
        .collect();
    let open: HashSet<&str> = open.iter().map(String::as_str).collect();
    let groups: Vec<TableGroup> = group_runs(key, runs.iter().copied())
        .into_iter()
        .map(|group| TableGroup {
            indices: group.run_ids.iter().map(|id| index[id.as_str()]).collect(),
            group,
        })
        .collect();
    let mut display = Vec::with_capacity(groups.len());
    for (g, group) in groups.iter().enumerate() {
        let expanded = open.contains(group.group.id().as_str());
        display.push(DisplayRow {
            index: group.indices[0],
            depth: 0,
            children: group.indices.len() as u32,
            expanded,
            group: Some(g as u32),
        });
        if expanded {
            display.extend(group.indices.iter().map(|&index| DisplayRow {
                index,
                depth: 1,
                children: 0,
                expanded: false,
                group: None,
            }));
        }
    }
    (groups, display)
}

/// Parents before their children, children in sort order under them. A run whose
/// parent is not in `runs` (filtered out, or in another view) is a top-level row.
fn nest(runs: &[&Run], expanded: &[RunId]) -> Vec<DisplayRow> {
    let index: HashMap<&str, u32> = runs
        .iter()
        .enumerate()
        .map(|(i, r)| (r.info.run_id.as_str(), i as u32))
        .collect();
    let mut children: Vec<Vec<u32>> = vec![Vec::new(); runs.len()];
    let mut roots = Vec::new();
    for (i, r) in runs.iter().enumerate() {
        match r.parent_run_id().and_then(|p| index.get(p)) {
            Some(&p) if p as usize != i => children[p as usize].push(i as u32),
            _ => roots.push(i as u32),
        }
    }
    let expanded: HashSet<&str> = expanded.iter().map(String::as_str).collect();
    let mut out = Vec::with_capacity(runs.len().min(roots.len() * 2));
    let mut seen = vec![false; runs.len()];
    let mut stack: Vec<(u32, u16)> = Vec::new();
    let mut walk = |root: u32, out: &mut Vec<DisplayRow>, seen: &mut Vec<bool>| {
        stack.push((root, 0));
        while let Some((i, depth)) = stack.pop() {
            if std::mem::replace(&mut seen[i as usize], true) {
                continue;
            }
            let kids = &children[i as usize];
            let open = !kids.is_empty() && expanded.contains(runs[i as usize].info.run_id.as_str());
            out.push(DisplayRow {
                index: i,
                depth,
                children: kids.len() as u32,
                expanded: open,
                group: None,
            });
            if open {
                stack.extend(kids.iter().rev().map(|&k| (k, depth.saturating_add(1))));
            }
        }
    };
    for &r in &roots {
        walk(r, &mut out, &mut seen);
    }
    // Parent cycles (possible only in hand-edited data) have no root: list them
    // at the top level rather than lose them.
    for i in 0..runs.len() as u32 {
        let in_cycle = !seen[i as usize] && !is_descendant_of_root(i, runs, &index);
        if in_cycle {
            walk(i, &mut out, &mut seen);
        }
    }
    out
}

/// Whether following parents from `i` reaches a run without a parent in `runs`.
fn is_descendant_of_root(i: u32, runs: &[&Run], index: &HashMap<&str, u32>) -> bool {
    let mut cur = i;
    for _ in 0..=runs.len() {
        match runs[cur as usize]
            .parent_run_id()
            .and_then(|p| index.get(p))
        {
            Some(&p) if p != cur => cur = p,
            _ => return true,
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::search::FilterError;
    use crate::core::table::column_key::ColumnKey;
    use crate::core::table::state::OrderBy;
    use crate::core::tracking::rules::TAG_PARENT_RUN_ID;
    use crate::core::tracking::NewRun;

    struct Fixture {
        t: Tracker,
        exp: String,
    }

    impl Fixture {
        fn new() -> Self {
            let mut t = Tracker::load(vec![], vec![], 3, 0);
            let exp = t
                .create_experiment("table", None, Default::default(), 0)
                .unwrap();
            Fixture { t, exp }
        }

        /// A run named `name` started at `start`, under `parent` if given.
        fn run(&mut self, name: &str, start: i64, parent: Option<&str>) -> String {
            self.t
                .create_run(
                    NewRun {
                        experiment_id: Some(self.exp.clone()),
                        run_name: Some(name.into()),
                        parent_run_id: parent.map(str::to_owned),
                        ..Default::default()
                    },
                    start,
                )
                .unwrap()
        }

        fn rows(&self, state: &RunsTableState) -> TableRows {
            table_rows(&self.t, &self.exp, state)
        }

        /// The shown rows as `name@depth`, with `+n`/`-n` for collapsed/expanded children.
        fn shown(&self, state: &RunsTableState) -> Vec<String> {
            let rows = self.rows(state);
            rows.display
                .iter()
                .map(|d| {
                    let run = self.t.run(&rows.ids[d.index as usize]).unwrap();
                    let kids = match (d.children, d.expanded) {
                        (0, _) => String::new(),
                        (n, true) => format!("-{n}"),
                        (n, false) => format!("+{n}"),
                    };
                    format!("{}@{}{kids}", run.info.run_name, d.depth)
                })
                .collect()
        }
    }

    fn by_name() -> RunsTableState {
        RunsTableState {
            order_by: vec![OrderBy {
                key: ColumnKey::parse("attributes.run_name").unwrap(),
                ascending: true,
            }],
            ..Default::default()
        }
    }

    #[test]
    fn an_unknown_experiment_has_no_name_and_no_rows() {
        let f = Fixture::new();
        let rows = table_rows(&f.t, "404", &RunsTableState::default());
        assert_eq!(rows, TableRows::default());
    }

    #[test]
    fn newest_first_by_default_and_counts_per_view() {
        let mut f = Fixture::new();
        f.run("old", 1, None);
        let gone = f.run("gone", 2, None);
        f.run("new", 3, None);
        f.t.delete_run(&gone, 4).unwrap();
        let state = RunsTableState::default();
        assert_eq!(f.shown(&state), ["new@0", "old@0"]);
        let rows = f.rows(&state);
        assert_eq!((rows.in_view, rows.in_experiment), (2, 3));
        let all = RunsTableState {
            view: ViewType::All,
            ..Default::default()
        };
        assert_eq!(f.shown(&all), ["new@0", "gone@0", "old@0"]);
    }

    #[test]
    fn children_sit_under_their_parent_when_expanded() {
        let mut f = Fixture::new();
        let p = f.run("p", 1, None);
        f.run("p-b", 2, Some(&p));
        f.run("p-a", 3, Some(&p));
        f.run("q", 4, None);
        let mut state = by_name();
        assert_eq!(f.shown(&state), ["p@0+2", "q@0"]);
        assert!(f.rows(&state).nested);
        state.expanded.push(p.clone());
        assert_eq!(f.shown(&state), ["p@0-2", "p-a@1", "p-b@1", "q@0"]);
        // Still sorted, children in sort order under their parent.
        state.order_by[0].ascending = false;
        assert_eq!(f.shown(&state), ["q@0", "p@0-2", "p-b@1", "p-a@1"]);
    }

    #[test]
    fn a_child_whose_parent_is_filtered_out_is_a_top_level_row() {
        let mut f = Fixture::new();
        let p = f.run("p", 1, None);
        f.run("child", 2, Some(&p));
        let state = RunsTableState {
            filter: "attributes.run_name = 'child'".into(),
            expanded: vec![p],
            ..by_name()
        };
        assert_eq!(f.shown(&state), ["child@0"]);
        assert!(!f.rows(&state).nested);
    }

    #[test]
    fn parent_cycles_are_listed_not_lost() {
        let mut f = Fixture::new();
        let a = f.run("a", 1, None);
        let b = f.run("b", 2, Some(&a));
        f.t.set_tags(&a, &[(TAG_PARENT_RUN_ID.into(), b.clone())])
            .unwrap();
        let state = RunsTableState {
            expanded: vec![a, b],
            ..by_name()
        };
        let shown = f.shown(&state);
        assert_eq!(shown.len(), 2, "{shown:?}");
        assert_eq!(shown[0], "a@0-1");
    }

    #[test]
    fn duration_sorts_through_the_search() {
        let mut f = Fixture::new();
        for (name, start, end) in [("slow", 0, 900), ("quick", 100, 150), ("mid", 200, 500)] {
            let id = f.run(name, start, None);
            f.t.set_terminated(&id, crate::core::tracking::model::RunStatus::Finished, end)
                .unwrap();
        }
        let state = RunsTableState {
            order_by: vec![OrderBy {
                key: ColumnKey::duration(),
                ascending: true,
            }],
            ..Default::default()
        };
        assert_eq!(f.shown(&state), ["quick@0", "mid@0", "slow@0"]);
    }

    #[test]
    fn a_bad_filter_shows_no_rows_but_keeps_the_counts() {
        let mut f = Fixture::new();
        f.run("a", 1, None);
        let state = RunsTableState {
            filter: "metrics.acc >".into(),
            ..Default::default()
        };
        let rows = f.rows(&state);
        assert!(rows.display.is_empty() && rows.ids.is_empty());
        assert_eq!((rows.in_view, rows.in_experiment), (1, 1));
        assert!(
            matches!(
                rows.error,
                Some(QueryError::Filter(FilterError { position: 13, .. }))
            ),
            "{:?}",
            rows.error
        );
    }

    #[test]
    fn grouped_tables_show_one_row_per_group_that_opens_to_its_runs() {
        let mut f = Fixture::new();
        for (name, start, lr) in [
            ("a", 1, Some("0.1")),
            ("b", 2, Some("0.01")),
            ("c", 3, Some("0.1")),
            ("d", 4, None),
        ] {
            let id = f.run(name, start, None);
            if let Some(lr) = lr {
                f.t.log_params(&id, &[("lr".into(), lr.into())]).unwrap();
            }
        }
        let mut state = RunsTableState::default();
        state.set_group_by(ColumnKey::parse("params.lr"));
        let rows = f.rows(&state);
        // Newest first: d (no lr), c (0.1), b (0.01); a joins c's group.
        let labels: Vec<String> = rows
            .groups
            .iter()
            .map(|g| g.group.legend(state.group_by.as_ref().unwrap()))
            .collect();
        assert_eq!(
            labels,
            ["lr (not set) · 1 run", "lr=0.1 · 2 runs", "lr=0.01 · 1 run"]
        );
        assert!(rows
            .display
            .iter()
            .all(|r| r.group.is_some() && !r.expanded));
        assert_eq!(rows.display.len(), 3);
        assert!(!rows.nested);
        state.toggle_group("v:0.1".into());
        assert_eq!(f.shown(&state), ["d@0+1", "c@0-2", "c@1", "a@1", "b@0+1"]);
        let rows = f.rows(&state);
        assert_eq!(rows.display[1].group, Some(1));
        assert_eq!(rows.display[2].group, None);
        // A new grouping starts collapsed.
        state.set_group_by(ColumnKey::parse("tags.team"));
        assert!(state.open_groups.is_empty());
        state.set_group_by(ColumnKey::parse("metrics.loss"));
        assert_eq!(state.group_by, None, "metrics do not group");
    }
}
