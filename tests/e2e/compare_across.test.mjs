// Comparing runs of two experiments: MLflow's own compare address
// (`/compare-runs?runs=[…]&experiments=[…]`) opens them, today's `?runs=a,b` still
// does, bad addresses say what is wrong, and the runs page adds runs of another
// experiment to a comparison.
import { test } from "node:test";
import assert from "node:assert/strict";
import { SHOTS } from "./browser.mjs";
import { useSite } from "./site.mjs";

const app = useSite();

/** Two experiments: "vision" (cv-a, cv-c) and "nlp" (nlp-b). */
async function logTwoExperiments(page) {
  return page.evaluate(async () => {
    const vision = await mlflow.setExperiment("vision");
    const a = await mlflow.startRun({ runName: "cv-a" });
    await mlflow.logParams({ lr: 0.1, optimizer: "adam" });
    await mlflow.logMetrics({ acc: 0.8 });
    await mlflow.endRun();
    const c = await mlflow.startRun({ runName: "cv-c" });
    await mlflow.logParams({ lr: 0.5, optimizer: "adam" });
    await mlflow.logMetrics({ acc: 0.7 });
    await mlflow.endRun();
    const nlp = await mlflow.setExperiment("nlp");
    const b = await mlflow.startRun({ runName: "nlp-b" });
    await mlflow.logParams({ lr: 0.01, optimizer: "sgd" });
    await mlflow.logMetrics({ acc: 0.6, loss: 0.4 });
    await mlflow.endRun();
    await mlflow.flush();
    return {
      vision: vision.experimentId,
      nlp: nlp.experimentId,
      a: a.info.runId,
      b: b.info.runId,
      c: c.info.runId,
    };
  });
}

/** The cells of the compare table's row labelled `key`. */
function rowCells(page, key) {
  const label = page.locator("table.compare th[scope=row]", { hasText: new RegExp(`^${key}$`) });
  return page.locator("table.compare tr", { has: label }).locator("td");
}

async function expectRow(page, key, values) {
  await page.waitForFunction(
    ({ key, values }) => {
      const row = [...document.querySelectorAll("table.compare tr")]
        .find((tr) => tr.querySelector("th[scope=row]")?.textContent === key);
      const got = row ? [...row.querySelectorAll("td")].map((td) => td.textContent) : null;
      return JSON.stringify(got) === JSON.stringify(values);
    },
    { key, values },
    { timeout: 10_000 },
  ).catch(async (e) => {
    assert.deepEqual(await rowCells(page, key).allTextContents(), values, key);
    throw e;
  });
}

