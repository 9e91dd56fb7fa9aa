// Browser Projects (mlflow.projects): examples/project served from a second origin is
// loaded, run in a Web Worker (FINISHED, FAILED, KILLED), refused with bad parameters,
// run from the site's form, re-run from its stored code once its server is gone, and
// re-run in a fresh profile from an exported bundle, and a zipped project opened from a
// File (through the API and the form's picker) — every file and its hash checked against
// the bytes on disk.
import { test } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import { execFileSync } from "node:child_process";
import { SHOTS, until } from "./browser.mjs";
import { useSite } from "./site.mjs";
import { fitLine, minMax, parseCsv } from "../../examples/project/lib/util.js";

const PROJECT = new URL("../../examples/project/", import.meta.url).pathname;
/** What `ferroflow.project.sha256` covers: the MLproject and every module. */
const CODE = ["MLproject", "crash.js", "forever.js", "lib/util.js", "train.js"];
const read = (rel) => fs.readFileSync(PROJECT + rel);
const sha256 = (bytes) => crypto.createHash("sha256").update(bytes).digest("hex");

/**
 * The project hash, computed here independently of the app: for each code file sorted
 * by path bytes, `path \0 hex(sha256(bytes)) \n`; then the sha256 of that text.
 */
function projectSha256(paths) {
  const sorted = [...paths].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  return sha256(sorted.map((p) => `${p}\0${sha256(read(p))}\n`).join(""));
}
const HASH = projectSha256(CODE);

/** What train.js logs for these parameters, computed in node from the same data. */
function expectedFit(lr, epochs) {
  const { names, rows } = parseCsv(read("data.csv").toString("utf8"));
  const { scaled, min, span } = minMax(rows.map((r) => r[0]));
  const losses = [];
  const fit = fitLine(scaled, rows.map((r) => r[1]), { lr, epochs, onEpoch: (_, loss) => losses.push(loss) });
  const slope = fit.w / span;
  const intercept = fit.b - slope * min;
  return { losses, names, rows, slope, intercept, loss: fit.loss };
}

const app = useSite();

/**
 * Wraps a test so that, when it fails, the page's and the project workers' console
 * output is part of the failure (a worker's errors are visible nowhere else).
 */
function traced(name, body) {
  test(name, async (t) => {
    const log = [];
    const watch = (page, who = "page") => {
      page.on("console", (m) => log.push(`[${who} ${m.type()}] ${m.text()}`));
      page.on("pageerror", (e) => log.push(`[${who} pageerror] ${e.stack ?? e}`));
      page.on("worker", (w) => {
        log.push(`[${who}] worker started: ${w.url()}`);
        w.on("console", (m) => log.push(`[worker ${m.type()}] ${m.text()}`));
        w.on("close", () => log.push(`[${who}] worker closed: ${w.url()}`));
      });
      return page;
    };
    const open = async (path) => watch(await app.open(path));
    try {
      await body(t, { open, watch, log });
    } catch (e) {
      if (log.length) e.message += `\n--- console ---\n${log.join("\n")}`;
      throw e;
    }
  });
}

/** A second origin serving examples/project/ (closed after the test, or earlier). */
async function serveProject() {
  const server = await app.serve(PROJECT);
  let closed = false;
  return { url: server.url, requests: server.requests, close: async () => { if (!closed) { closed = true; await server.close(); } } };
}

/** Starts a project run and waits for its end; returns {runId, run} or {error}. */
function runProject(page, uri, options) {
  return page.evaluate(async ({ uri, options }) => {
    try {
      const handle = await mlflow.projects.run(uri, options);
      const run = await handle.done;
      return { runId: handle.runId, run };
    } catch (e) {
      return { error: { code: e.code, message: e.message, name: e.name } };
    }
  }, { uri, options });
}

/** A run's artifact, as bytes. */
async function artifact(page, runId, path) {
  const b64 = await page.evaluate(async ({ runId, path }) => {
    const bytes = new Uint8Array(await (await mlflow.downloadArtifact(runId, path)).arrayBuffer());
    let s = "";
    for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return btoa(s);
  }, { runId, path });
  return Buffer.from(b64, "base64");
}

const history = (page, runId, key) => page.evaluate(({ runId, key }) => mlflow.getMetricHistory(runId, key), { runId, key });
const runCount = (page) => page.evaluate(() => mlflow.searchRuns({ viewType: "ALL" }).then((r) => r.length));

