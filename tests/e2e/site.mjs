// One fixture for every e2e file: a browser, the built site served as GitHub Pages
// serves it, and fresh pages on it. Pages and servers opened inside a test are closed
// after that test; those opened in a `before` hook live until the file's `after`.
// (Node 20 runs a file's `before` hooks concurrently, so every entry point awaits the
// start-up itself instead of relying on hook order.)
import { before, after, beforeEach, afterEach } from "node:test";
import { serve } from "./server.mjs";
import { launch, newPage, waitForMlflow } from "./browser.mjs";

/**
 * Registers the file's hooks and returns the fixture:
 * - `app.browser`, `app.site` (`{url, origin, routes, requests, close}`), set in `before`;
 * - `app.page(contextOptions)`: a fresh page in its own context (empty IndexedDB),
 *   not navigated, failing the test on page errors (see browser.mjs);
 * - `app.open(path = "", contextOptions)`: `app.page`, then `path` (resolved against
 *   the site's URL, so `"experiments/1"`, `"?bundle=…"` or another server's URL) and
 *   `window.mlflow` ready;
 * - `app.serve(dist, prefix)`: one more server (a sub-path build, "another origin").
 * `routes` are extra files on the site (`{"/fixtures/basic.zip": {type, body}}`).
 */
export function useSite({ dist = process.env.DIST, prefix = "/", routes = {} } = {}) {
  const suite = [];
  let current = null;
  const keep = (closable) => {
    (current ?? suite).push(closable);
    return closable;
  };
  const closeAll = async (list) => {
    for (const c of list.splice(0).reverse()) await c.close();
  };

  let starting = null;
  const start = () => (starting ??= (async () => {
    app.browser = await launch();
    app.site = await serve(dist, prefix);
    for (const [path, file] of Object.entries(routes)) app.site.routes.set(path, file);
  })());

  const app = {
    browser: null,
    site: null,
    async page(contextOptions = {}) {
      await start();
      const page = await newPage(app.browser, contextOptions);
      keep(page.context());
      return page;
    },
    async open(path = "", contextOptions = {}) {
      const page = await app.page(contextOptions);
      await page.goto(new URL(path, app.site.url).href);
      await waitForMlflow(page);
      return page;
    },
    async serve(root, at = "/") {
      return keep(await serve(root, at));
    },
  };

  before(start);
  beforeEach(() => { current = []; });
  afterEach(async () => {
    const opened = current ?? [];
    current = null;
    await closeAll(opened);
  });
  after(async () => {
    await starting?.catch(() => {});
    await closeAll(suite);
    await app.site?.close();
    await app.browser?.close();
  });
  return app;
}
