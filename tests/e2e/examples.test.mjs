// What README and examples/ tell a user to do, done as they would do it: the TF.js
// example page served with the site (Train, the chart growing, the registered model,
// Open in Ferroflow), and README's Observable cells run in order on a notebook origin
// against a sub-path build (GitHub Pages' /<repo>/), through Connect → Allow to the
// site's own store. TF.js comes from node_modules in place of the CDN URL they name.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import { until, waitForMlflow } from "./browser.mjs";
import { useSite } from "./site.mjs";

const app = useSite();
const TFJS = fs.readFileSync(new URL("./node_modules/@tensorflow/tfjs/dist/tf.fesm.min.js", import.meta.url));
const CDN_TFJS = "https://cdn.jsdelivr.net/npm/@tensorflow/tfjs@4.22.0/dist/tf.fesm.min.js";
const README = fs.readFileSync(new URL("../../README.md", import.meta.url), "utf8");

/** Answers the CDN's TF.js URL from node_modules (CORS as jsDelivr sends it). */
async function localTfjs(context) {
  await context.route(CDN_TFJS, (route) => route.fulfill({
    status: 200,
    contentType: "text/javascript",
    headers: { "access-control-allow-origin": "*" },
    body: TFJS,
  }));
}

/**
 * Makes "the chart grew during the fit" checkable without depending on how fast this
 * machine fits: a TF.js callback of the test's own, ahead of autolog's, holds the fit at
 * the end of epoch 9 (re-checking the condition every 10 ms) until the loss chart
 * shows a partial history, and puts what it showed in `window.partialPoints` (0 if it
 * never did). Epoch 9's own point is logged after this callback: at most 9 then.
 * `where`: "example" (tfjs.html's window.tf and #chart) or "cells" (the notebook's).
 */
function holdFitUntilPartial(page, where) {
  return page.evaluate((where) => {
    const tf = where === "cells" ? window.cells.tf : window.tf;
    const canvas = () => (where === "cells" ? window.cells.chart : document.querySelector("#chart > *"))
      ?.shadowRoot?.querySelector("canvas");
    const partial = () => {
      const n = Number(canvas()?.getAttribute("data-points") ?? 0);
      return n > 0 && n < 20 ? n : 0;
    };
    const hold = {
      async onEpochEnd(epoch) {
        if (epoch !== 9) return;
        // Timers, not animation frames: a page behind another tab gets no frames.
        const t0 = performance.now();
        while (!partial() && performance.now() - t0 < 30_000) {
          await new Promise((r) => setTimeout(r, 10));
        }
        window.partialPoints = partial();
      },
    };
    const proto = tf.LayersModel.prototype;
    const fit = proto.fit;
    proto.fit = function (x, y, args = {}) {
      const user = Array.isArray(args.callbacks) ? args.callbacks : args.callbacks ? [args.callbacks] : [];
      return fit.call(this, x, y, { ...args, callbacks: [hold, ...user] });
    };
  }, where);
}