traced("load lists the entry points, their parameters, the files and the hash", async (t, { open }) => {
  const project = await serveProject();
  const page = await open();
  const info = await page.evaluate((url) => mlflow.projects.load(url), project.url);
  assert.equal(info.name, "linear-demo");
  assert.equal(info.source, project.url);
  assert.equal(info.sha256, HASH);
  assert.deepEqual([...info.files].sort(), [...CODE].sort());
  assert.deepEqual(info.externalImports, []);
  assert.deepEqual(info.entryPoints.map((e) => [e.name, e.runnable]),
    [["main", true], ["crash", true], ["forever", true], ["python", false]]);
  const [main, crash, forever, python] = info.entryPoints;
  assert.equal(main.module, "train.js");
  assert.equal(main.function, "main");
  assert.deepEqual(main.parameters, [
    { name: "lr", type: "float", default: "0.1" },
    { name: "epochs", type: "int", default: "20" },
    { name: "label", type: "string", default: "demo" },
    { name: "data", type: "path", default: "data.csv" },
    { name: "docs", type: "uri", default: "./README.md" },
  ]);
  assert.deepEqual(crash.parameters, [{ name: "message", type: "string", default: null }]);
  assert.equal(forever.function, "tick");
  assert.equal(python.command, "python train.py --lr {lr}");
  assert.equal(python.module, undefined);
  assert.deepEqual(python.parameters, [{ name: "lr", type: "float", default: "0.1" }]);

  // the same project named by its MLproject file
  const byFile = await page.evaluate((url) => mlflow.projects.load(url), `${project.url}MLproject`);
  assert.equal(byFile.sha256, HASH);
  assert.equal(byFile.source, project.url);
  assert.deepEqual(page.errors.map(String), []);
});

traced("main runs in a worker: params, tags, metrics, artifacts and the stored code", async (t, { open }) => {
  const project = await serveProject();
  const page = await open();
  const ua = await page.evaluate(() => navigator.userAgent);
  const parameters = { lr: 0.25, epochs: 12, label: "api run" };
  const { runId, run, error } = await runProject(page, project.url, {
    entryPoint: "main", parameters, experimentName: "projects", runName: "linear",
  });
  assert.equal(error, undefined, JSON.stringify(error));
  assert.equal(run.info.runId, runId);
  assert.equal(run.info.status, "FINISHED");
  assert.equal(run.info.runName, "linear");
  assert.ok(run.info.endTime >= run.info.startTime);

  // what is stored, as a later reader sees it
  const stored = await page.evaluate((id) => mlflow.getRun(id), runId);
  assert.equal(stored.info.status, "FINISHED");
  const exp = await page.evaluate(() => mlflow.getExperimentByName("projects"));
  assert.equal(stored.info.experimentId, exp.experimentId);
  assert.deepEqual(stored.data.params, {
    lr: "0.25", epochs: "12", label: "api run", data: "data.csv", docs: "./README.md", n_samples: "8",
  });
  const tags = stored.data.tags;
  const want = {
    "mlflow.source.type": "PROJECT",
    "mlflow.source.name": project.url,
    "mlflow.project.entryPoint": "main",
    "mlflow.project.backend": "browser-worker",
    "mlflow.project.env": "browser",
    "ferroflow.project.sha256": HASH,
    "ferroflow.user_agent": ua,
    "mlflow.runName": "linear",
    "demo.label": "api run",
    "demo.docs": `${project.url}README.md`,
  };
  for (const [k, v] of Object.entries(want)) assert.equal(tags[k], v, `tag ${k}`);

  // metrics: every epoch's loss, bit for bit
  const fit = expectedFit(0.25, 12);
  const loss = await history(page, runId, "loss");
  assert.deepEqual(loss.map((p) => p.step), fit.losses.map((_, i) => i));
  assert.deepEqual(loss.map((p) => p.value), fit.losses);
  assert.deepEqual((await history(page, runId, "final_loss")).map((p) => p.value), [fit.loss]);
  assert.equal(stored.data.metrics.loss, fit.losses.at(-1));

  // what the function wrote
  assert.deepEqual(JSON.parse(await artifact(page, runId, "summary.json")), {
    label: "api run", columns: fit.names, slope: fit.slope, intercept: fit.intercept, loss: fit.loss,
  });
  assert.equal((await artifact(page, runId, "model.txt")).toString(), `y = ${fit.slope} * x + ${fit.intercept}\n`);

  // the code as it ran, byte for byte, plus the data file the path parameter named
  const top = await page.evaluate((id) => mlflow.listArtifacts(id, "code"), runId);
  assert.deepEqual(top.map((f) => [f.path, f.isDir]).sort(),
    [["code/MLproject", false], ["code/crash.js", false], ["code/data.csv", false], ["code/forever.js", false],
     ["code/lib", true], ["code/train.js", false]]);
  for (const rel of [...CODE, "data.csv"]) {
    assert.ok((await artifact(page, runId, `code/${rel}`)).equals(read(rel)), `code/${rel} differs from the served file`);
  }
  const manifest = JSON.parse(await artifact(page, runId, "ferroflow.project.json"));
  assert.equal(manifest.source, project.url);
  assert.equal(manifest.entry_point, "main");
  assert.equal(manifest.module, "train.js");
  assert.equal(manifest.function, "main");
  assert.equal(manifest.sha256, HASH);
  assert.deepEqual(manifest.external_imports, []);
  const files = Object.fromEntries(manifest.files.map((f) => [f.path, f]));
  assert.deepEqual(Object.keys(files).sort(), [...CODE, "data.csv"].sort());
  for (const rel of [...CODE, "data.csv"]) {
    assert.deepEqual(files[rel], { path: rel, sha256: sha256(read(rel)), bytes: read(rel).length, hashed: rel !== "data.csv" });
  }

  // the worker ran the bundled bytes: only the files the project names were fetched
  const fetched = new Set(project.requests.map((r) => r.path));
  assert.deepEqual([...fetched].sort(), ["/MLproject", "/crash.js", "/data.csv", "/forever.js", "/lib/util.js", "/train.js"]);
  assert.deepEqual(page.errors.map(String), []);
});

