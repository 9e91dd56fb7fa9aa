//! `meta.yaml` as MLflow's PyYAML reads and writes it: typed views for reading (with
//! "key present but null" kept apart from "key absent", since MLflow treats them
//! differently), and a small emitter that quotes exactly when PyYAML's YAML 1.1 loader
//! would otherwise read a string as something else.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, EnumAccess, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};

/// `Some(None)` for `key: null`, `None` when the key is absent.
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// The keys of an experiment's `meta.yaml` that MLflow reads.
#[derive(Debug, Deserialize)]
pub(super) struct ExperimentMeta {
    #[serde(default, deserialize_with = "present")]
    pub experiment_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    pub name: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    pub artifact_location: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    pub lifecycle_stage: Option<Option<String>>,
    #[serde(default)]
    pub creation_time: Option<i64>,
    #[serde(default)]
    pub last_update_time: Option<i64>,
}

/// The keys of a run's `meta.yaml` that MLflow reads.
#[derive(Debug, Deserialize)]
pub(super) struct RunMeta {
    #[serde(default, deserialize_with = "present")]
    pub run_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    pub run_uuid: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    pub experiment_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    pub user_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    pub start_time: Option<Option<i64>>,
    #[serde(default, deserialize_with = "present")]
    pub end_time: Option<Option<i64>>,
    #[serde(default, deserialize_with = "present")]
    pub status: Option<Option<i64>>,
    #[serde(default)]
    pub lifecycle_stage: Option<String>,
    #[serde(default)]
    pub artifact_uri: Option<String>,
    #[serde(default)]
    pub run_name: Option<String>,
    #[serde(default)]
    pub deleted_time: Option<i64>,
}

/// The keys of a logged model's `meta.yaml` (`<exp>/models/<id>/`) that MLflow reads;
/// the first six are required (MLflow's `LoggedModel(...)` raises without them).
#[derive(Debug, Deserialize)]
pub(super) struct LoggedModelMeta {
    #[serde(default, deserialize_with = "present")]
    pub experiment_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    pub model_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    pub name: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    pub artifact_location: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    pub creation_timestamp: Option<Option<i64>>,
    #[serde(default, deserialize_with = "present")]
    pub last_updated_timestamp: Option<Option<i64>>,
    #[serde(default, deserialize_with = "present")]
    pub status: Option<Option<i64>>,
    #[serde(default)]
    pub lifecycle_stage: Option<String>,
    #[serde(default)]
    pub model_type: Option<String>,
    #[serde(default)]
    pub source_run_id: Option<String>,
    #[serde(default)]
    pub status_message: Option<String>,
}

/// The keys of a registered model's `meta.yaml` (`models/<name>/`) that MLflow reads
/// (`aliases` there is a copy; MLflow reads them from `aliases/`).
#[derive(Debug, Deserialize)]
pub(super) struct RegisteredModelMeta {
    #[serde(default, deserialize_with = "present")]
    pub name: Option<Option<String>>,
    #[serde(default)]
    pub creation_timestamp: Option<i64>,
    #[serde(default)]
    pub last_updated_timestamp: Option<i64>,
    #[serde(default)]
    pub description: Option<String>,
    /// Read to tell "unset" from set; we do not model these.
    #[serde(default)]
    pub deployment_job_id: Option<yaml_serde::Value>,
    #[serde(default)]
    pub deployment_job_state: Option<yaml_serde::Value>,
    #[serde(default)]
    pub workspace: Option<yaml_serde::Value>,
}

/// The keys of a model version's `meta.yaml` (`models/<name>/version-<n>/`) that
/// MLflow reads; `name`, `version` and `creation_timestamp` are required.
#[derive(Debug, Deserialize)]
pub(super) struct ModelVersionMeta {
    #[serde(default, deserialize_with = "present")]
    pub name: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    pub version: Option<Option<u64>>,
    #[serde(default, deserialize_with = "present")]
    pub creation_timestamp: Option<Option<i64>>,
    #[serde(default, deserialize_with = "present")]
    pub current_stage: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    pub status: Option<Option<String>>,
    #[serde(default)]
    pub last_updated_timestamp: Option<i64>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub user_id: Option<String>,
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub run_id: Option<String>,
    #[serde(default)]
    pub run_link: Option<String>,
    #[serde(default)]
    pub status_message: Option<String>,
    #[serde(default)]
    pub model_id: Option<String>,
    #[serde(default)]
    pub storage_location: Option<String>,
    /// Read to tell "unset" from set; we do not model these.
    #[serde(default)]
    pub deployment_job_state: Option<yaml_serde::Value>,
    #[serde(default)]
    pub workspace: Option<yaml_serde::Value>,
}

