//! Metric files (`metrics/<key>`): one `timestamp value step` line per logged point
//! for runs, `timestamp value step run_id [dataset_name dataset_digest]` for logged
//! models.
//!
//! Read as MLflow reads them (`line.strip().split(" ")`, 2, 3 or 5 fields for runs, 4
//! or 6 for models, Python `int()`/`float()`), without allocating per run line;
//! written with `repr(float)` values into one growing buffer.

use crate::core::models::LoggedModelMetric;
use crate::core::tracking::model::MetricPoint;

use super::error::{ImportError, ImportErrorKind};
use super::pyfloat::{parse_python_float, parse_python_int, push_i64, push_python_float};

/// A metric file's points, in file order.
pub(super) struct MetricFile {
    pub points: Vec<MetricPoint>,
    /// MLflow's "latest": the max by (step, timestamp, value), first one on ties.
    pub latest: MetricPoint,
    /// How many lines had the MLflow 3 dataset fields, which MLflow reads with step 0.
    pub dataset_lines: usize,
}

/// Line breaks of Python's `str.splitlines`, in ASCII (what `readlines` splits on).
fn is_break(c: u8) -> bool {
    matches!(c, b'\n' | b'\r' | 0x0b | 0x0c | 0x1c | 0x1d | 0x1e)
}

/// Python's `str.strip()` for ASCII whitespace.
fn strip(mut s: &[u8]) -> &[u8] {
    let ws = |c: &u8| matches!(c, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c | 0x1c..=0x1f);
    while s.first().is_some_and(ws) {
        s = &s[1..];
    }
    while s.last().is_some_and(ws) {
        s = &s[..s.len() - 1];
    }
    s
}

fn shown(field: &[u8]) -> String {
    let text = String::from_utf8_lossy(field);
    if text.chars().count() > 80 {
        format!("{}…", text.chars().take(80).collect::<String>())
    } else {
        text.into_owned()
    }
}

/// One line of a metric file as MLflow's `readlines()` + `strip()` + `split(" ")`
/// see it: its 1-based number, the stripped text, and its fields (at most `N` kept,
/// all counted).
struct Line<'a, const N: usize> {
    no: usize,
    text: &'a [u8],
    fields: [&'a [u8]; N],
    count: usize,
}

/// The lines of a metric file, one [`Line`] at a time, without allocating.
struct Lines<'a> {
    rest: &'a [u8],
    line_no: usize,
}

impl<'a> Lines<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Lines {
            rest: bytes,
            line_no: 0,
        }
    }

    fn next_line<const N: usize>(&mut self) -> Option<Line<'a, N>> {
        if self.rest.is_empty() {
            return None;
        }
        let rest = self.rest;
        let end = rest.iter().position(|&c| is_break(c)).unwrap_or(rest.len());
        let raw = &rest[..end];
        let mut next = (end + 1).min(rest.len());
        if rest.get(end) == Some(&b'\r') && rest.get(end + 1) == Some(&b'\n') {
            next += 1;
        }
        self.rest = &rest[next..];
        self.line_no += 1;

        let text = strip(raw);
        let mut fields = [&b""[..]; N];
        let mut count = 0;
        for f in text.split(|&c| c == b' ') {
            if count < N {
                fields[count] = f;
            }
            count += 1;
        }
        Some(Line {
            no: self.line_no,
            text,
            fields,
            count,
        })
    }
}

fn int_field(path: &str, line_no: usize, what: &str, field: &[u8]) -> Result<i64, ImportError> {
    parse_python_int(field).ok_or_else(|| {
        ImportError::at_line(
            path,
            line_no,
            format!("{what} '{}' is not an integer", shown(field)),
        )
    })
}

fn value_field(path: &str, line_no: usize, field: &[u8]) -> Result<f64, ImportError> {
    parse_python_float(field).ok_or_else(|| {
        ImportError::at_line(
            path,
            line_no,
            format!("value '{}' is not a number", shown(field)),
        )
    })
}

fn no_data(path: &str) -> ImportError {
    ImportError::at(
        ImportErrorKind::Invalid,
        path,
        "empty metric file (MLflow refuses it: \"No data found\")",
    )
}

/// Parses a metric file; `path` names it in errors.
pub(super) fn parse_metric_file(path: &str, bytes: &[u8]) -> Result<MetricFile, ImportError> {
    // A typical line is ~25 bytes.
    let mut points = Vec::with_capacity(bytes.len() / 24 + 1);
    let mut latest: Option<MetricPoint> = None;
    let mut dataset_lines = 0;
    let mut lines = Lines::new(bytes);
    while let Some(Line {
        no: line_no,
        text: line,
        fields,
        count,
    }) = lines.next_line::<5>()
    {
        if !matches!(count, 2 | 3 | 5) {
            return Err(ImportError::at_line(
                path,
                line_no,
                format!(
                    "expected 'timestamp value step', got '{}' ({count} fields; MLflow reads 2, 3 or 5)",
                    shown(line)
                ),
            ));
        }
        let timestamp = int_field(path, line_no, "timestamp", fields[0])?;
        let value = value_field(path, line_no, fields[1])?;
        // MLflow reads the step only from 3-field lines; 5-field lines get step 0.
        let step = if count == 3 {
            int_field(path, line_no, "step", fields[2])?
        } else {
            if count == 5 {
                dataset_lines += 1;
            }
            0
        };
        let point = MetricPoint {
            timestamp,
            value,
            step,
        };
        if latest.is_none_or(|l| point.is_later_than(&l)) {
            latest = Some(point);
        }
        points.push(point);
    }
    let latest = latest.ok_or_else(|| no_data(path))?;
    Ok(MetricFile {
        points,
        latest,
        dataset_lines,
    })
}

