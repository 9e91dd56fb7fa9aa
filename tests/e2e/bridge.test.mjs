// The notebook → site bridge as a user works it: a notebook page on one origin
// imports mlflow.js from the Ferroflow site on another, clicks Connect, the site asks
// "Allow <origin> to write to your Ferroflow?", and after Allow everything the notebook
// logged (and logs from then on) is stored in the site's own IndexedDB, ids kept,
// nothing duplicated on a reconnect. A Deny and a forged message change nothing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { until, waitForMlflow } from "./browser.mjs";
import { useSite } from "./site.mjs";

const app = useSite();

/** A notebook on another origin, with a Connect button (a user gesture). */
async function notebook(context) {
  const other = await app.serve(process.env.DIST, "/unused/");
  const site = app.site.url;
  other.routes.set("/notebook.html", {
    type: "text/html",
    body: `<!doctype html><title>notebook</title><link rel="icon" href="data:,">
      <button id="connect">Connect to Ferroflow</button>
      <script type="module">
        window.mlflow = await import(${JSON.stringify(site + "mlflow.js")});
        document.getElementById("connect").onclick = () => {
          window.connecting = mlflow.connect({ site: ${JSON.stringify(site)} }).then((c) => c, (e) => ({ error: e.code, message: e.message }));
        };
      </script>`,
  });
  const page = context ? await context.newPage() : await app.page();
  await page.goto(`${other.origin}/notebook.html`);
  await waitForMlflow(page);
  return { page, origin: other.origin };
}

/** Clicks Connect and returns the site tab it opened. */
async function clickConnect(page) {
  const [tab] = await Promise.all([page.context().waitForEvent("page"), page.click("#connect")]);
  await tab.waitForLoadState();
  await waitForMlflow(tab);
  return tab;
}

const siteRuns = (tab) => tab.evaluate(async () => (await mlflow.searchRuns()).map((r) => r.info.runId).sort());

test("Connect → Allow: the notebook's runs, before and after, land in the site's store; a reconnect duplicates nothing", async () => {
  const { page, origin } = await notebook();
  const before = await page.evaluate(async () => {
    await mlflow.setExperiment("nb");
    const run = await mlflow.startRun({ runName: "before-connect" });
    for (let i = 0; i < 100; i++) mlflow.logMetric("loss", 1 / (i + 1), { step: i });
    await mlflow.logText("hello", "notes.txt");
    await mlflow.endRun();
    return run.info.runId;
  });
  const tab = await clickConnect(page);
  const prompt = tab.getByRole("alertdialog");
  await prompt.waitFor();
  assert.match(await prompt.textContent(), new RegExp(`Allow ${origin.replace(/[.:/]/g, "\\$&")} to write to your Ferroflow\\?`));
  await prompt.getByRole("button", { name: "Allow" }).click();
  const connected = await page.evaluate(() => window.connecting);
  assert.equal(connected.site, app.site.url, JSON.stringify(connected));
  // replayed: the run logged before connecting, with its points and artifact
  await until(async () => (await siteRuns(tab)).includes(before));
  const got = await tab.evaluate(async (id) => ({
    hist: (await mlflow.getMetricHistory(id, "loss")).length,
    text: await (await mlflow.downloadArtifact(id, "notes.txt")).text(),
    exp: (await mlflow.getRun(id)).info.experimentId,
  }), before);
  assert.deepEqual({ hist: got.hist, text: got.text }, { hist: 100, text: "hello" });
  // logged after connecting: on the site within a second or so, while it logs
  const after = await page.evaluate(async () => {
    const run = await mlflow.startRun({ runName: "after-connect" });
    mlflow.logMetric("acc", 0.9111111111111111);
    return run.info.runId;
  });
  await until(async () => (await siteRuns(tab)).includes(after), { timeout: 5_000 });
  await page.evaluate(() => mlflow.endRun());
  await until(() => tab.evaluate(async (id) => (await mlflow.getRun(id)).info.status === "FINISHED", after));
  const acc = await tab.evaluate(async (id) => (await mlflow.getRun(id)).data.metrics.acc, after);
  assert.ok(Object.is(acc, 0.9111111111111111), "bit for bit");
  // the site lists the connection as receiving
  await tab.goto(`${app.site.url}connections`);
  const row = tab.locator(`tr[data-origin="${origin}"]`);
  await row.waitFor();
  // close the site tab, log more, connect again: replay, no prompt, nothing twice
  await tab.close();
  const third = await page.evaluate(async () => {
    const run = await mlflow.startRun({ runName: "while-closed" });
    mlflow.logMetric("loss", 0.5);
    await mlflow.endRun();
    return run.info.runId;
  });
  const tab2 = await clickConnect(page);
  assert.equal((await page.evaluate(() => window.connecting)).origin, new URL(app.site.url).origin, "allowed without asking again");
  await until(async () => (await siteRuns(tab2)).includes(third));
  const counts = await tab2.evaluate(async (ids) => {
    const runs = await mlflow.searchRuns();
    return { runs: runs.length, points: (await mlflow.getMetricHistory(ids[0], "loss")).length };
  }, [before]);
  assert.deepEqual(counts, { runs: 3, points: 100 }, "replayed twice, stored once");
  // and it is the site's own data: a fresh tab of the site (no bridge) sees it
  const fresh = await tab2.context().newPage();
  await fresh.goto(app.site.url);
  await waitForMlflow(fresh);
  assert.deepEqual(await siteRuns(fresh), [after, before, third].sort());
});

