// Bench: 1,000 runs × 1,000 steps grouped by a param with 10 values on the compare
// page, mean ± std drawn. Prints figures (data-group-ms: the aggregation; data-draw-ms:
// the paint); run by bench.mjs, or alone: `DIST=… node bench_groups.mjs`.
import { fileURLToPath } from "node:url";
import { serve } from "./server.mjs";
import { launch, newPage, waitForMlflow } from "./browser.mjs";

export async function benchGroups(site, browser, emit) {
  const page = await newPage(browser);
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(site.url);
  await waitForMlflow(page);
  const log0 = Date.now();
  const ids = await page.evaluate(async () => {
    await mlflow.setExperiment("bench-groups");
    const ids = [];
    for (let r = 0; r < 1000; r++) {
      const run = await mlflow.startRun({ runName: `g${r}` });
      mlflow.logParams({ lr: String((r % 10) / 100), seed: String(r) });
      for (let step = 0; step < 1000; step++) mlflow.logMetric("loss", Math.exp(-step * (1 + (r % 10)) / 1000) + Math.sin(r + step) * 0.05, { step });
      await mlflow.endRun();
      ids.push(run.info.runId);
    }
    await mlflow.flush();
    return ids;
  });
  emit("groups_log_1k_runs_x1k_steps", Date.now() - log0, "ms", { via: "startRun, logParams, logMetric unawaited, endRun" });
  // 1,000 ids make a 33 KB address, past the test server's header limit: the app
  // routes to it in the page instead (a pushState its router follows).
  await page.evaluate((search) => {
    history.pushState(null, "", `compare-runs?${search}`);
    window.dispatchEvent(new PopStateEvent("popstate"));
  }, `runs=${ids.join(",")}&groupBy=params.lr`);
  const canvas = page.locator(".metric-chart canvas").first();
  await canvas.and(page.locator("[data-points='1000000'][data-groups='10']")).waitFor({ timeout: 300_000 });
  await page.waitForFunction(() => document.querySelector(".metric-chart canvas")?.getAttribute("data-group-ms") !== null);
  const groupMs = Number(await canvas.getAttribute("data-group-ms"));
  const drawMs = Number(await canvas.getAttribute("data-draw-ms"));
  emit("chart_group_1k_runs_x1k_steps_into_10", groupMs + drawMs, "ms", { group_ms: groupMs, draw_ms: drawMs, band: "std" });
  await page.context().close();
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const emit = (metric, value, unit, extra = {}) =>
    console.log(JSON.stringify({ metric, value: Math.round(value * 100) / 100, unit, ...extra }));
  const site = await serve(process.env.DIST, "/");
  const browser = await launch();
  try {
    await benchGroups(site, browser, emit);
  } finally {
    await browser.close();
    await site.close();
  }
}
