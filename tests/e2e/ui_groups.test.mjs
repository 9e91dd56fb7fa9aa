// "Group by" on the compare page: a seeded sweep (2 learning rates × 3 seeds) drawn
// as one mean line per learning rate with a band, legends with run counts, the key
// kept in the address, uneven lengths said in the tooltip, and the band's kind.
import { test } from "node:test";
import assert from "node:assert/strict";
import { SHOTS } from "./browser.mjs";
import { useSite } from "./site.mjs";

const app = useSite();

/** lr ∈ {0.01, 0.1} × seed ∈ {0, 1, 2}; loss over 50 steps, seed 2 of each lr stops at 30. */
async function logSweep(page) {
  return page.evaluate(async () => {
    await mlflow.setExperiment("sweep");
    let state = 42;
    const noise = () => {
      state = (state * 1103515245 + 12345) % 2147483648;
      return state / 2147483648;
    };
    const ids = [];
    for (const lr of [0.01, 0.1]) {
      for (const seed of [0, 1, 2]) {
        const run = await mlflow.startRun({ runName: `lr${lr}-s${seed}` });
        await mlflow.logParams({ lr, seed });
        const steps = seed === 2 ? 30 : 50;
        for (let step = 0; step < steps; step++) {
          await mlflow.logMetric("loss", 1 / (1 + lr * 10 * step) + noise() * 0.2, { step });
        }
        await mlflow.endRun();
        ids.push(run.info.runId);
      }
    }
    await mlflow.flush();
    return ids;
  });
}

test("grouped by lr, the compare charts draw one mean and band per learning rate", async () => {
  const page = await app.open("", { viewport: { width: 1280, height: 900 } });
  const ids = await logSweep(page);
  await page.goto(`${app.site.url}compare-runs?runs=${encodeURIComponent(JSON.stringify(ids))}`);
  await page.getByRole("heading", { name: "Comparing 6 runs" }).waitFor();
  const chart = page.locator(".metric-chart", { has: page.locator("figcaption", { hasText: /^loss$/ }) });
  const canvas = chart.locator("canvas");
  await page.waitForFunction(() => Number(document.querySelector(".metric-chart canvas")?.getAttribute("data-points")) === 260);

  await page.getByLabel("Group by").selectOption("params.lr");
  await page.waitForFunction(() => document.querySelector(".metric-chart canvas")?.getAttribute("data-groups") === "2");
  const legend = () => chart.locator(".chart-legend li").allInnerTexts();
  assert.deepEqual(await legend(), ["lr=0.01 · 3 runs", "lr=0.1 · 3 runs"]);
  assert.match(page.url(), /groupBy=params\.lr/);
  assert.equal(await canvas.getAttribute("data-band"), "std");
  assert.ok(Number(await canvas.getAttribute("data-group-ms")) >= 0);

  await page.reload();
  await page.waitForFunction(() => document.querySelector(".metric-chart canvas")?.getAttribute("data-groups") === "2");
  assert.deepEqual(await legend(), ["lr=0.01 · 3 runs", "lr=0.1 · 3 runs"]);
  assert.equal(await page.getByLabel("Group by").inputValue(), "params.lr");

  // past step 30 only two of each group's runs logged: the tooltip says so
  await canvas.evaluate((c) => c.scrollIntoView({ block: "center" }));
  const box = await canvas.boundingBox();
  const at = (step) => box.x + 58 + ((step + 0.5) / 50) * (box.width - 72);
  await page.mouse.move(at(40), box.y + box.height / 2);
  const tip = chart.locator(".chart-tip");
  await tip.waitFor();
  assert.match(await tip.locator(".chart-tip-head").innerText(), /^Step 4\d$/);
  const sub = await tip.locator(".chart-tip-sub").allInnerTexts();
  assert.equal(sub.length, 2, sub.join("|"));
  for (const s of sub) assert.match(s, /^\[.+ – .+\] · 2 of 3 runs$/);
  await page.mouse.move(at(10), box.y + box.height / 2);
  await page.waitForFunction(() => /Step 1\d/.test(document.querySelector(".chart-tip-head")?.textContent ?? ""));
  for (const s of await tip.locator(".chart-tip-sub").allInnerTexts()) assert.doesNotMatch(s, /of 3 runs/);

  // min–max: the y range covers every run's values
  const yRange = async () => (await canvas.getAttribute("data-y-range")).split(" ").map(Number);
  await page.mouse.move(box.x - 10, box.y - 10);
  await chart.getByLabel("Band").selectOption("minmax");
  await page.waitForFunction(() => document.querySelector(".metric-chart canvas")?.getAttribute("data-band") === "minmax");
  const [lo, hi] = await yRange();
  const values = await page.evaluate(async (ids) => {
    const all = [];
    for (const id of ids) all.push(...(await mlflow.getMetricHistory(id, "loss")).map((m) => m.value));
    return all;
  }, ids);
  assert.equal(values.length, 6 * 50 - 2 * 20, "every logged point");
  assert.ok(lo <= Math.min(...values) && hi >= Math.max(...values), `${lo}..${hi} vs ${Math.min(...values)}..${Math.max(...values)}`);
  await page.screenshot({ path: `${SHOTS}chart_groups_minmax.png`, clip: { x: box.x - 20, y: box.y - 60, width: box.width + 40, height: box.height + 110 } });

  // None: back to one line per run
  await page.getByLabel("Group by").selectOption("");
  await page.waitForFunction(() => !document.querySelector(".metric-chart canvas")?.hasAttribute("data-groups"));
  assert.doesNotMatch(page.url(), /groupBy/);
  assert.equal(await chart.getByLabel("Band").count(), 0);
});
