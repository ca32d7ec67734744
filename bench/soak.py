#!/usr/bin/python3
"""Soak test of `flyte serve` under mixed load (Python standard library only).

  soak.py FLYTE WORKDIR [--seconds S] [--sample S] [--check]

One server; for S seconds (default 3600) four kinds of clients run at once:
  - creators: single-task executions, a tenth of them failing, a twentieth sleeping long
    enough to be terminated by another client;
  - readers: GETs of executions, node lists, logs, filtered and paged lists;
  - streamers: event streams and log follows opened, read a little, and dropped;
  - a misbehaving client: bad bodies, unknown routes, foreign origins, half-sent requests.
Every SAMPLE seconds (default 30) it prints the server's RSS, open descriptors and threads.
With --check it exits 1 unless, once the load stops and the server is idle again, descriptors
and threads are back to within a small margin of where they were after warm-up, and RSS grew
by at most 15 MiB over the warm-up sample: what a leak of memory, files or threads would fail.
The suite runs a 60 s version (tests/CMakeLists.txt, `soak_short`); run the hour with
  python3 bench/soak.py build/flyte /tmp/soak --seconds 3600
"""
import argparse
import http.client
import json
import os
import random
import signal
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from server_load import Client, start_server, proc_status  # noqa: E402

PROJECT, DOMAIN = "flytesnacks", "development"
WORKFLOW = """# bench/soak.py
tasks:
  ok:
    inputs: {i: int}
    outputs: {o: int}
    script: |
      echo "line for {{ inputs.i }}"
      echo {{ inputs.i }} > "{{ outputs.o }}"
  bad:
    inputs: {i: int}
    script: |
      echo "failing {{ inputs.i }}" >&2
      exit 3
  slow:
    inputs: {i: int}
    script: sleep 30
"""
LIST = f"/api/v1/executions/{PROJECT}/{DOMAIN}"