/** The notebook opens the site's Connections page itself and waits until it says it is ready. */
async function openSiteRaw(page) {
  const [tab] = await Promise.all([
    page.context().waitForEvent("page"),
    page.evaluate((site) => new Promise((ok) => {
      window.siteWin = window.open(site + "connections#connect", "_blank");
      addEventListener("message", (ev) => { if (ev.data?.type === "ferroflow-site-ready") ok(true); });
    }), app.site.url),
  ]);
  await waitForMlflow(tab);
  return tab;
}

const post = (page, msg) => page.evaluate(({ origin, msg }) => window.siteWin.postMessage(msg, origin), { origin: app.site.origin, msg });

const forgedRun = JSON.stringify({ runs: [{ run: { info: { run_id: "0123456789abcdef0123456789abcdef", run_name: "forged",
  experiment_id: "0", status: "FINISHED", start_time: 1, end_time: 2, lifecycle_stage: "active", artifact_uri: "x", user_id: "x" },
  params: {}, tags: {}, metrics: {} } }] });

const ignoredOn = async (tab) => Number((await tab.locator(".connections .ignored").textContent()).match(/(\d+)$/)[1]);

test("Deny refuses the connection; a forged or malformed message is ignored and counted, never applied", async () => {
  const a = await notebook();
  await a.page.evaluate(async () => { await mlflow.startRun({ runName: "private" }); await mlflow.endRun(); });
  const tab = await clickConnect(a.page);
  await tab.getByRole("alertdialog").getByRole("button", { name: "Deny" }).click();
  const r = await a.page.evaluate(() => window.connecting);
  assert.equal(r.error, "PERMISSION_DENIED", JSON.stringify(r));
  assert.deepEqual(await siteRuns(tab), [], "nothing from a denied origin");

  // the denied origin posts a well-formed mirror message at a site tab it opened
  const raw = await openSiteRaw(a.page);
  await post(a.page, { type: "ferroflow-mirror", seq: 1, json: forgedRun, parts: [] });
  await until(async () => (await ignoredOn(raw)) === 1);

  // an allowed origin sends malformed ones: broken JSON, a path escaping the artifacts
  const b = await notebook(a.page.context());
  const tabB = await clickConnect(b.page);
  await tabB.getByRole("alertdialog").getByRole("button", { name: "Allow" }).click();
  assert.ok((await b.page.evaluate(() => window.connecting)).origin);
  const rawB = await openSiteRaw(b.page);
  await post(b.page, { type: "ferroflow-mirror", seq: 7, json: "{broken", parts: [] });
  await post(b.page, { type: "ferroflow-mirror", seq: 8, parts: [new Uint8Array([1])],
    json: JSON.stringify({ files: [{ owner: "0123456789abcdef0123456789abcdef", path: "../escape", part: 0 }] }) });
  await until(async () => (await ignoredOn(rawB)) === 2);
  const runs = await siteRuns(rawB);
  assert.ok(!runs.includes("0123456789abcdef0123456789abcdef"), "the forged run was never applied");
  assert.deepEqual(runs, [], "the allowed origin had nothing of its own to send");
});
