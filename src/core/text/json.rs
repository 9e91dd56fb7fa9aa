//! JSON artifacts re-indented for the preview.

/// `src` re-indented by two spaces if it is valid JSON (`None` if not), keeping key
/// order and number spelling exactly as written: a parse-and-print would sort keys
/// and reformat numbers.
pub fn pretty_json(src: &str) -> Option<String> {
    serde_json::from_str::<serde::de::IgnoredAny>(src).ok()?;
    Some(reindent(src))
}

/// Re-indents JSON token by token; `src` must be valid JSON.
fn reindent(src: &str) -> String {
    let mut out = String::with_capacity(src.len() * 2);
    let mut depth = 0usize;
    let (mut in_string, mut escaped) = (false, false);
    let newline = |out: &mut String, depth: usize| {
        out.push('\n');
        out.extend(std::iter::repeat_n("  ", depth));
    };
    let mut chars = src.chars().peekable();
    while let Some(c) = chars.next() {
        if in_string {
            out.push(c);
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                out.push(c);
            }
            '{' | '[' => {
                out.push(c);
                // Empty containers stay on one line.
                while chars.peek().is_some_and(|c| c.is_whitespace()) {
                    chars.next();
                }
                if matches!(chars.peek(), Some('}') | Some(']')) {
                    out.push(chars.next().unwrap_or(' '));
                } else {
                    depth += 1;
                    newline(&mut out, depth);
                }
            }
            '}' | ']' => {
                depth = depth.saturating_sub(1);
                newline(&mut out, depth);
                out.push(c);
            }
            ',' => {
                out.push(c);
                newline(&mut out, depth);
            }
            ':' => out.push_str(": "),
            c if c.is_whitespace() => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_values_are_indented_by_two_spaces() {
        let out = pretty_json(r#"{"b":1,"a":[true,null,{"c":"d"}]}"#).unwrap();
        assert_eq!(
            out,
            "{\n  \"b\": 1,\n  \"a\": [\n    true,\n    null,\n    {\n      \"c\": \"d\"\n    }\n  ]\n}"
        );
    }

    #[test]
    fn key_order_numbers_and_strings_stay_as_written() {
        let out = pretty_json(r#"{"z": 1.50, "y": 1e3, "s": "a, b: {c} [d] \"q\" \\"}"#).unwrap();
        assert!(out.contains(r#""z": 1.50"#), "{out}");
        assert!(out.contains(r#""y": 1e3"#), "{out}");
        assert!(out.contains(r#""s": "a, b: {c} [d] \"q\" \\""#), "{out}");
        assert!(out.find("\"z\"") < out.find("\"y\""));
    }

    #[test]
    fn empty_containers_stay_on_one_line() {
        assert_eq!(
            pretty_json("{ \"a\": { }, \"b\": [ ] }").unwrap(),
            "{\n  \"a\": {},\n  \"b\": []\n}"
        );
        assert_eq!(pretty_json("[]").unwrap(), "[]");
    }

    #[test]
    fn invalid_json_is_refused() {
        assert_eq!(pretty_json("{\"a\": }"), None);
        assert_eq!(pretty_json("not json"), None);
        assert_eq!(pretty_json(""), None);
    }
}

/// `value` as Python's `json.dumps` writes it (`", "` and `": "` separators, non-ASCII
/// escaped, keys in the order given): what MLflow writes into tags such as
/// `mlflow.log-model.history`.
pub fn python_dumps(value: &serde_json::Value) -> String {
    let mut out = String::new();
    write_python(value, &mut out);
    out
}

fn write_python(value: &serde_json::Value, out: &mut String) {
    use serde_json::Value;
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => python_string(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_python(v, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (k, v)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                python_string(k, out);
                out.push_str(": ");
                write_python(v, out);
            }
            out.push('}');
        }
    }
}

/// A JSON string with `ensure_ascii`: everything past ASCII as `\uXXXX` (surrogate
/// pairs above the BMP).
fn python_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 || (c as u32) > 0x7e => {
                let mut buf = [0u16; 2];
                for unit in c.encode_utf16(&mut buf) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod python_tests {
    use super::python_dumps;

    #[test]
    fn writes_as_python_json_dumps() {
        let v = serde_json::json!({"b": [1, 2.5, null, true], "a": "é\n\u{1f980}\"x"});
        assert_eq!(
            python_dumps(&v),
            r#"{"a": "\u00e9\n\ud83e\udd80\"x", "b": [1, 2.5, null, true]}"#
        );
    }
}
