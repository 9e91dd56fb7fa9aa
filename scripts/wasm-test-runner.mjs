#!/usr/bin/env node
// Cargo's runner for wasm32 tests (`.cargo/config.toml`): `cargo test --target
// wasm32-unknown-unknown --test browser [-- FILTER]` runs here.
//
// wasm-bindgen-test-runner builds the test page and serves it; Playwright (the driver the
// e2e tests use) loads it in Debian's Chromium through a small proxy and reads the
// harness's output.
//
// Why the proxy: with the runner's own headless mode the page sometimes never loaded its
// scripts ("Loading scripts..." until chromedriver gave up, "Timed out receiving message
// from renderer: 299.96", every test untouched): once in a fresh-clone CI run, twice in a
// row here, and with Playwright loading the runner's server directly too. The server
// (tiny_http 0.12) runs one task per TCP connection for the connection's whole
// keep-alive life, and its pool can queue a new connection's task without waking a
// thread (two spawns before the woken thread takes its task both see a waiting thread);
// the queued connection then waits until some other connection closes, and a browser
// keeps its connections open for minutes. The page's module graph opens about ten
// connections at once, so it happens. The proxy gives each request its own upstream
// connection, closed after the response: every task ends within milliseconds, so a
// queued one is taken at once.
//
// The outcome is the harness's own: exit 0 only when its last "test result:" line says ok
// (or when the runner itself ends without serving, as for `--list` or no tests). A run
// that shows no outcome within FERROFLOW_BROWSER_TEST_TIMEOUT seconds (default 600) fails,
// naming the tests that were started and never finished — also when a test blocks the
// page's thread (a watchdog, outside the page, ends the run).
import { spawn } from "node:child_process";
import http from "node:http";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import path from "node:path";

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, "..", "tests", "e2e", "package.json"));
let chromium;
try {
  ({ chromium } = require("playwright-core"));
} catch {
  console.error(
    "playwright-core is not installed in tests/e2e: run `scripts/tools.sh test` (or `make tools-test`) first.",
  );
  process.exit(2);
}

const [wasm, ...args] = process.argv.slice(2);
if (!wasm) {
  console.error("usage: wasm-test-runner.mjs TEST.wasm [harness args]");
  process.exit(2);
}
const limitMs = Number(process.env.FERROFLOW_BROWSER_TEST_TIMEOUT || 600) * 1000;

// The page server: the runner's interactive mode, on a free port.
const server = spawn("wasm-bindgen-test-runner", [wasm, ...args], {
  env: { ...process.env, NO_HEADLESS: "1", WASM_BINDGEN_TEST_ADDRESS: "127.0.0.1:0" },
  stdio: ["ignore", "pipe", "inherit"],
  detached: true,
});
const stopServer = () => {
  try {
    process.kill(-server.pid, "SIGKILL");
  } catch {}
};
process.on("exit", stopServer);
process.on("SIGINT", () => process.exit(130));
process.on("SIGTERM", () => process.exit(143));

const url = await new Promise((resolve, reject) => {
  let seen = "";
  server.stdout.on("data", (chunk) => {
    seen += chunk;
    const m = seen.match(/available at (http:\/\/127\.0\.0\.1:\d+)/);
    if (m) resolve(m[1] + "/");
  });
  server.on("exit", (code) => {
    // `--list`, or no test to run: the runner prints and ends without serving.
    if (code === 0) {
      process.stdout.write(seen);
      process.exit(0);
    }
    reject(new Error(`wasm-bindgen-test-runner exited (${code}) before serving:\n${seen}`));
  });
}).catch((e) => {
  console.error(e.message);
  process.exit(1);
});

// Browser → proxy (keep-alive is fine here) → runner, one connection per request.
const upstream = new URL(url);
const HOP_BY_HOP = ["connection", "keep-alive", "transfer-encoding", "proxy-connection"];
const proxy = http.createServer((req, res) => {
  const headers = { ...req.headers, host: upstream.host, connection: "close" };
  const up = http.request(
    { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers, agent: false },
    (upRes) => {
      const h = { ...upRes.headers };
      for (const k of HOP_BY_HOP) delete h[k];
      res.writeHead(upRes.statusCode, h);
      upRes.pipe(res);
    },
  );
  up.on("error", (e) => {
    if (res.headersSent) return res.destroy(e);
    res.writeHead(502, { "content-type": "text/plain" });
    res.end(`test page server: ${e.message}`);
  });
  req.pipe(up);
});
await new Promise((resolve) => proxy.listen(0, "127.0.0.1", resolve));
const pageUrl = `http://127.0.0.1:${proxy.address().port}/`;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-dev-shm-usage"],
});
let status = 1;
const started = new Set();
let output = "";
const finished = () => new Set([...output.matchAll(/^test (\S+) \.\.\. /gm)].map((m) => m[1]));
const reportStuck = (why) => {
  const stuck = [...started].filter((t) => !finished().has(t));
  console.log(`\n${why}; started and not finished: ${stuck.join(", ") || "(none: the page did not start the tests)"}`);
};
// A test that blocks the page's thread would block every evaluate below: this fires anyway.
setTimeout(() => {
  reportStuck(`No test result after ${limitMs / 1000 + 30} s (the page stopped answering)`);
  process.exit(1);
}, limitMs + 30_000).unref();
try {
  const page = await browser.newPage();
  const consoleLines = [];
  page.on("console", (m) => {
    const text = m.text();
    consoleLines.push(text);
    const t = text.match(/^Invoking test: (.+)$/);
    if (t) started.add(t[1]);
  });
  page.on("pageerror", (e) => consoleLines.push(`page error: ${e.message}`));
  console.log(`Running browser tests in Chromium (Playwright) from ${pageUrl} (serving ${url})`);
  await page.goto(pageUrl, { waitUntil: "commit" });

  // Stream the harness's output until its result line appears.
  const deadline = Date.now() + limitMs;
  let printed = 0;
  for (;;) {
    output = await page.evaluate(() => document.getElementById("output")?.textContent ?? "");
    if (output.length > printed) {
      process.stdout.write(output.slice(printed));
      printed = output.length;
    }
    if (output.includes("test result: ")) break;
    if (Date.now() > deadline) {
      reportStuck(`No test result after ${limitMs / 1000} s`);
      break;
    }
    await page.waitForFunction(
      (n) => (document.getElementById("output")?.textContent ?? "").length !== n,
      output.length,
      { timeout: 5000, polling: 100 },
    ).catch(() => {});
  }
  // The summary is the harness's last line of that form (a failing test's own output,
  // printed before it, could contain the words).
  const results = [...output.matchAll(/^test result: (ok|FAILED)\./gm)];
  if (results.at(-1)?.[1] === "ok") {
    status = 0;
  } else if (consoleLines.length) {
    console.log("console output:");
    for (const line of consoleLines) console.log(`    ${line}`);
  }
} finally {
  await browser.close();
  proxy.close();
  stopServer();
}
process.exit(status);
