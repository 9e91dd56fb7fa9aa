// The JS API as a script calls it: MLflow's semantics, errors, artifacts, durability
// across reloads, other tabs, another origin and a Web Worker.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { until, waitForMlflow } from "./browser.mjs";
import { useSite } from "./site.mjs";

const app = useSite();
// One page for the whole file: the tests build on each other's store.
let page;
before(async () => { page = await app.open(); });

const run = (fn, arg) => page.evaluate(fn, arg);
/** Resolves to the error's {message, code} or fails if the call succeeded. */
// (A string expression: the site's CSP forbids eval inside the page; DevTools may.)
const failure = (fn) => page.evaluate(`(async () => {
  try { await (${fn.toString()})(); } catch (e) { return { message: e.message, code: e.code, isError: e instanceof Error }; }
  throw new Error("expected a failure");
})()`);

test("experiments: Default exists, create, set, rename, delete, restore, tags, search", async () => {
  const r = await run(async () => {
    const dflt = await mlflow.getExperiment("0");
    const id = await mlflow.createExperiment("api-exp", { tags: { team: "vision" } });
    const set = await mlflow.setExperiment("api-exp");
    await mlflow.setExperimentTag(id, "stage", "dev");
    await mlflow.renameExperiment(id, "api-exp-renamed");
    const byName = await mlflow.getExperimentByName("api-exp-renamed");
    const missing = await mlflow.getExperimentByName("nope");
    await mlflow.deleteExperiment(id);
    const deleted = await mlflow.searchExperiments({ viewType: "DELETED_ONLY" });
    const active = await mlflow.searchExperiments({ filter: "name LIKE 'api-%'" });
    await mlflow.restoreExperiment(id);
    const restored = await mlflow.getExperiment(id);
    return { dflt, id, set, byName, missing, deleted: deleted.map((e) => e.name), active: active.length, restored };
  });
  assert.equal(r.dflt.name, "Default");
  assert.match(r.id, /^\d{18}$/);
  assert.equal(r.set.experimentId, r.id);
  assert.deepEqual(r.byName.tags, { team: "vision", stage: "dev" });
  assert.equal(r.missing, null);
  assert.deepEqual(r.deleted, ["api-exp-renamed"]);
  assert.equal(r.active, 0);
  assert.equal(r.restored.lifecycleStage, "active");
  const dup = await failure(() => mlflow.createExperiment("api-exp-renamed"));
  assert.equal(dup.code, "RESOURCE_ALREADY_EXISTS");
  assert.ok(dup.isError);
  const del0 = await failure(() => mlflow.deleteExperiment("0"));
  assert.match(del0.message, /Default experiment/);
});

