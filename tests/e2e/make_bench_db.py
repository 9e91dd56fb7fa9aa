#!/usr/bin/env python3
"""Writes the benchmark's mlflow.db store as a zip: 200 FINISHED runs in one
experiment, 3 params each and 5 metrics x 200 steps (200,000 metric rows, with
latest_metrics), in MLflow 3.17.2's own schema (copied from a store MLflow wrote,
tests/fixtures-db/quickstart-db.zip) and filled with Python's sqlite3.

    python3 make_bench_db.py OUT.zip
"""
import io
import os
import random
import sqlite3
import sys
import tempfile
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
TEMPLATE = os.path.join(HERE, "..", "fixtures-db", "quickstart-db.zip")
KEEP = {"alembic_version", "workspaces"}

out = sys.argv[1]
rng = random.Random(200)
with tempfile.TemporaryDirectory() as tmp:
    db = os.path.join(tmp, "mlflow.db")
    with zipfile.ZipFile(TEMPLATE) as z, open(db, "wb") as f:
        f.write(z.read("mlflow.db"))
    con = sqlite3.connect(db)
    tables = [r[0] for r in con.execute("select name from sqlite_master where type='table'")]
    con.execute("pragma foreign_keys=off")
    for t in tables:
        if t not in KEEP and not t.startswith("sqlite_"):
            con.execute(f'delete from "{t}"')
    root = "/home/user/project/mlruns"
    t0 = 1_760_000_000_000
    con.execute("insert into experiments (experiment_id, name, artifact_location, lifecycle_stage,"
                " creation_time, last_update_time, workspace) values (?, ?, ?, 'active', ?, ?, 'default')",
                (0, "Default", f"{root}/0", t0, t0))
    con.execute("insert into experiments (experiment_id, name, artifact_location, lifecycle_stage,"
                " creation_time, last_update_time, workspace) values (?, ?, ?, 'active', ?, ?, 'default')",
                (1, "bench-import-200", f"{root}/1", t0, t0))
    runs, params, tags, metrics, latest = [], [], [], [], []
    for i in range(200):
        rid = "%032x" % rng.getrandbits(128)
        start = t0 + i * 1000
        runs.append((rid, f"run-{i}", "UNKNOWN", "", "", "bench", "FINISHED", start, start + 900, "",
                     "active", f"{root}/1/{rid}/artifacts", 1, None))
        params += [("lr", repr(0.001 * (i + 1)), rid), ("batch", "32", rid),
                   ("model", "cnn" if i % 2 else "mlp", rid)]
        tags.append(("mlflow.runName", f"run-{i}", rid))
        for k in range(5):
            for step in range(200):
                v = rng.random()
                metrics.append((f"m{k}", v, start + step, rid, step, 0))
            latest.append((f"m{k}", v, start + 199, 199, 0, rid))
    con.executemany("insert into runs values (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", runs)
    con.executemany('insert into params ("key", value, run_uuid) values (?,?,?)', params)
    con.executemany('insert into tags ("key", value, run_uuid) values (?,?,?)', tags)
    con.executemany('insert into metrics ("key", value, timestamp, run_uuid, step, is_nan) values (?,?,?,?,?,?)', metrics)
    con.executemany('insert into latest_metrics ("key", value, timestamp, step, is_nan, run_uuid) values (?,?,?,?,?,?)', latest)
    con.commit()
    con.execute("vacuum")
    con.close()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.write(db, "mlflow.db")
        z.writestr("mlruns/", b"")
    with open(out, "wb") as f:
        f.write(buf.getvalue())
    print(os.path.getsize(db), len(metrics))
