// `make bench`: prints one JSON line per figure ({"metric", "value", "unit", …}).
// Figures, not assertions: README's Performance section records them with the machine.
import fs from "node:fs";
import zlib from "node:zlib";
import path from "node:path";
import os from "node:os";
import { serve } from "./server.mjs";
import { launch, newPage, waitForMlflow } from "./browser.mjs";

const dist = process.env.DIST;
const emit = (metric, value, unit, extra = {}) =>
  console.log(JSON.stringify({ metric, value: Math.round(value * 100) / 100, unit, ...extra }));

// bundle size
for (const [name, files] of [["wasm", ["ferroflow_bg.wasm"]], ["js", ["ferroflow.js", "mlflow.js", "boot.js"]]]) {
  const bytes = Buffer.concat(files.map((f) => fs.readFileSync(path.join(dist, f))));
  emit(`${name}_size_raw`, bytes.length / 1024, "KiB");
  emit(`${name}_size_gzip`, zlib.gzipSync(bytes, { level: 9 }).length / 1024, "KiB");
}

const site = await serve(dist, "/");
const browser = await launch();
try {
  // cold load to a usable window.mlflow (fresh context: empty cache and IndexedDB)
  const loads = [];
  for (let i = 0; i < 5; i++) {
    const page = await newPage(browser);
    await page.goto(site.url);
    await waitForMlflow(page);
    loads.push(await page.evaluate(() => performance.getEntriesByName("mlflow-ready")[0].startTime));
    await page.context().close();
  }
  loads.sort((a, b) => a - b);
  emit("cold_load_to_mlflow_ready", loads[2], "ms", { runs: loads.length, stat: "median" });

  const page = await newPage(browser);
  await page.goto(site.url);
  await waitForMlflow(page);

  // 1,000,000 points over 10 keys, logged then flushed
  const r = await page.evaluate(async () => {
    await mlflow.startRun({ runName: "bench-1M" });
    const keys = Array.from({ length: 10 }, (_, i) => `metric_${i}`);
    const t0 = performance.now();
    for (let step = 0; step < 100_000; step++) {
      for (let k = 0; k < 10; k++) mlflow.logMetric(keys[k], Math.sin(step * 0.001 + k), { step });
    }
    const t1 = performance.now();
    await mlflow.flush();
    const t2 = performance.now();
    const run = mlflow.activeRun();
    await mlflow.endRun();
    return { logMs: t1 - t0, totalMs: t2 - t0, runId: run.info.runId };
  });
  emit("log_metric_call_avg", (r.logMs * 1000) / 1_000_000, "us");
  emit("log_1M_points_and_flush", r.totalMs, "ms");
  emit("log_points_per_second", 1_000_000 / (r.totalMs / 1000), "points/s");

  // a 100,000-point history read back
  const h = await page.evaluate(async (runId) => {
    const times = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      const hist = await mlflow.getMetricHistory(runId, "metric_3");
      times.push(performance.now() - t0);
      if (hist.length !== 100_000) throw new Error(`history has ${hist.length} points`);
    }
    return times.sort((a, b) => a - b)[2];
  }, r.runId);
  emit("read_100k_point_history", h, "ms", { stat: "median of 5" });

  // export of the 1,000,000-point run
  const exp1M = await page.evaluate(async (runId) => {
    const t0 = performance.now();
    const blob = await mlflow.exportArchive({ runIds: [runId] });
    return { ms: performance.now() - t0, bytes: blob.size };
  }, r.runId);
  emit("export_1M_points", exp1M.ms, "ms", { zip_mib: Math.round(exp1M.bytes / 10485.76) / 100 });

  // import of a 200-run store: 5 metrics x 200 steps each (200,000 metric lines)
  const storeZip = await page.evaluate(async () => {
    await mlflow.setExperiment("bench-import-200");
    const exp = await mlflow.getExperimentByName("bench-import-200");
    for (let i = 0; i < 200; i++) {
      await mlflow.startRun({ runName: `run-${i}` });
      await mlflow.logParams({ lr: 0.001 * (i + 1), batch: 32, model: i % 2 ? "cnn" : "mlp" });
      for (let step = 0; step < 200; step++) {
        for (let k = 0; k < 5; k++) mlflow.logMetric(`m${k}`, Math.random(), { step });
      }
      await mlflow.endRun();
    }
    const blob = await mlflow.exportArchive({ experimentIds: [exp.experimentId] });
    window.__benchZip = blob;
    return blob.size;
  });
  const imp = await newPage(browser);
  await imp.goto(site.url);
  await waitForMlflow(imp);
  const zip = await page.evaluate(async () => Array.from(new Uint8Array(await window.__benchZip.arrayBuffer())));
  const imported = await imp.evaluate(async (bytes) => {
    // wasm memory only grows, so its size after the import is the import's peak.
    const wasm = await (await import("./ferroflow.js")).default();
    const before = wasm.memory.buffer.byteLength;
    const data = new Uint8Array(bytes);
    const t0 = performance.now();
    const s = await mlflow.importArchive(data);
    if (s.runs !== 200 || s.metricPoints !== 200_000) throw new Error(JSON.stringify(s));
    return { ms: performance.now() - t0, growth: wasm.memory.buffer.byteLength - before };
  }, zip);
  emit("import_200_run_store", imported.ms, "ms", { zip_mib: Math.round(storeZip / 10485.76) / 100, metric_lines: 200_000 });
  emit("import_wasm_memory_growth", imported.growth / 1048576, "MiB", { zip_mib: Math.round(storeZip / 10485.76) / 100, data_mib: 4.6 });
  await imp.context().close();

  // 10,000 runs created through the API
  const runs = await page.evaluate(async () => {
    await mlflow.setExperiment("bench-10k-runs");
    const t0 = performance.now();
    for (let i = 0; i < 10_000; i++) {
      await mlflow.startRun({ runName: `r${i}` });
      await mlflow.endRun();
    }
    return performance.now() - t0;
  });
  emit("create_10k_runs", runs, "ms");
  await page.context().close();
} finally {
  await browser.close();
  await site.close();
}
emit("machine_cpus", os.cpus().length, "cores", { model: os.cpus()[0]?.model });
