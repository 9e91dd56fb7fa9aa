// The Model Registry as a user walks it: models logged through window.mlflow (a TF.js
// LoggedModel and an MLflow 2.x model kept as run artifacts), then the list, a model,
// a version, the run page's Logged models with Register, and the experiment's Models
// tab — created, searched, edited, aliased, renamed and deleted on the page, every
// refusal shown with MLflow's message; MLflow's own models fixture walked in light
// and dark.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import { SHOTS, waitForMlflow } from "./browser.mjs";
import { useSite } from "./site.mjs";

const FIXTURES = new URL("../fixtures/", import.meta.url).pathname;
const fixture = JSON.parse(fs.readFileSync(`${FIXTURES}models.json`, "utf8"));
const app = useSite({ routes: { "/fixtures/models.zip": { type: "application/zip", body: fs.readFileSync(`${FIXTURES}models.zip`) } } });

/** The MLmodel MLflow 2.22 writes for an sklearn model logged at `sk_model`. */
const SK_MLMODEL = (runId) => `artifact_path: sk_model
flavors:
  python_function:
    env:
      conda: conda.yaml
      virtualenv: python_env.yaml
    loader_module: mlflow.sklearn
    model_path: model.pkl
    predict_fn: predict
    python_version: 3.11.4
  sklearn:
    code: null
    pickled_model: model.pkl
    serialization_format: cloudpickle
    sklearn_version: 1.3.0
mlflow_version: 2.22.0
model_size_bytes: 2
model_uuid: 5a1f0c2e9b8d4f6a8c7e1d2b3a4f5e6d
run_id: ${runId}
signature:
  inputs: '[{"type": "double", "name": "sepal_length", "required": true}, {"type": "double", "name": "sepal_width", "required": true}]'
  outputs: '[{"type": "long", "required": true}]'
  params: null
utc_time_created: '2024-05-01 10:00:00.000000'
`;

/**
 * Logs, in run "train-net" of experiment "registry-ui": a TF.js layers model as a
 * LoggedModel (tfjs flavor, a signature, an input example; registered as `register`
 * when given), and an sklearn model as MLflow 2.x logged it (run artifacts under
 * `sk_model`, an entry in the run's mlflow.log-model.history tag). Returns ids.
 */
async function logModels(page, { register, sk = SK_MLMODEL("RUN") } = {}) {
  return page.evaluate(async ({ register, sk }) => {
    const exp = await mlflow.setExperiment("registry-ui");
    const run = await mlflow.startRun({ runName: "train-net" });
    const runId = run.info.runId;
    const modelJson = {
      modelTopology: { class_name: "Sequential", config: { name: "net", layers: [] } },
      format: "layers-model", generatedBy: "TensorFlow.js tfjs-layers v4.22.0", convertedBy: null,
      weightsManifest: [{ paths: ["weights.bin"], weights: [{ name: "dense/kernel", shape: [4, 1], dtype: "float32" }] }],
    };
    const info = await mlflow.logModelFiles(
      { "model.json": JSON.stringify(modelJson), "weights.bin": new Uint8Array(16) },
      "net",
      {
        flavor: { tfjs: { format: "layers-model", model_json: "model.json", weights_files: ["weights.bin"], tfjs_version: "4.22.0" } },
        signature: { inputs: [{ name: "dense_input", dtype: "float32", shape: [-1, 4] }], outputs: [{ dtype: "float32", shape: [-1, 1] }] },
        inputExample: [[0.1, 0.2, 0.3, 0.4]],
        modelType: "tfjs",
        ...(register ? { registeredModelName: register } : {}),
      });
    await mlflow.logArtifact("sk_model/MLmodel", sk.replace("RUN", runId));
    await mlflow.logArtifact("sk_model/model.pkl", new Uint8Array([128, 4]));
    const tags = (await mlflow.getRun(runId)).data.tags;
    const history = JSON.parse(tags["mlflow.log-model.history"] ?? "[]");
    history.push({
      run_id: runId, artifact_path: "sk_model", utc_time_created: "2024-05-01 10:00:00.000000",
      flavors: { python_function: { loader_module: "mlflow.sklearn", model_path: "model.pkl" }, sklearn: { pickled_model: "model.pkl" } },
      model_uuid: "5a1f0c2e9b8d4f6a8c7e1d2b3a4f5e6d", mlflow_version: "2.22.0",
    });
    await mlflow.setTag("mlflow.log-model.history", JSON.stringify(history));
    await mlflow.endRun();
    await mlflow.flush();
    return { expId: exp.experimentId, runId, modelId: info.modelId };
  }, { register, sk });
}

/** The error's {code, message} of an API call that must fail. */
const failure = (page, fn, arg) => page.evaluate(`(async () => {
  try { await (${fn.toString()})(${JSON.stringify(arg)}); } catch (e) { return { code: e.code, message: e.message }; }
  throw new Error("expected a failure");
})()`);

/** Names in the models grid, top to bottom. */
const listed = (page) => page.$$eval(".models-row", (rows) => rows
  .sort((a, b) => parseFloat(a.style.top) - parseFloat(b.style.top))
  .map((r) => r.dataset.model));

async function waitForListed(page, want) {
  await page.waitForFunction((want) => {
    const rows = [...document.querySelectorAll(".models-row")]
      .sort((a, b) => parseFloat(a.style.top) - parseFloat(b.style.top)).map((r) => r.dataset.model);
    return JSON.stringify(rows) === JSON.stringify(want);
  }, want, { timeout: 10_000 }).catch(async (e) => {
    assert.deepEqual(await listed(page), want);
    throw e;
  });
}

