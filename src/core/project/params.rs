//! A run's parameters, checked strictly against the entry point's declarations (MLflow
//! itself checks only `path` and `uri`): every problem is collected into one message.

use super::paths::normalize;
use super::spec::{names, EntryPoint, ParamKind};
use super::{invalid, Result};
use crate::core::tracking::rules::MAX_PARAM_VALUE_LEN;

/// A value the caller gave: a JS number, a string (form inputs give strings) or a
/// boolean.
#[derive(Clone, Debug, PartialEq)]
pub enum Given {
    /// A JS number.
    Number(f64),
    /// A string.
    Text(String),
    /// A boolean.
    Bool(bool),
}

/// One checked parameter.
#[derive(Clone, Debug, PartialEq)]
pub struct Checked {
    /// The parameter's name.
    pub name: String,
    /// Its declared type.
    pub kind: ParamKind,
    /// The value to pass to the entry point's function.
    pub value: Value,
    /// The value as the run logs it (unquoted, unlike `mlflow run`): text as given, a
    /// number in its shortest round-trip form, a default as the `MLproject` has it.
    pub logged: String,
}

/// A checked parameter value.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// A finite float, bit for bit as given.
    Float(f64),
    /// A safe integer.
    Int(i64),
    /// Text.
    Text(String),
    /// A URI as given (no whitespace or control characters); the api resolves it with
    /// `new URL(value, projectUrl)`, which also refuses what is not a URL.
    Uri(String),
    /// A file the run reads.
    Path(PathRef),
}

/// What a `path` parameter names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PathRef {
    /// A file in the project: its normalised project-relative path.
    Project(String),
    /// A run's artifact file, from `runs:/<run_id>/<path>` (`path` normalised, never
    /// empty: a `path` parameter is read as bytes).
    Artifact {
        /// The run's id.
        run_id: String,
        /// The artifact path inside the run.
        path: String,
    },
}

/// The largest integer a JS number holds exactly (`Number.MAX_SAFE_INTEGER`).
const MAX_SAFE_INTEGER: i64 = (1 << 53) - 1;

/// Checks the parameters `given` for entry point `ep` and fills in defaults. Returns
/// every declared parameter in declaration order. Refuses, in one error naming each
/// problem: unknown names, names given twice, required parameters not given, and
/// values that do not fit the type:
///
/// * `float`: a finite number, or text in decimal notation (`-1.5`, `.5`, `2e-3`; no
///   `nan`, `inf`, hex, sign `+` or surrounding spaces).
/// * `int`: a safe integer (|n| ≤ 2^53 − 1): an integral number, or text of an
///   optional `-` and digits.
/// * `string`: text; a number or boolean is accepted as its JS `String(x)` form
///   (`0.1`, `1e+21`, `true`; `-0` stays `-0`), as a form would have sent it.
/// * `uri`: non-empty text without whitespace or control characters.
/// * `path`: text naming a file inside the project, or `runs:/<run_id>/<path>`.
///
/// Logged values longer than MLflow's param limit are refused too.
pub fn check_parameters(ep: &EntryPoint, given: &[(String, Given)]) -> Result<Vec<Checked>> {
    let params = &ep.parameters;
    let mut problems = Vec::new();
    let mut values: Vec<Option<(Value, String)>> = vec![None; params.len()];
    let mut seen = vec![false; params.len()];
    for (name, value) in given {
        let Some(i) = params.iter().position(|p| &p.name == name) else {
            problems.push(if params.is_empty() {
                format!(
                    "'{name}' is not a parameter of '{}', which takes none",
                    ep.name
                )
            } else {
                format!(
                    "'{name}' is not a parameter of '{}' (its parameters: {})",
                    ep.name,
                    names(params.iter().map(|p| p.name.as_str()))
                )
            });
            continue;
        };
        if std::mem::replace(&mut seen[i], true) {
            problems.push(format!("'{name}' is given more than once"));
            continue;
        }
        match check_value(params[i].kind, value) {
            Ok(v) => values[i] = Some(v),
            Err(why) => problems.push(format!("'{name}': {} {why}", describe(value))),
        }
    }
    for (i, p) in params.iter().enumerate() {
        if seen[i] {
            continue;
        }
        match &p.default {
            None => problems.push(format!("'{}' is required (no default)", p.name)),
            Some(d) => {
                let d = Given::Text(d.clone());
                match check_value(p.kind, &d) {
                    Ok(v) => values[i] = Some(v),
                    Err(why) => {
                        problems.push(format!("'{}': the default {} {why}", p.name, describe(&d)))
                    }
                }
            }
        }
    }
    for (p, v) in params.iter().zip(&values) {
        let Some((_, logged)) = v else { continue };
        let len = logged.chars().count();
        if len > MAX_PARAM_VALUE_LEN {
            problems.push(format!(
                "'{}' is {len} characters long; MLflow's limit is {MAX_PARAM_VALUE_LEN}",
                p.name
            ));
        }
    }
    if !problems.is_empty() {
        return Err(invalid(format!(
            "Invalid parameters for entry point '{}': {}.",
            ep.name,
            problems.join("; ")
        )));
    }
    Ok(params
        .iter()
        .zip(values)
        .filter_map(|(p, v)| {
            v.map(|(value, logged)| Checked {
                name: p.name.clone(),
                kind: p.kind,
                value,
                logged,
            })
        })
        .collect())
}

