// Models and the Model Registry as a user works them: a real TF.js 4.22 model
// (served from node_modules, no CDN) trained in a page, logged and registered,
// aliased, loaded back after a reload with bit-identical predictions; registry
// semantics and MLflow's error codes; and real MLflow resolving the exported model.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { waitForMlflow } from "./browser.mjs";
import { useSite } from "./site.mjs";

const TFJS = new URL("./node_modules/@tensorflow/tfjs/dist/tf.fesm.min.js", import.meta.url).pathname;
const app = useSite({
  routes: {
    "/tfjs/tf.fesm.min.js": { type: "text/javascript", body: fs.readFileSync(TFJS) },
    // A page of the site's origin with TF.js and the API, as a user's own page would be.
    "/lab.html": {
      type: "text/html",
      body: `<!doctype html><title>lab</title><link rel="icon" href="data:,">
             <script type="module">
               window.tf = await import("/tfjs/tf.fesm.min.js");
               await window.tf.setBackend("cpu");
               window.mlflow = await import("/mlflow.js");
             </script>`,
    },
  },
});

async function lab(page) {
  await page.goto(`${app.site.origin}/lab.html`);
  await waitForMlflow(page);
}

/** The error's {code, message} of an async call that must fail. */
const failure = (page, fn, arg) => page.evaluate(`(async () => {
  try { await (${fn.toString()})(${JSON.stringify(arg)}); } catch (e) { return { code: e.code, message: e.message }; }
  throw new Error("expected a failure");
})()`);

