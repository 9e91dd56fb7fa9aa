// Every page walked with MLflow's own basic fixture imported: what MLflow stored is
// what the UI shows, in light and dark, with a screenshot of each page.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import { SHOTS } from "./browser.mjs";
import { useSite } from "./site.mjs";

const FIXTURES = new URL("../fixtures/", import.meta.url).pathname;
const basic = JSON.parse(fs.readFileSync(`${FIXTURES}basic.json`, "utf8"));
const vision = Object.entries(basic.experiments).find(([, e]) => e.name === "vision-baseline");
const [expId, exp] = vision;
const [runId, run] = Object.entries(exp.runs).find(([, r]) => r.info.run_name === "vision-run-1");
const other = Object.entries(exp.runs).find(([, r]) => r.info.run_name === "vision-run-2-failed")[0];

const app = useSite({ routes: { "/fixtures/basic.zip": { type: "application/zip", body: fs.readFileSync(`${FIXTURES}basic.zip`) } } });

for (const scheme of ["light", "dark"]) {
  test(`walk every page of the basic fixture (${scheme})`, async () => {
    const page = await app.open("", { colorScheme: scheme, viewport: { width: 1280, height: 860 } });
    await page.evaluate(async () => mlflow.importArchive(await (await fetch("/fixtures/basic.zip")).blob()));

    // experiments: every experiment with MLflow's run counts
    await page.reload();
    for (const e of Object.values(basic.experiments)) await page.getByRole("link", { name: e.name, exact: true }).waitFor();
    await page.screenshot({ path: `${SHOTS}walk-${scheme}-1-experiments.png`, fullPage: true });

    // runs of one experiment: names and statuses as MLflow has them
    await page.getByRole("link", { name: exp.name, exact: true }).click();
    for (const r of Object.values(exp.runs)) {
      await page.getByRole("link", { name: r.info.run_name, exact: true }).waitFor();
    }
    await page.getByText("KILLED").first().waitFor();
    await page.screenshot({ path: `${SHOTS}walk-${scheme}-2-runs.png`, fullPage: true });

    // one run: params, latest metrics, artifacts
    await page.getByRole("link", { name: run.info.run_name, exact: true }).click();
    await page.waitForURL(new RegExp(`/experiments/${expId}/runs/${runId}$`));
    for (const [k, v] of Object.entries(run.params)) {
      await page.getByRole("cell", { name: k, exact: true }).first().waitFor();
      await page.getByRole("cell", { name: v, exact: true }).first().waitFor();
    }
    await page.getByRole("cell", { name: "accuracy", exact: true }).first().waitFor();
    await page.locator("button.artifact-name", { hasText: "config" }).click();
    await page.locator("button.artifact-name", { hasText: "model.json" }).click();
    await page.locator(".artifact-preview, .preview").first().waitFor();
    assert.ok(await page.locator(".chart-cell canvas").count() >= 1, "a chart per metric");
    await page.screenshot({ path: `${SHOTS}walk-${scheme}-3-run.png`, fullPage: true });

    // compare two runs
    await page.goto(`${app.site.url}compare-runs?runs=${runId},${other}`);
    await page.getByText("vision-run-2-failed").first().waitFor();
    await page.getByText("vision-run-1").first().waitFor();
    await page.screenshot({ path: `${SHOTS}walk-${scheme}-4-compare.png`, fullPage: true });
    assert.deepEqual(page.errors.map(String), []);
  });
}
