//! The reader against files the real SQLite wrote (`data/make_dbs.py`): every row
//! exactly as SQLite returns it; WAL frames applied up to the last commit; and damaged
//! files (cut, flipped, rewired) refused, never read as fewer rows, never a panic.

use std::path::PathBuf;

use serde_json::Value as Json;
use sqlite_reader::{read_bundle, wire, Database, ErrorKind, Value};

fn data(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn expected(name: &str) -> Json {
    serde_json::from_slice(&data(&format!("{name}.json"))).expect("json")
}

fn json_of(v: &Value) -> Json {
    match v {
        Value::Null => Json::Null,
        Value::Integer(i) => serde_json::json!({ "i": i.to_string() }),
        Value::Real(r) => serde_json::json!({ "r": format!("{:016x}", r.to_bits()) }),
        Value::Text(s) => serde_json::json!({ "t": s }),
        Value::Blob(b) => {
            let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
            serde_json::json!({ "b": hex })
        }
    }
}

/// Every table of the dump, read and compared value by value.
fn assert_reads_as_sqlite(db: &Database, dump: &Json, what: &str) {
    let tables = dump["tables"].as_object().expect("tables");
    for (name, t) in tables {
        let got = db
            .read_table(name)
            .unwrap_or_else(|e| panic!("{what}: {name}: {e}"));
        let columns: Vec<&str> = t["columns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap())
            .collect();
        assert_eq!(got.columns, columns, "{what}: columns of {name}");
        let rows = t["rows"].as_array().unwrap();
        assert_eq!(got.rows.len(), rows.len(), "{what}: rows of {name}");
        for (i, (g, e)) in got.rows.iter().zip(rows).enumerate() {
            let g: Vec<Json> = g.iter().map(json_of).collect();
            assert_eq!(&Json::from(g), e, "{what}: {name} row {i}");
        }
    }
    let listed: Vec<&str> = db
        .table_names()
        .filter(|n| tables.contains_key(*n))
        .collect();
    assert_eq!(listed.len(), tables.len(), "{what}: every table is listed");
}

#[test]
fn files_written_by_sqlite_read_as_sqlite_reads_them() {
    for name in [
        "mixed_512",
        "autovacuum_512",
        "utf16le",
        "utf16be",
        "page_65536",
    ] {
        let bytes = data(&format!("{name}.db"));
        let db = Database::open(&bytes, None).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_reads_as_sqlite(&db, &expected(name), name);
        assert!(db.notes().is_empty(), "{name}: {:?}", db.notes());
    }
}

#[test]
fn the_traps_are_read_as_sqlite_does() {
    let bytes = data("mixed_512.db");
    let db = Database::open(&bytes, None).unwrap();
    // INTEGER PRIMARY KEY (as a table constraint) is the rowid, not a stored NULL.
    let e = db.read_table("experiments").unwrap();
    assert_eq!(e.rows[3][0], Value::Integer(3));
    // A REAL column's integral values are stored as integers and read as floats.
    let m = db.read_table("metrics").unwrap();
    let value = m.column("value").unwrap();
    assert!(m.rows.iter().all(|r| matches!(r[value], Value::Real(_))));
    assert_eq!(m.column("KEY"), Some(0), "quoted \"key\" keeps its name");
    // Rows written before ALTER TABLE ADD COLUMN read the column's default.
    let r = db.read_table("runs").unwrap();
    let col = |n: &str| r.column(n).unwrap();
    assert_eq!(r.rows[0][col("step")], Value::Integer(0));
    assert_eq!(r.rows[0][col("note")], Value::Text("n/a".into()));
    assert_eq!(r.rows[0][col("score")], Value::Real(2.0));
    assert_eq!(r.rows[0][col("neg")], Value::Integer(-3));
    assert_eq!(r.rows[0][col("deleted_time")], Value::Null);
    assert_eq!(r.rows[11][col("step")], Value::Integer(4));
    // WITHOUT ROWID tables are walked (their pages count) but not read.
    let wr = db.read_table("wr").unwrap_err();
    assert_eq!(wr.kind, ErrorKind::Unsupported);
    assert!(wr.to_string().contains("WITHOUT ROWID"), "{wr}");
    assert!(!db.has_table("v_runs"), "a view is not a table");
}

fn wal_frames(wal: &[u8], page_size: usize) -> Vec<(usize, u32)> {
    let be = |at: usize| u32::from_be_bytes(wal[at..at + 4].try_into().unwrap());
    (32..wal.len())
        .step_by(24 + page_size)
        .filter(|at| at + 24 + page_size <= wal.len())
        .map(|at| (at, be(at + 4)))
        .collect()
}

#[test]
fn a_wal_is_read_up_to_its_last_commit() {
    let (main, wal) = (data("wal.db"), data("wal.db-wal"));
    let db = Database::open(&main, Some(&wal)).unwrap();
    assert_reads_as_sqlite(&db, &expected("wal"), "main + wal");
    assert!(
        db.notes().iter().any(|n| n.contains("never committed")),
        "{:?}",
        db.notes()
    );
    let alone = Database::open(&main, None).unwrap();
    assert_reads_as_sqlite(&alone, &expected("wal_main_only"), "main alone");
    assert!(!alone.has_table("later"));

    // A damaged last commit frame ends the log before it, as in SQLite.
    let (last, _) = *wal_frames(&wal, 1024)
        .iter()
        .rev()
        .find(|(_, commit)| *commit != 0)
        .unwrap();
    let mut broken = wal.clone();
    broken[last + 24 + 500] ^= 0x55;
    let db = Database::open(&main, Some(&broken)).unwrap();
    assert_reads_as_sqlite(
        &db,
        &expected("wal_before_last"),
        "wal with a broken last frame",
    );

    // A WAL of another database generation (other salts) is ignored, with a note.
    let mut other = wal.clone();
    other[16] ^= 1;
    let db = Database::open(&main, Some(&other)).unwrap();
    assert_reads_as_sqlite(&db, &expected("wal_main_only"), "wal with other salts");
    assert!(
        db.notes().iter().any(|n| n.contains("ignored")),
        "{:?}",
        db.notes()
    );
}

fn malformed(bytes: &[u8], wal: Option<&[u8]>) -> String {
    let names: Vec<String> = ["metrics", "values_t", "runs", "t", "experiments", "tags"]
        .map(String::from)
        .to_vec();
    match read_bundle(bytes, wal, &names) {
        Ok(b) => panic!("read {} tables from a damaged file", b.tables.len()),
        Err(e) => {
            assert_ne!(e.kind, ErrorKind::Unsupported, "{e}");
            e.to_string()
        }
    }
}

#[test]
fn a_truncated_file_is_refused_at_every_length() {
    let bytes = data("mixed_512.db");
    let pages = bytes.len() / 512;
    for cut in (0..pages).flat_map(|p| [p * 512, p * 512 + 100, p * 512 + 511]) {
        let msg = malformed(&bytes[..cut.min(bytes.len() - 1)], None);
        if cut >= 100 {
            assert!(
                msg.starts_with("database disk image is malformed"),
                "cut {cut}: {msg}"
            );
        } else {
            assert!(
                msg.starts_with("file is not a database"),
                "cut {cut}: {msg}"
            );
        }
    }
    let msg = malformed(&bytes[..bytes.len() / 2], None);
    assert!(msg.contains("truncated"), "{msg}");
    // Also when the header's page count is the one thing that is wrong.
    let mut longer = bytes.clone();
    let n = u32::from_be_bytes(longer[28..32].try_into().unwrap()) + 1;
    longer[28..32].copy_from_slice(&n.to_be_bytes());
    assert!(malformed(&longer, None).contains("truncated"));
}

/// A tree whose pages are unlinked must not read as an empty table.
#[test]
fn unlinked_and_shared_pages_are_caught() {
    let bytes = data("mixed_512.db");
    let db = Database::open(&bytes, None).unwrap();
    let root = db.root_page("metrics").unwrap() as usize;
    let at = (root - 1) * 512;
    assert_eq!(bytes[at], 0x05, "metrics has an interior root");

    // The root says it has no cells and points right at its first child: the other
    // children's pages are reached by nothing.
    let mut empty = bytes.clone();
    let first = u16::from_be_bytes(empty[at + 12..at + 14].try_into().unwrap()) as usize;
    let child: [u8; 4] = empty[at + first..at + first + 4].try_into().unwrap();
    empty[at + 3..at + 5].copy_from_slice(&[0, 0]);
    empty[at + 8..at + 12].copy_from_slice(&child);
    let msg = malformed(&empty, None);
    assert!(msg.contains("belongs to nothing"), "{msg}");

    // The right-most child also named as the first: a page used twice.
    let mut twice = bytes.clone();
    let right: [u8; 4] = twice[at + 8..at + 12].try_into().unwrap();
    twice[at + first..at + first + 4].copy_from_slice(&right);
    let msg = malformed(&twice, None);
    assert!(
        msg.contains("used twice") || msg.contains("out of order"),
        "{msg}"
    );

    // A freelist count that disagrees with the list.
    let mut free = bytes.clone();
    free[36..40].copy_from_slice(&9999u32.to_be_bytes());
    assert!(malformed(&free, None).contains("freelist"));
}

/// xorshift64*, so the fuzz cases are the same on every run.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

#[test]
fn damaged_bytes_never_panic() {
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    let names: Vec<String> = ["t", "tags", "metrics", "values_t", "runs", "weird table"]
        .map(String::from)
        .to_vec();
    for (file, cases) in [
        ("autovacuum_512.db", 1500),
        ("utf16le.db", 500),
        ("mixed_512.db", 300),
    ] {
        let bytes = data(file);
        let mut refused = 0;
        for _ in 0..cases {
            let mut b = bytes.clone();
            for _ in 0..=rng.next() % 3 {
                let at = (rng.next() as usize) % b.len();
                b[at] = rng.next() as u8;
            }
            if read_bundle(&b, None, &names).is_err() {
                refused += 1;
            }
        }
        assert!(refused > 0, "{file}: some damage must be noticed");
    }
    // And the wire answer of any read decodes.
    let bytes = data("mixed_512.db");
    let bundle = read_bundle(&bytes, None, &names).unwrap();
    assert_eq!(wire::decode(&wire::encode(&bundle)).unwrap(), bundle);
}