test("a TF.js model trained in the page is logged, registered, aliased and loaded back bit-identical after a reload", async () => {
  const page = await app.page();
  await lab(page);
  const logged = await page.evaluate(async () => {
    const { tf } = window;
    const model = tf.sequential();
    model.add(tf.layers.dense({ units: 8, activation: "relu", inputShape: [4], name: "hidden" }));
    model.add(tf.layers.dense({ units: 1, activation: "sigmoid", name: "out" }));
    model.compile({ optimizer: "adam", loss: "binaryCrossentropy", metrics: ["accuracy"] });
    const x = tf.randomUniform([64, 4], 0, 1, "float32", 7);
    const y = x.sum(1).greater(2).cast("float32").reshape([64, 1]);
    await mlflow.setExperiment("tfjs-lab");
    const run = await mlflow.startRun({ runName: "tiny" });
    await model.fit(x, y, { epochs: 3, batchSize: 16, verbose: 0 });
    const info = await mlflow.logModel(model, "model", { registeredModelName: "tfjs-demo", inputExample: [[0.1, 0.2, 0.3, 0.4]] });
    await mlflow.setRegisteredModelAlias("tfjs-demo", "champion", info.registeredModelVersion);
    const probe = tf.tensor2d([[1, 2, 3, 4], [0.5, 0.25, 0.125, 0], [-1, 0, 1, 2]]);
    const before = Array.from(model.predict(probe).dataSync());
    await mlflow.endRun();
    const runTags = (await mlflow.getRun(run.info.runId)).data.tags;
    return { info, before, runId: run.info.runId, history: runTags["mlflow.log-model.history"], expId: run.info.experimentId };
  });
  const { info } = logged;
  assert.match(info.modelId, /^m-[0-9a-f]{32}$/);
  assert.equal(info.modelUri, `models:/${info.modelId}`);
  assert.equal(info.runId, logged.runId);
  assert.equal(info.registeredModelVersion, "1");
  assert.deepEqual(info.flavors.tfjs.weights_files, ["weights.bin"]);
  assert.equal(info.flavors.tfjs.format, "layers-model");
  assert.equal(info.flavors.tfjs.tfjs_version, "4.22.0");
  assert.deepEqual(info.signature.inputs, [{ name: info.signature.inputs[0].name, type: "tensor", "tensor-spec": { dtype: "float32", shape: [-1, 4] } }]);
  const history = JSON.parse(logged.history);
  assert.equal(history.length, 1);
  assert.equal(history[0].model_id, info.modelId);

  // a fresh page (new wasm, new TF.js) loads it through every URI form
  await lab(page);
  const r = await page.evaluate(async ({ modelId, runId }) => {
    const { tf } = window;
    const probe = tf.tensor2d([[1, 2, 3, 4], [0.5, 0.25, 0.125, 0], [-1, 0, 1, 2]]);
    const out = {};
    for (const uri of ["models:/tfjs-demo@champion", "models:/tfjs-demo/1", "models:/tfjs-demo/latest", `models:/${modelId}`, `runs:/${runId}/model`]) {
      const m = await tf.loadLayersModel(await mlflow.loadModel(uri));
      out[uri] = Array.from(m.predict(probe).dataSync());
    }
    const lm = await mlflow.getLoggedModel(modelId);
    const rm = await mlflow.getRegisteredModel("tfjs-demo");
    const example = await (await mlflow.downloadModelArtifact("models:/tfjs-demo@champion", "input_example.json")).text();
    const viaInfo = await mlflow.getModelInfo("models:/tfjs-demo@champion");
    const search = await mlflow.searchLoggedModels({ filter: "name = 'model'" });
    return { out, lm, rm, example, viaInfo, search: search.map((m) => m.modelId) };
  }, { modelId: info.modelId, runId: logged.runId });
  for (const [uri, preds] of Object.entries(r.out)) {
    assert.equal(preds.length, 3);
    preds.forEach((p, i) => assert.ok(Object.is(p, logged.before[i]), `${uri}: prediction ${i} ${p} vs ${logged.before[i]}`));
  }
  assert.equal(r.lm.status, "READY");
  assert.equal(r.lm.sourceRunId, logged.runId);
  assert.equal(r.lm.experimentId, logged.expId);
  assert.equal(r.lm.modelType, "tfjs");
  assert.deepEqual(r.rm.aliases, { champion: "1" });
  assert.equal(r.rm.latestVersions[0].modelId, info.modelId);
  assert.equal(r.example, '{"inputs": [[0.1, 0.2, 0.3, 0.4]]}');
  assert.equal(r.viaInfo.registeredModelVersion, "1");
  assert.deepEqual(r.search, [info.modelId]);
  assert.deepEqual(page.errors.map(String), []);

  // real MLflow resolves the exported model through the same URIs
  if (!process.env.ORACLE_PYTHON) return;
  const b64 = await page.evaluate(async () => {
    const bytes = new Uint8Array(await (await mlflow.exportArchive()).arrayBuffer());
    let s = "";
    for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return btoa(s);
  });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ferroflow-models-"));
  fs.writeFileSync(path.join(dir, "export.zip"), Buffer.from(b64, "base64"));
  const check = spawnSync(process.env.ORACLE_PYTHON, ["-c", `
import json, os, sys, zipfile, logging, warnings
os.environ["MLFLOW_ALLOW_FILE_STORE"] = "true"
logging.getLogger("mlflow").setLevel(logging.ERROR); warnings.filterwarnings("ignore")
d = sys.argv[1]; zipfile.ZipFile(os.path.join(d, "export.zip")).extractall(d); os.chdir(d)
import mlflow
mlflow.set_tracking_uri("file://" + os.path.join(d, "mlruns")); mlflow.set_registry_uri("file://" + os.path.join(d, "mlruns"))
out = {}
for uri in sys.argv[2:]:
    i = mlflow.models.get_model_info(uri)
    out[uri] = sorted(i.flavors)
print(json.dumps(out))`, dir, `runs:/${logged.runId}/model`, `models:/${info.modelId}`, "models:/tfjs-demo@champion"], { encoding: "utf8" });
  assert.equal(check.status, 0, check.stderr);
  const flavors = JSON.parse(check.stdout.trim().split("\n").pop());
  for (const uri of Object.keys(flavors)) assert.deepEqual(flavors[uri], ["tfjs"], uri);
});