/** A screenshot of the whole page in one viewport (the sticky header stays on top). */
async function fullShot(page, name) {
  const size = page.viewportSize();
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  await page.setViewportSize({ width: size.width, height: Math.max(height, size.height) });
  await page.evaluate(() => new Promise(requestAnimationFrame));
  await page.screenshot({ path: `${SHOTS}${name}` });
  await page.setViewportSize(size);
}

const field = (page, name) => page.locator(`[data-field="${name}"] dd`);

test("the models list: empty state, create with MLflow's errors, search by word and by grammar with the positioned error, sort; the header marks Models", async () => {
  const page = await app.open("models", { viewport: { width: 1280, height: 860 } });
  const current = page.locator('nav.sections a[aria-current="page"]');
  assert.equal(await current.innerText(), "Models");
  await page.getByText("No registered models yet").waitFor();
  const snippet = await page.locator(".first-run pre").innerText();
  assert.ok(snippet.includes(`await import("${app.site.url}mlflow.js")`), snippet);
  assert.ok(snippet.includes('mlflow.logModel(model, "model", {registeredModelName: "mnist"})'), snippet);

  // Create: MLflow's refusals shown in the form, then the new model's page.
  await page.getByRole("button", { name: "Create model" }).click();
  await page.getByLabel("Model name").fill("a/b");
  await page.getByRole("button", { name: "Create", exact: true }).click();
  const formError = page.locator(".create-model .error");
  await formError.waitFor();
  assert.equal(await formError.innerText(), "Invalid model name 'a/b'. Names cannot contain '/' or ':'.");
  await page.getByLabel("Model name").fill("mnist-cnn");
  await page.getByLabel("Description").fill("A **small** CNN");
  await page.getByRole("button", { name: "Create", exact: true }).click();
  await page.waitForURL(/\/models\/mnist-cnn$/);
  await page.locator(".model-page h1").getByText("mnist-cnn").waitFor();
  assert.equal(await page.locator(".model-description .markdown strong").innerText(), "small");

  // More models through the API; the list follows.
  // Each in a later millisecond, so ordering by last change is one order.
  await page.evaluate(async () => {
    let last = Date.now();
    for (const name of ["bert", "mnist-mlp", "resnet"]) {
      while (Date.now() <= last) await new Promise((r) => setTimeout(r, 1));
      const m = await mlflow.createRegisteredModel(name, { tags: { task: name === "bert" ? "nlp" : "vision" } });
      last = m.lastUpdatedTimestamp;
    }
  });
  await page.getByRole("link", { name: "Models", exact: true }).click();
  await page.waitForURL(/\/models$/);
  await waitForListed(page, ["bert", "mnist-cnn", "mnist-mlp", "resnet"]);
  assert.equal(await page.locator(".models-page .count").innerText(), "4 models");
  assert.equal(await page.locator('.models-row[data-model="bert"] .tag-chip').innerText(), "task:nlp");

  // A name another model has is refused with MLflow's message.
  await page.getByRole("button", { name: "Create model" }).click();
  await page.getByLabel("Model name").fill("bert");
  await page.getByRole("button", { name: "Create", exact: true }).click();
  await formError.waitFor();
  assert.equal(await formError.innerText(), "Registered Model (name=bert) already exists.");
  await page.getByRole("button", { name: "Cancel" }).click();

  // Plain words search names (any case); the grammar is MLflow's.
  const search = page.getByLabel("Search registered models");
  await search.fill("MNIST");
  await search.press("Enter");
  await waitForListed(page, ["mnist-cnn", "mnist-mlp"]);
  assert.match(page.url(), /[?&]filter=MNIST/);
  assert.equal(await page.locator(".models-page .count").innerText(), "2 of 4 models");
  await search.fill("tags.task = 'vision' and name LIKE '%n%'");
  await search.press("Enter");
  await waitForListed(page, ["mnist-mlp", "resnet"]);
  await search.fill("name = ");
  await search.press("Enter");
  const err = page.locator(".filter-error");
  await err.waitFor();
  assert.equal(await err.locator("pre").innerText(), "name =\n      ^");
  assert.match(await err.locator("p").innerText(), /^Invalid filter at position 6: /);
  assert.equal(await page.locator(".models-row").count(), 0);
  await page.screenshot({ path: `${SHOTS}registry_list_filter_error.png`, fullPage: true });
  await page.getByRole("button", { name: "Clear" }).click();
  await waitForListed(page, ["bert", "mnist-cnn", "mnist-mlp", "resnet"]);

  // Sorting by name, then by last change.
  await page.getByRole("button", { name: /^Name/ }).click();
  await waitForListed(page, ["resnet", "mnist-mlp", "mnist-cnn", "bert"]);
  assert.match(page.url(), /orderBy=name%20DESC/);
  await page.getByRole("button", { name: /^Last modified/ }).click();
  await waitForListed(page, ["resnet", "mnist-mlp", "bert", "mnist-cnn"]);
  // A reload keeps the view (the URL holds it).
  await page.reload();
  await waitForListed(page, ["resnet", "mnist-mlp", "bert", "mnist-cnn"]);
  assert.deepEqual(page.errors.map(String), []);
});

