// Starts the site: mlflow.js initializes the wasm (which mounts the UI into
// #ferroflow-app) and opens the store; the API is then on window.mlflow.
import mlflow from "./mlflow.js";
window.mlflow = mlflow;
performance.mark("mlflow-ready");
dispatchEvent(new CustomEvent("mlflow-ready"));
