// The registry `make bench` fills for the /models list: `models` registered models of
// `versions` versions each, made through the JS API. It is passed to `page.evaluate`,
// so it runs in the page and must stay self-contained.

/**
 * Logs one small model files-only (one LoggedModel, in run "bench-registry"), then
 * registers it `versions` times under each of `models` names (`model-0000`, …), tags
 * each model and sets two aliases. `batch` models are registered at once (their
 * writes share flushes). Resolves to the number of versions made.
 */
export async function fillRegistry({ models, versions, batch }) {
  await mlflow.setExperiment("bench-registry");
  await mlflow.startRun({ runName: "bench-registry" });
  const { modelUri } = await mlflow.logModelFiles(
    { "model.json": "{}" }, "model", { flavor: { tfjs: { format: "layers-model", model_json: "model.json" } } });
  await mlflow.endRun();
  const one = async (i) => {
    const name = `model-${String(i).padStart(4, "0")}`;
    await mlflow.createRegisteredModel(name, { tags: { team: `t${i % 7}`, task: i % 2 ? "vision" : "nlp" } });
    await Promise.all(Array.from({ length: versions }, () => mlflow.registerModel(modelUri, name)));
    await mlflow.setRegisteredModelAlias(name, "champion", String(versions));
    await mlflow.setRegisteredModelAlias(name, "baseline", "1");
  };
  for (let i = 0; i < models; i += batch) {
    await Promise.all(Array.from({ length: Math.min(batch, models - i) }, (_, k) => one(i + k)));
  }
  await mlflow.flush();
  return (await mlflow.searchModelVersions({ maxResults: 1_000_000 })).length;
}
