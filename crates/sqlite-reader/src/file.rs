//! The database file: its header, its pages (with a WAL's committed pages on top), the
//! schema, and the check that every page is used exactly once.

use std::collections::HashMap;
use std::fmt;

use crate::btree::{self, be16, be32, Kind};
use crate::record;
use crate::schema::{parse_create_table, TableDef};
use crate::{wal, Table, Value};

/// What kind of problem stopped a read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// Not a SQLite 3 database at all (SQLite: "file is not a database").
    NotADatabase,
    /// A damaged or truncated database (SQLite: "database disk image is malformed").
    Corrupt,
    /// A sound database using something this reader does not read.
    Unsupported,
}

/// Why a database could not be read, for a person.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    /// The category.
    pub kind: ErrorKind,
    /// What exactly, after SQLite's own words for the category.
    pub detail: String,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            ErrorKind::NotADatabase => write!(f, "file is not a database: {}", self.detail),
            ErrorKind::Corrupt => write!(f, "database disk image is malformed: {}", self.detail),
            ErrorKind::Unsupported => f.write_str(&self.detail),
        }
    }
}

impl std::error::Error for Error {}

pub(crate) fn corrupt(detail: impl Into<String>) -> Error {
    Error {
        kind: ErrorKind::Corrupt,
        detail: detail.into(),
    }
}

fn not_a_database(detail: impl Into<String>) -> Error {
    Error {
        kind: ErrorKind::NotADatabase,
        detail: detail.into(),
    }
}

fn unsupported(detail: impl Into<String>) -> Error {
    Error {
        kind: ErrorKind::Unsupported,
        detail: detail.into(),
    }
}

/// How the database stores text (header offset 56).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TextEncoding {
    Utf8,
    Utf16Le,
    Utf16Be,
}

impl TextEncoding {
    pub fn decode(self, data: &[u8]) -> String {
        let utf16 = |f: fn([u8; 2]) -> u16| {
            let units: Vec<u16> = data.chunks_exact(2).map(|c| f([c[0], c[1]])).collect();
            String::from_utf16_lossy(&units)
        };
        match self {
            TextEncoding::Utf8 => String::from_utf8_lossy(data).into_owned(),
            TextEncoding::Utf16Le => utf16(u16::from_le_bytes),
            TextEncoding::Utf16Be => utf16(u16::from_be_bytes),
        }
    }
}

/// The database's pages: the main file's, with the WAL's newest committed images first.
pub(crate) struct Pages<'a> {
    main: &'a [u8],
    size: usize,
    usable: usize,
    count: u32,
    wal: HashMap<u32, &'a [u8]>,
}

impl<'a> Pages<'a> {
    /// Page `n` (1-based), exactly one page long.
    pub fn get(&self, n: u32) -> Result<&'a [u8], Error> {
        if n == 0 || n > self.count {
            return Err(corrupt(format!(
                "a reference to page {n}, outside the database's {} pages",
                self.count
            )));
        }
        if let Some(page) = self.wal.get(&n) {
            return Ok(page);
        }
        let start = (n as usize - 1) * self.size;
        self.main
            .get(start..start + self.size)
            .ok_or_else(|| corrupt(format!("page {n} is missing: the file ends before it")))
    }

    /// Bytes of a page that hold data (the page size less the reserved tail).
    pub fn usable(&self) -> usize {
        self.usable
    }

    /// Usable bytes of all pages: no payload can be longer.
    pub fn total_bytes(&self) -> usize {
        self.usable * self.count as usize
    }
}

/// One entry of `sqlite_schema`.
struct Entry {
    kind: String,
    name: String,
    root: u32,
    sql: Option<String>,
}

/// An open, checked database.
pub struct Database<'a> {
    pages: Pages<'a>,
    text: TextEncoding,
    entries: Vec<Entry>,
    notes: Vec<String>,
}

const MAGIC: &[u8; 16] = b"SQLite format 3\0";
/// The page holding the lock byte at offset 2^30 is never used (file format §1.3).
const PENDING_BYTE: usize = 0x4000_0000;

