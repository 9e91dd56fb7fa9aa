// The walking skeleton as a user walks it: log a run from the page's console API,
// reload, and find it through the API and on screen — at the root and under a sub-path.
import { test } from "node:test";
import assert from "node:assert/strict";
import { until, waitForMlflow, SHOTS } from "./browser.mjs";
import { useSite } from "./site.mjs";

const app = useSite();

async function logAndFind(root, prefix) {
  const site = await app.serve(root, prefix);
  const page = await app.open(site.url);
  const runId = await page.evaluate(async () => {
    const exp = await mlflow.setExperiment("skeleton");
    const run = await mlflow.startRun({ runName: "first-run" });
    await mlflow.logParams({ lr: 0.01, optimizer: "adam" });
    for (let step = 0; step < 100; step++) mlflow.logMetric("loss", 1 / (step + 1), { step });
    await mlflow.endRun();
    return run.info.runId;
  });
  assert.match(runId, /^[0-9a-f]{32}$/);

  await page.reload();
  await waitForMlflow(page);
  const found = await page.evaluate(async (id) => {
    const run = await mlflow.getRun(id);
    const hist = await mlflow.getMetricHistory(id, "loss");
    return { run, n: hist.length, last: hist[99] };
  }, runId);
  assert.equal(found.run.info.runName, "first-run");
  assert.equal(found.run.info.status, "FINISHED");
  assert.deepEqual(found.run.data.params, { lr: "0.01", optimizer: "adam" });
  assert.equal(found.run.data.metrics.loss, 0.01);
  assert.equal(found.n, 100);
  assert.equal(found.last.step, 99);

  // on screen: the experiment in the list, then its runs page
  await page.getByRole("link", { name: "skeleton" }).click();
  await page.getByText("first-run").waitFor();
  const expId = found.run.info.experimentId;
  assert.equal(new URL(page.url()).pathname, `${prefix}experiments/${expId}`);

  // a deep link survives a reload (404.html fallback + router base)
  await page.reload();
  await page.getByText("first-run").waitFor();
  assert.ok(await page.getByRole("cell", { name: "FINISHED" }).isVisible());
  await page.screenshot({ path: `${SHOTS}skeleton${prefix.replaceAll("/", "_")}runs.png`, fullPage: true });
  assert.deepEqual(page.errors.map(String), []);
}

test("log a run at the site root, reload, find it", async () => {
  await logAndFind(process.env.DIST, "/");
});

test("the same under a sub-path build, deep link reloaded", async () => {
  await logAndFind(process.env.SUB_DIST, process.env.SUB_URL ?? "/ferroflow/");
});

// Chromium fetches a page's icon itself, outside the page's request events, so the
// server's log is the witness. A missing icon made every page load log a 404.
test("the favicon loads at the root and under a sub-path, and nothing asks for /favicon.ico", async () => {
  const sites = [[process.env.DIST, "/"], [process.env.SUB_DIST, process.env.SUB_URL ?? "/ferroflow/"]];
  for (const [root, prefix] of sites) {
    const site = await app.serve(root, prefix);
    const page = await app.open(site.url);
    const href = await page.locator('link[rel="icon"]').evaluate((l) => l.href);
    assert.equal(href, `${site.url}favicon.svg`);
    const icon = `${prefix}favicon.svg`;
    await until(() => site.requests.some((r) => r.path === icon));
    const statuses = site.requests.filter((r) => /favicon/.test(r.path)).map((r) => `${r.status} ${r.path}`);
    assert.deepEqual([...new Set(statuses)], [`200 ${icon}`], statuses.join(", "));
    assert.deepEqual(page.errors.map(String), []);
  }
});
