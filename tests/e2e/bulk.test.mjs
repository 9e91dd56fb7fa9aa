// Bulk logging as a script calls it: logMetricSeries takes typed arrays and plain
// arrays and keeps every bit pattern through a reload; logBatch is MLflow's log_batch
// (its limits and messages, all or nothing, stored when it resolves).
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { waitForMlflow } from "./browser.mjs";
import { useSite } from "./site.mjs";

const app = useSite();
let page;
before(async () => { page = await app.open(); });

const run = (fn, arg) => page.evaluate(fn, arg);
// (A string expression: the site's CSP forbids eval inside the page.)
const failure = (fn) => page.evaluate(`(async () => {
  try { await (${fn.toString()})(); } catch (e) { return { message: e.message, code: e.code }; }
  throw new Error("expected a failure");
})()`);

// Bits of each value as hex ("NaN" for any NaN: JS has one), computed in the page.
const HEX = `(v) => { if (Number.isNaN(v)) return "NaN";
  const d = new DataView(new ArrayBuffer(8)); d.setFloat64(0, v); return d.getBigUint64(0).toString(16); }`;

test("logMetricSeries keeps every bit pattern, step and timestamp through a reload", async () => {
  const logged = await page.evaluate(`(async () => {
    const hex = ${HEX};
    const { info } = await mlflow.startRun({ runName: "series" });
    const n = 40_000;
    const bits = new Uint32Array(n * 2);
    for (let i = 0; i < bits.length; i += 16384) crypto.getRandomValues(bits.subarray(i, i + 16384));
    const values = new Float64Array(bits.buffer);
    values.set([0, -0, Infinity, -Infinity, NaN, 5e-324, -Number.MAX_VALUE, 2 ** 53 + 2, 0.1 + 0.2]);
    const steps = new BigInt64Array(n);
    for (let i = 0; i < n; i++) steps[i] = BigInt(i * 3 - 1000);
    const timestamps = Array.from({ length: n }, (_, i) => 1_700_000_000_000 + (i % 5));
    await mlflow.logMetricSeries("bits", values, { steps, timestamps });
    // plain arrays and other typed arrays; steps count on from the latest
    await mlflow.logMetricSeries("plain", [1, 2.5, NaN], { timestamps: 1_700_000_000_000 });
    await mlflow.logMetricSeries("plain", new Float32Array([0.1, 7]));
    await mlflow.flush();
    return { runId: info.runId, hex: Array.from(values, hex), steps: Array.from(steps, Number), timestamps,
             last: hex(values[n - 1]) };
  })()`);
  await page.reload();
  await waitForMlflow(page);
  const back = await page.evaluate(`(async () => {
    const hex = ${HEX};
    const runId = ${JSON.stringify(logged.runId)};
    const bits = await mlflow.getMetricHistory(runId, "bits");
    const plain = await mlflow.getMetricHistory(runId, "plain");
    const r = await mlflow.getRun(runId);
    return { hex: bits.map((p) => hex(p.value)), steps: bits.map((p) => p.step), timestamps: bits.map((p) => p.timestamp),
             plain: plain.map((p) => [p.step, hex(p.value)]), latest: hex(r.data.metrics.bits) };
  })()`);
  assert.equal(back.hex.length, 40_000);
  assert.deepEqual(back.hex, logged.hex, "values bit for bit");
  assert.deepEqual(back.steps, logged.steps);
  assert.deepEqual(back.timestamps, logged.timestamps);
  assert.equal(back.latest, logged.last, "the latest value is the one at the highest step");
  const hex = (v) => { const d = new DataView(new ArrayBuffer(8)); d.setFloat64(0, v); return d.getBigUint64(0).toString(16); };
  assert.deepEqual(back.plain, [[0, hex(1)], [1, hex(2.5)], [2, "NaN"], [3, hex(Math.fround(0.1))], [4, hex(7)]]);
});

test("logMetricSeries refuses a bad column whole, naming the element", async () => {
  const runId = await run(async () => (await mlflow.startRun({ runName: "series-bad" })).info.runId);
  const cases = [
    [() => mlflow.logMetricSeries("e", [1, "2"]), /Metric 'e': values\[1\] must be one of numbers .*the string "2"/],
    [() => mlflow.logMetricSeries("e", "123"), /values must be an array or typed array of numbers/],
    [() => mlflow.logMetricSeries("e", [1, 2], { steps: [0, 1.5] }), /steps\[1\] must be one of whole numbers.*1\.5/],
    [() => mlflow.logMetricSeries("e", [1, 2], { steps: new BigInt64Array([0n, 2n ** 60n]) }), /steps\[1\]/],
    [() => mlflow.logMetricSeries("e", [1, 2], { steps: [0] }), /1 steps for 2 values; give one per value/],
    [() => mlflow.logMetricSeries("e", [1, 2], { timestamps: [5, -1] }), /negative timestamp/],
    [() => mlflow.logMetricSeries("e", [1], { timestamps: 1.5 }), /timestamps must be a whole number/],
    [() => mlflow.logMetricSeries("a!b", [1]), /Invalid metric name/],
  ];
  for (const [call, message] of cases) {
    const e = await failure(call);
    assert.match(e.message, message);
    assert.equal(e.code, "INVALID_PARAMETER_VALUE");
  }
  const after = await run(async (id) => {
    await mlflow.flush();
    const r = await mlflow.getRun(id);
    await mlflow.endRun();
    return { e: (await mlflow.getMetricHistory(id, "e")).length, metrics: Object.keys(r.data.metrics) };
  }, runId);
  assert.deepEqual(after, { e: 0, metrics: [] }, "nothing of a refused call was logged");
});

