//! The imports of an ES module, found without a full parser: a scanner that knows
//! comments, string, template and regex literals well enough never to mistake their
//! contents for code, then recognises `import … from "x"`, `import "x"`,
//! `export … from "x"` and `import("x")` with a plain string argument.
//!
//! Regex literals are told from division the usual way: a `/` where an expression
//! may start (after an operator, `(`, `,`, `{`, `}`, `;`, a keyword like `return`, or
//! at the start) begins a regex. Like every such heuristic it misreads rare code
//! (`if (x) /re/.test(y)`); literals end at a line end, so a misreading stays local.

use std::ops::Range;

use super::paths::{normalize, project_root};
use super::{invalid, Result};

/// One import a module makes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportRef {
    /// Byte range of the specifier's string literal, quotes included: replace it to
    /// point the import elsewhere.
    pub range: Range<usize>,
    /// The specifier (the literal's value, escapes decoded).
    pub specifier: String,
    /// `import("…")` rather than a static `import`/`export … from`.
    pub dynamic: bool,
}

/// Where an import specifier leads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Resolved {
    /// A file of the project: its normalised project-relative path.
    InProject(String),
    /// Anything else (a bare name, `/abs`, `https://…`, `data:`, `blob:`), as given:
    /// the browser resolves it.
    External(String),
}

/// Resolves an import made by the project file `from_path`: `./` and `../` specifiers
/// are files of the project (relative to the importing file's folder); everything else
/// is external. Refuses relative imports leaving the project, and query strings or
/// fragments on them (a zip has no file `a.js?v=1`).
pub fn resolve_import(from_path: &str, specifier: &str) -> Result<Resolved> {
    if !(specifier.starts_with("./") || specifier.starts_with("../")) {
        return Ok(Resolved::External(specifier.to_owned()));
    }
    let refuse = |why: &str| invalid(format!("'{from_path}' imports '{specifier}', which {why}."));
    if specifier.contains(['?', '#']) {
        return Err(refuse(
            "has a query or fragment; import project files by their plain path",
        ));
    }
    normalize(&format!("{}{specifier}", project_root(from_path)))
        .map(Resolved::InProject)
        .map_err(refuse)
}

/// Replaces each range of `source` with its text (e.g. a quoted Blob URL). The ranges
/// must be sorted, non-overlapping and on character boundaries, as
/// [`scan_imports`] gives them.
///
/// # Panics
///
/// If the ranges are not so: that is a bug in the caller, not bad input.
pub fn rewrite(source: &str, edits: &[(Range<usize>, String)]) -> String {
    let extra: usize = edits.iter().map(|(_, t)| t.len()).sum();
    let mut out = String::with_capacity(source.len() + extra);
    let mut at = 0;
    for (range, text) in edits {
        assert!(range.start >= at, "rewrite: edits overlap or are unsorted");
        out.push_str(&source[at..range.start]);
        out.push_str(text);
        at = range.end;
    }
    out.push_str(&source[at..]);
    out
}

/// Finds the imports of an ES module, in source order. Never panics; on code that is
/// not valid JavaScript it finds what it can.
pub fn scan_imports(source: &str) -> Vec<ImportRef> {
    let mut s = Scanner {
        src: source,
        b: source.as_bytes(),
        i: 0,
        regex_ok: true,
        after_dot: false,
        depth: 0,
        templates: Vec::new(),
        out: Vec::new(),
    };
    s.run();
    s.out
}

struct Scanner<'a> {
    src: &'a str,
    b: &'a [u8],
    i: usize,
    /// Whether a `/` here starts a regex literal.
    regex_ok: bool,
    /// Whether the last token was `.` or `?.` (so `import` is a property name).
    after_dot: bool,
    /// `{` nesting in code.
    depth: usize,
    /// For each open `${`, the `depth` at which its `}` closes it.
    templates: Vec<usize>,
    out: Vec<ImportRef>,
}

/// Keywords after which an expression (so a regex) may start.
const BEFORE_EXPRESSION: [&str; 16] = [
    "return",
    "typeof",
    "instanceof",
    "in",
    "of",
    "new",
    "delete",
    "void",
    "throw",
    "case",
    "do",
    "else",
    "yield",
    "await",
    "extends",
    "export",
];

impl<'a> Scanner<'a> {
    fn at(&self, i: usize) -> Option<u8> {
        self.b.get(i).copied()
    }

