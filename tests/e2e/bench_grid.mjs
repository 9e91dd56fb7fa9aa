// `make bench`: the runs page's chart grid with 100 runs × 8 metrics × 10,000 steps
// (8 charts of 1,000,000 points each). Reports the first draw of the grid (the
// slowest chart's x ordering + paint once its histories are in, and all eight
// together) and the time from navigation until every chart shows every point
// (app start and reading 8M points from IndexedDB included).
import { newPage, waitForMlflow } from "./browser.mjs";

const RUNS = 100;
const METRICS = 8;
const STEPS = 10_000;

export async function benchChartGrid(browser, site, emit) {
  const page = await newPage(browser);
  await page.setViewportSize({ width: 1600, height: 1200 });
  await page.goto(site.url);
  await waitForMlflow(page);
  const exp = await page.evaluate(async ({ RUNS, METRICS, STEPS }) => {
    const exp = await mlflow.setExperiment("bench-grid");
    for (let r = 0; r < RUNS; r++) {
      await mlflow.startRun({ runName: `grid-${r}` });
      for (let step = 0; step < STEPS; step++) {
        for (let k = 0; k < METRICS; k++) mlflow.logMetric(`m${k}`, Math.sin(step / 300 + r + k) + r / RUNS, { step });
      }
      await mlflow.endRun();
    }
    await mlflow.flush();
    return exp.experimentId;
  }, { RUNS, METRICS, STEPS });
  const ui = await page.context().newPage();
  await ui.setViewportSize({ width: 1600, height: 1200 });
  const t0 = Date.now();
  await ui.goto(`${site.url}experiments/${exp}?charts=on`);
  const all = String(RUNS * STEPS);
  for (let k = 0; k < METRICS; k++) {
    await ui.locator(`.runs-charts .chart-cell[data-metric='m${k}'] canvas[data-points='${all}']`).waitFor({ timeout: 300_000 });
  }
  const readyMs = Date.now() - t0;
  const parts = await ui.$$eval(".runs-charts canvas", (cs) =>
    cs.map((c) => [Number(c.dataset.prepareMs), Number(c.dataset.drawMs)]));
  const charts = parts.map(([p, d]) => p + d);
  emit("runs_chart_grid_first_draw", Math.max(...charts), "ms", {
    runs: RUNS, metrics: METRICS, steps: STEPS, stat: "slowest chart: x order + paint",
    all_charts_ms: Math.round(charts.reduce((a, b) => a + b, 0) * 100) / 100,
    prepare_ms: parts.map(([p]) => p), paint_ms: parts.map(([, d]) => d),
  });
  emit("runs_chart_grid_ready_from_navigation", readyMs, "ms", { points: RUNS * METRICS * STEPS, includes: "app start, 8M points read from IndexedDB" });
  await page.context().close();
}
