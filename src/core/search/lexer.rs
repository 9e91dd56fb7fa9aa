//! Stage 1: a filter or order-by string → tokens carrying 0-based char positions.
//!
//! Keywords (`AND`, `IN`, `LIKE`, …) stay plain words here; the parser reads them in
//! context, so `params.in` is an ordinary key.

use super::FilterError;

/// A comparison operator between an identifier and a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CmpOp {
    /// `=`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl CmpOp {
    /// Applies the operator with IEEE semantics: a NaN side makes all but `!=` false.
    pub(crate) fn holds(self, lhs: f64, rhs: f64) -> bool {
        match self {
            CmpOp::Eq => lhs == rhs,
            CmpOp::Ne => lhs != rhs,
            CmpOp::Lt => lhs < rhs,
            CmpOp::Le => lhs <= rhs,
            CmpOp::Gt => lhs > rhs,
            CmpOp::Ge => lhs >= rhs,
        }
    }
}

/// What a token is.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Tok {
    /// A bare run of key characters: a prefix, key segment, keyword or unquoted value.
    Word(String),
    /// Text between `'`, `"` or `` ` ``, unescaped.
    Quoted {
        /// The unescaped content.
        text: String,
        /// The quote character used.
        quote: char,
    },
    /// A numeric literal: int, float, scientific, optionally negative.
    Number(f64),
    /// A comparison operator.
    Op(CmpOp),
    /// `.` between identifier segments.
    Dot,
    /// `,` in an `IN` list.
    Comma,
    /// `(`
    LParen,
    /// `)`
    RParen,
}

/// A token and the chars `start..end` it spans in the source.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Token {
    /// What it is.
    pub(crate) tok: Tok,
    /// First char (0-based).
    pub(crate) start: usize,
    /// One past the last char.
    pub(crate) end: usize,
}

impl Token {
    /// Whether this is the word `kw`, in any case.
    pub(crate) fn is_keyword(&self, kw: &str) -> bool {
        matches!(&self.tok, Tok::Word(w) if w.eq_ignore_ascii_case(kw))
    }
}

/// Characters an unquoted key segment may contain after its first one.
pub(crate) fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '-' | '/' | ':')
}

