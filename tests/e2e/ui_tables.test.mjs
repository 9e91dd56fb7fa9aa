// The experiments list, the runs table and the compare page as a user walks them:
// data logged through window.mlflow, then everything asserted on screen.
import { test } from "node:test";
import assert from "node:assert/strict";
import { SHOTS, defineStartRunLater, saveView, until, waitForMlflow } from "./browser.mjs";
import { useSite } from "./site.mjs";
import { logSweep } from "./sweep.mjs";

const app = useSite();

/** Names of the runs rendered in the table, top to bottom. */
async function rowNames(page) {
  return page.$$eval(".runs-row", (rows) =>
    rows
      .sort((a, b) => parseFloat(a.style.top) - parseFloat(b.style.top))
      .map((r) => r.querySelector(".cell.name a").textContent));
}

async function waitForRows(page, expected) {
  await page.waitForFunction(
    (want) => {
      const rows = [...document.querySelectorAll(".runs-row")];
      rows.sort((a, b) => parseFloat(a.style.top) - parseFloat(b.style.top));
      const got = rows.map((r) => r.querySelector(".cell.name a").textContent);
      return JSON.stringify(got) === JSON.stringify(want);
    },
    expected,
    { timeout: 10_000 },
  ).catch(async (e) => {
    assert.deepEqual(await rowNames(page), expected);
    throw e;
  });
}

/**
 * Logs the "vision" experiment: a parent with a nested child, two more runs, a deleted
 * one. Each run starts in a later millisecond than the one before: the table lists
 * newest first and breaks start-time ties on the random run id, as MLflow does, so
 * only distinct start times give the order the tests expect.
 */
async function logVision(page) {
  await defineStartRunLater(page);
  return page.evaluate(async () => {
    // Distinct start times give a stable newest-first order (browser.mjs).
    const startRun = window.startRunLater;
    const exp = await mlflow.setExperiment("vision");
    const ids = {};
    const sweep = await startRun({ runName: "sweep" });
    ids.sweep = sweep.info.runId;
    await mlflow.logParams({ optimizer: "adam", lr: 0.01, layers: 4 });
    await mlflow.logMetrics({ acc: 0.9, loss: 0.3 });
    await mlflow.setTags({ team: "cv" });
    const child = await startRun({ runName: "trial-1", nested: true });
    ids.child = child.info.runId;
    await mlflow.logParams({ optimizer: "adam", lr: 0.02 });
    await mlflow.logMetric("acc", 0.3);
    await mlflow.endRun();
    await mlflow.endRun();
    const base = await startRun({ runName: "baseline" });
    ids.baseline = base.info.runId;
    await mlflow.logParams({ optimizer: "sgd", lr: 0.1, layers: 4 });
    await mlflow.logMetrics({ acc: 0.4, loss: 0.8 });
    await mlflow.endRun();
    const big = await startRun({ runName: "big" });
    ids.big = big.info.runId;
    await mlflow.logParams({ optimizer: "adam", lr: 0.001, layers: 12 });
    await mlflow.logMetrics({ acc: 0.95, loss: 0.1 });
    await mlflow.setTags({ team: "cv" });
    await mlflow.endRun();
    const doomed = await startRun({ runName: "doomed" });
    ids.doomed = doomed.info.runId;
    await mlflow.logMetric("acc", 0.7);
    await mlflow.endRun();
    await mlflow.deleteRun(ids.doomed);
    await mlflow.flush();
    return { expId: exp.experimentId, ids };
  });
}