test("logBatch: MLflow's log_batch, stored when it resolves, all or nothing, MLflow's limits", async () => {
  const runId = await run(async () => {
    const { info } = await mlflow.startRun({ runName: "batch" });
    await mlflow.logBatch({
      metrics: [
        { key: "loss", value: 0.5, step: 1, timestamp: 1_700_000_000_000 },
        { key: "loss", value: -0, step: 2, timestamp: 1_700_000_000_001 },
        { key: "acc", value: NaN },
      ],
      params: [{ key: "lr", value: 0.01 }, { key: "opt", value: "adam" }],
      tags: { team: "vision" },
    });
    return info.runId;
  });
  // Another tab reads what IndexedDB holds: all of it is there once logBatch resolved.
  const other = await page.context().newPage();
  await other.goto(app.site.url);
  await waitForMlflow(other);
  const seen = await other.evaluate(async (id) => {
    const r = await mlflow.getRun(id);
    const loss = await mlflow.getMetricHistory(id, "loss");
    const acc = await mlflow.getMetricHistory(id, "acc");
    return { params: r.data.params, team: r.data.tags.team, loss: loss.map((p) => [p.step, p.timestamp, Object.is(p.value, -0) ? "-0" : p.value]),
             acc: acc.map((p) => [p.step, Number.isNaN(p.value)]) };
  }, runId);
  await other.close();
  assert.deepEqual(seen.params, { lr: "0.01", opt: "adam" });
  assert.equal(seen.team, "vision");
  assert.deepEqual(seen.loss, [[1, 1_700_000_000_000, 0.5], [2, 1_700_000_000_001, "-0"]]);
  assert.deepEqual(seen.acc, [[0, true]]);

  const many = (n, p) => Array.from({ length: n }, (_, i) => ({ key: `${p}${i}`, value: i }));
  const limits = [
    [{ metrics: many(1001, "m") }, "A batch logging request can contain at most 1000 metrics. Got 1001 metrics. Please split up metrics across multiple requests and try again."],
    [{ params: many(101, "p") }, "A batch logging request can contain at most 100 params. Got 101 params. Please split up params across multiple requests and try again."],
    [{ tags: many(101, "t") }, "A batch logging request can contain at most 100 tags. Got 101 tags. Please split up tags across multiple requests and try again."],
    [{ metrics: many(900, "m"), params: many(51, "p"), tags: many(50, "t") }, "A batch logging request can contain at most 1000 metrics, params, and tags. Got 1001 metrics, params, and tags. Please split up metrics, params, and tags across multiple requests and try again."],
    [{ params: [{ key: "a", value: 1 }, { key: "a", value: 1 }] }, "Duplicate parameter keys have been submitted: ['a']. Please ensure the request contains only one param value per param key."],
  ];
  for (const [batch, message] of limits) {
    const e = await page.evaluate(async ([b, id]) => {
      try { await mlflow.logBatch(b, { runId: id }); } catch (e) { return { message: e.message, code: e.code }; }
      return null;
    }, [batch, runId]);
    assert.deepEqual(e, { message, code: "INVALID_PARAMETER_VALUE" });
  }
  // A param that differs from the logged one refuses the whole batch.
  const conflict = await page.evaluate(async (id) => {
    try {
      await mlflow.logBatch({ metrics: [{ key: "never", value: 1 }], params: { lr: 0.02 }, tags: { t2: "x" } }, { runId: id });
    } catch (e) { return e.message; }
    return null;
  }, runId);
  assert.match(conflict, /Changing param values is not allowed. Param with key='lr'/);
  const bad = await failure(() => mlflow.logBatch({ metrics: [{ key: "x" }] }));
  assert.match(bad.message, /invalid value undefined for metric 'x'/i);
  const after = await run(async (id) => {
    await mlflow.flush();
    const r = await mlflow.getRun(id);
    return { tags: Object.keys(r.data.tags).filter((k) => !k.startsWith("mlflow.")), metrics: Object.keys(r.data.metrics).sort(),
             params: r.data.params };
  }, runId);
  assert.deepEqual(after, { tags: ["team"], metrics: ["acc", "loss"], params: { lr: "0.01", opt: "adam" } });
  // Refused by its limits before a run is started for it.
  const noRun = await run(async () => {
    await mlflow.endRun();
    try { await mlflow.logBatch({ params: Array.from({ length: 101 }, (_, i) => ({ key: `k${i}`, value: 1 })) }); } catch { /* expected */ }
    return mlflow.activeRun();
  });
  assert.equal(noRun, null);
});