/// The run id MLflow writes for a model metric logged without one (`str(None)`).
const NO_RUN: &str = "None";

/// Parses a logged model's metric file (`metrics/<key>` of `<exp>/models/<id>/`): lines
/// `ts value step run_id`, or with `dataset_name dataset_digest` after, as MLflow's
/// `_get_model_metric_from_line` reads them (4 or 6 fields; every line kept, in order).
pub(super) fn parse_model_metric_file(
    path: &str,
    key: &str,
    bytes: &[u8],
) -> Result<Vec<LoggedModelMetric>, ImportError> {
    let mut out = Vec::new();
    let mut lines = Lines::new(bytes);
    while let Some(Line {
        no: line_no,
        text: line,
        fields,
        count,
    }) = lines.next_line::<6>()
    {
        if !matches!(count, 4 | 6) {
            return Err(ImportError::at_line(
                path,
                line_no,
                format!(
                    "expected 'timestamp value step run_id [dataset_name dataset_digest]', got \
                     '{}' ({count} fields; MLflow reads 4 or 6)",
                    shown(line)
                ),
            ));
        }
        let text = |i: usize| {
            std::str::from_utf8(fields[i])
                .map(str::to_owned)
                .map_err(|_| ImportError::at_line(path, line_no, "not valid UTF-8"))
        };
        // In MLflow's order, so the same field is blamed first.
        let (timestamp, value, step) = (
            int_field(path, line_no, "timestamp", fields[0])?,
            value_field(path, line_no, fields[1])?,
            int_field(path, line_no, "step", fields[2])?,
        );
        let run_id = text(3)?;
        let (dataset_name, dataset_digest) = if count == 6 {
            (Some(text(4)?), Some(text(5)?))
        } else {
            (None, None)
        };
        out.push(LoggedModelMetric {
            key: key.to_owned(),
            value,
            timestamp,
            step,
            run_id: (run_id != NO_RUN).then_some(run_id),
            dataset_name,
            dataset_digest,
        });
    }
    if out.is_empty() {
        return Err(no_data(path));
    }
    Ok(out)
}

/// Whether `s` can be one field of a metric line and read back as itself by Python
/// (`splitlines`, `strip`, `split(" ")`).
fn is_field(s: &str) -> bool {
    let splits = |c: char| {
        matches!(
            c,
            ' ' | '\n'
                | '\r'
                | '\x0b'
                | '\x0c'
                | '\x1c'
                | '\x1d'
                | '\x1e'
                | '\u{85}'
                | '\u{2028}'
                | '\u{2029}'
        )
    };
    let stripped = |c: char| c.is_whitespace() || ('\x1c'..='\x1f').contains(&c);
    !s.is_empty() && !s.contains(splits) && !s.starts_with(stripped) && !s.ends_with(stripped)
}

/// Appends a logged model's metric lines as MLflow writes them:
/// `ts repr(value) step run_id[ dataset_name dataset_digest]\n`. The dataset goes in
/// only when both parts are set (as MLflow does) and each is one field, so every
/// line reads back.
pub(super) fn push_model_metric_lines<'a>(
    out: &mut Vec<u8>,
    metrics: impl IntoIterator<Item = &'a LoggedModelMetric>,
) {
    for m in metrics {
        push_i64(out, m.timestamp);
        out.push(b' ');
        push_python_float(out, m.value);
        out.push(b' ');
        push_i64(out, m.step);
        out.push(b' ');
        let run = m.run_id.as_deref().filter(|r| is_field(r));
        out.extend_from_slice(run.unwrap_or(NO_RUN).as_bytes());
        if let (Some(name), Some(digest)) = (&m.dataset_name, &m.dataset_digest) {
            if is_field(name) && is_field(digest) {
                out.push(b' ');
                out.extend_from_slice(name.as_bytes());
                out.push(b' ');
                out.extend_from_slice(digest.as_bytes());
            }
        }
        out.push(b'\n');
    }
}