test("registry changes made in the browser to an imported MLflow store are what MLflow sees after export", { skip: !process.env.ORACLE_PYTHON && "ORACLE_PYTHON not set" }, async () => {
  const zip = fs.readFileSync(new URL("../fixtures/models.zip", import.meta.url));
  app.site.routes.set("/fixtures/models.zip", { type: "application/zip", body: zip });
  const page = await app.open();
  const b64 = await page.evaluate(async () => {
    await mlflow.importArchive(await (await fetch("/fixtures/models.zip")).arrayBuffer());
    await mlflow.setRegisteredModelAlias("fixture-model", "champion", "1"); // moved from 2
    const v3 = await mlflow.registerModel("models:/m-b3fde20b7dfa4d1a9e890ad54a10516d", "fixture-model");
    if (v3.version !== "3") throw new Error("new version " + v3.version);
    await mlflow.deleteModelVersion("fixture-model", "2");
    await mlflow.renameRegisteredModel("fixture-model-empty", "renamed-empty");
    const bytes = new Uint8Array(await (await mlflow.exportArchive()).arrayBuffer());
    let s = "";
    for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return btoa(s);
  });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ferroflow-registry-"));
  const file = path.join(dir, "export.zip");
  fs.writeFileSync(file, Buffer.from(b64, "base64"));
  const ORACLE = new URL("../oracle/oracle.py", import.meta.url).pathname;
  const dump = spawnSync(process.env.ORACLE_PYTHON, [ORACLE, "dump", "--strict", file], { encoding: "utf8", maxBuffer: 64 << 20 });
  assert.equal(dump.status, 0, dump.stderr);
  const rm = JSON.parse(dump.stdout).registered_models;
  assert.deepEqual(Object.keys(rm).sort(), ["fixture-model", "renamed-empty"]);
  assert.deepEqual(rm["fixture-model"].aliases, { baseline: "1", champion: "1" });
  assert.deepEqual(Object.keys(rm["fixture-model"].versions).sort(), ["1", "3"], "version 2 deleted, 3 new");
  assert.equal(rm["fixture-model"].versions["3"].model_id, "m-b3fde20b7dfa4d1a9e890ad54a10516d");
  assert.equal(rm["fixture-model"].versions["3"].source, "models:/m-b3fde20b7dfa4d1a9e890ad54a10516d");
});

test("the registry keeps MLflow's semantics: numbers never reused, aliases move, renames keep everything, stages", async () => {
  const page = await app.open();
  const r = await page.evaluate(async () => {
    const files = { "model.pkl": new Uint8Array([1, 2, 3]) };
    const flavor = { python_function: { loader_module: "mlflow.pyfunc.model", python_version: "3.11.7" } };
    await mlflow.startRun({ runName: "registry" });
    const infos = [];
    for (let i = 0; i < 3; i++) infos.push(await mlflow.logModelFiles(files, `m${i}`, { flavor, registeredModelName: "reg", tags: { i: String(i) } }));
    await mlflow.endRun();
    await mlflow.setRegisteredModelAlias("reg", "champion", "2");
    await mlflow.setRegisteredModelAlias("reg", "champion", 3); // moves
    await mlflow.setRegisteredModelAlias("reg", "baseline", "1");
    await mlflow.deleteModelVersion("reg", "3"); // takes champion with it
    const v4 = await mlflow.registerModel(infos[0].modelUri, "reg");
    await mlflow.setRegisteredModelTag("reg", "task", "cls");
    await mlflow.setModelVersionTag("reg", "1", "note", "first");
    await mlflow.updateRegisteredModel("reg", { description: "# Registry" });
    const staged = await mlflow.transitionModelVersionStage("reg", "2", "production");
    const renamed = await mlflow.renameRegisteredModel("reg", "reg-renamed");
    const v1 = await mlflow.getModelVersion("reg-renamed", "1");
    const byAlias = await mlflow.getModelVersionByAlias("reg-renamed", "baseline");
    const searched = await mlflow.searchRegisteredModels({ filter: "name LIKE 'reg%' AND tags.task = 'cls'" });
    const versions = await mlflow.searchModelVersions({ filter: "name = 'reg-renamed'", orderBy: ["version_number ASC"] });
    const latest = await mlflow.getLatestVersions("reg-renamed");
    return { v4: v4.version, staged: staged.currentStage, renamed, v1, byAlias: byAlias.version, searched: searched.map((m) => m.name),
             versions: versions.map((v) => v.version), latest: latest.map((v) => [v.version, v.currentStage]) };
  });
  assert.equal(r.v4, "4", "3 was deleted and is not reused");
  assert.equal(r.staged, "Production");
  assert.deepEqual(r.renamed.aliases, { baseline: "1" }, "champion went with version 3; baseline followed the rename");
  assert.deepEqual(r.renamed.tags, { task: "cls" });
  assert.equal(r.renamed.description, "# Registry");
  assert.deepEqual(r.v1.tags, { note: "first" });
  assert.deepEqual(r.v1.aliases, ["baseline"]);
  assert.equal(r.byAlias, "1");
  assert.deepEqual(r.searched, ["reg-renamed"]);
  assert.deepEqual(r.versions, ["1", "2", "4"]);
  assert.deepEqual(r.latest, [["2", "Production"], ["4", "None"]]);
});