test("runs: system tags, nesting, params immutable, latest metric, NaN/Infinity, statuses", async () => {
  const r = await run(async () => {
    await mlflow.setExperiment("api-runs");
    const parent = await mlflow.startRun({ runName: "parent", tags: { owner: "ada" }, description: "# Notes" });
    const child = await mlflow.startRun({ nested: true, runName: "child" });
    await mlflow.logParam("lr", 0.1);
    await mlflow.logParam("lr", "0.1"); // same value again is fine
    mlflow.logMetric("loss", 0.5, { step: 5, timestamp: 100 });
    mlflow.logMetric("loss", 0.9, { step: 3, timestamp: 900 }); // lower step: not latest
    mlflow.logMetric("weird", NaN);
    mlflow.logMetric("big", Infinity, 2);
    mlflow.logMetrics({ a: 1, b: -Infinity }, { step: 1 });
    await mlflow.setTags({ phase: "train" });
    await mlflow.endRun("FAILED");
    const active = mlflow.activeRun();
    await mlflow.endRun();
    const c = await mlflow.getRun(child.info.runId);
    const p = await mlflow.getRun(parent.info.runId);
    const hist = await mlflow.getMetricHistory(c.info.runId, "weird");
    return { c, p, activeName: active.info.runName, hist };
  });
  const { c, p } = r;
  assert.equal(r.activeName, "parent");
  assert.match(c.info.runId, /^[0-9a-f]{32}$/);
  assert.equal(c.info.status, "FAILED");
  assert.ok(c.info.endTime >= c.info.startTime);
  assert.equal(c.data.tags["mlflow.parentRunId"], p.info.runId);
  assert.equal(c.data.tags["mlflow.runName"], "child");
  assert.equal(c.data.tags["mlflow.source.type"], "LOCAL");
  assert.match(c.data.tags["mlflow.source.name"], /^http:\/\/127\.0\.0\.1/);
  assert.ok(c.data.tags["mlflow.user"]);
  assert.equal(c.data.params.lr, "0.1");
  assert.equal(c.data.metrics.loss, 0.5);
  assert.ok(Number.isNaN(c.data.metrics.weird));
  assert.equal(c.data.metrics.big, Infinity);
  assert.equal(c.data.metrics.b, -Infinity);
  assert.ok(Number.isNaN(r.hist[0].value));
  assert.equal(p.data.tags["mlflow.note.content"], "# Notes");
  assert.equal(p.data.tags.owner, "ada");
  assert.equal(p.info.status, "FINISHED");

  const changed = await failure(async () => {
    await mlflow.startRun({ runName: "immutable" });
    await mlflow.logParam("lr", 0.1);
    try { await mlflow.logParam("lr", 0.2); } finally { await mlflow.endRun(); }
  });
  assert.equal(changed.code, "INVALID_PARAMETER_VALUE");
  assert.match(changed.message, /Changing param values is not allowed.*lr/);
  await run(() => mlflow.startRun({ runName: "bad-input" }));
  const badKey = await failure(() => mlflow.logMetric("../etc", 1));
  assert.match(badKey.message, /Invalid metric name: '\.\.\/etc'/);
  const unknownRun = await failure(() => mlflow.logMetric("ok", 1, { runId: "feedbeef" }));
  assert.equal(unknownRun.code, "RESOURCE_DOES_NOT_EXIST");
  const badValue = await failure(() => mlflow.logMetric("ok", "1"));
  assert.match(badValue.message, /invalid value the string "1" for metric 'ok'/);
  const badStep = await failure(() => mlflow.logMetric("ok", 1, { step: 1.5 }));
  assert.match(badStep.message, /step must be a whole number/);
  const longParam = await failure(() => mlflow.logParam("p", "x".repeat(6001)));
  assert.match(longParam.message, /6001 characters; the limit is 6000/);
  await run(() => mlflow.endRun());
  const twoActive = await failure(async () => {
    await mlflow.startRun();
    try { await mlflow.startRun(); } finally { await mlflow.endRun(); }
  });
  assert.match(twoActive.message, /already active.*nested: true/);
  const missingRun = await failure(() => mlflow.getRun("0123456789abcdef0123456789abcdef"));
  assert.equal(missingRun.code, "RESOURCE_DOES_NOT_EXIST");
});

test("startRun({runId}) resumes a run, but not a deleted one", async () => {
  const r = await run(async () => {
    const first = await mlflow.startRun({ runName: "resumable" });
    await mlflow.endRun();
    const resumed = await mlflow.startRun({ runId: first.info.runId });
    mlflow.logMetric("after", 1);
    await mlflow.endRun();
    await mlflow.deleteRun(first.info.runId);
    let refused = null;
    try { await mlflow.startRun({ runId: first.info.runId }); } catch (e) { refused = e.message; }
    await mlflow.restoreRun(first.info.runId);
    return { status: resumed.info.status, after: (await mlflow.getRun(first.info.runId)).data.metrics.after, refused, active: mlflow.activeRun() };
  });
  assert.equal(r.status, "RUNNING");
  assert.equal(r.after, 1);
  assert.match(r.refused, /deleted state/);
  assert.equal(r.active, null);
});

test("searchRuns: MLflow filter grammar, ordering, views, positioned errors", async () => {
  const r = await run(async () => {
    const exp = await mlflow.setExperiment("api-search");
    for (const [name, acc, model] of [["a", 0.9, "cnn"], ["b", 0.4, "mlp"], ["c", 0.7, "cnn"]]) {
      await mlflow.startRun({ runName: name });
      await mlflow.logParam("model", model);
      mlflow.logMetric("acc", acc);
      await mlflow.endRun();
    }
    const ids = [exp.experimentId];
    const names = (runs) => runs.map((x) => x.info.runName);
    const good = names(await mlflow.searchRuns({ experimentIds: ids, filter: "metrics.acc > 0.5 AND params.model = 'cnn'", orderBy: ["metrics.acc DESC"] }));
    const asc = names(await mlflow.searchRuns({ experimentIds: ids, orderBy: ["metrics.acc"] }));
    const like = names(await mlflow.searchRuns({ experimentIds: ids, filter: "attributes.run_name LIKE 'b%'" }));
    const limited = (await mlflow.searchRuns({ experimentIds: ids, maxResults: 2 })).length;
    const victim = (await mlflow.searchRuns({ experimentIds: ids, filter: "run_name = 'c'" }))[0];
    await mlflow.deleteRun(victim.info.runId);
    const afterDelete = names(await mlflow.searchRuns({ experimentIds: ids }));
    const deleted = names(await mlflow.searchRuns({ experimentIds: ids, viewType: "DELETED_ONLY" }));
    await mlflow.restoreRun(victim.info.runId);
    const all = (await mlflow.searchRuns({})).length;
    return { good, asc, like, limited, afterDelete, deleted, all };
  });
  assert.deepEqual(r.good, ["a", "c"]);
  assert.deepEqual(r.asc, ["b", "c", "a"]);
  assert.deepEqual(r.like, ["b"]);
  assert.equal(r.limited, 2);
  assert.deepEqual(r.afterDelete.sort(), ["a", "b"]);
  assert.deepEqual(r.deleted, ["c"]);
  assert.ok(r.all >= 3, "no experimentIds = every experiment");
  const bad = await failure(() => mlflow.searchRuns({ filter: "metrics.acc >" }));
  assert.match(bad.message, /position 13/);
  const or = await failure(() => mlflow.searchRuns({ filter: "metrics.a > 1 OR metrics.b < 2" }));
  assert.match(or.message, /OR/);
});