impl<'a> Database<'a> {
    /// Opens the bytes of a database file (and its `-wal`, if there is one) and checks
    /// every page: a truncated or damaged file is an error here, not fewer rows later.
    pub fn open(main: &'a [u8], wal: Option<&'a [u8]>) -> Result<Database<'a>, Error> {
        if main.len() < 100 || &main[..16] != MAGIC {
            return Err(not_a_database(if main.len() < 16 {
                "it is shorter than a SQLite header".to_owned()
            } else {
                "it does not start with \"SQLite format 3\"".to_owned()
            }));
        }
        let size = match be16(main, 16).unwrap_or(0) {
            1 => 65536,
            s if s >= 512 && s.is_power_of_two() => s,
            s => {
                return Err(corrupt(format!(
                    "page size {s} is not a power of two from 512 to 65536"
                )))
            }
        };
        let mut notes = Vec::new();
        let overlay = wal.and_then(|w| wal::read(w, size, &mut notes));
        let (wal_pages, wal_size) = match overlay {
            Some(o) => (o.pages, Some(o.db_size)),
            None => (HashMap::new(), None),
        };
        // The header as of the last commit: page 1 may be in the WAL.
        let header: &[u8] = wal_pages.get(&1).copied().unwrap_or(main);
        if header.get(..16) != Some(&MAGIC[..]) {
            return Err(corrupt("page 1 in the -wal file has no SQLite header"));
        }
        let (write_version, read_version) = (header[18], header[19]);
        if read_version > 2 || write_version == 0 {
            return Err(unsupported(format!(
                "the database uses file format version {read_version}, newer than this reader \
                 knows (SQLite 3.x writes 1 or 2)"
            )));
        }
        let reserved = usize::from(header[20]);
        if header[21..24] != [64, 32, 32] {
            return Err(corrupt("the header's payload fractions are not 64/32/32"));
        }
        let usable = size.saturating_sub(reserved);
        if usable < 480 {
            return Err(corrupt(format!(
                "{reserved} reserved bytes leave a page too small"
            )));
        }
        let text = match be32(header, 56).unwrap_or(0) {
            0 | 1 => TextEncoding::Utf8,
            2 => TextEncoding::Utf16Le,
            3 => TextEncoding::Utf16Be,
            e => return Err(corrupt(format!("text encoding {e} is not 1, 2 or 3"))),
        };
        let change = be32(header, 24).unwrap_or(0);
        let in_header = be32(header, 28).unwrap_or(0);
        let count = match wal_size {
            Some(n) => n,
            None if in_header != 0 && be32(header, 92) == Some(change) => in_header,
            None => {
                if main.len() % size != 0 {
                    return Err(corrupt(format!(
                        "the file is {} bytes, not a whole number of {size}-byte pages",
                        main.len()
                    )));
                }
                u32::try_from(main.len() / size).unwrap_or(u32::MAX)
            }
        };
        let whole = main.len() / size;
        if let Some(missing) = (whole as u64 + 1..=u64::from(count))
            .map(|n| n as u32)
            .find(|n| !wal_pages.contains_key(n))
        {
            return Err(corrupt(format!(
                "the file is truncated: it should hold {count} pages of {size} bytes ({} bytes) \
                 but has {} bytes, so page {missing} and after are missing",
                u64::from(count) * size as u64,
                main.len()
            )));
        }
        let pages = Pages {
            main,
            size,
            usable,
            count,
            wal: wal_pages,
        };
        let mut db = Database {
            pages,
            text,
            entries: Vec::new(),
            notes,
        };
        db.check(header)?;
        Ok(db)
    }

    /// Reads `sqlite_schema` and checks that every page is used exactly once: by one
    /// b-tree (with its overflow pages), the freelist, or the pointer map.
    fn check(&mut self, header: &[u8]) -> Result<(), Error> {
        let count = self.pages.count as usize;
        let mut owner: Vec<u32> = vec![0; count + 1];
        let mut owners: Vec<String> = vec![String::new()];
        let pending = PENDING_BYTE / self.pages.size + 1;
        let mut claim = |owners: &mut Vec<String>, who: u32, pgno: u32| -> Result<(), Error> {
            let p = pgno as usize;
            if pgno == 0 || p > count || p == pending {
                return Err(corrupt(format!(
                    "{} refers to page {pgno}, outside the database's {count} pages",
                    owners[who as usize]
                )));
            }
            match owner[p] {
                0 => {
                    owner[p] = who;
                    Ok(())
                }
                other => Err(corrupt(format!(
                    "page {pgno} is used twice, by {} and by {}",
                    owners[other as usize], owners[who as usize]
                ))),
            }
        };

        owners.push("the schema table".into());
        let mut rows = Vec::new();
        {
            let text = self.text;
            let owners_ref = &mut owners;
            let mut mark = |p: u32| claim(owners_ref, 1, p);
            btree::walk(
                &self.pages,
                1,
                Kind::Table,
                "the schema table",
                &mut mark,
                &mut |c| {
                    let values = record::decode(&c.payload, text)
                        .map_err(|e| corrupt(format!("a row of the schema table: {e}")))?;
                    rows.push(values);
                    Ok(())
                },
            )?;
        }
        for values in rows {
            let text = |i: usize| values.get(i).and_then(Value::as_text).map(str::to_owned);
            let root = match values.get(3) {
                Some(Value::Integer(r)) => u32::try_from(*r).map_err(|_| {
                    corrupt(format!("schema entry {:?} has root page {r}", text(1)))
                })?,
                _ => 0,
            };
            self.entries.push(Entry {
                kind: text(0).unwrap_or_default(),
                name: text(1).unwrap_or_default(),
                root,
                sql: text(4),
            });
        }
        for e in &self.entries {
            if e.root == 0 {
                continue; // views, triggers, virtual tables
            }
            let what = format!("{} '{}'", e.kind, e.name);
            let page = self.pages.get(e.root)?;
            let kind = Kind::of_page(page[0]).ok_or_else(|| {
                corrupt(format!(
                    "the root page {} of {what} is not a b-tree page",
                    e.root
                ))
            })?;
            if e.kind == "index" && kind == Kind::Table {
                return Err(corrupt(format!("the root page of {what} is a table's")));
            }
            owners.push(what.clone());
            let who = owners.len() as u32 - 1;
            let owners_ref = &mut owners;
            btree::walk(
                &self.pages,
                e.root,
                kind,
                &what,
                &mut |p| claim(owners_ref, who, p),
                &mut |_| Ok(()),
            )?;
        }

        // The freelist: trunk pages listing leaf pages.
        owners.push("the freelist".into());
        let who = owners.len() as u32 - 1;
        let expected = be32(header, 36).unwrap_or(0) as usize;
        let mut trunk = be32(header, 32).unwrap_or(0);
        let mut seen = 0usize;
        while trunk != 0 {
            claim(&mut owners, who, trunk)?;
            seen += 1;
            let page = self.pages.get(trunk)?;
            let leaves = be32(page, 4).unwrap_or(0) as usize;
            if leaves > self.pages.usable / 4 - 2 {
                return Err(corrupt(format!(
                    "freelist trunk page {trunk} lists {leaves} pages"
                )));
            }
            for k in 0..leaves {
                claim(&mut owners, who, be32(page, 8 + 4 * k).unwrap_or(0))?;
                seen += 1;
            }
            trunk = be32(page, 0).unwrap_or(0);
        }
        if seen != expected {
            return Err(corrupt(format!(
                "the freelist holds {seen} pages, the header says {expected}"
            )));
        }

        // Auto-vacuum databases keep pointer-map pages: 2, then every usable/5 + 1.
        if be32(header, 52).unwrap_or(0) != 0 {
            owners.push("the pointer map".into());
            let who = owners.len() as u32 - 1;
            let per = self.pages.usable / 5 + 1;
            let mut p = 2usize;
            while p <= count {
                let at = if p == pending { p + 1 } else { p };
                if at <= count {
                    claim(&mut owners, who, at as u32)?;
                }
                p += per;
            }
        }
        if let Some(unused) = (1..=count).find(|&p| owner[p] == 0 && p != pending) {
            return Err(corrupt(format!(
                "page {unused} of {count} belongs to nothing (no table, index or freelist \
                 reaches it)"
            )));
        }
        Ok(())
    }

    /// What the reader noticed but did not fail on (a WAL ignored or cut short).
    pub fn notes(&self) -> &[String] {
        &self.notes
    }

    /// The names of the tables, in schema order.
    pub fn table_names(&self) -> impl Iterator<Item = &str> {
        self.entries
            .iter()
            .filter(|e| e.kind == "table")
            .map(|e| e.name.as_str())
    }

    /// Whether the database has this table (names compare ASCII case-insensitively).
    pub fn has_table(&self, name: &str) -> bool {
        self.table(name).is_some()
    }

    fn table(&self, name: &str) -> Option<&Entry> {
        self.entries
            .iter()
            .find(|e| e.kind == "table" && e.name.eq_ignore_ascii_case(name))
    }

    /// The root page of a table or index (for diagnostics and tests).
    pub fn root_page(&self, name: &str) -> Option<u32> {
        self.entries.iter().find(|e| e.name == name).map(|e| e.root)
    }

    /// The columns of a table, from its `CREATE TABLE` statement.
    pub fn table_def(&self, name: &str) -> Result<TableDef, Error> {
        let entry = self
            .table(name)
            .ok_or_else(|| unsupported(format!("the database has no table '{name}'")))?;
        let sql = entry.sql.as_deref().unwrap_or_default();
        parse_create_table(sql).map_err(|why| {
            unsupported(format!(
                "cannot read the columns of table '{}': {why}",
                entry.name
            ))
        })
    }

    /// Every row of a table, in rowid order, as SQLite returns them.
    pub fn read_table(&self, name: &str) -> Result<Table, Error> {
        let def = self.table_def(name)?;
        let entry = self.table(name).expect("table_def found it");
        let what = format!("table '{}'", entry.name);
        if def.without_rowid {
            return Err(unsupported(format!(
                "{what} is a WITHOUT ROWID table, which this reader does not read"
            )));
        }
        if def.generated {
            return Err(unsupported(format!(
                "{what} has generated columns, which this reader does not read"
            )));
        }
        let columns = def.columns.len();
        let mut rows = Vec::new();
        let text = self.text;
        btree::walk(
            &self.pages,
            entry.root,
            Kind::Table,
            &what,
            &mut |_| Ok(()),
            &mut |c| {
                let mut row = Vec::with_capacity(columns);
                record::decode_into(&c.payload, text, &mut row)
                    .map_err(|e| corrupt(format!("row {} of {what}: {e}", c.rowid)))?;
                if row.len() > columns {
                    return Err(corrupt(format!(
                        "row {} of {what} has {} values for {columns} columns",
                        c.rowid,
                        row.len()
                    )));
                }
                // Columns added after the row was written read as their defaults.
                for col in &def.columns[row.len()..] {
                    row.push(col.default.clone().map_err(|clause| {
                        unsupported(format!(
                            "row {} of {what} predates column '{}', whose DEFAULT {clause} \
                             this reader does not evaluate",
                            c.rowid, col.name
                        ))
                    })?);
                }
                for (value, col) in row.iter_mut().zip(&def.columns) {
                    if let (Value::Integer(v), crate::Affinity::Real) = (&*value, col.affinity) {
                        *value = Value::Real(*v as f64);
                    }
                }
                if let Some(alias) = def.rowid_alias {
                    row[alias] = Value::Integer(c.rowid);
                }
                rows.push(row);
                Ok(())
            },
        )?;
        Ok(Table {
            name: entry.name.clone(),
            columns: def.columns.into_iter().map(|c| c.name).collect(),
            rows,
        })
    }
}
