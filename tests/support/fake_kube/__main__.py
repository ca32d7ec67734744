"""Command line: start the fake, print one JSON ready line on stdout, serve until SIGTERM/SIGINT.

  python3 -m fake_kube --port 0 --state-dir D [--tls [--certs DIR]] [--kubelet process|scripted|none]
"""
import argparse
import json
import os
import signal
import sys
import threading
import time

if __package__ in (None, ""):  # `python3 tests/support/fake_kube` works too: import it as a package
    sys.path[0] = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    __package__ = "fake_kube"

from fake_kube.app import FakeKube  # noqa: E402
from fake_kube.crds import crds_for  # noqa: E402
from fake_kube import sidechannel  # noqa: E402


def parse_args(argv):
    p = argparse.ArgumentParser(prog="fake_kube", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--port", type=int, default=0, help="0 picks a free port (see the ready line)")
    p.add_argument("--state-dir", required=True, help="certs, kubeconfigs, tokens, process logs")
    p.add_argument("--tls", action="store_true", help="serve HTTPS with a generated test CA")
    p.add_argument("--certs", help="where the CA and certificates live (reused if present); default STATE/pki")
    p.add_argument("--kubelet", choices=("process", "scripted", "none"), default="scripted")
    p.add_argument("--version", default="1.30.14", help="what /version reports (kubectl's dispatcher follows it)")
    p.add_argument("--history-window", type=int, default=1000, help="events kept for watches before 410")
    p.add_argument("--bookmark-interval", type=float, default=1.0, help="seconds between watch BOOKMARKs")
    p.add_argument("--step", type=float, default=0.02, help="seconds between scripted kubelet steps")
    p.add_argument("--no-events", action="store_true", help="the kubelet emits no Events (benchmarks)")
    p.add_argument("--token", action="append", default=[], metavar="TOKEN=USER", help="extra bearer token")
    p.add_argument("--token-file", help="CSV token file (token,user,uid,groups); default STATE/tokens.csv")
    p.add_argument("--exec-ttl", type=int, default=3600, help="lifetime of exec-plugin tokens, seconds")
    p.add_argument("--anonymous", action="store_true", default=None,
                   help="accept requests without credentials (default over plain HTTP, where client-go sends no "
                        "bearer token, as the old insecure port did)")
    p.add_argument("--require-auth", dest="anonymous", action="store_false",
                   help="401 for requests without credentials even over plain HTTP")
    p.add_argument("--fault", action="append", default=[], metavar="JSON", help="a /_fake/faults body, at start")
    p.add_argument("--image-rule", action="append", default=[], metavar="REGEX=SCRIPT",
                   help="scripted outcome for Pods whose image matches")
    p.add_argument("--crds", default="", help="comma list of built-in CRDs to install: dask,ray,spark,pytorch")
    p.add_argument("--operators", default="", help="comma list of operator emulations to run: dask, ray, "
                   "spark, pytorch (installs their CRDs too)")
    p.add_argument("--seed", action="append", default=[], help="JSON file: an object, a list, or a v1 List")
    p.add_argument("--stdin-lifeline", action="store_true", help="exit when stdin reaches EOF")
    return p.parse_args(argv)


def main(argv=None):
    a = parse_args(argv)
    tokens = dict(t.split("=", 1) for t in a.token)
    rules = [tuple(r.split("=", 1)) for r in a.image_rule]
    anonymous = (not a.tls) if a.anonymous is None else a.anonymous
    operators = [n.strip() for n in a.operators.split(",") if n.strip()]
    app = FakeKube(a.state_dir, port=a.port, tls=a.tls, certs_dir=a.certs, kubelet=a.kubelet, version=a.version,
                   window=a.history_window, bookmark_interval=a.bookmark_interval, anonymous=anonymous,
                   extra_tokens=tokens, token_file=a.token_file, exec_ttl=a.exec_ttl, step=a.step,
                   events=not a.no_events, image_rules=rules, operators=operators)
    crds = {n.strip() for n in (a.crds + "," + a.operators).split(",") if n.strip()}
    seeds = crds_for(crds)
    for path in a.seed:
        with open(path) as f:
            doc = json.load(f)
        seeds += doc if isinstance(doc, list) else doc.get("items", [doc]) if doc.get("kind") == "List" else [doc]
    app.seed(seeds)
    app.start()
    for f in a.fault:
        sidechannel.apply(app, json.loads(f))
    # A plain flag, not a threading.Event: a signal handler that takes a lock the interrupted main
    # thread already holds (Event.set inside Event.wait) deadlocks the shutdown.
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append("SIGTERM"))
    signal.signal(signal.SIGINT, lambda *_: stop.append("SIGINT"))
    if a.stdin_lifeline:
        threading.Thread(target=lambda: (sys.stdin.read(), stop.append("stdin closed")), daemon=True).start()
    print(json.dumps(app.ready_line()), flush=True)
    while not stop:
        time.sleep(0.1)
    app.stop()


if __name__ == "__main__":
    main()
