//! The compare page's address: MLflow's `?runs=[…]&experiments=[…]` and Ferroflow's `?runs=a,b` both open a comparison.

use std::collections::BTreeMap;

use ferroflow::core::compare::compare_runs;
use ferroflow::core::compare_url::{parse, to_query, with_group_by, CompareQuery};
use ferroflow::core::tracking::model::MetricPoint;
use ferroflow::core::tracking::{NewRun, Tracker};

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

#[test]
fn mlflow_form_as_mlflow_writes_it_and_as_a_browser_encodes_it() {
    // `Routes.getCompareRunPageRoute` leaves the JSON as it is; a browser sends the
    // quotes as %22 and may encode the rest too.
    let raw = parse(r#"?runs=["a1b2","c3d4"]&experiments=["1","2"]"#);
    assert_eq!(raw.run_ids, strings(&["a1b2", "c3d4"]));
    assert_eq!(raw.experiment_ids, strings(&["1", "2"]));
    assert!(raw.errors.is_empty());
    let quoted = parse("?runs=[%22a1b2%22,%22c3d4%22]&experiments=[%221%22,%222%22]");
    assert_eq!(quoted, raw);
    let encoded = parse("runs=%5B%22a1b2%22%2C%20%22c3d4%22%5D&experiments=%5B%221%22%5D");
    assert_eq!(encoded.run_ids, strings(&["a1b2", "c3d4"]));
    assert_eq!(encoded.experiment_ids, strings(&["1"]));
}

#[test]
fn ferroflow_comma_form_keeps_working() {
    let q = parse("?runs=a1b2,c3d4");
    assert_eq!(q.run_ids, strings(&["a1b2", "c3d4"]));
    assert!(q.experiment_ids.is_empty());
    assert!(q.errors.is_empty());
    // repeated params are joined; spaces and empty items dropped
    let q = parse("?runs=a1b2,%20,c3d4&runs=e5f6,");
    assert_eq!(q.run_ids, strings(&["a1b2", "c3d4", "e5f6"]));
}

#[test]
fn mlflow_1_singular_experiment_param_and_numeric_experiment_ids() {
    let q = parse(r#"?runs=["r1"]&experiment=3"#);
    assert_eq!(q.experiment_ids, strings(&["3"]));
    let q = parse("?runs=r1&experiments=[1,2]");
    assert_eq!(q.experiment_ids, strings(&["1", "2"]));
}

#[test]
fn malformed_json_is_an_error_that_quotes_the_value() {
    for bad in [
        r#"?runs=["a1b2","c3d4""#, // unclosed
        "?runs=[a1b2,c3d4]",       // ids not in quotes
        r#"?runs=["a1b2",7]"#,     // a number is not a run id
        r#"?runs=[["a1b2"]]"#,     // nested list
        r#"?runs=["a1b2",null]"#,
    ] {
        let q = parse(bad);
        assert_eq!(q.errors.len(), 1, "{bad}: {q:?}");
        assert!(
            q.errors[0].starts_with("The address's runs= value '["),
            "{}",
            q.errors[0]
        );
        assert!(
            q.errors[0].contains("JSON list of run ids"),
            "{}",
            q.errors[0]
        );
        assert!(
            q.run_ids.is_empty(),
            "{bad}: a bad value contributes no ids"
        );
    }
    assert!(parse("?runs=[a1b2]").errors[0].contains("not valid JSON"));
    assert!(parse(r#"?runs=["a",7]"#).errors[0].contains("item 2 is 7"));
    // a bad value does not hide a good one
    let q = parse(r#"?runs=["x"&runs=a1b2"#);
    assert_eq!(q.run_ids, strings(&["a1b2"]));
    assert_eq!(q.errors.len(), 1);
    // a long bad value is cut in the message
    let long = format!("?runs=[{}", "9".repeat(500));
    assert!(parse(&long).errors[0].len() < 400);
    // a bad experiments value is informational only: ignored
    let q = parse("?runs=a1b2&experiments=[1,");
    assert_eq!(q.run_ids, strings(&["a1b2"]));
    assert!(q.errors.is_empty() && q.experiment_ids.is_empty());
}

#[test]
fn empty_forms_ask_for_nothing_without_an_error() {
    for empty in [
        "",
        "?",
        "?runs=",
        "?runs=[]",
        "?runs=%5B%5D",
        r#"?runs=[""]"#,
        "?runs=,,",
        "?other=1",
    ] {
        assert_eq!(parse(empty), CompareQuery::default(), "{empty}");
    }
}

#[test]
fn duplicates_are_dropped_keeping_the_first_place() {
    let q = parse(r#"?runs=["b","a","b"]&runs=a,c&experiments=["2","1","2"]&experiment=1"#);
    assert_eq!(q.run_ids, strings(&["b", "a", "c"]));
    assert_eq!(q.experiment_ids, strings(&["2", "1"]));
}

#[test]
fn ids_with_odd_characters_round_trip_through_what_the_ui_writes() {
    let runs = strings(&[
        "a1b2c3d4e5f6",
        "with,comma",
        "quote\"and\\backslash",
        "amp&hash#plus+pct%20",
        "space and ünïcode ✓",
        "]bracket[",
    ]);
    let exps = strings(&["0", "12", "exp,odd"]);
    let query = to_query(&runs, &exps);
    assert!(query.starts_with("?runs=%5B%22a1b2c3d4e5f6%22"), "{query}");
    assert!(
        query.contains("&experiments=%5B%220%22%2C%2212%22"),
        "{query}"
    );
    // nothing a browser or the router would reinterpret is left raw
    assert!(
        !query[1..].contains(['?', '#', '+', ' ', '"', ',']),
        "{query}"
    );
    let back = parse(&query);
    assert_eq!(back.run_ids, runs);
    assert_eq!(back.experiment_ids, exps);
    assert!(back.errors.is_empty());
    // an empty comparison writes empty lists, which read back as nothing
    assert_eq!(parse(&to_query(&[], &[])), CompareQuery::default());
}

#[test]
fn runs_of_two_experiments_compare_with_their_experiments_and_unknown_ids_are_listed() {
    let mut t = Tracker::load(vec![], vec![], 7, 0);
    let vision = t
        .create_experiment("vision", None, BTreeMap::new(), 0)
        .unwrap();
    let nlp = t
        .create_experiment("nlp", None, BTreeMap::new(), 0)
        .unwrap();
    let mut run_in = |exp: &str, name: &str, acc: f64| {
        let new = NewRun {
            experiment_id: Some(exp.to_owned()),
            run_name: Some(name.to_owned()),
            ..Default::default()
        };
        let id = t.create_run(new, 0).unwrap();
        t.log_params(&id, &[("lr".into(), name.into())]).unwrap();
        let point = MetricPoint {
            timestamp: 0,
            value: acc,
            step: 0,
        };
        t.log_metric(&id, "acc", point).unwrap();
        id
    };
    let a = run_in(&vision, "a", 0.5);
    let b = run_in(&nlp, "b", 0.75);
    let url = format!("?runs=[\"{a}\",\"nope\",\"{b}\"]&experiments=[\"{vision}\",\"{nlp}\"]");
    let q = parse(&url);
    let d = compare_runs(&t, &q.run_ids);
    assert_eq!(d.missing, strings(&["nope"]));
    let shown: Vec<(&str, &str, f64)> = d
        .runs
        .iter()
        .map(|r| {
            (
                r.name.as_str(),
                r.experiment_name.as_str(),
                r.metrics["acc"],
            )
        })
        .collect();
    assert_eq!(shown, [("a", "vision", 0.5), ("b", "nlp", 0.75)]);
    assert_eq!(
        d.experiments(),
        [(vision, "vision".to_owned()), (nlp, "nlp".to_owned())]
    );
}

#[test]
fn mlflow_hash_links_name_the_sites_path() {
    use ferroflow::core::text::url_query::mlflow_hash_route;
    // as a browser keeps MLflow's link in location.hash: quotes percent-encoded
    let hash = "#/compare-runs?runs=[%22a1b2%22,%22c3d4%22]&experiments=[%221%22]";
    let route = mlflow_hash_route(hash).unwrap();
    assert_eq!(
        route,
        "/compare-runs?runs=[%22a1b2%22,%22c3d4%22]&experiments=[%221%22]"
    );
    let q = parse(route.split_once('?').unwrap().1);
    assert_eq!(q.run_ids, strings(&["a1b2", "c3d4"]));
    assert_eq!(q.experiment_ids, strings(&["1"]));
    assert_eq!(
        mlflow_hash_route("#/experiments/3/runs/abc").as_deref(),
        Some("/experiments/3/runs/abc")
    );
    assert_eq!(mlflow_hash_route("#/").as_deref(), Some("/"));
    // not a route: no fragment, an anchor
    assert_eq!(mlflow_hash_route(""), None);
    assert_eq!(mlflow_hash_route("#"), None);
    assert_eq!(mlflow_hash_route("#section"), None);
}

#[test]
fn group_by_rides_along_either_form_of_the_address() {
    let mlflow = to_query(&strings(&["a", "b"]), &strings(&["1"]));
    let grouped = with_group_by(&mlflow, Some("params.lr"));
    let q = parse(&grouped);
    assert_eq!(q.run_ids, strings(&["a", "b"]));
    assert_eq!(q.experiment_ids, strings(&["1"]));
    assert_eq!(q.group_by.as_deref(), Some("params.lr"));
    // Set again, then cleared: one groupBy, then none, the runs as they were.
    let again = with_group_by(&grouped, Some("tags.team"));
    assert_eq!(parse(&again).group_by.as_deref(), Some("tags.team"));
    assert_eq!(again.matches("groupBy").count(), 1);
    let cleared = parse(&with_group_by(&again, None));
    assert_eq!(
        (cleared.group_by, cleared.run_ids),
        (None, strings(&["a", "b"]))
    );
    let short = parse(&with_group_by("?runs=a,b", Some("params.seed")));
    assert_eq!(short.run_ids, strings(&["a", "b"]));
    assert_eq!(short.group_by.as_deref(), Some("params.seed"));
    assert_eq!(parse("?runs=a&groupBy=").group_by, None);
}
