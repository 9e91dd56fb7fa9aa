// The "CSV" buttons: the runs table downloads what it shows (filter, visible columns,
// expanded children, in table order); a run's metric chart its full history; a
// compare chart every run's history in long form. Each file is parsed here and every
// value checked bit for bit against what was logged.
import { test } from "node:test";
import assert from "node:assert/strict";
import { defineStartRunLater } from "./browser.mjs";
import { download, pyFloat, sameF64 } from "./csv.mjs";
import { useSite } from "./site.mjs";

const app = useSite();

const EXPERIMENT = "csv, export";
const PARENT = 'a, "quoted" run';
const CHILD = "child, one";
const NOTE = 'x, "y"\nz';
const N = 10_000;

/** 10,000 points: the awkward values first, then seeded random bit patterns. */
function longHistory() {
  const special = [-0, 1e-300, 0.1 + 0.2, NaN, Infinity, -Infinity, 5e-324, -1e-300, 2 ** 53 + 2, 1e16, 0.1, 1 / 3];
  let seed = 0x2545f491n;
  const view = new DataView(new ArrayBuffer(8));
  const points = [];
  for (let i = 0; i < N; i++) {
    let value;
    if (i < special.length) value = special[i];
    else {
      seed = (seed * 6364136223846793005n + 1442695040888963407n) & 0xffffffffffffffffn;
      view.setBigUint64(0, seed);
      value = view.getFloat64(0);
    }
    points.push({ step: i - 3, timestamp: 1_700_000_000_000 + i * 7, value });
  }
  return points;
}


function checkHistory(rows, want, what) {
  assert.equal(rows.length, want.length, `${what}: every point, not the drawn ones`);
  rows.forEach(([step, timestamp, value], i) => {
    assert.equal(Number(step), want[i].step, `${what} step ${i}`);
    assert.equal(Number(timestamp), want[i].timestamp, `${what} timestamp ${i}`);
    sameF64(pyFloat(value), want[i].value, `${what} point ${i}`);
  });
}