traced("an entry point that throws ends FAILED with error.txt", async (t, { open }) => {
  const project = await serveProject();
  const page = await open();
  const { runId, run, error } = await runProject(page, project.url, { entryPoint: "crash", parameters: { message: "boom 42" } });
  assert.equal(error, undefined, JSON.stringify(error));
  assert.equal(run.info.status, "FAILED");
  const text = (await artifact(page, runId, "error.txt")).toString();
  assert.match(text, /demo crash: boom 42/);
  assert.match(text, /^\s+at explode\b/m, `no stack line in error.txt:\n${text}`);
  // what it logged before the throw is kept
  assert.deepEqual((await history(page, runId, "before_crash")).map((p) => p.value), [1]);
  const stored = await page.evaluate((id) => mlflow.getRun(id), runId);
  assert.equal(stored.info.status, "FAILED");
  assert.equal(stored.data.params.message, "boom 42");
  assert.equal(stored.data.tags["mlflow.project.entryPoint"], "crash");
  assert.deepEqual(page.errors.map(String), []);
});

traced("stop() ends an endless entry point: the worker is gone and the run KILLED", async (t, { open }) => {
  const project = await serveProject();
  const page = await open();
  const started = page.waitForEvent("worker", { predicate: (w) => /project-worker/.test(w.url()), timeout: 30_000 });
  const runId = await page.evaluate(async (url) => {
    window.__forever = await mlflow.projects.run(url, { entryPoint: "forever", parameters: { every_ms: 50 } });
    return window.__forever.runId;
  }, project.url);
  const worker = await started;
  await until(async () => (await history(page, runId, "heartbeat")).length >= 3, { timeout: 20_000 });
  assert.equal((await page.evaluate((id) => mlflow.getRun(id), runId)).info.status, "RUNNING");

  const closed = worker.waitForEvent("close", { timeout: 10_000 });
  const t0 = Date.now();
  const run = await page.evaluate(async () => {
    await window.__forever.stop();
    return window.__forever.done;
  });
  await closed;
  t.diagnostic(`stop() → done and worker closed in ${Date.now() - t0} ms`);
  assert.equal(run.info.status, "KILLED");
  assert.ok(run.info.endTime != null);

  // what the worker logged before it went is kept, in order (its close is the proof
  // that it is gone: `closed` above)
  const beats = await history(page, runId, "heartbeat");
  assert.ok(beats.length >= 3);
  assert.deepEqual(beats.map((p) => p.value), beats.map((_, i) => i));
  const stored = await page.evaluate((id) => mlflow.getRun(id), runId);
  assert.equal(stored.info.status, "KILLED");
  // stopping again changes nothing
  await page.evaluate(() => window.__forever.stop());
  assert.equal((await page.evaluate((id) => mlflow.getRun(id), runId)).info.status, "KILLED");
  assert.deepEqual(page.errors.map(String), []);
});