/// Checks one value against a type: the value and its logged text, or why not (a
/// phrase following the value: `is not an int`).
pub(crate) fn check_value(
    kind: ParamKind,
    given: &Given,
) -> std::result::Result<(Value, String), String> {
    match (kind, given) {
        (ParamKind::Float, Given::Number(x)) if x.is_finite() => {
            Ok((Value::Float(*x), js_number(*x)))
        }
        (ParamKind::Float, Given::Number(_)) => Err("is not a finite number".into()),
        (ParamKind::Float, Given::Text(t)) if is_decimal(t) => match t.parse::<f64>() {
            Ok(x) if x.is_finite() => Ok((Value::Float(x), t.clone())),
            _ => Err("is out of range for a float".into()),
        },
        (ParamKind::Float, _) => Err("is not a float".into()),
        (ParamKind::Int, Given::Number(x)) if x.fract() == 0.0 => {
            if x.abs() <= MAX_SAFE_INTEGER as f64 {
                let n = *x as i64;
                Ok((Value::Int(n), n.to_string()))
            } else {
                Err(not_safe())
            }
        }
        (ParamKind::Int, Given::Text(t)) if is_integer(t) => match t.parse::<i64>() {
            Ok(n) if n.abs() <= MAX_SAFE_INTEGER => Ok((Value::Int(n), t.clone())),
            _ => Err(not_safe()),
        },
        (ParamKind::Int, _) => Err("is not an int".into()),
        (ParamKind::String, Given::Text(t)) => Ok((Value::Text(t.clone()), t.clone())),
        (ParamKind::String, Given::Number(x)) => {
            let t = js_number(*x);
            Ok((Value::Text(t.clone()), t))
        }
        (ParamKind::String, Given::Bool(b)) => Ok((Value::Text(b.to_string()), b.to_string())),
        (ParamKind::Uri, Given::Text(t)) => {
            if t.is_empty() {
                Err("is not a URI: it is empty".into())
            } else if t.chars().any(|c| c.is_whitespace() || c.is_control()) {
                Err("is not a URI: it contains whitespace or control characters".into())
            } else {
                Ok((Value::Uri(t.clone()), t.clone()))
            }
        }
        (ParamKind::Uri, _) => Err("is not a URI (give it as text)".into()),
        (ParamKind::Path, Given::Text(t)) => path_ref(t).map(|p| (Value::Path(p), t.clone())),
        (ParamKind::Path, _) => Err("is not a path (give it as text)".into()),
    }
}

fn not_safe() -> String {
    "is not a safe integer (|n| ≤ 2^53 − 1)".into()
}

fn path_ref(t: &str) -> std::result::Result<PathRef, String> {
    if let Some(rest) = t.strip_prefix("runs:/") {
        let (run_id, path) = rest.split_once('/').unwrap_or((rest, ""));
        if run_id.is_empty() || run_id.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err("is not a run artifact: write runs:/<run_id>/<path>".into());
        }
        if path.split('/').all(|s| s.is_empty() || s == ".") {
            return Err("names a run but no file of it: write runs:/<run_id>/<path>".into());
        }
        let path =
            normalize(path).map_err(|why| format!("is not a run artifact: its path {why}"))?;
        return Ok(PathRef::Artifact {
            run_id: run_id.to_owned(),
            path,
        });
    }
    normalize(t)
        .map(PathRef::Project)
        .map_err(|why| format!("is not a path in the project: it {why}"))
}

