// mlflow.db stores (MLflow >= 3.7's default) through the browser: every store in
// tests/fixtures-db/ imported with mlflow.importArchive, exported, and judged by
// MLflow's own reader (tests/oracle/oracle_db.py diff --loose); the SQLite reader
// module is fetched only when a database is imported; damaged databases are refused
// and nothing changes; the import UI takes mlflow.db with its artifact folder or zip.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { useSite } from "./site.mjs";

const FIXTURES = new URL("../fixtures-db/", import.meta.url).pathname;
const MLRUNS = new URL("../fixtures/", import.meta.url).pathname;
const ORACLE_DB = new URL("../oracle/oracle_db.py", import.meta.url).pathname;
const PY = process.env.ORACLE_PYTHON;
const OUT = fs.mkdtempSync(path.join(os.tmpdir(), "ferroflow-db-"));
const STORES = ["basic-db", "quickstart-db", "wal-db", "server-db"];
const zip = (file) => ({ type: "application/zip", body: fs.readFileSync(file) });

const app = useSite({
  routes: {
    ...Object.fromEntries(["truncated-db", "garbage-db", ...STORES].map((n) => [`/db/${n}.zip`, zip(`${FIXTURES}${n}.zip`)])),
    "/mlruns/basic.zip": zip(`${MLRUNS}basic.zip`),
  },
});

/** The fixture's files on disk: OUT/<name>/{mlflow.db, mlruns/…} and OUT/<name>/artifacts.zip. */
function unpacked(name) {
  const dir = path.join(OUT, name);
  if (!fs.existsSync(dir)) {
    const py = `import sys, zipfile, shutil, os
z = zipfile.ZipFile(sys.argv[1]); z.extractall(sys.argv[2])
with zipfile.ZipFile(os.path.join(sys.argv[2], "artifacts.zip"), "w") as out:
    for n in z.namelist():
        if not n.startswith("mlflow.db"): out.writestr(n, z.read(n))`;
    const res = spawnSync(PY ?? "python3", ["-c", py, `${FIXTURES}${name}.zip`, dir], { encoding: "utf8" });
    assert.equal(res.status, 0, res.stderr);
  }
  return dir;
}

const fixtureDump = (name) => JSON.parse(fs.readFileSync(`${FIXTURES}${name}.json`, "utf8"));
const runCount = (dump) => Object.values(dump.experiments).reduce((n, e) => n + Object.keys(e.runs).length, 0);

/** Exports in the page and writes the zip to OUT/<name>.zip. */
async function exportTo(page, name) {
  const b64 = await page.evaluate(async () => {
    const bytes = new Uint8Array(await (await mlflow.exportArchive()).arrayBuffer());
    let s = "";
    for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return btoa(s);
  });
  const file = path.join(OUT, `${name}.zip`);
  fs.writeFileSync(file, Buffer.from(b64, "base64"));
  return file;
}

/** The site's requests for the SQLite reader module, as `<status> <path>`. */
const readerRequests = (site) => site.requests.filter((r) => /sqlite-reader/.test(r.path)).map((r) => `${r.status} ${r.path}`);
const READER = ["sqlite-reader.js", "sqlite-reader_bg.wasm"];

const resources = (page) => page.evaluate(() => performance.getEntriesByType("resource").map((e) => new URL(e.name).pathname));
const readerLoaded = async (page) => (await resources(page)).some((p) => /sqlite-reader/.test(p));

for (const name of STORES) {
  test(`${name}: importArchive, export, and MLflow reads the export as it reads mlflow.db`, async (t) => {
    const expected = fixtureDump(name);
    const page = await app.open();
    const summary = await page.evaluate(async (n) => {
      const phases = [];
      const data = await (await fetch(`/db/${n}.zip`)).arrayBuffer();
      return { ...(await mlflow.importArchive(data, { onProgress: (p) => phases.push(p.phase) })), phases };
    }, name);
    assert.equal(summary.experiments, Object.keys(expected.experiments).length);
    assert.equal(summary.runs, runCount(expected));
    assert.equal(summary.registeredModels, Object.keys(expected.registered_models).length);
    assert.deepEqual(summary.warnings, []);
    assert.equal(summary.phases.at(-1), "done");
    const [expId, exp] = Object.entries(expected.experiments).find(([, e]) => Object.keys(e.runs).length > 0);
    const [runId, run] = Object.entries(exp.runs)[0];
    const got = await page.evaluate((id) => mlflow.getRun(id), runId);
    assert.equal(got.info.experimentId, expId);
    assert.deepEqual(got.data.params, run.params);
    assert.equal(got.info.status, run.info.status);

    const file = await exportTo(page, name);
    if (!PY) return t.skip("ORACLE_PYTHON not set: MLflow oracle not run");
    const diff = spawnSync(PY, [ORACLE_DB, "diff", "--loose", `${FIXTURES}${name}.zip`, file], { encoding: "utf8" });
    assert.equal(diff.status, 0, `oracle_db diff --loose:\n${diff.stdout}\n${diff.stderr}`);
  });
}

