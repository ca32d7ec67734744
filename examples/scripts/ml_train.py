#!/usr/bin/python3
"""train task of examples/ml_pipeline.yaml: fits a logistic regression by stochastic gradient
descent (plain or with momentum) and writes the model as JSON and its final training loss.
A learning rate that makes training diverge fails the attempt with a clear message.
Standard library only."""
import argparse
import csv
import json
import math
import os
import random
import sys


def fail(message):
    out = os.environ.get("FLYTE_OUTPUT_DIR")
    if out:
        with open(os.path.join(out, "_ERROR"), "w") as f:
            f.write(message + "\n")
    sys.exit(message)


def sigmoid(z):
    z = max(-60.0, min(60.0, z))
    return 1.0 / (1.0 + math.exp(-z))


def read_rows(path):
    with open(path, newline="") as f:
        return [((float(r["x1"]), float(r["x2"])), int(r["label"])) for r in csv.DictReader(f)]


def log_loss(rows, w, b):
    total = 0.0
    for (x1, x2), y in rows:
        p = min(max(sigmoid(w[0] * x1 + w[1] * x2 + b), 1e-12), 1 - 1e-12)
        total -= y * math.log(p) + (1 - y) * math.log(1 - p)
    return total / len(rows)


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--data", required=True)
    p.add_argument("--lr", type=float, required=True)
    p.add_argument("--epochs", type=int, default=50)
    p.add_argument("--optimizer", choices=["sgd", "momentum"], default="sgd")
    p.add_argument("--model", required=True, help="where to write the model (JSON)")
    p.add_argument("--loss", required=True, help="where to write the final training loss")
    a = p.parse_args()

    rows = read_rows(a.data)
    if not rows:
        fail(f"{a.data} holds no rows")
    attempt = os.environ.get("FLYTE_ATTEMPT", "0")
    print(f"training on {len(rows)} rows: lr={a.lr} epochs={a.epochs} "
          f"optimizer={a.optimizer} attempt={attempt}")

    rng = random.Random(0)
    w, b = [0.0, 0.0], 0.0
    vw, vb = [0.0, 0.0], 0.0
    beta = 0.9 if a.optimizer == "momentum" else 0.0
    for epoch in range(a.epochs):
        rng.shuffle(rows)
        for (x1, x2), y in rows:
            g = sigmoid(w[0] * x1 + w[1] * x2 + b) - y
            vw = [beta * vw[0] + g * x1, beta * vw[1] + g * x2]
            vb = beta * vb + g
            w = [w[0] - a.lr * vw[0], w[1] - a.lr * vw[1]]
            b -= a.lr * vb
        loss = log_loss(rows, w, b)
        if not math.isfinite(loss) or loss > 2.0:
            fail(f"training diverged at epoch {epoch} with lr={a.lr} (loss {loss:.3g}); "
                 "use a smaller learning rate")
        if epoch % 10 == 0 or epoch == a.epochs - 1:
            print(f"epoch {epoch:4d}  loss {loss:.4f}")

    with open(a.model, "w") as f:
        json.dump({"weights": w, "bias": b, "lr": a.lr, "epochs": a.epochs,
                   "optimizer": a.optimizer, "train_loss": loss}, f)
    with open(a.loss, "w") as f:
        f.write(f"{loss:.6f}\n")


if __name__ == "__main__":
    main()
