#!/usr/bin/python3
"""Pod task overhead of `flyte run --kubeconfig` against the fake API server (scripted kubelet).

Runs a map of N tasks as Pods at --max-pods P and reports flyte's own CPU per Pod attempt
(create the inputs ConfigMap and the Pod, follow the watch, stream the log, delete). The
tasks declare no outputs: the scripted kubelet runs no command, so no termination message comes
back (the process mode, which runs the in-Pod program, is what the tests use)., its peak
RSS against the same map run as local `true` processes in the same round (so the ratio holds on
a noisy machine), and how many watch connections it opened. The fake's own CPU is not counted:
it is a separate process. Targets (docs/benchmarks.md): <= 2 ms of flyte CPU per Pod attempt,
one watch connection, RSS growth <= 20 MB over the local run.

Usage: bench/kube_pods.py [FLYTE] [--tasks N] [--max-pods P] [--rounds R]   (KEEP=1 keeps the temp dir)
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def workflow(n):
    return f"""
tasks:
  t:
    inputs: {{i: int}}
    image: debian:12
    script: echo {{{{ inputs.i }}}}
workflows:
  w:
    nodes:
      m:
        map: t
        inputs: {{i: {list(range(n))}}}
"""


def run(argv, env):
    """Runs a child; returns (seconds, user+sys CPU seconds, max RSS KiB, stdout).

    wait4 gives this child's own rusage (RUSAGE_CHILDREN's ru_maxrss is the largest of all
    children so far, which hid every round's RSS after the first); its output goes to files,
    so nothing waits on a pipe meanwhile."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.monotonic()
        p = subprocess.Popen(argv, env=env, stdout=out, stderr=err)
        _, status, usage = os.wait4(p.pid, 0)
        wall = time.monotonic() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode(errors="replace")
    if p.returncode != 0:
        sys.exit(f"kube_pods.py: {' '.join(argv)} failed ({p.returncode}):\n{stderr[-2000:]}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("flyte", nargs="?", default=os.path.join(ROOT, "build/flyte"))
    ap.add_argument("--tasks", type=int, default=1000)
    ap.add_argument("--max-pods", type=int, default=100)
    ap.add_argument("--rounds", type=int, default=1)
    a = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="flyte-kube-bench-")
    wf = os.path.join(tmp, "wf.yaml")
    with open(wf, "w") as f:
        f.write(workflow(a.tasks))
    fake = subprocess.Popen(
        ["/usr/bin/python3", os.path.join(ROOT, "tests/support/fake_kube"), "--port", "0", "--state-dir",
         os.path.join(tmp, "fake"), "--kubelet", "scripted", "--no-events", "--step", "0.01", "--stdin-lifeline"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    ready = json.loads(fake.stdout.readline())
    env = dict(os.environ, TERM="dumb")
    rows = []
    try:
        for r in range(a.rounds):
            home = os.path.join(tmp, f"home{r}")
            # The reference: the same map as local processes (no image used without Kubernetes).
            lwall, lcpu, lrss, _ = run([a.flyte, "run", wf, "w", "--home", home + "-local", "-o", "json"], env)
            subprocess.run(["curl", "-s", "-X", "DELETE", ready["url"] + "/_fake/requests"], stdout=subprocess.DEVNULL)
            kwall, kcpu, krss, out = run([a.flyte, "run", wf, "w", "--home", home, "-o", "json", "--kubeconfig",
                                          ready["kubeconfig"], "--max-pods", str(a.max_pods)], env)
            report = json.loads(out)
            assert report["phase"] == "SUCCEEDED", report["phase"]
            log = json.loads(subprocess.run(["curl", "-s", ready["url"] + "/_fake/requests"], stdout=subprocess.PIPE,
                                            text=True).stdout)["requests"]
            watches = sum(1 for e in log if e.get("watch"))
            creates = sum(1 for e in log if e["method"] == "POST" and e["path"].endswith("/pods"))
            kinds = {}
            for e in log:
                parts = e["path"].split("/")
                kind = parts[-1] if parts[-1] in ("pods", "configmaps", "log") else parts[-2] if len(parts) > 1 else ""
                key = e["method"] + " " + kind + (" watch" if e.get("watch") else "")
                kinds[key] = kinds.get(key, 0) + 1
            print("# requests:", ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())), file=sys.stderr)
            rows.append((lwall, lcpu, lrss, kwall, kcpu, krss, watches, creates))
    finally:
        fake.stdin.close()
        fake.terminate()
        fake.wait()
        if not os.environ.get("KEEP"):  # each run's homes and the fake's state: ~300 MB per 300 Pods
            shutil.rmtree(tmp, ignore_errors=True)
    print(f"| {a.tasks} Pod tasks, max_pods {a.max_pods} | figure | target |")
    print("|---|---|---|")
    for lwall, lcpu, lrss, kwall, kcpu, krss, watches, creates in rows:
        print(f"| flyte CPU per Pod attempt | {kcpu / a.tasks * 1000:.2f} ms (local process: "
              f"{lcpu / a.tasks * 1000:.2f} ms) | <= 2 ms |")
        print(f"| wall | {kwall:.1f} s (local {lwall:.1f} s) | |")
        print(f"| peak RSS | {krss / 1024:.1f} MiB (local {lrss / 1024:.1f} MiB; +{(krss - lrss) / 1024:.1f}) "
              f"| +20 MiB at most |")
        print(f"| watch requests | {watches} | 1 connection per kind |")
        print(f"| Pods created | {creates} | {a.tasks} |")


if __name__ == "__main__":
    main()
