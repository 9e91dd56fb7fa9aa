//! MLflow search filters and order-by through the public API, as `searchRuns` and `searchExperiments` use it.

use std::collections::BTreeMap;

use ferroflow::core::search::{
    parse_experiment_filter, parse_experiment_order_by, parse_order_by, parse_run_filter,
    sort_experiments, sort_runs, FilterError, OrderKey, RunAttribute, RunField,
};
use ferroflow::core::tracking::model::{
    Experiment, LifecycleStage, MetricPoint, Run, RunInfo, RunStatus,
};

struct Spec<'a> {
    name: &'a str,
    id: &'a str,
    status: RunStatus,
    start: i64,
    end: Option<i64>,
    user: &'a str,
    metrics: &'a [(&'a str, f64)],
    params: &'a [(&'a str, &'a str)],
    tags: &'a [(&'a str, &'a str)],
}

fn run(s: Spec<'_>) -> Run {
    let map = |kv: &[(&str, &str)]| -> BTreeMap<String, String> {
        kv.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    Run {
        info: RunInfo {
            run_id: s.id.into(),
            run_name: s.name.into(),
            experiment_id: "0".into(),
            status: s.status,
            start_time: s.start,
            end_time: s.end,
            lifecycle_stage: if s.name == "delta" {
                LifecycleStage::Deleted
            } else {
                LifecycleStage::Active
            },
            artifact_uri: format!("mlflow-artifacts:/0/{}/artifacts", s.id),
            user_id: s.user.into(),
            deleted_time: None,
        },
        params: map(s.params),
        tags: map(s.tags),
        metrics: s
            .metrics
            .iter()
            .map(|&(k, value)| {
                let point = MetricPoint {
                    timestamp: s.start,
                    value,
                    step: 0,
                };
                (k.to_string(), point)
            })
            .collect(),
        metric_ranges: Default::default(),
    }
}

fn runs() -> Vec<Run> {
    vec![
        run(Spec {
            name: "alpha",
            id: "a1",
            status: RunStatus::Finished,
            start: 1000,
            end: Some(2000),
            user: "ana",
            metrics: &[("acc", 0.9), ("loss", 0.1)],
            params: &[("lr", "0.01"), ("model", "cnn")],
            tags: &[("mlflow.runName", "alpha"), ("team", "vision")],
        }),
        run(Spec {
            name: "beta",
            id: "b2",
            status: RunStatus::Running,
            start: 3000,
            end: None,
            user: "bob",
            metrics: &[("acc", 0.75), ("loss", f64::NAN)],
            params: &[("lr", "0.1"), ("model", "rnn")],
            tags: &[("team", "nlp")],
        }),
        run(Spec {
            name: "gamma",
            id: "c3",
            status: RunStatus::Failed,
            start: 2000,
            end: Some(2500),
            user: "ana",
            metrics: &[("acc", 0.95), ("train/loss", 1e-3)],
            params: &[("model", "CNN-large")],
            tags: &[],
        }),
        run(Spec {
            name: "delta",
            id: "d4",
            status: RunStatus::Finished,
            start: 2000,
            end: Some(4000),
            user: "cy",
            metrics: &[],
            params: &[("lr", "0.01"), ("a b", "1")],
            tags: &[("team", "vision")],
        }),
        run(Spec {
            name: "epsilon",
            id: "e5",
            status: RunStatus::Killed,
            start: 500,
            end: Some(600),
            user: "dan",
            metrics: &[("acc", -2.5e1)],
            params: &[],
            tags: &[],
        }),
    ]
}

fn names<'a>(runs: impl IntoIterator<Item = &'a Run>) -> Vec<&'a str> {
    runs.into_iter().map(|r| r.info.run_name.as_str()).collect()
}

