// Entry point `forever`: logs a heartbeat metric until stopped (stop() in JS, or the
// Stop button on the site), which ends the worker and marks the run KILLED.
export async function tick({ every_ms }, mlflow) {
  for (let step = 0; ; step++) {
    mlflow.logMetric("heartbeat", step, { step });
    await new Promise((resolve) => setTimeout(resolve, every_ms));
  }
}