test("the SQLite reader is fetched only on the first database import, at the root and under a sub-path", async () => {
  const html = fs.readFileSync(path.join(process.env.DIST, "index.html"), "utf8");
  assert.doesNotMatch(html, /sqlite-reader/, "index.html neither loads nor preloads the reader");
  const prefix = process.env.SUB_URL ?? "/ferroflow/";
  await app.page();
  const sites = [[app.site, "/"], [await app.serve(process.env.SUB_DIST, prefix), prefix]];
  for (const [site, at] of sites) {
    site.routes.set("/db/basic-db.zip", zip(`${FIXTURES}basic-db.zip`));
    site.routes.set("/mlruns/basic.zip", zip(`${MLRUNS}basic.zip`));
    site.requests.length = 0;
    const page = await app.open(site.url);
    await page.getByRole("heading", { name: "Experiments" }).first().waitFor();
    assert.deepEqual(readerRequests(site), [], `${at}: not on a page load`);
    await page.evaluate(async () => mlflow.importArchive(await (await fetch(new URL("/mlruns/basic.zip", location.origin))).blob()));
    assert.deepEqual(readerRequests(site), [], `${at}: not for an mlruns archive`);
    const first = await page.evaluate(async () => mlflow.importArchive(await (await fetch(new URL("/db/basic-db.zip", location.origin))).blob()));
    assert.deepEqual(readerRequests(site), READER.map((f) => `200 ${at}${f}`), `${at}: fetched for mlflow.db`);
    const again = await page.evaluate(async () => mlflow.importArchive(await (await fetch(new URL("/db/basic-db.zip", location.origin))).blob()));
    assert.deepEqual(readerRequests(site), READER.map((f) => `200 ${at}${f}`), `${at}: fetched once`);
    assert.equal(again.runs, first.runs);
  }
});

test("a bare mlflow.db imports everything but the artifacts, and says so", async () => {
  const dir = unpacked("quickstart-db");
  const page = await app.open();
  const db = [...fs.readFileSync(path.join(dir, "mlflow.db"))];
  const s = await page.evaluate(async (bytes) => mlflow.importArchive(new Uint8Array(bytes)), db);
  const expected = fixtureDump("quickstart-db");
  assert.equal(s.runs, runCount(expected));
  assert.equal(s.artifacts, 0);
  assert.match(s.warnings[0], /Only the database was imported: artifact files .* were not given/);
});

let made = 0;
/** Bytes Python writes: `code` runs with `out` (a path) and `src` (basic-db's mlflow.db). */
function pyBytes(code) {
  const out = path.join(OUT, `py-${++made}`);
  const res = spawnSync(PY ?? "python3", ["-c", `import sqlite3, shutil, sys\nsrc, out = sys.argv[1], sys.argv[2]\n${code}`,
    path.join(unpacked("basic-db"), "mlflow.db"), out], { encoding: "utf8" });
  assert.equal(res.status, 0, res.stderr);
  return [...fs.readFileSync(out)];
}

test("damaged databases are refused with SQLite's words, and nothing changes", async () => {
  const dir = unpacked("basic-db");
  const db = fs.readFileSync(path.join(dir, "mlflow.db"));
  const wal = unpacked("wal-db");
  const other = {
    walOnly: [...fs.readFileSync(path.join(wal, "mlflow.db-wal"))],
    notMlflow: pyBytes(`c = sqlite3.connect(out); c.execute("create table notes (id integer primary key, body text)"); c.execute("insert into notes (body) values ('hi')"); c.commit()`),
    unknownSchema: pyBytes(`shutil.copy(src, out); c = sqlite3.connect(out); c.execute("alter table experiments rename to experiments_v9"); c.execute("create table experiments (id integer primary key, title text)"); c.commit()`),
  };
  const page = await app.open();
  const r = await page.evaluate(async ({ cut, other }) => {
    await mlflow.importArchive(await (await fetch("/db/basic-db.zip")).blob());
    const count = async () => (await mlflow.searchRuns({ viewType: "ALL" })).length;
    const n0 = await count();
    const cases = {
      truncated: await (await fetch("/db/truncated-db.zip")).blob(),
      garbage: await (await fetch("/db/garbage-db.zip")).blob(),
      bareCut: new Uint8Array(cut),
      ...Object.fromEntries(Object.entries(other).map(([k, v]) => [k, new Uint8Array(v)])),
    };
    const out = {};
    for (const [k, data] of Object.entries(cases)) {
      try { await mlflow.importArchive(data); out[k] = "accepted"; } catch (e) { out[k] = `${e.code}: ${e.message}`; }
    }
    return { out, same: (await count()) === n0 };
  }, { cut: [...db.subarray(0, db.length / 2 + 1000)], other });
  assert.match(r.out.truncated, /^INVALID_PARAMETER_VALUE: Import failed: mlflow\.db: database disk image is malformed: the file is truncated.*nothing was imported/);
  assert.match(r.out.garbage, /mlflow\.db: not a SQLite 3 database/);
  assert.match(r.out.bareCut, /^INVALID_PARAMETER_VALUE: .*database disk image is malformed/);
  assert.match(r.out.walOnly, /^INVALID_PARAMETER_VALUE: Import failed: mlflow\.db-wal: a SQLite write-ahead log without its database/);
  assert.match(r.out.notMlflow, /^INVALID_PARAMETER_VALUE: .*not an MLflow tracking store/);
  assert.match(r.out.unknownSchema, /^INVALID_PARAMETER_VALUE: .*experiments/);
  assert.ok(r.same, "the store is unchanged");
});