traced("invalid parameters are refused, naming each, and create no run", async (t, { open }) => {
  const project = await serveProject();
  const page = await open();
  const before = await runCount(page);
  const cases = [
    [{ entryPoint: "main", parameters: { epochs: "x" } }, ["epochs"]],
    [{ entryPoint: "main", parameters: { epochs: 2.5 } }, ["epochs"]],
    [{ entryPoint: "main", parameters: { lr: "fast" } }, ["lr"]],
    [{ entryPoint: "main", parameters: { nope: 1 } }, ["nope"]],
    [{ entryPoint: "main", parameters: { nope: 1, epochs: "x", lr: "fast" } }, ["nope", "epochs", "lr"]],
    [{ entryPoint: "crash" }, ["message", "required"]],
    [{ entryPoint: "crash", parameters: {} }, ["message", "required"]],
    [{ entryPoint: "main", parameters: { data: "../outside.csv" } }, ["data"]],
  ];
  for (const [options, names] of cases) {
    const { error, runId } = await runProject(page, project.url, options);
    assert.ok(error, `${JSON.stringify(options)} started run ${runId}`);
    assert.equal(error.code, "INVALID_PARAMETER_VALUE", `${JSON.stringify(options)}: ${error.message}`);
    for (const n of names) assert.ok(error.message.includes(n), `${JSON.stringify(options)}: '${n}' not in "${error.message}"`);
  }
  // an unknown entry point too
  const { error } = await runProject(page, project.url, { entryPoint: "nowhere" });
  assert.ok(error?.message.includes("nowhere"), JSON.stringify(error));
  assert.equal(await runCount(page), before);
  assert.deepEqual(page.errors.map(String), []);
});

traced("a command-only entry point is listed as not runnable and refuses to run", async (t, { open }) => {
  const project = await serveProject();
  const page = await open();
  const before = await runCount(page);
  const info = await page.evaluate((url) => mlflow.projects.load(url), project.url);
  assert.deepEqual(info.entryPoints.find((e) => e.name === "python"),
    { name: "python", runnable: false, command: "python train.py --lr {lr}", parameters: [{ name: "lr", type: "float", default: "0.1" }] });
  const { error } = await runProject(page, project.url, { entryPoint: "python" });
  assert.ok(error, "the command-only entry point ran");
  assert.equal(error.code, "INVALID_PARAMETER_VALUE");
  assert.match(error.message, /python/);
  assert.equal(await runCount(page), before);
  assert.deepEqual(page.errors.map(String), []);
});

traced("runs:/<id> re-runs the stored code once the project's server is gone", async (t, { open }) => {
  const project = await serveProject();
  const page = await open();
  const first = await runProject(page, project.url, { parameters: { epochs: 3 } });
  assert.equal(first.error, undefined, JSON.stringify(first.error));
  assert.equal(first.run.info.status, "FINISHED");
  await project.close();
  // the server is really gone
  const offline = await page.evaluate((url) => mlflow.projects.load(url).then(() => "loaded", (e) => e.message), project.url);
  assert.match(offline, /could not be loaded/);
  // (that refused fetch is the one expected console error)
  const refused = (e) => String(e).includes(`ERR_CONNECTION_REFUSED: ${project.url}MLproject`);
  assert.equal(page.errors.filter(refused).length, 1);
  page.errors = page.errors.filter((e) => !refused(e));

  const again = await runProject(page, `runs:/${first.runId}`, { parameters: { epochs: 4 } });
  assert.equal(again.error, undefined, JSON.stringify(again.error));
  assert.notEqual(again.runId, first.runId);
  assert.equal(again.run.info.status, "FINISHED");
  const stored = await page.evaluate((id) => mlflow.getRun(id), again.runId);
  assert.equal(stored.data.tags["ferroflow.project.sha256"], HASH);
  assert.equal(stored.data.params.epochs, "4");
  assert.equal(stored.data.params.data, "data.csv");
  assert.deepEqual((await history(page, again.runId, "loss")).map((p) => p.value), expectedFit(0.1, 4).losses);
  for (const rel of [...CODE, "data.csv"]) {
    assert.ok((await artifact(page, again.runId, `code/${rel}`)).equals(read(rel)), `re-run's code/${rel}`);
  }
  // load of runs:/ reports the same project
  const info = await page.evaluate((id) => mlflow.projects.load(`runs:/${id}`), first.runId);
  assert.equal(info.sha256, HASH);
  // a run that is not a project run has no code to run
  const plain = await page.evaluate(async () => {
    const r = await mlflow.startRun();
    await mlflow.endRun();
    return mlflow.projects.load(`runs:/${r.info.runId}`).then(() => null, (e) => ({ code: e.code, message: e.message }));
  });
  assert.equal(plain?.code, "RESOURCE_DOES_NOT_EXIST", JSON.stringify(plain));
  assert.deepEqual(page.errors.map(String), []);
});

