#!/usr/bin/python3
"""render_report task of examples/scheduled.yaml: renders the metrics as a Markdown report
and lists the metrics that fell below their thresholds.
Usage: report_render.py TITLE REPORT ALERTS ALERT_COUNT: the paths of the three outputs
(the other inputs come from $FLYTE_INPUT_DIR/inputs.json)."""
import json
import os
import sys


def main():
    title, report_path, alerts_path, count_path = sys.argv[1:5]
    with open(os.path.join(os.environ["FLYTE_INPUT_DIR"], "inputs.json")) as f:
        inputs = json.load(f)
    metrics, thresholds = inputs["metrics"], inputs["thresholds"]
    alerts = [f"{name} is {metrics['values'][name]}, below {limit}"
              for name, limit in sorted(thresholds.items())
              if name in metrics["values"] and metrics["values"][name] < limit]

    lines = [f"# {title}", "", f"Window start: {inputs['window_start']}", "",
             "| metric | value |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in metrics["values"].items()]
    lines += ["", "## Top customers", ""]
    lines += [f"{i + 1}. {c['id']}: {c['revenue']}" for i, c in enumerate(metrics["top_customers"])]
    if alerts:
        lines += ["", "## Alerts", ""] + [f"- {a}" for a in alerts]
    with open(report_path, "w") as f:
        f.write("\n".join(lines) + "\n")
    with open(alerts_path, "w") as f:
        json.dump(alerts, f)  # a list[str] output is written as JSON
    with open(count_path, "w") as f:
        f.write(f"{len(alerts)}\n")  # a scalar output is written as text
    print(f"{len(alerts)} alert(s)")


if __name__ == "__main__":
    main()