test("the models grid keeps only the rows on screen in the DOM, and scrolls to the last model", async () => {
  const page = await app.open("", { viewport: { width: 1280, height: 860 } });
  await page.evaluate(async () => {
    const names = Array.from({ length: 300 }, (_, i) => `m-${String(i).padStart(3, "0")}`);
    for (let i = 0; i < names.length; i += 50) await Promise.all(names.slice(i, i + 50).map((n) => mlflow.createRegisteredModel(n)));
  });
  await page.goto(`${app.site.url}models`);
  const grid = page.locator(".models-scroll");
  await page.locator('.models-row[data-model="m-000"]').waitFor();
  assert.equal(await grid.getAttribute("aria-rowcount"), "301");
  const inDom = await page.locator(".models-row").count();
  assert.ok(inDom > 10 && inDom < 60, `${inDom} rows in the DOM`);
  await grid.evaluate((g) => { g.scrollTop = g.scrollHeight; });
  await page.locator('.models-row[data-model="m-299"]').waitFor();
  assert.ok(await page.locator(".models-row").count() < 60);
  assert.equal(await page.locator('.models-row[data-model="m-000"]').count(), 0, "rows scrolled away leave the DOM");
  // A new search starts at the top.
  await page.getByLabel("Search registered models").fill("m-1");
  await page.getByLabel("Search registered models").press("Enter");
  await page.locator('.models-row[data-model="m-100"]').waitFor();
  assert.equal(await grid.evaluate((g) => g.scrollTop), 0);
  assert.equal(await page.locator(".models-page .count").innerText(), "100 of 300 models");
  assert.deepEqual(page.errors.map(String), []);
});

test("a model page: description, tags, aliases set, moved and refused as MLflow refuses them, versions with their run, rename (a taken name refused) and delete", async () => {
  const page = await app.open("", { viewport: { width: 1280, height: 860 } });
  const ids = await logModels(page);
  await page.evaluate(async (modelId) => {
    for (let i = 0; i < 3; i++) await mlflow.registerModel(`models:/${modelId}`, "iris");
    await mlflow.createRegisteredModel("other");
  }, ids.modelId);
  await page.goto(`${app.site.url}models/iris`);
  await page.locator(".model-page h1").getByText("iris").waitFor();
  assert.equal(await field(page, "versions").innerText(), "3");

  // Versions, newest first, each with its source run.
  const versions = page.locator("table.versions tbody tr");
  await page.waitForFunction(() => document.querySelectorAll("table.versions tbody tr").length === 3);
  assert.deepEqual(await versions.evaluateAll((rows) => rows.map((r) => r.dataset.version)), ["3", "2", "1"]);
  const runLink = versions.first().getByRole("link", { name: "train-net" });
  assert.equal(await runLink.getAttribute("href"), `/experiments/${ids.expId}/runs/${ids.runId}`);
  assert.equal(await versions.first().locator("td").nth(4).innerText(), "READY");
  assert.equal(await versions.first().locator("td").nth(5).innerText(), "None");

  // Description (Markdown) and tags.
  const desc = page.locator(".model-description");
  await desc.getByRole("button", { name: "Add description" }).click();
  await desc.getByLabel("Description (Markdown)").fill("**Iris** classifier <script>window.__xss=1</script>");
  await desc.getByRole("button", { name: "Save" }).click();
  assert.equal(await desc.locator(".markdown strong").innerText(), "Iris");
  assert.equal(await desc.locator(".markdown script").count(), 0);
  const tags = page.locator(".model-tags");
  await tags.getByLabel("New tag name").fill("task");
  await tags.getByLabel("New tag value").fill("cls");
  await tags.getByRole("button", { name: "Add tag" }).click();
  await tags.locator('tr[data-tag="task"] td.value', { hasText: "cls" }).waitFor();
  await tags.locator('tr[data-tag="task"]').getByRole("button", { name: "Edit" }).click();
  await tags.getByLabel("Tag value", { exact: true }).fill("flowers");
  await tags.getByRole("button", { name: "Save" }).click();
  await tags.locator('tr[data-tag="task"] td.value', { hasText: "flowers" }).waitFor();
  await tags.getByLabel("New tag name").fill("tmp");
  await tags.getByRole("button", { name: "Add tag" }).click();
  await tags.locator('tr[data-tag="tmp"]').getByRole("button", { name: "Delete" }).click();
  await tags.locator('tr[data-tag="tmp"]').waitFor({ state: "detached" });

  // Aliases: set, moved to another version, refused when MLflow reserves the name.
  const aliases = page.locator(".model-aliases");
  await aliases.getByLabel("New alias", { exact: true }).fill("champion");
  await aliases.getByLabel("Version for the new alias").selectOption("2");
  await aliases.getByRole("button", { name: "Set alias", exact: true }).click();
  const chip = aliases.locator('.alias-item[data-alias="champion"] .alias-chip');
  await chip.getByText("@champion → v2").waitFor();
  await aliases.getByLabel("Version of @champion").selectOption("3");
  await chip.getByText("@champion → v3").waitFor();
  await aliases.getByLabel("New alias", { exact: true }).fill("champion");
  await aliases.getByLabel("Version for the new alias").selectOption("1");
  await aliases.getByRole("button", { name: "Move alias", exact: true }).waitFor();
  assert.equal(await aliases.locator(".alias-add .muted").innerText(), "moves it from version 3");
  const aliasError = aliases.locator(".error");
  for (const [alias, message] of [
    ["latest", "'latest' alias name (case insensitive) is reserved."],
    ["v1", "Version alias name 'v1' is reserved."],
    ["dot.name", "Invalid alias name: 'dot.name'. Names may only contain alphanumerics, underscores (_), and dashes (-)."],
  ]) {
    await aliases.getByLabel("New alias", { exact: true }).fill(alias);
    await aliases.getByRole("button", { name: "Set alias", exact: true }).click();
    await aliasError.getByText(message, { exact: true }).waitFor();
  }
  await aliases.getByLabel("New alias", { exact: true }).fill("baseline");
  await aliases.getByLabel("Version for the new alias").selectOption("1");
  await aliases.getByRole("button", { name: "Set alias", exact: true }).click();
  await aliases.locator('.alias-item[data-alias="baseline"]').waitFor();
  assert.equal(await aliasError.count(), 0, "a good alias clears the refusal");
  await versions.first().locator(".alias-chip", { hasText: "@champion" }).waitFor();
  await page.evaluate(() => mlflow.flush());
  assert.deepEqual((await page.evaluate(() => mlflow.getRegisteredModel("iris"))).aliases, { champion: "3", baseline: "1" });
  await aliases.getByRole("button", { name: "Remove alias @baseline" }).click();
  await aliases.locator('.alias-item[data-alias="baseline"]').waitFor({ state: "detached" });
  await page.screenshot({ path: `${SHOTS}registry_model_aliases.png`, fullPage: true });

  // Rename: a taken name is refused; a free one moves the page, keeping everything.
  await page.getByRole("button", { name: "Rename" }).click();
  await page.getByLabel("New model name").fill("other");
  await page.getByRole("button", { name: "Save" }).click();
  const renameError = page.locator(".rename-model .error");
  await renameError.waitFor();
  assert.equal(await renameError.innerText(), "Registered Model (name=other) already exists.");
  await page.getByLabel("New model name").fill("iris v2");
  await page.getByRole("button", { name: "Save" }).click();
  await page.waitForURL(/\/models\/iris%20v2$/);
  await page.locator(".model-page h1").getByText("iris v2").waitFor();
  await page.waitForFunction(() => document.querySelectorAll("table.versions tbody tr").length === 3);
  await page.locator('.model-aliases .alias-item[data-alias="champion"]').waitFor();
  assert.equal(await page.locator('.model-tags tr[data-tag="task"] td.value').innerText(), "flowers");
  assert.equal(await page.locator(".model-description .markdown strong").innerText(), "Iris");

  // Delete: asked first; Cancel keeps it; confirming deletes it and opens the list.
  await page.locator(".reg-actions").getByRole("button", { name: "Delete model" }).click();
  const dialog = page.getByRole("alertdialog");
  await dialog.getByText("Delete registered model “iris v2”?").waitFor();
  assert.match(await dialog.innerText(), /Its 3 versions and their aliases and tags are deleted too/);
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await dialog.waitFor({ state: "detached" });
  await page.locator(".reg-actions").getByRole("button", { name: "Delete model" }).click();
  await dialog.getByRole("button", { name: "Delete model" }).click();
  await page.waitForURL(/\/models$/);
  await waitForListed(page, ["other"]);
  const gone = await failure(page, (name) => mlflow.getRegisteredModel(name), "iris v2");
  assert.equal(gone.code, "RESOURCE_DOES_NOT_EXIST");
  assert.equal(await page.evaluate(() => window.__xss), undefined);
  assert.deepEqual(page.errors.map(String), []);
});