test("MLflow's compare address opens runs of two experiments, each with its experiment", async () => {
  const page = await app.open("", { viewport: { width: 1280, height: 900 } });
  const ids = await logTwoExperiments(page);

  // as MLflow's Routes.getCompareRunPageRoute writes it: JSON, not encoded
  const runs = JSON.stringify([ids.a, ids.b]);
  const exps = JSON.stringify([ids.vision, ids.nlp]);
  await page.goto(`${app.site.url}compare-runs?runs=${runs}&experiments=${exps}`);
  await page.getByRole("heading", { name: "Comparing 2 runs" }).waitFor();
  const table = page.locator("table.compare");
  await table.getByRole("link", { name: "cv-a" }).waitFor();
  await table.getByRole("link", { name: "nlp-b" }).waitFor();
  await expectRow(page, "Experiment", ["vision", "nlp"]);
  await expectRow(page, "Experiment ID", [ids.vision, ids.nlp]);
  await expectRow(page, "lr", ["0.1", "0.01"]);
  await expectRow(page, "optimizer", ["adam", "sgd"]);
  await expectRow(page, "acc", ["0.8", "0.6"]);
  await expectRow(page, "loss", ["—", "0.4"]);
  // the experiment under each run's name, and a way back to each experiment
  assert.deepEqual(await table.locator("thead .run-experiment").allTextContents(), ["vision", "nlp"]);
  const crumbs = page.locator(".compare-page .crumbs");
  assert.equal((await crumbs.textContent()).trim(), "Runs from 2 experiments: vision · nlp");
  assert.equal(await crumbs.getByRole("link", { name: "nlp" }).getAttribute("href"), `/experiments/${ids.nlp}`);
  await page.locator('.compare-charts .chart-cell[data-metric="acc"] canvas').waitFor();
  await page.screenshot({ path: `${SHOTS}compare_across_mlflow_url.png`, fullPage: true });

  // the same address fully URL-encoded, as a copied link carries it
  await page.goto(`${app.site.url}compare-runs?runs=${encodeURIComponent(runs)}&experiments=${encodeURIComponent(exps)}`);
  await page.getByRole("heading", { name: "Comparing 2 runs" }).waitFor();
  await expectRow(page, "Experiment", ["vision", "nlp"]);

  // an MLflow UI link as copied, its host swapped for the site's: MLflow routes by hash
  await page.goto(`${app.site.url}#/compare-runs?runs=${runs}&experiments=${exps}`);
  await page.getByRole("heading", { name: "Comparing 2 runs" }).waitFor();
  await expectRow(page, "Experiment", ["vision", "nlp"]);
  assert.equal(new URL(page.url()).pathname, "/compare-runs");
  assert.equal(new URL(page.url()).hash, "");
  await page.goto(`${app.site.url}#/experiments/${ids.nlp}`);
  await page.getByRole("heading", { name: "nlp", exact: true }).waitFor();

  // Ferroflow's own form keeps working
  await page.goto(`${app.site.url}compare-runs?runs=${ids.c},${ids.b}`);
  await page.getByRole("heading", { name: "Comparing 2 runs" }).waitFor();
  await expectRow(page, "Experiment", ["vision", "nlp"]);
  await expectRow(page, "lr", ["0.5", "0.01"]);

  // an unknown run id is named; the others are still compared
  await page.goto(`${app.site.url}compare-runs?runs=${JSON.stringify([ids.a, "no-such-run", ids.b])}`);
  await page.getByRole("heading", { name: "Comparing 2 runs" }).waitFor();
  const missing = page.locator(".compare-missing");
  await missing.waitFor();
  assert.match(await missing.textContent(), /^No run has the id no-such-run in this browser's store/);
  assert.equal(await page.getByRole("alert").count(), 1);

  // a bad runs= value says what is wrong, and nothing crashes
  await page.goto(`${app.site.url}compare-runs?runs=["${ids.a}"&experiments=["1"]`);
  const bad = page.locator(".compare-url-error");
  await bad.waitFor();
  const badText = await bad.textContent();
  assert.ok(badText.startsWith(`The address's runs= value '["${ids.a}"' could not be read: it is not valid JSON`), badText);
  assert.match(badText, /Expected a JSON list of run ids/);
  await page.getByRole("heading", { name: "Comparing 0 runs" }).waitFor();
  await page.getByText("No runs to compare.").waitFor();
  await page.screenshot({ path: `${SHOTS}compare_across_bad_url.png` });
  await page.goto(`${app.site.url}compare-runs?runs=[cv-a]`);
  await page.locator(".compare-url-error", { hasText: "not valid JSON" }).waitFor();
  assert.deepEqual(page.errors.map(String), []);
});

test("runs page: add a run of another experiment and compare runs of both", async () => {
  const page = await app.open("", { viewport: { width: 1280, height: 900 } });
  const ids = await logTwoExperiments(page);
  await page.goto(`${app.site.url}experiments/${ids.vision}`);
  await page.getByRole("checkbox", { name: "Select run cv-a" }).check();
  await page.getByText("1 run selected").waitFor();

  const open = page.getByRole("button", { name: "Add runs from another experiment…" });
  assert.equal(await open.getAttribute("aria-expanded"), "false");
  await open.click();
  const panel = page.getByRole("group", { name: "Runs from another experiment" });
  await panel.waitFor();
  const go = panel.getByRole("button", { name: /^Compare/ });
  assert.equal(await go.textContent(), "Compare 1 run");
  assert.equal(await go.isDisabled(), true, "one run is not a comparison");
  // only other experiments with runs are offered (not "vision", not the empty Default)
  const choices = await panel.getByLabel("Other experiment").locator("option").allTextContents();
  assert.deepEqual(choices, ["Choose…", "nlp"]);
  await panel.getByLabel("Other experiment").selectOption({ label: "nlp" });
  await panel.getByRole("checkbox", { name: "nlp-b" }).check();
  await panel.getByText("1 run ticked here + 1 from nlp").waitFor();
  assert.equal(await go.textContent(), "Compare 2 runs");
  await page.screenshot({ path: `${SHOTS}compare_across_runs_page.png` });
  await go.click();

  await page.getByRole("heading", { name: "Comparing 2 runs" }).waitFor();
  const url = new URL(page.url());
  assert.equal(url.pathname, "/compare-runs");
  // MLflow's form, so the link also reads as an MLflow user expects
  assert.deepEqual(JSON.parse(url.searchParams.get("runs")), [ids.a, ids.b]);
  assert.deepEqual(JSON.parse(url.searchParams.get("experiments")), [ids.vision, ids.nlp]);
  await expectRow(page, "Experiment", ["vision", "nlp"]);
  await expectRow(page, "acc", ["0.8", "0.6"]);
  await page.screenshot({ path: `${SHOTS}compare_across.png`, fullPage: true });
  // the link survives a reload
  await page.reload();
  await page.getByRole("heading", { name: "Comparing 2 runs" }).waitFor();
  await expectRow(page, "Experiment", ["vision", "nlp"]);
  assert.deepEqual(page.errors.map(String), []);
});