test("examples/tfjs.html: Train logs params, epoch metrics and a registered model while its chart grows; Open in Ferroflow opens the site on the same store", async () => {
  const page = await app.page({ viewport: { width: 1000, height: 900 } });
  await localTfjs(page.context());
  await page.goto(`${app.site.url}examples/tfjs.html`);
  await page.waitForFunction(() => window.exampleReady === true, null, { timeout: 30_000 });
  await holdFitUntilPartial(page, "example");
  await page.getByRole("button", { name: "Train" }).click();
  await page.waitForFunction(() => window.trained !== undefined, null, { timeout: 90_000 });
  const partial = await page.evaluate(() => window.partialPoints);
  assert.ok(partial > 0 && partial <= 9, `the loss chart grew during the fit: ${partial} points shown at epoch 9's end`);
  // One chart per key: loss and val_loss, 20 epochs each.
  const points = () => page.evaluate(() =>
    [...(document.querySelector("#chart > *")?.shadowRoot?.querySelectorAll("canvas") ?? [])]
      .map((c) => Number(c.getAttribute("data-points"))).join(","));
  await until(async () => (await points()) === "20,20", { timeout: 10_000 }).catch(async (e) => {
    throw new Error(`${e.message}: ${await points()}`);
  });
  assert.match(await page.locator("#log").textContent(), /^done: run [0-9a-f]{32}, model m-/);
  const got = await page.evaluate(async ({ runId, modelId }) => {
    const run = await mlflow.getRun(runId);
    const version = await mlflow.getModelVersion("tiny-tfjs", "1");
    const model = await mlflow.getLoggedModel(modelId);
    return {
      status: run.info.status,
      params: run.data.params,
      loss: (await mlflow.getMetricHistory(runId, "loss")).map((p) => p.step),
      metrics: Object.keys(run.data.metrics).sort(),
      version: { runId: version.runId, modelId: version.modelId, status: version.status },
      model: { status: model.status, sourceRunId: model.sourceRunId },
      experiment: (await mlflow.getExperiment(run.info.experimentId)).name,
    };
  }, await page.evaluate(() => window.trained));
  const { runId, modelId } = await page.evaluate(() => window.trained);
  assert.equal(got.status, "FINISHED");
  assert.equal(got.experiment, "tfjs-example");
  assert.equal(got.params.epochs, "20");
  assert.equal(got.params.batch_size, "32");
  assert.equal(got.params.validation_split, "0.2");
  assert.equal(got.params.optimizer_name, "Adam");
  assert.deepEqual(got.loss, [...Array(20).keys()]);
  for (const key of ["acc", "loss", "val_acc", "val_loss"]) assert.ok(got.metrics.includes(key), `${key} in ${got.metrics}`);
  assert.deepEqual(got.version, { runId, modelId, status: "READY" });
  assert.deepEqual(got.model, { status: "READY", sourceRunId: runId });
  // The page's Open in Ferroflow (the chart view has one too): the site, in a new tab,
  // sharing this origin's store
  const [site] = await Promise.all([page.context().waitForEvent("page"), page.locator("#connect").click()]);
  await site.waitForLoadState();
  await waitForMlflow(site);
  assert.equal(new URL(site.url()).pathname, "/");
  await site.getByRole("link", { name: "tfjs-example" }).waitFor();
  await until(async () => /connected/.test(await page.locator("#log").textContent()));
  await site.goto(`${app.site.url}models/tiny-tfjs`);
  await site.getByRole("heading", { name: "tiny-tfjs" }).waitFor();
  assert.deepEqual(page.errors, []);
});

/** README's cells of the Observable section, as `{name, body}` in order. */
function observableCells() {
  const start = README.indexOf("## From an Observable notebook");
  const end = README.indexOf("\n## ", start + 1);
  assert.ok(start >= 0 && end > start, "README has the Observable section");
  const section = README.slice(start, end).split("\n### ")[0];
  return [...section.matchAll(/```js\n([\s\S]*?)```/g)].map(([, cell]) => {
    const m = /^(\w+)\s*=\s*([\s\S]*)$/.exec(cell.trim());
    assert.ok(m, `a named cell: ${cell}`);
    return { name: m[1], body: m[2] };
  });
}

