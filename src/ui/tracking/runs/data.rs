//! The runs table as plain data: filter, sort and nest an experiment's runs in one
//! pass over the tracker. The rows hold ids and tree positions only; cells are read
//! from the tracker for the few rows on screen.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::core::search::{parse_run_filter, sort_runs, FilterError, OrderKey};
use crate::core::table_state::RunsTableState;
use crate::core::tracking::model::{Run, RunId, ViewType};
use crate::core::tracking::Tracker;

use super::columns::{field, DURATION_KEY};

/// A row as shown: which run, how deep in the tree, and its children.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DisplayRow {
    /// Index into [`TableData::ids`].
    pub index: u32,
    /// 0 for a top-level run, 1 for its children, …
    pub depth: u16,
    /// How many child runs match (shown or collapsed).
    pub children: u32,
    /// Whether the children are shown.
    pub expanded: bool,
}

/// Everything the table shows for one experiment and table state.
#[derive(Debug, Default)]
pub struct TableData {
    /// Distinguishes builds, so rendered rows are replaced when the data changes.
    pub generation: u64,
    /// `None` if the experiment does not exist.
    pub experiment_name: Option<String>,
    /// Runs matching the filter, sorted.
    pub ids: Vec<RunId>,
    /// Rows in display order: each parent followed by its children when expanded.
    pub display: Vec<DisplayRow>,
    /// Why the filter does not parse.
    pub error: Option<FilterError>,
    /// Runs in the chosen view before filtering.
    pub in_view: usize,
    /// Runs of the experiment in any lifecycle stage.
    pub in_experiment: usize,
    /// Whether any shown run has children (the name column then has expanders).
    pub nested: bool,
    /// How long the build took (ms), shown as `data-build-ms` for benchmarks.
    pub build_ms: f64,
}

static GENERATION: AtomicU64 = AtomicU64::new(0);

/// Filters, sorts and nests the runs of `experiment_id` as `state` asks.
pub fn build(t: &Tracker, experiment_id: &str, state: &RunsTableState) -> TableData {
    let mut data = TableData {
        generation: GENERATION.fetch_add(1, Ordering::Relaxed) + 1,
        ..Default::default()
    };
    let Ok(exp) = t.experiment(experiment_id) else {
        return data;
    };
    data.experiment_name = Some(exp.name.clone());
    let ids = [experiment_id.to_owned()];
    let mut in_view = Vec::new();
    for r in t.runs_in(&ids, ViewType::All) {
        data.in_experiment += 1;
        if state.view.includes(r.info.lifecycle_stage) {
            in_view.push(r);
        }
    }
    data.in_view = in_view.len();
    let filter = match parse_run_filter(&state.filter) {
        Ok(f) => f,
        Err(e) => {
            data.error = Some(e);
            return data;
        }
    };
    let mut runs: Vec<&Run> = if filter.is_empty() {
        in_view
    } else {
        in_view.into_iter().filter(|r| filter.matches(r)).collect()
    };
    sort(&mut runs, state);
    data.display = nest(&runs, &state.expanded);
    data.nested = data.display.iter().any(|r| r.children > 0);
    data.ids = runs.into_iter().map(|r| r.info.run_id.clone()).collect();
    data
}

/// Sorts by the state's order: the search order keys core knows, and duration,
/// which the table adds (only as the first key; running runs sort last).
fn sort(runs: &mut [&Run], state: &RunsTableState) {
    let order = state.effective_order_by();
    let keys: Vec<OrderKey> = order
        .iter()
        .filter_map(|o| {
            Some(OrderKey {
                field: field(&o.key)?,
                ascending: o.ascending,
            })
        })
        .collect();
    sort_runs(runs, &keys);
    if let Some(first) = order.first().filter(|o| o.key == DURATION_KEY) {
        // Stable: ties keep the order of the remaining keys.
        runs.sort_by_cached_key(|r| {
            let d = r.info.end_time.map(|e| e - r.info.start_time);
            match d {
                None => (1, 0),
                Some(d) if first.ascending => (0, d),
                Some(d) => (0, -d),
            }
        });
    }
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
