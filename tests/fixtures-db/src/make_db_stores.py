#!/usr/bin/env python3
"""Writes the MLflow SQLite stores of tests/fixtures-db/ with the real MLflow (the
.venv's 3.17.2), each zip with its expected `oracle_db.py dump` next to it:

* quickstart-db: MLflow's quick start as a Python user runs it with no configuration
  (MLflow >= 3.7 then writes ./mlflow.db and ./mlruns/): the iris LogisticRegression run
  with `mlflow.sklearn.log_model(..., registered_model_name=...)`, a sweep experiment of
  runs logging params, stepped metrics (NaN and inf included) and tags, a nested run, a
  text and a dict artifact, an alias on the registered model, a deleted experiment.
* wal-db: a store switched to WAL mode and copied while a connection is open, so the
  last run is only in mlflow.db-wal (the main file alone lacks it).
* server-db: a store written through `mlflow server` (proxied artifacts:
  `mlflow-artifacts:/` URIs, files in ./mlartifacts/), with a logged model and alias.
* truncated-db: quickstart-db's mlflow.db cut mid-page (its header still counts every
  page), and garbage-db: an mlflow.db of random bytes. MLflow refuses both.

    .venv/bin/python tests/fixtures-db/src/make_db_stores.py

Ids and times differ on every run; the zips and dumps are committed together.
"""
import json
import os
import random
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.dirname(HERE)
ORACLE_DB = os.path.join(os.path.dirname(OUT), "oracle", "oracle_db.py")
for var in ("MLFLOW_TRACKING_URI", "MLFLOW_REGISTRY_URI", "MLFLOW_EXPERIMENT_NAME"):
    os.environ.pop(var, None)
os.environ["MLFLOW_DISABLE_TELEMETRY"] = "true"


def zip_store(folder, out, names=None):
    """Zips the files of `folder` (only `names` at its top level, if given)."""
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for root, dirs, files in os.walk(folder):
            dirs.sort()
            rel_root = os.path.relpath(root, folder)
            if rel_root == "." and names is not None:
                dirs[:] = [d for d in dirs if d in names]
                files = [f for f in files if f in names]
            for f in sorted(files):
                full = os.path.join(root, f)
                z.write(full, os.path.relpath(full, folder))


def dump(zip_path):
    res = subprocess.run([sys.executable, ORACLE_DB, "dump", zip_path], capture_output=True, text=True)
    if res.returncode != 0:
        raise SystemExit(f"oracle_db dump {zip_path}: {res.stderr}")
    with open(zip_path[:-4] + ".json", "w") as f:
        f.write(res.stdout)
    return json.loads(res.stdout)


def quickstart(work):
    """Runs in `work` as cwd with no tracking URI: MLflow picks sqlite:///mlflow.db."""
    import mlflow
    from mlflow.models import infer_signature
    from sklearn import datasets
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import accuracy_score
    from sklearn.model_selection import train_test_split

    os.chdir(work)
    assert mlflow.get_tracking_uri().startswith("sqlite:"), mlflow.get_tracking_uri()
    X, y = datasets.load_iris(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=42)
    params = {"solver": "lbfgs", "max_iter": 1000, "multi_class": "auto", "random_state": 8888}
    lr = LogisticRegression(**{k: v for k, v in params.items() if k != "multi_class"})
    lr.fit(X_train, y_train)
    accuracy = accuracy_score(y_test, lr.predict(X_test))

    mlflow.set_experiment("MLflow Quickstart")
    with mlflow.start_run(run_name="quickstart-lr") as run:
        mlflow.log_params(params)
        mlflow.log_metric("accuracy", accuracy)
        mlflow.set_tag("Training Info", "Basic LR model for iris data")
        signature = infer_signature(X_train, lr.predict(X_train))
        info = mlflow.sklearn.log_model(sk_model=lr, name="iris_model", signature=signature,
                                        input_example=X_train[:3],
                                        registered_model_name="tracking-quickstart")
        mlflow.log_metric("test_accuracy", accuracy, model_id=info.model_id)
        mlflow.log_text("iris, 80/20 split, seed 42\n", "notes/split.txt")
    client = mlflow.MlflowClient()
    client.set_registered_model_alias("tracking-quickstart", "champion", info.registered_model_version)
    client.set_registered_model_tag("tracking-quickstart", "task", "classification")

    mlflow.set_experiment("quickstart-sweep")
    for i, c in enumerate([0.1, 1.0, 10.0]):
        with mlflow.start_run(run_name=f"C={c}"):
            mlflow.log_params({"C": c, "penalty": "l2"})
            for step in range(30):
                mlflow.log_metric("loss", 1.0 / (1 + step * c) + i * 1e-9, step=step)
            mlflow.log_metric("odd", [float("nan"), float("inf"), -float("inf")][i])
            mlflow.set_tags({"sweep": "C", "index": str(i)})
            if i == 1:
                with mlflow.start_run(run_name="child", nested=True):
                    mlflow.log_metric("inner", 3.0)
                mlflow.log_dict({"C": c, "classes": [0, 1, 2]}, "config.json")
    gone = mlflow.create_experiment("abandoned", tags={"reason": "typo"})
    with mlflow.start_run(experiment_id=gone, run_name="lost"):
        mlflow.log_metric("x", 1.0)
    client.delete_experiment(gone)
    return run.info.run_id