traced("an exported project run re-runs in a fresh profile", async (t, { open }) => {
  const project = await serveProject();
  const page = await open();
  const first = await runProject(page, project.url, { parameters: { epochs: 5, label: "bundle" }, experimentName: "bundled" });
  assert.equal(first.run?.info.status, "FINISHED", JSON.stringify(first.error));
  const zip = await page.evaluate(async (id) => {
    const blob = await mlflow.exportArchive({ runIds: [id] });
    const bytes = new Uint8Array(await blob.arrayBuffer());
    let s = "";
    for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return btoa(s);
  }, first.runId);
  await project.close();

  const fresh = await open(); // a new context: an empty IndexedDB
  assert.equal(await runCount(fresh), 0);
  await fresh.evaluate(async (b64) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    await mlflow.importArchive(bytes);
  }, zip);
  const imported = await fresh.evaluate((id) => mlflow.getRun(id), first.runId);
  assert.equal(imported.data.tags["ferroflow.project.sha256"], HASH);

  const again = await runProject(fresh, `runs:/${first.runId}`, { experimentId: imported.info.experimentId });
  assert.equal(again.error, undefined, JSON.stringify(again.error));
  assert.equal(again.run.info.status, "FINISHED");
  const stored = await fresh.evaluate((id) => mlflow.getRun(id), again.runId);
  assert.equal(stored.data.tags["ferroflow.project.sha256"], HASH);
  assert.equal(stored.info.experimentId, imported.info.experimentId);
  assert.deepEqual((await history(fresh, again.runId, "loss")).map((p) => p.value), expectedFit(0.1, 20).losses);
  assert.deepEqual(page.errors.map(String), []);
  assert.deepEqual(fresh.errors.map(String), []);
});

