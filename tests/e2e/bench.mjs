// `make bench`: prints one JSON line per figure ({"metric", "value", "unit", …}).
// Figures, not assertions: README's Performance section records them with the machine.
import fs from "node:fs";
import zlib from "node:zlib";
import path from "node:path";
import os from "node:os";
import { serve } from "./server.mjs";
import { launch, newPage, waitForMlflow } from "./browser.mjs";
import { spawnSync } from "node:child_process";
import { logSweep } from "./sweep.mjs";
import { fillRegistry } from "./registry_fill.mjs";
import { openLab } from "./bench_lab.mjs";
import { benchChartGrid } from "./bench_grid.mjs";
import { benchAutolog } from "./bench_autolog.mjs";
import { benchGroups } from "./bench_groups.mjs";
import { benchBulk } from "./bench_bulk.mjs";

const dist = process.env.DIST;
const emit = (metric, value, unit, extra = {}) =>
  console.log(JSON.stringify({ metric, value: Math.round(value * 100) / 100, unit, ...extra }));

// bundle size: what the first load fetches (wasm, js), then the SQLite reader module,
// which is fetched only when a .db is imported
const snippets = fs.readdirSync(path.join(dist, "snippets"), { recursive: true })
  .filter((f) => f.endsWith(".js")).map((f) => path.join("snippets", f));