def wal_store(work):
    """A store in WAL mode whose last run is only in the -wal file when copied."""
    import mlflow

    os.chdir(work)
    mlflow.set_experiment("wal-experiment")
    with mlflow.start_run(run_name="checkpointed"):
        mlflow.log_param("where", "main file")
        mlflow.log_metric("m", 1.0)
    holder = sqlite3.connect(os.path.join(work, "mlflow.db"))
    assert holder.execute("pragma journal_mode=wal").fetchone()[0] == "wal"
    holder.execute("pragma wal_checkpoint(TRUNCATE)")
    holder.execute("select count(*) from runs").fetchone()   # keep a reader open
    with mlflow.start_run(run_name="only-in-the-wal"):
        mlflow.log_param("where", "wal")
        for step in range(5):
            mlflow.log_metric("m", step * 0.5, step=step)
        mlflow.log_text("written while in WAL mode\n", "wal.txt")
    assert os.path.getsize(os.path.join(work, "mlflow.db-wal")) > 0
    copy = tempfile.mkdtemp()
    for name in ("mlflow.db", "mlflow.db-wal"):
        shutil.copy(os.path.join(work, name), os.path.join(copy, name))
    shutil.copytree(os.path.join(work, "mlruns"), os.path.join(copy, "mlruns"))
    holder.close()
    return copy


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_store(work):
    """Logs through `mlflow server` (sqlite backend, proxied artifacts in ./mlartifacts)."""
    port = free_port()
    server = subprocess.Popen(
        [os.path.join(os.path.dirname(sys.executable), "mlflow"), "server", "--host", "127.0.0.1",
         "--port", str(port), "--backend-store-uri", "sqlite:///mlflow.db", "--workers", "1"],
        cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}"
        for _ in range(240):
            try:
                urllib.request.urlopen(url + "/health", timeout=1)
                break
            except OSError:
                time.sleep(0.5)
        else:
            raise SystemExit("mlflow server did not start")
        import mlflow
        import mlflow.pyfunc

        mlflow.set_tracking_uri(url)
        mlflow.set_experiment("served")

        class Doubler(mlflow.pyfunc.PythonModel):
            def predict(self, context, model_input, params=None):
                return model_input * 2

        with mlflow.start_run(run_name="through-the-server"):
            mlflow.log_params({"lr": 0.01, "epochs": 3})
            for step in range(10):
                mlflow.log_metric("val_loss", 1 / (step + 1), step=step)
            mlflow.log_text("served artifact\n", "reports/summary.txt")
            info = mlflow.pyfunc.log_model(name="doubler", python_model=Doubler(),
                                           pip_requirements=["mlflow"],
                                           registered_model_name="served-model")
        client = mlflow.MlflowClient()
        client.set_registered_model_alias("served-model", "prod", info.registered_model_version)
    finally:
        server.terminate()
        server.wait(timeout=60)
    mlflow.set_tracking_uri(None)
    assert os.path.isdir(os.path.join(work, "mlartifacts")), os.listdir(work)
    return work


def main():
    child = len(sys.argv) > 1 and sys.argv[1]
    if child == "quickstart":
        quickstart(sys.argv[2])
        return
    if child == "wal":
        print(wal_store(sys.argv[2]))
        return
    if child == "server":
        server_store(sys.argv[2])
        return
    root = tempfile.mkdtemp(prefix="ferroflow-db-stores-")
    for name in ("quickstart", "wal", "server"):
        work = os.path.join(root, name)
        os.makedirs(work)
        res = subprocess.run([sys.executable, __file__, name, work], check=True, capture_output=True,
                             text=True)
        folder = res.stdout.strip().splitlines()[-1] if name == "wal" else work
        out = os.path.join(OUT, f"{name}-db.zip")
        keep = {"mlflow.db", "mlflow.db-wal", "mlruns", "mlartifacts"}
        zip_store(folder, out, keep)
        doc = dump(out)
        runs = sum(len(e["runs"]) for e in doc["experiments"].values())
        print(f"{name}-db.zip: {os.path.getsize(out)} bytes, {runs} runs,"
              f" {len(doc['registered_models'])} registered models")

    # The broken ones, from the quick start's files.
    db = open(os.path.join(root, "quickstart", "mlflow.db"), "rb").read()
    cut = (len(db) // 2) // 4096 * 4096 + 1000     # mid-page, well inside the b-trees
    with zipfile.ZipFile(os.path.join(OUT, "truncated-db.zip"), "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("mlflow.db", db[:cut])
    rng = random.Random(7)
    with zipfile.ZipFile(os.path.join(OUT, "garbage-db.zip"), "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("mlflow.db", bytes(rng.getrandbits(8) for _ in range(8192)))
    for broken in ("truncated-db.zip", "garbage-db.zip"):
        res = subprocess.run([sys.executable, ORACLE_DB, "dump", os.path.join(OUT, broken)],
                             capture_output=True, text=True)
        print(f"{broken}: oracle_db exit {res.returncode}: {res.stderr.strip()}")
        assert res.returncode in (2, 3)
    shutil.rmtree(root)


if __name__ == "__main__":
    main()
