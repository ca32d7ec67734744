#!/usr/bin/python3
"""prepare task of examples/ml_pipeline.yaml: makes a synthetic two-feature binary
classification data set (a linear boundary with label noise) and splits it into train and
test CSV files. Standard library only."""
import argparse
import csv
import json
import os
import random
import sys


def fail(message):
    # $FLYTE_OUTPUT_DIR/_ERROR is the message flyte shows for a failed attempt.
    out = os.environ.get("FLYTE_OUTPUT_DIR")
    if out:
        with open(os.path.join(out, "_ERROR"), "w") as f:
            f.write(message + "\n")
    sys.exit(message)


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--rows", type=int, required=True)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--test-fraction", type=float, default=0.2)
    p.add_argument("--train", required=True, help="where to write the training CSV")
    p.add_argument("--test", required=True, help="where to write the test CSV")
    p.add_argument("--stats", required=True, help="where to write the JSON statistics")
    a = p.parse_args()
    if a.rows < 20:
        fail(f"rows must be at least 20, got {a.rows}")
    if not 0.05 <= a.test_fraction <= 0.5:
        fail(f"test_fraction must be between 0.05 and 0.5, got {a.test_fraction}")

    rng = random.Random(a.seed)
    rows = []
    for _ in range(a.rows):
        x1, x2 = rng.uniform(-3, 3), rng.uniform(-3, 3)
        label = 1 if 1.5 * x1 - x2 + 0.5 > 0 else 0
        if rng.random() < 0.05:  # label noise: no model reaches 100%
            label = 1 - label
        rows.append((round(x1, 4), round(x2, 4), label))

    n_test = max(1, int(len(rows) * a.test_fraction))
    test, train = rows[:n_test], rows[n_test:]
    for path, part in ((a.train, train), (a.test, test)):
        with open(path, "w", newline="") as f:
            writer = csv.writer(f, lineterminator="\n")
            writer.writerow(["x1", "x2", "label"])
            writer.writerows(part)

    stats = {
        "rows": len(rows),
        "train_rows": len(train),
        "test_rows": len(test),
        "positive_rate": round(sum(r[2] for r in rows) / len(rows), 4),
        "seed": a.seed,
    }
    with open(a.stats, "w") as f:
        json.dump(stats, f)
    print(f"prepared {len(train)} training and {len(test)} test rows (seed {a.seed})")


if __name__ == "__main__":
    main()
