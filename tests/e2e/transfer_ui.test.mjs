// Moving stores through the UI: import by file picker and by drag-and-drop with a
// summary, export buttons that download mlruns-<name>.zip, and ?bundle=<url> links.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import { SHOTS } from "./browser.mjs";
import { useSite } from "./site.mjs";

const FIXTURES = new URL("../fixtures/", import.meta.url).pathname;
const basic = JSON.parse(fs.readFileSync(`${FIXTURES}basic.json`, "utf8"));
const [expId, exp] = Object.entries(basic.experiments).find(([, e]) => e.name !== "Default" && Object.keys(e.runs).length);
const runName = Object.values(exp.runs)[0].info.run_name;

const bundle = { type: "application/zip", body: fs.readFileSync(`${FIXTURES}basic.zip`) };
const app = useSite({ routes: { "/bundles/basic.zip": bundle } });
const open = (path = "") => app.open(path, { acceptDownloads: true });

test("import with the file picker shows a summary and the experiments", async () => {
  const page = await open();
  await page.locator('input[type="file"]').setInputFiles(`${FIXTURES}basic.zip`);
  await page.getByRole("status").filter({ hasText: "Imported" }).waitFor();
  const text = await page.getByRole("status").filter({ hasText: "Imported" }).innerText();
  assert.match(text, /Imported \d+ experiments, 5 runs/);
  await page.getByRole("link", { name: exp.name }).waitFor();
  await page.screenshot({ path: `${SHOTS}import-summary.png`, fullPage: true });
  assert.deepEqual(page.errors.map(String), []);
});

test("a broken archive dropped on the page shows an error naming the problem", async () => {
  const page = await open();
  await page.evaluate(() => {
    const dt = new DataTransfer();
    dt.items.add(new File(["not a zip at all"], "broken.zip", { type: "application/zip" }));
    const zone = document.querySelector(".import-zone");
    zone.dispatchEvent(new DragEvent("drop", { dataTransfer: dt, bubbles: true, cancelable: true }));
  });
  const alert = page.getByRole("alert");
  await alert.waitFor();
  assert.match(await alert.innerText(), /not a zip, tar or tar\.gz/i);
});

test("Export all downloads an mlruns zip", async () => {
  const page = await open();
  await page.evaluate(async () => { await mlflow.startRun({ runName: "to-export" }); await mlflow.endRun(); });
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Export all" }).click()]);
  assert.equal(download.suggestedFilename(), "mlruns-all.zip");
  const file = await download.path();
  const head = fs.readFileSync(file).subarray(0, 2).toString();
  assert.equal(head, "PK");
});

test("one experiment and the selected runs export from the runs page", async (t) => {
  const page = await open();
  await page.evaluate(async () => mlflow.importArchive(await (await fetch("/bundles/basic.zip")).blob()));
  await page.goto(`${app.site.url}experiments/${expId}`);
  await page.getByText(runName).first().waitFor();
  const [whole] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Export experiment" }).click()]);
  assert.equal(whole.suggestedFilename(), `mlruns-${exp.name}.zip`);
  await page.getByRole("checkbox", { name: `Select run ${runName}` }).check();
  const [part] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Export selected" }).click()]);
  assert.equal(part.suggestedFilename(), `mlruns-${exp.name}-selected.zip`);
  const PY = process.env.ORACLE_PYTHON;
  if (!PY) return t.skip("ORACLE_PYTHON not set");
  const { spawnSync } = await import("node:child_process");
  const dump = (file) => JSON.parse(spawnSync(PY, [new URL("../oracle/oracle.py", import.meta.url).pathname, "dump", "--strict", file], { encoding: "utf8" }).stdout);
  const wholeDump = dump(await whole.path());
  assert.deepEqual(Object.keys(wholeDump.experiments[expId].runs).sort(), Object.keys(exp.runs).sort());
  const partDump = dump(await part.path());
  const runs = Object.values(partDump.experiments[expId].runs).map((r) => r.info.run_name);
  assert.deepEqual(runs, [runName]);
});

test("?bundle=<url> asks, imports and opens the bundle's experiment", async () => {
  const page = await open(`?bundle=${encodeURIComponent(`${app.site.origin}/bundles/basic.zip`)}`);
  const dialog = page.getByRole("dialog", { name: "Import shared bundle" });
  await dialog.waitFor();
  assert.match(await dialog.innerText(), /bundles\/basic\.zip/);
  await page.screenshot({ path: `${SHOTS}bundle-confirm.png` });
  await dialog.getByRole("button", { name: "Import bundle" }).click();
  await page.waitForURL(new RegExp(`/experiments/${expId}$`));
  await page.getByText(runName).first().waitFor();
  assert.deepEqual(page.errors.map(String), []);
});

test("?bundle= links open the experiment under a sub-path too (regression: base added twice)", async () => {
  const prefix = process.env.SUB_URL ?? "/ferroflow/";
  const sub = await app.serve(process.env.SUB_DIST, prefix);
  sub.routes.set("/bundles/basic.zip", bundle);
  const page = await open(`${sub.url}?bundle=${encodeURIComponent(`${sub.origin}/bundles/basic.zip`)}`);
  await page.getByRole("button", { name: "Import bundle" }).click();
  await page.waitForURL(new RegExp(`^${sub.origin}${prefix}experiments/${expId}$`));
  await page.getByText(runName).first().waitFor();
});

test("a bundle that cannot be fetched says so and imports nothing", async () => {
  const page = await open(`?bundle=${encodeURIComponent(`${app.site.origin}/bundles/missing.zip`)}`);
  await page.getByRole("button", { name: "Import bundle" }).click();
  const alert = page.getByRole("alert");
  await alert.waitFor();
  assert.match(await alert.innerText(), /404/);
});