test("experiments: counts, search, create, duplicate error, rename, delete, restore", async () => {
  const page = await app.open();
  // A new user sees how to log a first run, with this site's URL in the snippet.
  await page.getByText("Log your first run").waitFor();
  const snippet = await page.locator(".first-run pre").textContent();
  assert.ok(snippet.includes(`await import("${app.site.url}mlflow.js")`), snippet);
  assert.ok(snippet.includes("mlflow.logMetric(\"loss\", 0.5, {step: 0});"), snippet);
  await page.screenshot({ path: `${SHOTS}ui_experiments_empty.png`, fullPage: true });

  const { expId } = await logVision(page);
  const row = page.locator(`tr[data-experiment-id="${expId}"]`);
  // The list refreshes after each commit: wait for the one holding every run.
  await row.locator("td.num", { hasText: /^4$/ }).waitFor();
  assert.equal(await row.locator("td.num").textContent(), "4", "4 active runs (1 deleted not counted)");
  assert.equal(await page.locator(".first-run").count(), 0, "no first-run hint once there are runs");

  // search filters as you type; "/" focuses it
  await page.keyboard.press("/");
  assert.equal(await page.evaluate(() => document.activeElement.getAttribute("aria-label")), "Search experiments by name");
  await page.keyboard.type("vis");
  await page.waitForFunction(() => document.querySelectorAll("tr[data-experiment-id]").length === 1);
  await page.keyboard.type("xx");
  await page.getByText("No experiment name contains").waitFor();
  await page.getByLabel("Search experiments by name").fill("");

  // create, and a duplicate name is refused inline
  await page.getByRole("button", { name: "New experiment" }).click();
  await page.getByLabel("Experiment name").fill("nlp");
  await page.getByRole("button", { name: "Create" }).click();
  await page.getByRole("link", { name: "nlp", exact: true }).waitFor();
  await page.getByRole("button", { name: "New experiment" }).click();
  await page.getByLabel("Experiment name").fill("nlp");
  await page.getByRole("button", { name: "Create" }).click();
  const err = page.locator(".inline-form .error");
  await err.waitFor();
  assert.match(await err.textContent(), /already exists/);
  await page.screenshot({ path: `${SHOTS}ui_experiments_error.png`, fullPage: true });
  await page.getByRole("button", { name: "Cancel" }).click();

  // rename; the form survives a live update of the list meanwhile
  await page.getByRole("button", { name: "Rename nlp" }).click();
  await page.getByLabel("New name").fill("nlp-2");
  await page.evaluate(async () => {
    await mlflow.startRun({ runName: "meanwhile", experimentId: (await mlflow.getExperimentByName("vision")).experimentId });
    await mlflow.endRun();
  });
  await page.locator(`tr[data-experiment-id="${expId}"] td.num`, { hasText: "5" }).waitFor();
  assert.equal(await page.getByLabel("New name").inputValue(), "nlp-2");
  await page.getByRole("button", { name: "Save" }).click();
  await page.getByRole("link", { name: "nlp-2" }).waitFor();
  // renaming onto an existing name is refused inline too
  await page.getByRole("button", { name: "Rename nlp-2" }).click();
  await page.getByLabel("New name").fill("vision");
  await page.getByRole("button", { name: "Save" }).click();
  await page.locator("td.name .error", { hasText: "already exists" }).waitFor();
  await page.getByRole("button", { name: "Cancel" }).click();

  // delete → gone from Active, listed under Deleted, restore → back
  await page.getByRole("button", { name: "Delete nlp-2" }).click();
  await page.getByRole("link", { name: "nlp-2" }).waitFor({ state: "detached" });
  await page.getByRole("button", { name: "Deleted", exact: true }).click();
  await page.getByRole("link", { name: "nlp-2" }).waitFor();
  assert.equal(await page.getByRole("link", { name: "vision" }).count(), 0);
  await page.getByRole("button", { name: "Restore nlp-2" }).click();
  await page.getByText("No deleted experiments.").waitFor();
  await page.getByRole("button", { name: "Active", exact: true }).click();
  await page.getByRole("link", { name: "nlp-2" }).waitFor();
  const state = await page.evaluate(async () => (await mlflow.getExperimentByName("nlp-2")).lifecycleStage);
  assert.equal(state, "active");
  await page.screenshot({ path: `${SHOTS}ui_experiments.png`, fullPage: true });
  assert.deepEqual(page.errors.map(String), []);
});

