// Issue 13's walk, as a researcher does it: a seeded sweep (2 learning rates × 3
// seeds in "sweep-a", 2 more lr=0.1 runs in "sweep-b", a PNG per run) grouped by lr
// on the runs page — group rows with exact means, the chart grid's legend and band —
// both CSVs downloaded and checked bit for bit, the state kept in a saved view across
// a reload, then runs of both experiments compared with their images side by side.
import { test } from "node:test";
import assert from "node:assert/strict";
import { SHOTS, defineStartRunLater, saveView, until } from "./browser.mjs";
import { download, pyFloat, sameF64 } from "./csv.mjs";
import { useSite } from "./site.mjs";

const app = useSite();

const T0 = 1_700_000_000_000;
const PALETTE = ["#d62728", "#1f77b4", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"];

/** Every run of the sweep, in logging order (lr=0.01's seeds first), with its loss history. */
function sweep() {
  const runs = [];
  const add = (experiment, name, lr, seed, steps) => {
    let state = 1000 + seed * 7919 + Math.round(lr * 1000); // an LCG per run: no Math.random
    const noise = () => {
      state = (state * 1103515245 + 12345) % 2147483648;
      return state / 2147483648;
    };
    const i = runs.length;
    const history = Array.from({ length: steps }, (_, step) => ({
      step,
      timestamp: T0 + i * 1000 + step,
      value: 1 / (1 + lr * 10 * step) + noise() * 0.2,
    }));
    runs.push({ experiment, name, lr, seed, history, colour: PALETTE[i] });
  };
  for (const lr of [0.01, 0.1]) {
    // one run stopped early: uneven lengths within a group
    for (const seed of [0, 1, 2]) add("sweep-a", `lr${lr}-s${seed}`, lr, seed, lr === 0.01 && seed === 1 ? 40 : 50);
  }
  for (const seed of [3, 4]) add("sweep-b", `b-lr0.1-s${seed}`, 0.1, seed, 50);
  return runs;
}

/** Logs the runs, each started in a later millisecond, each with plots/curve.png. */
async function logSweep(page, runs) {
  await defineStartRunLater(page);
  return page.evaluate(async (runs) => {
    const exps = {};
    for (const r of runs) {
      exps[r.experiment] ??= (await mlflow.setExperiment(r.experiment)).experimentId;
      const run = await window.startRunLater({ runName: r.name });
      const runId = run.info.runId;
      r.id = runId;
      await mlflow.logParams({ lr: r.lr, seed: r.seed });
      for (const p of r.history) await mlflow.logMetric("loss", p.value, { step: p.step, timestamp: p.timestamp });
      // the run's colour behind its own loss curve
      const canvas = document.createElement("canvas");
      canvas.width = 160;
      canvas.height = 100;
      const g = canvas.getContext("2d");
      g.fillStyle = r.colour;
      g.fillRect(0, 0, 160, 100);
      g.strokeStyle = "#fff";
      g.lineWidth = 2;
      g.beginPath();
      for (const p of r.history) g.lineTo(20 + (p.step / 50) * 130, 90 - p.value * 70);
      g.stroke();
      await mlflow.logImage(canvas, "plots/curve.png", { runId });
      await mlflow.endRun();
    }
    await mlflow.flush();
    return { exps, ids: runs.map((r) => r.id) };
  }, runs);
}

/** The rendered rows top to bottom: a group as `label (count)`, a run by its name. */
async function shownRows(page) {
  return page.$$eval(".runs-row", (rows) => rows
    .sort((a, b) => parseFloat(a.style.top) - parseFloat(b.style.top))
    .map((r) => r.classList.contains("group-row")
      ? `${r.querySelector(".group-label").textContent} (${r.querySelector(".group-count").textContent})`
      : r.querySelector(".cell.name a")?.textContent));
}
async function waitForRows(page, want) {
  await until(async () => JSON.stringify(await shownRows(page)) === JSON.stringify(want))
    .catch(async (e) => { assert.deepEqual(await shownRows(page), want); throw e; });
}

/** The table's text of a mean: `format_value`, six decimals without trailing zeros. */
const shown = (v) => v.toFixed(6).replace(/0+$/, "").replace(/\.$/, "");
const last = (r) => r.history[r.history.length - 1].value;

test("a seeded sweep, as a user walks it: grouped table and charts, CSVs, a saved view, images across experiments", async () => {
  const page = await app.open("", { viewport: { width: 1440, height: 1000 } });
  const runs = sweep();
  const { exps, ids } = await logSweep(page, runs);
  runs.forEach((r, i) => { r.id = ids[i]; });
  const a = runs.filter((r) => r.experiment === "sweep-a");
  // the table lists newest first; groups keep the order of their first run
  const newestFirst = [...a].reverse();
  const groups = ["0.1", "0.01"].map((lr) => ({ lr, runs: newestFirst.filter((r) => String(r.lr) === lr) }));
  // the app's mean: the latest values summed in table order, divided by the count
  for (const g of groups) g.mean = g.runs.reduce((s, r) => s + last(r), 0) / g.runs.length;

  // 1. The runs page of sweep-a: the varying columns by default; group by lr.
  await page.goto(`${app.site.url}experiments/${exps["sweep-a"]}`);
  await waitForRows(page, newestFirst.map((r) => r.name));
  const select = page.getByRole("combobox", { name: "Group by" });
  assert.deepEqual(await select.locator("option").allTextContents(), ["None", "lr", "seed"]);
  await select.selectOption("params.lr");
  await waitForRows(page, ["lr=0.1 (3 runs)", "lr=0.01 (3 runs)"]);
  assert.equal(new URL(page.url()).searchParams.get("groupBy"), "params.lr");

  // each group's row has its mean loss under the loss column
  const heads = await page.locator(".runs-head > .cell").evaluateAll((cells) => cells.map((c) => c.title));
  const lossCol = heads.indexOf("metrics.loss");
  assert.ok(lossCol > 0, `a loss column: ${heads}`);
  const groupRow = (lr) => page.locator(`.group-row[data-group='v:${lr}']`);
  for (const g of groups) {
    const cells = await groupRow(g.lr).locator(":scope > .cell").allTextContents();
    assert.equal(cells[lossCol], shown(g.mean), `mean loss of lr=${g.lr}`);
    assert.equal(cells[heads.indexOf("params.lr")], g.lr, "the shared lr");
    assert.equal(cells[heads.indexOf("params.seed")], "3 values");
  }

  // 2. The chart grid: one mean line with its band per group, legend with run counts.
  await page.getByRole("button", { name: "Charts", exact: true }).click();
  const grid = page.getByRole("region", { name: "Run charts" });
  const lossChart = grid.locator(".chart-cell[data-metric='loss']");
  const canvas = lossChart.locator("canvas");
  const points = a.reduce((n, r) => n + r.history.length, 0);
  await canvas.and(page.locator(`[data-groups='2'][data-points='${points}']`)).waitFor();
  assert.equal(points, 290, "five runs of 50 steps, one of 40");
  const legend = () => lossChart.locator(".chart-legend li").allTextContents();
  assert.deepEqual(await legend(), ["lr=0.1 · 3 runs", "lr=0.01 · 3 runs"]);
  assert.equal(await canvas.getAttribute("data-band"), "std");
  assert.ok(Number(await canvas.getAttribute("data-drawn-points")) > 0);
  // the band is painted: pixels at the band's 18 % opacity over the transparent canvas
  const bandPixels = () => canvas.evaluate((c) => {
    const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 3; i < d.length; i += 4) if (d[i] >= 40 && d[i] <= 52) n++;
    return n;
  });
  assert.ok(await bandPixels() > 2000, `band pixels: ${await bandPixels()}`);
  await lossChart.scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SHOTS}ui_sweep_grouped.png`, fullPage: true });
  await lossChart.screenshot({ path: `${SHOTS}ui_sweep_loss_chart.png` });

  // 3. CSV of the grouped table, lr=0.01 opened (it holds the run that stopped early).
  await page.getByRole("button", { name: "Show the 3 runs of lr=0.01" }).click();
  const open = groups[1].runs;
  await waitForRows(page, ["lr=0.1 (3 runs)", "lr=0.01 (3 runs)", ...open.map((r) => r.name)]);
  const table = await download(page, page.getByRole("button", { name: "CSV of the runs table", exact: true }));
  assert.equal(table.name, "sweep-a-runs.csv");
  const [head, ...body] = table.rows;
  assert.deepEqual(head, ["Group", "Runs", "Run name", "Run ID", "Status", "Created (ms since epoch)", "Duration (ms)",
    "User", "Source", "metrics.loss", "params.lr", "params.seed"]);
  const col = (name) => head.indexOf(name);
  assert.deepEqual(body.map((r) => [r[0], r[1], r[col("Run name")], r[col("Run ID")]]), [
    ["lr=0.1", "3", "", ""],
    ["lr=0.01", "3", "", ""],
    ...open.map((r) => ["lr=0.01", "", r.name, r.id]),
  ]);
  for (const [i, g] of [[0, groups[0]], [1, groups[1]]]) {
    sameF64(pyFloat(body[i][col("metrics.loss")]), g.mean, `CSV mean loss of lr=${g.lr}`);
    assert.equal(body[i][col("params.lr")], g.lr);
    assert.equal(body[i][col("params.seed")], "", "the seeds differ: no single value");
  }
  open.forEach((r, k) => {
    const row = body[2 + k];
    sameF64(pyFloat(row[col("metrics.loss")]), last(r), `${r.name}'s latest loss`);
    assert.deepEqual([row[col("params.lr")], row[col("params.seed")], row[col("Status")]], ["0.01", String(r.seed), "FINISHED"]);
  });

  // ... and of the loss chart: every run's full history in long form, in table order.
  const history = await download(page, lossChart.getByRole("button", { name: "CSV of loss", exact: true }));
  assert.equal(history.name, "loss-runs.csv");
  assert.deepEqual(history.rows[0], ["run_id", "run_name", "key", "step", "timestamp", "value"]);
  const byRun = new Map();
  for (const [runId, runName, key, step, timestamp, value] of history.rows.slice(1)) {
    assert.equal(key, "loss");
    if (!byRun.has(runId)) byRun.set(runId, { runName, points: [] });
    byRun.get(runId).points.push({ step: Number(step), timestamp: Number(timestamp), value: pyFloat(value) });
  }
  assert.deepEqual([...byRun.keys()], newestFirst.map((r) => r.id));
  for (const r of newestFirst) {
    const got = byRun.get(r.id);
    assert.equal(got.runName, r.name);
    assert.equal(got.points.length, r.history.length, `${r.name}: every point`);
    got.points.forEach((p, i) => {
      assert.deepEqual([p.step, p.timestamp], [r.history[i].step, r.history[i].timestamp], `${r.name} point ${i}`);
      sameF64(p.value, r.history[i].value, `${r.name} point ${i}`);
    });
  }

  // 4. Saved as a view (grouped, lr=0.01 open, charts on), it survives a reload.
  const { link: saved } = await saveView(page, "lr sweep");
  await page.reload();
  await saved.waitFor();
  await page.goto(`${app.site.url}experiments/${exps["sweep-a"]}`);
  await waitForRows(page, newestFirst.map((r) => r.name));
  assert.equal(await grid.count(), 0, "the plain table has no chart grid");
  assert.equal(await select.inputValue(), "");
  await saved.click();
  await waitForRows(page, ["lr=0.1 (3 runs)", "lr=0.01 (3 runs)", ...open.map((r) => r.name)]);
  assert.equal(await select.inputValue(), "params.lr");
  await canvas.and(page.locator(`[data-groups='2'][data-points='${points}']`)).waitFor();
  assert.deepEqual(await legend(), ["lr=0.1 · 3 runs", "lr=0.01 · 3 runs"]);
  assert.equal(await canvas.getAttribute("data-band"), "std");
  assert.equal(await saved.getAttribute("aria-current"), "page");
  await page.screenshot({ path: `${SHOTS}ui_sweep_view_restored.png`, fullPage: true });

  // 5. lr=0.1's runs here and sweep-b's two, compared: the curves side by side.
  await page.getByRole("checkbox", { name: "Select the 3 runs of lr=0.1" }).check();
  await page.locator(".selection-bar", { hasText: "3 runs selected" }).waitFor();
  await page.getByRole("button", { name: "Add runs from another experiment…" }).click();
  const panel = page.getByRole("group", { name: "Runs from another experiment" });
  await panel.getByLabel("Other experiment").selectOption({ label: "sweep-b" });
  const b = runs.filter((r) => r.experiment === "sweep-b");
  for (const r of b) await panel.getByRole("checkbox", { name: r.name }).check();
  await panel.getByText("3 runs ticked here + 2 from sweep-b").waitFor();
  await panel.getByRole("button", { name: "Compare 5 runs" }).click();
  await page.getByRole("heading", { name: "Comparing 5 runs" }).waitFor();
  const url = new URL(page.url());
  const compared = JSON.parse(url.searchParams.get("runs"));
  assert.deepEqual([...compared].sort(), [...groups[0].runs, ...b].map((r) => r.id).sort());
  assert.deepEqual(JSON.parse(url.searchParams.get("experiments")), [exps["sweep-a"], exps["sweep-b"]]);

  const curves = page.locator('section.compare-artifacts .artifact-compare[data-path="plots/curve.png"]');
  await curves.waitFor();
  await page.waitForFunction(() => {
    const imgs = document.querySelectorAll('.artifact-compare[data-path="plots/curve.png"] img');
    return imgs.length === 5 && [...imgs].every((i) => i.complete && i.naturalWidth > 0);
  }, null, { timeout: 15_000 });
  const cells = await curves.locator("figure.image-cell").evaluateAll((figs) => figs.map((f) => {
    const img = f.querySelector("img");
    const r = img.getBoundingClientRect();
    // the image's own pixels: its top-left corner is the run's colour
    const c = document.createElement("canvas");
    c.width = img.naturalWidth;
    c.height = img.naturalHeight;
    const g = c.getContext("2d");
    g.drawImage(img, 0, 0);
    const [red, green, blue] = g.getImageData(2, 2, 1, 1).data;
    return {
      run: f.dataset.run, caption: f.querySelector("figcaption").textContent.trim(),
      x: Math.round(r.x), y: Math.round(r.y), w: Math.round(r.width), h: Math.round(r.height),
      nw: img.naturalWidth, nh: img.naturalHeight, rgb: [red, green, blue],
    };
  }));
  assert.deepEqual(cells.map((c) => c.run), compared, "one image per compared run, in compare order");
  const byId = new Map(runs.map((r) => [r.id, r]));
  cells.forEach((c, i) => {
    const r = byId.get(c.run);
    assert.equal(c.caption, r.name);
    assert.deepEqual([c.nw, c.nh], [160, 100], `${r.name}: decoded`);
    assert.deepEqual([c.w, c.h], [cells[0].w, cells[0].h], "same rendered size");
    assert.ok(c.w > 0 && c.h > 0);
    assert.equal(c.y, cells[0].y, "side by side: one row");
    if (i > 0) assert.ok(c.x > cells[i - 1].x, "left to right");
    const want = [1, 3, 5].map((k) => parseInt(r.colour.slice(k, k + 2), 16));
    c.rgb.forEach((v, k) => assert.ok(Math.abs(v - want[k]) <= 2, `${r.name}'s own image: ${c.rgb} vs ${want}`));
  });
  await curves.screenshot({ path: `${SHOTS}ui_sweep_compare_images.png` });
  await page.screenshot({ path: `${SHOTS}ui_sweep_compare.png`, fullPage: true });

  assert.deepEqual(page.errors.map(String), []);
});
