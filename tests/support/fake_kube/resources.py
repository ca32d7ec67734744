"""The kinds the fake serves: built-in ones and those CustomResourceDefinitions add at run time.

A Resource says how a kind appears on the wire (group, version, plural, kind, scope) and which
field selectors and printer columns it has. Discovery documents are generated from the registry,
so a CRD created through the API is served and discoverable at once, as with a real server.
"""
import threading
from dataclasses import dataclass, field

ALL_VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]
META_FIELDS = {"metadata.name", "metadata.namespace"}
POD_FIELDS = META_FIELDS | {"spec.nodeName", "spec.restartPolicy", "spec.schedulerName",
                            "spec.serviceAccountName", "status.phase", "status.podIP", "status.nominatedNodeName"}
EVENT_FIELDS = META_FIELDS | {"involvedObject.kind", "involvedObject.namespace", "involvedObject.name",
                              "involvedObject.uid", "involvedObject.apiVersion", "involvedObject.resourceVersion",
                              "involvedObject.fieldPath", "reason", "reportingComponent", "source", "type"}
EVENTS_V1_FIELDS = META_FIELDS | {"regarding.kind", "regarding.namespace", "regarding.name", "regarding.uid",
                                  "regarding.apiVersion", "regarding.resourceVersion", "regarding.fieldPath",
                                  "reason", "reportingController", "type"}


@dataclass
class Resource:
    group: str
    version: str
    plural: str
    kind: str
    singular: str = ""
    namespaced: bool = True
    short_names: list = field(default_factory=list)
    categories: list = field(default_factory=list)
    verbs: list = field(default_factory=lambda: list(ALL_VERBS))
    status_subresource: bool = False
    field_labels: set = field(default_factory=lambda: set(META_FIELDS))
    printer_columns: list = field(default_factory=list)  # CRD additionalPrinterColumns
    subresources: list = field(default_factory=list)  # extra names like "log"
    crd: str = ""  # name of the CRD that serves it

    @property
    def api_version(self):
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def store_key(self):
        """Objects are stored once per group and plural, whatever version they are read in."""
        return (self.group, self.plural)

    @property
    def list_kind(self):
        return self.kind + "List"


def _builtins():
    core = [
        Resource("", "v1", "pods", "Pod", "pod", short_names=["po"], categories=["all"], status_subresource=True,
                 field_labels=POD_FIELDS, subresources=["log", "status"]),
        Resource("", "v1", "configmaps", "ConfigMap", "configmap", short_names=["cm"]),
        Resource("", "v1", "secrets", "Secret", "secret"),
        Resource("", "v1", "events", "Event", "event", short_names=["ev"], field_labels=EVENT_FIELDS),
        Resource("", "v1", "namespaces", "Namespace", "namespace", namespaced=False, short_names=["ns"],
                 verbs=["create", "delete", "get", "list", "patch", "update", "watch"], status_subresource=True,
                 field_labels=META_FIELDS | {"status.phase"}, subresources=["status"]),
        Resource("", "v1", "serviceaccounts", "ServiceAccount", "serviceaccount", short_names=["sa"]),
        Resource("", "v1", "services", "Service", "service", short_names=["svc"], categories=["all"],
                 status_subresource=True, subresources=["status"]),
        Resource("", "v1", "nodes", "Node", "node", namespaced=False, short_names=["no"], status_subresource=True,
                 subresources=["status"]),
        Resource("events.k8s.io", "v1", "events", "Event", "event", short_names=["ev"],
                 field_labels=EVENTS_V1_FIELDS),
        Resource("authentication.k8s.io", "v1", "selfsubjectreviews", "SelfSubjectReview", "selfsubjectreview",
                 namespaced=False, verbs=["create"]),
        Resource("authorization.k8s.io", "v1", "selfsubjectaccessreviews", "SelfSubjectAccessReview",
                 "selfsubjectaccessreview", namespaced=False, verbs=["create"]),
        Resource("apiextensions.k8s.io", "v1", "customresourcedefinitions", "CustomResourceDefinition",
                 "customresourcedefinition", namespaced=False, short_names=["crd", "crds"],
                 categories=["api-extensions"],
                 status_subresource=True, subresources=["status"]),
    ]
    return core


class Registry:
    """Thread-safe map (group, version, plural) -> Resource."""

    def __init__(self):
        self._lock = threading.Lock()
        self._by_gvr = {}
        for r in _builtins():
            self._by_gvr[(r.group, r.version, r.plural)] = r

    def get(self, group, version, plural):
        with self._lock:
            return self._by_gvr.get((group, version, plural))

    def all(self):
        with self._lock:
            return list(self._by_gvr.values())

    def groups(self):
        """[(group, [versions])] in a stable order, core group excluded."""
        out = {}
        for r in self.all():
            if r.group:
                out.setdefault(r.group, [])
                if r.version not in out[r.group]:
                    out[r.group].append(r.version)
        return sorted(out.items())

    def by_store_key(self, group, plural):
        for r in self.all():
            if r.group == group and r.plural == plural:
                return r
        return None

    def add_crd(self, crd):
        """Serve every `served` version of a CRD object (apiextensions.k8s.io/v1)."""
        spec = crd.get("spec", {})
        names = spec.get("names", {})
        added = []
        with self._lock:
            for v in spec.get("versions", []):
                if not v.get("served", True):
                    continue
                sub = v.get("subresources") or {}
                r = Resource(spec["group"], v["name"], names["plural"], names["kind"],
                             names.get("singular", names["kind"].lower()),
                             namespaced=spec.get("scope", "Namespaced") == "Namespaced",
                             short_names=list(names.get("shortNames", [])),
                             categories=list(names.get("categories", [])),
                             status_subresource="status" in sub,
                             printer_columns=list(v.get("additionalPrinterColumns", [])),
                             subresources=["status"] if "status" in sub else [], crd=crd["metadata"]["name"])
                self._by_gvr[(r.group, r.version, r.plural)] = r
                added.append(r)
        return added

    def remove_crd(self, crd_name):
        with self._lock:
            gone = [k for k, r in self._by_gvr.items() if r.crd == crd_name]
            for k in gone:
                del self._by_gvr[k]
