// Bulk logging figures (in `make bench`, or alone: DIST=… node bench_bulk.mjs):
// logMetricSeries and logBatch throughput, logged and committed.
import { pathToFileURL } from "node:url";
import { serve } from "./server.mjs";
import { launch, newPage, waitForMlflow } from "./browser.mjs";

/** Emits the figures, on a page where `mlflow` is ready. */
export async function benchBulk(page, emit) {
  // 5,000,000 points through logMetricSeries (10 keys × 5 calls of 100,000-point
  // Float64Arrays), logged and committed; median of 3
  const series = [];
  for (let round = 0; round < 3; round++) {
    series.push(await page.evaluate(async (round) => {
      await mlflow.startRun({ runName: `bench-series-${round}` });
      const n = 100_000;
      const steps = new Float64Array(n);
      const chunks = Array.from({ length: 5 }, (_, c) => {
        const v = new Float64Array(n);
        for (let i = 0; i < n; i++) v[i] = Math.sin((c * n + i) * 0.001);
        return v;
      });
      const t0 = performance.now();
      for (let c = 0; c < 5; c++) {
        for (let i = 0; i < n; i++) steps[i] = c * n + i;
        for (let k = 0; k < 10; k++) mlflow.logMetricSeries(`series_${k}`, chunks[c], { steps });
      }
      const t1 = performance.now();
      await mlflow.flush();
      const t2 = performance.now();
      await mlflow.endRun();
      return { callMs: t1 - t0, totalMs: t2 - t0 };
    }, round));
  }
  series.sort((a, b) => a.totalMs - b.totalMs);
  emit("log_metric_series_5M_points_and_flush", series[1].totalMs, "ms", { calls: 50, stat: "median of 3" });
  emit("log_metric_series_points_per_second", 5_000_000 / (series[1].totalMs / 1000), "points/s");
  emit("log_metric_series_queue_points_per_second", 5_000_000 / (series[1].callMs / 1000), "points/s");

  // logBatch: 1,000 metrics per call, each awaited (stored when it resolves)
  const batch = await page.evaluate(async () => {
    await mlflow.startRun({ runName: "bench-batch" });
    const t0 = performance.now();
    for (let b = 0; b < 100; b++) {
      const metrics = Array.from({ length: 1000 }, (_, i) => ({ key: `b${i % 10}`, value: i / 7, step: b * 100 + (i / 10 | 0) }));
      await mlflow.logBatch({ metrics });
    }
    const ms = performance.now() - t0;
    await mlflow.endRun();
    return ms;
  });
  emit("log_batch_100_calls_of_1000_metrics_awaited", batch, "ms");
  emit("log_batch_points_per_second", 100_000 / (batch / 1000), "points/s");
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const emit = (metric, value, unit, extra = {}) =>
    console.log(JSON.stringify({ metric, value: Math.round(value * 100) / 100, unit, ...extra }));
  const site = await serve(process.env.DIST, "/");
  const browser = await launch();
  try {
    const page = await newPage(browser);
    await page.goto(site.url);
    await waitForMlflow(page);
    for (let i = 0; i < Number(process.env.N || 1); i++) await benchBulk(page, emit);
  } finally {
    await browser.close();
    await site.close();
  }
}