/// `-?` digits with at most one `.` (at least one digit), then an optional exponent.
fn is_decimal(t: &str) -> bool {
    let b = t.as_bytes();
    let mut i = usize::from(b.first() == Some(&b'-'));
    let digits = |i: &mut usize| {
        let start = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i - start
    };
    let mut n = digits(&mut i);
    if b.get(i) == Some(&b'.') {
        i += 1;
        n += digits(&mut i);
    }
    if n == 0 {
        return false;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// `-?[0-9]+`.
fn is_integer(t: &str) -> bool {
    let digits = t.strip_prefix('-').unwrap_or(t);
    !digits.is_empty() && digits.bytes().all(|c| c.is_ascii_digit())
}

/// How a message shows a given value: text quoted (and cut at 60 characters), numbers
/// and booleans bare.
pub(crate) fn describe(given: &Given) -> String {
    match given {
        Given::Number(x) => js_number(*x),
        Given::Bool(b) => b.to_string(),
        Given::Text(t) if t.chars().count() > 60 => {
            format!("{:?}…", t.chars().take(60).collect::<String>())
        }
        Given::Text(t) => format!("{t:?}"),
    }
}

/// JS `String(x)` (shortest round-trip digits, `1e+21`, `1e-7`, `NaN`, `Infinity`),
/// except that `-0` is written `-0` so the text reads back bit for bit.
pub(crate) fn js_number(x: f64) -> String {
    if x.is_nan() {
        return "NaN".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    let sign = if x.is_sign_negative() { "-" } else { "" };
    if x == 0.0 {
        return format!("{sign}0");
    }
    // Ryu gives the shortest round-trip digits in its own layout ("1e21", "0.001",
    // "1200.0"): take the digits and the decimal exponent back out.
    let mut buf = ryu::Buffer::new();
    let text = buf.format_finite(x.abs());
    let (mantissa, shift) = match text.split_once('e') {
        Some((m, e)) => (m, e.parse::<i32>().unwrap_or(0)),
        None => (text, 0),
    };
    let int_len = mantissa.find('.').unwrap_or(mantissa.len()) as i32;
    let all: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let leading = all.bytes().take_while(|&c| c == b'0').count();
    let digits = all[leading..].trim_end_matches('0');
    // x = 0.d1d2…dk × 10^n, in ECMA-262's Number::toString terms.
    let k = digits.len() as i32;
    let n = int_len - leading as i32 + shift;
    let body = if k <= n && n <= 21 {
        format!("{digits}{}", "0".repeat((n - k) as usize))
    } else if 0 < n && n <= 21 {
        let (a, b) = digits.split_at(n as usize);
        format!("{a}.{b}")
    } else if -6 < n && n <= 0 {
        format!("0.{}{digits}", "0".repeat((-n) as usize))
    } else {
        let e = n - 1;
        let e_sign = if e < 0 { '-' } else { '+' };
        let (first, rest) = digits.split_at(1);
        if rest.is_empty() {
            format!("{first}e{e_sign}{}", e.abs())
        } else {
            format!("{first}.{rest}e{e_sign}{}", e.abs())
        }
    };
    format!("{sign}{body}")
}

#[cfg(test)]
mod tests {
    use super::js_number;

    #[test]
    fn numbers_read_as_js_writes_them() {
        for (x, s) in [
            (0.01, "0.01"),
            (5.0, "5"),
            (1200.0, "1200"),
            (1e21, "1e+21"),
            (1e20, "100000000000000000000"),
            (1.5e-7, "1.5e-7"),
            (1e-6, "0.000001"),
            (123.456, "123.456"),
            (-2.5, "-2.5"),
            (5e-324, "5e-324"),
            (f64::MAX, "1.7976931348623157e+308"),
            (0.1 + 0.2, "0.30000000000000004"),
        ] {
            assert_eq!(js_number(x), s);
        }
    }
}
