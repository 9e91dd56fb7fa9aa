// The notebook views (mlflow.show.runs, .chart, .run) as a notebook on another origin
// uses them, importing mlflow.js from the site: a chart appended before a real TF.js
// fit grows while it fits; the runs table applies its filter and columns; the run
// view shows params and metrics; errors are messages and `element.error`, never
// throws; the page's CSS and the views' stay apart; a removed view lets go of the
// store and comes back when re-attached; light and dark follow the system.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import { SHOTS, until, waitForMlflow } from "./browser.mjs";
import { useSite } from "./site.mjs";

const TFJS = new URL("./node_modules/@tensorflow/tfjs/dist/tf.fesm.min.js", import.meta.url).pathname;
const app = useSite();

/** A hostile notebook stylesheet: every property a view could inherit, forced. */
const HOSTILE_CSS = `* { color: red !important; font-size: 40px; line-height: 3 !important;
  font-family: serif !important; letter-spacing: 3px; text-transform: uppercase; text-align: right; }`;

/**
 * A notebook page on another origin (its own server), with `css` in its head: TF.js on
 * `window.tf` (CPU backend) when asked, mlflow.js from the site on `window.mlflow`,
 * and the same module's ferroflow.js (for `__ferroflowSubscriberCount`, not API) on `window.ferroflow`.
 * Cells go in `#cells`.
 */
async function notebook({ css = "", tfjs = false, contextOptions = {}, site = null } = {}) {
  const page = await app.page({ viewport: { width: 1100, height: 900 }, ...contextOptions });
  const siteUrl = site ?? app.site.url;
  const other = await app.serve(process.env.DIST, "/unused-prefix/");
  if (tfjs) other.routes.set("/tfjs/tf.fesm.min.js", { type: "text/javascript", body: fs.readFileSync(TFJS) });
  other.routes.set("/notebook.html", {
    type: "text/html",
    body: `<!doctype html><title>notebook</title><link rel="icon" href="data:,">
      <style>${css}</style>
      <main id="cells"><p id="probe">A notebook's own paragraph.</p></main>
      <script type="module">
        ${tfjs ? 'const tf = await import("/tfjs/tf.fesm.min.js"); await tf.setBackend("cpu"); window.tf = tf;' : ""}
        window.ferroflow = await import(${JSON.stringify(`${siteUrl}ferroflow.js`)});
        window.mlflow = await import(${JSON.stringify(`${siteUrl}mlflow.js`)});
      </script>`,
  });
  await page.goto(`${other.origin}/notebook.html`);
  await waitForMlflow(page);
  assert.ok(!siteUrl.startsWith(other.origin));
  return page;
}

/** The experiment and run every styling test shows (same names and values). */
const seed = (page) => page.evaluate(async () => {
  await mlflow.setExperiment("styled");
  const run = await mlflow.startRun({ runName: "styled-run" });
  await mlflow.logParams({ lr: "0.01", optimizer: "adam" });
  for (let step = 0; step < 20; step++) mlflow.logMetric("loss", 1 / (step + 1), { step, timestamp: 1_700_000_000_000 + step * 1000 });
  await mlflow.endRun();
  return run.info.runId;
});

/** Appends the three views of `runId` (in experiment "styled") to #cells; resolves once each shows its content. */
const showAll = (page, runId) => page.evaluate(async (runId) => {
  const cells = document.querySelector("#cells");
  window.views = {
    runs: mlflow.show.runs({ experimentName: "styled", columns: ["params.lr", "metrics.loss"] }),
    chart: mlflow.show.chart({ runId, keys: ["loss"] }),
    run: mlflow.show.run(runId),
  };
  for (const v of Object.values(views)) cells.append(v);
}, runId);

const shadowHas = (page, view, selector) => page.waitForFunction(
  ([view, selector]) => window.views?.[view]?.shadowRoot.querySelector(selector), [view, selector], { timeout: 15_000 });

async function allShown(page) {
  await shadowHas(page, "runs", ".runs-row");
  await shadowHas(page, "chart", "canvas[data-points='20']");
  await shadowHas(page, "run", ".run-params td.value");
  // the stylesheet is in (the root is hidden until it is)
  await page.waitForFunction(() => Object.values(views).every((v) => v.shadowRoot.querySelector(".view-root").style.visibility === ""));
}