test("a version page: source run and logged model, the MLmodel's flavors, signature and input example, files, the load snippet, stage, tags, delete to a not-found state", async () => {
  const page = await app.open("", { viewport: { width: 1280, height: 860 } });
  const ids = await logModels(page, { register: "tfjs-net" });
  await page.goto(`${app.site.url}models/tfjs-net/versions/1`);
  await page.locator(".version-page h1").getByText("Version 1").waitFor();
  await page.locator(".model-use pre").waitFor();

  assert.equal(await field(page, "source-run").locator("a").getAttribute("href"), `/experiments/${ids.expId}/runs/${ids.runId}`);
  const lm = field(page, "logged-model").locator("a");
  assert.equal(await lm.innerText(), "net");
  assert.equal(await lm.getAttribute("href"), `/experiments/${ids.expId}/models#${ids.modelId}`);
  assert.equal(await field(page, "source").innerText(), `models:/${ids.modelId}`);
  assert.equal(await field(page, "status").innerText(), "READY");

  // How to load it: TF.js for a tfjs flavor, importing this site's API.
  const snippet = await page.locator(".model-use pre").innerText();
  assert.ok(snippet.includes(`await import("${app.site.url}mlflow.js")`), snippet);
  assert.ok(snippet.includes('tf.loadLayersModel(await mlflow.loadModel("models:/tfjs-net/1"))'), snippet);

  // Flavors with their parameters, the signature as a table, the input example.
  const tfjs = page.locator('.flavor[data-flavor="tfjs"]');
  assert.equal(await tfjs.locator("tr", { hasText: "format" }).locator("td.value").innerText(), "layers-model");
  assert.equal(await tfjs.locator("tr", { hasText: "weights_files" }).locator("td.value").innerText(), '["weights.bin"]');
  const cells = (side) => page.locator(`table.signature tbody[data-side="${side}"] tr:not(.group)`)
    .evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll("td")].map((td) => td.innerText)));
  assert.deepEqual(await cells("input"), [["dense_input", "tensor", "float32", "(-1, 4)"]]);
  assert.deepEqual(await cells("output"), [["—", "tensor", "float32", "(-1, 1)"]]);
  const example = page.locator(".model-example pre.json");
  await example.waitFor();
  const exampleText = await example.innerText();
  assert.ok(exampleText.includes("\n"), "pretty-printed");
  assert.deepEqual(JSON.parse(exampleText), { inputs: [[0.1, 0.2, 0.3, 0.4]] });

  // Its files, with previews.
  const files = page.locator(".model-files");
  for (const f of ["MLmodel", "model.json", "weights.bin", "input_example.json"]) await files.locator(`li[data-path="${f}"]`).waitFor();
  await files.locator('li[data-path="model.json"] .artifact-name').click();
  await files.locator('.artifact-preview[data-path="model.json"] pre.json', { hasText: "weightsManifest" }).waitFor();
  await files.locator('li[data-path="MLmodel"] .artifact-name').click();
  await files.locator('.artifact-preview[data-path="MLmodel"] pre', { hasText: "format: layers-model" }).waitFor();

  // Stage (deprecated, still stored), description, tags, an alias of this version.
  await page.getByLabel("Stage").selectOption("Staging");
  await page.evaluate(() => mlflow.flush());
  assert.equal((await page.evaluate(() => mlflow.getModelVersion("tfjs-net", "1"))).currentStage, "Staging");
  const desc = page.locator(".version-description");
  await desc.getByRole("button", { name: "Add description" }).click();
  await desc.getByLabel("Description (Markdown)").fill("First *trained* cut");
  await desc.getByRole("button", { name: "Save" }).click();
  assert.equal(await desc.locator(".markdown em").innerText(), "trained");
  const vtags = page.locator(".version-tags");
  await vtags.getByLabel("New tag name").fill("validated");
  await vtags.getByLabel("New tag value").fill("true");
  await vtags.getByRole("button", { name: "Add tag" }).click();
  await vtags.locator('tr[data-tag="validated"]').waitFor();
  const valiases = page.locator(".version-aliases");
  await valiases.getByLabel("New alias", { exact: true }).fill("prod");
  await valiases.getByRole("button", { name: "Set alias", exact: true }).click();
  await valiases.locator(".alias-chip").getByText("@prod → v1").waitFor();
  await valiases.getByLabel("New alias", { exact: true }).fill("LATEST");
  await valiases.getByRole("button", { name: "Set alias", exact: true }).click();
  await valiases.locator(".error").getByText("'latest' alias name (case insensitive) is reserved.").waitFor();
  await page.evaluate(() => mlflow.flush());
  const v = await page.evaluate(() => mlflow.getModelVersion("tfjs-net", "1"));
  assert.equal(v.description, "First *trained* cut");
  assert.deepEqual(v.tags, { validated: "true" });
  assert.deepEqual(v.aliases, ["prod"]);

  // The logged model link opens the experiment's Models tab at that model.
  await lm.click();
  await page.waitForURL(new RegExp(`/experiments/${ids.expId}/models#${ids.modelId}$`));
  await page.locator(`table.logged-models tr[data-model-id="${ids.modelId}"]`).waitFor();
  await page.goBack();
  await page.locator(".version-page h1").getByText("Version 1").waitFor();

  // Delete: the model's page opens; the version is gone for good.
  await page.locator(".reg-actions").getByRole("button", { name: "Delete version" }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Delete version" }).click();
  await page.waitForURL(/\/models\/tfjs-net$/);
  await page.getByText("No versions yet.").waitFor();
  for (const [path, heading, text] of [
    ["models/tfjs-net/versions/1", "Model version not found", "it was deleted, or never registered"],
    ["models/tfjs-net/versions/abc", "Model version not found", "has no version abc"],
    ["models/nope/versions/1", "Model version not found", "No registered model is named nope"],
    ["models/nope", "Registered model not found", "No registered model is named nope"],
  ]) {
    await page.goto(`${app.site.url}${path}`);
    await page.getByRole("heading", { name: heading }).waitFor();
    assert.ok((await page.locator(".not-found").innerText()).includes(text), path);
  }
  await page.screenshot({ path: `${SHOTS}registry_version_not_found.png` });
  assert.deepEqual(page.errors.map(String), []);
});

