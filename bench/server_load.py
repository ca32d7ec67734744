#!/usr/bin/python3
"""Load benchmark of `flyte serve` (driven by bench/run_server.sh; Python standard library only).

  server_load.py round FLYTE WORKDIR ROUND RESULTS [N] [CLIENTS]
      One round: starts `flyte serve --listen 127.0.0.1:0 --home WORKDIR/home`, registers a
      one-task workflow file, has CLIENTS (8) threads create N (400) single-task executions
      over keep-alive connections while a 9th thread GETs already-created executions, polls
      the list until all N are SUCCEEDED, checks none was lost / failed / refused, stops the
      server with SIGTERM (must exit 0) and appends `KEY VALUE` lines to RESULTS.
      Exits 1 on any error (a non-2xx answer, a lost or failed execution, the deadline).

  server_load.py spawnref WORKDIR RESULTS N
      The second reference: the same N task commands from a 2-thread Python spawner.

  server_load.py soak FLYTE WORKDIR BATCHES
      Memory over time (not part of run_server.sh): one server, BATCHES x 400 executions from
      8 clients, RSS printed after each batch.

  server_load.py report RESULTS ELAPSED MACHINE N CLIENTS
      Prints the markdown table (medians over the rounds).
"""
import http.client
import json
import os
import random
import signal
import statistics as st
import subprocess
import sys
import threading
import time
import urllib.parse

PROJECT, DOMAIN = "flytesnacks", "development"
WORKFLOW = """# bench/server_load.py: one tiny task, run as a single-task execution
tasks:
  t:
    inputs: {i: int}
    outputs: {o: str}
    script: echo ok > "{{ outputs.o }}"
"""
DEADLINE_S = 300.0
RECONNECTS = []   # one entry per keep-alive connection the server closed and we reopened
POLL_S = 0.05


def die(msg):
    print(f"server_load.py: {msg}", file=sys.stderr)
    sys.exit(1)


def proc_status(pid):
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("VmRSS", "VmHWM", "Threads"):
                out[k] = int(v.split()[0])
    return out


