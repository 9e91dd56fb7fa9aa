// mlruns archives in and out through the browser API, judged by MLflow's own reader
// (tests/oracle/oracle.py over mlflow==3.17.2): every fixture survives the round trip.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { execFileSync, spawnSync } from "node:child_process";
import { useSite } from "./site.mjs";

const FIXTURES = new URL("../fixtures/", import.meta.url).pathname;
const ORACLE = new URL("../oracle/oracle.py", import.meta.url).pathname;
const PY = process.env.ORACLE_PYTHON;
const OUT = fs.mkdtempSync(path.join(os.tmpdir(), "ferroflow-export-"));
const names = fs.readdirSync(FIXTURES).filter((f) => f.endsWith(".zip")).map((f) => f.slice(0, -4)).sort();

const app = useSite({
  routes: Object.fromEntries(names.map((n) => [`/fixtures/${n}.zip`, { type: "application/zip", body: fs.readFileSync(`${FIXTURES}${n}.zip`) }])),
});

/** Exports in the page and writes the zip to OUT/<name>.zip. */
async function exportTo(page, name, options) {
  const b64 = await page.evaluate(async (opts) => {
    const blob = await mlflow.exportArchive(opts);
    const bytes = new Uint8Array(await blob.arrayBuffer());
    let s = "";
    for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return { type: blob.type, data: btoa(s) };
  }, options);
  assert.equal(b64.type, "application/zip");
  const file = path.join(OUT, `${name}.zip`);
  fs.writeFileSync(file, Buffer.from(b64.data, "base64"));
  return file;
}

function oracle(...args) {
  return spawnSync(PY, [ORACLE, ...args], { encoding: "utf8", maxBuffer: 64 << 20 });
}

for (const name of names) {
  test(`${name}: import, export, and MLflow sees no difference`, async (t) => {
    const expected = JSON.parse(fs.readFileSync(`${FIXTURES}${name}.json`, "utf8"));
    const page = await app.open();
    const progress = [];
    const summary = await page.evaluate(async (n) => {
      const phases = [];
      const data = await (await fetch(`/fixtures/${n}.zip`)).arrayBuffer();
      const s = await mlflow.importArchive(data, { onProgress: (p) => phases.push(p.phase) });
      return { ...s, phases };
    }, name);
    const runs = Object.values(expected.experiments).reduce((a, e) => a + Object.keys(e.runs).length, 0);
    assert.equal(summary.experiments, Object.keys(expected.experiments).length);
    assert.ok(summary.runs >= runs, `${summary.runs} runs imported, MLflow lists ${runs}`);
    assert.equal(summary.registeredModels, Object.keys(expected.registered_models ?? {}).length);
    assert.deepEqual(summary.phases.at(-1), "done");

    // ids are preserved and the API sees what MLflow sees
    const [expId, exp] = Object.entries(expected.experiments).find(([, e]) => Object.keys(e.runs).length > 0);
    const [runId, run] = Object.entries(exp.runs)[0];
    const got = await page.evaluate((id) => mlflow.getRun(id), runId);
    assert.equal(got.info.experimentId, expId);
    assert.deepEqual(got.data.params, run.params);
    assert.equal(got.info.status, run.info.status);

    // importing the same archive again changes nothing
    const before = await page.evaluate(() => mlflow.searchRuns({ viewType: "ALL" }).then((r) => r.length));
    await page.evaluate(async (n) => mlflow.importArchive(await (await fetch(`/fixtures/${n}.zip`)).blob()), name);
    const again = await page.evaluate(() => mlflow.searchRuns({ viewType: "ALL" }).then((r) => r.length));
    assert.equal(again, before);

    const file = await exportTo(page, name);
    if (!PY) return t.skip("ORACLE_PYTHON not set: MLflow oracle not run");
    const diff = oracle("diff", "--loose", `${FIXTURES}${name}.zip`, file);
    assert.equal(diff.status, 0, `oracle diff --loose:\n${diff.stdout}\n${diff.stderr}`);
    const strict = oracle("dump", "--strict", file);
    assert.equal(strict.status, 0, `oracle dump --strict:\n${strict.stderr}`);
  });
}