test("the import picker takes mlflow.db with a zip of its artifacts, or alone", async () => {
  const dir = unpacked("basic-db");
  const expected = fixtureDump("basic-db");
  const page = await app.open();
  await page.locator('input[type="file"]').setInputFiles([path.join(dir, "mlflow.db"), path.join(dir, "artifacts.zip")]);
  const status = page.getByRole("status").filter({ hasText: "Imported" });
  await status.waitFor();
  assert.match(await status.innerText(), new RegExp(`Imported 3 experiments, ${runCount(expected)} runs, \\d+ metric points, [1-9]\\d* artifacts, 1 registered models`));
  const [exp] = Object.values(expected.experiments).filter((e) => e.name !== "Default");
  await page.getByRole("link", { name: exp.name }).waitFor();

  const alone = await app.open();
  await alone.locator('input[type="file"]').setInputFiles(path.join(dir, "mlflow.db"));
  const notice = alone.locator(".import-notice");
  await notice.waitFor();
  assert.match(await notice.innerText(), /Only the database was imported/);
  assert.deepEqual(page.errors.map(String), []);
});

test("mlflow.db and its mlruns folder dropped together import as one store", async () => {
  const dir = unpacked("server-db");
  const expected = fixtureDump("server-db");
  const page = await app.open();
  // A real drop (files and a folder from disk), as the OS would deliver it.
  const zone = await page.locator(".import-zone").boundingBox();
  const cdp = await page.context().newCDPSession(page);
  const at = { x: zone.x + zone.width / 2, y: zone.y + zone.height / 2 };
  const data = { items: [], files: [path.join(dir, "mlflow.db"), path.join(dir, "mlartifacts")], dragOperationsMask: 1 };
  for (const type of ["dragEnter", "dragOver", "drop"]) await cdp.send("Input.dispatchDragEvent", { type, ...at, data });
  const status = page.getByRole("status").filter({ hasText: "Imported" });
  await status.waitFor();
  assert.match(await status.innerText(), new RegExp(`Imported 2 experiments, ${runCount(expected)} runs`));
  const [runId] = Object.keys(Object.values(expected.experiments).find((e) => Object.keys(e.runs).length).runs);
  const files = await page.evaluate((id) => mlflow.listArtifacts(id, "reports"), runId);
  assert.deepEqual(files.map((f) => f.path), ["reports/summary.txt"]);
});

// f64 bit patterns drawn at random (seeded), and the edges: subnormals, MLflow's
// stand-in for ±inf, -0.0 (which SQLite itself stores as the integer 0), 2^53 + 2.
const BITS_DB = `import random, struct
shutil.copy(src, out); c = sqlite3.connect(out)
run, = c.execute("select run_uuid from runs order by run_uuid limit 1").fetchone()
rng = random.Random(12)
vals = [5e-324, -5e-324, 1.7976931348623157e308, -1.7976931348623157e308, -0.0, 2.0**53 + 2, 0.1, 1/3, float("nan")]
while len(vals) < 600:
    v, = struct.unpack("<d", rng.getrandbits(64).to_bytes(8, "little"))
    if v == v: vals.append(v)
rows = [("bits", 0.0 if v != v else v, 1_700_000_000_000 + i, run, i, int(v != v)) for i, v in enumerate(vals)]
c.executemany('insert into metrics ("key", value, timestamp, run_uuid, step, is_nan) values (?,?,?,?,?,?)', rows)
c.commit()`;

