// The run page as a user sees it: a run logged through window.mlflow (params, 200
// steps of metrics with a NaN and an Infinity, tags, a Markdown description with
// script payloads, a child run, artifacts of every preview kind) is opened, read,
// edited and reloaded — and no payload ever runs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { SHOTS, until } from "./browser.mjs";
import { useSite } from "./site.mjs";

const app = useSite();

const DESCRIPTION = [
  "# Notes",
  "",
  "**Bold** claim <script>window.__xss = 1</script> and <img src=x onerror=\"window.__xss=1\">.",
  "",
  "[x](javascript:alert(1)) · [ent](&#106;avascript:alert(1)) · [docs](https://mlflow.org/docs)",
].join("\n");

const HTML_ARTIFACT =
  "<h1>Hello from HTML</h1><script>parent.__xss=1</script><img src=x onerror=\"parent.__xss=1\">";

/** Logs the fixture run; returns ids. Runs in the page. */
async function logFixture(page, { description, html }) {
  return page.evaluate(async ({ description, html }) => {
    const exp = await mlflow.setExperiment("run page");
    const run = await mlflow.startRun({ runName: "parent-run", description });
    await mlflow.logParams({ lr: 0.01, optimizer: "adam", html_param: "<img src=x onerror=window.__xss=1>" });
    for (let step = 0; step < 200; step++) {
      mlflow.logMetric("loss", 1 / (step + 1), { step });
      const acc = step === 50 ? NaN : step === 100 ? Infinity : step / 200;
      mlflow.logMetric("accuracy", acc, { step });
    }
    await mlflow.setTags({ team: "vision", stage: "dev" });

    const canvas = document.createElement("canvas");
    canvas.width = 64; canvas.height = 48;
    const g = canvas.getContext("2d");
    g.fillStyle = "#2f7ed8"; g.fillRect(0, 0, 64, 48);
    g.fillStyle = "#e8710a"; g.fillRect(16, 12, 32, 24);
    await mlflow.logImage(canvas, "images/plot.png");
    await mlflow.logArtifact("images/diagram.svg",
      '<svg xmlns="http://www.w3.org/2000/svg" width="80" height="40" onload="parent.__xss=1">' +
      '<script>parent.__xss=1</script><rect width="80" height="40" fill="#1a9e77"/></svg>');
    await mlflow.logText("hello\nworld <script>window.__xss=1</script>", "notes/readme.txt");
    await mlflow.logText("epoch 1 loss 0.5\nepoch 2 loss 0.25\n", "train.log");
    await mlflow.logText("model:\n  layers: 3\n", "conf.yaml");
    await mlflow.logArtifact("metrics.json", '{"zeta":1,"alpha":{"list":[1,2.50,{"x":"<b>"}],"empty":{}}}');
    await mlflow.logText('name,score\nalpha,1\n"b,eta",2\n"say ""hi""",3\n', "table.csv");
    await mlflow.logText("# Report\n\n<script>parent.__xss=1</script>\n\n[bad](javascript:alert(1)) [good](https://example.com/r)", "report.md");
    await mlflow.logText(html, "page.html");
    await mlflow.logText("deep", "a/b/c/deep.txt");

    const child = await mlflow.startRun({ runName: "child-run", nested: true });
    mlflow.logMetric("child_metric", 1, { step: 0 });
    await mlflow.endRun();
    await mlflow.endRun();
    await mlflow.flush();
    return { expId: exp.experimentId, runId: run.info.runId, childId: child.info.runId };
  }, { description, html });
}

/** Errors the fixture provokes on purpose and the browser reports: the HTML
 * artifact's `<img src=x>` 404s inside the sandbox (a response and a console line), and
 * the sandbox refuses its script. */
function unexpected(errors) {
  return errors.map(String).filter((e) =>
    !/404\b.*http:\/\/127\.0\.0\.1:\d+\/x$/.test(e) &&
    !/Blocked script execution in 'about:srcdoc'/.test(e));
}

async function openRun(page, ids) {
  await page.goto(`${app.site.url}experiments/${ids.expId}/runs/${ids.runId}`);
  await page.locator(".run-title h1").getByText("parent-run").waitFor();
}

/** A screenshot of the whole page in one viewport (so the sticky header stays on top). */
async function fullShot(page, name) {
  const size = page.viewportSize();
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  await page.setViewportSize({ width: size.width, height });
  await page.evaluate(() => new Promise(requestAnimationFrame));
  await page.screenshot({ path: `${SHOTS}${name}` });
  await page.setViewportSize(size);
}

