"""The fake cluster: the store, the kinds it serves, credentials, faults, the request log and the
kubelet, wired together; `FakeKube.start()` binds the server on 127.0.0.1.
"""
import collections
import os
import ssl
import threading
import time

from . import auth, errors
from .api import Api
from .faults import Faults
from .logs import LogBook
from .resources import Registry
from .server import Server
from .store import Store

DEFAULT_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")


class FakeKube:
    def __init__(self, state_dir, port=0, tls=False, certs_dir=None, kubelet="scripted", version="1.30.14",
                 window=1000, bookmark_interval=1.0, anonymous=False, extra_tokens=None, token_file=None,
                 exec_ttl=3600, step=0.02, events=True, image_rules=None, operators=()):
        self.state_dir = os.path.abspath(state_dir)
        os.makedirs(self.state_dir, exist_ok=True)
        self.port, self.tls, self.version, self.anonymous = port, tls, version, anonymous
        self.certs_dir = os.path.abspath(certs_dir or os.path.join(self.state_dir, "pki"))
        self.exec_ttl = exec_ttl
        self.store = Store(window)
        self.registry = Registry()
        self.certs = auth.make_certs(self.certs_dir) if tls else None
        root_ca = ""
        if self.certs:
            with open(self.certs["ca.crt"]) as f:
                root_ca = f.read()
        self.api = Api(self.store, self.registry, root_ca)
        self.faults = Faults()
        self.logbook = LogBook()
        self.settings = {"watch_410": "stream", "bookmark_interval": bookmark_interval}
        token_path = token_file or os.path.join(self.state_dir, "tokens.csv")
        if not os.path.exists(token_path):
            with open(token_path, "w") as f:
                f.write(f'{auth.ADMIN_TOKEN},admin,admin-uid,"system:masters"\n')
        self.tokens = auth.Tokens(token_path, extra_tokens)
        self.requests = collections.deque(maxlen=100000)
        self._req_lock = threading.Lock()
        self._seq = 0
        self.kubelet_mode = kubelet
        self.kubelet = None
        self.kubelet_options = {"step": step, "events": events, "image_rules": list(image_rules or [])}
        self.httpd = None
        self.operator_names = list(operators)
        self.operators = []
        for ns in DEFAULT_NAMESPACES:
            self.api.create(self.registry.get("", "v1", "namespaces"), "", {"metadata": {"name": ns}})

    # ---- routing -------------------------------------------------------------
    def route(self, path):
        """URL path -> (resource, namespace or None, name or None, subresource or None), or None."""
        parts = path.strip("/").split("/")
        if parts[:2] == ["api", "v1"]:
            group, version, rest = "", "v1", parts[2:]
        elif parts[0] == "apis" and len(parts) >= 4:
            group, version, rest = parts[1], parts[2], parts[3:]
        else:
            return None
        if not rest or "" in rest:
            return None
        if len(rest) >= 3 and rest[0] == "namespaces":
            res = self.registry.get(group, version, rest[2])
            if res is not None and res.namespaced:
                if len(rest) > 5:
                    return None
                return res, rest[1], (rest[3] if len(rest) > 3 else None), (rest[4] if len(rest) > 4 else None)
        res = self.registry.get(group, version, rest[0])
        if res is None or len(rest) > 3:
            return None
        return res, None, (rest[1] if len(rest) > 1 else None), (rest[2] if len(rest) > 2 else None)

    # ---- request log ---------------------------------------------------------
    def log_request(self, method, path, query, headers, conn=""):
        with self._req_lock:
            self._seq += 1
            entry = {"seq": self._seq, "time": time.time(), "method": method, "path": path, "query": query,
                     "headers": headers, "conn": conn}
            self.requests.append(entry)
            return entry

    def request_log(self, since=0):
        with self._req_lock:
            return [dict(e) for e in self.requests if e["seq"] > since]

    def clear_requests(self):
        with self._req_lock:
            self.requests.clear()

    # ---- lifecycle -----------------------------------------------------------
    @property
    def address(self):
        return f"127.0.0.1:{self.httpd.server_address[1]}"

    @property
    def url(self):
        return f"{'https' if self.tls else 'http'}://{self.address}"

    def start(self):
        ctx = None
        certs = self.certs
        if self.tls:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(certs["server.crt"], certs["server.key"])
            ctx.load_verify_locations(certs["ca.crt"])
            ctx.verify_mode = ssl.CERT_OPTIONAL
        self.httpd = Server(("127.0.0.1", self.port), self, ctx)
        self.kubeconfig, self.kubeconfigs = auth.write_kubeconfigs(self.state_dir, self.url, self.tls, certs,
                                                                   self.exec_ttl)
        self.ca = certs["ca.crt"] if certs else None
        from .operators import OPERATORS
        for name in self.operator_names:
            if name not in OPERATORS:
                raise ValueError(f"no operator emulation named {name!r} (have: {', '.join(sorted(OPERATORS))})")
            self.operators.append(OPERATORS[name](self))
            self.operators[-1].start()
        if self.kubelet_mode != "none":
            from .kubelet import Kubelet
            self.kubelet = Kubelet(self, self.kubelet_mode, **self.kubelet_options)
            self.kubelet.start()
        self._thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.2},
                                        name="fake-kube-http", daemon=True)
        self._thread.start()
        return self

    def ready_line(self):
        return {"url": self.url, "ca": self.ca, "kubeconfig": self.kubeconfig, "kubeconfigs": self.kubeconfigs,
                "token": auth.ADMIN_TOKEN, "state_dir": self.state_dir, "pid": os.getpid(),
                "kubelet": self.kubelet_mode}

    def stop(self):
        for op in self.operators:
            op.stop()
        if self.kubelet:
            self.kubelet.stop()
        if self.httpd:
            self.store.drop_watches()
            self.httpd.shutdown()
            self.httpd.server_close()

    def state(self):
        out = {"resourceVersion": self.store.current_rv(), "compactedResourceVersion": self.store.compacted_rv,
               "openWatches": len(self.store.watches), "objects": {}}
        with self.store.cond:
            for (group, plural), bucket in self.store.objects.items():
                key = f"{plural}.{group}" if group else plural
                out["objects"][key] = [
                    {"namespace": o["metadata"].get("namespace", ""), "name": o["metadata"]["name"],
                     "uid": o["metadata"]["uid"], "resourceVersion": o["metadata"]["resourceVersion"],
                     **({"phase": o.get("status", {}).get("phase")} if plural == "pods" else {})}
                    for o in bucket.values()]
        if self.kubelet:
            out["kubelet"] = self.kubelet.describe()
        return out

    def seed(self, objects):
        """Create objects (e.g. CRDs) from a seed file's list, before clients connect."""
        for obj in objects:
            api_version, kind = obj.get("apiVersion", "v1"), obj.get("kind")
            group, _, version = api_version.rpartition("/")
            res = next((r for r in self.registry.all() if r.group == group and r.version == version and
                        r.kind == kind), None)
            if res is None:
                raise ValueError(f"seed: no resource serves {api_version} {kind}")
            ns = (obj.get("metadata") or {}).get("namespace") or "default"
            try:
                self.api.create(res, ns if res.namespaced else "", obj)
            except errors.ApiError as e:
                if e.code != 409:
                    raise
