// MetricChart on a 1,000,000-point history: it draws (times are printed as JSON
// lines, never asserted), drag-zoom narrows the x range, double-click resets it,
// the log scale and the smoothing slider redraw, the tooltip follows the mouse; a
// spiky metric: "Clip outliers" fits the ordinary values, "Lock y" holds the axis.
import { test } from "node:test";
import assert from "node:assert/strict";
import { SHOTS } from "./browser.mjs";
import { useSite } from "./site.mjs";

const N = 1_000_000;
const app = useSite();

const report = (metric, value, unit = "ms") =>
  console.log(JSON.stringify({ metric, value: Math.round(value * 100) / 100, unit }));

/** The chart's x range as drawn last. */
async function xRange(canvas) {
  return (await canvas.getAttribute("data-x-range")).split(" ").map(Number);
}

/** Waits for a paint after `action` (the canvas's attributes are rewritten each paint). */
async function repaint(page, canvas, action) {
  await canvas.evaluate((c) => c.removeAttribute("data-draw-ms"));
  await action();
  await canvas.and(page.locator("[data-draw-ms]")).waitFor();
  return Number(await canvas.getAttribute("data-draw-ms"));
}

test("a million-point metric: draw, zoom, reset, log scale, smoothing, theme", async () => {
  const page = await app.open("", { colorScheme: "light", viewport: { width: 1280, height: 900 } });
  const ids = await page.evaluate(async (n) => {
    const exp = await mlflow.setExperiment("big metric");
    const run = await mlflow.startRun({ runName: "million" });
    for (let step = 0; step < n; step++) {
      // a slow decay, a wave, and one spike that downsampling must keep
      const v = step === 654_321 ? 5 : Math.exp(-step / 300_000) + 0.05 * Math.sin(step / 5_000);
      mlflow.logMetric("big", v, { step, timestamp: 1_700_000_000_000 + step * 10 });
    }
    mlflow.logMetric("small", 1, { step: 0 });
    await mlflow.endRun();
    return { expId: exp.experimentId, runId: run.info.runId };
  }, N);

  const t0 = Date.now();
  await page.goto(`${app.site.url}experiments/${ids.expId}/runs/${ids.runId}`);
  const canvas = page.locator(".chart-cell[data-metric='big'] canvas");
  await canvas.and(page.locator(`[data-points='${N}']`)).waitFor({ timeout: 60_000 });
  const loadedMs = Date.now() - t0;
  const drawn = Number(await canvas.getAttribute("data-drawn-points"));
  const width = await canvas.evaluate((c) => c.width);
  assert.ok(drawn > 0, "something was drawn");
  assert.ok(drawn <= 4 * width + 4, `downsampled to the pixel columns (${drawn} points, ${width} px)`);
  // From data handed to the chart to pixels: putting the series into columns
  // (prepare) plus the paint (layout, downsampling, canvas calls).
  const prepareMs = Number(await canvas.getAttribute("data-prepare-ms"));
  const paintMs = Number(await canvas.getAttribute("data-draw-ms"));
  report("chart_first_draw_ms", prepareMs + paintMs);
  report("chart_first_draw_prepare_ms", prepareMs);
  report("chart_first_draw_paint_ms", paintMs);
  report("chart_navigation_to_drawn_ms", loadedMs);
  const full = await xRange(canvas);
  assert.deepEqual(full, [0, N - 1]);

  // hover: the tooltip names the step under the mouse
  const chart = page.locator(".chart-cell[data-metric='big'] .metric-chart");
  await canvas.evaluate((c) => c.scrollIntoView({ block: "center" }));
  const box = await canvas.boundingBox();
  const y = box.y + box.height / 2;
  const at = (f) => box.x + 58 + f * (box.width - 72);
  await page.mouse.move(at(0.5), y);
  const tip = chart.locator(".chart-tip");
  const stepAt = async () => Number((await tip.locator(".chart-tip-head").innerText()).replace(/^Step /, ""));
  const midStep = await stepAt();
  assert.ok(Math.abs(midStep - N / 2) < N / 100, `mid step ${midStep}`);
  assert.match(await tip.locator(".chart-tip-row").innerText(), /million/);

  // drag-zoom to the middle fifth
  const zoomMs = await repaint(page, canvas, async () => {
    await page.mouse.move(at(0.4), y);
    await page.mouse.down();
    await page.mouse.move(at(0.5), y, { steps: 4 });
    await page.mouse.move(at(0.6), y, { steps: 4 });
    await page.mouse.up();
  });
  report("chart_zoom_draw_ms", zoomMs);
  const [lo, hi] = await xRange(canvas);
  assert.ok(Math.abs(lo - 0.4 * N) < N / 50 && Math.abs(hi - 0.6 * N) < N / 50, `zoomed to ${lo}–${hi}`);
  const caption = chart.locator(".chart-zoom");
  assert.match(await caption.innerText(), new RegExp(`^Step ${Math.round(lo)} – ${Math.round(hi)}\\b`));
  // the same mouse position now points at another step
  await page.mouse.move(at(0.25), y);
  const zoomedStep = await stepAt();
  assert.ok(zoomedStep > lo && zoomedStep < hi && Math.abs(zoomedStep - (lo + (hi - lo) / 4)) < N / 100);
  await page.screenshot({ path: `${SHOTS}chart_zoomed_light.png`, clip: { x: box.x - 20, y: box.y - 60, width: box.width + 40, height: box.height + 100 } });

  // double-click resets
  await repaint(page, canvas, () => page.mouse.dblclick(at(0.5), y));
  assert.deepEqual(await xRange(canvas), full);
  assert.equal(await caption.count(), 0);

  // log scale
  await repaint(page, canvas, () => chart.getByLabel("Log scale").check());
  assert.equal(await canvas.getAttribute("data-y-scale"), "log");

  // smoothing: the tooltip then shows smoothed and raw values
  const smoothMs = await repaint(page, canvas, () => chart.getByRole("slider").fill("0.9"));
  report("chart_smoothing_draw_ms", smoothMs);
  assert.equal(await canvas.getAttribute("data-smoothing"), "0.9");
  assert.equal(await chart.locator("output").innerText(), "0.90");
  await page.mouse.move(at(0.3), y);
  assert.match(await tip.innerText(), /raw /);

  // relative time on the x axis
  await repaint(page, canvas, () => chart.getByLabel("X axis").selectOption("relative"));
  assert.deepEqual(await xRange(canvas), [0, (N - 1) * 10]);
  await page.mouse.move(at(0.5), y);
  assert.match(await tip.locator(".chart-tip-head").innerText(), /^1 h 2\d min$/);

  const clip = { x: box.x - 20, y: box.y - 60, width: box.width + 40, height: box.height + 100 };
  await page.screenshot({ path: `${SHOTS}chart_light.png`, clip });

  // the system switches to dark: the canvas repaints in the dark colours
  const lightAxis = await canvas.evaluate((c) => getComputedStyle(c).getPropertyValue("--muted"));
  await repaint(page, canvas, () => page.emulateMedia({ colorScheme: "dark" }));
  assert.notEqual(await canvas.evaluate((c) => getComputedStyle(c).getPropertyValue("--muted")), lightAxis);
  await page.mouse.move(at(0.7), y);
  await page.screenshot({ path: `${SHOTS}chart_dark.png`, clip });
  assert.deepEqual(page.errors.map(String), []);
});

