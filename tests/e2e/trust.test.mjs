// A tracker keeps what it is given, exactly: random values bit for bit through a
// reload, many writers (tabs and a worker) on one run with nothing lost, MLflow's error
// codes end to end, and the store's lifecycle (a blocked open, an upgrade in another
// tab, a full disk) told to the user with nothing half-written.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { until, waitForMlflow } from "./browser.mjs";
import { useSite } from "./site.mjs";

const app = useSite({
  routes: {
    // a module worker on the site's origin (it shares the store)
    "/writer-worker.js": {
      type: "text/javascript",
      body: `const mlflow = await import("/mlflow.js");
             onmessage = async ({ data: { runId } }) => {
               const out = { steps: 0, refused: [] };
               for (let i = 0; i < 10; i++) await mlflow.logParam("w" + i, i, { runId });
               await mlflow.setTags({ worker: "yes" }, { runId });
               for (let i = 0; i < 10000; i++) {
                 mlflow.logMetric("loss", i / 7, { step: 1_000_000 + i, runId });
                 if (i % 2500 === 0) await new Promise((r) => setTimeout(r, 0));
               }
               await mlflow.logParam("lr", "0.3", { runId }).catch((e) => out.refused.push(e.code));
               await mlflow.flush();
               postMessage(out);
             };
             postMessage("ready");`,
    },
    "/blank.html": { type: "text/html", body: '<!doctype html><title>blank</title><link rel="icon" href="data:,">' },
    // a page of the site's origin that holds an old version of the store open and
    // never lets go (as a stuck old tab would)
    "/holder.html": {
      type: "text/html",
      body: `<!doctype html><title>holder</title><link rel="icon" href="data:,">
             <script>window.held = new Promise((ok) => { const r = indexedDB.open("ferroflow", 1); r.onsuccess = () => ok(r.result); });</script>`,
    },
  },
});

/** Every random f64 bit pattern (hex) a test logs, with the specials MLflow users hit. */
function randomBitPatterns(n, seed) {
  const specials = ["0000000000000000", "8000000000000000", "7ff0000000000000", "fff0000000000000",
    "7ff8000000000000", "0000000000000001", "800fffffffffffff", "4340000000000001", "3fed289a5e12a86f",
    "3fee9f49f49f49f5", "7fefffffffffffff"];
  const out = [...specials];
  let s = BigInt(seed);
  while (out.length < n) {
    s = (s * 6364136223846793005n + 1442695040888963407n) & 0xffffffffffffffffn;
    let bits = s.toString(16).padStart(16, "0");
    // JS has one NaN: payloads are not kept, so draw NaN as the canonical one
    if (/^[7f]ff/.test(bits) && BigInt("0x" + bits.slice(3)) !== 0n) bits = "7ff8000000000000";
    out.push(bits);
  }
  return out;
}

test("10,000 random values come back bit for bit after a reload (inline and chunked histories, latest values)", async () => {
  const bits = randomBitPatterns(10_000, 42);
  const page = await app.open();
  const runId = await page.evaluate(async (bits) => {
    const v = (h) => new DataView(new BigUint64Array([BigInt("0x" + h)]).buffer).getFloat64(0, true);
    await mlflow.setExperiment("bits");
    const run = await mlflow.startRun({ runName: "bits" });
    // one long chunked series, 100 short inline ones, and one-value metrics
    for (let i = 0; i < 5_000; i++) mlflow.logMetric("long", v(bits[i]), { step: i });
    for (let k = 0; k < 100; k++) {
      for (let i = 0; i < 49; i++) mlflow.logMetric(`short_${k}`, v(bits[5_000 + k * 49 + i]), { step: i });
    }
    for (let k = 0; k < 100; k++) mlflow.logMetric(`single_${k}`, v(bits[9_900 + k]));
    await mlflow.logParams({ lr: "0.9111111111111111", note: "2^53+1 = 9007199254740993" });
    await mlflow.endRun();
    return run.info.runId;
  }, bits);
  await page.reload();
  await waitForMlflow(page);
  const back = await page.evaluate(async (runId) => {
    const hex = (x) => new BigUint64Array(new Float64Array([x]).buffer)[0].toString(16).padStart(16, "0");
    const run = await mlflow.getRun(runId);
    const hist = async (k) => (await mlflow.getMetricHistory(runId, k)).map((p) => hex(p.value));
    const out = { long: await hist("long"), short: [], single: [], latest: {}, params: run.data.params };
    for (let k = 0; k < 100; k++) out.short.push(...(await hist(`short_${k}`)));
    for (let k = 0; k < 100; k++) out.single.push(...(await hist(`single_${k}`)));
    for (const [k, m] of Object.entries(run.data.metrics)) out.latest[k] = hex(m);
    return out;
  }, runId);
  assert.deepEqual(back.long, bits.slice(0, 5_000), "the chunked history");
  assert.deepEqual(back.short, bits.slice(5_000, 9_900), "the inline histories");
  assert.deepEqual(back.single, bits.slice(9_900), "one-value metrics");
  for (let k = 0; k < 100; k++) assert.equal(back.latest[`single_${k}`], bits[9_900 + k], `latest single_${k}`);
  assert.equal(back.latest.long, bits[4_999], "latest = the highest step");
  assert.deepEqual(back.params, { lr: "0.9111111111111111", note: "2^53+1 = 9007199254740993" });
});

