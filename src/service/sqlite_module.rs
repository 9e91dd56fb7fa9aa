//! The SQLite reader, a wasm module of its own (`crates/sqlite-reader`, built by Trunk
//! beside the app as `sqlite-reader.js` + `sqlite-reader_bg.wasm`): fetched by a
//! dynamic `import()` the first time a `.db` is imported, so the app's first load does
//! not carry it. It answers in the `sqlite_reader::wire` encoding, which `core` maps.

use wasm_bindgen::prelude::*;

// Snippets land in `<site>/snippets/<crate>-<hash>/`, so the site's root is two up.
// The bytes are copied before the first await: the caller's view of wasm memory is
// only valid during this call. A failed load is forgotten, so a retry loads again.
#[wasm_bindgen(inline_js = r#"
let loading = null;
const url = (name) => new URL(`../../${name}`, import.meta.url);
export function sqlite_reader_url() { return url("sqlite-reader.js").href; }
export async function read_tables(db, wal, names) {
  db = db.slice();
  wal = wal == null ? undefined : wal.slice();
  loading ??= import(url("sqlite-reader.js")).then(async (m) => {
    await m.default({ module_or_path: url("sqlite-reader_bg.wasm") });
    return m;
  });
  let reader;
  try { reader = await loading; } catch (e) { loading = null; throw e; }
  return reader.readTables(db, wal, names.split("\n"));
}
"#)]
extern "C" {
    #[wasm_bindgen(catch)]
    async fn read_tables(db: &[u8], wal: Option<&[u8]>, names: &str) -> Result<JsValue, JsValue>;
    /// Where the reader module is fetched from.
    pub fn sqlite_reader_url() -> String;
}

/// The reader's answer for these tables of the database `db` (with its `-wal`), or
/// why the module could not be loaded.
pub async fn read(db: &[u8], wal: Option<&[u8]>, tables: &[&str]) -> Result<Vec<u8>, String> {
    let answer = read_tables(db, wal, &tables.join("\n"))
        .await
        .map_err(|e| {
            let why = e
                .dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()))
                .unwrap_or_else(|| format!("{e:?}"));
            format!(
                "the SQLite reader ({}) could not be loaded: {why}. Check the connection to the \
             site and try again",
                sqlite_reader_url()
            )
        })?;
    Ok(js_sys::Uint8Array::new(&answer).to_vec())
}
