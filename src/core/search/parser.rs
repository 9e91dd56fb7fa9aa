//! Stage 2: tokens → clauses (the AST). Grammar-agnostic: which identifiers exist and
//! which operators and values suit them is decided by `entity` and `eval`.
//!
//! ```text
//! filter     := ε | condition (AND condition)*
//! condition  := ident op value | ident [NOT] IN list | ident IS [NOT] NULL
//! op         := = | != | < | <= | > | >= | LIKE | ILIKE
//! value      := number | 'string' | "string" | bare-word   (bare words fail later)
//! list       := ( string (, string)* [,] )
//! ident      := part (. part)*      parts glued, no spaces; part := word | `…` | "…"
//! order_by   := ident [ASC | DESC]
//! ```

use super::ast::{Clause, Ident, Op, OrderClause, Part, Value};
use super::lexer::{tokenize, Tok, Token};
use super::FilterError;

/// Words that end or join conditions and so cannot start an identifier.
const RESERVED: [&str; 8] = ["and", "or", "not", "in", "like", "ilike", "is", "null"];

const OPERATORS: &str = "=, !=, <, <=, >, >=, LIKE, ILIKE, IN, NOT IN, IS NULL";

struct Parser {
    src: Vec<char>,
    toks: Vec<Token>,
    next: usize,
}

impl Parser {
    fn new(src: &str) -> Result<Self, FilterError> {
        let src: Vec<char> = src.chars().collect();
        let toks = tokenize(&src)?;
        Ok(Parser { src, toks, next: 0 })
    }

    fn peek(&self) -> Option<&Token> {
        self.toks.get(self.next)
    }

    fn bump(&mut self) -> Option<Token> {
        let t = self.toks.get(self.next).cloned();
        self.next += usize::from(t.is_some());
        t
    }

    fn peek_keyword(&self, kw: &str) -> bool {
        self.peek().is_some_and(|t| t.is_keyword(kw))
    }

    /// Where the next token starts, or the end of input.
    fn here(&self) -> usize {
        self.peek().map_or(self.src.len(), |t| t.start)
    }

    fn text(&self, start: usize, end: usize) -> String {
        self.src[start..end].iter().collect()
    }

    /// The next token for "got …" messages: `'abc'` or `end of input`.
    fn got(&self) -> String {
        match self.peek() {
            None => "end of input".into(),
            Some(t) => {
                let s = self.text(t.start, t.end);
                if s.chars().count() > 40 {
                    format!("'{}…'", s.chars().take(40).collect::<String>())
                } else {
                    format!("'{s}'")
                }
            }
        }
    }

    fn error_here(&self, message: String) -> FilterError {
        FilterError::at(self.here(), message)
    }

    /// `part (. part)*`, where every dot and part is glued to what precedes it.
    fn ident(&mut self, what: &str) -> Result<Ident, FilterError> {
        let first = match self.peek() {
            Some(t) => match &t.tok {
                Tok::Word(w) if !RESERVED.iter().any(|r| w.eq_ignore_ascii_case(r)) => {
                    Some(w.clone())
                }
                Tok::Quoted {
                    text,
                    quote: '`' | '"',
                } => Some(text.clone()),
                _ => None,
            },
            None => None,
        };
        let Some(text) = first else {
            if matches!(
                self.peek(),
                Some(Token {
                    tok: Tok::LParen,
                    ..
                })
            ) {
                return Err(self.error_here(
                    "parentheses for grouping are not supported; MLflow filters are \
                     conditions joined by AND"
                        .into(),
                ));
            }
            return Err(self.error_here(format!(
                "expected {what} such as metrics.loss or params.lr, got {}",
                self.got()
            )));
        };
        let start = self.here();
        let mut end = self.bump().map_or(start, |t| t.end);
        let mut parts = vec![Part { text, start }];
        while let Some(dot) = self.peek().filter(|t| t.tok == Tok::Dot && t.start == end) {
            let dot_end = dot.end;
            self.bump();
            let part = self
                .peek()
                .filter(|t| t.start == dot_end)
                .and_then(|t| match &t.tok {
                    Tok::Word(w) => Some(w.clone()),
                    Tok::Quoted { text, .. } => Some(text.clone()),
                    _ => None,
                });
            let Some(text) = part else {
                let so_far = self.text(start, dot_end);
                return Err(FilterError::at(
                    dot_end,
                    format!(
                        "expected a key after '{so_far}', e.g. {so_far}loss; quote keys with \
                         spaces or symbols: {so_far}`my key`"
                    ),
                ));
            };
            end = self.bump().map_or(dot_end, |t| t.end);
            parts.push(Part {
                text,
                start: dot_end,
            });
        }
        Ok(Ident {
            parts,
            source: self.text(start, end),
            start,
        })
    }