const field = (page, name) => page.locator(`[data-field="${name}"] dd`);

test("the run page shows, edits and previews a run, and runs no payload", async () => {
  const page = await app.open();
  const ids = await logFixture(page, { description: DESCRIPTION, html: HTML_ARTIFACT });
  await openRun(page, ids);

  // Overview
  assert.equal(await field(page, "run-id").innerText(), ids.runId);
  assert.equal(await field(page, "status").innerText(), "FINISHED");
  assert.equal(await field(page, "experiment").innerText(), "run page");
  assert.match(await field(page, "start").innerText(), /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
  assert.match(await field(page, "end").innerText(), /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
  assert.match(await field(page, "duration").innerText(), /\d+(\.\d)? (ms|s)$/);
  assert.match(await field(page, "source").innerText(), /127\.0\.0\.1.*\(LOCAL\)/);
  assert.equal(await field(page, "parent").innerText(), "—");
  const childLink = field(page, "children").getByRole("link", { name: "child-run" });
  assert.equal(await childLink.getAttribute("href"), `/experiments/${ids.expId}/runs/${ids.childId}`);

  // Params and latest metrics, payloads as text
  const params = page.locator(".run-params");
  assert.equal(await params.locator("tr", { hasText: "optimizer" }).locator("td.value").innerText(), "adam");
  assert.equal(await params.locator("tr", { hasText: "lr" }).locator("td.value").innerText(), "0.01");
      assert.equal(await params.locator("td.value", { hasText: "<img src=x onerror=window.__xss=1>" }).count(), 1);
  const metrics = page.locator(".run-metrics");
  assert.equal(await metrics.locator("tr", { hasText: "loss" }).locator("td.num").first().innerText(), "0.005");
  assert.equal(await metrics.locator("tr", { hasText: "accuracy" }).locator("td.num").nth(1).innerText(), "199");

  // Description: Markdown rendered, raw HTML and javascript: links neutralised
  const md = page.locator(".run-description .markdown");
  assert.equal(await md.locator("h1").innerText(), "Notes");
  assert.equal(await md.locator("strong").innerText(), "Bold");
  assert.equal(await md.locator("script, img").count(), 0);
  assert.match(await md.innerText(), /<script>window.__xss = 1<\/script>/);
  assert.equal(await md.locator("a").count(), 1);
  assert.equal(await md.getByRole("link", { name: "docs" }).getAttribute("href"), "https://mlflow.org/docs");
  assert.match(await md.innerText(), /x · ent · docs/);

  // A chart per metric, drawn
  for (const key of ["loss", "accuracy"]) {
    const canvas = page.locator(`.chart-cell[data-metric="${key}"] canvas`);
    await canvas.and(page.locator("[data-points='200']")).waitFor();
    assert.ok(Number(await canvas.getAttribute("data-drawn-points")) > 0);
    assert.ok(Number(await canvas.getAttribute("data-draw-ms")) >= 0);
  }

  // Artifacts: the tree, previews of every kind, downloads
  const tree = page.locator(".artifact-tree");
  const row = (path) => tree.locator(`li[data-path="${path}"]`);
  // Opens a directory, or selects a file and waits for its preview to load.
  const open = async (path) => {
    await row(path).locator(".artifact-name").click();
    if (await row(path).getAttribute("aria-expanded") === null) {
      await page.locator(`.artifact-preview[data-path="${path}"] a.download`).waitFor();
    }
  };
  const preview = page.locator(".artifact-preview");
  for (const dir of ["a", "images", "notes"]) assert.equal(await row(dir).getAttribute("aria-expanded"), "false");
  assert.equal(await row("images/plot.png").count(), 0);

  await open("images");
  await open("images/plot.png");
  const img = preview.locator("img.artifact-image");
  await page.waitForFunction(() => document.querySelector(".artifact-preview img")?.naturalWidth === 64);
  assert.match(await img.getAttribute("src"), /^blob:/);
  const dl = preview.locator("a.download");
  assert.match(await dl.getAttribute("href"), /^blob:/);
  assert.equal(await dl.getAttribute("download"), "plot.png");
  const artifacts = page.locator(".run-artifacts");
  await artifacts.screenshot({ path: `${SHOTS}run_artifact_image.png` });

  await open("images/diagram.svg");
  await page.waitForFunction(() => {
    const i = document.querySelector('.artifact-preview[data-path="images/diagram.svg"] img');
    return i && i.complete && i.naturalWidth === 80;
  });

  await open("notes");
  await open("notes/readme.txt");
  assert.equal(await preview.locator("pre").innerText(), "hello\nworld <script>window.__xss=1</script>");
  await open("train.log");
  assert.match(await preview.locator("pre").innerText(), /epoch 2 loss 0\.25/);
  await open("conf.yaml");
  assert.match(await preview.locator("pre").innerText(), /layers: 3/);

  await open("metrics.json");
  assert.equal(await preview.locator("pre.json").innerText(),
    '{\n  "zeta": 1,\n  "alpha": {\n    "list": [\n      1,\n      2.50,\n      {\n        "x": "<b>"\n      }\n    ],\n    "empty": {}\n  }\n}');

  await open("table.csv");
  const table = preview.locator("table.artifact-table");
  assert.deepEqual(await table.locator("th").allInnerTexts(), ["name", "score"]);
  assert.deepEqual(await table.locator("tbody td:first-child").allInnerTexts(), ["alpha", "b,eta", 'say "hi"']);
  await artifacts.screenshot({ path: `${SHOTS}run_artifact_csv.png` });

  await open("report.md");
  const report = preview.locator(".markdown");
  assert.equal(await report.locator("h1").innerText(), "Report");
  assert.equal(await report.locator("script").count(), 0);
  assert.deepEqual(await report.locator("a").evaluateAll((as) => as.map((a) => a.getAttribute("href"))), ["https://example.com/r"]);

  await open("page.html");
  const frame = preview.locator("iframe.artifact-html");
  assert.equal(await frame.getAttribute("sandbox"), "");
  assert.equal(await frame.getAttribute("srcdoc"), HTML_ARTIFACT);
  const inFrame = page.frameLocator("iframe.artifact-html");
  await inFrame.locator("h1").getByText("Hello from HTML").waitFor();
  // Wait until the frame's <img src=x> has failed, i.e. its onerror would have run.
  await until(() => inFrame.locator("img").evaluate((i) => i.complete && i.naturalWidth === 0));
  await artifacts.screenshot({ path: `${SHOTS}run_artifact_html.png` });

  await open("a");
  await open("a/b");
  await open("a/b/c");
  await open("a/b/c/deep.txt");
  assert.equal(await preview.locator("pre").innerText(), "deep");
  assert.equal(await row("a/b/c/deep.txt").locator(".artifact-name").evaluate((b) => parseFloat(b.style.paddingLeft)), 3.7);

  // every file's row has a download button that becomes a blob link
  const files = ["images/plot.png", "notes/readme.txt", "metrics.json", "table.csv", "page.html", "a/b/c/deep.txt"];
  for (const path of files) {
    const link = row(path).locator("a.download-link");
    await link.hover();
    await page.waitForFunction((p) =>
      document.querySelector(`li[data-path="${p}"] a.download-link`)?.getAttribute("href")?.startsWith("blob:"), path);
    assert.equal(await link.getAttribute("download"), path.split("/").pop());
  }

  await fullShot(page, "run_page_light.png");
  assert.equal(await page.evaluate(() => window.__xss), undefined);

  // The child's page links back to its parent.
  await childLink.click();
  await page.locator(".run-title h1").getByText("child-run").waitFor();
  assert.equal(await field(page, "parent").innerText(), "parent-run");
  assert.equal(await field(page, "children").innerText(), "—");
  await page.goBack();
  await page.locator(".run-title h1").getByText("parent-run").waitFor();

  assert.equal(await page.evaluate(() => window.__xss), undefined);
  assert.deepEqual(unexpected(page.errors), []);
});

test("tags and the description are edited on the page and survive a reload", async () => {
  const page = await app.open();
  const ids = await logFixture(page, { description: "Old *notes*", html: "<p>x</p>" });
  await openRun(page, ids);
  const tags = page.locator(".run-tags");
  const tagRow = (k) => tags.locator(`tr[data-tag="${k}"]`);

  // system tags hidden until asked for
  assert.equal(await tagRow("team").locator("td.value").innerText(), "vision");
  assert.equal(await tagRow("mlflow.runName").count(), 0);
  await tags.getByLabel(/Show system tags/).check();
  assert.equal(await tagRow("mlflow.runName").locator("td.value").innerText(), "parent-run");
  await tags.getByLabel(/Show system tags/).uncheck();
  assert.equal(await tagRow("mlflow.runName").count(), 0);

  // add, edit, delete
  await tags.getByLabel("New tag name").fill("owner");
  await tags.getByLabel("New tag value").fill("<i>alice</i>");
  await tags.getByRole("button", { name: "Add tag" }).click();
  assert.equal(await tagRow("owner").locator("td.value").innerText(), "<i>alice</i>");
  await tagRow("team").getByRole("button", { name: "Edit" }).click();
  await tagRow("team").getByLabel("Tag value").fill("robotics");
  await tagRow("team").getByRole("button", { name: "Save" }).click();
  await tagRow("team").locator("td.value", { hasText: "robotics" }).waitFor();
  await tagRow("stage").getByRole("button", { name: "Delete" }).click();
  await tagRow("stage").waitFor({ state: "detached" });
  // an invalid tag is refused with MLflow's message
  await tags.getByLabel("New tag name").fill("bad key!");
  await tags.getByRole("button", { name: "Add tag" }).click();
  assert.match(await tags.getByRole("alert").innerText(), /Invalid|invalid/);

  // description
  const desc = page.locator(".run-description");
  assert.equal(await desc.locator(".markdown em").innerText(), "notes");
  await desc.getByRole("button", { name: "Edit" }).click();
  await desc.getByLabel("Description (Markdown)").fill("## Updated\n\n- one\n- <script>window.__xss=1</script>\n\n[js](javascript:alert(1))");
  await desc.getByRole("button", { name: "Save" }).click();
  assert.equal(await desc.locator(".markdown h2").innerText(), "Updated");

  await page.evaluate(() => mlflow.flush());
  await page.reload();
  await page.locator(".run-title h1").getByText("parent-run").waitFor();
  assert.equal(await tagRow("owner").locator("td.value").innerText(), "<i>alice</i>");
  assert.equal(await tagRow("team").locator("td.value").innerText(), "robotics");
  assert.equal(await tagRow("stage").count(), 0);
  assert.equal(await desc.locator(".markdown h2").innerText(), "Updated");
  assert.deepEqual(await desc.locator(".markdown li").allInnerTexts(), ["one", "<script>window.__xss=1</script>"]);
  assert.equal(await desc.locator(".markdown a, .markdown script").count(), 0);
  const saved = await page.evaluate((id) => mlflow.getRun(id), ids.runId);
  assert.equal(saved.data.tags.team, "robotics");
  assert.equal(saved.data.tags.stage, undefined);
  assert.match(saved.data.tags["mlflow.note.content"], /^## Updated/);

  assert.equal(await page.evaluate(() => window.__xss), undefined);
  assert.deepEqual(unexpected(page.errors), []);
});

test("a running run's charts and tables update live; dark mode screenshot", async () => {
  const page = await app.open("", { colorScheme: "dark" });
  const ids = await page.evaluate(async () => {
    const exp = await mlflow.setExperiment("live");
    const run = await mlflow.startRun({ runName: "live-run", description: "Training **now**." });
    await mlflow.logParams({ lr: 0.1, layers: 4 });
    for (let step = 0; step < 50; step++) mlflow.logMetric("loss", Math.exp(-step / 20), { step });
    await mlflow.logText("started", "log.txt");
    await mlflow.flush();
    return { expId: exp.experimentId, runId: run.info.runId };
  });
  await page.goto(`${app.site.url}experiments/${ids.expId}/runs/${ids.runId}`);
  await page.locator(".chart-cell[data-metric='loss'] canvas[data-points='50']").waitFor();
  assert.match(await field(page, "status").innerText(), /RUNNING/);

  // the run goes on (this page was loaded anew, so the run is named explicitly)
  await page.evaluate(async (runId) => {
    for (let step = 50; step < 120; step++) mlflow.logMetric("loss", Math.exp(-step / 20), { step, runId });
    await mlflow.logMetric("lr", 0.1, { step: 119, runId });
  }, ids.runId);
  await page.locator(".chart-cell[data-metric='loss'] canvas[data-points='120']").waitFor();
  await page.locator(".chart-cell[data-metric='lr'] canvas[data-points='1']").waitFor();
  await page.evaluate((runId) => mlflow.setTerminated(runId), ids.runId);
  await field(page, "status").getByText("FINISHED").waitFor();

  await page.locator(".artifact-tree li[data-path='log.txt'] .artifact-name").click();
  await page.locator(".artifact-preview pre").getByText("started").waitFor();
  await fullShot(page, "run_page_dark.png");
  await page.setViewportSize({ width: 390, height: 844 });
  await fullShot(page, "run_page_phone_dark.png");
  assert.deepEqual(unexpected(page.errors), []);
});