test("a chart appended before a TF.js fit grows while the model fits, redrawn after every epoch", async () => {
  const page = await notebook({ tfjs: true });
  const r = await page.evaluate(async () => {
    await mlflow.setExperiment("show-fit");
    const run = await mlflow.startRun({ runName: "fit-live" });
    const chart = mlflow.show.chart({ runId: run.info.runId, keys: ["loss"] });
    document.querySelector("#cells").append(chart);
    const canvas = () => chart.shadowRoot.querySelector("canvas");
    const points = () => Number(canvas()?.getAttribute("data-points") ?? -1);
    /** Resolves with the wait in ms once `cond()` holds (checked every frame); fails after 10 s. */
    const waitFor = (cond, what) => new Promise((ok, fail) => {
      const t0 = performance.now();
      const tick = () => {
        if (cond()) ok(performance.now() - t0);
        else if (performance.now() - t0 > 10_000) fail(new Error(`not on the chart within 10 s: ${what}`));
        else requestAnimationFrame(tick);
      };
      tick();
    });
    const status = () => chart.shadowRoot.querySelector(".chart-status")?.textContent;
    await waitFor(() => points() === 0 && status() === "No points logged", "the empty chart");

    const x = tf.randomUniform([64, 4], 0, 1, "float32", 3);
    const y = x.sum(1).greater(2).cast("float32").reshape([64, 1]);
    const model = tf.sequential();
    model.add(tf.layers.dense({ units: 8, activation: "relu", inputShape: [4] }));
    model.add(tf.layers.dense({ units: 1, activation: "sigmoid" }));
    model.compile({ optimizer: tf.train.adam(0.01), loss: "binaryCrossentropy" });
    let fitting = true;
    const seen = [];
    const waits = [];
    // After mlflow's callback logs an epoch's loss, this one holds the fit until the
    // chart shows it: the fit can only end if the chart grew, epoch by epoch.
    await model.fit(x, y, { epochs: 6, batchSize: 16, verbose: 0, callbacks: [
      mlflow.tfjs.callback({ model }),
      { onEpochEnd: async (epoch) => {
        waits.push(await waitFor(() => points() >= epoch + 1, `epoch ${epoch}`));
        seen.push({ points: points(), fitting, drawMs: Number(canvas().getAttribute("data-draw-ms")) });
      } },
    ] });
    fitting = false;
    await mlflow.endRun();
    const history = (await mlflow.getMetricHistory(run.info.runId, "loss")).map((p) => p.step);
    return { seen, waits, history };
  });
  assert.deepEqual(r.seen.map((s) => s.points), [1, 2, 3, 4, 5, 6], "one more point drawn after each epoch");
  assert.ok(r.seen.every((s) => s.fitting), "each while the fit ran");
  assert.ok(r.seen.every((s) => s.drawMs >= 0), "each a paint of the canvas");
  assert.deepEqual(r.history, [0, 1, 2, 3, 4, 5]);
  // From the epoch's end to its point on the chart (printed, not asserted).
  console.log(JSON.stringify({ metric: "show_chart_epoch_to_pixels_ms_max", value: Math.round(Math.max(...r.waits)), unit: "ms" }));
  await page.locator("ferroflow-view").screenshot({ path: `${SHOTS}show-chart-fit.png` });
  assert.deepEqual(page.errors.map(String), []);
});