#[test]
fn filters_select_the_runs_mlflow_would() {
    let all = runs();
    let table: &[(&str, &[&str])] = &[
        ("", &["alpha", "beta", "gamma", "delta", "epsilon"]),
        ("   ", &["alpha", "beta", "gamma", "delta", "epsilon"]),
        ("metrics.acc > 0.8", &["alpha", "gamma"]),
        ("metrics.acc >= 0.9", &["alpha", "gamma"]),
        ("metric.acc < 0", &["epsilon"]),
        ("metrics.acc = 0.75", &["beta"]),
        (
            "metrics.acc > -2.6E1 AND metrics.acc <= .75",
            &["beta", "epsilon"],
        ),
        // A run lacking the metric never matches, not even `!=`.
        ("metrics.acc != 0.9", &["beta", "gamma", "epsilon"]),
        // NaN: every comparison false except `!=`.
        ("metrics.loss != 0.1", &["beta"]),
        ("metrics.loss < 1", &["alpha"]),
        ("metrics.`train/loss` < 1e-2", &["gamma"]),
        ("metrics.train/loss <= 0.001", &["gamma"]),
        ("metrics.acc IS NULL", &["delta"]),
        ("params.lr = '0.01'", &["alpha", "delta"]),
        ("params.lr != \"0.01\"", &["beta"]),
        ("param.model LIKE 'cnn%'", &["alpha"]),
        ("params.model ILIKE 'CNN%'", &["alpha", "gamma"]),
        ("parameters.model like '_nn'", &["alpha", "beta"]),
        ("params.model IN ('rnn', \"cnn\")", &["alpha", "beta"]),
        ("params.model NOT IN ('rnn')", &["alpha", "gamma"]),
        ("params.\"a b\" = '1'", &["delta"]),
        ("params.lr IS NOT NULL", &["alpha", "beta", "delta"]),
        ("tags.team = 'vision'", &["alpha", "delta"]),
        ("tags.`mlflow.runName` = 'alpha'", &["alpha"]),
        ("tags.mlflow.runName = 'alpha'", &["alpha"]),
        ("tag.team IS NULL", &["gamma", "epsilon"]),
        ("attributes.status = 'FINISHED'", &["alpha", "delta"]),
        ("status != 'FINISHED'", &["beta", "gamma", "epsilon"]),
        ("attributes.status = 'finished'", &[]),
        ("attributes.status ILIKE 'finished'", &["alpha", "delta"]),
        ("run_name = 'beta'", &["beta"]),
        (
            "attributes.run_name LIKE '%a'",
            &["alpha", "beta", "gamma", "delta"],
        ),
        ("`Run Name` = 'gamma'", &["gamma"]),
        ("attributes.start_time >= 2000", &["beta", "gamma", "delta"]),
        ("created < 1000", &["epsilon"]),
        ("end_time > 0", &["alpha", "gamma", "delta", "epsilon"]),
        (
            "attributes.end_time != 2000",
            &["gamma", "delta", "epsilon"],
        ),
        ("run_id IN ('a1', 'c3')", &["alpha", "gamma"]),
        ("attr.lifecycle_stage = 'deleted'", &["delta"]),
        ("run.user_id = 'ana' AND metrics.acc > 0.92", &["gamma"]),
        (
            "metrics.acc > 0.5 and params.model ilike '%N%' AND tags.team = 'vision'",
            &["alpha"],
        ),
        (
            "attributes.artifact_uri LIKE 'mlflow-artifacts:/0/%'",
            &["alpha", "beta", "gamma", "delta", "epsilon"],
        ),
    ];
    for (filter, expected) in table {
        let f = parse_run_filter(filter).unwrap_or_else(|e| panic!("{filter}: {e}"));
        let got = names(all.iter().filter(|r| f.matches(r)));
        assert_eq!(&got, expected, "{filter}");
        assert_eq!(f.is_empty(), filter.trim().is_empty(), "{filter}");
    }
}

fn error(filter: &str) -> FilterError {
    match parse_run_filter(filter) {
        Ok(_) => panic!("{filter} should not parse"),
        Err(e) => e,
    }
}

#[test]
fn errors_carry_positions_and_fixes() {
    let e = error("metrics.loss >");
    assert_eq!(
        e.to_string(),
        "Invalid filter at position 14: expected a value after '>', got end of input"
    );
    let cases: &[(&str, usize, &str)] = &[
        ("params.x = 1 OR", 13, "do not support OR"),
        ("params.x = '1' OR params.y = '2'", 15, "do not support OR"),
        ("params.x = 'abc", 11, "unterminated string"),
        ("metrics.`a b > 1", 8, "unterminated quoted key"),
        ("foo.bar = 1", 0, "unknown prefix 'foo'"),
        ("nope = 'x'", 0, "unknown attribute 'nope'"),
        ("attributes.nope = 'x'", 11, "unknown attribute 'nope'"),
        ("params.lr = 0.1", 12, "params.lr = '0.1'"),
        ("tags.t = vision", 9, "tags.t = 'vision'"),
        ("metrics.acc > 'x'", 14, "expected a number"),
        ("metrics.acc > '0.5'", 14, "remove the quotes"),
        ("metrics.acc LIKE '%'", 12, "does not apply to metric 'acc'"),
        ("params.lr > '0.1'", 10, "does not apply to param 'lr'"),
        ("start_time = 'yesterday'", 13, "expected a number"),
        ("status IS NULL", 7, "IS NULL"),
        ("metrics.acc > 1 AND", 19, "expected a condition after AND"),
        ("metrics.acc > 1 metrics.loss < 1", 16, "expected AND"),
        ("(metrics.acc > 1)", 0, "parentheses"),
        ("metrics.acc", 11, "expected an operator"),
        ("metrics.acc == 1", 12, "'=='"),
        ("run_id IN ()", 11, "empty"),
        ("run_id IN ('a', 1)", 16, "quoted strings"),
        ("datasets.name = 'x'", 0, "dataset"),
        // Positions count chars, not bytes.
        ("tags.ünï = 'é' OR x", 15, "OR"),
    ];
    for &(filter, position, needle) in cases {
        let e = error(filter);
        assert_eq!(e.position, position, "{filter}: {e}");
        assert!(e.message.contains(needle), "{filter}: {e}");
        assert_eq!(e.order_by_clause, None);
    }
}

