//! Saved views of the runs table: random table states (columns and their min/max
//! variants, grouping, the chart grid and each chart's settings) and names kept exactly
//! through the experiment tag they are stored as, through two writers saving at once,
//! and through an mlruns export and import.

mod support;

use std::collections::BTreeMap;

use ferroflow::core::chart::{ChartOptions, Spread, XMode, MAX_SMOOTHING_WEIGHT};
use ferroflow::core::interchange::mlruns::{export_zip, import_archive, ArchiveLimits};
use ferroflow::core::interchange::{Selection, Snapshot};
use ferroflow::core::table::column_key::{ColumnKey, ColumnKind};
use ferroflow::core::table::saved_views::{
    check_name, current, new_id, query_of, saved_views, SavedView, MAX_NAME_CHARS, TAG_PREFIX,
};
use ferroflow::core::table::state::{OrderBy, RunsTableState};
use ferroflow::core::tracking::model::ViewType;
use support::{MemStore, Rng};

/// Text of random characters: ASCII punctuation that URLs and JSON escape, spaces,
/// quotes, `%`, `&`, `=`, `#`, non-ASCII and astral characters.
fn text(rng: &mut Rng, max: u64) -> String {
    const POOL: &[char] = &[
        'a', 'Z', '0', ' ', '%', '&', '=', '#', '?', '+', '/', '\\', '"', '\'', ',', '.', '[', ']',
        '{', '}', ':', '\n', '\t', 'é', 'ß', '中', '😀', '\u{200b}',
    ];
    (0..rng.below(max + 1))
        .map(|_| POOL[rng.below(POOL.len() as u64) as usize])
        .collect()
}

/// Random chart settings: any x axis (a metric of any name), any finite lock, any
/// smoothing weight the slider offers.
fn random_chart_options(rng: &mut Rng) -> ChartOptions {
    let x_metric = format!("x{}", text(rng, 8));
    let (x, x_metric) = match rng.below(4) {
        0 => (XMode::Step, None),
        1 => (XMode::WallTime, None),
        2 => (XMode::RelativeTime, None),
        _ => (XMode::Metric, Some(x_metric)),
    };
    let finite = |rng: &mut Rng| loop {
        let v = rng.f64();
        if v.is_finite() {
            return v;
        }
    };
    let y_lock = rng.chance(50).then(|| {
        let (a, b) = (finite(rng), finite(rng));
        (a.min(b), a.max(b))
    });
    ChartOptions {
        x,
        x_metric,
        log_y: rng.chance(50),
        clip_outliers: rng.chance(50),
        y_lock,
        smoothing: if rng.chance(50) {
            (rng.below(1 << 53) as f64 / (1u64 << 53) as f64) * MAX_SMOOTHING_WEIGHT
        } else {
            0.0
        },
        spread: Spread::ALL[rng.below(3) as usize],
    }
}

fn random_state(rng: &mut Rng) -> RunsTableState {
    let kinds = [
        ColumnKind::Params,
        ColumnKind::Metrics,
        ColumnKind::Tags,
        ColumnKind::MetricsMin,
        ColumnKind::MetricsMax,
    ];
    let key = |rng: &mut Rng| {
        let mut name = text(rng, 12);
        if name.is_empty() {
            name.push('k');
        }
        ColumnKey::new(kinds[rng.below(kinds.len() as u64) as usize], name)
    };
    let id = |rng: &mut Rng| format!("{:032x}", rng.u64());
    let group_by = rng.chance(50).then(|| {
        ColumnKey::new(
            [ColumnKind::Params, ColumnKind::Tags][rng.below(2) as usize],
            format!("g{}", text(rng, 8)),
        )
    });
    let open_groups = match group_by {
        Some(_) => (0..rng.below(3))
            .map(|_| format!("v:{}", text(rng, 10)))
            .collect(),
        None => Vec::new(),
    };
    let columns: Vec<ColumnKey> = (0..rng.below(5)).map(|_| key(rng)).collect();
    let mut state = RunsTableState {
        columns_chosen: !columns.is_empty() || rng.chance(50),
        columns,
        chart_options: BTreeMap::new(),
        group_by,
        open_groups,
        charts: rng.chance(50),
        filter: text(rng, 40),
        order_by: (0..rng.below(3))
            .map(|_| OrderBy {
                key: key(rng),
                ascending: rng.chance(50),
            })
            .collect(),
        view: [ViewType::ActiveOnly, ViewType::DeletedOnly, ViewType::All][rng.below(3) as usize],
        expanded: (0..rng.below(3)).map(|_| id(rng)).collect(),
        pinned: (0..rng.below(3)).map(|_| id(rng)).collect(),
        hidden: (0..rng.below(3)).map(|_| id(rng)).collect(),
    };
    for _ in 0..rng.below(4) {
        let metric = format!("m{}", text(rng, 10));
        state.set_chart_options(&metric, random_chart_options(rng));
    }
    state
}

fn random_name(rng: &mut Rng) -> String {
    loop {
        let name = text(rng, 30);
        if !name.trim().is_empty() {
            return name.trim().to_owned();
        }
    }
}