test("runs table: nesting, filter, errors, columns, sort, views, URL state, compare, live", async () => {
  const page = await app.open("", { viewport: { width: 1360, height: 900 } });
  const { expId, ids } = await logVision(page);
  await page.getByRole("link", { name: "vision" }).click();
  // newest first; the child run collapsed under its parent
  await waitForRows(page, ["big", "baseline", "sweep"]);
  await page.getByRole("button", { name: "Show 1 child runs" }).click();
  await waitForRows(page, ["big", "baseline", "sweep", "trial-1"]);
  const childIndent = await page.locator(`.runs-row[data-run-id="${ids.child}"] .cell.name`).evaluate((e) => e.style.paddingLeft);
  assert.equal(childIndent, "18px");
  assert.ok(new URL(page.url()).searchParams.getAll("expanded").includes(ids.sweep));
  await page.getByRole("button", { name: "Hide 1 child runs" }).click();
  await waitForRows(page, ["big", "baseline", "sweep"]);

  // fixed columns: status, user, source (shortened page URL)
  const big = page.locator(`.runs-row[data-run-id="${ids.big}"]`);
  assert.equal(await big.locator(".status").textContent(), "FINISHED");
  const cells = await big.locator("[role=cell]").allTextContents();
  assert.ok(cells.some((c) => c.startsWith("127.0.0.1:")), cells.join(" | "));

  // the MLflow filter grammar; `/` focuses the box
  await page.keyboard.press("/");
  await page.keyboard.type("metrics.acc > 0.5");
  await page.keyboard.press("Enter");
  await waitForRows(page, ["big", "sweep"]);
  assert.match(await page.locator(".title-row .count").textContent(), /^2 of 4 runs$/);
  // a bad filter shows where it is wrong
  await page.getByLabel("Filter runs").fill("metrics.acc >> 1");
  await page.keyboard.press("Enter");
  const err = page.locator(".filter-error");
  await err.waitFor();
  const errText = await err.textContent();
  assert.match(errText, /Invalid filter at position 13/);
  assert.ok(errText.includes("metrics.acc >> 1\n             ^"), JSON.stringify(errText));
  await page.screenshot({ path: `${SHOTS}ui_runs_filter_error.png` });
  await page.getByLabel("Filter runs").fill("params.optimizer = 'adam'");
  await page.keyboard.press("Enter");
  await waitForRows(page, ["big", "sweep"]);
  await page.getByRole("button", { name: "Clear" }).click();
  await waitForRows(page, ["big", "baseline", "sweep"]);

  // by default the columns that vary: the metrics (latest values), then the params
  const heads = () => page.$$eval(".runs-head [role=columnheader]:has(.kind) .label", (ls) => ls.map((l) => l.textContent));
  assert.deepEqual((await heads()).slice(0, 5), ["acc", "loss", "layers", "lr", "optimizer"]);
  assert.deepEqual(await big.locator(".cell.num").allTextContents().then((c) => c.slice(-2)), ["0.95", "0.1"]);
  assert.equal(new URL(page.url()).searchParams.getAll("columns").length, 0, "defaults are not written to the URL");

  // column picker: start from none, add metrics.acc and params.optimizer, then sort by acc
  await page.getByRole("button", { name: "Columns" }).click();
  const picker = page.getByRole("dialog", { name: "Choose columns" });
  await picker.getByRole("button", { name: "Remove all" }).click();
  await until(async () => !(await heads()).includes("acc"));
  await picker.getByLabel("Search column keys").fill("acc");
  await picker.getByRole("checkbox", { name: "acc", exact: true }).check();
  await picker.getByLabel("Search column keys").fill("");
  await picker.locator("section", { hasText: "Params" }).getByRole("checkbox", { name: "optimizer" }).check();
  await page.getByRole("button", { name: "Done" }).click();
  const accHeader = page.getByRole("columnheader", { name: /acc/ });
  await accHeader.waitFor();
  assert.equal(await big.locator(".cell.num").last().textContent(), "0.95");
  await accHeader.getByRole("button").click(); // metrics sort largest first
  await waitForRows(page, ["big", "sweep", "baseline"]);
  assert.equal(await accHeader.getAttribute("aria-sort"), "descending");
  await accHeader.getByRole("button").click();
  await waitForRows(page, ["baseline", "sweep", "big"]);
  assert.equal(await accHeader.getAttribute("aria-sort"), "ascending");
  await page.getByRole("columnheader", { name: /Run name/ }).getByRole("button").click();
  await waitForRows(page, ["baseline", "big", "sweep"]);
  await accHeader.getByRole("button").click();
  await waitForRows(page, ["big", "sweep", "baseline"]);

  // lifecycle views
  await page.getByRole("button", { name: "Deleted", exact: true }).click();
  await waitForRows(page, ["doomed"]);
  await page.getByRole("button", { name: "All", exact: true }).click();
  await waitForRows(page, ["big", "sweep", "doomed", "baseline"]);
  await page.getByRole("button", { name: "Active", exact: true }).click();
  await waitForRows(page, ["big", "sweep", "baseline"]);

  // the whole table state survives a reload
  await page.getByLabel("Filter runs").fill("params.layers = '4'");
  await page.keyboard.press("Enter");
  await waitForRows(page, ["sweep", "baseline"]);
  const before = new URL(page.url());
  assert.equal(before.searchParams.get("filter"), "params.layers = '4'");
  assert.deepEqual(before.searchParams.getAll("columns"), ["metrics.acc", "params.optimizer"]);
  assert.equal(before.searchParams.get("orderBy"), "metrics.acc DESC");
  await page.reload();
  await waitForRows(page, ["sweep", "baseline"]);
  assert.equal(await page.getByLabel("Filter runs").inputValue(), "params.layers = '4'");
  assert.equal(await page.getByRole("columnheader", { name: /acc/ }).getAttribute("aria-sort"), "descending");
  await page.getByRole("columnheader", { name: /optimizer/ }).waitFor();
  await page.screenshot({ path: `${SHOTS}ui_runs.png` });
  await page.getByRole("button", { name: "Clear" }).click();
  await waitForRows(page, ["big", "sweep", "baseline"]);

  // a run logged in another tab appears without a reload, and its metrics update live
  const other = await page.context().newPage();
  await other.goto(app.site.url);
  await waitForMlflow(other);
  const liveId = await other.evaluate(async (expId) => {
    const r = await mlflow.startRun({ runName: "live", experimentId: expId });
    await mlflow.logMetric("acc", 0.5);
    await mlflow.flush();
    return r.info.runId;
  }, expId);
  await waitForRows(page, ["big", "sweep", "live", "baseline"]);
  const liveAcc = page.locator(`.runs-row[data-run-id="${liveId}"] .cell.num`).last();
  assert.equal(await liveAcc.textContent(), "0.5");
  assert.equal(await page.locator(`.runs-row[data-run-id="${liveId}"] .status`).textContent(), "RUNNING");
  await other.evaluate(async () => { await mlflow.logMetric("acc", 0.99, { step: 1 }); });
  await page.waitForFunction((id) =>
    [...document.querySelectorAll(`.runs-row[data-run-id="${id}"] .cell.num`)].at(-1)?.textContent === "0.99",
    liveId, { timeout: 5_000 });
  await waitForRows(page, ["live", "big", "sweep", "baseline"]);
  await other.evaluate(async () => { await mlflow.endRun(); });
  await page.locator(`.runs-row[data-run-id="${liveId}"] .status`, { hasText: "FINISHED" }).waitFor();
  await other.close();

  // select two → delete one → restore it; select two → compare
  await page.getByRole("checkbox", { name: "Select run live" }).check();
  await page.getByText("1 run selected").waitFor();
  await page.getByRole("button", { name: "Delete", exact: true }).click();
  await waitForRows(page, ["big", "sweep", "baseline"]);
  await page.getByRole("button", { name: "Deleted", exact: true }).click();
  await waitForRows(page, ["live", "doomed"]);
  await page.getByRole("checkbox", { name: "Select all shown runs" }).check();
  await page.getByText("2 runs selected").waitFor();
  await page.getByRole("button", { name: "Restore" }).click();
  await waitForRows(page, []);
  await page.getByRole("button", { name: "Active", exact: true }).click();
  await waitForRows(page, ["live", "big", "sweep", "doomed", "baseline"]);

  await page.getByRole("checkbox", { name: "Select run big" }).check();
  await page.getByRole("checkbox", { name: "Select run baseline" }).check();
  await page.getByText("2 runs selected").waitFor();
  await page.screenshot({ path: `${SHOTS}ui_runs_selected.png` });
  await page.getByRole("button", { name: "Compare" }).click();
  await page.getByRole("heading", { name: "Comparing 2 runs" }).waitFor();
  const url = new URL(page.url());
  assert.equal(url.pathname, "/compare-runs");
  // in MLflow's address form, so the link also opens in MLflow (after its #/)
  assert.equal(url.searchParams.get("runs"), JSON.stringify([ids.big, ids.baseline]));
  assert.equal(url.searchParams.get("experiments"), JSON.stringify([expId]));
  await compareChecks(page);
  // a compare link survives a reload
  await page.reload();
  await page.getByRole("heading", { name: "Comparing 2 runs" }).waitFor();
  assert.deepEqual(page.errors.map(String), []);
});

