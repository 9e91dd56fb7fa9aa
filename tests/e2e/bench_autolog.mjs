// The TF.js autolog overhead figures of `make bench` (also runnable alone:
// `DIST=… node bench_autolog.mjs`, on a page that has `tf` and `mlflow`).
//
// The fit: 8192 × 16 inputs, dense 64 + 1, batch 32, 2 epochs (512 batches), CPU backend.
// "Without the callback" is the fit as one writes it without one: no `callbacks` key.
// TF.js then still wraps an empty hooks object, and that object's pauses (a frame every
// 125 ms) are in the baseline; mlflow.tfjs.callback takes that object's place (one
// wrapped callback either way), so what it adds is its hooks' work, plus, at "batch",
// TF.js reading each batch's scalars for the batch hook.
//
// Figures per logEvery:
// - overhead: what the fit spends in its wrapped callback (TF.js's CustomCallback hooks,
//   each call timed from its start to its promise settling: TF.js's scalar reads and
//   frame pauses, and our hooks), with the callback minus without it, over the fit
//   without it; median over rounds (each round has one fit of each kind). Training
//   work is in neither term, so the machine's drift in training speed mostly cancels;
//   TF.js's frame pauses are in it and grow with a fit's length (≈ 1 % of a fit, so a
//   25 % slower fit adds ≈ 0.3 %). CPU backend: on WebGL a scalar read also waits for
//   the batch's GPU work.
// - hooks: our hook functions alone, the same way.
// - wall: the paired ratio of whole fits, with and without the callback, alternating
//   order round by round (median over pairs of rounds). On a VM whose speed moves by
//   ±25 % from one fit to the next this one is noisy; it is printed with its spread.
import { fileURLToPath } from "node:url";

export async function benchAutolog(lab, emit, rounds = 12) {
  const r = await lab.evaluate(async (ROUNDS) => {
    const x = tf.randomUniform([8192, 16], 0, 1, "float32", 7);
    const y = x.sum(1).greater(8).cast("float32").reshape([8192, 1]);
    const model = tf.sequential();
    model.add(tf.layers.dense({ units: 64, activation: "relu", inputShape: [16] }));
    model.add(tf.layers.dense({ units: 1, activation: "sigmoid" }));
    model.compile({ optimizer: tf.train.adam(0.01), loss: "binaryCrossentropy", metrics: ["accuracy"] });
    await mlflow.setExperiment("bench-autolog");
    // Each hook `from` has, set on `into`, timed from its call to its promise settling
    // into `acc`; absent hooks stay absent (TF.js reads a hooks object's hooks once).
    const HOOKS = ["onTrainBegin", "onEpochBegin", "onEpochEnd", "onBatchBegin", "onBatchEnd", "onTrainEnd"];
    const timeHooks = (from, into, acc) => {
      for (const k of HOOKS) {
        const f = from[k];
        if (typeof f !== "function") continue;
        into[k] = async function (...a) {
          const t0 = performance.now();
          try {
            return await f.apply(this, a);
          } finally {
            acc.ms += performance.now() - t0;
            acc.calls += 1;
          }
        };
      }
      return into;
    };
    // Every CustomCallback hook (TF.js's wrapper of hooks objects), and our callback's.
    const wrapped = { ms: 0, calls: 0 };
    timeHooks(tf.CustomCallback.prototype, tf.CustomCallback.prototype, wrapped);
    const once = async (every) => {
      const opts = { epochs: 2, batchSize: 32, verbose: 0 };
      const acc = { ms: 0, calls: 0 };
      if (every) opts.callbacks = [timeHooks(mlflow.tfjs.callback({ logEvery: every, model }), {}, acc)];
      wrapped.ms = 0;
      const t0 = performance.now();
      await model.fit(x, y, opts);
      return { ms: performance.now() - t0, hooks: acc.ms, calls: acc.calls, wrapped: wrapped.ms };
    };
    await once(null); // warm up TF.js's kernels
    await once("batch");
    const order = [["none", null], ["epoch", "epoch"], ["batch", "batch"]];
    const fits = { none: [], epoch: [], batch: [] };
    for (let round = 0; round < ROUNDS; round++)
      for (const [name, every] of round % 2 ? order.slice().reverse() : order) fits[name].push(await once(every));
    const median = (a) => a.slice().sort((p, q) => p - q)[Math.floor(a.length / 2)];
    const out = { none: { median: median(fits.none.map((f) => f.ms)), wrapped: median(fits.none.map((f) => f.wrapped)) } };
    for (const k of ["epoch", "batch"]) {
      const added = fits[k].map((f, i) => (f.wrapped - fits.none[i].wrapped) / fits.none[i].ms);
      const hookShare = fits[k].map((f) => f.hooks / (f.ms - f.hooks));
      const ratio = fits[k].map((f, i) => f.ms / fits.none[i].ms);
      const pairs = Array.from({ length: ROUNDS / 2 }, (_, i) => Math.sqrt(ratio[2 * i] * ratio[2 * i + 1]));
      out[k] = {
        added: median(added), addedMin: Math.min(...added), addedMax: Math.max(...added),
        wrappedMs: median(fits[k].map((f) => f.wrapped)),
        hooks: median(hookShare), hooksMax: Math.max(...hookShare), calls: fits[k][0].calls,
        hooksMs: median(fits[k].map((f) => f.hooks)),
        wall: median(pairs), wallMin: Math.min(...pairs), wallMax: Math.max(...pairs),
        median: median(fits[k].map((f) => f.ms)),
      };
    }
    x.dispose(); y.dispose();
    return out;
  }, rounds);
  const pct = (v) => Math.round(v * 1000) / 10;
  emit("fit_2_epochs_no_callback", r.none.median, "ms", {
    stat: `median of ${rounds}`, batches: 512, in_tfjs_pauses_ms: Math.round(r.none.wrapped),
  });
  for (const every of ["epoch", "batch"]) {
    const f = r[every];
    emit(`autolog_overhead_${every}`, pct(f.added), "%", {
      stat: `median of ${rounds} rounds: (time in the wrapped callback with ours − without) / fit without`,
      min: pct(f.addedMin), max: pct(f.addedMax), in_callback_ms: Math.round(f.wrappedMs),
    });
    emit(`autolog_overhead_${every}_hooks`, pct(f.hooks), "%", {
      stat: `median of ${rounds} fits: time awaiting the callback's hooks / the rest of the fit`,
      max: pct(f.hooksMax), hook_calls_per_fit: f.calls, hooks_ms: Math.round(f.hooksMs * 10) / 10,
    });
    emit(`autolog_overhead_${every}_wall`, pct(f.wall - 1), "%", {
      stat: `median over ${rounds / 2} pairs of rounds of with/without (same round, alternating order)`,
      pairs_min: pct(f.wallMin - 1), pairs_max: pct(f.wallMax - 1), fit_ms: Math.round(f.median),
    });
  }
}

// Alone: serve dist/, open a page with TF.js (from node_modules) and mlflow.js.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { labPage } = await import("./bench_lab.mjs");
  const emit = (metric, value, unit, extra = {}) =>
    console.log(JSON.stringify({ metric, value: Math.round(value * 100) / 100, unit, ...extra }));
  const { lab, close } = await labPage(process.env.DIST);
  try {
    await benchAutolog(lab, emit, Number(process.env.ROUNDS || 12));
  } finally {
    await close();
  }
}
