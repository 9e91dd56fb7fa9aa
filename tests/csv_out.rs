//! CSV downloads (`core::text::csv_out`): RFC 4180 quoting read back by the preview's
//! own parser, cells never altered (formula-looking ones included), and every f64 —
//! random bit patterns, NaN, ±inf, -0 — written so that reading the cell gives the
//! same bits back.

mod support;

use ferroflow::core::text::csv_out::{
    csv_file_name, history_csv, long_history_csv, number, push_field, push_record, table_csv,
    RunHistory,
};
use ferroflow::core::text::delimited::parse_delimited;
use ferroflow::core::tracking::model::MetricPoint;
use support::{same_f64, Rng};

/// A cell as Python's `float()` (and `pandas.read_csv`) reads it.
fn read_number(cell: &str) -> f64 {
    match cell {
        "nan" => f64::NAN,
        "inf" => f64::INFINITY,
        "-inf" => f64::NEG_INFINITY,
        s => s
            .parse()
            .unwrap_or_else(|e| panic!("{s:?} is not a number: {e}")),
    }
}

fn parse(text: &str) -> Vec<Vec<String>> {
    let (rows, more) = parse_delimited(text, ',', usize::MAX - 1);
    assert!(!more);
    rows
}

#[test]
fn fields_with_commas_quotes_and_newlines_are_quoted_and_read_back() {
    let awkward = [
        "plain",
        "a,b",
        "say \"hi\"",
        "\"",
        "line\nbreak",
        "cr\rlf\r\n",
        "",
        " spaced ",
        "ünïcødé, 🚀",
        ",\",\n",
    ];
    let mut out = String::new();
    push_record(&mut out, awkward);
    assert_eq!(
        out,
        "plain,\"a,b\",\"say \"\"hi\"\"\",\"\"\"\",\"line\nbreak\",\"cr\rlf\r\n\",, spaced ,\"ünïcødé, 🚀\",\",\"\",\n\"\r\n"
    );
    // The preview's parser drops bare CRs outside quotes only, so quoted ones survive.
    assert_eq!(parse(&out), vec![awkward.map(String::from).to_vec()]);
}

#[test]
fn formula_looking_cells_are_written_unaltered() {
    for cell in ["=SUM(A1:A2)", "+1", "-0.5", "@user", "=1,2"] {
        let mut out = String::new();
        push_field(&mut out, cell);
        let unquoted = out.trim_matches('"');
        assert_eq!(unquoted, cell, "{cell} was altered");
        assert!(!out.starts_with('\''), "{cell} got a prefix");
    }
}

#[test]
fn special_floats_are_spelled_as_python_reads_them() {
    assert_eq!(number(f64::NAN), "nan");
    assert_eq!(number(f64::INFINITY), "inf");
    assert_eq!(number(f64::NEG_INFINITY), "-inf");
    assert_eq!(number(-0.0), "-0.0");
    assert_eq!(number(0.1 + 0.2), "0.30000000000000004");
    assert_eq!(number(1e-300), "1e-300");
    assert_eq!(number(1e16), "1e+16");
    assert_eq!(number(42.0), "42.0");
}

#[test]
fn random_f64_bit_patterns_read_back_bit_for_bit() {
    let mut rng = Rng::new(0x0c57);
    let points: Vec<MetricPoint> = (0..200_000)
        .map(|i| MetricPoint {
            timestamp: rng.u64() as i64,
            value: rng.f64(),
            step: if rng.chance(20) { rng.u64() as i64 } else { i },
        })
        .collect();
    let text = history_csv(&points);
    let rows = parse(&text);
    assert_eq!(rows[0], ["step", "timestamp", "value"]);
    assert_eq!(rows.len(), points.len() + 1);
    for (p, row) in points.iter().zip(&rows[1..]) {
        assert_eq!(row.len(), 3);
        assert_eq!(row[0].parse::<i64>().unwrap(), p.step);
        assert_eq!(row[1].parse::<i64>().unwrap(), p.timestamp);
        let back = read_number(&row[2]);
        assert!(
            same_f64(back, p.value),
            "{:?} ({:#x}) came back as {back:?}",
            p.value,
            p.value.to_bits()
        );
    }
}

#[test]
fn long_form_names_each_run_and_key_on_every_point() {
    let a = [
        MetricPoint {
            timestamp: 1,
            value: -0.0,
            step: 0,
        },
        MetricPoint {
            timestamp: 2,
            value: f64::NAN,
            step: 1,
        },
    ];
    let b = [MetricPoint {
        timestamp: 3,
        value: 1e-300,
        step: -5,
    }];
    let text = long_history_csv(
        "loss, \"val\"",
        &[
            RunHistory {
                run_id: "r1",
                run_name: "first, \"quoted\"",
                points: &a,
            },
            RunHistory {
                run_id: "r2",
                run_name: "second",
                points: &b,
            },
            RunHistory {
                run_id: "r3",
                run_name: "empty",
                points: &[],
            },
        ],
    );
    assert_eq!(
        parse(&text),
        [
            vec!["run_id", "run_name", "key", "step", "timestamp", "value"],
            vec!["r1", "first, \"quoted\"", "loss, \"val\"", "0", "1", "-0.0"],
            vec!["r1", "first, \"quoted\"", "loss, \"val\"", "1", "2", "nan"],
            vec!["r2", "second", "loss, \"val\"", "-5", "3", "1e-300"],
        ]
        .map(|r| r.into_iter().map(String::from).collect::<Vec<_>>())
    );
    assert!(text.ends_with("\r\n"));
}

#[test]
fn a_table_is_its_header_then_its_rows() {
    let text = table_csv(
        &["Run name", "metrics.a,b"],
        &[
            vec!["x".into(), number(0.5)],
            vec!["=y".into(), String::new()],
        ],
    );
    assert_eq!(text, "Run name,\"metrics.a,b\"\r\nx,0.5\r\n=y,\r\n");
}

#[test]
fn download_names_lose_characters_file_systems_refuse() {
    assert_eq!(csv_file_name("my exp, v2-runs"), "my exp, v2-runs.csv");
    assert_eq!(
        csv_file_name("a/b\\c:d*e?f\"g<h>i|j\nk"),
        "a-b-c-d-e-f-g-h-i-j-k.csv"
    );
    assert_eq!(csv_file_name("  "), "data.csv");
}
