// The 10,000-run sweep the runs-table test and `make bench` both log. It is passed to
// `page.evaluate`, so it runs in the page and must stay self-contained.

/**
 * Logs `runs` runs (`run-00000`, …) of 20 params and 10 metrics into experiment `name`,
 * committing every `flushEvery` runs (one IndexedDB transaction of 10,000 runs is
 * slow). Resolves to the experiment id and the names of the runs that started in the
 * last millisecond: "newest first" may put any of them on top, since ties break on
 * the random run id.
 */
export async function logSweep({ name, runs, flushEvery }) {
  const exp = await mlflow.setExperiment(name);
  const params = {};
  let newest = { time: -Infinity, names: [] };
  for (let i = 0; i < runs; i++) {
    const runName = `run-${String(i).padStart(5, "0")}`;
    const { info } = await mlflow.startRun({ runName });
    if (info.startTime > newest.time) newest = { time: info.startTime, names: [] };
    if (info.startTime === newest.time) newest.names.push(runName);
    for (let p = 0; p < 20; p++) params[`p${p}`] = (i * 7 + p) % 13;
    mlflow.logParams(params);
    const m = {};
    for (let k = 0; k < 10; k++) m[`m${k}`] = ((i * 31 + k * 17) % 1000) / 1000;
    mlflow.logMetrics(m);
    mlflow.endRun();
    if (i % flushEvery === flushEvery - 1) await mlflow.flush();
  }
  await mlflow.flush();
  return { experimentId: exp.experimentId, newest: newest.names };
}
