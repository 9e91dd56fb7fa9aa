// TF.js autologging as a user works it, with real TF.js 4.22 (from node_modules):
// one line in model.fit beside tf.callbacks.earlyStopping, or autolog(tf) for every
// fit; params and metrics as MLflow's Keras autolog names them; run lifecycle
// (started, ended, FAILED on a throw, nested); browser system metrics.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import { until, waitForMlflow } from "./browser.mjs";
import { useSite } from "./site.mjs";

const TFJS = new URL("./node_modules/@tensorflow/tfjs/dist/tf.fesm.min.js", import.meta.url).pathname;
const app = useSite({
  routes: {
    "/tfjs/tf.fesm.min.js": { type: "text/javascript", body: fs.readFileSync(TFJS) },
    "/lab.html": {
      type: "text/html",
      body: `<!doctype html><title>lab</title><link rel="icon" href="data:,">
             <script type="module">
               const tf = await import("/tfjs/tf.fesm.min.js");
               await tf.setBackend("cpu");
               window.tf = tf;
               window.data = () => {
                 const x = tf.randomUniform([64, 4], 0, 1, "float32", 3);
                 return { x, y: x.sum(1).greater(2).cast("float32").reshape([64, 1]) };
               };
               window.tiny = () => {
                 const m = tf.sequential();
                 m.add(tf.layers.dense({ units: 8, activation: "relu", inputShape: [4] }));
                 m.add(tf.layers.dense({ units: 1, activation: "sigmoid" }));
                 m.compile({ optimizer: tf.train.adam(0.01), loss: "binaryCrossentropy", metrics: ["accuracy"] });
                 return m;
               };
               window.mlflow = await import("/mlflow.js");
             </script>`,
    },
  },
});

async function lab() {
  const page = await app.page();
  await page.goto(`${app.site.origin}/lab.html`);
  await waitForMlflow(page);
  return page;
}

/** A run as the test reads it: params, tags, each metric's steps, artifacts. */
const readRun = (page, runId) => page.evaluate(async (runId) => {
  const run = await mlflow.getRun(runId);
  const steps = {};
  for (const k of Object.keys(run.data.metrics)) steps[k] = (await mlflow.getMetricHistory(runId, k)).map((p) => p.step);
  const artifacts = (await mlflow.listArtifacts(runId)).map((f) => f.path);
  return { info: run.info, params: run.data.params, tags: run.data.tags, metrics: run.data.metrics, steps, artifacts };
}, runId);

test("one callback in model.fit logs params, per-epoch and per-batch metrics, and starts and ends its run", async () => {
  const page = await lab();
  const runId = await page.evaluate(async () => {
    await mlflow.setExperiment("autolog");
    const { x, y } = data();
    const model = tiny();
    const seen = [];
    // beside another plain callbacks object (as tfvis.show.fitCallbacks returns)
    await model.fit(x, y, { epochs: 3, batchSize: 16, verbose: 0,
      callbacks: [{ onEpochEnd: async (e) => seen.push(e) }, mlflow.tfjs.callback({ logEvery: "batch", model })] });
    if (seen.join() !== "0,1,2") throw new Error("the other callback ran too: " + seen);
    if (mlflow.activeRun() !== null) throw new Error("the run it started is ended");
    const runs = await mlflow.searchRuns({ filter: "status = 'FINISHED'" });
    return runs[0].info.runId;
  });
  const r = await readRun(page, runId);
  assert.equal(r.info.status, "FINISHED");
  assert.equal(r.params.epochs, "3");
  assert.equal(r.params.batch_size, "16");
  assert.equal(r.params.optimizer_name, "Adam");
  assert.equal(r.params.optimizer_learning_rate, "0.01");
  assert.equal(r.params.loss, "binaryCrossentropy");
  assert.equal(r.params.metrics, "acc");
  assert.deepEqual(r.steps.loss, [0, 1, 2]);
  assert.deepEqual(r.steps.acc, [0, 1, 2]);
  assert.deepEqual(r.steps.epoch_time_ms, [0, 1, 2]);
  assert.deepEqual(r.steps.batch_loss, Array.from({ length: 12 }, (_, i) => i + 1), "4 batches × 3 epochs, a global step");
  assert.ok(r.artifacts.includes("model_summary.txt"), r.artifacts.join());
  assert.deepEqual(page.errors.map(String), []);
});

test("beside tf.callbacks.earlyStopping (first in the list), an early stop is tagged and the model is known", async () => {
  const page = await lab();
  const runId = await page.evaluate(async () => {
    const { x, y } = data();
    const model = tiny();
    // minDelta so large that nothing ever improves: stops after the second epoch
    const es = tf.callbacks.earlyStopping({ monitor: "val_loss", minDelta: 1e9, patience: 0 });
    const run = await mlflow.startRun({ runName: "early" });
    await model.fit(x, y, { epochs: 10, batchSize: 16, validationSplit: 0.25, verbose: 0,
      callbacks: [es, mlflow.tfjs.callback({ earlyStopping: es })] });
    await mlflow.endRun();
    return run.info.runId;
  });
  const r = await readRun(page, runId);
  assert.equal(r.tags.stopped_epoch, "1");
  assert.equal(r.tags.monitor, "val_loss");
  assert.equal(r.tags.patience, "0");
  assert.deepEqual(r.steps.val_loss, [0, 1]);
  assert.equal(r.info.status, "FINISHED", "the user's run, ended by the user");
  assert.equal(r.params.optimizer_name, "Adam", "TF.js handed the model to our duck-typed callback");
});

