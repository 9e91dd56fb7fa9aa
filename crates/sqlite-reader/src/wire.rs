//! The bytes the reader module answers with, so two wasm modules (which share no
//! memory) pass tables as one `Uint8Array`: a header, then either the tables or the
//! error. Repeated short texts (run ids, metric keys) are sent once per column and
//! then referenced, which keeps a metrics table's answer near the size of its values.
//!
//! ```text
//! "SQLW" 1  0 tables notes | 1 kind message
//! tables: n, then per table: name, ncols, column names, nrows, nrows×ncols values
//! value:  0 null | 1 int (zigzag varint) | 2 real (8 bytes LE) | 3 text (len, bytes)
//!       | 4 blob (len, bytes) | 5 text seen before in this column (its index)
//! ```

use std::collections::HashMap;

use crate::{Table, Value};

const MAGIC: &[u8; 4] = b"SQLW";
const VERSION: u8 = 1;
/// Texts up to this length are remembered per column for references.
const SHORT: usize = 64;
/// At most this many remembered texts per column.
const DICTIONARY: usize = 1 << 16;

/// What the reader module found: the tables asked for (those that exist) and notes.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Bundle {
    /// The tables, in the order asked for.
    pub tables: Vec<Table>,
    /// What the reader noticed but did not fail on (a WAL ignored, …).
    pub notes: Vec<String>,
}

impl Bundle {
    /// The table of that name, if the database has it.
    pub fn table(&self, name: &str) -> Option<&Table> {
        self.tables
            .iter()
            .find(|t| t.name.eq_ignore_ascii_case(name))
    }
}

/// A read that failed, as the reader module reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    /// `true` when the database is damaged or not a database (SQLite's "malformed"),
    /// `false` when it is sound but uses something the reader does not read.
    pub corrupt: bool,
    /// The reader's message.
    pub message: String,
}

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn put_bytes(out: &mut Vec<u8>, b: &[u8]) {
    put_varint(out, b.len() as u64);
    out.extend_from_slice(b);
}

fn header(kind: u8) -> Vec<u8> {
    let mut out = MAGIC.to_vec();
    out.push(VERSION);
    out.push(kind);
    out
}

/// Encodes a successful read.
pub fn encode(bundle: &Bundle) -> Vec<u8> {
    let mut out = header(0);
    put_varint(&mut out, bundle.tables.len() as u64);
    for t in &bundle.tables {
        put_bytes(&mut out, t.name.as_bytes());
        put_varint(&mut out, t.columns.len() as u64);
        for c in &t.columns {
            put_bytes(&mut out, c.as_bytes());
        }
        put_varint(&mut out, t.rows.len() as u64);
        let mut seen: Vec<HashMap<&str, u64>> = vec![HashMap::new(); t.columns.len()];
        for row in &t.rows {
            for (col, v) in seen.iter_mut().zip(row) {
                match v {
                    Value::Null => out.push(0),
                    Value::Integer(i) => {
                        out.push(1);
                        put_varint(&mut out, ((i << 1) ^ (i >> 63)) as u64);
                    }
                    Value::Real(r) => {
                        out.push(2);
                        out.extend_from_slice(&r.to_le_bytes());
                    }
                    Value::Text(s) => match col.get(s.as_str()) {
                        Some(&i) => {
                            out.push(5);
                            put_varint(&mut out, i);
                        }
                        None => {
                            out.push(3);
                            put_bytes(&mut out, s.as_bytes());
                            if s.len() <= SHORT && col.len() < DICTIONARY {
                                let next = col.len() as u64;
                                col.insert(s, next);
                            }
                        }
                    },
                    Value::Blob(b) => {
                        out.push(4);
                        put_bytes(&mut out, b);
                    }
                }
            }
        }
    }
    put_varint(&mut out, bundle.notes.len() as u64);
    for n in &bundle.notes {
        put_bytes(&mut out, n.as_bytes());
    }
    out
}

/// Encodes a failed read.
pub fn encode_failure(failure: &Failure) -> Vec<u8> {
    let mut out = header(1);
    out.push(u8::from(failure.corrupt));
    put_bytes(&mut out, failure.message.as_bytes());
    out
}

struct Reader<'a> {
    b: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn byte(&mut self) -> Result<u8, String> {
        let v = *self.b.get(self.at).ok_or("the answer ends early")?;
        self.at += 1;
        Ok(v)
    }
    fn varint(&mut self) -> Result<u64, String> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err("a varint runs past 64 bits".into())
    }
    fn count(&mut self) -> Result<usize, String> {
        let n = self.varint()?;
        // Every counted item takes at least one byte, so a count past the rest is wrong.
        usize::try_from(n)
            .ok()
            .filter(|&n| n <= self.b.len() - self.at)
            .ok_or_else(|| format!("a count of {n} past the answer's end"))
    }
    fn bytes(&mut self) -> Result<&'a [u8], String> {
        let n = self.count()?;
        let s = &self.b[self.at..self.at + n];
        self.at += n;
        Ok(s)
    }
    fn text(&mut self) -> Result<String, String> {
        String::from_utf8(self.bytes()?.to_vec()).map_err(|_| "text that is not UTF-8".into())
    }
}