    fn condition(&mut self) -> Result<Clause, FilterError> {
        let ident = self.ident("a condition")?;
        let op_pos = self.here();
        let no_op = |p: &Parser| {
            p.error_here(format!(
                "expected an operator ({OPERATORS}) after '{}', got {}",
                ident.source,
                p.got()
            ))
        };
        let Some(tok) = self.peek() else {
            return Err(no_op(self));
        };
        let op = match &tok.tok {
            Tok::Op(c) => Op::Cmp(*c),
            _ if tok.is_keyword("like") => Op::Like,
            _ if tok.is_keyword("ilike") => Op::ILike,
            _ if tok.is_keyword("in") => Op::In,
            _ if tok.is_keyword("not") => Op::NotIn,
            _ if tok.is_keyword("is") => Op::IsNull,
            _ => return Err(no_op(self)),
        };
        self.bump();
        let op = match op {
            Op::NotIn => self.not_in()?,
            Op::IsNull => self.is_null()?,
            op => op,
        };
        let op_end = self.toks[self.next - 1].end;
        let op_text = self.text(op_pos, op_end);
        let value_pos = self.here();
        let value = match op {
            Op::IsNull | Op::IsNotNull => Value::None,
            Op::In | Op::NotIn => self.list(&op_text)?,
            _ => self.scalar(&op_text)?,
        };
        let value_end = self.toks[..self.next]
            .last()
            .map_or(value_pos, |t| t.end.max(value_pos));
        Ok(Clause {
            ident,
            op,
            op_text,
            op_pos,
            value,
            value_text: self.text(value_pos, value_end),
            value_pos,
        })
    }

    fn not_in(&mut self) -> Result<Op, FilterError> {
        if self.peek_keyword("in") {
            self.bump();
            return Ok(Op::NotIn);
        }
        let hint = if self.peek_keyword("like") || self.peek_keyword("ilike") {
            "; NOT LIKE is not supported by MLflow (use != for an exact value)"
        } else {
            ""
        };
        Err(self.error_here(format!("expected IN after NOT, got {}{hint}", self.got())))
    }

    fn is_null(&mut self) -> Result<Op, FilterError> {
        let negated = self.peek_keyword("not");
        if negated {
            self.bump();
        }
        if !self.peek_keyword("null") {
            return Err(self.error_here(format!(
                "expected NULL after IS (IS NULL or IS NOT NULL), got {}",
                self.got()
            )));
        }
        self.bump();
        Ok(if negated { Op::IsNotNull } else { Op::IsNull })
    }

    fn scalar(&mut self, op_text: &str) -> Result<Value, FilterError> {
        let missing = |p: &Parser| {
            p.error_here(format!(
                "expected a value after '{op_text}', got {}",
                p.got()
            ))
        };
        let Some(tok) = self.peek() else {
            return Err(missing(self));
        };
        let value = match &tok.tok {
            Tok::Number(n) => Value::Number(*n),
            Tok::Quoted {
                text,
                quote: '\'' | '"',
            } => Value::Str(text.clone()),
            Tok::Quoted { .. } => Value::Bare(self.text(tok.start, tok.end)),
            Tok::Word(w) if !RESERVED.iter().any(|r| w.eq_ignore_ascii_case(r)) => {
                // A dotted bare word (`a.b`) is one value, reported whole later.
                let ident = self.ident("a value")?;
                return Ok(Value::Bare(ident.source));
            }
            Tok::LParen => {
                return Err(self.error_here(format!(
                    "a list in parentheses needs IN or NOT IN, not '{op_text}', e.g. \
                     params.model IN ('cnn', 'rnn')"
                )))
            }
            _ => return Err(missing(self)),
        };
        self.bump();
        Ok(value)
    }