test("show.runs lists the experiment's runs through its filter with the asked columns, follows new runs, and links to the site in a new tab", async () => {
  const page = await notebook();
  const ids = await page.evaluate(async () => {
    await mlflow.setExperiment("show-runs");
    const ids = {};
    for (const [name, acc, lr] of [["low", 0.3, "0.1"], ["high", 0.9, "0.01"], ["mid", 0.6, "0.05"]]) {
      const run = await mlflow.startRun({ runName: name });
      await mlflow.logParam("lr", lr);
      mlflow.logMetric("acc", acc);
      await mlflow.endRun();
      ids[name] = run.info.runId;
    }
    window.view = mlflow.show.runs({ experimentName: "show-runs", filter: "metrics.acc > 0.5", columns: ["params.lr", "metrics.acc"] });
    document.querySelector("#cells").append(view);
    return ids;
  });
  const table = () => page.evaluate(() => {
    const root = view.shadowRoot;
    return {
      heads: [...root.querySelectorAll(".runs-head .label")].map((l) => l.textContent),
      rows: [...root.querySelectorAll(".runs-row")].map((r) => ({ id: r.dataset.runId, cells: [...r.querySelectorAll(".cell")].map((c) => c.textContent.trim()) })),
      filter: root.querySelector(".filter-box input")?.value,
      title: root.querySelector(".title-row h1")?.textContent,
      error: view.error,
    };
  });
  await until(async () => (await table()).rows.length === 2);
  let t = await table();
  assert.equal(t.title, "show-runs");
  assert.equal(t.filter, "metrics.acc > 0.5");
  assert.equal(t.error, null);
  assert.ok(t.heads.includes("lr") && t.heads.includes("acc"), t.heads.join());
  assert.deepEqual(t.rows.map((r) => r.id), [ids.mid, ids.high], "newest first, low filtered out");
  const high = t.rows.find((r) => r.id === ids.high).cells;
  assert.ok(high.includes("high") && high.includes("0.01") && high.includes("0.9"), high.join(" | "));

  // live: a new matching run shows up, a non-matching one does not
  await page.evaluate(async () => {
    for (const [name, acc] of [["top", 0.95], ["bottom", 0.1]]) {
      await mlflow.startRun({ runName: name });
      mlflow.logMetric("acc", acc);
      await mlflow.endRun();
    }
  });
  await until(async () => (await table()).rows.length === 3);
  t = await table();
  assert.deepEqual(t.rows.map((r) => r.cells.find((c) => ["top", "mid", "high"].includes(c))), ["top", "mid", "high"]);
  await page.locator("ferroflow-view").screenshot({ path: `${SHOTS}show-runs.png` });

  // the column picker works inside the shadow root: a click in its panel keeps it open
  const view = page.locator("ferroflow-view");
  await view.getByRole("button", { name: /^Columns/ }).click();
  const panel = view.getByRole("dialog", { name: "Choose columns" });
  await panel.getByRole("checkbox", { name: "acc", exact: true }).click();
  await until(async () => !(await table()).heads.includes("acc"));
  assert.ok(await panel.isVisible(), "still open after a click inside it");
  await page.locator("#probe").click();
  await panel.waitFor({ state: "hidden" });

  // a run's link opens its page on the site (where mlflow.js came from), in a new tab
  const link = page.locator(`ferroflow-view .runs-row[data-run-id='${ids.high}'] .name a`);
  const href = await link.getAttribute("href");
  const expId = await page.evaluate(async () => (await mlflow.getExperimentByName("show-runs")).experimentId);
  assert.equal(href, `${app.site.url}experiments/${expId}/runs/${ids.high}`);
  const [tab] = await Promise.all([page.context().waitForEvent("page"), link.click()]);
  await tab.waitForLoadState();
  assert.equal(tab.url(), href);
  assert.match(page.url(), /notebook\.html$/, "the notebook stays where it was");
  assert.deepEqual(page.errors.map(String), []);
});

test("errors are a message in the view and element.error, never a throw: a bad filter, an unknown experiment or run, bad options", async () => {
  const page = await notebook();
  const r = await page.evaluate(async () => {
    await mlflow.setExperiment("show-errors");
    const run = await mlflow.startRun({ runName: "ok" });
    await mlflow.endRun();
    const make = {
      badFilter: () => mlflow.show.runs({ experimentName: "show-errors", filter: "metrics.acc >" }),
      noExperiment: () => mlflow.show.runs({ experimentName: "no-such-experiment" }),
      noRun: () => mlflow.show.run("no-such-run"),
      noChartRun: () => mlflow.show.chart({ runIds: [run.info.runId, "missing-run"] }),
      badX: () => mlflow.show.chart({ runId: run.info.runId, x: "wall" }),
      badSmoothing: () => mlflow.show.chart({ runId: run.info.runId, smoothing: 2 }),
      badColumns: () => mlflow.show.runs({ columns: ["lr"] }),
      notAnObject: () => mlflow.show.chart("loss"),
    };
    const out = {};
    for (const [name, fn] of Object.entries(make)) {
      let el;
      try { el = fn(); } catch (e) { out[name] = { threw: String(e) }; continue; }
      out[name] = { before: el.error && { code: el.error.code, isError: el.error instanceof Error } };
      document.querySelector("#cells").append(el);
      window[name] = el;
    }
    return out;
  });
  for (const [name, o] of Object.entries(r)) assert.ok(!o.threw, `${name} threw ${o.threw}`);
  // Options problems (and a filter that does not parse) are known at once.
  for (const name of ["badFilter", "badX", "badSmoothing", "badColumns", "notAnObject"]) {
    assert.deepEqual(r[name].before, { code: "INVALID_PARAMETER_VALUE", isError: true }, name);
  }
  const shown = (name) => page.evaluate((name) => {
    const el = window[name];
    const text = el.shadowRoot.querySelector(".view-error, .filter-error")?.textContent ?? null;
    return { code: el.error?.code ?? null, message: el.error?.message ?? null, text };
  }, name);
  const expect = {
    badFilter: ["INVALID_PARAMETER_VALUE", /Invalid filter at position \d+/],
    noExperiment: ["RESOURCE_DOES_NOT_EXIST", /no-such-experiment/],
    noRun: ["RESOURCE_DOES_NOT_EXIST", /no-such-run/],
    noChartRun: ["RESOURCE_DOES_NOT_EXIST", /missing-run/],
    badX: ["INVALID_PARAMETER_VALUE", /x must be "step", "time" or "relative"/],
    badSmoothing: ["INVALID_PARAMETER_VALUE", /smoothing must be a number from 0/],
    badColumns: ["INVALID_PARAMETER_VALUE", /columns\[0\]: 'lr' is not a column/],
    notAnObject: ["INVALID_PARAMETER_VALUE", /must be an options object/],
  };
  for (const [name, [code, pattern]] of Object.entries(expect)) {
    await until(async () => (await shown(name)).text !== null);
    const s = await shown(name);
    assert.equal(s.code, code, name);
    assert.match(s.message, pattern, name);
    assert.match(s.text, pattern, `${name}: the view says it`);
  }
  // The bad filter is the table's own: fixed in place, the error goes.
  await page.evaluate(async () => {
    const input = badFilter.shadowRoot.querySelector(".filter-box input");
    input.value = "metrics.acc > 0";
    input.dispatchEvent(new Event("input"));
    input.form.requestSubmit();
  });
  await until(async () => (await shown("badFilter")).code === null);
  await page.locator("ferroflow-view[data-view='run']").screenshot({ path: `${SHOTS}show-error.png` });
  assert.deepEqual(page.errors.map(String), []);
});