    fn run(&mut self) {
        if self.src.starts_with('\u{feff}') {
            self.i = 3;
        }
        if self.starts_at(self.i, "#!") {
            self.i = self.line_end(self.i);
        }
        while let Some(c) = self.at(self.i) {
            match c {
                b'/' if self.at(self.i + 1) == Some(b'/') => self.i = self.line_end(self.i),
                b'/' if self.at(self.i + 1) == Some(b'*') => self.i = self.comment_end(self.i),
                b'/' if self.regex_ok => {
                    self.i = self.regex_end(self.i);
                    self.value();
                }
                b'\'' | b'"' => {
                    let (end, _) = self.string_end(self.i);
                    self.i = end;
                    self.value();
                }
                b'`' => {
                    self.i += 1;
                    self.template();
                }
                b'{' => {
                    self.depth += 1;
                    self.punct(1, true);
                }
                b'}' => {
                    if self.templates.last() == Some(&self.depth) {
                        self.templates.pop();
                        self.i += 1;
                        self.template();
                    } else {
                        self.depth = self.depth.saturating_sub(1);
                        self.punct(1, true);
                    }
                }
                b')' | b']' => self.punct(1, false),
                b'.' if self.at(self.i + 1).is_some_and(|c| c.is_ascii_digit()) => self.number(),
                b'.' if self.starts_at(self.i, "...") => self.punct(3, true),
                b'.' => {
                    self.punct(1, true);
                    self.after_dot = true;
                }
                b'?' if self.at(self.i + 1) == Some(b'.')
                    && !self.at(self.i + 2).is_some_and(|c| c.is_ascii_digit()) =>
                {
                    self.punct(2, true);
                    self.after_dot = true;
                }
                b'0'..=b'9' => self.number(),
                b'#' if self.is_word_start(self.i + 1) => {
                    // A private name (`#import`) is never the keyword.
                    self.i = self.word_end(self.i + 1);
                    self.value();
                }
                c if c.is_ascii_whitespace() => self.i += 1,
                _ if self.is_word_start(self.i) => self.word(),
                _ if c >= 0x80 => {
                    // Non-ASCII whitespace (a word start was handled above).
                    self.i += self.char_len(self.i);
                }
                _ => self.punct(1, true),
            }
        }
    }

    fn punct(&mut self, len: usize, regex_ok: bool) {
        self.i += len;
        self.regex_ok = regex_ok;
        self.after_dot = false;
    }

    /// After a literal or name: a `/` now divides.
    fn value(&mut self) {
        self.regex_ok = false;
        self.after_dot = false;
    }