/// Appends `points` as MLflow writes them: `timestamp repr(value) step\n`.
pub(super) fn push_metric_lines(out: &mut Vec<u8>, points: &[MetricPoint]) {
    out.reserve(points.len() * 32);
    for p in points {
        push_i64(out, p.timestamp);
        out.push(b' ');
        push_python_float(out, p.value);
        out.push(b' ');
        push_i64(out, p.step);
        out.push(b'\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<MetricFile, ImportError> {
        parse_metric_file("mlruns/1/abc/metrics/loss", text.as_bytes())
    }

    #[test]
    fn reads_every_form_mlflow_reads() {
        let m =
            parse("100 1.0\n200 nan 1\r\n300 -inf -5\n400 1e400 7 ds digest\n500 +1 2").unwrap();
        let steps: Vec<i64> = m.points.iter().map(|p| p.step).collect();
        assert_eq!(steps, [0, 1, -5, 0, 2]);
        assert_eq!(m.points[2].value, f64::NEG_INFINITY);
        assert_eq!(m.points[3].value, f64::INFINITY);
        assert_eq!(m.latest.timestamp, 500);
        assert_eq!(m.dataset_lines, 1);
    }

    #[test]
    fn latest_is_max_by_step_then_time_then_value() {
        let m = parse("1 1.0 0\n2 2.0 1\n3 2.5 1\n4 3.0 2\n4 3.5 2\n4 3.25 2\n10 9.0 1\n").unwrap();
        assert_eq!(
            (m.latest.timestamp, m.latest.value, m.latest.step),
            (4, 3.5, 2)
        );
    }

    #[test]
    fn errors_name_file_and_line() {
        let text = format!("{}abc\n", "1 1.0 0\n".repeat(16));
        let e = parse(&text).err().expect("malformed line");
        assert_eq!(
            e.to_string(),
            "mlruns/1/abc/metrics/loss line 17: expected 'timestamp value step', got 'abc' \
             (1 fields; MLflow reads 2, 3 or 5)"
        );
        let e = parse("1 x 0\n").err().expect("bad value");
        assert_eq!(
            e.to_string(),
            "mlruns/1/abc/metrics/loss line 1: value 'x' is not a number"
        );
        let e = parse("1.0 1 0\n").err().expect("float timestamp");
        assert!(e.to_string().contains("line 1: timestamp '1.0'"), "{e}");
        let e = parse("1 1.0 0\n\n").err().expect("blank line");
        assert!(e.to_string().contains("line 2"), "{e}");
        let e = parse("").err().expect("empty");
        assert!(
            e.to_string()
                .starts_with("mlruns/1/abc/metrics/loss: empty metric file"),
            "{e}"
        );
    }

    fn model_metric(step: i64, run: Option<&str>, ds: Option<(&str, &str)>) -> LoggedModelMetric {
        LoggedModelMetric {
            key: "acc".into(),
            value: 0.1 + 0.2,
            timestamp: 7,
            step,
            run_id: run.map(str::to_owned),
            dataset_name: ds.map(|d| d.0.to_owned()),
            dataset_digest: ds.map(|d| d.1.to_owned()),
        }
    }

    #[test]
    fn model_metrics_have_four_or_six_fields_and_keep_every_line() {
        let path = "mlruns/1/models/m-x/metrics/acc";
        let text = "7 0.30000000000000004 1 abc\r\n7 0.30000000000000004 -2 None eval d1\n";
        let got = parse_model_metric_file(path, "acc", text.as_bytes()).unwrap();
        assert_eq!(
            got,
            [
                model_metric(1, Some("abc"), None),
                model_metric(-2, None, Some(("eval", "d1")))
            ]
        );
        let mut out = Vec::new();
        push_model_metric_lines(&mut out, &got);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "7 0.30000000000000004 1 abc\n7 0.30000000000000004 -2 None eval d1\n"
        );
        for (bad, needle) in [
            ("1 0.5 0\n", "line 1: expected 'timestamp value step run_id"),
            ("1 0.5 0 r\n1 0.5 0 r ds\n", "line 2: expected"),
            ("1 0.5 x r\n", "line 1: step 'x' is not an integer"),
            ("x y 0 r\n", "line 1: timestamp 'x'"),
            ("", "empty metric file"),
        ] {
            let e = parse_model_metric_file(path, "acc", bad.as_bytes()).unwrap_err();
            assert!(e.to_string().starts_with(path), "{e}");
            assert!(e.to_string().contains(needle), "{bad:?}: {e}");
        }
    }

    #[test]
    fn model_metric_fields_that_would_not_read_back_are_left_out() {
        let mut out = Vec::new();
        push_model_metric_lines(
            &mut out,
            &[
                model_metric(0, Some("has space"), Some(("a b", "d"))),
                model_metric(0, Some("r"), Some(("ds", ""))),
                model_metric(0, Some("r"), Some(("ds", "d\u{2028}"))),
            ],
        );
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            text,
            "7 0.30000000000000004 0 None\n7 0.30000000000000004 0 r\n7 0.30000000000000004 0 r\n"
        );
        assert_eq!(
            parse_model_metric_file("p", "acc", text.as_bytes())
                .unwrap()
                .len(),
            3
        );
    }

    #[test]
    fn writes_three_fields_with_python_floats() {
        let mut out = Vec::new();
        let p = |timestamp, value, step| MetricPoint {
            timestamp,
            value,
            step,
        };
        push_metric_lines(
            &mut out,
            &[p(1, 0.1 + 0.2, -5), p(2, f64::NAN, 0), p(3, 1e16, 1 << 40)],
        );
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "1 0.30000000000000004 -5\n2 nan 0\n3 1e+16 1099511627776\n"
        );
    }
}
