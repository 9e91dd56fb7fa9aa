// Script payloads in every user string (experiment and run names, param and tag
// values) are shown as text on every page, and none of them runs or becomes markup.
import { test } from "node:test";
import assert from "node:assert/strict";
import { SHOTS } from "./browser.mjs";
import { useSite } from "./site.mjs";

const IMG = `<img src=x onerror="window.__xss=1">`;
const SCRIPT = `<script>window.__xss=1</script>`;

const app = useSite();

/** Nothing ran, and no payload turned into an element. */
async function assertInert(page, where) {
  const found = await page.evaluate(() => ({
    xss: window.__xss,
    imgs: document.querySelectorAll('img[src="x"]').length,
    scripts: [...document.querySelectorAll("script")].filter((s) => s.textContent.includes("__xss")).length,
    handlers: document.querySelectorAll("[onerror]").length,
  }));
  assert.deepEqual(found, { xss: undefined, imgs: 0, scripts: 0, handlers: 0 }, where);
}

test("payloads in names, params and tags render as text on every page", async () => {
  const page = await app.open();
  const { expId, a, b } = await page.evaluate(async ([IMG, SCRIPT]) => {
    const exp = await mlflow.setExperiment(`exp ${IMG}`);
    const a = await mlflow.startRun({ runName: `run ${IMG}`, tags: { note: SCRIPT } });
    await mlflow.logParams({ evil: IMG, other: SCRIPT });
    await mlflow.logMetric("acc", 0.5);
    await mlflow.endRun();
    const b = await mlflow.startRun({ runName: `run ${SCRIPT}`, tags: { note: IMG } });
    await mlflow.logParams({ evil: SCRIPT, other: IMG });
    await mlflow.logMetric("acc", 0.7);
    await mlflow.endRun();
    await mlflow.createExperiment(SCRIPT);
    await mlflow.flush();
    return { expId: exp.experimentId, a: a.info.runId, b: b.info.runId };
  }, [IMG, SCRIPT]);

  // experiments list
  await page.getByRole("link", { name: `exp ${IMG}` }).waitFor();
  await page.getByRole("link", { name: SCRIPT, exact: true }).waitFor();
  await assertInert(page, "experiments page");
  await page.screenshot({ path: `${SHOTS}ui_safety_experiments.png`, fullPage: true });
  // the search box takes the payload as a plain substring
  await page.getByLabel("Search experiments by name").fill("<script>");
  await page.waitForFunction(() => document.querySelectorAll("tr[data-experiment-id]").length === 1);
  await page.getByRole("link", { name: SCRIPT, exact: true }).waitFor();
  await assertInert(page, "experiments search");

  // runs table with the payload columns; a filter holding the payload
  const q = "columns=params.evil&columns=params.other&columns=tags.note";
  await page.goto(`${app.site.url}experiments/${expId}?${q}`);
  await page.getByRole("link", { name: `run ${IMG}` }).waitFor();
  await page.getByRole("link", { name: `run ${SCRIPT}` }).waitFor();
  await page.getByRole("heading", { name: `exp ${IMG}` }).waitFor();
  const cells = await page.locator(".runs-row [role=cell]").allTextContents();
  assert.ok(cells.includes(IMG) && cells.includes(SCRIPT), cells.join(" | "));
  await assertInert(page, "runs page");
  await page.getByLabel("Filter runs").fill(`params.evil = '${IMG.replaceAll("'", "\\'")}'`);
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => document.querySelectorAll(".runs-row").length === 1);
  await page.getByLabel("Filter runs").fill(`tags.note = ${SCRIPT}`);
  await page.keyboard.press("Enter");
  await page.locator(".filter-error").waitFor();
  assert.ok((await page.locator(".filter-error pre").textContent()).includes(SCRIPT));
  await page.screenshot({ path: `${SHOTS}ui_safety_runs.png` });
  await assertInert(page, "runs page with a payload filter");
  await page.getByRole("button", { name: "Columns" }).click();
  await page.getByRole("dialog", { name: "Choose columns" }).getByText("evil").waitFor();
  await assertInert(page, "column picker");

  // compare page: table and both plots carry the strings as text
  await page.goto(`${app.site.url}compare-runs?runs=${a},${b}`);
  await page.getByRole("heading", { name: "Comparing 2 runs" }).waitFor();
  await page.locator("table.compare").getByRole("link", { name: `run ${IMG}` }).waitFor();
  const tableText = await page.locator("table.compare").textContent();
  assert.ok(tableText.includes(IMG) && tableText.includes(SCRIPT));
  await page.getByLabel("Scatter X axis").selectOption("params.evil");
  await page.locator(".scatter svg text", { hasText: "param evil" }).waitFor();
  const tips = await page.locator(".scatter svg circle title").allTextContents();
  assert.ok(tips.some((t) => t.includes(`evil: ${IMG}`)) && tips.some((t) => t.includes(`evil: ${SCRIPT}`)), tips.join(" | "));
  const axisLabels = await page.locator(".parallel svg text").allTextContents();
  assert.ok(axisLabels.some((t) => t.includes("<img")), axisLabels.join(" | "));
  await page.screenshot({ path: `${SHOTS}ui_safety_compare.png`, fullPage: true });
  await assertInert(page, "compare page");

  // the run page (names, params, tags)
  await page.goto(`${app.site.url}experiments/${expId}/runs/${a}`);
  await page.getByText(`run ${IMG}`).first().waitFor();
  // the params and tags tables hold the payloads (as text, if all is well)
  await page.locator(".run-params td.value", { hasText: IMG }).waitFor();
  await page.locator(".run-params td.value", { hasText: SCRIPT }).waitFor();
  await page.locator(".run-tags td.value", { hasText: SCRIPT }).waitFor();
  await assertInert(page, "run page");
  assert.deepEqual(page.errors.map(String), []);
});
