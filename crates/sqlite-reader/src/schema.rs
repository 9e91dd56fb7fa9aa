//! A table's columns from its `CREATE TABLE` statement, as SQLite derives them: names
//! (quoted or not), the declared type's affinity, which column is the rowid alias,
//! and the `DEFAULT` a row written before an `ALTER TABLE ADD COLUMN` reads.

use crate::Value;

/// A column's type affinity (SQLite's rules on the declared type, §3.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Affinity {
    /// Declared type contains `INT`.
    Integer,
    /// `CHAR`, `CLOB` or `TEXT`.
    Text,
    /// `BLOB` or no type.
    Blob,
    /// `REAL`, `FLOA` or `DOUB`: integral values are stored as integers and read as
    /// floats.
    Real,
    /// Anything else (`NUMERIC`, `DECIMAL`, `BOOLEAN`, `DATETIME`, …).
    Numeric,
}

impl Affinity {
    /// The affinity of a declared type.
    pub fn of(declared: &str) -> Affinity {
        let t = declared.to_ascii_uppercase();
        if t.contains("INT") {
            Affinity::Integer
        } else if t.contains("CHAR") || t.contains("CLOB") || t.contains("TEXT") {
            Affinity::Text
        } else if t.contains("BLOB") || t.trim().is_empty() {
            Affinity::Blob
        } else if t.contains("REAL") || t.contains("FLOA") || t.contains("DOUB") {
            Affinity::Real
        } else {
            Affinity::Numeric
        }
    }

    /// `value` as a column of this affinity stores it (used for defaults).
    pub(crate) fn apply(self, value: Value) -> Value {
        match (self, value) {
            (Affinity::Text, Value::Integer(i)) => Value::Text(i.to_string()),
            (Affinity::Text, Value::Real(r)) => Value::Text(format!("{r:?}")),
            (Affinity::Integer | Affinity::Numeric, Value::Text(s)) => {
                numeric(&s).unwrap_or(Value::Text(s))
            }
            (Affinity::Integer | Affinity::Numeric, Value::Real(r)) => integral(r),
            (Affinity::Real, Value::Text(s)) => match numeric(&s) {
                Some(Value::Integer(i)) => Value::Real(i as f64),
                Some(v) => v,
                None => Value::Text(s),
            },
            (Affinity::Real, Value::Integer(i)) => Value::Real(i as f64),
            (_, v) => v,
        }
    }
}

/// A float as NUMERIC affinity keeps it: an integer when it is one exactly.
fn integral(r: f64) -> Value {
    if r.fract() == 0.0 && r.abs() < 9.0e18 {
        Value::Integer(r as i64)
    } else {
        Value::Real(r)
    }
}

/// Text that is a well-formed number, as a number (NUMERIC affinity's conversion).
fn numeric(s: &str) -> Option<Value> {
    let t = s.trim();
    if let Ok(i) = t.parse::<i64>() {
        return Some(Value::Integer(i));
    }
    let looks_numeric = !t.is_empty()
        && t.bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-'));
    looks_numeric
        .then(|| t.parse::<f64>().ok())
        .flatten()
        .map(integral)
}

/// One column of a table.
#[derive(Clone, Debug, PartialEq)]
pub struct Column {
    /// The name, unquoted.
    pub name: String,
    /// The declared type as written (`VARCHAR(250)`), or empty.
    pub declared: String,
    /// Its affinity.
    pub affinity: Affinity,
    /// The `DEFAULT` clause, when it is a literal this reader understands; `Err` holds
    /// the clause for the message if a row needs it.
    pub default: Result<Value, String>,
}

/// A table as its `CREATE TABLE` statement declares it.
#[derive(Clone, Debug, PartialEq)]
pub struct TableDef {
    /// Columns in declaration order (the order of a record's values).
    pub columns: Vec<Column>,
    /// The `INTEGER PRIMARY KEY` column, which holds the rowid (its record value is NULL).
    pub rowid_alias: Option<usize>,
    /// `WITHOUT ROWID` (stored as an index b-tree; not read here).
    pub without_rowid: bool,
    /// Has generated columns (virtual ones are not stored, so records do not line up).
    pub generated: bool,
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    /// An identifier or keyword; `true` when it was quoted.
    Word(String, bool),
    Str(String),
    Num(String),
    Punct(char),
}