#[test]
fn random_states_and_names_come_back_exactly_from_their_tags() {
    let mut rng = Rng::new(11);
    for round in 0..300 {
        let mut tags = BTreeMap::new();
        // tags that are not views, before and after the prefix, and a broken one
        tags.insert("mlflow.note.content".to_owned(), "notes".to_owned());
        tags.insert("zzz".to_owned(), "1".to_owned());
        tags.insert(format!("{TAG_PREFIX}broken"), "not json".to_owned());
        let mut made = Vec::new();
        for _ in 0..1 + rng.below(4) {
            let state = random_state(&mut rng);
            let name = random_name(&mut rng);
            let view = SavedView::new(new_id(rng.u64()), name.clone(), &state);
            tags.insert(view.tag_key(), view.tag_value());
            assert_eq!(view.state(), state, "round {round}: the state comes back");
            made.push((view, state));
        }
        let read = saved_views(&tags);
        assert_eq!(
            read.len(),
            made.len(),
            "round {round}: the broken tag is left out"
        );
        for (view, state) in &made {
            let back = read.iter().find(|v| v.id == view.id).expect("listed");
            assert_eq!(back, view);
            assert_eq!(&back.state(), state);
            // the view showing a state is found from that state
            assert_eq!(current(&read, state).map(|v| &v.query), Some(&view.query));
        }
        // listed by name, case-insensitively
        let names: Vec<String> = read.iter().map(|v| v.name.to_lowercase()).collect();
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(names, sorted);
    }
}

#[test]
fn the_default_state_is_a_view_with_an_empty_query_and_links_to_the_plain_page() {
    let view = SavedView::new(new_id(7), "all".into(), &RunsTableState::default());
    assert_eq!(view.query, "");
    assert_eq!(view.id, "0000000000000007");
    assert_eq!(view.path("12"), "/experiments/12");
    let state = RunsTableState {
        filter: "params.lr = '0.1'".into(),
        ..Default::default()
    };
    let view = SavedView::new(new_id(1), "lr".into(), &state);
    assert_eq!(
        view.path("12"),
        format!("/experiments/12?{}", query_of(&state))
    );
    assert_eq!(
        view.path("12"),
        "/experiments/12?filter=params.lr%20%3D%20%270.1%27"
    );
}

#[test]
fn names_are_trimmed_unique_case_insensitively_and_bounded() {
    let views = vec![SavedView {
        id: "a".into(),
        name: "Best LR".into(),
        query: String::new(),
    }];
    assert_eq!(check_name("  mine ", &views, None), Ok("mine".to_owned()));
    assert_eq!(
        check_name(" \t", &views, None),
        Err("Give the view a name.".to_owned())
    );
    let taken = check_name("best lr", &views, None).unwrap_err();
    assert_eq!(
        taken,
        "This experiment already has a view named 'Best LR': choose another name, or delete that view first."
    );
    // renaming a view to its own name (another case) is fine
    assert_eq!(
        check_name("best lr", &views, Some("a")),
        Ok("best lr".to_owned())
    );
    let long = "x".repeat(MAX_NAME_CHARS + 1);
    assert_eq!(
        check_name(&long, &views, None).unwrap_err(),
        format!(
            "A view name has at most {MAX_NAME_CHARS} characters; this one has {}.",
            MAX_NAME_CHARS + 1
        )
    );
    assert!(check_name(&"é".repeat(MAX_NAME_CHARS), &views, None).is_ok());
}

#[test]
fn two_writers_saving_views_at_once_both_keep_theirs_and_an_export_carries_them() {
    let mut rng = Rng::new(5);
    for seed in 0..40 {
        let mut store = MemStore::default();
        let mut a = store.open(seed, 1_000);
        let exp = a
            .create_experiment("views", None, BTreeMap::new(), 1_000)
            .unwrap();
        store.flush(&mut a);
        let mut b = store.open(seed + 1_000, 1_000);
        // both save views before hearing of the other; a renames one of its own, b
        // deletes one of its own
        let mut want = BTreeMap::new();
        let mut own: [Vec<SavedView>; 2] = [Vec::new(), Vec::new()];
        for (i, t) in [&mut a, &mut b].into_iter().enumerate() {
            for j in 0..2 + rng.below(3) {
                let view = SavedView::new(
                    new_id(rng.u64()),
                    format!("{}-{i}-{j}", random_name(&mut rng)),
                    &random_state(&mut rng),
                );
                t.set_experiment_tag(&exp, &view.tag_key(), &view.tag_value(), 2_000)
                    .unwrap();
                want.insert(view.id.clone(), view.clone());
                own[i].push(view);
            }
        }
        let renamed = SavedView {
            name: "renamed".into(),
            ..own[0][0].clone()
        };
        a.set_experiment_tag(&exp, &renamed.tag_key(), &renamed.tag_value(), 3_000)
            .unwrap();
        want.insert(renamed.id.clone(), renamed);
        let gone = own[1].last().unwrap();
        b.delete_experiment_tag(&exp, &gone.tag_key()).unwrap();
        want.remove(&gone.id);
        // flushed in a random order
        if rng.chance(50) {
            store.flush(&mut a);
            store.flush(&mut b);
        } else {
            store.flush(&mut b);
            store.flush(&mut a);
        }
        let (experiments, _) = store.all();
        let stored = experiments.iter().find(|e| e.experiment_id == exp).unwrap();
        let got = saved_views(&stored.tags);
        let want: Vec<SavedView> = {
            let mut v: Vec<_> = want.into_values().collect();
            v.sort_by(|x, y| {
                (x.name.to_lowercase(), &x.name, &x.id).cmp(&(
                    y.name.to_lowercase(),
                    &y.name,
                    &y.id,
                ))
            });
            v
        };
        assert_eq!(got, want, "seed {seed}");

        // through an mlruns export and import (MLflow's experiment tags)
        let snap = Snapshot {
            experiments: experiments.clone(),
            ..Default::default()
        };
        let back = import_archive(
            &export_zip(&snap, &Selection::All),
            &ArchiveLimits::default(),
        )
        .unwrap();
        let exp_back = back
            .experiments
            .iter()
            .find(|e| e.experiment_id == exp)
            .unwrap();
        assert_eq!(
            saved_views(&exp_back.tags),
            want,
            "seed {seed}: export → import"
        );
    }
}