test("a selective export holds only the chosen experiment or runs", async (t) => {
  const page = await app.open();
  const ids = await page.evaluate(async () => {
    await mlflow.importArchive(await (await fetch("/fixtures/basic.zip")).blob());
    const exps = (await mlflow.searchExperiments({})).filter((e) => e.experimentId !== "0");
    const runs = await mlflow.searchRuns({ experimentIds: [exps[0].experimentId] });
    return { exp: exps[0].experimentId, other: exps[1]?.experimentId, run: runs[0].info.runId };
  });
  const one = await exportTo(page, "selected-exp", { experimentIds: [ids.exp] });
  const single = await exportTo(page, "selected-run", { runIds: [ids.run] });
  if (!PY) return t.skip("ORACLE_PYTHON not set");
  const dump = JSON.parse(oracle("dump", "--strict", one).stdout);
  assert.ok(dump.experiments[ids.exp]);
  if (ids.other) assert.equal(dump.experiments[ids.other], undefined);
  const dump2 = JSON.parse(oracle("dump", "--strict", single).stdout);
  assert.deepEqual(Object.keys(dump2.experiments[ids.exp].runs), [ids.run]);
});

test("runs logged in the browser export to a store MLflow reads", async (t) => {
  const page = await app.open();
  const runId = await page.evaluate(async () => {
    await mlflow.setExperiment("made-in-browser");
    const r = await mlflow.startRun({ runName: "browser-run" });
    await mlflow.logParams({ lr: 0.001, "nested/key": "x" });
    for (let i = 0; i < 50; i++) mlflow.logMetric("loss", 1 / (i + 1), { step: i });
    mlflow.logMetric("odd", NaN);
    await mlflow.logText("hello", "notes/hello.txt");
    await mlflow.endRun();
    return r.info.runId;
  });
  const file = await exportTo(page, "browser-made");
  if (!PY) return t.skip("ORACLE_PYTHON not set");
  const res = oracle("dump", "--strict", file);
  assert.equal(res.status, 0, res.stderr);
  const dump = JSON.parse(res.stdout);
  const exp = Object.values(dump.experiments).find((e) => e.name === "made-in-browser");
  const run = exp.runs[runId];
  assert.equal(run.info.status, "FINISHED");
  assert.deepEqual(run.params, { lr: "0.001", "nested/key": "x" });
  assert.equal(run.metric_history.loss.length, 50);
  assert.equal(run.metrics.odd.value, "NaN");
  assert.equal(run.artifacts["notes/hello.txt"].size, 5);
});

test("bad archives are refused with the file named, and nothing changes", async () => {
  const page = await app.open();
  const r = await page.evaluate(async () => {
    await mlflow.importArchive(await (await fetch("/fixtures/basic.zip")).blob());
    const count = async () => (await mlflow.searchRuns({ viewType: "ALL" })).length;
    const n0 = await count();
    const good = new Uint8Array(await (await fetch("/fixtures/edge.zip")).arrayBuffer());
    const cases = {
      notArchive: new TextEncoder().encode("just some text, not an archive"),
      truncated: good.slice(0, Math.floor(good.length / 2)),
      empty: new Uint8Array(0),
    };
    const out = {};
    for (const [k, data] of Object.entries(cases)) {
      try { await mlflow.importArchive(data); out[k] = "accepted"; } catch (e) { out[k] = e.message; }
    }
    try { await mlflow.importArchive(42); } catch (e) { out.wrongType = e.message; }
    return { out, same: (await count()) === n0 };
  });
  assert.match(r.out.notArchive, /not a zip, tar or tar\.gz/i);
  assert.match(r.out.truncated, /Import failed/);
  assert.notEqual(r.out.empty, "accepted");
  assert.match(r.out.wrongType, /Blob, ArrayBuffer/);
  assert.ok(r.same, "the store is unchanged");
});
