"""What the operator emulations share: a thread fed by store events (the store calls listeners
under its lock, so they only enqueue), owner references, status patches and Pod creation."""
import copy
import queue
import threading

from .. import errors

IGNORED_ANNOTATIONS = ("kopf.zalando.org", "kubectl.kubernetes.io")


class Operator:
    GROUP = PLURAL = KIND = ""

    def __init__(self, app):
        self.app, self.store, self.api = app, app.store, app.api
        self.pods = app.registry.get("", "v1", "pods")
        self.services = app.registry.get("", "v1", "services")
        self.q = queue.Queue()
        self._stopping = threading.Event()
        self.store.listeners.append(self._on_event)

    def res(self, plural=None):
        return self.app.registry.by_store_key(self.GROUP, plural or self.PLURAL)

    def _on_event(self, ev):
        if ev.key == (self.GROUP, self.PLURAL) and ev.type == "ADDED":
            self.q.put(("created", ev.obj))
        elif ev.key == self.pods.store_key and ev.type == "MODIFIED":
            self.q.put(("pod", ev.obj))

    def start(self):
        threading.Thread(target=self._loop, name=f"fake-{self.PLURAL}-operator", daemon=True).start()

    def stop(self):
        self._stopping.set()

    def _loop(self):
        while not self._stopping.is_set():
            try:
                kind, obj = self.q.get(timeout=0.2)
            except queue.Empty:
                continue
            try:
                self.created(obj) if kind == "created" else self.pod_changed(obj)
            except errors.ApiError:
                pass  # the object or its namespace went away meanwhile

    def created(self, obj):
        raise NotImplementedError

    def pod_changed(self, pod):
        raise NotImplementedError

    # ---- helpers -------------------------------------------------------------
    def owned_by(self, owner, kind):
        meta = owner["metadata"]
        return [{"apiVersion": owner["apiVersion"], "kind": kind, "name": meta["name"], "uid": meta["uid"],
                 "controller": True, "blockOwnerDeletion": True}]

    def status(self, ns, name, plural=None, **status):
        self.api.patch(self.res(plural), ns, name, {"status": status}, "application/merge-patch+json", "status")

    def current(self, ns, name, plural=None):
        return self.store.peek((self.GROUP, plural or self.PLURAL), ns, name)

    def create_pod(self, ns, pod):
        pod = dict(pod, apiVersion="v1", kind="Pod")
        if not pod["metadata"].get("annotations"):
            pod["metadata"].pop("annotations", None)
        try:
            self.api.create(self.pods, ns, pod)
        except errors.ApiError as e:
            if e.code != 409:
                raise

    def owner_of(self, pod):
        """The (ns, name) of the resource of ours that controls `pod`, if it still exists."""
        ref = next((r for r in pod["metadata"].get("ownerReferences") or [] if r.get("kind") == self.KIND), None)
        if ref is None:
            return None
        ns = pod["metadata"]["namespace"]
        obj = self.current(ns, ref["name"])
        if obj is None or obj["metadata"]["uid"] != ref["uid"]:
            return None
        return obj

    @staticmethod
    def labels_of(obj):
        return dict(obj["metadata"].get("labels") or {})

    @staticmethod
    def annotations_of(obj):
        return {k: v for k, v in (obj["metadata"].get("annotations") or {}).items()
                if not k.startswith(IGNORED_ANNOTATIONS)}

    @staticmethod
    def scripted(obj):
        """`fake.flyte.org/*` annotations of a resource, copied to its main Pod so tests can script it."""
        return {k: v for k, v in (obj["metadata"].get("annotations") or {}).items() if k.startswith("fake.flyte.org/")}

    @staticmethod
    def from_template(template, name, labels, annotations, owner_refs):
        template = copy.deepcopy(template or {})
        meta = template.get("metadata") or {}
        return {"metadata": {"name": name, "labels": dict(labels, **(meta.get("labels") or {})),
                             "annotations": dict(annotations, **(meta.get("annotations") or {})),
                             "ownerReferences": owner_refs},
                "spec": template.get("spec") or {}}

    @staticmethod
    def terminated(pod, container):
        for c in (pod.get("status") or {}).get("containerStatuses") or []:
            if c.get("name") == container and "terminated" in (c.get("state") or {}):
                return c["state"]["terminated"]
        return {}