test("bad inputs get MLflow's error codes and messages", async () => {
  const page = await app.open();
  await page.evaluate(async () => {
    await mlflow.startRun();
    await mlflow.logModelFiles({ "x.bin": "x" }, "m", { flavor: { custom: {} }, registeredModelName: "errs" });
    await mlflow.endRun();
  });
  const cases = [
    [(a) => mlflow.setRegisteredModelAlias("errs", a, "1"), "latest", "INVALID_PARAMETER_VALUE", "'latest' alias name (case insensitive) is reserved."],
    [(a) => mlflow.setRegisteredModelAlias("errs", a, "1"), "v1", "INVALID_PARAMETER_VALUE", "Version alias name 'v1' is reserved."],
    [(v) => mlflow.getModelVersion("errs", v), "9", "RESOURCE_DOES_NOT_EXIST", "Model Version (name=errs, version=9) not found"],
    [(v) => mlflow.getModelVersion("errs", v), "nine", "INVALID_PARAMETER_VALUE", "Parameter 'version' must be an integer, got 'nine'."],
    [(n) => mlflow.createRegisteredModel(n), "a/b", "INVALID_PARAMETER_VALUE", "Invalid model name 'a/b'. Names cannot contain '/' or ':'."],
    [(n) => mlflow.createRegisteredModel(n), "errs", "RESOURCE_ALREADY_EXISTS", "Registered Model (name=errs) already exists."],
    [(n) => mlflow.getRegisteredModel(n), "nope", "RESOURCE_DOES_NOT_EXIST", "Registered Model with name=nope not found"],
    [(u) => mlflow.loadModel(u), "models:/errs@nope", "INVALID_PARAMETER_VALUE", "Registered model alias nope not found."],
    [(u) => mlflow.loadModel(u), "models:/nope/1", "RESOURCE_DOES_NOT_EXIST", "Registered Model with name=nope not found"],
    [(u) => mlflow.loadModel(u), "models:/m-00000000000000000000000000000000", "RESOURCE_DOES_NOT_EXIST", "Logged model with ID 'm-00000000000000000000000000000000' not found."],
    [(u) => mlflow.loadModel(u), "models:/errs/1", "INVALID_PARAMETER_VALUE", /has no tfjs flavor \(it has custom\)/],
    [(u) => mlflow.loadModel(u), "s3://bucket/model", "INVALID_PARAMETER_VALUE", /Not a valid model URI/],
    [(m) => mlflow.logModel(m, "model"), { not: "a model" }, "INVALID_PARAMETER_VALUE", /logModel takes a TF.js model/],
  ];
  for (const [fn, arg, code, message] of cases) {
    const e = await failure(page, fn, arg);
    assert.equal(e.code, code, `${fn} ${JSON.stringify(arg)}: ${e.message}`);
    if (message instanceof RegExp) assert.match(e.message, message);
    else assert.equal(e.message, message);
  }
});