/// Splits `src` into tokens.
pub(crate) fn tokenize(src: &[char]) -> Result<Vec<Token>, FilterError> {
    let mut out: Vec<Token> = Vec::new();
    let mut i = 0;
    while i < src.len() {
        let c = src[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        let prev = out.last().filter(|t| t.end == i).map(|t| &t.tok);
        // `metrics.1x`: a segment right after a glued '.' is a key, never a number.
        let after_dot = prev == Some(&Tok::Dot);
        let glued_to_ident = matches!(prev, Some(Tok::Word(_) | Tok::Quoted { .. }));
        let next = src.get(i + 1).copied();
        let tok = match c {
            '\'' | '"' | '`' => {
                let (text, end) = lex_quoted(src, i)?;
                i = end;
                Tok::Quoted { text, quote: c }
            }
            '.' if glued_to_ident || !next.is_some_and(|n| n.is_ascii_digit()) => {
                i += 1;
                Tok::Dot
            }
            '(' | ')' | ',' => {
                i += 1;
                match c {
                    '(' => Tok::LParen,
                    ')' => Tok::RParen,
                    _ => Tok::Comma,
                }
            }
            '=' | '!' | '<' | '>' => {
                let (op, len) = lex_operator(c, next, i)?;
                i += len;
                Tok::Op(op)
            }
            c if after_dot && is_word_char(c) => {
                i = word_end(src, i);
                Tok::Word(src[start..i].iter().collect())
            }
            c if c.is_ascii_digit() || (matches!(c, '-' | '.') && starts_number(src, i)) => {
                let (n, end) = lex_number(src, i)?;
                i = end;
                Tok::Number(n)
            }
            c if c.is_alphabetic() || c == '_' => {
                i = word_end(src, i);
                Tok::Word(src[start..i].iter().collect())
            }
            _ => {
                return Err(FilterError::at(
                    i,
                    format!(
                        "unexpected character '{c}'; quote values ('…') and keys with \
                         symbols (`…`)"
                    ),
                ))
            }
        };
        out.push(Token { tok, start, end: i });
    }
    Ok(out)
}

fn word_end(src: &[char], mut i: usize) -> usize {
    while i < src.len() && is_word_char(src[i]) {
        i += 1;
    }
    i
}

fn lex_operator(c: char, next: Option<char>, pos: usize) -> Result<(CmpOp, usize), FilterError> {
    Ok(match (c, next) {
        ('=', Some('=')) => {
            return Err(FilterError::at(
                pos,
                "'==' is not an operator here; use '='",
            ))
        }
        ('=', _) => (CmpOp::Eq, 1),
        ('!', Some('=')) => (CmpOp::Ne, 2),
        ('!', _) => {
            return Err(FilterError::at(
                pos,
                "unexpected '!'; use '!=' for not-equal",
            ))
        }
        ('<', Some('=')) => (CmpOp::Le, 2),
        ('<', Some('>')) => return Err(FilterError::at(pos, "'<>' is not supported; use '!='")),
        ('<', _) => (CmpOp::Lt, 1),
        ('>', Some('=')) => (CmpOp::Ge, 2),
        _ => (CmpOp::Gt, 1),
    })
}

/// Whether a number starts at `i` (`-1`, `-.5`, `.5`); `src[i]` is `-` or `.`.
fn starts_number(src: &[char], i: usize) -> bool {
    let digit_at = |j: usize| src.get(j).is_some_and(|c| c.is_ascii_digit());
    match src[i] {
        '-' => digit_at(i + 1) || (src.get(i + 1) == Some(&'.') && digit_at(i + 2)),
        _ => digit_at(i + 1),
    }
}

/// Lexes `-?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?`, refusing trailing letters (`1abc`).
fn lex_number(src: &[char], start: usize) -> Result<(f64, usize), FilterError> {
    let digits = |mut j: usize| {
        while j < src.len() && src[j].is_ascii_digit() {
            j += 1;
        }
        j
    };
    let mut j = start;
    if src[j] == '-' {
        j += 1;
    }
    j = digits(j);
    if src.get(j) == Some(&'.') {
        j = digits(j + 1);
    }
    if matches!(src.get(j), Some('e' | 'E')) {
        let mut k = j + 1;
        if matches!(src.get(k), Some('+' | '-')) {
            k += 1;
        }
        if src.get(k).is_some_and(|c| c.is_ascii_digit()) {
            j = digits(k);
        }
    }
    if src
        .get(j)
        .is_some_and(|&c| c.is_alphanumeric() || c == '_' || c == '.')
    {
        let mut end = j;
        while end < src.len() && (is_word_char(src[end]) || src[end] == '.') {
            end += 1;
        }
        let text: String = src[start..end].iter().collect();
        return Err(FilterError::at(
            start,
            format!("'{text}' is not a number; if it is a string, quote it: '{text}'"),
        ));
    }
    let text: String = src[start..j].iter().collect();
    let n = text
        .parse::<f64>()
        .map_err(|_| FilterError::at(start, format!("'{text}' is not a number")))?;
    Ok((n, j))
}

/// Lexes a quoted string or key starting at `open`; returns its text and end.
fn lex_quoted(src: &[char], open: usize) -> Result<(String, usize), FilterError> {
    let q = src[open];
    let mut text = String::new();
    let mut j = open + 1;
    while j < src.len() {
        let c = src[j];
        if c == q {
            if q != '`' && src.get(j + 1) == Some(&q) {
                text.push(q);
                j += 2;
                continue;
            }
            return Ok((text, j + 1));
        }
        if c == '\\' && q != '`' && matches!(src.get(j + 1), Some(&n) if n == q || n == '\\') {
            text.push(src[j + 1]);
            j += 2;
            continue;
        }
        text.push(c);
        j += 1;
    }
    let what = if q == '`' { "quoted key" } else { "string" };
    Err(FilterError::at(
        open,
        format!("unterminated {what}: the {q} opened here is never closed; add a closing {q}"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<Tok> {
        let chars: Vec<char> = s.chars().collect();
        tokenize(&chars)
            .unwrap()
            .into_iter()
            .map(|t| t.tok)
            .collect()
    }

    fn err(s: &str) -> FilterError {
        let chars: Vec<char> = s.chars().collect();
        tokenize(&chars).unwrap_err()
    }

    fn w(s: &str) -> Tok {
        Tok::Word(s.into())
    }

    #[test]
    fn identifiers_split_on_glued_dots() {
        assert_eq!(
            toks("tags.mlflow.runName"),
            vec![w("tags"), Tok::Dot, w("mlflow"), Tok::Dot, w("runName")]
        );
        assert_eq!(toks("metrics.1x"), vec![w("metrics"), Tok::Dot, w("1x")]);
        assert_eq!(
            toks("metrics.`a b`"),
            vec![
                w("metrics"),
                Tok::Dot,
                Tok::Quoted {
                    text: "a b".into(),
                    quote: '`'
                }
            ]
        );
        assert_eq!(
            toks("params.train/lr-x"),
            vec![w("params"), Tok::Dot, w("train/lr-x")]
        );
    }

    #[test]
    fn numbers_in_every_spelling() {
        for (s, n) in [
            ("1", 1.0),
            ("-2", -2.0),
            ("0.5", 0.5),
            (".5", 0.5),
            ("-.5", -0.5),
            ("5.", 5.0),
            ("1e-3", 1e-3),
            ("2.5E+2", 250.0),
        ] {
            assert_eq!(toks(s), vec![Tok::Number(n)], "{s}");
        }
        assert_eq!(
            toks("x>-1"),
            vec![w("x"), Tok::Op(CmpOp::Gt), Tok::Number(-1.0)]
        );
        assert_eq!(err("x > 1abc").position, 4);
        assert_eq!(err("x > 1.2.3").position, 4);
    }

    #[test]
    fn operators_and_positions() {
        let chars: Vec<char> = "a>=1 AND b!='é'".chars().collect();
        let t = tokenize(&chars).unwrap();
        let spans: Vec<(usize, usize)> = t.iter().map(|t| (t.start, t.end)).collect();
        assert_eq!(
            spans,
            vec![(0, 1), (1, 3), (3, 4), (5, 8), (9, 10), (10, 12), (12, 15)]
        );
        assert_eq!(err("a == 1").position, 2);
        assert!(err("a <> 1").message.contains("!="));
        assert_eq!(err("a # 1").position, 2);
    }

    #[test]
    fn strings_unescape_and_report_unterminated() {
        let q = |text: &str, quote| Tok::Quoted {
            text: text.into(),
            quote,
        };
        assert_eq!(toks("'it''s'"), vec![q("it's", '\'')]);
        assert_eq!(toks(r"'it\'s'"), vec![q("it's", '\'')]);
        assert_eq!(toks(r"'C:\dir\\x'"), vec![q(r"C:\dir\x", '\'')]);
        assert_eq!(toks("\"a 'b'\""), vec![q("a 'b'", '"')]);
        assert_eq!(toks("''"), vec![q("", '\'')]);
        let e = err("params.x = 'abc");
        assert_eq!(e.position, 11);
        assert!(e.message.contains("unterminated string"), "{e}");
        assert!(err("metrics.`abc = 1").message.contains("quoted key"));
    }
}