/// Why a `meta.yaml` could not be read: no content at all, or a YAML/type error with
/// its 1-based line.
#[derive(Debug)]
pub(super) enum YamlProblem {
    Empty,
    Bad { line: usize, detail: String },
}

/// Parses a `meta.yaml` into `T`, in one pass; an empty document (what PyYAML loads as
/// `None`) is reported apart, because MLflow skips some of those instead of failing.
pub(super) fn parse_meta<T: for<'de> Deserialize<'de>>(bytes: &[u8]) -> Result<T, YamlProblem> {
    let text = std::str::from_utf8(bytes).map_err(|e| YamlProblem::Bad {
        line: 1 + bytes[..e.valid_up_to()]
            .iter()
            .filter(|&&c| c == b'\n')
            .count(),
        detail: "not valid UTF-8".into(),
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let doc: Doc<T> = yaml_serde::from_str(text).map_err(|e| {
        let line = e.location().map_or(1, |l| l.line());
        let mut detail = e.to_string();
        if let Some(at) = detail.rfind(" at line ") {
            detail.truncate(at);
        }
        YamlProblem::Bad { line, detail }
    })?;
    match doc {
        Doc::Empty => Err(YamlProblem::Empty),
        Doc::Meta(meta) => Ok(meta),
    }
}

/// A whole `meta.yaml`: nothing, or a mapping read as `T` straight from the parser's
/// events (so type errors keep their line).
enum Doc<T> {
    Empty,
    Meta(T),
}

const NOT_A_MAPPING: &str = "expected a mapping of keys to values";

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Doc<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(DocVisitor(PhantomData))
    }
}

struct DocVisitor<T>(PhantomData<T>);

/// Refuses a document that is a scalar or a list, with one message whatever it holds.
macro_rules! not_a_mapping {
    ($($visit:ident($ty:ty)),*) => {$(
        fn $visit<E: de::Error>(self, _: $ty) -> Result<Doc<T>, E> {
            Err(E::custom(NOT_A_MAPPING))
        }
    )*};
}

impl<'de, T: Deserialize<'de>> Visitor<'de> for DocVisitor<T> {
    type Value = Doc<T>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(NOT_A_MAPPING)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Doc<T>, E> {
        Ok(Doc::Empty)
    }

    fn visit_none<E: de::Error>(self) -> Result<Doc<T>, E> {
        Ok(Doc::Empty)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Doc<T>, A::Error> {
        T::deserialize(de::value::MapAccessDeserializer::new(map)).map(Doc::Meta)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<Doc<T>, A::Error> {
        Err(de::Error::custom(NOT_A_MAPPING))
    }

    fn visit_enum<A: EnumAccess<'de>>(self, _: A) -> Result<Doc<T>, A::Error> {
        Err(de::Error::custom(NOT_A_MAPPING))
    }

    not_a_mapping!(
        visit_bool(bool),
        visit_i64(i64),
        visit_u64(u64),
        visit_i128(i128),
        visit_u128(u128),
        visit_f64(f64),
        visit_str(&str),
        visit_bytes(&[u8])
    );
}

/// Builds a block mapping one `key: value` line at a time; the caller writes keys in
/// sorted order, as PyYAML's `sort_keys=True` does.
#[derive(Default)]
pub(super) struct YamlWriter {
    out: String,
}

impl YamlWriter {
    /// `key: <string>`, quoted only when needed.
    pub fn str(&mut self, key: &str, value: &str) -> &mut Self {
        self.out.push_str(key);
        self.out.push_str(": ");
        push_scalar(&mut self.out, value);
        self.out.push('\n');
        self
    }
    /// `key: <string>` or `key: null`.
    pub fn opt_str(&mut self, key: &str, value: Option<&str>) -> &mut Self {
        match value {
            Some(v) => self.str(key, v),
            None => self.raw(key, "null"),
        }
    }
    /// `key: <int>` or `key: null`.
    pub fn int(&mut self, key: &str, value: Option<i64>) -> &mut Self {
        match value {
            Some(v) => self.raw(key, &v.to_string()),
            None => self.raw(key, "null"),
        }
    }
    /// `key: <text as is>` (`[]`, `null`, numbers).
    pub fn raw(&mut self, key: &str, value: &str) -> &mut Self {
        self.out.push_str(key);
        self.out.push_str(": ");
        self.out.push_str(value);
        self.out.push('\n');
        self
    }
    /// `key:` and a nested block mapping of strings (`key: {}` when empty), as PyYAML
    /// writes a dict; entries in the caller's (sorted) order.
    pub fn str_map<'a>(
        &mut self,
        key: &str,
        entries: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> &mut Self {
        let start = self.out.len();
        self.out.push_str(key);
        self.out.push(':');
        let mut empty = true;
        for (k, v) in entries {
            empty = false;
            self.out.push_str("\n  ");
            push_scalar(&mut self.out, k);
            self.out.push_str(": ");
            push_scalar(&mut self.out, v);
        }
        if empty {
            self.out.truncate(start);
            return self.raw(key, "{}");
        }
        self.out.push('\n');
        self
    }
    /// The document's bytes.
    pub fn finish(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.out).into_bytes()
    }
}

