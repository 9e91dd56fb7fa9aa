// The bench's TF.js page: `/lab.html` on the served site, with `window.tf` (TF.js 4.22
// from node_modules, CPU backend) and `window.mlflow`.
import fs from "node:fs";
import { serve } from "./server.mjs";
import { launch, newPage, waitForMlflow } from "./browser.mjs";

/** Adds /lab.html and TF.js to `site`'s routes and opens it in `browser`. */
export async function openLab(site, browser) {
  site.routes.set("/tfjs/tf.fesm.min.js", {
    type: "text/javascript",
    body: fs.readFileSync(new URL("./node_modules/@tensorflow/tfjs/dist/tf.fesm.min.js", import.meta.url)),
  });
  site.routes.set("/lab.html", {
    type: "text/html",
    body: `<!doctype html><link rel="icon" href="data:,"><script type="module">
      window.tf = await import("/tfjs/tf.fesm.min.js"); await window.tf.setBackend("cpu");
      window.mlflow = await import("/mlflow.js");</script>`,
  });
  const lab = await newPage(browser);
  await lab.goto(`${site.origin}/lab.html`);
  await waitForMlflow(lab);
  return lab;
}

/** A served `dist`, a browser and the lab page, for a bench run alone. */
export async function labPage(dist) {
  const site = await serve(dist, "/");
  const browser = await launch();
  const lab = await openLab(site, browser);
  return { lab, close: async () => { await browser.close(); await site.close(); } };
}
