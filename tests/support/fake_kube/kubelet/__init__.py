"""The kubelet simulator: binds Pods to one fake node and drives their status like a kubelet.

It subscribes to the store's Pod events. Scripted Pods (mode `scripted`, or an annotation in any
mode) run as generators on one timer heap in this thread; process-mode Pods each get a thread
that runs real processes (kubelet/process.py). Deletion with a grace period kills the containers
and then removes the API object, as a kubelet confirms a graceful delete.
"""
import heapq
import itertools
import os
import queue
import shutil
import subprocess
import threading
import time

from .. import errors
from ..timeutil import now_rfc3339
from .podctx import HOST_IP, NODE, PodCtx, PodGone
from .process import ProcessPod
from .stubs import Stubs
from .scripts import FINISH, choose, deadline, finish, killed, scripted

DEADLINE = "deadline"  # heap entries that are not script steps


class Kubelet:
    def __init__(self, app, mode, step=0.02, events=True, image_rules=()):
        self.app, self.store, self.mode, self.step, self.events = app, app.store, mode, step, events
        reg = app.registry
        self.pods = reg.get("", "v1", "pods")
        self.secrets = reg.get("", "v1", "secrets")
        self.configmaps = reg.get("", "v1", "configmaps")
        self.core_events = reg.get("", "v1", "events")
        self.v1_events = reg.get("events.k8s.io", "v1", "events")
        self.image_rules = [tuple(r) for r in image_rules]
        self.q = queue.Queue()
        self.runs = {}  # uid -> dict(ctx, gen | thread)
        self.heap, self.seq = [], itertools.count()
        self.node_lost = set()
        self.sa_tokens = {}
        self.stubs = Stubs()
        self.root = os.path.join(app.state_dir, "pods")
        self.can_unshare = mode == "process" and _can_unshare()
        self._stopping = threading.Event()
        self.store.listeners.append(self._on_event)
        with self.store.cond:
            existing = [o for o in self.store.objects.get(self.pods.store_key, {}).values()]
        for pod in existing:
            self.q.put(("ADDED", pod))

    def _register_node(self):
        """The one Node Pods are bound to, Ready, as `kubectl get nodes` would list it."""
        now = now_rfc3339()
        cond = lambda t, s, r, m: {"type": t, "status": s, "lastHeartbeatTime": now, "lastTransitionTime": now,
                                   "reason": r, "message": m}
        res = self.app.registry.get("", "v1", "nodes")
        node = {"apiVersion": "v1", "kind": "Node",
                "metadata": {"name": NODE, "labels": {"kubernetes.io/hostname": NODE, "kubernetes.io/os": "linux",
                                                      "kubernetes.io/arch": "amd64"}},
                "spec": {"podCIDR": "10.244.0.0/16"},
                "status": {"capacity": {"cpu": "2", "memory": "8Gi", "pods": "110"},
                           "allocatable": {"cpu": "2", "memory": "8Gi", "pods": "110"},
                           "conditions": [cond("MemoryPressure", "False", "KubeletHasSufficientMemory",
                                               "kubelet has sufficient memory available"),
                                          cond("Ready", "True", "KubeletReady", "kubelet is posting ready status")],
                           "addresses": [{"type": "InternalIP", "address": HOST_IP},
                                         {"type": "Hostname", "address": NODE}],
                           "nodeInfo": {"kubeletVersion": f"v{self.app.version}", "operatingSystem": "linux",
                                        "architecture": "amd64", "containerRuntimeVersion": "containerd://1.7.0"}}}
        try:
            self.store.create(res, "", node)
        except errors.ApiError:
            pass

    def _on_event(self, ev):
        if ev.key == self.pods.store_key:  # called under the store lock: only enqueue
            self.q.put((ev.type, ev.obj))

    def set_image_rules(self, rules):
        self.image_rules = [(r["pattern"], r["script"]) for r in rules]

    # ---- thread --------------------------------------------------------------
    def start(self):
        self._register_node()
        self.thread = threading.Thread(target=self._loop, name="fake-kubelet", daemon=True)
        self.thread.start()

    def _loop(self):
        while not self._stopping.is_set():
            wait = 0.2
            if self.heap:
                wait = max(0.0, min(wait, self.heap[0][0] - time.time()))
            try:
                item = self.q.get(timeout=wait)
                self._handle(*item)
                while True:
                    self._handle(*self.q.get_nowait())
            except queue.Empty:
                pass
            now = time.time()
            while self.heap and self.heap[0][0] <= now:
                _, _, uid, gen = heapq.heappop(self.heap)
                run = self.runs.get(uid)
                if gen == DEADLINE:
                    self._deadline(run)
                    continue
                if run is None or run.get("gen") is not gen:
                    continue
                self._step(uid, run)

    def _schedule(self, uid, gen, delay=0.0):
        heapq.heappush(self.heap, (time.time() + delay, next(self.seq), uid, gen))

    def _step(self, uid, run):
        try:
            delay = next(run["gen"])
            self._schedule(uid, run["gen"], delay)
        except StopIteration:
            pass
        except PodGone:
            self.runs.pop(uid, None)
        except errors.ApiError:
            pass

    def _handle(self, type_, pod):
        meta = pod["metadata"]
        uid = meta["uid"]
        run = self.runs.get(uid)
        if type_ == "DELETED":
            self.runs.pop(uid, None)
            self.node_lost.discard(uid)
            if run:
                run["ctx"].gone = True
                run["ctx"].stop.set()
            self.app.logbook.forget_pod(uid)
            return
        node = (pod.get("spec") or {}).get("nodeName")
        if meta.get("deletionTimestamp"):
            if uid in self.node_lost:
                return  # the node is gone: nobody confirms the deletion until a force delete
            if run and not run["ctx"].deleting:
                ctx = run["ctx"]
                ctx.deleting = True
                ctx.stop.set()
                if "gen" in run:
                    run["gen"] = killed(ctx, self, self.grace_of(ctx))
                    self._schedule(uid, run["gen"])
            elif run is None and node == NODE:
                self._remove(pod)
            return
        if run is not None and "gen" in run and getattr(run["ctx"], "hanging", False) and \
                (meta.get("annotations") or {}).get(FINISH):
            try:
                run["gen"] = finish(run["ctx"], self, meta["annotations"][FINISH])
            except ValueError:
                return  # an unknown outcome: keep running, as a typo would on a real node
            self._schedule(uid, run["gen"])
            return
        if run is None and type_ == "ADDED" and node in (None, "", NODE) and \
                (pod.get("status") or {}).get("phase", "Pending") == "Pending":
            self._admit(pod)

    def _deadline(self, run):
        if run is None or run["ctx"].deleting or run["ctx"].gone:
            return
        ctx = run["ctx"]
        try:
            if ctx.current()["status"].get("phase") in ("Succeeded", "Failed"):
                return
        except PodGone:
            return
        ctx.deadline_exceeded = True
        if "gen" in run:
            run["gen"] = deadline(ctx, self)
            self._schedule(ctx.uid, run["gen"])
        else:
            ctx.event("DeadlineExceeded", "Pod was active on the node longer than the specified deadline", "Warning")
            ctx.stop.set()

    def _admit(self, pod):
        ctx = PodCtx(self, pod)
        default = "process" if self.mode == "process" else "succeed"
        script, arg, targets = choose(pod, self.image_rules, default)
        if script == "process":
            t = ProcessPod(self, ctx, "process", targets)
            self.runs[ctx.uid] = {"ctx": ctx, "thread": t}
            t.start()
        else:
            gen = scripted(ctx, self, script, arg, targets)
            self.runs[ctx.uid] = {"ctx": ctx, "gen": gen}
            self._schedule(ctx.uid, gen)
        ads = (pod.get("spec") or {}).get("activeDeadlineSeconds")
        if ads is not None:
            self._schedule(ctx.uid, DEADLINE, float(ads))

    # ---- helpers used by drivers ---------------------------------------------------
    def grace_of(self, ctx):
        pod = self.store.peek(self.pods.store_key, ctx.ns, ctx.name)
        if pod is None:
            return 2
        return pod["metadata"].get("deletionGracePeriodSeconds",
                                   (pod.get("spec") or {}).get("terminationGracePeriodSeconds", 30))

    def finalize_deletion(self, ctx):
        """Containers are stopped: the kubelet's final (grace 0) delete removes the API object."""
        pod = self.store.peek(self.pods.store_key, ctx.ns, ctx.name)
        if pod is not None and pod["metadata"]["uid"] == ctx.uid:
            self._remove(pod)

    def _remove(self, pod):
        try:
            if not pod["metadata"].get("finalizers"):
                self.store.remove(self.pods, pod["metadata"].get("namespace", ""), pod["metadata"]["name"])
        except errors.ApiError:
            pass

    def service_account_token(self, ns, sa):
        """A bearer token for system:serviceaccount:NS:SA, as a projected token volume carries."""
        key = (ns, sa)
        if key not in self.sa_tokens:
            token = f"sa-{ns}-{sa}-{os.urandom(8).hex()}"
            self.app.tokens.extra[token] = f"system:serviceaccount:{ns}:{sa}"
            self.sa_tokens[key] = token
        return self.sa_tokens[key]

    def cluster_env(self):
        """What the kubelet tells every container about the API server (the `kubernetes` Service)."""
        port = str(self.app.httpd.server_address[1]) if self.app.httpd else ""
        return {"KUBERNETES_SERVICE_HOST": "127.0.0.1", "KUBERNETES_SERVICE_PORT": port,
                "KUBERNETES_SERVICE_PORT_HTTPS": port, "KUBERNETES_PORT": f"tcp://127.0.0.1:{port}",
                "KUBERNETES_PORT_443_TCP": f"tcp://127.0.0.1:{port}", "KUBERNETES_PORT_443_TCP_PROTO": "tcp",
                "KUBERNETES_PORT_443_TCP_PORT": port, "KUBERNETES_PORT_443_TCP_ADDR": "127.0.0.1"}

    def scratch_dir(self, ctx):
        d = os.path.join(self.root, f"{ctx.ns}_{ctx.name}_{ctx.uid[:8]}")
        os.makedirs(d, exist_ok=True)
        return d

    def ensure_mountpoint(self, path, is_file):
        """Create a missing mount point on the host (empty; removed by the last fake using it)."""
        self.stubs.ensure(path, is_file)

    def describe(self):
        procs = []
        for uid, run in list(self.runs.items()):
            t = run.get("thread")
            if t is not None:
                for name, pid in t.pids().items():
                    procs.append({"namespace": run["ctx"].ns, "pod": run["ctx"].name, "container": name, "pid": pid})
        return {"mode": self.mode, "pods": len(self.runs), "processes": procs, "unshare": self.can_unshare}

    def stop(self):
        self._stopping.set()
        threads = []
        for run in list(self.runs.values()):
            run["ctx"].gone = True
            run["ctx"].stop.set()
            if run.get("thread"):
                run["thread"]._kill_all(9)
                threads.append(run["thread"])
        for t in threads:
            t.join(timeout=5)
        self.stubs.release()


def _can_unshare():
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        return False
    try:
        return subprocess.run(["unshare", "-m", "--propagation", "private", "true"], timeout=10).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False