traced("the Projects form runs an entry point, and Re-run runs its stored code", async (t, { open }) => {
  const project = await serveProject();
  const page = await open(`projects/run?uri=${encodeURIComponent(project.url)}`);
  await page.setViewportSize({ width: 1200, height: 900 });
  const uri = page.getByLabel("Project URL");
  await uri.waitFor({ timeout: 30_000 });
  const entry = page.getByLabel("Entry point");
  await entry.waitFor({ timeout: 30_000 });
  await page.getByLabel(/^\s*lr\b/i).waitFor();
  await entry.selectOption("main");
  await page.getByLabel(/^\s*lr\b/i).fill("0.3");
  await page.getByLabel(/^\s*epochs\b/i).fill("7");
  await page.getByLabel(/^\s*label\b/i).fill("from the form");
  await page.screenshot({ path: `${SHOTS}projects_form.png`, fullPage: true });

  await page.getByRole("button", { name: "Run", exact: true }).click();
  let runId = null;
  await until(async () => {
    const runs = await page.evaluate(() => mlflow.searchRuns({ filter: "params.label = 'from the form'" }));
    runId = runs[0]?.info.status === "FINISHED" ? runs[0].info.runId : null;
    return runId;
  }, { timeout: 30_000 });
  await page.getByText("FINISHED", { exact: true }).first().waitFor({ timeout: 10_000 });
  const run = await page.evaluate((id) => mlflow.getRun(id), runId);
  assert.deepEqual(run.data.params, {
    lr: "0.3", epochs: "7", label: "from the form", data: "data.csv", docs: "./README.md", n_samples: "8",
  });
  assert.equal(run.data.tags["ferroflow.project.sha256"], HASH);
  assert.deepEqual((await history(page, runId, "loss")).map((p) => p.value), expectedFit(0.3, 7).losses);

  // the run page shows the project and offers Re-run, which works without the server
  await project.close();
  await page.goto(`${app.site.url}experiments/${run.info.experimentId}/runs/${runId}`);
  const rerun = page.getByRole("link", { name: "Re-run" }).or(page.getByRole("button", { name: "Re-run" }));
  await rerun.first().waitFor({ timeout: 30_000 });
  await page.screenshot({ path: `${SHOTS}projects_run_page.png`, fullPage: true });
  const card = page.getByRole("region", { name: "Project", exact: true });
  await card.getByText("lib/util.js").waitFor(); // the stored code is listed
  await card.screenshot({ path: `${SHOTS}projects_run_card.png` });
  await rerun.first().click();
  await page.waitForURL((u) => u.pathname.endsWith("/projects/run") && u.searchParams.get("run") === runId, { timeout: 10_000 });
  await page.getByLabel(/^\s*lr\b/i).waitFor({ timeout: 30_000 });
  await until(async () => (await page.getByLabel(/^\s*lr\b/i).inputValue()) === "0.3");
  assert.equal(await page.getByLabel(/^\s*epochs\b/i).inputValue(), "7");
  assert.equal(await page.getByLabel(/^\s*label\b/i).inputValue(), "from the form");
  await page.getByRole("button", { name: "Run", exact: true }).click();
  let second = null;
  await until(async () => {
    const runs = await page.evaluate(() => mlflow.searchRuns({ filter: "params.label = 'from the form'" }));
    second = runs.find((r) => r.info.runId !== runId && r.info.status === "FINISHED") ?? null;
    return second;
  }, { timeout: 30_000 });
  assert.equal(second.data.tags["ferroflow.project.sha256"], HASH);
  assert.equal(second.data.params.epochs, "7");
  assert.deepEqual(page.errors.map(String), []);
});

traced("the form's Stop button kills a running entry point", async (t, { open }) => {
  const project = await serveProject();
  const page = await open(`projects/run?uri=${encodeURIComponent(project.url)}`);
  const entry = page.getByLabel("Entry point");
  await entry.waitFor({ timeout: 30_000 });
  await entry.selectOption("forever");
  await page.getByRole("button", { name: "Run", exact: true }).click();
  let runId = null;
  await until(async () => {
    const runs = await page.evaluate(() => mlflow.searchRuns({ filter: "tags.`mlflow.project.entryPoint` = 'forever'" }));
    runId = runs[0]?.info.runId ?? null;
    return runId && (await history(page, runId, "heartbeat")).length >= 3;
  }, { timeout: 30_000 });
  await page.getByRole("button", { name: "Stop" }).click();
  await until(async () => (await page.evaluate((id) => mlflow.getRun(id), runId)).info.status === "KILLED");
  await page.getByText("KILLED", { exact: true }).first().waitFor({ timeout: 10_000 });
  assert.deepEqual(page.errors.map(String), []);
});

/**
 * A zipped project in a folder (`demo/MLproject`): a module shared by two entry points,
 * an import from another origin, and a `path` parameter naming another run's artifact.
 */
function zippedProject(externalUrl) {
  const files = {
    "demo/MLproject": [
      "name: zipped",
      "entry_points:",
      "  main:",
      "    module: src/main.js",
      "    parameters:",
      "      model: path            # required: a runs:/ artifact here",
      "      n: {type: int, default: 3}",
      "  second:",
      "    module: src/second.js",
      "    function: run",
      "  floating:",
      "    module: src/floating.js",
      "    parameters:",
      "      docs: {type: uri, default: ./README.md}",
      "",
    ].join("\n"),
    "demo/src/main.js": [
      `import { double } from "./shared/math.js";`,
      `import { ext } from ${JSON.stringify(externalUrl)};`,
      `// import { nothing } from "./not-there.js"  (a comment: not an import)`,
      `export async function main(params, mlflow) {`,
      `  for (let i = 0; i < params.n; i++) mlflow.logMetric("d", double(i), { step: i });`,
      `  await mlflow.logText(new TextDecoder().decode(params.model) + "|" + ext, "echo.txt");`,
      `}`,
      "",
    ].join("\n"),
    "demo/src/second.js": `import { double } from './shared/math.js';\nexport const run = async (p, mlflow) => { mlflow.logMetric("x", double(21)); };\n`,
    "demo/src/shared/math.js": "export const double = (x) => x * 2;\n",
    // A rejection nobody awaits, while the function itself never returns.
    "demo/src/floating.js": `export function main(params, mlflow) {\n  mlflow.logMetric("before", 1);\n  Promise.reject(new RangeError("floating rejection"));\n  return new Promise(() => {});\n}\n`,
    "demo/notes.txt": "not code\n",
  };
  const py = "import json, sys, zipfile\nz = zipfile.ZipFile(sys.stdout.buffer, 'w')\nfor k, v in json.load(sys.stdin).items(): z.writestr(k, v)\nz.close()\n";
  const zip = execFileSync(process.env.ORACLE_PYTHON ?? "python3", ["-c", py], { input: JSON.stringify(files) });
  const code = ["MLproject", "src/floating.js", "src/main.js", "src/second.js", "src/shared/math.js"];
  const manifest = code
    .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
    .map((p) => `${p}\0${sha256(Buffer.from(files[`demo/${p}`]))}\n`).join("");
  return { zip, files, code, hash: sha256(manifest) };
}