test("show.run shows the run's facts, params and metrics, following the run as it logs and ends", async () => {
  const page = await notebook();
  const runId = await page.evaluate(async () => {
    await mlflow.setExperiment("show-run");
    const run = await mlflow.startRun({ runName: "summary" });
    await mlflow.logParams({ lr: "0.01", optimizer: "adam" });
    mlflow.logMetric("loss", 0.5, { step: 0 });
    window.view = mlflow.show.run(run.info.runId);
    document.querySelector("#cells").append(view);
    return run.info.runId;
  });
  const read = () => page.evaluate(() => {
    const root = view.shadowRoot;
    const kv = (sel) => Object.fromEntries([...root.querySelectorAll(`${sel} tbody tr`)].map((tr) => [tr.cells[0].textContent, tr.cells[1].textContent]));
    return {
      name: root.querySelector(".run-title h1")?.textContent,
      status: root.querySelector(".run-title .status")?.textContent,
      id: root.querySelector("[data-field='run-id'] code")?.textContent,
      params: kv(".run-params"),
      metrics: kv(".run-metrics"),
    };
  });
  await until(async () => (await read()).params.optimizer === "adam");
  let v = await read();
  assert.equal(v.name, "summary");
  assert.equal(v.id, runId);
  assert.equal(v.status, "RUNNING");
  assert.deepEqual(v.params, { lr: "0.01", optimizer: "adam" });
  assert.equal(v.metrics.loss, "0.5");
  await page.evaluate(async () => {
    mlflow.logMetric("loss", 0.25, { step: 1 });
    mlflow.logMetric("acc", 0.75, { step: 1 });
    await mlflow.endRun();
  });
  await until(async () => (await read()).status === "FINISHED");
  v = await read();
  assert.equal(v.metrics.loss, "0.25");
  assert.equal(v.metrics.acc, "0.75");
  await page.locator("ferroflow-view").screenshot({ path: `${SHOTS}show-run.png` });
  assert.deepEqual(page.errors.map(String), []);
});

/** Computed styles a user would see of elements inside each view. */
const viewStyles = (page) => page.evaluate(() => {
  const props = ["color", "font-size", "font-family", "line-height", "letter-spacing", "text-transform", "text-align",
    "padding-top", "margin-top", "background-color"];
  const picks = {
    runs: [".view-root", ".title-row h1", ".runs-head .cell", ".runs-row .cell", ".filter-box input", ".filter-box button"],
    chart: [".chart-title", ".chart-controls", ".chart-controls select", ".view-caption a"],
    run: [".run-title h1", ".run-overview dt", ".run-params td.value", ".run-metrics td", ".crumbs"],
  };
  const out = {};
  for (const [view, selectors] of Object.entries(picks)) {
    for (const sel of selectors) {
      const el = views[view].shadowRoot.querySelector(sel);
      if (!el) { out[`${view} ${sel}`] = "missing"; continue; }
      const cs = getComputedStyle(el);
      out[`${view} ${sel}`] = { ...Object.fromEntries(props.map((p) => [p, cs.getPropertyValue(p)])), height: el.getBoundingClientRect().height };
    }
  }
  return out;
});