test("two tabs and a module worker write one run at once: after a reload the union is there", async () => {
  const a = await app.open();
  const b = await a.context().newPage();
  await b.goto(app.site.url);
  await waitForMlflow(b);
  // Two tabs set the same experiment at the same moment: one experiment, both get it.
  const [ea, eb] = await Promise.all([a, b].map((p) => p.evaluate(() => mlflow.setExperiment("shared").then((e) => e.experimentId))));
  assert.equal(ea, eb, "one experiment named 'shared'");
  // Tab A starts the run; B and the worker write to it by id at once (no announcement waited for).
  const runId = await a.evaluate(() => mlflow.startRun({ runName: "together" }).then((r) => r.info.runId));
  // startRun resolves before its run is committed (a sweep's startRun + endRun is one
  // transaction); another context can name the run once it is stored, not before.
  await a.evaluate(() => mlflow.flush());
  const write = async ({ runId, tag, parity }) => {
    const refused = [];
    for (let i = 0; i < 40; i++) await mlflow.logParam(`${tag}${i}`, i, { runId });
    for (let i = 0; i < 40; i++) mlflow.setTag(`t_${tag}${i}`, "x", { runId });
    for (let i = 0; i < 10_000; i++) {
      mlflow.logMetric("loss", i / 3, { step: 2 * i + parity, runId });
      if (i % 1000 === 0) await new Promise((r) => setTimeout(r, 0)); // let flushes interleave
    }
    await mlflow.logParam("lr", tag === "a" ? "0.1" : "0.2", { runId }).catch((e) => refused.push(e.code));
    await mlflow.flush();
    return refused;
  };
  const worker = a.evaluate(async (runId) => {
    const w = new Worker("/writer-worker.js", { type: "module" });
    await new Promise((ok) => { w.onmessage = (e) => e.data === "ready" && ok(); });
    const done = new Promise((ok, fail) => { w.onmessage = (e) => ok(e.data); w.onerror = (e) => fail(new Error(e.message)); });
    w.postMessage({ runId });
    return done;
  }, runId);
  const [ra, rb, rw] = await Promise.all([
    a.evaluate(write, { runId, tag: "a", parity: 0 }),
    b.evaluate(write, { runId, tag: "b", parity: 1 }),
    worker,
  ]);
  // "lr" was logged with three values: exactly one writer won, the others were told
  const refusals = [...ra, ...rb, ...rw.refused];
  assert.equal(refusals.length, 2, JSON.stringify({ ra, rb, rw }));
  assert.ok(refusals.every((c) => c === "INVALID_PARAMETER_VALUE"), refusals.join());
  await a.evaluate(() => mlflow.endRun());
  // a fresh tab after everything settled, and tab A after a reload, read the union
  const c = await a.context().newPage();
  await c.goto(app.site.url);
  await waitForMlflow(c);
  await a.reload();
  await waitForMlflow(a);
  for (const p of [c, a]) {
    const r = await p.evaluate(async (runId) => {
      const run = await mlflow.getRun(runId);
      const hist = await mlflow.getMetricHistory(runId, "loss");
      const steps = new Set(hist.map((x) => x.step));
      const exps = await mlflow.searchExperiments({ filter: "name = 'shared'" });
      return { params: Object.keys(run.data.params).length, tags: Object.keys(run.data.tags).filter((t) => t.startsWith("t_")).length,
               worker: run.data.tags.worker, points: hist.length, distinct: steps.size, status: run.info.status, exps: exps.length };
    }, runId);
    assert.deepEqual(r, { params: 40 + 40 + 10 + 1, tags: 80, worker: "yes", points: 30_000, distinct: 30_000, status: "FINISHED", exps: 1 });
  }
});