async function compareChecks(page) {
  const table = page.locator("table.compare");
  await table.getByRole("link", { name: "big" }).waitFor();
  await table.getByRole("link", { name: "baseline" }).waitFor();
  const keyRow = (k) => table.locator("tr", { has: page.locator(`th[scope=row]`, { hasText: new RegExp(`^${k}$`) }) });
  assert.deepEqual(await keyRow("optimizer").locator("td").allTextContents(), ["adam", "sgd"]);
  assert.deepEqual(await keyRow("layers").locator("td").allTextContents(), ["12", "4"]);
  assert.equal(await keyRow("team").count(), 1);
  // overlaid metric charts: one per metric, a legend entry per run
  const accChart = page.locator('.compare-charts .chart-cell[data-metric="acc"]');
  await accChart.locator("canvas").waitFor();
  await page.locator('.compare-charts .chart-cell[data-metric="loss"] canvas').waitFor();
  await accChart.getByText("baseline").first().waitFor();
  const plots = page.locator(".compare-plots");
  assert.equal(await plots.locator(".parallel svg path.line").count(), 2);
  assert.equal(await plots.locator(".scatter svg circle").count(), 2);
  await page.screenshot({ path: `${SHOTS}ui_compare.png`, fullPage: true });
  // differences only: equal rows (experiment id, same-valued tags) disappear
  assert.equal(await keyRow("Experiment ID").count(), 1);
  assert.equal(await keyRow("mlflow\\.source\\.type").count(), 1);
  await page.getByLabel("Show differences only").check();
  await keyRow("Experiment ID").waitFor({ state: "detached" });
  assert.equal(await keyRow("mlflow\\.source\\.type").count(), 0);
  assert.equal(await keyRow("team").count(), 1, "a tag one run lacks differs");
  assert.equal(await keyRow("optimizer").count(), 1);
  assert.equal(await keyRow("acc").count(), 1);
  // the scatter plot takes any two columns
  await page.getByLabel("Scatter X axis").selectOption("params.optimizer");
  await page.getByLabel("Scatter Y axis").selectOption("metrics.loss");
  await page.locator(".scatter svg text", { hasText: "sgd" }).waitFor();
  assert.equal(await page.locator(".scatter svg circle").count(), 2);
  await page.screenshot({ path: `${SHOTS}ui_compare_diff.png`, fullPage: true });
}