test("the notebook's CSS does not reach into the views, and theirs does not leak into the notebook", async () => {
  const plain = await notebook();
  const hostile = await notebook({ css: HOSTILE_CSS });
  const probe = (page) => page.evaluate(() => {
    const cs = getComputedStyle(document.querySelector("#probe"));
    return { color: cs.color, font: cs.font, margin: cs.margin, padding: cs.padding, sheets: document.styleSheets.length,
      body: getComputedStyle(document.body).cssText || getComputedStyle(document.body).font };
  });
  const before = { plain: await probe(plain), hostile: await probe(hostile) };
  for (const page of [plain, hostile]) {
    await showAll(page, await seed(page));
    await allShown(page);
  }
  const a = await viewStyles(plain);
  const b = await viewStyles(hostile);
  assert.ok(Object.values(a).every((s) => s !== "missing"), JSON.stringify(a));
  assert.equal(a["runs .view-root"]["font-size"], "14px");
  assert.equal(b["runs .title-row h1"]["font-size"], a["runs .title-row h1"]["font-size"], "rem sizes do not follow the page's <html>");
  assert.deepEqual(b, a, "every element of every view looks the same under the hostile stylesheet");
  // the hostile page's own elements still get its CSS, the plain page's theirs
  assert.deepEqual(await probe(plain), before.plain, "nothing of the views' CSS reached the notebook");
  assert.deepEqual(await probe(hostile), before.hostile);
  assert.equal(before.hostile.color, "rgb(255, 0, 0)");
  await hostile.screenshot({ path: `${SHOTS}show-hostile-page.png`, fullPage: true });
  assert.deepEqual([...plain.errors, ...hostile.errors].map(String), []);
});

test("a removed view lets go of the store and comes back when re-attached; a move keeps it as it is", async () => {
  const page = await notebook();
  const runId = await page.evaluate(async () => {
    const run = await mlflow.startRun({ runName: "detach" });
    for (let step = 0; step < 3; step++) mlflow.logMetric("loss", 1 / (step + 1), { step });
    window.chart = mlflow.show.chart({ runId: run.info.runId, keys: ["loss"] });
    window.canvas = () => chart.shadowRoot.querySelector("canvas");
    window.count = () => ferroflow.__ferroflowSubscriberCount();
    return run.info.runId;
  });
  assert.equal(await page.evaluate(() => count()), 0, "nothing listens before a view is in the page");
  await page.evaluate(() => document.querySelector("#cells").append(chart));
  await page.waitForFunction(() => canvas()?.getAttribute("data-points") === "3");
  assert.equal(await page.evaluate(() => count()), 1, "the view listens while shown");

  // moved to another parent: the same canvas, still listening, zoom and all kept
  const moved = await page.evaluate(async () => {
    const first = canvas();
    const aside = document.createElement("aside");
    document.body.append(aside);
    aside.append(chart);
    await new Promise((r) => queueMicrotask(r)); // after the view's own, which decides
    return { same: canvas() === first, count: count() };
  });
  assert.deepEqual(moved, { same: true, count: 1 });

  // removed: unsubscribed and unmounted; points logged meanwhile wake nothing
  await page.evaluate(() => chart.remove());
  await page.waitForFunction(() => count() === 0);
  assert.equal(await page.evaluate(() => chart.shadowRoot.querySelector(".view-root").childElementCount), 0, "the view is unmounted");
  await page.evaluate(async () => {
    for (let step = 3; step < 8; step++) mlflow.logMetric("loss", 1 / (step + 1), { step });
    await mlflow.flush();
  });
  assert.equal(await page.evaluate(() => count()), 0);

  // re-attached: listening again, and showing what was logged while away
  await page.evaluate(() => document.querySelector("#cells").append(chart));
  await page.waitForFunction(() => canvas()?.getAttribute("data-points") === "8");
  assert.equal(await page.evaluate(() => count()), 1);
  await page.evaluate(() => { mlflow.logMetric("loss", 0.05, { step: 8 }); });
  await page.waitForFunction(() => canvas()?.getAttribute("data-points") === "9");
  await page.evaluate(async (runId) => { await mlflow.endRun(); return runId; }, runId);
  assert.deepEqual(page.errors.map(String), []);
});