/// Printable as PyYAML sees it with `allow_unicode=True`, restricted to the BMP
/// (MLflow's dumper escapes astral characters such as emoji in double quotes) and
/// without the Unicode line/paragraph separators, which YAML 1.1 treats as breaks.
fn printable(c: char) -> bool {
    matches!(c, '\x20'..='\x7e' | '\u{a0}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}')
        && !matches!(c, '\u{feff}' | '\u{2028}' | '\u{2029}')
}

/// Whether PyYAML's implicit resolvers (YAML 1.1) could read plain `s` as something
/// other than a string. Errs on the side of quoting.
fn may_resolve(s: &str) -> bool {
    const WORDS: &[&str] = &[
        "", "~", "null", "Null", "NULL", "yes", "Yes", "YES", "no", "No", "NO", "true", "True",
        "TRUE", "false", "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF", "=", "<<",
    ];
    if WORDS.contains(&s) {
        return true;
    }
    let t = s.strip_prefix(['-', '+']).unwrap_or(s);
    let lower = t.to_ascii_lowercase();
    if lower == ".inf" || lower == ".nan" {
        return true;
    }
    let b = t.as_bytes();
    let starts_numeric = b.first().is_some_and(|c| c.is_ascii_digit() || *c == b'.');
    if !starts_numeric {
        return false;
    }
    if let Some(hex) = lower.strip_prefix("0x") {
        return hex.bytes().all(|c| c.is_ascii_hexdigit() || c == b'_');
    }
    // Ints (octal, binary, sexagesimal), floats and dates all live in this alphabet;
    // timestamps with a time part start with a date.
    let date = b.len() >= 8 && b[..4].iter().all(u8::is_ascii_digit) && b[4] == b'-';
    date || t.bytes().all(|c| b"0123456789_.:eE+-b".contains(&c))
}

fn plain_ok(s: &str) -> bool {
    if may_resolve(s) || s.starts_with("---") || s.starts_with("...") {
        return false;
    }
    let first = s.chars().next().unwrap_or(' ');
    if first == ' ' || s.ends_with(' ') || "-?:,[]{}#&*!|>'\"%@`".contains(first) {
        return false;
    }
    let mut prev = ' ';
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        let next = chars.peek().copied();
        if !printable(c)
            || (c == ':' && matches!(next, None | Some(' ')))
            || (c == '#' && prev == ' ')
        {
            return false;
        }
        prev = c;
    }
    true
}