test("errors keep MLflow's code end to end", async () => {
  const page = await app.open();
  const codes = await page.evaluate(async () => {
    const code = async (f) => { try { await f(); return "ok"; } catch (e) { return e instanceof Error ? e.code : `not an Error: ${e}`; } };
    await mlflow.setExperiment("codes");
    const run = await mlflow.startRun();
    await mlflow.endRun();
    const gone = await mlflow.startRun();
    await mlflow.endRun();
    await mlflow.deleteRun(gone.info.runId);
    const runId = run.info.runId, goneId = gone.info.runId;
    return {
      "missing experiment": await code(() => mlflow.getExperiment("123456789")),
      "missing experiment in searchRuns": await code(() => mlflow.searchRuns({ experimentIds: ["nope"] })),
      "missing run": await code(() => mlflow.getRun("0123456789abcdef0123456789abcdef")),
      "missing run by id": await code(() => mlflow.setTag("k", "v", { runId: "0123456789abcdef0123456789abcdef" })),
      "missing artifact": await code(() => mlflow.downloadArtifact(runId, "nope.txt")),
      "missing tag": await code(() => mlflow.deleteTag("nope", { runId })),
      "bad filter": await code(() => mlflow.searchRuns({ filter: "metrics.acc >> 1" })),
      "bad order": await code(() => mlflow.searchRuns({ orderBy: ["metrics.acc SIDEWAYS"] })),
      "bad value": await code(() => mlflow.logMetric("acc", "high", { runId })),
      "bad key": await code(() => mlflow.logParam("../x", 1, { runId })),
      "param changed": await code(async () => { await mlflow.logParam("p", 1, { runId }); await mlflow.logParam("p", 2, { runId }); }),
      "bad archive": await code(() => mlflow.importArchive(new Uint8Array([1, 2, 3]))),
      "duplicate name": await code(() => mlflow.createExperiment("codes")),
      "deleted run written to": await code(() => mlflow.setTag("k", "v", { runId: goneId })),
      "deleted run logged to": await code(() => mlflow.logMetric("m", 1, { runId: goneId })),
      "deleted experiment set": await code(async () => { const id = await mlflow.createExperiment("bin"); await mlflow.deleteExperiment(id); await mlflow.setExperiment("bin"); }),
    };
  });
  assert.deepEqual(codes, {
    "missing experiment": "RESOURCE_DOES_NOT_EXIST",
    "missing experiment in searchRuns": "RESOURCE_DOES_NOT_EXIST",
    "missing run": "RESOURCE_DOES_NOT_EXIST",
    "missing run by id": "RESOURCE_DOES_NOT_EXIST",
    "missing artifact": "RESOURCE_DOES_NOT_EXIST",
    "missing tag": "RESOURCE_DOES_NOT_EXIST",
    "bad filter": "INVALID_PARAMETER_VALUE",
    "bad order": "INVALID_PARAMETER_VALUE",
    "bad value": "INVALID_PARAMETER_VALUE",
    "bad key": "INVALID_PARAMETER_VALUE",
    "param changed": "INVALID_PARAMETER_VALUE",
    "bad archive": "INVALID_PARAMETER_VALUE",
    "duplicate name": "RESOURCE_ALREADY_EXISTS",
    "deleted run written to": "INVALID_STATE",
    "deleted run logged to": "INVALID_STATE",
    "deleted experiment set": "INVALID_STATE",
  });
});

