// Artifacts side by side on the compare page: an image path the runs share in a row
// of same-size cells, MLflow 3's per-step images behind a Step slider, and a text
// file's side-by-side diff marking the changed line.
import { test } from "node:test";
import assert from "node:assert/strict";
import { SHOTS } from "./browser.mjs";
import { useSite } from "./site.mjs";

const app = useSite();

/** Three runs: a differently coloured confusion.png each, per-step images in two, notes.txt in all. */
async function logRuns(page) {
  return page.evaluate(async () => {
    const canvas = (colour, w, h) => {
      const c = document.createElement("canvas");
      c.width = w;
      c.height = h;
      const g = c.getContext("2d");
      g.fillStyle = colour;
      g.fillRect(0, 0, w, h);
      return c;
    };
    const png = (colour) => new Promise((ok) => canvas(colour, 40, 20).toBlob(ok, "image/png"));
    // MLflow 3's log_image(key="val/sample", step=n) names
    const stepName = (step, ts, uuid) =>
      `images/val~sample+step+${step}+timestamp+${ts}+${uuid}.png`;
    await mlflow.setExperiment("pictures");
    const ids = [];
    const runs = [
      { name: "red", colour: "#d00", steps: [[0, "#400"], [1, "#800"]], notes: "a\nb\nc\n" },
      { name: "green", colour: "#0a0", steps: [[0, "#040"], [2, "#080"]], notes: "a\nB\nc\n" },
      { name: "blue", colour: "#00d", steps: [], notes: "a\nb\nc\n" },
    ];
    for (const r of runs) {
      const run = await mlflow.startRun({ runName: r.name });
      const runId = run.info.runId;
      await mlflow.logImage(canvas(r.colour, 120, 90), "plots/confusion.png", { runId });
      for (const [step, colour] of r.steps) {
        const name = stepName(step, 1000 + step, `${r.name}-${step}`);
        await mlflow.logArtifact(name, await png(colour), { runId });
        // the compressed copy MLflow writes beside it is not shown when the PNG is there
        await mlflow.logArtifact(name.replace(".png", "+compressed.webp"), await png("#fff"), { runId });
      }
      await mlflow.logText(r.notes, "notes.txt", { runId });
      await mlflow.endRun();
      ids.push(runId);
    }
    await mlflow.flush();
    return ids;
  });
}

test("the compare page puts shared images, per-step images and text diffs side by side", async () => {
  const page = await app.open("", { viewport: { width: 1280, height: 900 } });
  const ids = await logRuns(page);
  await page.goto(`${app.site.url}compare-runs?runs=${JSON.stringify(ids)}`);
  await page.getByRole("heading", { name: "Comparing 3 runs" }).waitFor();
  const section = page.locator("section.compare-artifacts");
  await section.getByRole("heading", { name: "Artifacts side by side" }).waitFor();

  // one image per run, same rendered size, all decoded
  const confusion = section.locator('.artifact-compare[data-path="plots/confusion.png"]');
  await page.waitForFunction(() => {
    const imgs = document.querySelectorAll('.artifact-compare[data-path="plots/confusion.png"] img');
    return imgs.length === 3 && [...imgs].every((i) => i.complete && i.naturalWidth > 0);
  }, null, { timeout: 15_000 });
  const boxes = await confusion.locator("img").evaluateAll((imgs) =>
    imgs.map((i) => {
      const r = i.getBoundingClientRect();
      return { w: Math.round(r.width), h: Math.round(r.height), nw: i.naturalWidth, src: i.src };
    }));
  assert.equal(boxes.length, 3);
  for (const b of boxes) {
    assert.deepEqual([b.w, b.h], [boxes[0].w, boxes[0].h], "same size cells");
    assert.ok(b.h > 0 && b.nw === 120, JSON.stringify(b));
    assert.match(b.src, /^blob:/);
  }
  assert.deepEqual(await confusion.locator("figcaption").allTextContents(), ["red", "green", "blue"]);

  // the step series: union of steps 0, 1, 2; the slider picks the images
  const series = section.locator('.image-series[data-key="val/sample"]');
  const slider = series.getByLabel("Step");
  await slider.waitFor();
  assert.equal(await slider.getAttribute("max"), "2");
  const shown = () => series.locator("figure").evaluateAll((figs) =>
    figs.map((f) => f.querySelector("img")?.dataset.path ?? f.querySelector(".no-image")?.textContent ?? null));
  const waitShown = async (want) => {
    await page.waitForFunction(
      (want) => {
        const figs = document.querySelectorAll('.image-series[data-key="val/sample"] figure');
        const got = [...figs].map((f) =>
          f.querySelector("img")?.dataset.path ?? f.querySelector(".no-image")?.textContent ?? null);
        return JSON.stringify(got) === JSON.stringify(want);
      },
      want,
      { timeout: 10_000 },
    ).catch(async (e) => {
      assert.deepEqual(await shown(), want);
      throw e;
    });
  };
  const at = (run, step) => `images/val~sample+step+${step}+timestamp+${1000 + step}+${run}-${step}.png`;
  await waitShown([at("red", 0), at("green", 0), "No image at step 0"]);
  const srcBefore = await series.locator("figure img").first().getAttribute("src");
  await slider.fill("1");
  await page.waitForFunction(() =>
    document.querySelector('.image-series[data-key="val/sample"]')?.dataset.step === "1");
  assert.equal(await series.locator("output").textContent(), "1");
  await waitShown([at("red", 1), "No image at step 1", "No image at step 1"]);
  assert.notEqual(await series.locator("figure img").first().getAttribute("src"), srcBefore);
  await slider.fill("2");
  await waitShown(["No image at step 2", at("green", 2), "No image at step 2"]);
  await page.waitForFunction(() => [...document.querySelectorAll(".image-series img")]
    .every((i) => i.complete && i.naturalWidth > 0));

  // notes.txt: red against green by default, exactly line 2 changed
  const notes = section.locator('.text-compare[data-path="notes.txt"]');
  await notes.locator("table.line-diff").waitFor();
  const rows = await notes.locator("table.line-diff tr").evaluateAll((trs) =>
    trs.map((tr) => [tr.className, ...[...tr.querySelectorAll("td")].map((td) => td.textContent)]));
  assert.deepEqual(rows, [
    ["same", "1", "a", "1", "a"],
    ["changed", "2", "b", "2", "B"],
    ["same", "3", "c", "3", "c"],
  ]);
  // red against blue: the same file
  await notes.getByLabel("Right").selectOption({ label: "blue" });
  await notes.getByText("The two files are the same.").waitFor();
  await notes.getByLabel("Right").selectOption({ label: "green" });
  await notes.locator("table.line-diff").waitFor();

  await slider.fill("0");
  await waitShown([at("red", 0), at("green", 0), "No image at step 0"]);
  await section.screenshot({ path: `${SHOTS}compare_artifacts.png` });
});

test("runs that share no image or text artifact get one muted line", async () => {
  const page = await app.open("", { viewport: { width: 1280, height: 900 } });
  const ids = await page.evaluate(async () => {
    const out = [];
    for (const name of ["one.txt", "two.txt"]) {
      const run = await mlflow.startRun();
      await mlflow.logText("x", name);
      await mlflow.endRun();
      out.push(run.info.runId);
    }
    await mlflow.flush();
    return out;
  });
  await page.goto(`${app.site.url}compare-runs?runs=${ids.join(",")}`);
  await page.locator("section.compare-artifacts p.muted",
    { hasText: "No image or text artifact is in more than one of these runs." }).waitFor();
  assert.equal(await page.locator("section.compare-artifacts .artifact-compare").count(), 0);
});
