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

const resources = (page) => page.evaluate(() => performance.getEntriesByType("resource").map((e) => new URL(e.name).pathname));
const readerLoaded = async (page) => (await resources(page)).some((p) => /sqlite_reader/.test(p));

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

test("the SQLite reader is fetched only when a database is imported", async () => {
  const page = await app.open();
  assert.equal(await readerLoaded(page), false, "not on first load");
  await page.evaluate(async () => mlflow.importArchive(await (await fetch("/mlruns/basic.zip")).blob()));
  assert.equal(await readerLoaded(page), false, "not for an mlruns archive");
  await page.evaluate(async () => mlflow.importArchive(await (await fetch("/db/basic-db.zip")).blob()));
  assert.ok((await resources(page)).some((p) => /sqlite_reader_bg\.wasm$/.test(p)), "fetched for mlflow.db");
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

test("damaged databases are refused with SQLite's words, and nothing changes", async () => {
  const dir = unpacked("basic-db");
  const db = fs.readFileSync(path.join(dir, "mlflow.db"));
  const page = await app.open();
  const r = await page.evaluate(async (cut) => {
    await mlflow.importArchive(await (await fetch("/db/basic-db.zip")).blob());
    const count = async () => (await mlflow.searchRuns({ viewType: "ALL" })).length;
    const n0 = await count();
    const cases = {
      truncated: await (await fetch("/db/truncated-db.zip")).blob(),
      garbage: await (await fetch("/db/garbage-db.zip")).blob(),
      bareCut: new Uint8Array(cut),
    };
    const out = {};
    for (const [k, data] of Object.entries(cases)) {
      try { await mlflow.importArchive(data); out[k] = "accepted"; } catch (e) { out[k] = `${e.code}: ${e.message}`; }
    }
    return { out, same: (await count()) === n0 };
  }, [...db.subarray(0, db.length / 2 + 1000)]);
  assert.match(r.out.truncated, /^INVALID_PARAMETER_VALUE: Import failed: mlflow\.db: database disk image is malformed: the file is truncated.*nothing was imported/);
  assert.match(r.out.garbage, /mlflow\.db: not a SQLite 3 database/);
  assert.match(r.out.bareCut, /database disk image is malformed/);
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