for (const [name, files] of [["wasm", ["ferroflow_bg.wasm"]], ["js", ["ferroflow.js", "mlflow.js", "boot.js"]],
                             ["js_snippets", snippets], ["sqlite_reader_wasm", ["sqlite-reader_bg.wasm"]],
                             ["sqlite_reader_js", ["sqlite-reader.js"]]]) {
  const bytes = Buffer.concat(files.map((f) => fs.readFileSync(path.join(dist, f))));
  emit(`${name}_size_raw`, bytes.length / 1024, "KiB", name.startsWith("sqlite") ? { loaded: "on a .db import only" } : {});
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

  await benchBulk(page, emit);

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

  // import of the same shape as an mlflow.db store (MLflow's schema, 200,000 metric rows)
  const dbZip = path.join(os.tmpdir(), "ferroflow-bench-mlflow-db.zip");
  const made = spawnSync(process.env.ORACLE_PYTHON ?? "python3", [new URL("./make_bench_db.py", import.meta.url).pathname, dbZip], { encoding: "utf8" });
  if (made.status !== 0) throw new Error(made.stderr);
  const dbBytes = Number(made.stdout.split(" ")[0]);
  site.routes.set("/bench/mlflow-db.zip", { type: "application/zip", body: fs.readFileSync(dbZip) });
  const dbPage = await newPage(browser);
  await dbPage.goto(site.url);
  await waitForMlflow(dbPage);
  const db = await dbPage.evaluate(async () => {
    const data = new Uint8Array(await (await fetch("/bench/mlflow-db.zip")).arrayBuffer());
    const times = [];
    for (let i = 0; i < 2; i++) {
      const t0 = performance.now();
      const s = await mlflow.importArchive(data);
      times.push(performance.now() - t0);
      if (s.runs !== 200 || s.metricPoints !== 200_000) throw new Error(JSON.stringify(s));
    }
    return { cold: times[0], warm: times[1], zip: data.length };
  });
  const dbInfo = { zip_mib: Math.round(db.zip / 10485.76) / 100, db_mib: Math.round(dbBytes / 10485.76) / 100, metric_rows: 200_000 };
  emit("import_200_run_mlflow_db", db.cold, "ms", { ...dbInfo, includes: "fetching and compiling the SQLite reader" });
  emit("import_200_run_mlflow_db_again", db.warm, "ms", { ...dbInfo, includes: "reader already loaded; replaces the same runs" });
  await dbPage.context().close();

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

  // UI: 10,000 runs x 20 params x 10 metrics in the runs table
  const { experimentId: sweepId } = await page.evaluate(logSweep, { name: "bench-ui-sweep", runs: 10_000, flushEvery: 2000 });
  // Same browser context (same IndexedDB), a new tab: app start included.
  const ui = await page.context().newPage();
  await ui.setViewportSize({ width: 1280, height: 900 });
  const nav0 = Date.now();
  await ui.goto(`${site.url}experiments/${sweepId}?columns=metrics.m0&columns=params.p3`);
  await ui.locator(".runs-row").first().waitFor({ timeout: 60_000 });
  emit("table_10k_runs_navigation_to_shown", Date.now() - nav0, "ms", { includes: "app start, store load" });
  emit("table_10k_runs_build", Number(await ui.locator(".runs-scroll").getAttribute("data-build-ms")), "ms", { what: "filter+sort+nest pass" });
  // Sorting and filtering, timed inside the page: from the click / Enter to the
  // first animation frame after the rows changed.
  const inPage = (act) => ui.evaluate(async (act) => {
    const top = () => [...document.querySelectorAll(".runs-row")]
      .sort((a, b) => parseFloat(a.style.top) - parseFloat(b.style.top))[0]?.textContent;
    const before = top();
    const t0 = performance.now();
    if (act === "sort") {
      [...document.querySelectorAll('[role="columnheader"]')].find((h) => /m0/.test(h.textContent)).querySelector("button").click();
    } else {
      const box = document.querySelector('input[aria-label="Filter runs"]');
      box.value = "metrics.m0 > 0.99 and params.p3 = '5'";
      box.dispatchEvent(new Event("input", { bubbles: true }));
      box.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
      box.form?.requestSubmit?.();
    }
    while (top() === before) await new Promise((ok) => requestAnimationFrame(ok));
    await new Promise((ok) => requestAnimationFrame(ok));
    return performance.now() - t0;
  }, act);
  emit("table_10k_runs_sort", await inPage("sort"), "ms", { build_ms: Number(await ui.locator(".runs-scroll").getAttribute("data-build-ms")) });
  emit("table_10k_runs_filter", await inPage("filter"), "ms", { build_ms: Number(await ui.locator(".runs-scroll").getAttribute("data-build-ms")) });
  await ui.close();

  // UI: a 1,000,000-point metric chart
  const big = await page.evaluate(async () => {
    const exp = await mlflow.setExperiment("bench-chart");
    const run = await mlflow.startRun({ runName: "million" });
    for (let step = 0; step < 1_000_000; step++) mlflow.logMetric("big", Math.sin(step / 5000) + step / 1e6, { step });
    await mlflow.endRun();
    return { exp: exp.experimentId, run: run.info.runId };
  });
  const chartPage = await page.context().newPage();
  await chartPage.setViewportSize({ width: 1280, height: 900 });
  await chartPage.goto(`${site.url}experiments/${big.exp}/runs/${big.run}`);
  const canvas = chartPage.locator(".chart-cell[data-metric='big'] canvas");
  await canvas.and(chartPage.locator("[data-points='1000000']")).waitFor({ timeout: 60_000 });
  const prepare = Number(await canvas.getAttribute("data-prepare-ms"));
  const paint = Number(await canvas.getAttribute("data-draw-ms"));
  emit("chart_1M_first_draw", prepare + paint, "ms", { prepare_ms: prepare, paint_ms: paint });
  await canvas.evaluate((c) => c.scrollIntoView({ block: "center" }));
  const box = await canvas.boundingBox();
  const zooms = [];
  for (const [a, b] of [[0.3, 0.7], [0.2, 0.8], [0.4, 0.6]]) {
    await canvas.evaluate((c) => c.removeAttribute("data-draw-ms"));
    await chartPage.mouse.move(box.x + box.width * a, box.y + box.height / 2);
    await chartPage.mouse.down();
    await chartPage.mouse.move(box.x + box.width * b, box.y + box.height / 2, { steps: 4 });
    await chartPage.mouse.up();
    await canvas.and(chartPage.locator("[data-draw-ms]")).waitFor();
    zooms.push(Number(await canvas.getAttribute("data-draw-ms")));
    await canvas.dblclick();
  }
  emit("chart_1M_zoom_repaint", Math.max(...zooms), "ms", { stat: "max of 3", all: zooms });
  await chartPage.close();
  await page.context().close();

  // UI: 1,000 runs × 1,000 steps grouped into 10 on the compare page (bench_groups.mjs)
  await benchGroups(site, browser, emit);

  // UI: /models with 1,000 registered models x 10 versions (made through the API)
  const reg = await newPage(browser);
  await reg.setViewportSize({ width: 1280, height: 900 });
  await reg.goto(site.url);
  await waitForMlflow(reg);
  const fill0 = Date.now();
  const versions = await reg.evaluate(fillRegistry, { models: 1000, versions: 10, batch: 50 });
  emit("registry_fill_1k_models_x10_versions", Date.now() - fill0, "ms", { versions, via: "createRegisteredModel + registerModel, 50 models at a time" });
  // In-app: a click on the header's Models link to the first animation frame after
  // rows are shown, timed inside the page (median of 5).
  const navs = [];
  for (let i = 0; i < 5; i++) {
    await reg.goto(site.url);
    await reg.locator(".experiments-page").waitFor();
    navs.push(await reg.evaluate(async () => {
      const t0 = performance.now();
      document.querySelector('nav.sections a[href$="/models"]').click();
      while (!document.querySelector(".models-row")) await new Promise((ok) => requestAnimationFrame(ok));
      await new Promise((ok) => requestAnimationFrame(ok));
      return performance.now() - t0;
    }));
  }
  navs.sort((a, b) => a - b);
  emit("models_list_1k_x10_navigation_to_rows_shown", navs[2], "ms", {
    stat: "median of 5", build_ms: Number(await reg.locator(".models-scroll").getAttribute("data-build-ms")),
    rows_in_dom: await reg.locator(".models-row").count(),
  });
  // Cold: a new tab opening /models (app start and store load included).
  const cold = await reg.context().newPage();
  await cold.setViewportSize({ width: 1280, height: 900 });
  const cold0 = Date.now();
  await cold.goto(`${site.url}models`);
  await cold.locator(".models-row").first().waitFor({ timeout: 60_000 });
  emit("models_list_1k_x10_new_tab_to_rows_shown", Date.now() - cold0, "ms", { includes: "app start, store load" });
  await reg.context().close();

  // UI: the runs page's chart grid, 100 runs x 8 metrics x 10,000 steps
  await benchChartGrid(browser, site, emit);

  // a 10 MB TF.js model: logModel to committed, loadModel, and both with TF.js's own work
  const lab = await openLab(site, browser);
  const m = await lab.evaluate(async () => {
    const model = tf.sequential();
    model.add(tf.layers.dense({ units: 2500, inputShape: [1024] })); // 2.56M float32 weights
    model.add(tf.layers.dense({ units: 1 }));
    await mlflow.startRun({ runName: "bench-10MB-model" });
    const runs = [];
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      const info = await mlflow.logModel(model, `model${i}`, { registeredModelName: "bench-10mb" });
      const t1 = performance.now();
      const handler = await mlflow.loadModel(`models:/bench-10mb/${info.registeredModelVersion}`);
      const t2 = performance.now();
      await tf.loadLayersModel(handler);
      const t3 = performance.now();
      runs.push({ log: t1 - t0, load: t2 - t1, loadWithTf: t3 - t1 });
    }
    await mlflow.endRun();
    const bytes = (await (await mlflow.downloadModelArtifact("models:/bench-10mb/1", "weights.bin")).arrayBuffer()).byteLength;
    const median = (k) => runs.map((r) => r[k]).sort((a, b) => a - b)[1];
    return { log: median("log"), load: median("load"), loadWithTf: median("loadWithTf"), mib: bytes / 2 ** 20 };
  });
  emit("log_model_10MB", m.log, "ms", { stat: "median of 3", weights_mib: m.mib, includes: "save through the IOHandler, files and records committed, registered" });
  emit("load_model_10MB", m.load, "ms", { stat: "median of 3", with_tf_loadLayersModel_ms: m.loadWithTf });

  // autolog overhead (bench_autolog.mjs says how it is measured)
  await benchAutolog(lab, emit);
  await lab.context().close();
} finally {
  await browser.close();
  await site.close();
}
emit("machine_cpus", os.cpus().length, "cores", { model: os.cpus()[0]?.model });