fn sorted<'a>(all: &'a [Run], order: &[&str]) -> Vec<&'a str> {
    let keys = parse_order_by(order).unwrap_or_else(|e| panic!("{order:?}: {e}"));
    let mut refs: Vec<&Run> = all.iter().collect();
    sort_runs(&mut refs, &keys);
    names(refs)
}

#[test]
fn ordering_with_ties_and_missing_values() {
    let all = runs();
    // Default: start_time DESC, then run_id ASC (gamma and delta both start at 2000).
    assert_eq!(
        sorted(&all, &[]),
        ["beta", "gamma", "delta", "alpha", "epsilon"]
    );
    assert_eq!(
        sorted(&all, &["metrics.acc DESC"]),
        ["gamma", "alpha", "beta", "epsilon", "delta"]
    );
    assert_eq!(
        sorted(&all, &["metrics.acc"]),
        ["epsilon", "beta", "alpha", "gamma", "delta"]
    );
    // NaN after numbers, missing after NaN, in both directions.
    for dir in ["ASC", "DESC"] {
        assert_eq!(
            sorted(&all, &[&format!("metrics.loss {dir}")]),
            ["alpha", "beta", "gamma", "delta", "epsilon"],
            "{dir}"
        );
    }
    // Ties on the first key fall to the second, then to the default order.
    assert_eq!(
        sorted(&all, &["params.lr DESC", "metrics.acc"]),
        ["beta", "alpha", "delta", "epsilon", "gamma"]
    );
    assert_eq!(
        sorted(&all, &["tags.team"]),
        ["beta", "delta", "alpha", "gamma", "epsilon"]
    );
    assert_eq!(
        sorted(&all, &["run_name"]),
        ["alpha", "beta", "delta", "epsilon", "gamma"]
    );
    assert_eq!(
        sorted(&all, &["attributes.end_time DESC"]),
        ["delta", "gamma", "alpha", "epsilon", "beta"]
    );
    assert_eq!(
        sorted(&all, &["created ASC"]),
        ["epsilon", "alpha", "gamma", "delta", "beta"]
    );
    assert_eq!(
        parse_order_by(&["tags.`x y` desc"]).unwrap(),
        vec![OrderKey {
            field: RunField::Tag("x y".into()),
            ascending: false
        }]
    );
    assert_eq!(
        parse_order_by(&["attributes.start_time ASC"]).unwrap()[0].field,
        RunField::Attribute(RunAttribute::StartTime)
    );
    let e = parse_order_by(&["metrics.acc", "metrics.acc DOWN"]).unwrap_err();
    assert_eq!((e.order_by_clause, e.position), (Some(1), 12));
    assert!(e.to_string().contains("expected ASC or DESC"), "{e}");
}

#[test]
fn ten_thousand_runs_sort_by_metric() {
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = || {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        seed >> 33
    };
    let all: Vec<Run> = (0..10_000)
        .map(|i| {
            let id = format!("{i:032x}");
            let value = match i {
                i if i % 7 == 0 => None,
                i if i % 11 == 0 => Some(f64::NAN),
                _ => Some((next() % 1000) as f64 / 10.0),
            };
            let metrics: Vec<(&str, f64)> = value.map(|v| ("m", v)).into_iter().collect();
            run(Spec {
                name: "r",
                id: &id,
                status: RunStatus::Finished,
                start: (next() % 50) as i64,
                end: None,
                user: "u",
                metrics: &metrics,
                params: &[],
                tags: &[],
            })
        })
        .collect();
    let keys = parse_order_by(&["metrics.m DESC"]).unwrap();
    let mut refs: Vec<&Run> = all.iter().collect();
    // A benchmark prints, it does not assert: best of a few, to skip cold caches.
    let mut best = std::time::Duration::MAX;
    for _ in 0..5 {
        refs = all.iter().collect();
        let t = std::time::Instant::now();
        sort_runs(&mut refs, &keys);
        best = best.min(t.elapsed());
    }
    eprintln!("sorted 10,000 runs by a metric in {best:?} (best of 5)");

    assert_eq!(refs.len(), all.len());
    let mut ids: Vec<&str> = refs.iter().map(|r| r.info.run_id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), all.len(), "a permutation");

    // (rank, value, -start, run_id) must be non-decreasing: values DESC, NaN, missing.
    let key = |r: &Run| match r.metrics.get("m").map(|m| m.value) {
        Some(v) if !v.is_nan() => (0, -v, -r.info.start_time, r.info.run_id.clone()),
        Some(_) => (1, 0.0, -r.info.start_time, r.info.run_id.clone()),
        None => (2, 0.0, -r.info.start_time, r.info.run_id.clone()),
    };
    for pair in refs.windows(2) {
        let (a, b) = (key(pair[0]), key(pair[1]));
        assert!(
            a.partial_cmp(&b).is_some_and(|o| o.is_le()),
            "{a:?} then {b:?}"
        );
    }
}

