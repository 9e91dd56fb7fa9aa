//! Metric files (`metrics/<key>`): one `timestamp value step` line per logged point.
//!
//! Read as MLflow reads them (`line.strip().split(" ")`, 2, 3 or 5 fields, Python
//! `int()`/`float()`), without allocating per line; written with 3 fields and
//! `repr(float)` values into one growing buffer.

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

/// Parses a metric file; `path` names it in errors.
pub(super) fn parse_metric_file(path: &str, bytes: &[u8]) -> Result<MetricFile, ImportError> {
    // A typical line is ~25 bytes.
    let mut points = Vec::with_capacity(bytes.len() / 24 + 1);
    let mut latest: Option<MetricPoint> = None;
    let mut dataset_lines = 0;
    let mut line_no = 0;
    let mut rest = bytes;
    while !rest.is_empty() {
        let end = rest.iter().position(|&c| is_break(c)).unwrap_or(rest.len());
        let raw = &rest[..end];
        let mut next = (end + 1).min(rest.len());
        if rest.get(end) == Some(&b'\r') && rest.get(end + 1) == Some(&b'\n') {
            next += 1;
        }
        rest = &rest[next..];
        line_no += 1;

        let line = strip(raw);
        let mut fields = [&b""[..]; 5];
        let mut count = 0;
        for f in line.split(|&c| c == b' ') {
            if count < 5 {
                fields[count] = f;
            }
            count += 1;
        }
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
        let timestamp = parse_python_int(fields[0]).ok_or_else(|| {
            ImportError::at_line(
                path,
                line_no,
                format!("timestamp '{}' is not an integer", shown(fields[0])),
            )
        })?;
        let value = parse_python_float(fields[1]).ok_or_else(|| {
            ImportError::at_line(
                path,
                line_no,
                format!("value '{}' is not a number", shown(fields[1])),
            )
        })?;
        // MLflow reads the step only from 3-field lines; 5-field lines get step 0.
        let step = if count == 3 {
            parse_python_int(fields[2]).ok_or_else(|| {
                ImportError::at_line(
                    path,
                    line_no,
                    format!("step '{}' is not an integer", shown(fields[2])),
                )
            })?
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
    let latest = latest.ok_or_else(|| {
        ImportError::at(
            ImportErrorKind::Invalid,
            path,
            "empty metric file (MLflow refuses it: \"No data found\")",
        )
    })?;
    Ok(MetricFile {
        points,
        latest,
        dataset_lines,
    })
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