/** The chart's y domain as drawn last. */
async function yRange(canvas) {
  return (await canvas.getAttribute("data-y-range")).split(" ").map(Number);
}

test("clip outliers fits the ordinary values; lock y holds the axis while a live run logs", async () => {
  const page = await app.open("", { colorScheme: "light", viewport: { width: 1280, height: 900 } });
  const ids = await page.evaluate(async () => {
    const exp = await mlflow.setExperiment("spiky metric");
    const run = await mlflow.startRun({ runName: "spiky" });
    for (let step = 0; step < 1000; step++) {
      // ordinary values in 0.2..0.8, and five spikes a million times larger
      const v = step % 200 === 17 ? 1e6 : 0.5 + 0.3 * Math.sin(step / 40);
      mlflow.logMetric("spiky", v, { step });
    }
    await mlflow.flush();
    return { expId: exp.experimentId, runId: run.info.runId };
  });
  await page.goto(`${app.site.url}experiments/${ids.expId}/runs/${ids.runId}`);
  const canvas = page.locator(".chart-cell[data-metric='spiky'] canvas");
  const chart = page.locator(".chart-cell[data-metric='spiky'] .metric-chart");
  await canvas.and(page.locator("[data-points='1000']")).waitFor();
  assert.equal(await canvas.getAttribute("data-y-clip"), "off");
  assert.equal(await canvas.getAttribute("data-y-lock"), "off");
  const full = await yRange(canvas);
  assert.ok(full[1] >= 1e6, `the spikes set the scale: ${full}`);

  // clipping the top and bottom 1 % leaves the ordinary values' scale
  await repaint(page, canvas, () => chart.getByLabel("Clip outliers").check());
  assert.equal(await canvas.getAttribute("data-y-clip"), "on");
  const [lo, hi] = await yRange(canvas);
  assert.ok(lo >= 0 && lo <= 0.2 && hi >= 0.8 && hi <= 1, `clipped to ${lo}–${hi}`);
  await canvas.evaluate((c) => c.scrollIntoView({ block: "center" }));
  const box = await canvas.boundingBox();
  // (the title and both rows of controls above the plot, the x labels below)
  await page.screenshot({ path: `${SHOTS}chart_clip_outliers.png`, clip: { x: box.x - 20, y: box.y - 100, width: box.width + 40, height: box.height + 140 } });
  await repaint(page, canvas, () => chart.getByLabel("Clip outliers").uncheck());
  assert.equal(await canvas.getAttribute("data-y-clip"), "off");
  assert.deepEqual(await yRange(canvas), full);

  // lock y: a much larger value arrives (and smoothing changes), the axis stays
  await repaint(page, canvas, () => chart.getByLabel("Lock y").check());
  assert.equal(await canvas.getAttribute("data-y-lock"), "on");
  assert.deepEqual(await yRange(canvas), full);
  await page.evaluate(async (runId) => {
    for (let step = 1000; step < 1010; step++) mlflow.logMetric("spiky", step === 1005 ? 1e9 : 0.5, { step, runId });
    await mlflow.flush();
  }, ids.runId);
  await canvas.and(page.locator("[data-points='1010']")).waitFor();
  assert.deepEqual(await yRange(canvas), full);
  await repaint(page, canvas, () => chart.getByRole("slider").fill("0.5"));
  assert.deepEqual(await yRange(canvas), full);

  // unlock: the axis takes in the new value
  await repaint(page, canvas, () => chart.getByLabel("Lock y").uncheck());
  assert.equal(await canvas.getAttribute("data-y-lock"), "off");
  const [, grown] = await yRange(canvas);
  assert.ok(grown >= 1e9, `unlocked range reaches the new value: ${grown}`);
  assert.deepEqual(page.errors.map(String), []);
});

