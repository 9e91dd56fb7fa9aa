// Entry point `main`: fits a line to data.csv and logs the loss curve, the fit and a
// summary. `mlflow` is Ferroflow's API with this run already active.
import { parseCsv, fitLine, minMax } from "./lib/util.js";

export async function main({ lr, epochs, label, data, docs }, mlflow) {
  const { names, rows } = parseCsv(new TextDecoder().decode(data)); // a `path` parameter arrives as bytes
  const { scaled, min, span } = minMax(rows.map((r) => r[0]));
  const ys = rows.map((r) => r[1]);

  await mlflow.logParam("n_samples", rows.length);
  await mlflow.setTag("demo.label", label);
  await mlflow.setTag("demo.docs", docs); // a `uri` parameter arrives resolved against the project

  const fit = fitLine(scaled, ys, {
    lr,
    epochs,
    onEpoch: (epoch, loss) => mlflow.logMetric("loss", loss, { step: epoch }),
  });
  mlflow.logMetric("final_loss", fit.loss);

  // Back in the data's units: y = slope·x + intercept.
  const slope = fit.w / span;
  const intercept = fit.b - slope * min;
  await mlflow.logDict({ label, columns: names, slope, intercept, loss: fit.loss }, "summary.json");
  await mlflow.logText(`y = ${slope} * ${names[0]} + ${intercept}\n`, "model.txt");
}