def proc_cpu(pid):
    """(own user+sys, reaped children's user+sys) in seconds."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    tck = os.sysconf("SC_CLK_TCK")
    # after the ")": state is fields[0]; utime=13, stime=14, cutime=15, cstime=16 (1-based
    # over the whole line) -> indexes 11..14 here.
    return (int(fields[11]) + int(fields[12])) / tck, (int(fields[13]) + int(fields[14])) / tck


def pct(xs, p):
    """Nearest-rank percentile of a non-empty list."""
    s = sorted(xs)
    k = max(0, min(len(s) - 1, int(round(p / 100.0 * len(s) + 0.5)) - 1))
    return s[k]


class Client:
    """One keep-alive connection; reconnects if the server closed it."""

    def __init__(self, host, port):
        self.host, self.port = host, port
        self.conn = None
        self.reconnects = -1

    def request(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        headers = {"Content-Type": "application/json"} if data is not None else {}
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=120)
                self.reconnects += 1
                if self.reconnects:
                    RECONNECTS.append(1)
            try:
                t0 = time.perf_counter()
                self.conn.request(method, path, body=data, headers=headers)
                r = self.conn.getresponse()
                payload = r.read()
                dt = time.perf_counter() - t0
                if r.getheader("Connection", "").lower() == "close":
                    self.conn.close()
                    self.conn = None
                return r.status, payload, dt
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # A keep-alive connection the server had closed between requests: retry once
                # on a new one (only safe because nothing was answered).
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def close(self):
        if self.conn is not None:
            self.conn.close()


def start_server(flyte, workdir):
    home = os.path.join(workdir, "home")
    out_path, err_path = os.path.join(workdir, "serve.out"), os.path.join(workdir, "serve.err")
    out, err = open(out_path, "w"), open(err_path, "w")
    t0 = time.monotonic()
    extra = os.environ.get("SERVE_ARGS", "").split()  # e.g. SERVE_ARGS="--config FILE"
    p = subprocess.Popen([flyte, "serve", "--listen", "127.0.0.1:0", "--home", home] + extra,
                         stdout=out, stderr=err, stdin=subprocess.DEVNULL)
    url = None
    while time.monotonic() - t0 < 30:
        with open(out_path) as f:
            for line in f:
                if "listening on " in line:
                    url = line.split("listening on ", 1)[1].split()[0]
        if url or p.poll() is not None:
            break
        time.sleep(0.01)
    if not url:
        p.kill()
        die(f"flyte serve did not print its URL (exit {p.poll()}): {open(err_path).read()}")
    startup = time.monotonic() - t0
    u = urllib.parse.urlsplit(url)
    return p, u.hostname, u.port, startup, err_path


def run_round(flyte, workdir, rnd, results, n, nclients):
    os.makedirs(workdir, exist_ok=True)
    wf_path = os.path.join(workdir, "bench_task.yaml")
    with open(wf_path, "w") as f:
        f.write(WORKFLOW)
    p, host, port, startup, err_path = start_server(flyte, workdir)
    rec = []

    def put(k, v):
        rec.append((k, v))

    try:
        main = Client(host, port)
        s, body, _ = main.request("GET", "/healthcheck")
        if s != 200:
            die(f"/healthcheck answered {s}: {body[:300]!r}")
        time.sleep(1.0)  # let it settle: idle = after startup and one health check
        put("srv.startup", startup)
        put("srv.rss.idle", proc_status(p.pid)["VmRSS"])
        s, body, dt = main.request("POST", "/api/v1/register", {"content": WORKFLOW, "path": wf_path})
        if s != 200:
            die(f"register answered {s}: {body[:500]!r}")
        put("srv.register", dt)
        time.sleep(0.5)
        put("srv.rss.registered", proc_status(p.pid)["VmRSS"])
        cpu0, ccpu0 = proc_cpu(p.pid)

        per = [n // nclients + (1 if c < n % nclients else 0) for c in range(nclients)]
        names = [[f"r{rnd}-c{c}-{k}" for k in range(per[c])] for c in range(nclients)]
        expected = {x for ns in names for x in ns}
        created = []            # names answered 2xx, for the GET thread
        created_lock = threading.Lock()
        create_lat, get_lat, list_lat = [], [], []
        bad = []                # (what, status, body)
        errors = []
        barrier = threading.Barrier(nclients + 2)
        stop_get = threading.Event()
        t_first = [None]

        def creator(c):
            cl = Client(host, port)
            lat = []
            try:
                barrier.wait()
                for i, name in enumerate(names[c]):
                    s, b, dt = cl.request("POST", "/api/v1/executions", {
                        "project": PROJECT, "domain": DOMAIN, "task": {"name": "t"},
                        "inputs": {"i": c * 100000 + i}, "name": name})
                    lat.append(dt)
                    if 200 <= s < 300:
                        with created_lock:
                            created.append(name)
                    else:
                        bad.append((f"create {name}", s, b[:300]))
            except Exception as e:  # noqa: BLE001 - reported as a benchmark error
                errors.append(f"client {c}: {e!r}")
            finally:
                create_lat.extend(lat)   # list.extend is atomic under the GIL
                cl.close()

        def getter():
            cl = Client(host, port)
            rng = random.Random(rnd)
            try:
                barrier.wait()
                while not stop_get.is_set():
                    with created_lock:
                        name = rng.choice(created) if created else None
                    if name is None:
                        time.sleep(0.001)
                        continue
                    s, b, dt = cl.request("GET", f"/api/v1/executions/{PROJECT}/{DOMAIN}/{name}")
                    get_lat.append(dt)
                    if not 200 <= s < 300:
                        bad.append((f"get {name}", s, b[:300]))
                    time.sleep(0.01)   # a UI-like poller: one GET every ~10 ms plus its latency
            except Exception as e:  # noqa: BLE001
                errors.append(f"getter: {e!r}")
            finally:
                cl.close()

        def list_phase(filters=None):
            """All executions of the project/domain (paged), as {name: phase}."""
            out, token = {}, None
            while True:
                q = {"limit": "1000"}
                if filters:
                    q["filters"] = filters
                if token:
                    q["token"] = token
                path = f"/api/v1/executions/{PROJECT}/{DOMAIN}?" + urllib.parse.urlencode(q, safe="(),")
                s, b, dt = main.request("GET", path)
                list_lat.append(dt)
                if not 200 <= s < 300:
                    bad.append(("list", s, b[:300]))
                    return out
                d = json.loads(b)
                for e in d.get("executions", []):
                    out[e["id"]["name"]] = e["closure"]["phase"]
                token = d.get("token") or None
                if not token:
                    return out

        threads = [threading.Thread(target=creator, args=(c,)) for c in range(nclients)]
        gt = threading.Thread(target=getter)
        for t in threads + [gt]:
            t.start()
        barrier.wait()
        t0 = time.monotonic()
        for t in threads:
            t.join()
        t_created = time.monotonic()
        peak_during = proc_status(p.pid)
        done = False
        polls = 0
        while time.monotonic() - t0 < DEADLINE_S and not errors:
            ok = list_phase("eq(phase,SUCCEEDED)")
            polls += 1
            if len(ok) >= n or bad:
                done = not bad
                break
            time.sleep(POLL_S)
        t_done = time.monotonic()
        stop_get.set()
        gt.join()
        if errors:
            die("; ".join(errors))
        if bad:
            die(f"{len(bad)} non-2xx answers, e.g. {bad[:3]}")
        allp = list_phase()
        ours = {k: v for k, v in allp.items() if k in expected}
        lost = expected - set(allp)
        extra = set(allp) - expected
        phases = {}
        for v in ours.values():
            phases[v] = phases.get(v, 0) + 1
        if not done:
            die(f"deadline {DEADLINE_S:.0f}s: {phases.get('SUCCEEDED', 0)} of {n} SUCCEEDED; phases {phases}")
        if lost or extra or len(created) != n or phases != {"SUCCEEDED": n}:
            die(f"lost {sorted(lost)[:5]} ({len(lost)}), unexpected {sorted(extra)[:5]}, "
                f"created {len(created)}, phases {phases}")
        cpu1, ccpu1 = proc_cpu(p.pid)
        time.sleep(1.0)
        st_after = proc_status(p.pid)
        # The same GET on the idle server afterwards: what one client sees with no load.
        idle_lat = []
        for k in range(50):
            s, b, dt = main.request("GET", f"/api/v1/executions/{PROJECT}/{DOMAIN}/{names[0][k % len(names[0])]}")
            if not 200 <= s < 300:
                die(f"idle GET answered {s}: {b[:300]!r}")
            idle_lat.append(dt)
        put("srv.e2e", t_done - t0)
        put("srv.eps", n / (t_done - t0))
        put("srv.create_phase", t_created - t0)
        put("srv.polls", polls)
        put("srv.rss.after", st_after["VmRSS"])
        put("srv.rss.peak", st_after["VmHWM"])
        put("srv.threads.peak_seen", max(peak_during["Threads"], st_after["Threads"]))
        put("srv.cpu", cpu1 - cpu0)
        put("srv.cpu.children", ccpu1 - ccpu0)
        put("srv.reconnects", sum(RECONNECTS))
        for key, lat in (("create", create_lat), ("get", get_lat), ("list", list_lat), ("idle_get", idle_lat)):
            if not lat:
                die(f"no {key} latency recorded")
            put(f"lat.{key}.n", len(lat))
            put(f"lat.{key}.p50", pct(lat, 50))
            put(f"lat.{key}.p99", pct(lat, 99))
            put(f"lat.{key}.max", max(lat))
        main.close()
    finally:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
            try:
                rc = p.wait(timeout=60)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
                die("flyte serve did not stop within 60 s of SIGTERM")
        else:
            rc = p.returncode
    if rc != 0:
        die(f"flyte serve exited {rc} after SIGTERM: {open(err_path).read()[-2000:]}")
    with open(results, "a") as f:
        for k, v in rec:
            f.write(f"{k} {v}\n")
    print(f"# round {rnd}: {n} executions in {dict(rec)['srv.e2e']:.2f} s "
          f"({dict(rec)['srv.eps']:.0f}/s), create p50 {dict(rec)['lat.create.p50']*1e3:.1f} ms",
          file=sys.stderr)


def spawn_reference(workdir, results, n):
    """The second reference: the same n task commands run by a bare Python spawner with two
    worker threads (subprocess, no shell in between), each writing its output file."""
    import resource
    from concurrent.futures import ThreadPoolExecutor
    os.makedirs(workdir, exist_ok=True)

    def one(i):
        subprocess.run(["sh", "-eu", "-c", f'echo ok > "{workdir}/o{i}"', "t"], check=True,
                       stdin=subprocess.DEVNULL)
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    with ThreadPoolExecutor(2) as ex:
        list(ex.map(one, range(n)))
    wall = time.monotonic() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    if len(os.listdir(workdir)) != n:
        die(f"spawn reference wrote {len(os.listdir(workdir))} of {n} files")
    with open(results, "a") as f:
        f.write(f"pyref.wall {wall}\npyref.rate {n / wall}\n")
        f.write(f"pyref.cpu {(r1.ru_utime + r1.ru_stime) - (r0.ru_utime + r0.ru_stime)}\n")


def soak(flyte, workdir, batches, n, nclients):
    """Memory over time: one server, `batches` times n executions from nclients clients, each
    batch waited for; prints RSS (and a few latencies) after each batch."""
    os.makedirs(workdir, exist_ok=True)
    p, host, port, _, err_path = start_server(flyte, workdir)
    m = Client(host, port)
    time.sleep(1.0)
    print(f"idle: RSS {proc_status(p.pid)['VmRSS'] / 1024:.1f} MiB", flush=True)
    s, b, _ = m.request("POST", "/api/v1/register", {"content": WORKFLOW})
    if s != 200:
        die(f"register answered {s}")
    lst = f"/api/v1/executions/{PROJECT}/{DOMAIN}"
    for bt in range(batches):
        fails = []

        def cr(c):
            cl = Client(host, port)
            for k in range(n // nclients):
                s, b, _ = cl.request("POST", "/api/v1/executions", {
                    "project": PROJECT, "domain": DOMAIN, "task": {"name": "t"}, "inputs": {"i": k},
                    "name": f"s{bt}-{c}-{k}"})
                if s != 200:
                    fails.append((s, b[:200]))
            cl.close()
        ts = [threading.Thread(target=cr, args=(c,)) for c in range(nclients)]
        t0 = time.monotonic()
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        if fails:
            die(f"batch {bt}: {len(fails)} creates refused, e.g. {fails[:2]}")
        while True:
            busy = [json.loads(m.request("GET", f"{lst}?limit=1&filters=eq(phase,{ph})")[1])["executions"]
                    for ph in ("QUEUED", "RUNNING")]
            if not any(busy):
                break
            time.sleep(POLL_S)
        el = time.monotonic() - t0
        time.sleep(0.5)
        _, _, dl = m.request("GET", f"{lst}?limit=1000")
        _, _, dg = m.request("GET", f"{lst}/s{bt}-0-0")
        stt = proc_status(p.pid)
        # The server gives freed memory back 2 s after its last execution ends (IdleTrim).
        time.sleep(3.0)
        idle = proc_status(p.pid)
        print(f"batch {bt + 1}: {(bt + 1) * (n // nclients) * nclients} executions, {el:.2f} s;"
              f" RSS {stt['VmRSS'] / 1024:.1f} MiB (peak {stt['VmHWM'] / 1024:.1f}), idle 3 s later"
              f" {idle['VmRSS'] / 1024:.1f} MiB; list of 1000 {dl * 1e3:.0f} ms, one GET {dg * 1e3:.1f} ms", flush=True)
    m.close()
    p.send_signal(signal.SIGTERM)
    rc = p.wait(timeout=60)
    if rc != 0:
        die(f"flyte serve exited {rc}: {open(err_path).read()[-2000:]}")


def report(results, elapsed, machine, n, nclients):
    from collections import defaultdict
    v = defaultdict(list)
    for line in open(results):
        k, x = line.split()
        v[k].append(float(x))
    rounds = len(v["srv.e2e"])
    med = lambda k: st.median(v[k])
    ms = lambda s: f"{s * 1e3:.1f} ms"
    mib = lambda kib: f"{kib / 1024:.1f} MiB"
    rng = lambda k, f: f"{f(med(k))}" + ("" if len(v[k]) == 1 else f" ({f(min(v[k]))}–{f(max(v[k]))})")
    # Paired ratio: round i of flyte with round i of the reference (run back to back).
    ratio = st.median(a / b for a, b in zip(v["srv.e2e"], v["ref.wall"]))
    pratio = st.median(a / b for a, b in zip(v["srv.e2e"], v["pyref.wall"]))
    eps = med("srv.eps")
    secs = lambda s: f"{s:.2f} s"
    rows = []
    e2e = f"end-to-end: {n} single-task executions, {nclients} clients, first create → all SUCCEEDED"
    rows.append((e2e + ", vs `xargs -P2`", rng("srv.e2e", secs),
                 f"{n} × `sh -eu -c 'echo ok > FILE' t` via `xargs -P2`: " + rng("ref.wall", secs),
                 f"**{ratio:.2f}×**", "—", "info"))
    rows.append((e2e + ", vs a 2-thread Python spawner", rng("srv.e2e", secs),
                 f"the same {n} commands, Python `subprocess` from 2 threads: " + rng("pyref.wall", secs),
                 f"**{pratio:.2f}×**", "—", "info"))
    rows.append(("end-to-end executions per second", rng("srv.eps", lambda x: f"{x:.0f}/s"),
                 "xargs: " + rng("ref.rate", lambda x: f"{x:.0f}/s") + "; Python: "
                 + rng("pyref.rate", lambda x: f"{x:.0f}/s"), "—", "≥ 100/s (absolute)",
                 "pass" if eps >= 100 else f"MISS ({(1 - eps / 100) * 100:.0f}% under)"))
    rows.append(("of which: creating all executions (8 clients)", rng("srv.create_phase", lambda s: f"{s:.2f} s"),
                 "—", "—", "—", "info"))
    for key, what in (("create", "`POST /api/v1/executions`"),
                      ("get", "`GET /api/v1/executions/{p}/{d}/{name}` (9th client)"),
                      ("list", "`GET /api/v1/executions/{p}/{d}?filters=eq(phase,SUCCEEDED)` (poller)"),
                      ("idle_get", "the same GET of one execution, idle server after the load, 1 client")):
        cnt = int(sum(v[f"lat.{key}.n"]) / rounds)
        rows.append((f"API latency {what}, ~{cnt} requests/round: p50 / p99 / max",
                     f"{ms(med(f'lat.{key}.p50'))} / {ms(med(f'lat.{key}.p99'))} / {ms(max(v[f'lat.{key}.max']))}",
                     "—", "—", "—", "info"))
    idle = max(v["srv.rss.idle"])
    rows.append(("server RSS idle, after startup", rng("srv.rss.idle", mib), "—", "—", "≤ 30 MB",
                 "pass" if idle * 1024 <= 30e6 else "MISS"))
    rows.append(("server RSS idle, after registering the file", rng("srv.rss.registered", mib), "—", "—", "≤ 30 MB",
                 "pass" if max(v["srv.rss.registered"]) * 1024 <= 30e6 else "MISS"))
    rows.append(("server peak RSS (VmHWM) over the round", rng("srv.rss.peak", mib), "—", "—", "—", "info"))
    rows.append(("server RSS 1 s after the load", rng("srv.rss.after", mib), "—", "—", "—", "info"))
    rows.append(("server CPU (own; its task processes) per execution",
                 f"{med('srv.cpu') / n * 1e3:.2f} ms; {med('srv.cpu.children') / n * 1e3:.2f} ms",
                 f"xargs (all its processes): {med('ref.cpu') / n * 1e3:.2f} ms; Python's children:"
                 f" {med('pyref.cpu') / n * 1e3:.2f} ms", "—", "—", "info"))
    print("| measure | flyte serve | reference | ratio flyte/ref | target | result |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        print("| " + " | ".join(r) + " |")
    print()
    print(f"Machine: {machine}.")
    print(f"Rounds: {rounds}; figures are medians over the rounds (range in brackets), latency maxima"
          f" are the maximum over all rounds. Ratio: median of the per-round ratios, the two sides run"
          f" back to back, alternating which goes first. Completion is observed by polling the list"
          f" every {POLL_S * 1e3:.0f} ms (plus the list's own latency), which bounds the precision of"
          f" the end-to-end time. Measured in {int(elapsed) // 60} min {int(elapsed) % 60} s.")


def main():
    if len(sys.argv) >= 6 and sys.argv[1] == "round":
        n = int(sys.argv[6]) if len(sys.argv) > 6 else 400
        nc = int(sys.argv[7]) if len(sys.argv) > 7 else 8
        run_round(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5], n, nc)
    elif len(sys.argv) == 5 and sys.argv[1] == "soak":
        soak(sys.argv[2], sys.argv[3], int(sys.argv[4]), 400, 8)
    elif len(sys.argv) == 5 and sys.argv[1] == "spawnref":
        spawn_reference(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    elif len(sys.argv) == 7 and sys.argv[1] == "report":
        report(sys.argv[2], float(sys.argv[3]), sys.argv[4], int(sys.argv[5]), int(sys.argv[6]))
    else:
        die(__doc__)


if __name__ == "__main__":
    main()
