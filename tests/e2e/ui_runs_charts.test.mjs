// The runs page's chart grid ("Charts"), as MLflow's chart view: one chart per metric
// column (or every metric), one line per run the table shows, following the filter;
// kept in the URL.
import { test } from "node:test";
import assert from "node:assert/strict";
import { SHOTS, defineStartRunLater, saveView, until } from "./browser.mjs";
import { useSite } from "./site.mjs";

const app = useSite();

test("runs page charts: one chart per metric for the shown runs, following filter and columns, kept through a reload", async () => {
  const page = await app.open("", { viewport: { width: 1400, height: 1000 } });
  await defineStartRunLater(page);
  const expId = await page.evaluate(async () => {
    const exp = await mlflow.setExperiment("grid");
    for (const [name, lr, steps, acc] of [["slow", "0.01", 50, true], ["fast", "0.1", 40, true], ["no-acc", "0.1", 30, false]]) {
      await window.startRunLater({ runName: name });
      await mlflow.logParam("lr", lr);
      for (let step = 0; step < steps; step++) {
        mlflow.logMetric("loss", 1 / (1 + step * Number(lr)), { step });
        if (acc) mlflow.logMetric("acc", step / steps, { step });
      }
      await mlflow.endRun();
    }
    await mlflow.flush();
    return exp.experimentId;
  });
  await page.goto(`${app.site.url}experiments/${expId}`);
  await page.locator(".runs-row").first().waitFor();
  assert.equal(await page.locator(".runs-charts").count(), 0, "closed until asked for");

  const toggle = page.getByRole("button", { name: "Charts", exact: true });
  await toggle.click();
  assert.equal(await toggle.getAttribute("aria-pressed"), "true");
  assert.equal(new URL(page.url()).searchParams.get("charts"), "on");
  const grid = page.getByRole("region", { name: "Run charts" });
  const canvas = (key) => grid.locator(`.chart-cell[data-metric='${key}'] canvas`);
  // every metric of the shown runs, each with every point of every run that logged it
  await canvas("loss").and(page.locator("[data-points='120']")).waitFor();
  await canvas("acc").and(page.locator("[data-points='90']")).waitFor();
  assert.deepEqual(await grid.locator(".chart-cell").evaluateAll((cells) => cells.map((c) => c.dataset.metric)), ["acc", "loss"]);
  assert.deepEqual(await grid.locator(".chart-cell[data-metric='loss'] .chart-legend li").allTextContents(), ["no-acc", "fast", "slow"]);
  assert.deepEqual(await grid.locator(".chart-cell[data-metric='acc'] .chart-legend li").allTextContents(), ["fast", "slow"], "only the runs that logged it");
  assert.ok(Number(await canvas("loss").getAttribute("data-drawn-points")) > 0);
  await page.screenshot({ path: `${SHOTS}ui_runs_charts.png` });

  // the filter narrows the charts with the table
  await page.getByRole("textbox", { name: "Filter runs" }).fill("params.lr = '0.1'");
  await page.getByRole("textbox", { name: "Filter runs" }).press("Enter");
  await canvas("loss").and(page.locator("[data-points='70']")).waitFor();
  await canvas("acc").and(page.locator("[data-points='40']")).waitFor();

  // a metric column chooses the charts; a reload keeps grid, filter and column
  const url = new URL(page.url());
  url.searchParams.append("columns", "metrics.loss");
  await page.goto(url.href);
  await canvas("loss").and(page.locator("[data-points='70']")).waitFor();
  assert.deepEqual(await grid.locator(".chart-cell").evaluateAll((cells) => cells.map((c) => c.dataset.metric)), ["loss"]);
  await page.reload();
  await canvas("loss").and(page.locator("[data-points='70']")).waitFor();

  // grouped by lr, each chart draws one mean line and band per group
  await page.goto(`${app.site.url}experiments/${expId}?charts=on&groupBy=params.lr`);
  await canvas("loss").and(page.locator("[data-groups='2']")).waitFor();
  assert.deepEqual(await grid.locator(".chart-cell[data-metric='loss'] .chart-legend li").allTextContents(), ["lr=0.1 · 2 runs", "lr=0.01 · 1 run"]);
  await page.screenshot({ path: `${SHOTS}ui_runs_charts_grouped.png` });

  // a chart's settings live in the URL (chart.<key>), so a saved view keeps them
  const lossChart = grid.locator(".chart-cell[data-metric='loss']");
  const chartParam = () => new URL(page.url()).searchParams.get("chart.loss");
  await lossChart.getByLabel("Log scale").check();
  await until(() => chartParam() === "log");
  await lossChart.getByLabel("X axis").selectOption("relative");
  await until(() => chartParam() === "log;x=relative");
  assert.equal(new URL(page.url()).searchParams.get("chart.acc"), null, "each chart its own settings");
  const { link: saved } = await saveView(page, "log loss by lr");
  await page.goto(`${app.site.url}experiments/${expId}?charts=on`);
  await canvas("loss").and(page.locator("[data-points='120']")).waitFor();
  assert.equal(await lossChart.getByLabel("Log scale").isChecked(), false);
  await page.reload();
  await saved.click();
  await canvas("loss").and(page.locator("[data-groups='2']")).waitFor();
  await until(() => lossChart.getByLabel("Log scale").isChecked());
  assert.equal(await lossChart.getByLabel("X axis").inputValue(), "relative");
  assert.equal(await grid.locator(".chart-cell[data-metric='acc']").getByLabel("Log scale").isChecked(), false);
  assert.equal(chartParam(), "log;x=relative");

  await toggle.click();
  await grid.waitFor({ state: "detached" });
  assert.equal(new URL(page.url()).searchParams.get("charts"), null);
  assert.deepEqual(page.errors.map(String), []);
});