test("autolog(tf) logs every fit (model and registry too), FAILED on a throw, nested when asked, and undoes itself", async () => {
  const page = await lab();
  const r = await page.evaluate(async () => {
    const { x, y } = data();
    mlflow.tfjs.autolog(tf, { logModel: true, registeredModelName: "auto-tfjs" });
    await tiny().fit(x, y, { epochs: 2, batchSize: 32, validationSplit: 0.5, verbose: 0 });
    const first = (await mlflow.searchRuns({ orderBy: ["start_time DESC"] }))[0].info.runId;
    // a fit that throws: y of the wrong shape
    let threw = false;
    try { await tiny().fit(x, tf.zeros([64, 3]), { epochs: 1, verbose: 0 }); } catch (_) { threw = true; }
    const failed = (await mlflow.searchRuns({ filter: "status = 'FAILED'" }))[0]?.info.runId;
    // nested under an active run
    mlflow.tfjs.autolog(tf, { nested: true });
    const parent = await mlflow.startRun({ runName: "sweep" });
    await tiny().fit(x, y, { epochs: 1, verbose: 0 });
    const children = await mlflow.searchRuns({ filter: `tags.mlflow.parentRunId = '${parent.info.runId}'` });
    await mlflow.endRun();
    // undone: a fit logs nothing
    mlflow.tfjs.autolog(tf, { disable: true });
    const before = (await mlflow.searchRuns()).length;
    await tiny().fit(x, y, { epochs: 1, verbose: 0 });
    const after = (await mlflow.searchRuns()).length;
    const version = await mlflow.getModelVersion("auto-tfjs", "1");
    return { first, threw, failed, children: children.map((c) => c.info.status), before, after, version };
  });
  const first = await readRun(page, r.first);
  assert.equal(first.params.validation_split, "0.5");
  assert.equal(first.params.batch_size, "32");
  assert.deepEqual(first.steps.val_loss, [0, 1]);
  assert.equal(r.version.runId, r.first, "the trained model was logged and registered");
  assert.ok(r.threw);
  const failed = await readRun(page, r.failed);
  assert.equal(failed.info.status, "FAILED");
  assert.ok(failed.artifacts.includes("fit_error.txt"), failed.artifacts.join());
  assert.deepEqual(r.children, ["FINISHED"]);
  assert.equal(r.after, r.before, "after disable, fit starts no run");
});

test("browser system metrics under honest system/ names while the run is active", async () => {
  const page = await lab();
  const runId = await page.evaluate(async () => (await mlflow.startRun({ logSystemMetrics: true })).info.runId);
  await until(() => page.evaluate(async (id) => "system/storage_usage_megabytes" in (await mlflow.getRun(id)).data.metrics, runId));
  await page.evaluate(() => mlflow.endRun());
  const r = await readRun(page, runId);
  const names = Object.keys(r.metrics).filter((k) => k.startsWith("system/")).sort();
  assert.ok(names.includes("system/js_heap_used_megabytes"), names.join());
  assert.ok(names.includes("system/tfjs_num_tensors"), "tf.memory() through the page's tf");
  assert.ok(!names.some((n) => /cpu|gpu_\d|network|system_memory/.test(n)), `no MLflow names for what a page cannot measure: ${names}`);
  assert.ok(Number(r.tags["ferroflow.system.hardware_concurrency"]) >= 1);
  assert.equal(r.tags["ferroflow.system.tfjs_backend"], "cpu");
});

test("fitDataset logs as fit does: with callback() in its callbacks, and patched by autolog(tf)", async () => {
  const page = await lab();
  const r = await page.evaluate(async () => {
    await mlflow.setExperiment("autolog-dataset");
    const { x, y } = data();
    const dataset = () => tf.data.zip({ xs: tf.data.array(x.unstack()), ys: tf.data.array(y.unstack()) }).batch(16);
    const model = tiny();
    await model.fitDataset(dataset(), { epochs: 3, verbose: 0, callbacks: [mlflow.tfjs.callback({ model })] });
    const viaCallback = (await mlflow.searchRuns({ orderBy: ["start_time DESC"] }))[0].info.runId;
    mlflow.tfjs.autolog(tf);
    try {
      await tiny().fitDataset(dataset(), { epochs: 2, verbose: 0, validationData: dataset() });
    } finally {
      mlflow.tfjs.autolog(tf, { disable: true });
    }
    const runs = await mlflow.searchRuns({ orderBy: ["start_time DESC"] });
    return { viaCallback, viaAutolog: runs[0].info.runId, count: runs.length };
  });
  assert.equal(r.count, 2, "one run per fitDataset");
  const a = await readRun(page, r.viaCallback);
  assert.equal(a.info.status, "FINISHED");
  assert.equal(a.params.epochs, "3");
  assert.equal(a.params.optimizer_name, "Adam");
  assert.deepEqual(a.steps.loss, [0, 1, 2]);
  assert.deepEqual(a.steps.acc, [0, 1, 2]);
  const b = await readRun(page, r.viaAutolog);
  assert.equal(b.info.status, "FINISHED");
  assert.equal(b.params.epochs, "2");
  assert.deepEqual(b.steps.loss, [0, 1]);
  assert.deepEqual(b.steps.val_loss, [0, 1], "validationData's metrics");
  assert.ok(b.artifacts.includes("model_summary.txt"), b.artifacts.join());
});