    fn number(&mut self) {
        while self
            .at(self.i)
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'.')
        {
            self.i += 1;
        }
        self.value();
    }

    fn word(&mut self) {
        let start = self.i;
        let end = self.word_end(start);
        let word = self.src.get(start..end).unwrap_or("");
        self.i = end;
        let keyword_here = !self.after_dot;
        self.regex_ok = BEFORE_EXPRESSION.contains(&word);
        self.after_dot = false;
        if keyword_here {
            match word {
                "import" => self.import(end),
                "export" => self.export(end),
                _ => {}
            }
        }
    }

    fn char_len(&self, i: usize) -> usize {
        self.src
            .get(i..)
            .and_then(|s| s.chars().next())
            .map_or(1, char::len_utf8)
    }

    fn is_word_start(&self, i: usize) -> bool {
        match self.at(i) {
            Some(c) if c < 0x80 => c.is_ascii_alphabetic() || c == b'_' || c == b'$',
            Some(_) => self
                .src
                .get(i..)
                .and_then(|s| s.chars().next())
                .is_some_and(|c| !c.is_whitespace()),
            None => false,
        }
    }

    fn word_end(&self, mut i: usize) -> usize {
        while let Some(c) = self.at(i) {
            if c.is_ascii_alphanumeric() || c == b'_' || c == b'$' {
                i += 1;
            } else if c >= 0x80 && self.is_word_start(i) {
                i += self.char_len(i);
            } else {
                break;
            }
        }
        i
    }

    fn line_end(&self, mut i: usize) -> usize {
        while self.at(i).is_some_and(|c| c != b'\n' && c != b'\r') {
            i += 1;
        }
        i
    }

    fn comment_end(&self, i: usize) -> usize {
        match self.src.get(i + 2..).and_then(|s| s.find("*/")) {
            Some(k) => i + 2 + k + 2,
            None => self.b.len(),
        }
    }

    /// Skips whitespace and comments.
    fn trivia(&self, mut i: usize) -> usize {
        loop {
            match self.at(i) {
                Some(c) if c.is_ascii_whitespace() => i += 1,
                Some(b'/') if self.at(i + 1) == Some(b'/') => i = self.line_end(i),
                Some(b'/') if self.at(i + 1) == Some(b'*') => i = self.comment_end(i),
                Some(c) if c >= 0x80 && !self.is_word_start(i) => i += self.char_len(i),
                _ => return i,
            }
        }
    }

    /// The end of the string literal at `i` and whether it was closed (an unclosed one
    /// ends at the line end).
    fn string_end(&self, i: usize) -> (usize, bool) {
        let Some(quote) = self.at(i) else {
            return (i, false);
        };
        let mut k = i + 1;
        loop {
            match self.at(k) {
                None | Some(b'\n' | b'\r') => return (k.min(self.b.len()), false),
                Some(b'\\') => {
                    k += if self.src.get(k + 1..).is_some_and(|s| s.starts_with("\r\n")) {
                        3
                    } else {
                        2
                    }
                }
                Some(c) if c == quote => return (k + 1, true),
                Some(_) => k += 1,
            }
        }
    }

    /// The string literal at `i` as an import specifier: its range and value.
    fn specifier(&self, i: usize) -> Option<(Range<usize>, String)> {
        if !matches!(self.at(i), Some(b'\'' | b'"')) {
            return None;
        }
        let (end, closed) = self.string_end(i);
        if !closed {
            return None;
        }
        let value = unescape(self.src.get(i + 1..end - 1)?)?;
        Some((i..end, value))
    }

    fn regex_end(&self, i: usize) -> usize {
        let mut k = i + 1;
        let mut in_class = false;
        loop {
            match self.at(k) {
                None | Some(b'\n' | b'\r') => return k.min(self.b.len()),
                Some(b'\\') => k += 2,
                Some(b'[') => {
                    in_class = true;
                    k += 1;
                }
                Some(b']') => {
                    in_class = false;
                    k += 1;
                }
                Some(b'/') if !in_class => return self.word_end(k + 1),
                Some(_) => k += 1,
            }
        }
    }

    /// Scans template text from `self.i` to the closing backtick or a `${`.
    fn template(&mut self) {
        loop {
            match self.at(self.i) {
                None => return,
                Some(b'`') => {
                    self.i += 1;
                    self.value();
                    return;
                }
                Some(b'\\') => self.i += 2,
                Some(b'$') if self.at(self.i + 1) == Some(b'{') => {
                    self.i += 2;
                    self.templates.push(self.depth);
                    self.regex_ok = true;
                    self.after_dot = false;
                    return;
                }
                Some(_) => self.i += 1,
            }
        }
    }

    fn found(&mut self, range: Range<usize>, specifier: String, dynamic: bool) {
        self.i = range.end;
        self.value();
        self.out.push(ImportRef {
            range,
            specifier,
            dynamic,
        });
    }

    /// After the keyword `import` (ending at `k`). On anything that is not an import
    /// (`import.meta`, `import(x + y)`), the main loop goes on after the keyword.
    fn import(&mut self, k: usize) {
        let k = self.trivia(k);
        match self.at(k) {
            Some(b'(') => {
                let s = self.trivia(k + 1);
                if let Some((range, spec)) = self.specifier(s) {
                    if matches!(self.at(self.trivia(range.end)), Some(b')' | b',')) {
                        self.found(range, spec, true);
                    }
                }
            }
            Some(b'\'' | b'"') => {
                if let Some((range, spec)) = self.specifier(k) {
                    self.found(range, spec, false);
                }
            }
            _ => {
                // import [defer|source] [x][,] [* as ns | {a, b as c}] from "…"
                let mut k = k;
                loop {
                    k = self.trivia(k);
                    match self.at(k) {
                        Some(b'*' | b',') => k += 1,
                        Some(b'{') => match self.braces(k) {
                            Some(end) => k = end,
                            None => return,
                        },
                        _ if self.is_word_start(k) => {
                            let end = self.word_end(k);
                            if self.src.get(k..end) == Some("from") && self.from(end) {
                                return;
                            }
                            k = end;
                        }
                        _ => return,
                    }
                }
            }
        }
    }

    /// After the keyword `export` (ending at `k`): `export * [as x] from "…"` and
    /// `export {…} from "…"`.
    fn export(&mut self, k: usize) {
        let mut k = self.trivia(k);
        match self.at(k) {
            Some(b'*') => {
                k = self.trivia(k + 1);
                if self.starts_at(k, "as") && !self.is_word_part(k + 2) {
                    k = self.trivia(k + 2);
                    if let Some((range, _)) = self.specifier(k) {
                        k = range.end;
                    } else if self.is_word_start(k) {
                        k = self.word_end(k);
                    } else {
                        return;
                    }
                }
            }
            Some(b'{') => match self.braces(k) {
                Some(end) => k = end,
                None => return,
            },
            _ => return,
        }
        k = self.trivia(k);
        if self.starts_at(k, "from") && !self.is_word_part(k + 4) {
            self.from(k + 4);
        }
    }

    fn starts_at(&self, i: usize, text: &str) -> bool {
        self.src.get(i..).is_some_and(|s| s.starts_with(text))
    }

    fn is_word_part(&self, i: usize) -> bool {
        self.is_word_start(i) || self.at(i).is_some_and(|c| c.is_ascii_digit())
    }

    /// After `from` (ending at `k`): records the specifier if a string follows.
    fn from(&mut self, k: usize) -> bool {
        match self.specifier(self.trivia(k)) {
            Some((range, spec)) => {
                self.found(range, spec, false);
                true
            }
            None => false,
        }
    }

    /// `{ a, b as c, "d" as e, default as f }` at `k`: the index after `}`.
    fn braces(&self, k: usize) -> Option<usize> {
        let mut k = k + 1;
        loop {
            k = self.trivia(k);
            match self.at(k)? {
                b'}' => return Some(k + 1),
                b',' => k += 1,
                b'\'' | b'"' => k = self.specifier(k)?.0.end,
                _ if self.is_word_start(k) => k = self.word_end(k),
                _ => return None,
            }
        }
    }
}