/** The metric's values as MLflow reads them (`float(...)`, NaN from is_nan), as hex bits by step. */
const READ_BITS = `import json, struct, sqlite3, sys, zipfile
hexed = lambda v: struct.pack(">d", v).hex()
if sys.argv[1].endswith(".zip"):
    z = zipfile.ZipFile(sys.argv[1])
    [name] = [n for n in z.namelist() if n.endswith("/" + sys.argv[2] + "/metrics/bits")]
    rows = [l.split() for l in z.read(name).decode().splitlines()]
    print(json.dumps({int(s): hexed(float(v)) for _, v, s in rows}))
else:
    c = sqlite3.connect(sys.argv[1])
    rows = c.execute("select step, value, is_nan from metrics where key = 'bits' and run_uuid = ?", (sys.argv[2],))
    print(json.dumps({s: hexed(float("nan") if n else float(v)) for s, v, n in rows}))`;

test("metric values survive import and export bit for bit (random f64 patterns and the edges)", async () => {
  const db = pyBytes(BITS_DB);
  const dbFile = path.join(OUT, "bits.db");
  fs.writeFileSync(dbFile, Buffer.from(db));
  const pyRead = (file, run) => {
    const res = spawnSync(PY ?? "python3", ["-c", READ_BITS, file, run], { encoding: "utf8" });
    assert.equal(res.status, 0, res.stderr);
    return JSON.parse(res.stdout);
  };
  const page = await app.open();
  const got = await page.evaluate(async (bytes) => {
    await mlflow.importArchive(new Uint8Array(bytes));
    const [run] = (await mlflow.searchRuns({ viewType: "ALL" }))
      .map((r) => r.info.runId).sort();
    const hist = await mlflow.getMetricHistory(run, "bits");
    const hex = (v) => { const d = new DataView(new ArrayBuffer(8)); d.setFloat64(0, v); return [...new Uint8Array(d.buffer)].map((b) => b.toString(16).padStart(2, "0")).join(""); };
    return { run, values: Object.fromEntries(hist.map((m) => [m.step, hex(m.value)])) };
  }, db);
  const expected = pyRead(dbFile, got.run);
  assert.equal(Object.keys(expected).length, 600);
  const canonNan = (o) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, /^(7ff|fff)[89a-f]/.test(v) ? "nan" : v]));
  assert.deepEqual(canonNan(got.values), canonNan(expected), "read through the API");
  const file = await exportTo(page, "bits");
  assert.deepEqual(canonNan(pyRead(file, got.run)), canonNan(expected), "MLflow's float() of the exported file");
});

test("the import zone shows why a damaged database is refused, and imports nothing", async () => {
  const page = await app.open();
  for (const name of ["garbage-db", "truncated-db"]) {
    await page.locator('input[type="file"]').setInputFiles(`${FIXTURES}${name}.zip`);
    const alert = page.getByRole("alert").filter({ hasText: "mlflow.db" });
    await alert.waitFor();
    assert.match(await alert.innerText(), name === "garbage-db" ? /not a SQLite 3 database/ : /database disk image is malformed/);
  }
  assert.deepEqual(await page.evaluate(async () => (await mlflow.searchRuns({ viewType: "ALL" })).length), 0);
  assert.deepEqual(await page.evaluate(async () => (await mlflow.searchExperiments({ viewType: "ALL" })).map((e) => e.name)), ["Default"]);
});

test("a reader module that cannot load fails with TEMPORARILY_UNAVAILABLE, changes nothing, and a retry loads it", async () => {
  const site = await app.serve(process.env.DIST);
  site.routes.set("/db/basic-db.zip", zip(`${FIXTURES}basic-db.zip`));
  site.routes.set("/sqlite-reader_bg.wasm", { type: "application/wasm", body: Buffer.from("not wasm at all") });
  const page = await app.open(site.url);
  const importDb = () => page.evaluate(async () => {
    try {
      const s = await mlflow.importArchive(await (await fetch("/db/basic-db.zip")).blob());
      return `imported ${s.runs} runs`;
    } catch (e) { return `${e.code}: ${e.message}`; }
  });
  const failed = await importDb();
  assert.match(failed, /^TEMPORARILY_UNAVAILABLE: Import failed, nothing was changed: the SQLite reader \(.*sqlite-reader\.js\) could not be loaded/);
  assert.equal(await page.evaluate(async () => (await mlflow.searchRuns({ viewType: "ALL" })).length), 0);
  site.routes.delete("/sqlite-reader_bg.wasm");
  assert.equal(await importDb(), `imported ${runCount(fixtureDump("basic-db"))} runs`);
});
