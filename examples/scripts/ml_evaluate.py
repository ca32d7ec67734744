#!/usr/bin/python3
"""evaluate task of examples/ml_pipeline.yaml: scores every trained model on the test set and
picks the best. Reads its inputs from $FLYTE_INPUT_DIR/inputs.json and writes all outputs at
once to $FLYTE_OUTPUT_DIR/outputs.json (the best model is copied next to it and named by a
relative path). Failed training runs arrive as null and are skipped. Standard library only."""
import csv
import json
import math
import os
import shutil
import sys


def fail(message):
    with open(os.path.join(os.environ["FLYTE_OUTPUT_DIR"], "_ERROR"), "w") as f:
        f.write(message + "\n")
    sys.exit(message)


def accuracy(model, rows):
    w, b = model["weights"], model["bias"]
    hits = 0
    for (x1, x2), y in rows:
        z = w[0] * x1 + w[1] * x2 + b
        hits += int((z > 0) == (y == 1))
    return hits / len(rows)


def main():
    out_dir = os.environ["FLYTE_OUTPUT_DIR"]
    with open(os.path.join(os.environ["FLYTE_INPUT_DIR"], "inputs.json")) as f:
        inputs = json.load(f)
    models, rates = inputs["models"], inputs["learning_rates"]
    if len(models) != len(rates):
        fail(f"got {len(models)} models for {len(rates)} learning rates")
    with open(inputs["test"], newline="") as f:
        rows = [((float(r["x1"]), float(r["x2"])), int(r["label"])) for r in csv.DictReader(f)]

    scored = []
    for i, (path, lr) in enumerate(zip(models, rates)):
        if path is None:
            print(f"model {i} (lr={lr}) failed to train; skipped")
            continue
        with open(path) as f:
            model = json.load(f)
        acc = accuracy(model, rows)
        print(f"model {i} (lr={lr}): accuracy {acc:.4f}")
        scored.append({"index": i, "lr": lr, "accuracy": round(acc, 4), "path": path})
    if not scored:
        fail("every training run failed; nothing to evaluate")

    best = max(scored, key=lambda s: (s["accuracy"], -s["index"]))
    shutil.copyfile(best["path"], os.path.join(out_dir, "best_model.json"))
    report = {
        "best": {k: best[k] for k in ("index", "lr", "accuracy")},
        "models": [{k: s[k] for k in ("index", "lr", "accuracy")} for s in scored],
        "failed": len(models) - len(scored),
        "test_rows": len(rows),
    }
    outputs = {
        "best_model": "best_model.json",  # relative to $FLYTE_OUTPUT_DIR
        "accuracy": best["accuracy"],
        "report": report,
        "accuracies": {f"lr={s['lr']}": s["accuracy"] for s in scored},
    }
    assert all(math.isfinite(s["accuracy"]) for s in scored)
    with open(os.path.join(out_dir, "outputs.json"), "w") as f:
        json.dump(outputs, f)


if __name__ == "__main__":
    main()