/// A string literal's value (ES module code is strict: no octal escapes), or `None`
/// for a malformed escape.
fn unescape(raw: &str) -> Option<String> {
    if !raw.contains('\\') {
        return Some(raw.to_owned());
    }
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next()? {
            'n' => out.push('\n'),
            't' => out.push('\t'),
            'r' => out.push('\r'),
            'b' => out.push('\u{8}'),
            'f' => out.push('\u{c}'),
            'v' => out.push('\u{b}'),
            '0' if !chars.peek().is_some_and(char::is_ascii_digit) => out.push('\0'),
            '1'..='9' | '0' => return None,
            'x' => {
                let h: String = [chars.next()?, chars.next()?].iter().collect();
                if !h.chars().all(|c| c.is_ascii_hexdigit()) {
                    return None;
                }
                out.push(char::from(u8::from_str_radix(&h, 16).ok()?));
            }
            'u' => {
                let unit = unicode_escape(&mut chars)?;
                if (0xD800..0xDC00).contains(&unit) {
                    // A surrogate pair: `\uD83D\uDE00`.
                    if chars.next()? != '\\' || chars.next()? != 'u' {
                        return None;
                    }
                    let low = unicode_escape(&mut chars)?;
                    if !(0xDC00..0xE000).contains(&low) {
                        return None;
                    }
                    out.push(char::from_u32(
                        0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00),
                    )?);
                } else {
                    out.push(char::from_u32(unit)?);
                }
            }
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
            }
            '\n' | '\u{2028}' | '\u{2029}' => {}
            other => out.push(other),
        }
    }
    Some(out)
}

/// The code point of `XXXX` or `{X…}` after `\u`.
fn unicode_escape(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> Option<u32> {
    let hex: String = if chars.peek() == Some(&'{') {
        chars.next();
        let mut h = String::new();
        loop {
            match chars.next()? {
                '}' => break,
                c if h.len() < 8 => h.push(c),
                _ => return None,
            }
        }
        h
    } else {
        (0..4).map(|_| chars.next()).collect::<Option<String>>()?
    };
    if hex.is_empty() || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    u32::from_str_radix(&hex, 16).ok()
}