fn tokens(sql: &str) -> Result<Vec<Tok>, String> {
    let chars: Vec<char> = sql.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let closing = |open: char| match open {
        '"' => '"',
        '`' => '`',
        '[' => ']',
        _ => '\'',
    };
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '-' && chars.get(i + 1) == Some(&'-') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && chars.get(i + 1) == Some(&'*') {
            i += 2;
            while i < chars.len() && !(chars[i] == '*' && chars.get(i + 1) == Some(&'/')) {
                i += 1;
            }
            i += 2;
        } else if matches!(c, '"' | '`' | '[' | '\'') {
            let close = closing(c);
            let mut text = String::new();
            i += 1;
            loop {
                match chars.get(i) {
                    None => return Err("an unterminated quote".into()),
                    Some(&ch) if ch == close => {
                        if close != ']' && chars.get(i + 1) == Some(&close) {
                            text.push(close);
                            i += 2;
                        } else {
                            i += 1;
                            break;
                        }
                    }
                    Some(&ch) => {
                        text.push(ch);
                        i += 1;
                    }
                }
            }
            out.push(if c == '\'' {
                Tok::Str(text)
            } else {
                Tok::Word(text, true)
            });
        } else if c.is_ascii_digit()
            || (c == '.' && chars.get(i + 1).is_some_and(char::is_ascii_digit))
        {
            let start = i;
            while i < chars.len()
                && (chars[i].is_ascii_alphanumeric()
                    || chars[i] == '.'
                    || ((chars[i] == '+' || chars[i] == '-')
                        && matches!(chars[i - 1], 'e' | 'E')
                        && !chars[start..i].iter().any(|c| matches!(c, 'x' | 'X'))))
            {
                i += 1;
            }
            out.push(Tok::Num(chars[start..i].iter().collect()));
        } else if c.is_alphanumeric() || c == '_' || c == '$' || !c.is_ascii() {
            let start = i;
            while i < chars.len()
                && (chars[i].is_alphanumeric()
                    || chars[i] == '_'
                    || chars[i] == '$'
                    || !chars[i].is_ascii())
            {
                i += 1;
            }
            out.push(Tok::Word(chars[start..i].iter().collect(), false));
        } else {
            out.push(Tok::Punct(c));
            i += 1;
        }
    }
    Ok(out)
}

fn is_kw(t: &Tok, kw: &str) -> bool {
    matches!(t, Tok::Word(w, false) if w.eq_ignore_ascii_case(kw))
}

/// Words that end a column's type name and start its constraints.
const CONSTRAINT_WORDS: [&str; 11] = [
    "CONSTRAINT",
    "PRIMARY",
    "NOT",
    "NULL",
    "UNIQUE",
    "CHECK",
    "DEFAULT",
    "COLLATE",
    "REFERENCES",
    "GENERATED",
    "AS",
];