test("artifacts: every input kind, JSON/YAML dicts, images, listing, download", async () => {
  const r = await run(async () => {
    await mlflow.setExperiment("api-artifacts");
    const { info } = await mlflow.startRun();
    await mlflow.logArtifact("raw/bytes.bin", new Uint8Array([1, 2, 3, 4]).subarray(1));
    await mlflow.logArtifact("raw/buffer.bin", new ArrayBuffer(5));
    await mlflow.logArtifact("raw/blob.txt", new Blob(["from a blob"]));
    await mlflow.logArtifact("notes.md", "# hello");
    await mlflow.logText("line 1\nline 2", "logs/train.log");
    await mlflow.logDict({ lr: 0.1, layers: [64, 32] }, "config.json");
    await mlflow.logDict({ lr: 0.1, layers: [64, 32] }, "config.yaml");
    const canvas = document.createElement("canvas");
    canvas.width = 8; canvas.height = 8;
    canvas.getContext("2d").fillRect(0, 0, 4, 4);
    await mlflow.logImage(canvas, "images/square.png");
    await mlflow.logImage(new ImageData(2, 2), "images/data.png");
    await mlflow.endRun();
    const root = await mlflow.listArtifacts(info.runId);
    const raw = await mlflow.listArtifacts(info.runId, "raw");
    const text = await (await mlflow.downloadArtifact(info.runId, "config.json")).text();
    const yaml = await (await mlflow.downloadArtifact(info.runId, "config.yaml")).text();
    const png = await mlflow.downloadArtifact(info.runId, "images/square.png");
    const head = [...new Uint8Array(await png.slice(0, 4).arrayBuffer())];
    const bytes = [...new Uint8Array(await (await mlflow.downloadArtifact(info.runId, "raw/bytes.bin")).arrayBuffer())];
    return { root, raw, text, yaml, pngType: png.type, head, bytes };
  });
  assert.deepEqual(r.root.map((f) => [f.path, f.isDir]), [
    ["images", true], ["logs", true], ["raw", true], ["config.json", false], ["config.yaml", false], ["notes.md", false],
  ]);
  assert.deepEqual(r.raw.map((f) => [f.path, f.fileSize]), [["raw/blob.txt", 11], ["raw/buffer.bin", 5], ["raw/bytes.bin", 3]]);
  assert.deepEqual(JSON.parse(r.text), { lr: 0.1, layers: [64, 32] });
  assert.match(r.text, /\n  "layers"/);
  assert.match(r.yaml, /lr: 0\.1/);
  assert.equal(r.pngType, "image/png");
  assert.deepEqual(r.head, [0x89, 0x50, 0x4e, 0x47]);
  assert.deepEqual(r.bytes, [2, 3, 4]);
  const traversal = await failure(() => mlflow.logText("x", "../escape.txt"));
  assert.match(traversal.message, /Invalid artifact path/);
  const missing = await failure(async () => {
    const [run] = await mlflow.searchRuns({ maxResults: 1 });
    return mlflow.downloadArtifact(run.info.runId, "nope.txt");
  });
  assert.equal(missing.code, "RESOURCE_DOES_NOT_EXIST");
});