/// Decodes the reader module's answer: the bundle, or the failure it reported (an
/// answer that does not decode is a failure too, not blamed on the database).
pub fn decode(bytes: &[u8]) -> Result<Bundle, Failure> {
    let broken = |why: String| Failure {
        corrupt: false,
        message: format!("the SQLite reader's answer does not decode ({why})"),
    };
    if bytes.get(..4) != Some(&MAGIC[..]) || bytes.get(4) != Some(&VERSION) {
        return Err(broken("no SQLW 1 header".into()));
    }
    let mut r = Reader { b: bytes, at: 6 };
    match bytes.get(5) {
        Some(0) => decode_tables(&mut r).map_err(broken),
        Some(1) => {
            let corrupt = r.byte().map_err(broken)? != 0;
            let message = r.text().map_err(broken)?;
            Err(Failure { corrupt, message })
        }
        _ => Err(broken("an unknown answer kind".into())),
    }
}

fn decode_tables(r: &mut Reader<'_>) -> Result<Bundle, String> {
    let mut bundle = Bundle::default();
    for _ in 0..r.count()? {
        let name = r.text()?;
        let ncols = r.count()?;
        let columns = (0..ncols)
            .map(|_| r.text())
            .collect::<Result<Vec<_>, _>>()?;
        let nrows = r.count()?;
        let mut seen: Vec<Vec<String>> = vec![Vec::new(); ncols];
        let mut rows = Vec::with_capacity(nrows);
        for _ in 0..nrows {
            let mut row = Vec::with_capacity(ncols);
            for col in seen.iter_mut() {
                row.push(match r.byte()? {
                    0 => Value::Null,
                    1 => {
                        let z = r.varint()?;
                        Value::Integer(((z >> 1) as i64) ^ -((z & 1) as i64))
                    }
                    2 => {
                        let b = r.b.get(r.at..r.at + 8).ok_or("the answer ends early")?;
                        r.at += 8;
                        let mut a = [0u8; 8];
                        a.copy_from_slice(b);
                        Value::Real(f64::from_le_bytes(a))
                    }
                    3 => {
                        let s = r.text()?;
                        if s.len() <= SHORT && col.len() < DICTIONARY {
                            col.push(s.clone());
                        }
                        Value::Text(s)
                    }
                    4 => Value::Blob(r.bytes()?.to_vec()),
                    5 => {
                        let i = r.varint()?;
                        let s = usize::try_from(i).ok().and_then(|i| col.get(i));
                        Value::Text(s.ok_or("a reference to a text not yet sent")?.clone())
                    }
                    t => return Err(format!("value tag {t}")),
                });
            }
            rows.push(row);
        }
        bundle.tables.push(Table {
            name,
            columns,
            rows,
        });
    }
    for _ in 0..r.count()? {
        bundle.notes.push(r.text()?);
    }
    Ok(bundle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_value_and_reuses_texts() {
        let t = Table {
            name: "metrics".into(),
            columns: vec!["key".into(), "value".into(), "b".into()],
            rows: (0..1000)
                .map(|i| {
                    vec![
                        Value::Text(format!("k{}", i % 3)),
                        Value::Real(f64::from(i) / 7.0),
                        if i == 5 {
                            Value::Blob(vec![0, 255])
                        } else {
                            Value::Integer(i64::from(i) - 500)
                        },
                    ]
                })
                .chain([vec![
                    Value::Null,
                    Value::Real(f64::NAN),
                    Value::Integer(i64::MIN),
                ]])
                .chain([vec![
                    Value::Text("x".repeat(100)),
                    Value::Real(-0.0),
                    Value::Integer(i64::MAX),
                ]])
                .collect(),
        };
        let b = Bundle {
            tables: vec![t],
            notes: vec!["a note".into()],
        };
        let bytes = encode(&b);
        let back = decode(&bytes).unwrap();
        assert_eq!(back.notes, b.notes);
        let (x, y) = (&back.tables[0], &b.tables[0]);
        assert_eq!(x.columns, y.columns);
        for (rx, ry) in x.rows.iter().zip(&y.rows) {
            for (vx, vy) in rx.iter().zip(ry) {
                match (vx, vy) {
                    (Value::Real(a), Value::Real(b)) => assert_eq!(a.to_bits(), b.to_bits()),
                    _ => assert_eq!(vx, vy),
                }
            }
        }
        let sent = |t: &[u8]| bytes.windows(t.len()).filter(|w| *w == t).count();
        assert_eq!(
            sent(b"k1"),
            1,
            "a repeated text is sent once, then referenced"
        );
        assert_eq!(sent(&[b'x'; 100]), 1);
        for cut in (0..bytes.len())
            .step_by(13)
            .chain(bytes.len() - 20..bytes.len())
        {
            assert!(decode(&bytes[..cut]).is_err(), "cut at {cut}");
        }
    }

    #[test]
    fn failures_round_trip() {
        let f = Failure {
            corrupt: true,
            message: "database disk image is malformed: x".into(),
        };
        assert_eq!(decode(&encode_failure(&f)), Err(f));
        assert!(!decode(b"nope").unwrap_err().corrupt);
    }
}
