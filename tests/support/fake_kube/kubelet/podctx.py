"""One Pod as the kubelet sees it: status writes with real kubelet shapes, and the Events it emits.

Container states are set one at a time; conditions and the phase are then recomputed from all of
them (level-triggered, like the kubelet's status manager), so every script and the process
runner produce consistent conditions without spelling them out.
"""
import hashlib
import threading
import time
import uuid

from .. import errors
from ..timeutil import now_rfc3339, now_rfc3339_micro

NODE = "fake-node"
HOST_IP = "10.0.0.10"
COND_ORDER = ("PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled",
              "DisruptionTarget")


class PodGone(Exception):
    """The Pod (this uid) no longer exists; its driver stops."""


def normalize_image(image):
    """`busybox` -> `docker.io/library/busybox:latest`, as containerd reports it in status.image."""
    name = image
    if "@" not in name and ":" not in name.rsplit("/", 1)[-1]:
        name += ":latest"
    first = name.split("/", 1)[0]
    if "/" not in name:
        name = "docker.io/library/" + name
    elif "." not in first and ":" not in first and first != "localhost":
        name = "docker.io/" + name
    return name


class PodCtx:
    def __init__(self, kubelet, pod):
        self.k = kubelet
        meta = pod["metadata"]
        self.ns, self.name, self.uid = meta.get("namespace", ""), meta["name"], meta["uid"]
        self.annotations = dict(meta.get("annotations") or {})
        self.spec = pod["spec"]
        self.inits = [c["name"] for c in self.spec.get("initContainers") or []]
        self.mains = [c["name"] for c in self.spec.get("containers") or []]
        self.containers = {c["name"]: c for c in (self.spec.get("initContainers") or []) +
                           (self.spec.get("containers") or [])}
        self.ids = {}
        self.pod_ip = f"10.244.{(int(self.uid[:4], 16) % 250) + 1}.{(int(self.uid[4:8], 16) % 250) + 2}"
        self.stop = threading.Event()  # deletion requested or Pod gone
        self.deleting = False
        self.gone = False
        self.deadline_exceeded = False
        self.event_names = {}

    # ---- writing --------------------------------------------------------------
    def update(self, fn):
        def mutate(o):
            if o["metadata"]["uid"] != self.uid:
                raise PodGone()
            fn(o)
            return o
        try:
            return self.k.store.update(self.k.pods, self.ns, self.name, mutate)
        except errors.ApiError as e:
            if e.code == 404:
                raise PodGone()
            raise

    def current(self):
        pod = self.k.store.peek(self.k.pods.store_key, self.ns, self.name)
        if pod is None or pod["metadata"]["uid"] != self.uid:
            raise PodGone()
        return pod

    def event(self, reason, message, type_="Normal", container=None, component="kubelet"):
        if not self.k.events:
            return
        now = time.time()
        key = (reason, message, type_, container, component)
        if key in self.event_names:
            return self._repeat_event(self.event_names[key], now)
        name = f"{self.name}.{time.time_ns():x}{uuid.uuid4().hex[:4]}"
        self.event_names[key] = name
        ref = {"kind": "Pod", "namespace": self.ns, "name": self.name, "uid": self.uid, "apiVersion": "v1"}
        if container:
            ref["fieldPath"] = f"spec.{'initContainers' if container in self.inits else 'containers'}{{{container}}}"
        host = NODE if component == "kubelet" else ""
        core = {"apiVersion": "v1", "kind": "Event", "metadata": {"name": name, "namespace": self.ns},
                "involvedObject": ref, "reason": reason, "message": message,
                "source": {"component": component, **({"host": host} if host else {})},
                "firstTimestamp": now_rfc3339(now), "lastTimestamp": now_rfc3339(now), "count": 1, "type": type_,
                "eventTime": None, "reportingComponent": component, "reportingInstance": host}
        new = {"apiVersion": "events.k8s.io/v1", "kind": "Event", "metadata": {"name": name, "namespace": self.ns},
               "eventTime": now_rfc3339_micro(now), "reportingController": component,
               "reportingInstance": host or component, "action": reason, "reason": reason, "regarding": ref,
               "note": message, "type": type_}
        for res, obj in ((self.k.core_events, core), (self.k.v1_events, new)):
            try:
                self.k.store.create(res, self.ns, obj)
            except errors.ApiError:
                pass  # namespace deleted under us

    def _repeat_event(self, name, now):
        """The event recorder's deduplication: the same event again bumps count / series."""
        def core(o):
            o["count"] = o.get("count", 1) + 1
            o["lastTimestamp"] = now_rfc3339(now)
            return o

        def new(o):
            series = o.setdefault("series", {"count": 1})
            series["count"] += 1
            series["lastObservedTime"] = now_rfc3339_micro(now)
            return o
        for res, fn in ((self.k.core_events, core), (self.k.v1_events, new)):
            try:
                self.k.store.update(res, self.ns, name, fn)
            except errors.ApiError:
                pass

    # ---- status pieces ------------------------------------------------------------
    def _cid(self, name):
        if name not in self.ids:
            self.ids[name] = "containerd://" + hashlib.sha256(f"{self.uid}/{name}".encode()).hexdigest()
        return self.ids[name]

    def _base_status(self, name, state, ready=False, started=False):
        c = self.containers[name]
        st = {"name": name, "image": normalize_image(c.get("image", "")), "imageID": "", "lastState": {},
              "ready": ready, "restartCount": 0, "started": started, "state": state}
        if "waiting" not in state:
            digest = hashlib.sha256(st["image"].encode()).hexdigest()
            st["imageID"] = st["image"].rsplit(":", 1)[0] + "@sha256:" + digest
            st["containerID"] = self._cid(name)
        return st

    def bind(self):
        def fn(p):
            p["spec"]["nodeName"] = NODE
            _set_cond(p["status"], "PodScheduled", "True")
        self.update(fn)
        self.event("Scheduled", f"Successfully assigned {self.ns}/{self.name} to {NODE}",
                   component="default-scheduler")

    def unschedulable(self, message):
        def fn(p):
            _set_cond(p["status"], "PodScheduled", "False", "Unschedulable", message)
        self.update(fn)
        self.event("FailedScheduling", message, "Warning", component="default-scheduler")

    def creating(self):
        def fn(p):
            st = p["status"]
            st.update({"hostIP": HOST_IP, "hostIPs": [{"ip": HOST_IP}], "podIP": self.pod_ip,
                       "podIPs": [{"ip": self.pod_ip}], "startTime": now_rfc3339()})
            _set_cond(st, "PodReadyToStartContainers", "True")
            if self.inits:
                st["initContainerStatuses"] = [self._base_status(n, {"waiting": {"reason": "PodInitializing"}})
                                               for n in self.inits]
            reason = "PodInitializing" if self.inits else "ContainerCreating"
            st["containerStatuses"] = [self._base_status(n, {"waiting": {"reason": reason}}) for n in self.mains]
            _recompute(p, self)
        self.update(fn)

    def set_state(self, name, state, ready=False, started=False):
        def fn(p):
            key = "initContainerStatuses" if name in self.inits else "containerStatuses"
            statuses = p["status"].setdefault(key, [])
            new = self._base_status(name, state, ready, started)
            for i, s in enumerate(statuses):
                if s["name"] == name:
                    statuses[i] = new
                    break
            else:
                statuses.append(new)
            if key == "initContainerStatuses" and "terminated" in state and state["terminated"]["exitCode"] == 0 \
                    and name == self.inits[-1]:
                for s in p["status"].get("containerStatuses") or []:
                    if s["state"].get("waiting", {}).get("reason") == "PodInitializing":
                        s["state"] = {"waiting": {"reason": "ContainerCreating"}}
            _recompute(p, self)
        return self.update(fn)

    def waiting(self, name, reason, message=None):
        w = {"reason": reason}
        if message:
            w["message"] = message
        self.set_state(name, {"waiting": w})

    def running(self, name, started_at=None):
        self.started_at = getattr(self, "started_at", {})
        self.started_at[name] = started_at or now_rfc3339()
        self.k.app.logbook.open(self.uid, name)
        self.set_state(name, {"running": {"startedAt": self.started_at[name]}}, ready=name in self.mains,
                       started=True)

    def terminated(self, name, exit_code, reason=None, message=None, signal=None):
        started = getattr(self, "started_at", {}).get(name, now_rfc3339())
        t = {"containerID": self._cid(name), "exitCode": exit_code,
             "reason": reason or ("Completed" if exit_code == 0 else "Error"), "startedAt": started,
             "finishedAt": now_rfc3339()}
        if message:
            t["message"] = message
        if signal:
            t["signal"] = signal
        self.k.app.logbook.open(self.uid, name).finish()
        self.set_state(name, {"terminated": t})

    def fail_pod(self, reason, message, disruption=None):
        """Kubelet-initiated termination (eviction, node shutdown): the Pod fails with a pod-level reason."""
        def fn(p):
            st = p["status"]
            st["phase"], st["reason"], st["message"] = "Failed", reason, message
            if disruption:
                _set_cond(st, "DisruptionTarget", "True", disruption, message)
            for s in st.get("containerStatuses") or []:
                if "running" in s["state"]:
                    s["state"] = {"terminated": {"containerID": s.get("containerID", self._cid(s["name"])),
                                                 "exitCode": 137, "reason": "Error",
                                                 "startedAt": s["state"]["running"]["startedAt"],
                                                 "finishedAt": now_rfc3339()}}
                    s["ready"], s["started"] = False, False
            _recompute(p, self)
        self.update(fn)


