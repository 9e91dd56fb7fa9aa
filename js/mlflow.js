// Ferroflow's public ES module: `import mlflow from ".../mlflow.js"` (or named imports)
// gives MLflow's fluent tracking API, ready to use: the wasm is initialized and the
// browser store opened before this module finishes loading. Works from any origin
// (served with CORS) and in module Web Workers.
import init, * as wasm from "./ferroflow.js";

await init({ module_or_path: new URL("./ferroflow_bg.wasm", import.meta.url) });
await wasm.ready();

export const {
  ready, flush,
  createExperiment, setExperiment, getExperiment, getExperimentByName, searchExperiments,
  renameExperiment, deleteExperiment, restoreExperiment, setExperimentTag, deleteExperimentTag,
  startRun, activeRun, endRun, getRun, searchRuns, deleteRun, restoreRun, setTerminated,
  logParam, logParams, logMetric, logMetrics, setTag, setTags, deleteTag,
  logArtifact, logText, logDict, logImage, listArtifacts, downloadArtifact, getMetricHistory,
  importArchive, exportArchive,
} = wasm;

const mlflow = Object.freeze({
  ready, flush,
  createExperiment, setExperiment, getExperiment, getExperimentByName, searchExperiments,
  renameExperiment, deleteExperiment, restoreExperiment, setExperimentTag, deleteExperimentTag,
  startRun, activeRun, endRun, getRun, searchRuns, deleteRun, restoreRun, setTerminated,
  logParam, logParams, logMetric, logMetrics, setTag, setTags, deleteTag,
  logArtifact, logText, logDict, logImage, listArtifacts, downloadArtifact, getMetricHistory,
  importArchive, exportArchive,
});
export default mlflow;
