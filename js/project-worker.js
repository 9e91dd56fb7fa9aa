// Ferroflow's project runner: a module Web Worker that runs one entry point of a browser
// project (mlflow.projects.run). The page that starts it sends one message:
//   { mlflow: <site>/mlflow.js, runId, module: <Blob URL of the hashed code>, path, function, params }
// This worker resumes the run (already created, with its params and tags, by the page),
// calls `await module[function](params, mlflow)`, commits what it logged, and answers
//   { kind: "done" }  or  { kind: "error", message, stack }.
// The page then ends the run (FINISHED, or FAILED with error.txt); stop() terminates this
// worker and marks the run KILLED.
let answered = false;
let mlflow = null;

async function answer(message) {
  if (answered) return;
  answered = true;
  // What the function logged before it returned or threw is kept.
  try { if (mlflow) await mlflow.flush(); } catch (e) {
    if (message.kind === "done") message = { kind: "error", message: `the run's data could not be committed: ${e?.message ?? e}`, stack: String(e?.stack ?? "") };
  }
  self.postMessage(message);
}

function failure(e) {
  const message = e instanceof Error ? `${e.name}: ${e.message}` : `Uncaught (in promise) ${typeof e === "string" ? e : JSON.stringify(e) ?? String(e)}`;
  return { kind: "error", message, stack: e instanceof Error ? String(e.stack ?? "") : "" };
}

self.addEventListener("unhandledrejection", (ev) => { ev.preventDefault(); answer(failure(ev.reason)); });
self.addEventListener("error", (ev) => { ev.preventDefault(); answer(failure(ev.error ?? new Error(ev.message))); });

self.onmessage = async ({ data }) => {
  self.onmessage = null;
  try {
    mlflow = (await import(data.mlflow)).default;
    await mlflow.startRun({ runId: data.runId });
    const mod = await import(data.module);
    const fn = mod[data.function];
    if (typeof fn !== "function") throw new TypeError(`the module ${data.path} exports no function '${data.function}'`);
    await fn(data.params, mlflow);
    await answer({ kind: "done" });
  } catch (e) {
    await answer(failure(e));
  }
};