def _set_cond(status, type_, value, reason=None, message=None):
    conds = status.setdefault("conditions", [])
    now = now_rfc3339()
    for c in conds:
        if c["type"] == type_:
            if c["status"] != value:
                c["lastTransitionTime"] = now
            c["status"] = value
            c.pop("reason", None)
            c.pop("message", None)
            break
    else:
        c = {"type": type_, "status": value, "lastProbeTime": None, "lastTransitionTime": now}
        conds.append(c)
    if reason:
        c["reason"] = reason
    if message:
        c["message"] = message
    conds.sort(key=lambda c: COND_ORDER.index(c["type"]) if c["type"] in COND_ORDER else 99)


def _state_kind(s):
    return next(iter(s.get("state") or {"waiting": {}}))


def _recompute(pod, ctx):
    """Conditions and phase from container states, as the kubelet's generateAPIPodStatus derives them."""
    st = pod["status"]
    inits = st.get("initContainerStatuses") or []
    mains = st.get("containerStatuses") or []
    init_done = all(_state_kind(s) == "terminated" and s["state"]["terminated"]["exitCode"] == 0 for s in inits)
    init_failed = any(_state_kind(s) == "terminated" and s["state"]["terminated"]["exitCode"] != 0 for s in inits)
    phase = st.get("phase", "Pending")
    if st.get("reason") in ("Evicted", "Terminated", "NodeShutdown", "DeadlineExceeded"):
        phase = "Failed"
    elif init_failed:
        phase = "Failed"
    elif mains and all(_state_kind(s) == "terminated" for s in mains):
        phase = "Succeeded" if all(s["state"]["terminated"]["exitCode"] == 0 for s in mains) else "Failed"
    elif init_done and any(_state_kind(s) in ("running", "terminated") for s in mains):
        phase = "Running"
    st["phase"] = phase
    # Condition rules of pkg/kubelet/status/generate.go (GeneratePodInitializedCondition,
    # GenerateContainersReadyCondition, generate*ConditionForTerminalPhase).
    if phase in ("Succeeded", "Failed"):
        _set_cond(st, "PodReadyToStartContainers", "False")
    if phase == "Succeeded":
        _set_cond(st, "Initialized", "True", "PodCompleted")
    elif any(_state_kind(s) in ("running", "terminated") for s in mains):
        _set_cond(st, "Initialized", "True")
    else:
        pending = [s["name"] for s in inits if not (_state_kind(s) == "terminated" and
                                                     s["state"]["terminated"]["exitCode"] == 0)]
        if pending:
            _set_cond(st, "Initialized", "False", "ContainersNotInitialized",
                      f"containers with incomplete status: [{' '.join(pending)}]")
        else:
            _set_cond(st, "Initialized", "True")
    if phase in ("Succeeded", "Failed"):
        for s in mains + inits:
            s["ready"] = False
        for t in ("Ready", "ContainersReady"):
            _set_cond(st, t, "False", "PodCompleted" if phase == "Succeeded" else "PodFailed")
        return
    unready = [s["name"] for s in mains if not s.get("ready")]
    if unready:
        msg = f"containers with unready status: [{' '.join(unready)}]"
        _set_cond(st, "Ready", "False", "ContainersNotReady", msg)
        _set_cond(st, "ContainersReady", "False", "ContainersNotReady", msg)
    else:
        _set_cond(st, "Ready", "True")
        _set_cond(st, "ContainersReady", "True")