test("10,000 runs: logged through the API, the table shows and scrolls a small window", async () => {
  const page = await app.open("", { viewport: { width: 1280, height: 900 } });
  const tLog = Date.now();
  const { experimentId: expId, newest } = await page.evaluate(logSweep, { name: "big sweep", runs: 10_000, flushEvery: 1000 });
  console.log(`10,000 runs: logged and committed in ${Date.now() - tLog} ms`);
  const t0 = Date.now();
  await page.goto(`${app.site.url}experiments/${expId}?columns=metrics.m0&columns=params.p3`, { timeout: 120_000 });
  await page.locator(".runs-row").first().waitFor({ timeout: 30_000 });
  console.log(`10,000 runs: table shown ${Date.now() - t0} ms after navigation (incl. app start); ` +
    `filter+sort+nest pass ${await page.locator(".runs-scroll").getAttribute("data-build-ms")} ms`);
  assert.match(await page.locator(".title-row .count").textContent(), /^10,000 runs$/);
  const inDom = await page.locator(".runs-row").count();
  assert.ok(inDom > 10 && inDom < 100, `${inDom} rows in the DOM`);
  // newest first: one of the runs started in the last millisecond (ties break on the run id)
  const first = (await rowNames(page))[0];
  assert.ok(newest.includes(first), `${first} is not one of the newest: ${newest.join(", ")}`);
  // scroll to the middle and to the end: the window follows, the DOM stays small
  const scroller = page.locator(".runs-scroll");
  await scroller.evaluate((el) => { el.scrollTop = 5000 * 32; });
  await page.waitForFunction(() => [...document.querySelectorAll(".runs-row a")].some((a) => a.textContent === "run-04999"));
  assert.ok((await page.locator(".runs-row").count()) < 100);
  await scroller.evaluate((el) => { el.scrollTop = el.scrollHeight; });
  await page.waitForFunction(() => [...document.querySelectorAll(".runs-row a")].some((a) => a.textContent === "run-00000"));
  assert.ok((await page.locator(".runs-row").count()) < 100);
  await page.screenshot({ path: `${SHOTS}ui_runs_10k.png` });
  // sort by a metric over all 10,000 runs
  const t1 = Date.now();
  await page.getByRole("columnheader", { name: /m0/ }).getByRole("button").click();
  await page.waitForFunction(() => document.querySelector(".runs-scroll").scrollTop === 0);
  await page.waitForFunction(() => {
    const rows = [...document.querySelectorAll(".runs-row")].sort((a, b) => parseFloat(a.style.top) - parseFloat(b.style.top));
    return [...(rows[0]?.querySelectorAll(".cell.num") ?? [])].at(-1)?.textContent === "0.999";
  });
  console.log(`10,000 runs: sorted by metrics.m0 in ${Date.now() - t1} ms (incl. round trip); ` +
    `filter+sort+nest pass ${await page.locator(".runs-scroll").getAttribute("data-build-ms")} ms`);
  // filter
  await page.getByLabel("Filter runs").fill("metrics.m0 > 0.99 and params.p3 = '5'");
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => /of 10,000 runs$/.test(document.querySelector(".title-row .count").textContent));
  const n = await page.locator(".runs-row").count();
  assert.ok(n >= 1 && n < 30, `${n} rows match`);
  assert.deepEqual(page.errors.map(String), []);
});

