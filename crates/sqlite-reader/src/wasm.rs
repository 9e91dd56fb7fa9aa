//! The module's one export, for the main app's dynamic `import()`.

use wasm_bindgen::prelude::*;

/// `readTables(db, wal, names)`: the named tables of the database `db` (with its
/// `-wal` bytes, or `undefined`), as the `wire` encoding of the tables found or of the
/// error. Never throws: a damaged database is an answer too.
#[wasm_bindgen(js_name = readTables)]
pub fn read_tables(db: &[u8], wal: Option<Vec<u8>>, names: Vec<String>) -> Vec<u8> {
    crate::answer(db, wal.as_deref(), &names)
}