test("CSV: the runs table as shown, a run's full history, the compare page in long form", async () => {
  const page = await app.open("", { viewport: { width: 1400, height: 900 } });
  const long = longHistory();
  const short = [
    { step: 0, timestamp: 1_700_000_000_000, value: -0 },
    { step: 1, timestamp: 1_700_000_000_001, value: 0.1 + 0.2 },
  ];
  await defineStartRunLater(page);
  const logged = await page.evaluate(async ({ PARENT, CHILD, NOTE, EXPERIMENT, long, short }) => {
    // Distinct start times give a stable newest-first order (browser.mjs).
    const startRun = window.startRunLater;
    const exp = await mlflow.setExperiment(EXPERIMENT);
    const info = {};
    const parent = await startRun({ runName: PARENT });
    await mlflow.logParams({ note: NOTE, lr: "0.1" });
    await mlflow.logMetrics({ acc: 0.1 + 0.2, tiny: 1e-300, zero: -0 });
    for (const p of long) mlflow.logMetric("long", p.value, { step: p.step, timestamp: p.timestamp });
    const child = await startRun({ runName: CHILD, nested: true });
    await mlflow.logParam("note", "=SUM(A1:A2)");
    await mlflow.logMetric("acc", 0.7);
    await mlflow.endRun();
    await mlflow.endRun();
    const plain = await startRun({ runName: "plain" });
    await mlflow.logParams({ note: "+1, @me", lr: "0.2" });
    await mlflow.logMetrics({ acc: 0.5, tiny: -1e-300 });
    for (const p of short) mlflow.logMetric("long", p.value, { step: p.step, timestamp: p.timestamp });
    await mlflow.endRun();
    const out = await startRun({ runName: "filtered out" });
    await mlflow.logMetric("acc", 0.1);
    await mlflow.endRun();
    await mlflow.flush();
    for (const [k, r] of Object.entries({ parent, child, plain, out })) {
      const got = await mlflow.getRun(r.info.runId);
      info[k] = { id: r.info.runId, start: got.info.startTime, status: got.info.status };
    }
    return { expId: exp.experimentId, info };
  }, { PARENT, CHILD, NOTE, EXPERIMENT, long, short });
  const { expId, info } = logged;

  // The runs table: filtered, three added columns, the parent expanded.
  const filter = encodeURIComponent("metrics.acc > 0.2");
  await page.goto(`${app.site.url}experiments/${expId}?filter=${filter}` +
    `&columns=metrics.acc&columns=metrics.tiny&columns=metrics.zero&columns=params.note&expanded=${info.parent.id}`);
  await page.locator(`.runs-row[data-run-id='${info.child.id}']`).waitFor();
  const shown = await page.$$eval(".runs-row", (rows) => rows
    .sort((a, b) => parseFloat(a.style.top) - parseFloat(b.style.top))
    .map((r) => r.dataset.runId));
  assert.deepEqual(shown, [info.plain.id, info.parent.id, info.child.id], "newest first, the child under its parent");

  const table = await download(page, page.getByRole("button", { name: "CSV of the runs table", exact: true }));
  assert.equal(table.name, `${EXPERIMENT}-runs.csv`);
  const [header, ...rows] = table.rows;
  assert.deepEqual(header, ["Run name", "Run ID", "Status", "Created (ms since epoch)", "Duration (ms)", "User", "Source",
    "metrics.acc", "metrics.tiny", "metrics.zero", "params.note"]);
  assert.deepEqual(rows.map((r) => r[1]), shown, "the shown rows in table order; the filtered-out run is not there");
  const col = (name) => header.indexOf(name);
  const want = {
    [info.plain.id]: { name: "plain", acc: 0.5, tiny: -1e-300, zero: null, note: "+1, @me" },
    [info.parent.id]: { name: PARENT, acc: 0.1 + 0.2, tiny: 1e-300, zero: -0, note: NOTE },
    [info.child.id]: { name: CHILD, acc: 0.7, tiny: null, zero: null, note: "=SUM(A1:A2)" },
  };
  for (const r of rows) {
    assert.equal(r.length, header.length);
    const w = want[r[1]];
    const run = Object.values(info).find((i) => i.id === r[1]);
    assert.equal(r[col("Run name")], w.name);
    assert.equal(r[col("Status")], run.status);
    assert.equal(Number(r[col("Created (ms since epoch)")]), run.start);
    assert.match(r[col("Duration (ms)")], /^\d+$/);
    assert.equal(r[col("params.note")], w.note, "params and formula-looking cells unaltered");
    for (const m of ["acc", "tiny", "zero"]) {
      const cell = r[col(`metrics.${m}`)];
      if (w[m] === null) assert.equal(cell, "", `${w.name} has no ${m}`);
      else sameF64(pyFloat(cell), w[m], `${w.name} ${m}`);
    }
  }

  // A run's chart: its full history, not the downsampled points it draws.
  await page.goto(`${app.site.url}experiments/${expId}/runs/${info.parent.id}`);
  const chart = page.locator(".chart-cell[data-metric='long']");
  await chart.locator(`canvas[data-points='${N}']`).waitFor({ timeout: 30_000 });
  const history = await download(page, chart.getByRole("button", { name: "CSV of long", exact: true }));
  assert.equal(history.name, "a, -quoted- run-long.csv");
  assert.deepEqual(history.rows[0], ["step", "timestamp", "value"]);
  checkHistory(history.rows.slice(1), long, "run chart");

  // The compare page: every compared run's history, in long form.
  await page.goto(`${app.site.url}experiments/${expId}`);
  await page.locator(`.runs-row[data-run-id='${info.plain.id}']`).waitFor();
  for (const id of [info.parent.id, info.plain.id]) {
    await page.locator(`.runs-row[data-run-id='${id}'] input[type=checkbox]`).check();
  }
  await page.getByRole("button", { name: "Compare", exact: true }).click();
  const compared = page.locator(".chart-cell[data-metric='long']");
  await compared.locator(`canvas[data-points='${N + short.length}']`).waitFor({ timeout: 30_000 });
  const both = await download(page, compared.getByRole("button", { name: "CSV of long", exact: true }));
  assert.equal(both.name, "long-runs.csv");
  assert.deepEqual(both.rows[0], ["run_id", "run_name", "key", "step", "timestamp", "value"]);
  const byRun = new Map();
  for (const [runId, runName, key, ...point] of both.rows.slice(1)) {
    assert.equal(key, "long");
    if (!byRun.has(runId)) byRun.set(runId, { runName, points: [] });
    assert.equal(byRun.get(runId).runName, runName);
    byRun.get(runId).points.push(point);
  }
  assert.deepEqual([...byRun.keys()].sort(), [info.parent.id, info.plain.id].sort());
  assert.equal(byRun.get(info.parent.id).runName, PARENT);
  assert.equal(byRun.get(info.plain.id).runName, "plain");
  checkHistory(byRun.get(info.parent.id).points, long, "compare, parent");
  checkHistory(byRun.get(info.plain.id).points, short, "compare, plain");
  assert.deepEqual(page.errors.map(String), []);
});
