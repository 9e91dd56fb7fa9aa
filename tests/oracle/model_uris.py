"""Resolve model URIs in an exported store with MLflow, as a user of the store would.

    python model_uris.py EXPORT.zip URI [URI ...]

Unzips EXPORT.zip into a temporary folder and works from there, so relative artifact
locations (`mlruns/1/models/m-.../artifacts`, what the browser writes) resolve as they
do for `mlflow ui` run beside `mlruns/`. For each URI, `mlflow.models.get_model_info`
is called; prints one JSON object (URI -> flavors and MLmodel fields, or the error)
and exits 1 if any URI failed.
"""
import json
import logging
import os
import shutil
import sys
import tempfile
import warnings
import zipfile

os.environ["MLFLOW_ALLOW_FILE_STORE"] = "true"
os.environ["MLFLOW_DISABLE_TELEMETRY"] = "true"
warnings.filterwarnings("ignore")
logging.getLogger("mlflow").setLevel(logging.ERROR)


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    zip_path, uris = os.path.abspath(argv[0]), argv[1:]
    base = tempfile.mkdtemp(prefix="ferroflow-model-uris-")
    try:
        with zipfile.ZipFile(zip_path) as z:
            z.extractall(base)
        os.chdir(base)
        import mlflow

        store = "file://" + os.path.join(base, "mlruns")
        mlflow.set_tracking_uri(store)
        mlflow.set_registry_uri(store)
        out, failed = {}, False
        for uri in uris:
            try:
                info = mlflow.models.get_model_info(uri)
                out[uri] = {
                    "flavors": info.flavors,
                    "model_uuid": info.model_uuid,
                    "run_id": info.run_id,
                    "metadata": info.metadata,
                }
            except Exception as e:  # report every URI, not just the first failure
                out[uri] = {"error": f"{type(e).__name__}: {e}".replace(base, "$BASE")}
                failed = True
        print(json.dumps(out, indent=1, sort_keys=True, ensure_ascii=False))
        return 1 if failed else 0
    finally:
        os.chdir("/")
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
