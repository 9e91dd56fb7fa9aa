// Debian's Chromium driven by playwright-core (no browser download).
import { chromium } from "playwright-core";
import fs from "node:fs";

export const SHOTS = new URL("./screenshots/", import.meta.url).pathname;
fs.mkdirSync(SHOTS, { recursive: true });

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--headless", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           "--disable-dev-shm-usage"],
  });
}

/** A fresh page that fails the test on any uncaught page error. */
export async function newPage(browser, opts = {}) {
  const context = await browser.newContext(opts);
  const page = await context.newPage();
  page.errors = [];
  page.on("pageerror", (e) => page.errors.push(e));
  // A deep link is answered by 404.html with status 404, as GitHub Pages does, and
  // Chromium logs that document's status as a console error: that one is expected.
  // Any other failed load (a script, a stylesheet, the favicon) is an error.
  const documents = new Set();
  page.on("request", (r) => { if (r.resourceType() === "document") documents.add(r.url()); });
  page.on("console", (m) => {
    if (m.type() !== "error") return;
    const { url } = m.location();
    if (!/^Failed to load resource/.test(m.text())) return page.errors.push(new Error(m.text()));
    if (!(/404/.test(m.text()) && documents.has(url))) page.errors.push(new Error(`${m.text()}: ${url}`));
  });
  page.on("response", (r) => {
    if (r.status() >= 400 && r.request().resourceType() !== "document") page.errors.push(new Error(`${r.status()} ${r.url()}`));
  });
  return page;
}

/** Waits for window.mlflow (the site's boot module sets it once the store is open). */
export async function waitForMlflow(page) {
  await page.waitForFunction(() => window.mlflow !== undefined, null, { timeout: 30_000 });
}

/**
 * Resolves once `check()` (node-side, may be async) is truthy, re-checking every 50 ms;
 * fails after `timeout` ms. For conditions no event announces (a commit seen from
 * another tab, an image that failed to load): never a fixed sleep.
 */
export async function until(check, { timeout = 10_000 } = {}) {
  const deadline = Date.now() + timeout;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeout} ms: ${check}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Saves the runs page's current view as a user does — "Save view", the name typed,
 * Enter — and waits for its link in the "Saved views" list (listed under the name as
 * saved: trimmed). Returns the list and the link.
 */
export async function saveView(page, name) {
  const views = page.getByRole("group", { name: "Saved views" });
  await views.getByRole("button", { name: "Save view" }).click();
  const box = views.getByRole("textbox", { name: "View name" });
  await box.fill(name);
  await box.press("Enter");
  const link = views.getByRole("link", { name: name.trim(), exact: true });
  await link.waitFor();
  return { views, link };
}

/**
 * Defines `window.startRunLater(options)` in the page: `mlflow.startRun`, each run
 * started in a later millisecond than the one before (waiting for the clock to pass
 * it). Tables list newest first and break start-time ties on the random run id, as
 * MLflow does, so only distinct start times give the order a test expects. Again
 * after a reload.
 */
export async function defineStartRunLater(page) {
  await page.evaluate(() => {
    let last = -Infinity;
    window.startRunLater = async (options) => {
      while (Date.now() <= last) await new Promise((r) => setTimeout(r, 1));
      const run = await mlflow.startRun(options);
      last = run.info.startTime;
      return run;
    };
  });
}
