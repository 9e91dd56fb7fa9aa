//! Tables and metric histories written as CSV files to download (the "CSV" buttons of
//! the runs table and the metric charts). The reading side, for artifact previews, is
//! [`super::delimited`].
//!
//! The format is RFC 4180: fields separated by `,`, records ended by CRLF, and a field
//! holding `,`, `"`, CR or LF wrapped in double quotes with each `"` doubled. Nothing
//! else is changed: a field starting with `=`, `+`, `-` or `@` is written as it is,
//! not prefixed with `'` against spreadsheet formula injection, because the file is
//! data for pandas and scripts first, and altering cells would break "what was logged
//! is what you get" (`-0.5` must stay a number). Opening it in a spreadsheet is the
//! user's own data on the user's own machine.
//!
//! Numbers are written exactly: floats as Python's `repr` writes them (the shortest
//! digits that round-trip, see [`python_float_repr`]), so parsing a cell gives the
//! same f64 bits back; NaN and ±Infinity are `nan`, `inf` and `-inf`, which
//! `pandas.read_csv` and Python's `float()` read back as those values, and `-0.0`
//! keeps its sign. Steps and timestamps are integers.

use crate::core::interchange::mlruns::pyfloat::python_float_repr;
use crate::core::tracking::model::MetricPoint;

/// The record separator RFC 4180 prescribes.
const EOL: &str = "\r\n";

/// Appends `field` to `out`, quoted if it holds `,`, `"`, CR or LF (see the module
/// doc: nothing else is escaped or altered).
pub fn push_field(out: &mut String, field: &str) {
    if field.contains([',', '"', '\r', '\n']) {
        out.push('"');
        for c in field.chars() {
            if c == '"' {
                out.push('"');
            }
            out.push(c);
        }
        out.push('"');
    } else {
        out.push_str(field);
    }
}

/// Appends one record: the fields separated by `,`, then CRLF.
pub fn push_record<S: AsRef<str>>(out: &mut String, fields: impl IntoIterator<Item = S>) {
    for (i, field) in fields.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_field(out, field.as_ref());
    }
    out.push_str(EOL);
}

/// A float as a CSV cell: Python's `repr` (shortest round-trip digits; `nan`, `inf`,
/// `-inf`, `-0.0`).
pub fn number(v: f64) -> String {
    python_float_repr(v)
}

/// A whole table: the header record, then one record per row.
pub fn table_csv<S: AsRef<str>>(header: &[S], rows: &[Vec<String>]) -> String {
    let mut out = String::new();
    push_record(&mut out, header);
    for row in rows {
        push_record(&mut out, row);
    }
    out
}

/// One run's history of one metric: `step,timestamp,value`, one record per point in
/// the order given.
pub fn history_csv(points: &[MetricPoint]) -> String {
    let mut out = String::with_capacity(16 + points.len() * 40);
    push_record(&mut out, ["step", "timestamp", "value"]);
    for p in points {
        push_point(&mut out, &[], p);
    }
    out
}

/// One run's history of a metric, for [`long_history_csv`].
#[derive(Clone, Copy, Debug)]
pub struct RunHistory<'a> {
    /// The run's id.
    pub run_id: &'a str,
    /// The run's name.
    pub run_name: &'a str,
    /// The points, in the order they are to be written.
    pub points: &'a [MetricPoint],
}

/// Several runs' histories of the metric `key` in long form:
/// `run_id,run_name,key,step,timestamp,value`, runs in the order given.
pub fn long_history_csv(key: &str, runs: &[RunHistory<'_>]) -> String {
    let total: usize = runs.iter().map(|r| r.points.len()).sum();
    let mut out = String::with_capacity(64 + total * 80);
    push_record(
        &mut out,
        ["run_id", "run_name", "key", "step", "timestamp", "value"],
    );
    for run in runs {
        for p in run.points {
            push_point(&mut out, &[run.run_id, run.run_name, key], p);
        }
    }
    out
}

/// `<stem>.csv` as a download name: characters some systems refuse in file names
/// (`/\:*?"<>|` and control characters) become `-`; an empty stem is `data`.
pub fn csv_file_name(stem: &str) -> String {
    let clean: String = stem
        .chars()
        .map(|c| {
            if c.is_control() || "/\\:*?\"<>|".contains(c) {
                '-'
            } else {
                c
            }
        })
        .collect();
    let clean = clean.trim();
    format!("{}.csv", if clean.is_empty() { "data" } else { clean })
}

fn push_point(out: &mut String, leading: &[&str], p: &MetricPoint) {
    for field in leading {
        push_field(out, field);
        out.push(',');
    }
    out.push_str(&p.step.to_string());
    out.push(',');
    out.push_str(&p.timestamp.to_string());
    out.push(',');
    out.push_str(&number(p.value));
    out.push_str(EOL);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_fields_are_not_quoted() {
        let mut out = String::new();
        push_record(&mut out, ["a", "", "=1+2", "-3"]);
        assert_eq!(out, "a,,=1+2,-3\r\n");
    }
}
