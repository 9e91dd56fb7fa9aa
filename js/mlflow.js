// Ferroflow's public ES module: `import mlflow from ".../mlflow.js"` (or named imports)
// gives MLflow's fluent tracking API, ready to use: the wasm is initialized and the
// browser store opened before this module finishes loading. Works from any origin
// (served with CORS) and in module Web Workers.
import init, * as wasm from "./ferroflow.js";

await init({ module_or_path: new URL("./ferroflow_bg.wasm", import.meta.url) });
// The site this module came from: mlflow.connect()'s default, and where the notebook
// views (mlflow.show) link the site's stylesheet and pages, whichever page imported it.
wasm.__ferroflowSetSite(new URL("./", import.meta.url).href);
wasm.__ferroflowSetViewsSite(new URL("./", import.meta.url).href);
await wasm.ready();

// The API is named once, in the destructuring below. It reads each name through this
// proxy, which refuses a name the wasm lacks and gathers the functions for the
// default export, so the named exports and `mlflow.default` cannot drift apart.
const api = {};
const pick = new Proxy(wasm, {
  get(module, name) {
    if (typeof module[name] !== "function") throw new Error(`mlflow.js: ferroflow.js exports no function ${String(name)}`);
    return (api[name] = module[name]);
  },
});

export const {
  ready, flush,
  createExperiment, setExperiment, getExperiment, getExperimentByName, searchExperiments,
  renameExperiment, deleteExperiment, restoreExperiment, setExperimentTag, deleteExperimentTag,
  startRun, activeRun, endRun, getRun, searchRuns, deleteRun, restoreRun, setTerminated,
  logParam, logParams, logMetric, logMetrics, logMetricSeries, logBatch, setTag, setTags, deleteTag,
  logArtifact, logText, logDict, logImage, listArtifacts, downloadArtifact, getMetricHistory,
  importArchive, exportArchive,
  logModel, logModelFiles, loadModel, getModelInfo, getLoggedModel, searchLoggedModels,
  downloadModelArtifact,
  createRegisteredModel, registerModel, getRegisteredModel, searchRegisteredModels,
  renameRegisteredModel, updateRegisteredModel, deleteRegisteredModel,
  setRegisteredModelTag, deleteRegisteredModelTag, getModelVersion, searchModelVersions,
  updateModelVersion, deleteModelVersion, setModelVersionTag, deleteModelVersionTag,
  setRegisteredModelAlias, deleteRegisteredModelAlias, getModelVersionByAlias,
  transitionModelVersionStage, getLatestVersions,
  connect,
} = pick;

// Namespaces (`mlflow.tfjs.callback`, …): member → the wasm function behind it, each
// written once here.
const namespace = (members) => Object.freeze(Object.fromEntries(Object.entries(members).map(([member, fn]) => {
  if (typeof wasm[fn] !== "function") throw new Error(`mlflow.js: ferroflow.js exports no function ${fn}`);
  return [member, wasm[fn]];
})));
export const tfjs = (api.tfjs = namespace({ callback: "tfjsCallback", autolog: "tfjsAutolog" }));
export const show = (api.show = namespace({ runs: "showRuns", chart: "showChart", run: "showRun" }));
export const projects = (api.projects = namespace({ run: "projectsRun", load: "projectsLoad" }));

export default Object.freeze(api);
