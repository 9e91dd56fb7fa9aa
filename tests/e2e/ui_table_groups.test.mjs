// "Group by" in the runs table, as a researcher uses it on a seeded sweep (2 learning
// rates × 3 seeds): one row per learning rate with its run count and metric means,
// opening to its runs; the group's checkbox ticks its runs; the CSV has the groups
// with exact means; the grouping lives in the URL and in a saved view across reloads.
import { test } from "node:test";
import assert from "node:assert/strict";
import { SHOTS, defineStartRunLater, saveView, until } from "./browser.mjs";
import { download, pyFloat, sameF64 } from "./csv.mjs";
import { useSite } from "./site.mjs";

const app = useSite();

const LRS = ["0.01", "0.1"];
const SEEDS = [0, 1, 2];
/** A final loss that rounds differently depending on the order it is summed in. */
const loss = (lr, seed) => Number(lr) * 3 + 0.1 * (seed + 1) + 1e-17 * seed;

/** Logs the sweep, lr 0.01's runs first, each run in a later millisecond. */
async function logSeeds(page) {
  await defineStartRunLater(page);
  return page.evaluate(async ({ lrs, seeds, losses }) => {
    const exp = await mlflow.setExperiment("seeds");
    const ids = {};
    for (const lr of lrs) {
      for (const seed of seeds) {
        const run = await window.startRunLater({ runName: `lr${lr}-s${seed}` });
        ids[`${lr}/${seed}`] = run.info.runId;
        await mlflow.logParams({ lr, seed, optimizer: "adam" });
        await mlflow.logMetric("loss", losses[`${lr}/${seed}`]);
        // One run's accuracy diverged: the group's mean leaves it out and says so.
        await mlflow.logMetric("acc", lr === "0.1" && seed === 1 ? NaN : 0.5 + seed / 10);
        await mlflow.endRun();
      }
    }
    await mlflow.flush();
    return { expId: exp.experimentId, ids };
  }, {
    lrs: LRS,
    seeds: SEEDS,
    losses: Object.fromEntries(LRS.flatMap((lr) => SEEDS.map((s) => [`${lr}/${s}`, loss(lr, s)]))),
  });
}

/** The rendered rows top to bottom: a group as `[label, count]`, a run by its name. */
async function shownRows(page) {
  return page.$$eval(".runs-row", (rows) =>
    rows
      .sort((a, b) => parseFloat(a.style.top) - parseFloat(b.style.top))
      .map((r) => r.classList.contains("group-row")
        ? `${r.querySelector(".group-label").textContent} (${r.querySelector(".group-count").textContent})`
        : r.querySelector(".cell.name a")?.textContent));
}

async function waitForShown(page, want) {
  await until(async () => JSON.stringify(await shownRows(page)) === JSON.stringify(want)).catch(async (e) => {
    assert.deepEqual(await shownRows(page), want);
    throw e;
  });
}