test("x axis = another metric: loss against epoch, and a run without epoch says so", async () => {
  const page = await app.open("", { colorScheme: "light", viewport: { width: 1280, height: 900 } });
  const ids = await page.evaluate(async () => {
    const exp = await mlflow.setExperiment("loss by epoch");
    const t0 = 1_700_000_000_000;
    const a = await mlflow.startRun({ runName: "with-epoch" });
    for (let step = 0; step < 20; step++) {
      mlflow.logMetric("loss", 1 / (step + 1), { step, timestamp: t0 + step * 1000 });
      // epoch advances every 5 steps
      mlflow.logMetric("epoch", Math.floor(step / 5), { step, timestamp: t0 + step * 1000 });
    }
    // step 19 logged twice: the later point (epoch 4) is the one loss is drawn at
    mlflow.logMetric("epoch", 4, { step: 19, timestamp: t0 + 19_500 });
    await mlflow.endRun();
    const b = await mlflow.startRun({ runName: "no-epoch" });
    for (let step = 0; step < 20; step++) mlflow.logMetric("loss", 2 / (step + 1), { step, timestamp: t0 + step * 1000 });
    await mlflow.endRun();
    return { expId: exp.experimentId, a: a.info.runId, b: b.info.runId };
  });

  // the run page: loss against epoch spans epoch's range
  await page.goto(`${app.site.url}experiments/${ids.expId}/runs/${ids.a}`);
  const canvas = page.locator(".chart-cell[data-metric='loss'] canvas");
  const chart = page.locator(".chart-cell[data-metric='loss'] .metric-chart");
  await canvas.and(page.locator("[data-points='20']")).waitFor();
  assert.equal(await canvas.getAttribute("data-x-mode"), "step");
  const select = chart.getByLabel("X axis");
  // the chart's own key is not offered
  assert.deepEqual(await select.locator("optgroup[label='Metric'] option").allTextContents(), ["epoch"]);
  await select.selectOption("metric:epoch");
  await canvas.and(page.locator("[data-x-mode='metric:epoch']")).waitFor();
  await canvas.and(page.locator("[data-x-range='0 4']")).waitFor();
  assert.ok(Number(await canvas.getAttribute("data-drawn-points")) > 0);
  // the tooltip names the x metric, each row its step
  await canvas.evaluate((c) => c.scrollIntoView({ block: "center" }));
  const box = await canvas.boundingBox();
  await page.mouse.move(box.x + box.width - 20, box.y + box.height / 2);
  const tip = chart.locator(".chart-tip");
  assert.equal(await tip.locator(".chart-tip-head").innerText(), "epoch 4");
  assert.match(await tip.innerText(), /step 19/);
  await page.screenshot({ path: `${SHOTS}chart_x_metric.png`, clip: { x: box.x - 20, y: box.y - 100, width: box.width + 40, height: box.height + 140 } });

  // the compare page: the run without epoch draws nothing and the note says why
  await page.goto(`${app.site.url}compare-runs?runs=${ids.a},${ids.b}`);
  const cChart = page.locator(".chart-cell[data-metric='loss']");
  const cCanvas = cChart.locator("canvas");
  await cCanvas.and(page.locator("[data-points='40']")).waitFor();
  await cChart.getByLabel("X axis").selectOption("metric:epoch");
  await cCanvas.and(page.locator("[data-x-range='0 4']")).waitFor();
  await cChart.getByText("No values of epoch for no-epoch").waitFor();
  await cChart.evaluate((c) => c.scrollIntoView({ block: "center" }));
  const cBox = await cChart.boundingBox();
  await page.screenshot({ path: `${SHOTS}chart_x_metric_compare.png`, clip: { x: cBox.x - 10, y: cBox.y - 10, width: cBox.width + 20, height: cBox.height + 20 } });
  // back to step: the note goes, the range is the steps again
  await cChart.getByLabel("X axis").selectOption("step");
  await cCanvas.and(page.locator("[data-x-range='0 19']")).waitFor();
  assert.equal(await cChart.getByText("No values of epoch").count(), 0);
  assert.deepEqual(page.errors.map(String), []);
});