    fn list(&mut self, op_text: &str) -> Result<Value, FilterError> {
        if !matches!(
            self.peek(),
            Some(Token {
                tok: Tok::LParen,
                ..
            })
        ) {
            return Err(self.error_here(format!(
                "expected a list after {op_text}, e.g. {op_text} ('a', 'b'), got {}",
                self.got()
            )));
        }
        let open = self.here();
        self.bump();
        let mut items = Vec::new();
        loop {
            let Some(tok) = self.peek() else {
                return Err(FilterError::at(
                    open,
                    "the list opened here is never closed; add ')'",
                ));
            };
            match &tok.tok {
                Tok::Quoted {
                    text,
                    quote: '\'' | '"',
                } => items.push(text.clone()),
                Tok::RParen if items.is_empty() => {
                    return Err(self.error_here(
                        "the list is empty; give at least one quoted value, e.g. ('a')".into(),
                    ))
                }
                Tok::RParen => break,
                _ => {
                    let typed = self.text(tok.start, tok.end);
                    return Err(self.error_here(format!(
                        "lists hold quoted strings; write '{typed}' instead of {typed}"
                    )));
                }
            }
            self.bump();
            match self.peek().map(|t| &t.tok) {
                Some(Tok::Comma) => {
                    self.bump();
                    if matches!(
                        self.peek(),
                        Some(Token {
                            tok: Tok::RParen,
                            ..
                        })
                    ) {
                        break; // a trailing comma, as Python tuples allow
                    }
                }
                Some(Tok::RParen) => break,
                None => {
                    return Err(FilterError::at(
                        open,
                        "the list opened here is never closed; add ')'",
                    ))
                }
                Some(_) => {
                    return Err(self.error_here(format!(
                        "expected ',' or ')' in the list, got {}",
                        self.got()
                    )))
                }
            }
        }
        self.bump(); // ')'
        Ok(Value::List(items))
    }
}

/// Parses a filter into its conditions; an empty or blank filter has none.
pub(crate) fn parse_filter(src: &str) -> Result<Vec<Clause>, FilterError> {
    let mut p = Parser::new(src)?;
    let mut clauses = Vec::new();
    if p.toks.is_empty() {
        return Ok(clauses);
    }
    loop {
        clauses.push(p.condition()?);
        let Some(tok) = p.peek() else {
            return Ok(clauses);
        };
        if tok.is_keyword("and") {
            p.bump();
            if p.peek().is_none() {
                return Err(p.error_here("expected a condition after AND, got end of input".into()));
            }
        } else if tok.is_keyword("or") {
            return Err(p.error_here(
                "MLflow filters do not support OR; join conditions with AND, or run one \
                 search per alternative"
                    .into(),
            ));
        } else {
            return Err(p.error_here(format!("expected AND between conditions, got {}", p.got())));
        }
    }
}

