// Entry point `crash`: logs one metric, then fails. The run ends FAILED and keeps
// error.txt (the message and the stack) next to what was logged before the throw.
export async function main({ message }, mlflow) {
  mlflow.logMetric("before_crash", 1);
  await mlflow.flush();
  explode(message);
}

function explode(message) {
  throw new Error(`demo crash: ${message}`);
}
