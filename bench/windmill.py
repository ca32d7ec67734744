#!/usr/bin/env python3
"""Windmill's published orchestrator benchmark, reproduced with flyte run.

Two flows of sequential lightweight Python tasks, as in Windmill's comparison
(windmill.dev, "Fastest self-hostable open-source workflow engine"):
  fibo10 x 40: 40 tasks in a chain, each computing a naive fibo(10)
  fibo33 x 10: 10 tasks in a chain, each computing a naive fibo(33)
Each task is a Python script (`shell: [/usr/bin/python3]`) that writes its result as a typed
int output, which the next task takes as an input, so flyte passes data along the chain.

Measured in the same run, interleaved round by round:
  flyte       `flyte run` of the flow on a warm home (one run before measuring)
  in-process  the same computations back to back in one Python process (the work itself)
  processes   the same scripts as separate `python3 -c` processes back to back (the floor of
              any engine that starts a process per task)
flyte's overhead is flyte minus in-process; its own share is flyte minus processes. Wall
times and the CPU time of the processes (user + system), medians of the rounds.

Usage: bench/windmill.py [FLYTE_BINARY] [--rounds N]     (default build/flyte, 5 rounds)
Prints a markdown table.
"""
import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

PY = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable
FIBO = "def fibo(n):\n    return n if n < 2 else fibo(n - 1) + fibo(n - 2)\n"
CASES = [("fibo10 x 40", 10, 40), ("fibo33 x 10", 33, 10)]
# Windmill's published totals for 10 x fibo(33), on their hardware (seconds).
PUBLISHED = [("Airflow", 54.7), ("Kestra", 15.8), ("Prefect", 15.5), ("Windmill", 8.3),
             ("Windmill (dedicated worker)", 7.7), ("Hatchet", 7.8), ("Temporal", 7.2)]


def flow_yaml(n, count):
    out = ["tasks:", "  fibo:", "    inputs: {n: int, prev: int}", "    outputs: {r: int}",
           "    shell: [" + PY + "]", "    script: |"]
    out += ["      " + line for line in FIBO.splitlines()]
    out += ['      with open("{{ outputs.r }}", "w") as f:',
            "          f.write(str(fibo({{ inputs.n }})))",
            "workflows:", "  flow:", "    nodes:"]
    for i in range(count):
        prev = "0" if i == 0 else '"{{ s%d.r }}"' % (i - 1)
        out.append("      s%d: {task: fibo, inputs: {n: %d, prev: %s}}" % (i, n, prev))
    return "\n".join(out) + "\n"


def children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def timed(argvs):
    """Runs the commands one after another; returns (wall, CPU of the processes) in seconds."""
    cpu, start = children_cpu(), time.perf_counter()
    for argv in argvs:
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start, children_cpu() - cpu


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("flyte", nargs="?", default="build/flyte")
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    flyte = os.path.abspath(args.flyte)
    tmp = tempfile.mkdtemp(prefix="flyte-windmill-")
    home = os.path.join(tmp, "home")
    rows = []
    for name, n, count in CASES:
        flow = os.path.join(tmp, "flow%d.yaml" % n)
        with open(flow, "w") as f:
            f.write(flow_yaml(n, count))
        one_process = FIBO + "for _ in range(%d):\n    fibo(%d)\n" % (count, n)
        task = FIBO + "open(%r, 'w').write(str(fibo(%d)))\n" % (os.path.join(tmp, "out"), n)
        run_flyte = [flyte, "run", flow, "--home", home, "--max-parallelism", "1"]
        timed([run_flyte])  # warm the home and the page cache
        commands = {"flyte": [run_flyte], "in-process": [[PY, "-c", one_process]],
                    "processes": [[PY, "-c", task]] * count}
        sides = {k: [] for k in commands}
        for r in range(args.rounds):
            # Interleaved, in a changing order, so that other work on the machine hits all sides.
            order = list(commands)[r % 3:] + list(commands)[:r % 3]
            for k in order:
                sides[k].append(timed(commands[k]))
        med = {k: (statistics.median(w for w, _ in v), statistics.median(c for _, c in v))
               for k, v in sides.items()}
        rows.append((name, count, med))
    print("| flow | flyte | in one Python process | as separate `python3` processes | flyte overhead over one process: wall (per task) | CPU (per task) | flyte's own share over bare processes: wall / CPU per task |")
    print("|---|---|---|---|---|---|---|")
    for name, count, m in rows:
        f, one, procs = m["flyte"], m["in-process"], m["processes"]
        print("| %s | %.2f s | %.2f s | %.2f s | %.2f s (%.1f ms) | %.2f s (%.1f ms) | %.1f ms / %.1f ms |" % (
            name, f[0], one[0], procs[0], f[0] - one[0], (f[0] - one[0]) / count * 1000,
            f[1] - one[1], (f[1] - one[1]) / count * 1000,
            (f[0] - procs[0]) / count * 1000, (f[1] - procs[1]) / count * 1000))
    print()
    print("Published totals for 10 x fibo(33), on Windmill's hardware: " +
          ", ".join("%s %.1f s" % p for p in PUBLISHED) + ".")
    print("(%d rounds, medians; %s; %s)" % (args.rounds, PY, subprocess.run(
        [PY, "--version"], capture_output=True, text=True).stdout.strip()))


if __name__ == "__main__":
    main()