/// Parses one order-by clause: `ident [ASC|DESC]`.
pub(crate) fn parse_order_clause(src: &str) -> Result<OrderClause, FilterError> {
    let mut p = Parser::new(src)?;
    if p.toks.is_empty() {
        return Err(FilterError::at(
            0,
            "empty order_by clause; give a column such as metrics.loss DESC",
        ));
    }
    let ident = p.ident("a column")?;
    let ascending = match p.peek() {
        None => true,
        Some(t) if t.is_keyword("asc") => true,
        Some(t) if t.is_keyword("desc") => false,
        Some(_) => {
            return Err(p.error_here(format!(
                "expected ASC or DESC after '{}', got {}",
                ident.source,
                p.got()
            )))
        }
    };
    p.bump();
    if p.peek().is_some() {
        return Err(p.error_here(format!(
            "unexpected {} after the sort direction; give one column per order_by clause",
            p.got()
        )));
    }
    Ok(OrderClause { ident, ascending })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::search::lexer::CmpOp;

    fn err(s: &str) -> (usize, String) {
        let e = parse_filter(s).unwrap_err();
        (e.position, e.message)
    }

    #[test]
    fn conditions_joined_by_and() {
        let c = parse_filter(
            "metrics.loss < 0.5 and params.`a b` LIKE 'x%' AND status IN ('A', \"B\",)",
        )
        .unwrap();
        assert_eq!(c.len(), 3);
        assert_eq!(c[0].ident.source, "metrics.loss");
        assert_eq!(c[0].op, Op::Cmp(CmpOp::Lt));
        assert_eq!(c[0].value, Value::Number(0.5));
        assert_eq!(c[1].ident.key_after_prefix(), "a b");
        assert_eq!(c[1].op, Op::Like);
        assert_eq!(c[2].value, Value::List(vec!["A".into(), "B".into()]));
        assert!(parse_filter("   ").unwrap().is_empty());
    }

    #[test]
    fn null_and_not_in() {
        let c = parse_filter("tags.x IS NOT NULL AND params.y is null AND run_id NOT IN ('a')")
            .unwrap();
        assert_eq!(c[0].op, Op::IsNotNull);
        assert_eq!(c[1].op, Op::IsNull);
        assert_eq!(c[2].op, Op::NotIn);
        assert_eq!(c[2].op_text, "NOT IN");
        assert!(err("params.x NOT LIKE 'a'").1.contains("NOT LIKE"));
        assert_eq!(err("tags.x IS 'a'").0, 10);
    }

    #[test]
    fn dotted_keys_and_quoted_prefixes() {
        let c = parse_filter("tags.mlflow.runName = 'r' AND `metrics`.\"a.b\" > 1").unwrap();
        assert_eq!(c[0].ident.key_after_prefix(), "mlflow.runName");
        assert_eq!(c[1].ident.parts[0].text, "metrics");
        assert_eq!(c[1].ident.key_after_prefix(), "a.b");
        // Spaced dots are not one identifier.
        assert_eq!(err("metrics .x > 1").0, 8);
        assert_eq!(err("metrics. > 1").0, 8);
    }

    #[test]
    fn errors_point_at_the_problem() {
        let (pos, msg) = err("metrics.loss >");
        assert_eq!(pos, 14);
        assert_eq!(msg, "expected a value after '>', got end of input");
        assert_eq!(err("params.x = 1 OR").0, 13);
        assert!(err("a = 'x' OR b = 'y'").1.contains("do not support OR"));
        assert_eq!(err("metrics.x > 1 AND").0, 17);
        assert_eq!(err("metrics.x > 1 metrics.y > 2").0, 14);
        assert_eq!(err("metrics.x").0, 9);
        assert_eq!(err("(metrics.x > 1)").0, 0);
        assert_eq!(err("= 1").0, 0);
        assert_eq!(err("run_id IN 'a'").0, 10);
        assert_eq!(err("run_id IN ()").0, 11);
        assert_eq!(err("run_id IN ('a', 1)").0, 16);
        assert_eq!(err("run_id IN ('a'").0, 10);
        assert_eq!(err("params.x = ('a')").0, 11);
    }

    #[test]
    fn bare_values_are_kept_for_later() {
        let c = parse_filter("params.x = abc.def").unwrap();
        assert_eq!(c[0].value, Value::Bare("abc.def".into()));
        assert_eq!(c[0].value_text, "abc.def");
        assert_eq!(c[0].value_pos, 11);
    }

    #[test]
    fn order_clauses() {
        let o = parse_order_clause("metrics.acc DESC").unwrap();
        assert!(!o.ascending);
        assert_eq!(o.ident.key_after_prefix(), "acc");
        assert!(parse_order_clause("tags.`x y`").unwrap().ascending);
        assert!(parse_order_clause("run_name asc").unwrap().ascending);
        assert_eq!(
            parse_order_clause("metrics.acc DESCC")
                .unwrap_err()
                .position,
            12
        );
        assert_eq!(parse_order_clause("a DESC b").unwrap_err().position, 7);
        assert_eq!(parse_order_clause(" ").unwrap_err().position, 0);
    }
}