/// Parses a `CREATE TABLE` statement.
pub(crate) fn parse_create_table(sql: &str) -> Result<TableDef, String> {
    let toks = tokens(sql)?;
    let open = toks
        .iter()
        .position(|t| *t == Tok::Punct('('))
        .ok_or("no column list")?;
    // Items of the column list: comma-separated at depth 1.
    let mut items: Vec<&[Tok]> = Vec::new();
    let (mut depth, mut start, mut close) = (0usize, open + 1, None);
    for (i, t) in toks.iter().enumerate().skip(open) {
        match t {
            Tok::Punct('(') => depth += 1,
            Tok::Punct(')') => {
                depth -= 1;
                if depth == 0 {
                    items.push(&toks[start..i]);
                    close = Some(i);
                    break;
                }
            }
            Tok::Punct(',') if depth == 1 => {
                items.push(&toks[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    let close = close.ok_or("an unclosed column list")?;
    let tail = &toks[close + 1..];
    let without_rowid = tail
        .windows(2)
        .any(|w| is_kw(&w[0], "WITHOUT") && is_kw(&w[1], "ROWID"));

    let mut columns = Vec::new();
    let mut pk_column: Option<(usize, bool)> = None; // (index, DESC)
    let mut table_pk: Option<Vec<String>> = None;
    let mut generated = false;
    for item in items {
        let Some(first) = item.first() else {
            return Err("an empty column definition".into());
        };
        let table_constraint = ["CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN"]
            .iter()
            .any(|kw| is_kw(first, kw));
        if table_constraint {
            if let Some(p) = item
                .windows(2)
                .position(|w| is_kw(&w[0], "PRIMARY") && is_kw(&w[1], "KEY"))
            {
                table_pk = Some(paren_names(&item[p + 2..]));
            }
            continue;
        }
        let name = match first {
            Tok::Word(w, _) | Tok::Str(w) => w.clone(),
            _ => return Err(format!("a column definition starting with {first:?}")),
        };
        // The type: words (and a parenthesized size) up to the first constraint word.
        let mut at = 1;
        let mut declared = Vec::new();
        while let Some(t) = item.get(at) {
            match t {
                Tok::Word(w, false)
                    if CONSTRAINT_WORDS.iter().any(|k| w.eq_ignore_ascii_case(k)) =>
                {
                    break
                }
                Tok::Word(w, _) => declared.push(w.clone()),
                Tok::Punct('(') => {
                    let end = item[at..]
                        .iter()
                        .position(|t| *t == Tok::Punct(')'))
                        .map_or(item.len(), |p| at + p);
                    let inner: Vec<String> = item[at + 1..end.min(item.len())]
                        .iter()
                        .map(|t| match t {
                            Tok::Num(n) | Tok::Word(n, _) | Tok::Str(n) => n.clone(),
                            Tok::Punct(c) => c.to_string(),
                        })
                        .collect();
                    if let Some(last) = declared.last_mut() {
                        last.push_str(&format!("({})", inner.join("")));
                    }
                    at = end;
                }
                _ => break,
            }
            at += 1;
        }
        let declared = declared.join(" ");
        let affinity = Affinity::of(&declared);
        let mut default = Ok(Value::Null);
        let rest = &item[at.min(item.len())..];
        let mut k = 0;
        while k < rest.len() {
            let t = &rest[k];
            if is_kw(t, "PRIMARY") && rest.get(k + 1).is_some_and(|t| is_kw(t, "KEY")) {
                let desc = rest.get(k + 2).is_some_and(|t| is_kw(t, "DESC"));
                pk_column = Some((columns.len(), desc));
            } else if is_kw(t, "DEFAULT") {
                default = default_value(&rest[k + 1..]).map(|v| affinity.apply(v));
            } else if is_kw(t, "GENERATED") || is_kw(t, "AS") {
                generated = true;
            }
            k += 1;
        }
        columns.push(Column {
            name,
            declared,
            affinity,
            default,
        });
    }
    if columns.is_empty() {
        return Err("no columns".into());
    }
    let integer = |i: usize| columns[i].declared.eq_ignore_ascii_case("INTEGER");
    let rowid_alias = if without_rowid {
        None
    } else if let Some((i, desc)) = pk_column {
        (integer(i) && !desc).then_some(i)
    } else if let Some([only]) = table_pk.as_deref() {
        columns
            .iter()
            .position(|c| c.name.eq_ignore_ascii_case(only))
            .filter(|&i| integer(i))
    } else {
        None
    };
    Ok(TableDef {
        columns,
        rowid_alias,
        without_rowid,
        generated,
    })
}

/// The names in `( a, "b" ASC, … )` at the start of `toks`.
fn paren_names(toks: &[Tok]) -> Vec<String> {
    let mut names = Vec::new();
    let mut expect_name = true;
    for t in toks.iter().skip(1) {
        match t {
            Tok::Punct(')') => break,
            Tok::Punct(',') => expect_name = true,
            Tok::Word(w, _) | Tok::Str(w) if expect_name => {
                names.push(w.clone());
                expect_name = false;
            }
            _ => {}
        }
    }
    names
}

/// The value of a `DEFAULT` clause: a literal, a signed number, or a parenthesized
/// literal. Anything else (`CURRENT_TIMESTAMP`, expressions) is kept as text for the
/// message of a row that needs it.
fn default_value(toks: &[Tok]) -> Result<Value, String> {
    let mut t = toks;
    while let [Tok::Punct('('), rest @ ..] = t {
        t = rest;
    }
    let (sign, t) = match t {
        [Tok::Punct('-'), rest @ ..] => (-1, rest),
        [Tok::Punct('+'), rest @ ..] => (1, rest),
        _ => (1, t),
    };
    let shown = || {
        toks.iter()
            .take_while(|t| !matches!(t, Tok::Word(w, false) if CONSTRAINT_WORDS.iter().any(|k| w.eq_ignore_ascii_case(k))))
            .map(|t| format!("{t:?}"))
            .collect::<Vec<_>>()
            .join(" ")
    };
    match t.first() {
        Some(Tok::Num(n)) => number(n, sign).ok_or_else(shown),
        Some(Tok::Str(s)) if sign == 1 => Ok(Value::Text(s.clone())),
        Some(Tok::Word(w, false)) if w.eq_ignore_ascii_case("NULL") => Ok(Value::Null),
        Some(Tok::Word(w, false)) if w.eq_ignore_ascii_case("TRUE") => Ok(Value::Integer(1)),
        Some(Tok::Word(w, false)) if w.eq_ignore_ascii_case("FALSE") => Ok(Value::Integer(0)),
        _ => Err(shown()),
    }
}

fn number(n: &str, sign: i64) -> Option<Value> {
    if let Some(hex) = n.strip_prefix("0x").or_else(|| n.strip_prefix("0X")) {
        return u64::from_str_radix(hex, 16)
            .ok()
            .map(|v| Value::Integer((v as i64).wrapping_mul(sign)));
    }
    if let Ok(i) = n.parse::<i64>() {
        return Some(Value::Integer(i * sign));
    }
    n.parse::<f64>().ok().map(|f| Value::Real(f * sign as f64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mlflow_tables_parse_with_quoted_names_and_rowid_aliases() {
        let t = parse_create_table(
            "CREATE TABLE \"metrics\" (\n\t\"key\" VARCHAR(250) NOT NULL, \n\tvalue FLOAT NOT NULL, \n\t\
             timestamp BIGINT NOT NULL, \n\trun_uuid VARCHAR(32) NOT NULL, \n\tstep BIGINT DEFAULT '0' NOT \
             NULL, \n\tis_nan BOOLEAN DEFAULT '0' NOT NULL, \n\tCONSTRAINT metric_pk PRIMARY KEY (\"key\", \
             timestamp, step, run_uuid, value, is_nan), \n\tFOREIGN KEY(run_uuid) REFERENCES runs (run_uuid), \
             \n\tCHECK (is_nan IN (0, 1))\n)",
        )
        .unwrap();
        let names: Vec<&str> = t.columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            ["key", "value", "timestamp", "run_uuid", "step", "is_nan"]
        );
        assert_eq!(t.columns[1].affinity, Affinity::Real);
        assert_eq!(t.columns[0].declared, "VARCHAR(250)");
        assert_eq!(t.columns[4].default, Ok(Value::Integer(0)));
        assert_eq!(t.columns[5].affinity, Affinity::Numeric);
        assert_eq!(t.rowid_alias, None);

        let e = parse_create_table(
            "CREATE TABLE \"experiments\" (experiment_id INTEGER NOT NULL, name VARCHAR(256) NOT NULL, \
             CONSTRAINT experiment_pk PRIMARY KEY (experiment_id))",
        )
        .unwrap();
        assert_eq!(e.rowid_alias, Some(0));
        let bigint = parse_create_table("CREATE TABLE t (id BIGINT PRIMARY KEY, x)").unwrap();
        assert_eq!(bigint.rowid_alias, None, "only INTEGER is an alias");
        let desc = parse_create_table("CREATE TABLE t (id INTEGER PRIMARY KEY DESC)").unwrap();
        assert_eq!(desc.rowid_alias, None, "SQLite's DESC quirk");
        let without =
            parse_create_table("CREATE TABLE t (id INTEGER PRIMARY KEY) WITHOUT ROWID").unwrap();
        assert!(without.without_rowid && without.rowid_alias.is_none());
    }

    #[test]
    fn defaults_take_the_column_affinity() {
        let t = parse_create_table(
            "CREATE TABLE t (a BIGINT DEFAULT '0' NOT NULL, b TEXT DEFAULT 7, c REAL DEFAULT (-2), \
             d DEFAULT 'x''y', e INT DEFAULT NULL, f DATETIME DEFAULT CURRENT_TIMESTAMP, g [odd name] \
             DEFAULT -1.5, `h` DOUBLE PRECISION DEFAULT 0x10)",
        )
        .unwrap();
        let d: Vec<_> = t.columns.iter().map(|c| c.default.clone()).collect();
        assert_eq!(d[0], Ok(Value::Integer(0)));
        assert_eq!(d[1], Ok(Value::Text("7".into())));
        assert_eq!(d[2], Ok(Value::Real(-2.0)));
        assert_eq!(d[3], Ok(Value::Text("x'y".into())));
        assert_eq!(d[4], Ok(Value::Null));
        assert!(d[5].is_err());
        assert_eq!(t.columns[6].name, "g");
        assert_eq!(t.columns[6].declared, "odd name");
        assert_eq!(d[6], Ok(Value::Real(-1.5)));
        assert_eq!(t.columns[7].affinity, Affinity::Real);
        assert_eq!(d[7], Ok(Value::Real(16.0)));
    }

    #[test]
    fn affinity_follows_sqlites_rules() {
        for (t, a) in [
            ("INTEGER", Affinity::Integer),
            ("BIGINT", Affinity::Integer),
            ("VARCHAR(250)", Affinity::Text),
            ("CLOB", Affinity::Text),
            ("", Affinity::Blob),
            ("FLOAT", Affinity::Real),
            ("DOUBLE", Affinity::Real),
            ("BOOLEAN", Affinity::Numeric),
            ("DECIMAL(10,5)", Affinity::Numeric),
            ("POINT", Affinity::Integer), // "POINT" contains INT, as in SQLite's docs
        ] {
            assert_eq!(Affinity::of(t), a, "{t}");
        }
    }
}