test("screenshots: every page, light and dark; the theme toggle sticks", async () => {
  for (const scheme of ["light", "dark"]) {
    const page = await app.open("", { colorScheme: scheme, viewport: { width: 1280, height: 800 } });
    const { expId, ids } = await logVision(page);
    await page.reload();
    await page.locator("table.experiments").waitFor();
    await page.screenshot({ path: `${SHOTS}ui_${scheme}_experiments.png`, fullPage: true });
    await page.goto(`${app.site.url}experiments/${expId}?columns=metrics.acc&columns=params.optimizer&columns=tags.team&expanded=${ids.sweep}`);
    await page.locator(".runs-row").first().waitFor();
    await page.screenshot({ path: `${SHOTS}ui_${scheme}_runs.png` });
    await page.goto(`${app.site.url}compare-runs?runs=${ids.sweep},${ids.baseline},${ids.big},${ids.child}`);
    await page.locator(".parallel svg").waitFor();
    await page.screenshot({ path: `${SHOTS}ui_${scheme}_compare.png`, fullPage: true });
    const empty = await page.evaluate(async () => {
      const id = await mlflow.createExperiment("empty one");
      await mlflow.flush();
      return id;
    });
    await page.goto(`${app.site.url}experiments/${empty}`);
    await page.getByText("No runs yet").waitFor();
    assert.ok((await page.locator(".first-run pre").textContent()).includes(`experimentId: "${empty}"`));
    await page.screenshot({ path: `${SHOTS}ui_${scheme}_runs_empty.png` });
    // phone
    await page.setViewportSize({ width: 390, height: 800 });
    await page.goto(`${app.site.url}experiments/${expId}?columns=metrics.acc`);
    await page.locator(".runs-row").first().waitFor();
    await page.screenshot({ path: `${SHOTS}ui_${scheme}_runs_phone.png` });
    await page.goto(app.site.url);
    await page.locator("table.experiments").waitFor();
    await page.screenshot({ path: `${SHOTS}ui_${scheme}_experiments_phone.png` });

    // the toggle flips the theme and the choice survives a reload
    const bg = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const first = await bg();
    await page.locator(".theme-toggle").click();
    const flipped = await bg();
    assert.notEqual(flipped, first);
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), scheme === "light" ? "dark" : "light");
    await page.reload();
    await page.locator("table.experiments").waitFor();
    assert.equal(await bg(), flipped);
    await page.locator(".theme-toggle").click();
    assert.equal(await bg(), first);
    assert.equal(await page.evaluate(() => localStorage.getItem("ferroflow-theme")), null, "back to following the system");
    assert.deepEqual(page.errors.map(String), []);
  }
});

test("under a sub-path: links, URL state and compare keep the prefix", { skip: !process.env.SUB_DIST && "SUB_DIST not set" }, async () => {
  const prefix = process.env.SUB_URL ?? "/ferroflow/";
  const sub = await app.serve(process.env.SUB_DIST, prefix);
  const page = await app.open(sub.url);
  const { expId, ids } = await logVision(page);
  await page.getByRole("link", { name: "vision" }).click();
  await waitForRows(page, ["big", "baseline", "sweep"]);
  assert.equal(new URL(page.url()).pathname, `${prefix}experiments/${expId}`);
  const link = await page.getByRole("link", { name: "big" }).getAttribute("href");
  assert.equal(link, `${prefix}experiments/${expId}/runs/${ids.big}`);
  await page.getByLabel("Filter runs").fill("metrics.acc > 0.5");
  await page.keyboard.press("Enter");
  await waitForRows(page, ["big", "sweep"]);
  assert.equal(new URL(page.url()).pathname, `${prefix}experiments/${expId}`);
  await page.reload();
  await waitForRows(page, ["big", "sweep"]);
  await page.getByRole("checkbox", { name: "Select all shown runs" }).check();
  await page.getByRole("button", { name: "Compare" }).click();
  await page.getByRole("heading", { name: "Comparing 2 runs" }).waitFor();
  assert.equal(new URL(page.url()).pathname, `${prefix}compare-runs`);
  await page.getByRole("link", { name: "Back to the runs" }).click();
  await waitForRows(page, ["big", "baseline", "sweep"]);
  assert.deepEqual(page.errors.map(String), []);
});