test("the run page lists its logged models and MLflow 2.x models, and registers them to a new and to an existing name", async () => {
  const page = await app.open("", { viewport: { width: 1280, height: 860 } });
  const ids = await logModels(page);
  await page.goto(`${app.site.url}experiments/${ids.expId}/runs/${ids.runId}`);
  const section = page.locator(".run-models");
  await section.locator(".model-card").nth(1).waitFor();
  assert.equal(await section.locator("h2 .count").innerText(), "2");
  const net = section.locator('.model-card[data-kind="logged"][data-name="net"]');
  const sk = section.locator('.model-card[data-kind="artifacts"][data-name="sk_model"]');
  assert.equal(await net.locator("code").innerText(), ids.modelId);
  assert.equal(await net.locator(".status").innerText(), "READY");
  await net.locator('[data-field="signature"] dd', { hasText: "→" }).waitFor();
  assert.equal(await net.locator('[data-field="flavor"] dd').innerText(), "tfjs");
  assert.equal(await net.locator('[data-field="signature"] dd').innerText(), "dense_input: float32 (-1, 4) → float32 (-1, 1)");
  assert.equal(await sk.locator(".badge").innerText(), "MLflow 2.x · run artifacts");
  await sk.locator('[data-field="signature"] dd', { hasText: "→" }).waitFor();
  assert.equal(await sk.locator('[data-field="flavor"] dd').innerText(), "sklearn");
  assert.equal(await sk.locator('[data-field="signature"] dd').innerText(), "sepal_length: double, sepal_width: double → long");
  for (const card of [net, sk]) assert.equal(await card.locator('[data-field="registered"] dd').innerText(), "Not registered");

  // Register the MLflow 2.x model under a new name: a bad name is refused first.
  await sk.getByRole("button", { name: "Register sk_model" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel("Registered model name").fill("a/b");
  await dialog.getByRole("button", { name: "Register" }).click();
  await dialog.locator(".error").getByText("Invalid model name 'a/b'. Names cannot contain '/' or ':'.").waitFor();
  await dialog.getByLabel("Registered model name").fill("sk-model");
  await dialog.getByText("Creates the registered model “sk-model” with version 1.").waitFor();
  await dialog.getByRole("button", { name: "Register" }).click();
  const done = dialog.getByRole("link", { name: "sk-model version 1" });
  await done.waitFor();
  await page.screenshot({ path: `${SHOTS}registry_register_dialog.png` });
  await dialog.getByRole("button", { name: "Close" }).click();
  await sk.getByRole("link", { name: "sk-model v1" }).waitFor();

  // Register the LoggedModel as the next version of the same name.
  await net.getByRole("button", { name: "Register net" }).click();
  await dialog.getByLabel("Registered model name").fill("sk-model");
  await dialog.getByText("Adds version 2 to “sk-model”.").waitFor();
  await dialog.getByRole("button", { name: "Register" }).click();
  await dialog.getByRole("link", { name: "sk-model version 2" }).click();
  await page.waitForURL(/\/models\/sk-model\/versions\/2$/);
  assert.equal(await field(page, "source").innerText(), `models:/${ids.modelId}`);
  const v2 = await page.evaluate(() => mlflow.getModelVersion("sk-model", "2"));
  assert.equal(v2.modelId, ids.modelId);
  assert.equal(v2.runId, ids.runId);

  // Version 1 is the run's artifacts: pyfunc snippet, signature and files from there.
  await page.goto(`${app.site.url}models/sk-model/versions/1`);
  await page.locator(".model-use pre").waitFor();
  assert.equal(await field(page, "source").innerText(), `runs:/${ids.runId}/sk_model`);
  assert.equal(await page.locator(".model-use pre").innerText(), 'import mlflow\n\nmodel = mlflow.pyfunc.load_model("models:/sk-model/1")');
  assert.deepEqual(await page.locator('table.signature tbody[data-side="input"] td.name').allInnerTexts(), ["sepal_length", "sepal_width"]);
  await page.locator('.model-files li[data-path="model.pkl"]').waitFor();
  assert.equal(await page.locator(".model-files li.artifact-row").count(), 2, "only the model's folder of the run's artifacts");
  assert.match(await page.locator(".model-example").innerText(), /No input example was saved with this model\./);

  // Back on the run page, each card names the version made from it.
  await page.goto(`${app.site.url}experiments/${ids.expId}/runs/${ids.runId}`);
  await net.getByRole("link", { name: "sk-model v2" }).waitFor();
  await sk.getByRole("link", { name: "sk-model v1" }).waitFor();
  await section.screenshot({ path: `${SHOTS}registry_run_models.png` });
  assert.deepEqual(page.errors.map(String), []);
});

test("the experiment's Models tab lists its logged models with source run, status and versions; tabs switch", async () => {
  const page = await app.open("", { viewport: { width: 1280, height: 860 } });
  const ids = await logModels(page, { register: "tfjs-net" });
  await page.goto(`${app.site.url}experiments/${ids.expId}`);
  const tabs = page.getByRole("navigation", { name: "Experiment" });
  assert.equal(await tabs.locator('[aria-current="page"]').innerText(), "Runs");
  await page.locator(".runs-row").first().waitFor();
  await tabs.getByRole("link", { name: "Models" }).click();
  await page.waitForURL(new RegExp(`/experiments/${ids.expId}/models$`));
  assert.equal(await tabs.locator('[aria-current="page"]').innerText(), "Models");
  const row = page.locator(`table.logged-models tr[data-model-id="${ids.modelId}"]`);
  await row.waitFor();
  const td = row.locator("td");
  assert.equal(await td.nth(0).innerText(), "net");
  assert.equal(await td.nth(1).innerText(), ids.modelId);
  assert.equal(await td.nth(2).getByRole("link", { name: "train-net" }).getAttribute("href"), `/experiments/${ids.expId}/runs/${ids.runId}`);
  assert.equal(await td.nth(3).innerText(), "READY");
  assert.match(await td.nth(4).innerText(), /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
  assert.equal(await td.nth(6).getByRole("link", { name: "tfjs-net v1" }).getAttribute("href"), "/models/tfjs-net/versions/1");
  // Registered from here, it lists the new version.
  await row.getByRole("button", { name: "Register net" }).click();
  await page.getByRole("dialog").getByLabel("Registered model name").fill("tfjs-net");
  await page.getByRole("dialog").getByRole("button", { name: "Register" }).click();
  await page.getByRole("dialog").getByRole("link", { name: "tfjs-net version 2" }).waitFor();
  await page.getByRole("dialog").getByRole("button", { name: "Close" }).click();
  await td.nth(6).getByRole("link", { name: "tfjs-net v2" }).waitFor();
  assert.equal(await page.locator("table.logged-models tbody tr").count(), 1, "the MLflow 2.x model is a run's artifacts, not a logged model");
  await tabs.getByRole("link", { name: "Runs" }).click();
  await page.waitForURL(new RegExp(`/experiments/${ids.expId}$`));
  await page.locator(".runs-row").first().waitFor();
  // An experiment without models says how to log one.
  const empty = await page.evaluate(() => mlflow.createExperiment("no-models"));
  await page.goto(`${app.site.url}experiments/${empty}/models`);
  await page.getByText("No logged models in this experiment.").waitFor();
  await page.goto(`${app.site.url}experiments/424242/models`);
  await page.getByRole("heading", { name: "Experiment not found" }).waitFor();
  assert.deepEqual(page.errors.map(String), []);
});

test("another tab's registry changes show up on the pages; a name it took is refused here with MLflow's message", async () => {
  const a = await app.open("", { viewport: { width: 1280, height: 860 } });
  const ids = await logModels(a, { register: "shared" });
  const b = await a.context().newPage();
  await b.goto(app.site.url);
  await waitForMlflow(b);
  await a.goto(`${app.site.url}models/shared`);
  await a.locator("table.versions tbody tr").first().waitFor();
  // B adds a version and aliases it: A's page follows.
  await b.evaluate(async (modelId) => {
    await mlflow.registerModel(`models:/${modelId}`, "shared");
    await mlflow.setRegisteredModelAlias("shared", "champion", "2");
  }, ids.modelId);
  await a.locator('table.versions tr[data-version="2"] .alias-chip', { hasText: "@champion" }).waitFor();
  await a.locator('.model-aliases .alias-item[data-alias="champion"] .alias-chip', { hasText: "@champion → v2" }).waitFor();
  // A opens the create form; B takes the name first.
  await a.goto(`${app.site.url}models`);
  await a.getByRole("button", { name: "Create model" }).click();
  await a.getByLabel("Model name").fill("taken-elsewhere");
  await b.evaluate(() => mlflow.createRegisteredModel("taken-elsewhere"));
  await a.getByRole("button", { name: "Create", exact: true }).click();
  await a.locator(".create-model .error").getByText("Registered Model (name=taken-elsewhere) already exists.").waitFor();
  // B renames the model A shows: A's old address names no model any more.
  await a.goto(`${app.site.url}models/shared`);
  await a.locator("table.versions tbody tr").first().waitFor();
  await b.evaluate(() => mlflow.renameRegisteredModel("shared", "shared-v2"));
  await a.getByRole("heading", { name: "Registered model not found" }).waitFor();
  await a.goto(`${app.site.url}models/shared-v2`);
  await a.locator('table.versions tbody tr').nth(1).waitFor();
  assert.deepEqual(a.errors.map(String), []);
});

for (const scheme of ["light", "dark"]) {
  test(`every registry page walked, with a screenshot of each (${scheme})`, async () => {
    const page = await app.open("", { colorScheme: scheme, viewport: { width: 1280, height: 860 } });
    const ids = await logModels(page, { register: "tfjs-net" });
    await page.evaluate(async ({ runId }) => {
      await mlflow.registerModel(`runs:/${runId}/sk_model`, "iris-sklearn", { tags: { framework: "sklearn" } });
      await mlflow.registerModel("models:/tfjs-net/1", "tfjs-net");
      await mlflow.setRegisteredModelAlias("tfjs-net", "champion", "2");
      await mlflow.setRegisteredModelAlias("tfjs-net", "baseline", "1");
      await mlflow.setRegisteredModelTag("tfjs-net", "task", "vision");
      await mlflow.setRegisteredModelTag("tfjs-net", "owner", "lab");
      await mlflow.updateRegisteredModel("tfjs-net", { description: "A **tiny** dense net, trained in the browser." });
      await mlflow.createRegisteredModel("placeholder", { tags: { kind: "empty" } });
    }, ids);

    await page.getByRole("link", { name: "Models", exact: true }).click();
    await waitForListed(page, ["iris-sklearn", "placeholder", "tfjs-net"]);
    const row = page.locator('.models-row[data-model="tfjs-net"]');
    assert.equal(await row.locator(".cell").nth(1).innerText(), "Version 2");
    assert.deepEqual(await row.locator(".alias-chip").allInnerTexts(), ["@champion → v2", "@baseline → v1"]);
    assert.deepEqual(await row.locator(".tag-chip").allInnerTexts(), ["owner:lab", "task:vision"]);
    await fullShot(page, `registry_walk_${scheme}_1_models.png`);

    await row.getByRole("link", { name: "tfjs-net", exact: true }).click();
    await page.waitForURL(/\/models\/tfjs-net$/);
    await page.locator("table.versions tbody tr").nth(1).waitFor();
    await fullShot(page, `registry_walk_${scheme}_2_model.png`);
    await page.locator(".reg-actions").getByRole("button", { name: "Delete model" }).click();
    await page.getByRole("alertdialog").waitFor();
    await page.screenshot({ path: `${SHOTS}registry_walk_${scheme}_2b_delete_confirm.png` });
    await page.keyboard.press("Escape");
    await page.getByRole("alertdialog").waitFor({ state: "detached" });

    await page.locator("table.versions").getByRole("link", { name: "Version 2" }).click();
    await page.waitForURL(/\/models\/tfjs-net\/versions\/2$/);
    await page.locator("table.signature").waitFor();
    await page.locator(".model-example pre.json").waitFor();
    await fullShot(page, `registry_walk_${scheme}_3_version.png`);

    await page.goto(`${app.site.url}experiments/${ids.expId}/runs/${ids.runId}`);
    const section = page.locator(".run-models");
    await section.locator('.model-card[data-kind="artifacts"] [data-field="signature"] dd', { hasText: "→" }).waitFor();
    await section.locator('.model-card[data-kind="logged"] .version-link').nth(1).waitFor();
    await section.screenshot({ path: `${SHOTS}registry_walk_${scheme}_4_run_models.png` });
    await section.getByRole("button", { name: "Register sk_model" }).click();
    await page.getByRole("dialog").getByLabel("Registered model name").fill("tfjs-net");
    await page.getByRole("dialog").getByText("Adds version 3 to “tfjs-net”.").waitFor();
    await page.screenshot({ path: `${SHOTS}registry_walk_${scheme}_4b_register_dialog.png` });
    await page.keyboard.press("Escape");
    await page.getByRole("dialog").waitFor({ state: "detached" });

    await page.goto(`${app.site.url}experiments/${ids.expId}/models`);
    await page.locator(`table.logged-models tr[data-model-id="${ids.modelId}"]`).waitFor();
    await fullShot(page, `registry_walk_${scheme}_5_models_tab.png`);
    assert.deepEqual(page.errors.map(String), []);
  });
}

for (const scheme of ["light", "dark"]) {
  test(`MLflow's models fixture: its registry walked page by page (${scheme})`, async () => {
    const page = await app.open("", { colorScheme: scheme, viewport: { width: 1280, height: 860 } });
    await page.evaluate(async () => mlflow.importArchive(await (await fetch("/fixtures/models.zip")).blob()));
    const [expId, exp] = Object.entries(fixture.experiments).find(([, e]) => e.name === "models-exp");
    const [modelId, logged] = Object.entries(exp.logged_models)[0];
    const [runId, run] = Object.entries(exp.runs)[0];
    const reg = fixture.registered_models["fixture-model"];

    // /models: both models, latest versions, alias chips and tags as MLflow stored them.
    await page.getByRole("link", { name: "Models", exact: true }).click();
    await waitForListed(page, ["fixture-model", "fixture-model-empty"]);
    const row = page.locator('.models-row[data-model="fixture-model"]');
    assert.equal(await row.locator(".cell").nth(1).innerText(), "Version 2");
    assert.deepEqual(await row.locator(".alias-chip").allInnerTexts(), ["@champion → v2", "@baseline → v1"]);
    assert.deepEqual(await row.locator(".tag-chip").allInnerTexts(), Object.entries(reg.tags).map(([k, v]) => `${k}:${v}`));
    assert.equal(await page.locator('.models-row[data-model="fixture-model-empty"] .cell').nth(1).innerText(), "—");
    await fullShot(page, `registry_fixture_${scheme}_1_models.png`);

    // The model: description, tags, aliases, versions with the source run.
    await row.getByRole("link", { name: "fixture-model", exact: true }).click();
    await page.waitForURL(/\/models\/fixture-model$/);
    assert.equal(await page.locator(".model-description .markdown").innerText(), reg.description);
    for (const [k, v] of Object.entries(reg.tags)) assert.equal(await page.locator(`.model-tags tr[data-tag="${k}"] td.value`).innerText(), v);
    for (const [alias, v] of Object.entries(reg.aliases)) {
      assert.equal(await page.locator(`.model-aliases .alias-item[data-alias="${alias}"] .alias-chip`).innerText(), `@${alias} → v${v}`);
    }
    const versions = page.locator("table.versions tbody tr");
    assert.deepEqual(await versions.evaluateAll((rows) => rows.map((r) => r.dataset.version)), ["2", "1"]);
    assert.equal(await versions.first().locator(".alias-chip").innerText(), "@champion");
    assert.equal(await versions.first().getByRole("link", { name: run.info.run_name }).getAttribute("href"), `/experiments/${expId}/runs/${runId}`);
    await fullShot(page, `registry_fixture_${scheme}_2_model.png`);

    // Version 2: its description and tags, the logged model's flavor, no signature.
    await versions.first().getByRole("link", { name: "Version 2" }).click();
    await page.waitForURL(/\/models\/fixture-model\/versions\/2$/);
    const v2 = reg.versions["2"];
    assert.equal(await page.locator(".version-description .markdown").innerText(), v2.description);
    assert.equal(await page.locator('.version-tags tr[data-tag="validated"] td.value').innerText(), v2.tags.validated);
    assert.equal(await field(page, "logged-model").locator("a").innerText(), logged.name);
    await page.locator('.flavor[data-flavor="python_function"]').waitFor();
    assert.equal(await page.locator('.flavor[data-flavor="python_function"] tr', { hasText: "loader_module" }).locator("td.value").innerText(), "mlflow.pyfunc.model");
    assert.match(await page.locator(".model-signature").innerText(), /No signature/);
    assert.equal(await page.locator(".model-use pre").innerText(), 'import mlflow\n\nmodel = mlflow.pyfunc.load_model("models:/fixture-model/2")');
    for (const f of Object.keys(logged.artifacts)) await page.locator(`.model-files li[data-path="${f}"]`).waitFor();
    await page.locator('.model-files li[data-path="requirements.txt"] .artifact-name').click();
    await page.locator('.artifact-preview[data-path="requirements.txt"] pre').waitFor();
    await fullShot(page, `registry_fixture_${scheme}_3_version.png`);

    // The run page: its logged model with both versions made from it.
    await page.goto(`${app.site.url}experiments/${expId}/runs/${runId}`);
    const card = page.locator(`.run-models .model-card[data-kind="logged"]`);
    await card.locator('[data-field="flavor"] dd', { hasText: "python_function" }).waitFor();
    assert.deepEqual(await card.locator(".version-link").allInnerTexts(), ["fixture-model v1", "fixture-model v2"]);
    assert.equal(await card.locator('[data-field="signature"] dd').innerText(), "none");
    await page.locator(".run-models").screenshot({ path: `${SHOTS}registry_fixture_${scheme}_4_run_models.png` });

    // The Models tab: the logged model's last metric values and versions.
    await page.goto(`${app.site.url}experiments/${expId}/models`);
    const lrow = page.locator(`table.logged-models tr[data-model-id="${modelId}"]`);
    await lrow.waitFor();
    assert.deepEqual(await lrow.locator("td").nth(5).locator(".tag-chip").allInnerTexts(), ["rmse:0.7932", "val_rmse:0.42"]);
    assert.deepEqual(await lrow.locator("td").nth(6).locator(".version-link").allInnerTexts(), ["fixture-model v1", "fixture-model v2"]);
    await fullShot(page, `registry_fixture_${scheme}_5_models_tab.png`);
    assert.deepEqual(page.errors.map(String), []);
  });
}
