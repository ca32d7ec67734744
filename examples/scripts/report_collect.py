#!/usr/bin/python3
"""collect_metrics task of examples/scheduled.yaml: computes one region's business metrics
over the window [run_date - lookback, run_date). The numbers are synthetic but deterministic
(the same inputs give the same metrics), so cached and re-run executions agree.
Reads $FLYTE_INPUT_DIR/inputs.json; writes $FLYTE_OUTPUT_DIR/outputs.json. Stdlib only."""
import datetime as dt
import hashlib
import json
import os
import random


def main():
    with open(os.path.join(os.environ["FLYTE_INPUT_DIR"], "inputs.json")) as f:
        inputs = json.load(f)
    # In inputs.json a datetime is RFC 3339 text and a duration is seconds: "86400s".
    run_date = dt.datetime.fromisoformat(inputs["run_date"].replace("Z", "+00:00"))
    lookback = dt.timedelta(seconds=float(inputs["lookback"].rstrip("s")))
    start = run_date - lookback
    region, top_n = inputs["region"], inputs["top_n"]

    seed = hashlib.sha256(f"{region}/{start.isoformat()}/{run_date.isoformat()}".encode()).hexdigest()
    rng = random.Random(seed)
    days = max(lookback / dt.timedelta(days=1), 1 / 24)
    generators = {
        "orders": lambda: round(rng.gauss(400, 60) * days),
        "revenue": lambda: round(rng.gauss(38000, 5000) * days, 2),
        "refunds": lambda: round(abs(rng.gauss(12, 5)) * days),
        "new_customers": lambda: round(abs(rng.gauss(35, 10)) * days),
    }
    unknown = [m for m in inputs["metrics"] if m not in generators]
    if unknown:
        message = f"unknown metrics {unknown}; known: {sorted(generators)}"
        with open(os.path.join(os.environ["FLYTE_OUTPUT_DIR"], "_ERROR"), "w") as f:
            f.write(message)
        raise SystemExit(message)
    values = {m: generators[m]() for m in inputs["metrics"]}
    customers = sorted(((f"c{rng.randrange(10000):04d}", round(rng.uniform(100, 5000), 2))
                        for _ in range(25)), key=lambda c: -c[1])
    if top_n != "all":
        customers = customers[:int(top_n)]

    outputs = {
        "metrics": {"region": region, "values": values,
                    "top_customers": [{"id": c, "revenue": r} for c, r in customers]},
        "window_start": start.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    with open(os.path.join(os.environ["FLYTE_OUTPUT_DIR"], "outputs.json"), "w") as f:
        json.dump(outputs, f)
    print(f"{region}: {values}")


if __name__ == "__main__":
    main()