test("group by: a seeded sweep collapses to one row per learning rate with means, opens, selects, downloads and is kept in a saved view", async () => {
  const page = await app.open("", { viewport: { width: 1400, height: 900 } });
  const { expId } = await logSeeds(page);
  await page.goto(`${app.site.url}experiments/${expId}?columns=metrics.loss&columns=metrics.acc&columns=params.seed`);
  await page.locator(".runs-row").first().waitFor();

  // The control lists params, then user tags; choosing lr groups (newest group first).
  const select = page.getByRole("combobox", { name: "Group by" });
  assert.deepEqual(await select.locator("option").allTextContents(), ["None", "lr", "optimizer", "seed"]);
  await select.selectOption("params.lr");
  await waitForShown(page, ["lr=0.1 (3 runs)", "lr=0.01 (3 runs)"]);
  assert.equal(new URL(page.url()).searchParams.get("groupBy"), "params.lr");

  // A group's row: the loss mean, acc's mean without the NaN "(2 of 3)", seed "3 values",
  // the shared optimizer is not a column here, the empty Created/Status cells stay empty.
  const row = (label) => page.locator(".group-row", { has: page.locator(".group-label", { hasText: label }) });
  const cells = async (label) => row(label).locator(".cell").allTextContents();
  const lr01 = await cells("lr=0.1");
  assert.ok(lr01.includes("3 values"), `seed column: ${lr01}`);
  assert.ok(lr01.some((c) => / \(2 of 3\)$/.test(c)), `acc mean leaves out the NaN: ${lr01}`);
  assert.ok((await cells("lr=0.01")).some((c) => c === "0.6"), "acc mean of 0.5, 0.6, 0.7");

  // Open lr=0.1: its runs follow its row, newest first; the URL keeps it open.
  await page.getByRole("button", { name: "Show the 3 runs of lr=0.1" }).click();
  await waitForShown(page, ["lr=0.1 (3 runs)", "lr0.1-s2", "lr0.1-s1", "lr0.1-s0", "lr=0.01 (3 runs)"]);
  assert.deepEqual(new URL(page.url()).searchParams.getAll("group"), ["v:0.1"]);

  // The group's checkbox ticks its three runs; Compare takes them.
  await page.getByRole("checkbox", { name: "Select the 3 runs of lr=0.01" }).check();
  await page.locator(".selection-bar", { hasText: "3 runs selected" }).waitFor();
  assert.equal(await page.getByRole("checkbox", { name: "Select all shown runs" }).evaluate((el) => el.indeterminate), true);

  // CSV: what is shown, groups with exact means (summed in table order, newest first).
  const { rows } = await download(page, page.getByRole("button", { name: "CSV of the runs table", exact: true }));
  const [head, ...body] = rows;
  assert.deepEqual(head.slice(0, 4), ["Group", "Runs", "Run name", "Run ID"]);
  const col = (name) => head.indexOf(name);
  assert.deepEqual(body.map((r) => [r[0], r[1], r[col("Run name")]]), [
    ["lr=0.1", "3", ""],
    ["lr=0.1", "", "lr0.1-s2"],
    ["lr=0.1", "", "lr0.1-s1"],
    ["lr=0.1", "", "lr0.1-s0"],
    ["lr=0.01", "3", ""],
  ]);
  for (const [i, lr] of [[0, "0.1"], [4, "0.01"]]) {
    const sum = [2, 1, 0].reduce((s, seed) => s + loss(lr, seed), 0);
    sameF64(pyFloat(body[i][col("metrics.loss")]), sum / 3, `mean loss of lr=${lr}`);
    assert.equal(body[i][col("params.seed")], "", "seeds differ: no single value");
  }
  sameF64(pyFloat(body[0][col("metrics.acc")]), (0.7 + 0.5) / 2, "acc mean without the NaN");
  sameF64(pyFloat(body[1][col("metrics.loss")]), loss("0.1", 2), "a run's own loss");
  await page.screenshot({ path: `${SHOTS}ui_table_groups.png` });

  // Saved as a view, the grouping (and the open group) comes back after a reload.
  const { views } = await saveView(page, "by lr");
  await page.goto(`${app.site.url}experiments/${expId}`);
  await page.locator(".runs-row").first().waitFor();
  assert.equal(await page.locator(".group-row").count(), 0, "the plain table is not grouped");
  await page.reload();
  await views.getByRole("link", { name: "by lr" }).click();
  await waitForShown(page, ["lr=0.1 (3 runs)", "lr0.1-s2", "lr0.1-s1", "lr0.1-s0", "lr=0.01 (3 runs)"]);
  assert.equal(await select.inputValue(), "params.lr");

  // None ungroups.
  await select.selectOption("");
  await waitForShown(page, ["lr0.1-s2", "lr0.1-s1", "lr0.1-s0", "lr0.01-s2", "lr0.01-s1", "lr0.01-s0"]);
  assert.equal(new URL(page.url()).searchParams.get("groupBy"), null);
  assert.deepEqual(page.errors.map(String), []);
});