fn experiments() -> Vec<Experiment> {
    let exp = |id: &str,
               name: &str,
               created: Option<i64>,
               updated: Option<i64>,
               tags: &[(&str, &str)]| {
        Experiment {
            experiment_id: id.into(),
            name: name.into(),
            artifact_location: format!("mlflow-artifacts:/{id}"),
            lifecycle_stage: LifecycleStage::Active,
            creation_time: created,
            last_update_time: updated,
            tags: tags
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    };
    vec![
        exp("0", "Default", Some(100), Some(100), &[]),
        exp("1", "bert-base", Some(300), Some(900), &[("team", "nlp")]),
        exp("2", "ResNet", Some(200), Some(250), &[("team", "vision")]),
        exp("10", "bert-large", Some(300), None, &[]),
        exp("3", "Misc", None, Some(50), &[]),
    ]
}

fn exp_names<'a>(exps: impl IntoIterator<Item = &'a Experiment>) -> Vec<&'a str> {
    exps.into_iter().map(|e| e.name.as_str()).collect()
}

#[test]
fn experiment_filters() {
    let all = experiments();
    let table: &[(&str, &[&str])] = &[
        (
            "",
            &["Default", "bert-base", "ResNet", "bert-large", "Misc"],
        ),
        ("name = 'ResNet'", &["ResNet"]),
        ("name LIKE 'bert%'", &["bert-base", "bert-large"]),
        ("name ILIKE '%RES%'", &["ResNet"]),
        ("tags.team = 'nlp'", &["bert-base"]),
        ("tags.team != 'nlp'", &["ResNet"]),
        ("tags.team IS NULL", &["Default", "bert-large", "Misc"]),
        (
            "attributes.creation_time > 150",
            &["bert-base", "ResNet", "bert-large"],
        ),
        ("attribute.last_update_time < 200", &["Default", "Misc"]),
        ("experiment_id IN ('0', '10')", &["Default", "bert-large"]),
        (
            "name != 'Default' AND creation_time <= 300",
            &["bert-base", "ResNet", "bert-large"],
        ),
    ];
    for (filter, expected) in table {
        let f = parse_experiment_filter(filter).unwrap_or_else(|e| panic!("{filter}: {e}"));
        let got = exp_names(all.iter().filter(|e| f.matches(e)));
        assert_eq!(&got, expected, "{filter}");
    }
    for (filter, position) in [
        ("metrics.x > 1", 0),
        ("name = 1", 7),
        ("creation_time = 'x'", 16),
        ("name = 'a' OR name = 'b'", 11),
        ("owner = 'me'", 0),
    ] {
        let e = parse_experiment_filter(filter).unwrap_err();
        assert_eq!(e.position, position, "{filter}: {e}");
    }
}

#[test]
fn experiment_ordering() {
    let all = experiments();
    let order = |clauses: &[&str]| {
        let keys = parse_experiment_order_by(clauses).unwrap();
        let mut refs: Vec<&Experiment> = all.iter().collect();
        sort_experiments(&mut refs, &keys);
        exp_names(refs)
    };
    // Default: creation_time DESC, experiment_id ASC (numeric: 1 before 10); missing last.
    assert_eq!(
        order(&[]),
        ["bert-base", "bert-large", "ResNet", "Default", "Misc"]
    );
    assert_eq!(
        order(&["name"]),
        ["Default", "Misc", "ResNet", "bert-base", "bert-large"]
    );
    // With keys given, ties break on experiment_id DESC, as MLflow does.
    assert_eq!(
        order(&["creation_time ASC"]),
        ["Default", "ResNet", "bert-large", "bert-base", "Misc"]
    );
    assert_eq!(
        order(&["last_update_time DESC"]),
        ["bert-base", "ResNet", "Default", "Misc", "bert-large"]
    );
    assert_eq!(
        order(&["experiment_id DESC"]),
        ["bert-large", "Misc", "ResNet", "bert-base", "Default"]
    );
    let e = parse_experiment_order_by(&["name", "tags.team"]).unwrap_err();
    assert_eq!(e.order_by_clause, Some(1));
}
