// The JS API's names agree everywhere they are written: mlflow.js's one list (its
// named exports, and through them the default object), mlflow.d.ts, and the
// declarations wasm-bindgen generates from the Rust API. Reads files; no browser.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";

const JS = new URL("../../js/", import.meta.url).pathname;
const read = (path) => fs.readFileSync(path, "utf8");
const split = (list) => list.split(/[,|]/).map((s) => s.trim().replace(/^"|"$/g, "")).filter(Boolean);
const sorted = (names) => [...names].sort();

/** The names in mlflow.js's `export const { … } = pick;`, which also fill the default export. */
function moduleNames(source) {
  const list = source.match(/^export const \{([^}]*)\} = pick;$/m);
  assert.ok(list, "mlflow.js names its API in one `export const { … } = pick;`");
  return split(list[1]);
}

/** mlflow.d.ts: the `Names` union (the default object's type) and the declared named exports. */
function declaredNames(dts) {
  const union = dts.match(/^type Names =([^;]*);/m);
  const consts = dts.match(/^export declare const (\w+: Mlflow\[[^;]*);/m);
  assert.ok(union && consts, "mlflow.d.ts has `type Names = …;` and `export declare const …;`");
  const declared = split(consts[1]).map((d) => {
    const [, name, typed] = d.match(/^(\w+): Mlflow\["(\w+)"\]$/) ?? [];
    assert.equal(name, typed, `declared as its own type: ${d}`);
    return name;
  });
  return { union: split(union[1]), declared };
}

test("mlflow.js, its default object and mlflow.d.ts name the same functions", () => {
  const names = moduleNames(read(`${JS}mlflow.js`));
  assert.ok(names.length >= 30, `found ${names.length} names`);
  assert.equal(new Set(names).size, names.length, "no name twice");
  const { union, declared } = declaredNames(read(`${JS}mlflow.d.ts`));
  assert.deepEqual(sorted(union), sorted(names), "type Names (the default object) = mlflow.js's exports");
  assert.deepEqual(sorted(declared), sorted(names), "declared named exports = mlflow.js's exports");
});

/** mlflow.js's namespaces: `export const x = (api.x = namespace({member: "wasmFn", …}));`. */
function moduleNamespaces(source) {
  const out = {};
  for (const [, name, body] of source.matchAll(/^export const (\w+) = \(api\.\1 = namespace\(\{([^}]*)\}\)\);$/gm)) {
    out[name] = Object.fromEntries(split(body).map((m) => m.split(":").map((x) => x.trim().replace(/^"|"$/g, ""))));
  }
  return out;
}

test("namespaces (mlflow.tfjs, …) are declared with the same members in mlflow.d.ts", () => {
  const spaces = moduleNamespaces(read(`${JS}mlflow.js`));
  assert.ok(spaces.tfjs, "mlflow.tfjs exists");
  const dts = read(`${JS}mlflow.d.ts`);
  for (const [name, members] of Object.entries(spaces)) {
    const decl = dts.match(new RegExp(`^export declare const ${name}: \\{([^}]*)\\};`, "m"));
    assert.ok(decl, `mlflow.d.ts declares ${name}`);
    const declared = Object.fromEntries(decl[1].split(";").map((m) => m.trim()).filter(Boolean)
      .map((m) => { const [, k, fn] = m.match(/^(\w+): typeof api\.(\w+)$/); return [k, fn]; }));
    assert.deepEqual(declared, members, name);
    assert.match(dts, new RegExp(`Mlflow = .*\\b${name}: typeof ${name}\\b`), `${name} on the default object's type`);
  }
});

test("TypeScript declarations ship for the whole API", { skip: !process.env.DIST && "DIST not set" }, () => {
  const dts = read(`${process.env.DIST}/ferroflow.d.ts`);
  const source = read(`${process.env.DIST}/mlflow.js`);
  const namespaced = Object.values(moduleNamespaces(source)).flatMap((m) => Object.values(m));
  for (const n of [...moduleNames(source), ...namespaced]) {
    assert.match(dts, new RegExp(`export function ${n}\\(`), n);
  }
  assert.match(dts, /export function logMetric\(key: string, value: number, options\?: MetricOptions \| number\): Promise<void>/);
  assert.match(dts, /export function getRun\(runId: string\): Promise<Run>/);
  assert.match(dts, /export interface Run \{ info: RunInfo; data: RunData; \}/);
  assert.ok(fs.existsSync(`${process.env.DIST}/mlflow.d.ts`));
});