test("light and dark follow the system setting with the site's tokens", async () => {
  for (const scheme of ["light", "dark"]) {
    const page = await notebook({ contextOptions: { colorScheme: scheme } });
    await showAll(page, await seed(page));
    await allShown(page);
    const colors = await page.evaluate(() => {
      const cs = (v, sel) => getComputedStyle(views[v].shadowRoot.querySelector(sel));
      return { bg: cs("run", ".view-root").backgroundColor, fg: cs("run", ".view-root").color, scheme: cs("chart", ".view-root").colorScheme,
        line: cs("chart", ".metric-chart").borderTopColor };
    });
    const want = scheme === "light"
      ? { bg: "rgb(255, 255, 255)", fg: "rgb(31, 35, 40)", scheme: "light", line: "rgb(209, 217, 224)" }
      : { bg: "rgb(13, 17, 23)", fg: "rgb(230, 237, 243)", scheme: "dark", line: "rgb(48, 54, 61)" };
    assert.deepEqual(colors, want, scheme);
    for (const view of ["runs", "chart", "run"]) {
      await page.locator(`ferroflow-view[data-view='${view}']`).screenshot({ path: `${SHOTS}show-${view}-${scheme}.png` });
    }
    assert.deepEqual(page.errors.map(String), []);
  }
});

test("from a sub-path build (GitHub Pages' /<repo>/), the views find their stylesheet and link under the sub-path",
  { skip: !process.env.SUB_DIST && "SUB_DIST not set" }, async () => {
    const sub = await app.serve(process.env.SUB_DIST, process.env.SUB_URL);
    const page = await notebook({ site: sub.url });
    await showAll(page, await seed(page));
    await allShown(page);
    const r = await page.evaluate(() => ({
      sheet: views.run.shadowRoot.querySelector("link[rel=stylesheet]").href,
      font: getComputedStyle(views.run.shadowRoot.querySelector(".view-root")).fontSize,
      link: views.runs.shadowRoot.querySelector(".runs-row .name a").href,
    }));
    assert.equal(r.sheet, `${sub.url}views.css`);
    assert.equal(r.font, "14px", "styled by it");
    assert.match(r.link, new RegExp(`^${sub.url}experiments/\\d+/runs/[0-9a-f]{32}$`));
    assert.deepEqual(page.errors.map(String), []);
  });

test("a view's Open in Ferroflow button connects: the site opens and asks, and after Allow the view says so and the runs are in the site's store", async () => {
  const page = await notebook();
  const runId = await seed(page);
  await page.evaluate(() => document.querySelector("#cells").append(mlflow.show.runs({ experimentName: "styled" })));
  const button = page.getByRole("button", { name: "Open in Ferroflow" });
  await button.waitFor();
  const [tab] = await Promise.all([page.context().waitForEvent("page"), button.click()]);
  await tab.waitForLoadState();
  assert.ok(tab.url().startsWith(app.site.url), tab.url());
  await page.getByRole("status").filter({ hasText: "Waiting for the Ferroflow tab" }).waitFor();
  const prompt = tab.getByRole("alertdialog");
  await prompt.waitFor();
  await prompt.getByRole("button", { name: "Allow" }).click();
  await page.getByRole("status").filter({ hasText: "Connected: what this page logs is on your Ferroflow site too." }).waitFor();
  await waitForMlflow(tab);
  await until(() => tab.evaluate(async (id) => (await mlflow.searchRuns()).some((r) => r.info.runId === id), runId));
  assert.deepEqual(page.errors, []);
});

test("a view's Open in Ferroflow button says why when the site is denied", async () => {
  const page = await notebook();
  await page.evaluate(() => document.querySelector("#cells").append(mlflow.show.runs()));
  const [tab] = await Promise.all([page.context().waitForEvent("page"), page.getByRole("button", { name: "Open in Ferroflow" }).click()]);
  const prompt = tab.getByRole("alertdialog");
  await prompt.waitFor();
  await prompt.getByRole("button", { name: "Deny" }).click();
  const said = page.getByRole("status").filter({ hasText: "did not allow this page to write to it" });
  await said.waitFor();
  assert.match(await said.getAttribute("class"), /error/);
  assert.deepEqual(page.errors, []);
});