test("durability: flush, endRun and the 100 ms auto-flush all survive a reload", async () => {
  const ids = await run(async () => {
    const a = await mlflow.startRun({ runName: "flushed" });
    for (let i = 0; i < 5000; i++) mlflow.logMetric("m", i, { step: i });
    await mlflow.flush();
    const b = mlflow.activeRun();
    await mlflow.endRun();
    const c = await mlflow.startRun({ runName: "auto" });
    for (let i = 0; i < 300; i++) mlflow.logMetric("m", i, { step: i });
    await mlflow.logParam("p", "v");
    return [a.info.runId, c.info.runId];
  });
  // No flush: the timer commits. Another tab reads only what IndexedDB holds, so once
  // it sees everything the timer has done its work (the reload's pagehide flush
  // would otherwise hide a broken timer).
  const other = await page.context().newPage();
  await other.goto(app.site.url);
  await waitForMlflow(other);
  await until(() => other.evaluate(async (c) => {
    try {
      const [hist, r] = await Promise.all([mlflow.getMetricHistory(c, "m"), mlflow.getRun(c)]);
      return hist.length === 300 && r.data.params.p === "v";
    } catch { return false; } // not committed yet: this tab does not know the run
  }, ids[1]));
  await other.close();
  await page.reload();
  await waitForMlflow(page);
  const r = await run(async ([a, c]) => ({
    a: (await mlflow.getMetricHistory(a, "m")).length,
    c: (await mlflow.getMetricHistory(c, "m")).length,
    cRun: await mlflow.getRun(c),
  }), ids);
  assert.equal(r.a, 5000);
  assert.equal(r.c, 300);
  assert.equal(r.cRun.data.params.p, "v");
  assert.equal(r.cRun.info.status, "RUNNING");
});

test("another tab sees changes through the BroadcastChannel without reloading", async () => {
  const other = await page.context().newPage();
  await other.goto(app.site.url);
  await waitForMlflow(other);
  const runId = await run(async () => {
    const r = await mlflow.startRun({ runName: "from-tab-1" });
    mlflow.logMetric("acc", 0.75);
    await mlflow.endRun();
    return r.info.runId;
  });
  let seen = null;
  await until(async () => {
    seen = await other.evaluate(async (id) => {
      try { const r = await mlflow.getRun(id); return r.info.status === "FINISHED" ? r : null; } catch { return null; }
    }, runId);
    return seen;
  }, { timeout: 5_000 });
  assert.equal(seen?.data.metrics.acc, 0.75);
  await other.close();
});

test("the ES module works imported from another origin and inside a Web Worker", async () => {
  const moduleUrl = `${app.site.url}mlflow.js`;
  const notebook = await app.serve(process.env.DIST, "/unused-prefix/");
  // (An icon of its own: without one Chromium asks the notebook's server for /favicon.ico.)
  notebook.routes.set("/notebook.html", {
    type: "text/html",
    body: '<!doctype html><title>notebook</title><link rel="icon" href="data:,"><p>notebook</p>',
  });
  notebook.routes.set("/worker.js", {
    type: "text/javascript",
    body: `const mlflow = await import(${JSON.stringify(moduleUrl)});
           await mlflow.setExperiment("from-worker");
           const run = await mlflow.startRun({ runName: "worker-run" });
           for (let i = 0; i < 50; i++) mlflow.logMetric("x", i, { step: i });
           await mlflow.endRun();
           postMessage(run.info.runId);`,
  });
  const p = await app.page();
  await p.goto(`${notebook.origin}/notebook.html`);
  const r = await p.evaluate(async (url) => {
    const mlflow = await import(url);
    const run = await mlflow.startRun({ runName: "observable-cell" });
    mlflow.logMetric("loss", 0.25, { step: 1 });
    await mlflow.endRun();
    const got = await mlflow.getRun(run.info.runId);
    const worker = new Worker("/worker.js", { type: "module" });
    const workerRunId = await new Promise((ok, fail) => { worker.onmessage = (e) => ok(e.data); worker.onerror = (e) => fail(new Error(e.message)); });
    const fromWorker = await mlflow.getRun(workerRunId).catch(() => null);
    const hist = await mlflow.getMetricHistory(workerRunId, "x");
    const named = Object.keys(mlflow).filter((k) => k !== "default").sort();
    return {
      got, origin: location.origin, appMounted: !!document.querySelector("main"), workerRun: fromWorker?.info.runName,
      points: hist.length, hasDefault: typeof mlflow.default.logMetric, named,
      defaultNames: Object.keys(mlflow.default).sort(), frozen: Object.isFrozen(mlflow.default),
      same: named.every((k) => mlflow[k] === mlflow.default[k]),
    };
  }, moduleUrl);
  assert.equal(r.got.data.metrics.loss, 0.25);
  assert.notEqual(r.origin, app.site.origin);
  assert.equal(r.appMounted, false, "importing the module does not mount the UI");
  assert.equal(r.hasDefault, "function");
  assert.deepEqual(r.defaultNames, r.named, "the default object holds exactly the named exports");
  assert.ok(r.frozen && r.same && r.named.length >= 30, `${r.named.length} names`);
  assert.equal(r.points, 50);
  assert.equal(r.workerRun, "worker-run");
  assert.deepEqual(p.errors.map(String), []);
});
