// A static server for the built site, as GitHub Pages serves it: files under a
// prefix, 404.html (the app) for unknown paths, CORS on everything so other origins
// can import mlflow.js. Also serves extra routes a test registers (bundles, pages of
// "another origin").
import http from "node:http";
import fs from "node:fs";
import path from "node:path";

const TYPES = {
  ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".mjs": "text/javascript",
  ".wasm": "application/wasm", ".css": "text/css", ".json": "application/json",
  ".ts": "text/plain", ".zip": "application/zip", ".png": "image/png", ".svg": "image/svg+xml",
};

/**
 * Serves `root` under `prefix` ("/" or "/ferroflow/") on 127.0.0.1; resolves to
 * {url, origin, routes, requests, close}. `requests` lists every answered request as
 * {path, status}: the browser fetches some files (favicons) outside any page's view.
 */
export function serve(root, prefix = "/") {
  const routes = new Map();
  const requests = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, "http://x");
    res.on("finish", () => requests.push({ path: url.pathname, status: res.statusCode }));
    res.setHeader("Access-Control-Allow-Origin", "*");
    if (routes.has(url.pathname)) {
      const { type, body } = routes.get(url.pathname);
      res.writeHead(200, { "Content-Type": type });
      return res.end(body);
    }
    if (!url.pathname.startsWith(prefix)) { res.writeHead(404); return res.end("not found"); }
    const rel = decodeURIComponent(url.pathname.slice(prefix.length)) || "index.html";
    const file = path.join(root, rel);
    if (file.startsWith(root) && fs.existsSync(file) && fs.statSync(file).isFile()) {
      res.writeHead(200, { "Content-Type": TYPES[path.extname(file)] ?? "application/octet-stream" });
      return fs.createReadStream(file).pipe(res);
    }
    res.writeHead(404, { "Content-Type": TYPES[".html"] });
    fs.createReadStream(path.join(root, "404.html")).pipe(res);
  });
  return new Promise((ok) => server.listen(0, "127.0.0.1", () => {
    const { port } = server.address();
    ok({ url: `http://127.0.0.1:${port}${prefix}`, origin: `http://127.0.0.1:${port}`, routes, requests,
         close: () => new Promise((done) => { server.closeAllConnections(); server.close(done); }) });
  }));
}