test("README's Observable cells, run in order on another origin against a sub-path site: Connect → Allow, the chart grows while the fit runs, and the run is in the site's store", async () => {
  const cells = observableCells();
  assert.deepEqual(cells.map((c) => c.name), ["mlflow", "tf", "autolog", "connectButton", "chart", "trained"]);
  const site = await app.serve(process.env.SUB_DIST, process.env.SUB_URL);
  const siteUrl = `${site.origin}${process.env.SUB_URL}`;
  app.site.routes.set("/notebook.html", {
    type: "text/html",
    body: `<!doctype html><title>notebook</title><link rel="icon" href="data:,"><main id="cells"></main>`,
  });
  const page = await app.page({ viewport: { width: 1000, height: 900 } });
  await localTfjs(page.context());
  await page.goto(`${app.site.origin}/notebook.html`);
  assert.notEqual(app.site.origin, site.origin);
  // A small Observable: a cell is an expression or a { block }, sees the cells above
  // by name (their promises resolved), and shows its value when it is an element.
  await page.evaluate(() => {
    window.cells = {};
    window.html = (strings, ...values) => {
      const t = document.createElement("template");
      t.innerHTML = String.raw(strings, ...values).trim();
      return t.content.firstElementChild;
    };
    window.runCell = async (name, body) => {
      const AsyncFunction = (async () => {}).constructor;
      const names = ["html", ...Object.keys(cells)];
      const code = body.trim().startsWith("{") ? body.trim().slice(1, -1) : `return (${body});`;
      const value = await new AsyncFunction(...names, code)(html, ...Object.values(cells));
      cells[name] = value;
      if (value instanceof Element) {
        value.dataset.cell = name;
        document.getElementById("cells").append(value);
      }
      return value instanceof Element ? "element" : typeof value;
    };
  });
  const run = (cell) => page.evaluate(({ name, body }) => runCell(name, body), {
    name: cell.name,
    body: cell.body.replace("https://<you>.github.io/ferroflow/", siteUrl),
  });
  const byName = Object.fromEntries(cells.map((c) => [c.name, c]));
  assert.equal(await run(byName.mlflow), "object");
  assert.equal(await run(byName.tf), "object");
  // Headless Chromium here has no GPU: TF.js's WebGL backend would run on a software
  // rasteriser, minutes for this fit. The CPU backend computes the same thing.
  await page.evaluate(() => cells.tf.setBackend("cpu"));
  await run(byName.autolog);
  assert.equal(await run(byName.connectButton), "element");
  // The user clicks the button: the site opens and asks.
  const [tab] = await Promise.all([
    page.context().waitForEvent("page"),
    page.locator("[data-cell=connectButton]").click(),
  ]);
  await tab.waitForLoadState();
  assert.ok(tab.url().startsWith(siteUrl), tab.url());
  const prompt = tab.getByRole("alertdialog");
  await prompt.waitFor();
  assert.match(await prompt.textContent(), /Allow http:\/\/127\.0\.0\.1:\d+ to write to your Ferroflow\?/);
  await prompt.getByRole("button", { name: "Allow" }).click();
  await waitForMlflow(tab);

  assert.equal(await run(byName.chart), "element");
  const points = () => page.evaluate(() =>
    Number(cells.chart.shadowRoot?.querySelector("canvas")?.getAttribute("data-points") ?? -1));
  await until(async () => (await points()) === 0);
  await holdFitUntilPartial(page, "cells");
  // The notebook is the tab the user trains in: in front again (the site's tab opened
  // over it, and a page behind another gets no animation frames, which TF.js's fit
  // waits on between batches).
  await page.bringToFront();
  await run(byName.trained);
  const partial = await page.evaluate(() => window.partialPoints);
  assert.ok(partial > 0 && partial <= 9, `the chart grew during the fit: ${partial} points shown at epoch 9's end`);
  await until(async () => (await points()) === 20);
  const mine = await page.evaluate(async () => {
    const { mlflow } = cells;
    const [r] = await mlflow.searchRuns({ orderBy: ["attributes.start_time DESC"], maxResults: 1 });
    return { runId: r.info.runId, status: r.info.status, epochs: r.data.params.epochs, loss: (await mlflow.getMetricHistory(r.info.runId, "loss")).length };
  });
  assert.deepEqual({ status: mine.status, epochs: mine.epochs, loss: mine.loss }, { status: "FINISHED", epochs: "20", loss: 20 });
  // mirrored to the site's own store: the same run, finished, all its points
  await until(() => tab.evaluate(async (id) => {
    try {
      const r = await mlflow.getRun(id);
      return r.info.status === "FINISHED" && (await mlflow.getMetricHistory(id, "loss")).length === 20;
    } catch {
      return false;
    }
  }, mine.runId), { timeout: 10_000 });
  const logged = await tab.evaluate(async (id) => (await mlflow.searchLoggedModels()).filter((m) => m.sourceRunId === id).length, mine.runId);
  assert.equal(logged, 1, "autolog's logModel: the model is on the site too");
  assert.deepEqual(page.errors, []);
});