test("saved views: save the table as shown, open it from the list, rename, delete; kept through reloads and two tabs saving at once", async () => {
  const page = await app.open("", { viewport: { width: 1280, height: 900 } });
  const { expId } = await logVision(page);
  const filter = "params.layers = '4'";
  // percent-encoded as the site writes addresses: all but A-Z a-z 0-9 - _ . ~
  const enc = (s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  const query = `filter=${enc(filter)}&orderBy=${enc("metrics.acc ASC")}&columns=params.lr`;
  await page.goto(`${app.site.url}experiments/${expId}?${query}`);
  await waitForRows(page, ["baseline", "sweep"]);
  const views = page.getByRole("group", { name: "Saved views" });
  await views.getByText("none saved").waitFor();

  // save it under a name (Enter saves)
  const { link: saved } = await saveView(page, "  layers 4, by acc ");
  assert.equal(await saved.getAttribute("aria-current"), "page");
  assert.equal(await saved.getAttribute("href"), `/experiments/${expId}?${query}`);

  // an empty name and a name taken (in another case) are refused, saying why
  await views.getByRole("button", { name: "Save view" }).click();
  await views.getByRole("button", { name: "Save", exact: true }).click();
  assert.equal(await views.getByRole("alert").textContent(), "Give the view a name.");
  await views.getByRole("textbox", { name: "View name" }).fill("LAYERS 4, BY ACC");
  await views.getByRole("button", { name: "Save", exact: true }).click();
  await views.getByRole("alert", { hasText: "already has a view named 'layers 4, by acc'" }).waitFor();
  await views.getByRole("button", { name: "Cancel" }).click();
  assert.equal(await views.getByRole("alert").count(), 0);

  // the plain table is not that view; the link opens it, filter, sort and columns
  await page.goto(`${app.site.url}experiments/${expId}`);
  await waitForRows(page, ["big", "baseline", "sweep"]);
  assert.equal(await saved.getAttribute("aria-current"), null);
  await saved.click();
  await waitForRows(page, ["baseline", "sweep"]);
  assert.equal(new URL(page.url()).search, `?${query}`);
  assert.equal(await page.getByRole("textbox", { name: "Filter runs" }).inputValue(), filter);
  await page.locator(".runs-head", { hasText: "lr" }).first().waitFor();
  assert.equal(await saved.getAttribute("aria-current"), "page");

  // a second tab on the same store; both save a view at the same moment (this tab
  // the plain table, that one every lifecycle stage)
  await page.goto(`${app.site.url}experiments/${expId}`);
  await waitForRows(page, ["big", "baseline", "sweep"]);
  const other = await page.context().newPage();
  await other.goto(`${app.site.url}experiments/${expId}?view=ALL`);
  await waitForMlflow(other);
  const otherViews = other.getByRole("group", { name: "Saved views" });
  await otherViews.getByRole("link", { name: "layers 4, by acc" }).waitFor();
  const saveAs = async (p, group, name) => {
    await group.getByRole("button", { name: "Save view" }).click();
    await group.getByRole("textbox", { name: "View name" }).fill(name);
  };
  await saveAs(page, views, "from A");
  await saveAs(other, otherViews, "from B");
  await Promise.all([
    views.getByRole("button", { name: "Save", exact: true }).click(),
    otherViews.getByRole("button", { name: "Save", exact: true }).click(),
  ]);
  for (const group of [views, otherViews]) {
    await group.getByRole("link", { name: "from A" }).waitFor();
    await group.getByRole("link", { name: "from B" }).waitFor();
  }
  assert.equal(await otherViews.getByRole("link", { name: "from B" }).getAttribute("href"), `/experiments/${expId}?view=ALL`);

  // rename one, delete the other; the other tab follows
  await views.getByRole("button", { name: "Rename view from A" }).click();
  const rename = views.getByRole("textbox", { name: "New name for view from A" });
  assert.equal(await rename.inputValue(), "from A");
  await rename.fill("the default");
  await rename.press("Enter");
  await views.getByRole("link", { name: "the default" }).waitFor();
  await views.getByRole("button", { name: "Delete view from B" }).click();
  await otherViews.getByRole("link", { name: "from B" }).waitFor({ state: "detached" });
  await otherViews.getByRole("link", { name: "the default" }).waitFor();
  await page.screenshot({ path: `${SHOTS}ui_saved_views.png` });
  await other.close();

  // after a reload: listed by name, stored as experiment tags (JSON name + query)
  await page.reload();
  await waitForRows(page, ["big", "baseline", "sweep"]);
  await views.getByRole("link", { name: "the default" }).waitFor();
  assert.deepEqual(await views.getByRole("link").allTextContents(), ["layers 4, by acc", "the default"]);
  assert.equal(await views.getByRole("link", { name: "the default" }).getAttribute("href"), `/experiments/${expId}`);
  assert.equal(await views.getByRole("link", { name: "the default" }).getAttribute("aria-current"), "page");
  assert.equal(await saved.getAttribute("aria-current"), null);
  const tags = await page.evaluate(async (id) => (await mlflow.getExperiment(id)).tags, expId);
  const stored = Object.entries(tags).filter(([k]) => k.startsWith("ferroflow.view."));
  assert.deepEqual(stored.map(([, v]) => JSON.parse(v)).sort((a, b) => a.name.localeCompare(b.name)), [
    { name: "layers 4, by acc", query },
    { name: "the default", query: "" },
  ]);
  assert.deepEqual(page.errors.map(String), []);
});

test("runs table: a metric's min and max are columns of their own, chosen in the picker, sorted, kept in the URL", async () => {
  const page = await app.open("", { viewport: { width: 1360, height: 900 } });
  await defineStartRunLater(page);
  const { expId, ids } = await page.evaluate(async () => {
    const exp = await mlflow.setExperiment("ranges");
    const ids = {};
    for (const [name, losses] of [["a", [0.5, 0.2, 0.4]], ["b", [0.9, 0.1, 0.6]], ["c", [0.3, 0.35, 0.3]]]) {
      ids[name] = (await window.startRunLater({ runName: name })).info.runId;
      losses.forEach((v, step) => mlflow.logMetric("loss", v, { step }));
      await mlflow.endRun();
    }
    await mlflow.flush();
    return { expId: exp.experimentId, ids };
  });
  await page.goto(`${app.site.url}experiments/${expId}`);
  await waitForRows(page, ["c", "b", "a"]);
  // the cells of the column whose key is `key`, by run name
  const column = (key) => page.evaluate((key) => {
    const heads = [...document.querySelectorAll(".runs-head [role=columnheader]")];
    const i = heads.findIndex((h) => h.title === key);
    if (i < 0) return null;
    return Object.fromEntries([...document.querySelectorAll(".runs-row")].map((r) =>
      [r.querySelector(".cell.name a").textContent, r.querySelectorAll("[role=cell]")[i]?.textContent]));
  }, key);
  await until(async () => (await column("metrics.loss")) !== null);
  assert.deepEqual(await column("metrics.loss"), { a: "0.4", b: "0.6", c: "0.3" }, "latest values by default");
  assert.equal(await column("metrics_min.loss"), null);

  await page.getByRole("button", { name: "Columns" }).click();
  const picker = page.getByRole("dialog", { name: "Choose columns" });
  await picker.getByRole("checkbox", { name: "min of metric loss" }).check();
  await picker.getByRole("checkbox", { name: "max of metric loss" }).check();
  await page.getByRole("button", { name: "Done" }).click();
  await page.getByRole("columnheader", { name: "loss (max)" }).waitFor();
  assert.deepEqual(await column("metrics_min.loss"), { a: "0.2", b: "0.1", c: "0.3" });
  assert.deepEqual(await column("metrics_max.loss"), { a: "0.5", b: "0.9", c: "0.35" });
  assert.deepEqual(new URL(page.url()).searchParams.getAll("columns"), ["metrics.loss", "metrics_min.loss", "metrics_max.loss"]);

  const minHead = page.getByRole("columnheader", { name: "loss (min)" });
  await minHead.getByRole("button").click();
  await waitForRows(page, ["c", "a", "b"]);
  assert.equal(await minHead.getAttribute("aria-sort"), "descending");
  assert.equal(new URL(page.url()).searchParams.get("orderBy"), "metrics_min.loss DESC");
  await page.reload();
  await waitForRows(page, ["c", "a", "b"]);
  assert.deepEqual(await column("metrics_max.loss"), { a: "0.5", b: "0.9", c: "0.35" });
  await page.screenshot({ path: `${SHOTS}ui_runs_min_max.png` });

  // a run that logs a new low moves; the column follows live
  await page.evaluate(async (runId) => {
    mlflow.logMetric("loss", 0.05, { step: 3, runId });
    await mlflow.flush();
  }, ids.c);
  await waitForRows(page, ["a", "b", "c"]);
  assert.deepEqual(await column("metrics_min.loss"), { a: "0.2", b: "0.1", c: "0.05" });
  assert.deepEqual(page.errors.map(String), []);
});
