"""The `python` entry point: what MLflow's own CLI would run (`mlflow run . -e python`).

A browser cannot run a command, so Ferroflow lists this entry point as not runnable.
"""
import argparse
import csv

import mlflow

parser = argparse.ArgumentParser()
parser.add_argument("--lr", type=float, default=0.1)
args = parser.parse_args()

with open("data.csv") as f:
    rows = [(float(r["x"]), float(r["y"])) for r in csv.DictReader(f)]
xs = [x for x, _ in rows]
lo, span = min(xs), (max(xs) - min(xs)) or 1.0
xs = [(x - lo) / span for x in xs]
ys = [y for _, y in rows]

w = b = 0.0
with mlflow.start_run():
    for epoch in range(20):
        errs = [w * x + b - y for x, y in zip(xs, ys)]
        w -= args.lr * sum(2 * e * x for e, x in zip(errs, xs)) / len(xs)
        b -= args.lr * sum(2 * e for e in errs) / len(xs)
        loss = sum((w * x + b - y) ** 2 for x, y in zip(xs, ys)) / len(xs)
        mlflow.log_metric("loss", loss, step=epoch)