/// Appends `s` as a YAML scalar PyYAML reads back as the same string: plain when safe,
/// else single-quoted, else double-quoted with escapes.
pub(super) fn push_scalar(out: &mut String, s: &str) {
    if plain_ok(s) {
        out.push_str(s);
    } else if s.chars().all(printable) {
        out.push('\'');
        out.push_str(&s.replace('\'', "''"));
        out.push('\'');
    } else {
        out.push('"');
        for c in s.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\0' => out.push_str("\\0"),
                '\x07' => out.push_str("\\a"),
                '\x08' => out.push_str("\\b"),
                '\t' => out.push_str("\\t"),
                '\n' => out.push_str("\\n"),
                '\x0b' => out.push_str("\\v"),
                '\x0c' => out.push_str("\\f"),
                '\r' => out.push_str("\\r"),
                '\x1b' => out.push_str("\\e"),
                '\u{85}' => out.push_str("\\N"),
                '\u{a0}' => out.push_str("\\_"),
                '\u{2028}' => out.push_str("\\L"),
                '\u{2029}' => out.push_str("\\P"),
                c if printable(c) => out.push(c),
                c if (c as u32) <= 0xff => out.push_str(&format!("\\x{:02X}", c as u32)),
                c if (c as u32) <= 0xffff => out.push_str(&format!("\\u{:04X}", c as u32)),
                c => out.push_str(&format!("\\U{:08X}", c as u32)),
            }
        }
        out.push('"');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scalar(s: &str) -> String {
        let mut out = String::new();
        push_scalar(&mut out, s);
        out
    }

    #[test]
    fn quotes_like_pyyaml_where_it_matters() {
        assert_eq!(scalar("0"), "'0'");
        assert_eq!(scalar("787081900651763300"), "'787081900651763300'");
        assert_eq!(
            scalar("50cad1a9a1814aecb6a0100206c340ed"),
            "50cad1a9a1814aecb6a0100206c340ed"
        );
        assert_eq!(scalar("file:///tmp/x/mlruns/1"), "file:///tmp/x/mlruns/1");
        assert_eq!(scalar("edge cases / ünïcødé ✓"), "edge cases / ünïcødé ✓");
        assert_eq!(scalar(""), "''");
        assert_eq!(scalar("yes"), "'yes'");
        assert_eq!(scalar("null"), "'null'");
        assert_eq!(scalar("1.5"), "'1.5'");
        assert_eq!(scalar("2024-01-01"), "'2024-01-01'");
        assert_eq!(scalar("a: b"), "'a: b'");
        assert_eq!(scalar("it's"), "it's");
        assert_eq!(scalar("- x"), "'- x'");
        assert_eq!(scalar("🚀 run – 中文"), "\"\\U0001F680 run – 中文\"");
        assert_eq!(scalar("two\nlines"), "\"two\\nlines\"");
    }

    #[test]
    fn written_scalars_read_back() {
        #[derive(Deserialize)]
        struct Doc {
            v: String,
        }
        for s in [
            "0",
            "yes",
            "a: b",
            " lead",
            "trail ",
            "it's",
            "🚀 x",
            "tab\there",
            "q\"uote",
            "back\\slash",
            "#hash",
            "a #b",
            "~",
            "",
            "---",
            "\u{85}nel",
            "\u{feff}bom",
            "[x]",
            "\u{2028}",
        ] {
            let mut w = YamlWriter::default();
            w.str("v", s);
            let text = String::from_utf8(w.finish()).unwrap();
            let doc: Doc = yaml_serde::from_str(&text).unwrap();
            assert_eq!(doc.v, s, "{text}");
        }
    }

    #[test]
    fn nested_string_maps_read_back() {
        #[derive(Deserialize)]
        struct Doc {
            a: std::collections::BTreeMap<String, String>,
            b: std::collections::BTreeMap<String, String>,
            c: i64,
        }
        let mut w = YamlWriter::default();
        w.str_map("a", [("1", "2"), ("yes", "x: y"), ("ü-ok_1", "3")])
            .str_map("b", [])
            .int("c", Some(1));
        let text = String::from_utf8(w.finish()).unwrap();
        assert_eq!(
            text,
            "a:\n  '1': '2'\n  'yes': 'x: y'\n  ü-ok_1: '3'\nb: {}\nc: 1\n"
        );
        let doc: Doc = yaml_serde::from_str(&text).unwrap();
        assert_eq!(doc.a["yes"], "x: y");
        assert_eq!(doc.a["1"], "2");
        assert!(doc.b.is_empty());
        assert_eq!(doc.c, 1);
    }

    #[test]
    fn meta_documents_empty_mapping_or_refused() {
        let meta = |text: &str| parse_meta::<ExperimentMeta>(text.as_bytes());
        for empty in ["", "\n", "---\n", "null\n", "~"] {
            assert!(matches!(meta(empty), Err(YamlProblem::Empty)), "{empty:?}");
        }
        let m = meta("\u{feff}name: x\nexperiment_id: '1'\ncreation_time: 5\n").unwrap();
        assert_eq!(m.name, Some(Some("x".into())));
        assert_eq!(m.creation_time, Some(5));
        assert_eq!(m.lifecycle_stage, None, "absent, not null");
        for (text, line, needle) in [
            ("just text", 1, NOT_A_MAPPING),
            ("- a\n- b\n", 1, NOT_A_MAPPING),
            ("name: x\ncreation_time: soon\n", 2, "invalid type"),
            ("name: x\nx: 'open\n", 3, "quoted scalar"),
            ("name: x\nname: y\n", 1, "duplicate"),
        ] {
            let Err(YamlProblem::Bad { line: got, detail }) = meta(text) else {
                panic!("{text:?} should be refused");
            };
            assert_eq!(got, line, "{text:?}: {detail}");
            assert!(detail.contains(needle), "{text:?}: {detail}");
        }
    }
}