traced("a zipped project runs from a File: shared modules, an external import, a runs:/ path parameter", async (t, { open }) => {
  const extDir = fs.mkdtempSync(`${os.tmpdir()}/ff-ext-`);
  t.after(() => fs.rmSync(extDir, { recursive: true, force: true }));
  fs.writeFileSync(`${extDir}/ext.js`, `export const ext = "external";\n`);
  const ext = await app.serve(extDir);
  const externalUrl = `${ext.url}ext.js`;
  const { zip, files, code, hash } = zippedProject(externalUrl);
  const page = await open();
  const out = await page.evaluate(async ({ b64 }) => {
    const zip = new File([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], "demo.zip");
    const src = await mlflow.startRun({ runName: "weights" });
    await mlflow.logText("weights-v1", "model.txt");
    await mlflow.endRun();
    const info = await mlflow.projects.load(zip);
    const missing = await mlflow.projects.run(zip).then(() => null, (e) => ({ code: e.code, message: e.message }));
    const runsBefore = (await mlflow.searchRuns({ viewType: "ALL" })).length;
    // refused before anything is written: no run, and no experiment of that name
    const longName = await mlflow.projects.run(zip, { entryPoint: "second", experimentName: "never-made", runName: "x".repeat(9000) })
      .then(() => null, (e) => ({ code: e.code, message: e.message }));
    const madeExperiment = await mlflow.getExperimentByName("never-made").then((e) => e != null, () => false);
    const relative = await mlflow.projects.run(zip, { entryPoint: "floating" }).then(() => null, (e) => ({ code: e.code, message: e.message }));
    const runsAfterRefusals = (await mlflow.searchRuns({ viewType: "ALL" })).length;
    const main = await mlflow.projects.run(zip, { parameters: { model: `runs:/${src.info.runId}/model.txt` } });
    const second = await mlflow.projects.run(zip, { entryPoint: "second" });
    const floating = await mlflow.projects.run(zip, { entryPoint: "floating", parameters: { docs: "https://example.org/docs" } });
    return {
      info, missing, runsBefore, longName, madeExperiment, relative, runsAfterRefusals,
      main: { runId: main.runId, run: await main.done }, second: { runId: second.runId, run: await second.done },
      floating: { runId: floating.runId, run: await floating.done },
    };
  }, { b64: zip.toString("base64") });

  assert.equal(out.info.name, "zipped");
  assert.equal(out.info.source, "demo.zip");
  assert.equal(out.info.sha256, hash);
  assert.deepEqual([...out.info.files].sort(), [...code].sort());
  assert.deepEqual(out.info.externalImports, [externalUrl]);
  assert.equal(out.missing.code, "INVALID_PARAMETER_VALUE");
  assert.match(out.missing.message, /'model'/);
  assert.equal(out.runsBefore, 1, "the refused run created nothing");
  assert.equal(out.longName.code, "INVALID_PARAMETER_VALUE");
  assert.equal(out.madeExperiment, false, "a refused run creates no experiment either");
  assert.equal(out.relative.code, "INVALID_PARAMETER_VALUE");
  assert.match(out.relative.message, /'docs'.*relative/);
  assert.equal(out.runsAfterRefusals, 1);

  assert.equal(out.main.run.info.status, "FINISHED");
  assert.equal((await artifact(page, out.main.runId, "echo.txt")).toString(), "weights-v1|external");
  assert.deepEqual((await history(page, out.main.runId, "d")).map((p) => [p.step, p.value]), [[0, 0], [1, 2], [2, 4]]);
  assert.equal(out.main.run.data.params.n, "3");
  assert.match(out.main.run.data.params.model, /^runs:\/[0-9a-f]+\/model\.txt$/);
  assert.equal(out.main.run.data.tags["ferroflow.project.sha256"], hash);
  assert.equal(out.main.run.data.tags["mlflow.source.name"], "demo.zip");
  const manifest = JSON.parse(await artifact(page, out.main.runId, "ferroflow.project.json"));
  assert.deepEqual(manifest.external_imports, [externalUrl]);
  for (const rel of code) {
    assert.equal((await artifact(page, out.main.runId, `code/${rel}`)).toString(), files[`demo/${rel}`], `code/${rel}`);
  }
  assert.equal(out.second.run.info.status, "FINISHED");
  assert.deepEqual((await history(page, out.second.runId, "x")).map((p) => p.value), [42]);
  // an unhandled rejection fails the run, with what was logged before kept
  assert.equal(out.floating.run.info.status, "FAILED");
  assert.match((await artifact(page, out.floating.runId, "error.txt")).toString(), /RangeError: floating rejection/);
  assert.deepEqual((await history(page, out.floating.runId, "before")).map((p) => p.value), [1]);
  assert.deepEqual(page.errors.map(String), []);

  // the same zip served at a URL: relative uris resolve against its folder
  fs.writeFileSync(`${extDir}/demo.zip`, zip);
  const byUrl = await page.evaluate(async (url) => {
    const info = await mlflow.projects.load(url);
    const h = await mlflow.projects.run(url, { entryPoint: "floating" });
    const run = await h.done;
    return { info, run };
  }, `${ext.url}demo.zip`);
  assert.equal(byUrl.info.sha256, hash);
  assert.equal(byUrl.info.source, `${ext.url}demo.zip`);
  assert.equal(byUrl.run.info.status, "FAILED");
  assert.equal(byUrl.run.data.params.docs, "./README.md");

  // the same zip through the form's file picker
  const zipPath = `${extDir}/demo.zip`;
  const ui = await open("projects/run");
  await ui.getByLabel("or open a .zip").setInputFiles(zipPath);
  const entry = ui.getByLabel("Entry point");
  await entry.waitFor({ timeout: 30_000 });
  await ui.getByTestId("project-summary").getByText("zipped").waitFor();
  // inline validation: a required path, then a bad int, keep Run disabled and say why
  const runButton = ui.getByRole("button", { name: "Run", exact: true });
  await entry.selectOption("main");
  await ui.locator('.param-field[data-param="model"] .param-error').getByText(/'model'.*required/).waitFor();
  assert.equal(await runButton.isDisabled(), true);
  await ui.getByLabel("model", { exact: true }).fill("runs:/abc/model.txt");
  await ui.getByLabel("n", { exact: true }).fill("1e");
  await ui.locator('.param-field[data-param="n"] .param-error').getByText(/'n'.*not an int/).waitFor();
  assert.equal(await runButton.isDisabled(), true);
  // an entry point that fails: the form shows the failure
  await entry.selectOption("floating");
  await ui.getByLabel("docs", { exact: true }).fill("https://example.org/docs");
  await runButton.click();
  await ui.getByTestId("run-status").getByText("FAILED", { exact: true }).waitFor({ timeout: 30_000 });
  await ui.getByTestId("run-failure").getByText(/floating rejection/).waitFor({ timeout: 10_000 });
  await ui.screenshot({ path: `${SHOTS}projects_failed.png`, fullPage: true });

  await entry.selectOption("second");
  await runButton.click();
  await ui.getByTestId("run-status").getByText("FINISHED", { exact: true }).waitFor({ timeout: 30_000 });
  const runId = await ui.getByTestId("live-run").getAttribute("data-run-id");
  const run = await ui.evaluate((id) => mlflow.getRun(id), runId);
  assert.equal(run.data.tags["mlflow.project.entryPoint"], "second");
  assert.equal(run.data.tags["ferroflow.project.sha256"], hash);
  assert.deepEqual(ui.errors.map(String), []);
});