test("a full disk: a clear storage error naming what is stored, nothing half-written, nothing lost", async () => {
  // an mlruns store (MLflow's sklearn tutorial) with a 4 MB artifact added
  const made = spawnSync(process.env.ORACLE_PYTHON ?? "python3", ["-c", `
import io, os, sys, zipfile
src = zipfile.ZipFile(sys.argv[1]); buf = io.BytesIO(); out = zipfile.ZipFile(buf, "w")
for i in src.infolist(): out.writestr(i, src.read(i))
run = next(n for n in src.namelist() if n.endswith("/artifacts/")).removesuffix("artifacts/")
out.writestr(run + "artifacts/noise.bin", os.urandom(4 << 20)); out.close()
sys.stdout.buffer.write(buf.getvalue())`, new URL("../fixtures/sklearn.zip", import.meta.url).pathname], { maxBuffer: 64 << 20 });
  assert.equal(made.status, 0, String(made.stderr));
  app.site.routes.set("/big-store.zip", { type: "application/zip", body: made.stdout });
  // (Chromium applies a quota override to connections opened after it.)
  const page = await app.page();
  await page.goto(`${app.site.origin}/blank.html`);
  const cdp = await page.context().newCDPSession(page);
  const quota = async (bytes) => cdp.send("Storage.overrideQuotaForOrigin", { origin: app.site.origin, quotaSize: bytes });
  await quota(2 << 20);
  await page.goto(app.site.url);
  await waitForMlflow(page);
  const runId = await page.evaluate(async () => {
    await mlflow.setExperiment("full");
    return (await mlflow.startRun({ runName: "big" })).info.runId;
  });
  const r = await page.evaluate(async (runId) => {
    const fail = async (f) => { try { await f(); return null; } catch (e) { return { code: e.code, message: e.message }; } };
    const noise = new Uint8Array(4 << 20); // incompressible, as weights are
    for (let i = 0; i < noise.length; i += 65536) crypto.getRandomValues(noise.subarray(i, i + 65536));
    const artifact = await fail(() => mlflow.logArtifact("weights.bin", noise));
    for (let i = 0; i < 300_000; i++) mlflow.logMetric("x", Math.random(), { step: i });
    const points = await fail(() => mlflow.flush());
    const listed = await mlflow.listArtifacts(runId);
    const imported = await fail(async () => mlflow.importArchive(await (await fetch("/big-store.zip")).arrayBuffer()));
    const half = await mlflow.searchExperiments({ filter: "name = 'sklearn-iris'" });
    return { artifact, points, listed, imported, half: half.length };
  }, runId);
  for (const what of ["artifact", "points", "imported"]) {
    assert.equal(r[what]?.code, "RESOURCE_EXHAUSTED", `${what}: ${JSON.stringify(r[what])}`);
    assert.match(r[what].message, /storage for this site is full/);
    assert.match(r[what].message, /stores [\d.]+ MB/, "names how much is stored");
    assert.match(r[what].message, /nothing of it was saved/);
  }
  assert.deepEqual(r.listed, [], "the refused artifact is not half there");
  assert.match(r.imported.message, /^Import failed, nothing was changed/);
  assert.equal(r.half, 0, "nothing of the refused import is there");
  // room again: the queued points were kept and are stored by the next flush
  await quota(2 ** 33);
  const after = await page.evaluate(async (runId) => {
    await mlflow.flush();
    return (await mlflow.getMetricHistory(runId, "x")).length;
  }, runId);
  assert.equal(after, 300_000, "nothing logged was lost");
});

test("an upgrade in another tab closes this one's store and says to reload; a blocked open says why it waits", async () => {
  // another tab opens a newer version of the store
  const page = await app.open();
  const other = await page.context().newPage();
  await other.goto(`${app.site.origin}/blank.html`);
  await other.evaluate(() => new Promise((ok) => { const r = indexedDB.open("ferroflow", 99); r.onsuccess = () => { r.result.close(); ok(); }; }));
  const banner = page.locator(".store-banner");
  await banner.waitFor();
  assert.match(await banner.textContent(), /updated in another tab.*Reload/s);
  const code = await page.evaluate(() => mlflow.setTag("k", "v").then(() => "ok", (e) => e.code));
  assert.equal(code, "TEMPORARILY_UNAVAILABLE");
  page.errors.length = 0; // the failed save is reported on the console too, as it should be

  // a fresh profile: an old connection that never closes blocks the open
  const holder = await app.page();
  await holder.goto(`${app.site.origin}/holder.html`);
  await holder.evaluate(() => window.held);
  const tab = await holder.context().newPage();
  await tab.goto(app.site.url);
  const notice = tab.getByRole("status").filter({ hasText: "Waiting for another Ferroflow tab" });
  await notice.waitFor();
  assert.equal(await tab.evaluate(() => window.mlflow === undefined), true, "nothing is usable while blocked");
  await holder.evaluate(async () => (await window.held).close());
  await waitForMlflow(tab);
  await until(async () => (await notice.count()) === 0);
  assert.equal(await tab.evaluate(async () => (await mlflow.getExperiment("0")).name), "Default");
});