def fds(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def sample(pid):
    s = proc_status(pid)
    return {"rss_mib": s["VmRSS"] / 1024, "fds": fds(pid), "threads": s["Threads"]}


class Load:
    def __init__(self, host, port, deadline):
        self.host, self.port, self.deadline = host, port, deadline
        self.errors = []
        self.counts = {"created": 0, "reads": 0, "streams": 0, "hostile": 0, "terminated": 0}
        self.names = []
        self.lock = threading.Lock()

    def alive(self):
        return time.monotonic() < self.deadline and len(self.errors) < 20

    def error(self, what):
        with self.lock:
            self.errors.append(what)

    def creator(self, c):
        cl = Client(self.host, self.port)
        k = 0
        while self.alive():
            k += 1
            r = random.random()
            task = "slow" if r < 0.05 else "bad" if r < 0.15 else "ok"
            name = f"c{c}-{k}-{random.randrange(1 << 30):x}"
            s, b, _ = cl.request("POST", "/api/v1/executions", {
                "project": PROJECT, "domain": DOMAIN, "task": {"name": task}, "inputs": {"i": k}, "name": name})
            if s != 200:
                self.error(f"create answered {s}: {b[:200]!r}")
                continue
            with self.lock:
                self.counts["created"] += 1
                self.names.append((name, task))
            if task == "slow":
                time.sleep(0.2)
                s, _, _ = cl.request("DELETE", f"{LIST}/{name}", {"cause": "soak"})
                if s not in (200, 409):
                    self.error(f"terminate answered {s}")
                with self.lock:
                    self.counts["terminated"] += 1
            time.sleep(0.02)
        cl.close()

    def pick(self):
        with self.lock:
            return random.choice(self.names[-200:]) if self.names else None

    def reader(self):
        cl = Client(self.host, self.port)
        while self.alive():
            got = self.pick()
            paths = [f"{LIST}?limit=20", f"{LIST}?filters=eq(phase,FAILED)&limit=5", "/api/v1/projects",
                     "/healthcheck", "/metrics"]
            if got:
                name, task = got
                paths += [f"{LIST}/{name}", f"/api/v1/node_executions/{PROJECT}/{DOMAIN}/{name}"]
            for p in paths:
                s, b, _ = cl.request("GET", p)
                if s != 200:
                    self.error(f"GET {p} answered {s}: {b[:200]!r}")
            with self.lock:
                self.counts["reads"] += len(paths)
            time.sleep(0.05)
        cl.close()

    def streamer(self):
        while self.alive():
            got = self.pick()
            path = "/api/v1/events"
            if got and random.random() < 0.5:
                path = f"/api/v1/logs/{PROJECT}/{DOMAIN}/{got[0]}/{got[1]}?follow=true"
            try:
                conn = http.client.HTTPConnection(self.host, self.port, timeout=10)
                conn.request("GET", path)
                r = conn.getresponse()
                if r.status not in (200, 404):
                    self.error(f"stream {path} answered {r.status}")
                r.read1(256) if r.status == 200 else r.read()
                conn.close()  # dropped mid-stream
            except (OSError, http.client.HTTPException) as e:
                self.error(f"stream {path}: {e}")
            with self.lock:
                self.counts["streams"] += 1
            time.sleep(0.1)

    def hostile(self):
        cl = Client(self.host, self.port)
        while self.alive():
            for method, path, body in [("POST", "/api/v1/executions", {"nope": 1}),
                                       ("GET", "/api/v1/nothing", None),
                                       ("POST", "/api/v1/register", {"content": "tasks: [oops"})]:
                s, _, _ = cl.request(method, path, body)
                if s < 400 or s >= 500:
                    self.error(f"{method} {path} with a bad body answered {s}")
            # A foreign origin and a half-sent request, on connections of their own.
            for raw in (b"POST /api/v1/register HTTP/1.1\r\nHost: x\r\nOrigin: http://evil.example\r\n"
                        b"Content-Type: text/plain\r\nContent-Length: 2\r\n\r\n{}",
                        b"GET /healthcheck HTTP/1.1\r\nHost: 127.0.0.1"):
                try:
                    with socket.create_connection((self.host, self.port), timeout=10) as sk:
                        sk.sendall(raw)
                        if raw.endswith(b"{}"):
                            status = sk.recv(64).split(b" ")[1]
                            if status != b"403":
                                self.error(f"a foreign origin got {status!r}")
                except OSError as e:
                    self.error(f"hostile connection: {e}")
            with self.lock:
                self.counts["hostile"] += 1
            time.sleep(0.2)
        cl.close()


def wait_idle(cl, deadline_s=90):
    t0 = time.monotonic()
    while time.monotonic() - t0 < deadline_s:
        busy = 0
        for ph in ("QUEUED", "RUNNING", "ABORTING"):
            s, b, _ = cl.request("GET", f"{LIST}?limit=1&filters=eq(phase,{ph})")
            busy += len(json.loads(b)["executions"]) if s == 200 else 1
        if not busy:
            return True
        time.sleep(0.2)
    return False


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("flyte")
    ap.add_argument("workdir")
    ap.add_argument("--seconds", type=float, default=3600)
    ap.add_argument("--sample", type=float, default=30)
    ap.add_argument("--check", action="store_true")
    a = ap.parse_args()
    os.makedirs(a.workdir, exist_ok=True)
    p, host, port, _, err_path = start_server(a.flyte, a.workdir)
    try:
        m = Client(host, port)
        s, b, _ = m.request("POST", "/api/v1/register", {"content": WORKFLOW})
        if s != 200:
            raise SystemExit(f"soak.py: register answered {s}: {b[:300]!r}")
        load = Load(host, port, time.monotonic() + a.seconds)
        workers = ([threading.Thread(target=load.creator, args=(c,)) for c in range(4)] +
                   [threading.Thread(target=load.reader) for _ in range(2)] +
                   [threading.Thread(target=load.streamer) for _ in range(3)] +
                   [threading.Thread(target=load.hostile)])
        for w in workers:
            w.start()
        t0 = time.monotonic()
        warm = None
        print(f"{'t (s)':>7} {'RSS MiB':>8} {'fds':>5} {'threads':>7}  load", flush=True)
        next_sample = min(a.sample, a.seconds / 4)
        while any(w.is_alive() for w in workers):
            time.sleep(0.2)
            if time.monotonic() - t0 >= next_sample:
                sm = sample(p.pid)
                if warm is None:
                    warm = sm
                print(f"{time.monotonic() - t0:7.0f} {sm['rss_mib']:8.1f} {sm['fds']:5d} {sm['threads']:7d}  {load.counts}",
                      flush=True)
                next_sample += min(a.sample, a.seconds / 4)
        for w in workers:
            w.join()
        idle_ok = wait_idle(m)
        m.close()
        time.sleep(3.0)  # idle trim after 2 s; idle connection threads linger 30 s at most
        end = sample(p.pid)
        print(f"{'idle':>7} {end['rss_mib']:8.1f} {end['fds']:5d} {end['threads']:7d}  {load.counts}", flush=True)
        problems = list(load.errors)
        if not idle_ok:
            problems.append("executions still running 90 s after the load stopped")
        if a.check and warm is not None:
            if end["fds"] > warm["fds"] + 8:
                problems.append(f"open descriptors grew from {warm['fds']} to {end['fds']}")
            if end["rss_mib"] > warm["rss_mib"] + 15:
                problems.append(f"RSS grew from {warm['rss_mib']:.1f} to {end['rss_mib']:.1f} MiB")
            # Connection threads linger up to 30 s after their last connection.
            if end["threads"] > warm["threads"] + 40:
                problems.append(f"threads grew from {warm['threads']} to {end['threads']}")
            if load.counts["created"] < 20:
                problems.append(f"only {load.counts['created']} executions were created")
    finally:
        p.send_signal(signal.SIGTERM)
        rc = p.wait(timeout=60)
    if rc != 0:
        problems.append(f"flyte serve exited {rc}: {open(err_path).read()[-2000:]}")
    for pr in problems:
        print(f"soak.py: {pr}", file=sys.stderr)
    print("soak: " + ("FAILED" if problems else "ok"))
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
