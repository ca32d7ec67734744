"""Defaulting and validation of objects on create/update, limited to what clients observe.

Messages follow apimachinery's field.Error formatting, e.g.
`Pod "x" is invalid: spec.containers[0].image: Required value`, so a client that shows the
server's message shows the same text as against a real cluster.
"""
import base64
import random
import re

from . import errors

_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
_QUALIFIED = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
RFC1123_LABEL_MSG = ("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must "
                     "start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for "
                     "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')")
LABEL_VALUE_MSG = ("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and "
                   "must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', "
                   "regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')")


def _name_causes(res, name):
    if not name:
        return [("metadata.name", "Required value: name or generateName is required", "FieldValueRequired")]
    if res.plural == "namespaces":
        if len(name) > 63 or not _LABEL.match(name):
            return [("metadata.name", f'Invalid value: "{name}": {RFC1123_LABEL_MSG}', "FieldValueInvalid")]
        return []
    causes = []
    if len(name) > 253:
        causes.append(("metadata.name", f'Invalid value: "{name}": must be no more than 253 characters',
                       "FieldValueInvalid"))
    if not _SUBDOMAIN.match(name):
        causes.append(("metadata.name", f'Invalid value: "{name}": {errors.RFC1123_SUBDOMAIN_MSG}',
                       "FieldValueInvalid"))
    return causes


def _label_causes(meta):
    causes = []
    for k, v in (meta.get("labels") or {}).items():
        key_name = k.split("/")[-1]
        if len(key_name) > 63 or not _QUALIFIED.match(key_name):
            causes.append(("metadata.labels", f'Invalid value: "{k}": name part must consist of alphanumeric '
                           "characters, '-', '_' or '.', and must start and end with an alphanumeric character",
                           "FieldValueInvalid"))
        if not isinstance(v, str):
            causes.append(("metadata.labels", f"Invalid value: {v!r}: must be a string", "FieldValueInvalid"))
        elif len(v) > 63:
            causes.append(("metadata.labels", f'Invalid value: "{v}": must be no more than 63 characters',
                           "FieldValueInvalid"))
        elif not _LABEL_VALUE.match(v):
            causes.append(("metadata.labels", f'Invalid value: "{v}": {LABEL_VALUE_MSG}', "FieldValueInvalid"))
    return causes


def _container_causes(spec, which):
    causes, seen = [], set()
    volumes = {v.get("name") for v in spec.get("volumes") or []}
    for i, c in enumerate(spec.get(which) or []):
        path = f"spec.{which}[{i}]"
        name = c.get("name", "")
        if not name:
            causes.append((f"{path}.name", "Required value", "FieldValueRequired"))
        elif not _LABEL.match(name) or len(name) > 63:
            causes.append((f"{path}.name", f'Invalid value: "{name}": {RFC1123_LABEL_MSG}', "FieldValueInvalid"))
        elif name in seen:
            causes.append((f"{path}.name", f'Duplicate value: "{name}"', "FieldValueDuplicate"))
        seen.add(name)
        if not c.get("image"):
            causes.append((f"{path}.image", "Required value", "FieldValueRequired"))
        for j, m in enumerate(c.get("volumeMounts") or []):
            if m.get("name") not in volumes:
                causes.append((f"{path}.volumeMounts[{j}].name", f'Not found: "{m.get("name")}"', "FieldValueNotFound"))
    return causes


def _pod_causes(pod):
    spec = pod.get("spec") or {}
    causes = []
    if not spec.get("containers"):
        causes.append(("spec.containers", "Required value", "FieldValueRequired"))
    causes += _container_causes(spec, "initContainers") + _container_causes(spec, "containers")
    rp = spec.get("restartPolicy", "Always")
    if rp not in ("Always", "OnFailure", "Never"):
        causes.append(("spec.restartPolicy", f'Unsupported value: "{rp}": supported values: "Always", "OnFailure", '
                       '"Never"', "FieldValueNotSupported"))
    return causes


def validate(res, obj, creating=True):
    meta = obj.get("metadata") or {}
    name = meta.get("name") or ("" if not meta.get("generateName") else meta["generateName"] + "x")
    causes = (_name_causes(res, name) if creating else []) + _label_causes(meta)
    if res.store_key == ("", "pods"):
        causes += _pod_causes(obj)
    if res.store_key in (("", "configmaps"), ("", "secrets")):
        causes += _size_causes(obj)
    if causes:
        raise errors.invalid(res.kind, meta.get("name") or meta.get("generateName", ""), causes, res.group)


# ValidateConfigMap / ValidateSecret: the values' bytes (binaryData and Secret data decoded), all
# together, at most core.MaxSecretSize.
MAX_DATA_SIZE = 1024 * 1024


def _size_causes(obj):
    secret = obj.get("kind") == "Secret"
    total = 0
    for field in ("data", "binaryData", "stringData"):
        for v in (obj.get(field) or {}).values():
            if not isinstance(v, str):
                continue
            if field == "binaryData" or (field == "data" and secret):
                try:
                    total += len(base64.b64decode(v))
                    continue
                except ValueError:
                    pass
            total += len(v.encode())
    if total > MAX_DATA_SIZE:
        return [("[]", f"Too long: must have at most {MAX_DATA_SIZE} bytes", "FieldValueTooLong")]
    return []


POD_UPDATE_MSG = ("Forbidden: pod updates may not change fields other than `spec.containers[*].image`,"
                  "`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions "
                  "to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was "
                  "previously negative)")


def _frozen_spec(spec):
    """The part of a Pod spec that may not change after creation."""
    out = {k: v for k, v in (spec or {}).items()
           if k not in ("activeDeadlineSeconds", "tolerations", "terminationGracePeriodSeconds")}
    for key in ("containers", "initContainers"):
        if key in out:
            out[key] = [{k: v for k, v in c.items() if k != "image"} for c in out[key]]
    return out


def check_pod_update(old, new):
    if _frozen_spec(old.get("spec")) != _frozen_spec(new.get("spec")):
        raise errors.invalid("Pod", old["metadata"]["name"], [("spec", POD_UPDATE_MSG, "FieldValueForbidden")])


def _qos(pod):
    cs = (pod["spec"].get("containers") or []) + (pod["spec"].get("initContainers") or [])
    reqs = [c.get("resources", {}).get("requests") or {} for c in cs]
    lims = [c.get("resources", {}).get("limits") or {} for c in cs]
    if not any(reqs) and not any(lims):
        return "BestEffort"
    guaranteed = all(l.get("cpu") and l.get("memory") and (r.get("cpu", l["cpu"]) == l["cpu"]) and
                     (r.get("memory", l["memory"]) == l["memory"]) for r, l in zip(reqs, lims))
    return "Guaranteed" if guaranteed else "Burstable"


def _default_container(c):
    c.setdefault("terminationMessagePath", "/dev/termination-log")
    c.setdefault("terminationMessagePolicy", "File")
    image = c.get("image", "")
    tagged = ":" in image.rsplit("/", 1)[-1] or "@" in image
    c.setdefault("imagePullPolicy", "IfNotPresent" if tagged and not image.endswith(":latest") else "Always")
    c.setdefault("resources", {})
    for r in ("requests",):
        if c["resources"].get("limits") and not c["resources"].get(r):
            c["resources"][r] = dict(c["resources"]["limits"])


def default_pod(pod):
    spec = pod.setdefault("spec", {})
    for c in (spec.get("initContainers") or []) + (spec.get("containers") or []):
        _default_container(c)
    spec.setdefault("restartPolicy", "Always")
    spec.setdefault("terminationGracePeriodSeconds", 30)
    spec.setdefault("dnsPolicy", "ClusterFirst")
    spec.setdefault("schedulerName", "default-scheduler")
    spec.setdefault("serviceAccountName", spec.get("serviceAccount", "default"))
    spec.setdefault("serviceAccount", spec["serviceAccountName"])
    spec.setdefault("securityContext", {})
    spec.setdefault("enableServiceLinks", True)
    spec.setdefault("priority", 0)
    spec.setdefault("preemptionPolicy", "PreemptLowerPriority")
    tol = spec.setdefault("tolerations", [])
    for key in ("node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"):
        if not any(t.get("key") == key for t in tol):
            tol.append({"key": key, "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300})
    pod["status"] = {"phase": "Pending", "qosClass": _qos(pod)}


SA_DIR = "/var/run/secrets/kubernetes.io/serviceaccount"


def add_service_account_volume(pod):
    """The ServiceAccount admission plugin's projected `kube-api-access-*` volume, mounted in every container
    unless automountServiceAccountToken is false: in-cluster clients find token, ca.crt and namespace there."""
    spec = pod["spec"]
    containers = (spec.get("initContainers") or []) + (spec.get("containers") or [])
    if spec.get("automountServiceAccountToken") is False or \
            any(m.get("mountPath") == SA_DIR for c in containers for m in c.get("volumeMounts") or []):
        return
    name = "kube-api-access-" + "".join(random.choice("bcdfghjklmnpqrstvwxz2456789") for _ in range(5))
    spec.setdefault("volumes", []).append({"name": name, "projected": {"defaultMode": 420, "sources": [
        {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
        {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
        {"downwardAPI": {"items": [{"path": "namespace",
                                    "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}}]}}]}})
    for c in containers:
        c.setdefault("volumeMounts", []).append({"name": name, "readOnly": True, "mountPath": SA_DIR})


def default_secret(secret):
    secret.setdefault("type", "Opaque")
    string_data = secret.pop("stringData", None) or {}
    if string_data:
        data = secret.setdefault("data", {}) or {}
        for k, v in string_data.items():
            data[k] = base64.b64encode(v.encode()).decode()
        secret["data"] = data


def default_namespace(ns):
    name = ns["metadata"]["name"]
    ns["metadata"].setdefault("labels", {})["kubernetes.io/metadata.name"] = name
    ns["spec"] = {"finalizers": ["kubernetes"]}
    ns["status"] = {"phase": "Active"}


def default_service(svc):
    spec = svc.setdefault("spec", {})
    spec.setdefault("type", "ClusterIP")
    spec.setdefault("sessionAffinity", "None")
    if spec.get("clusterIP") != "None":
        spec.setdefault("clusterIP", f"10.96.{random.randint(0, 255)}.{random.randint(1, 254)}")
        spec["clusterIPs"] = [spec["clusterIP"]]
    for p in spec.get("ports") or []:
        p.setdefault("protocol", "TCP")
        p.setdefault("targetPort", p.get("port"))
    svc["status"] = {"loadBalancer": {}}


def validate_crd(crd):
    spec = crd.get("spec") or {}
    names = spec.get("names") or {}
    name = crd.get("metadata", {}).get("name", "")
    causes = []
    for f in ("group",):
        if not spec.get(f):
            causes.append((f"spec.{f}", "Required value", "FieldValueRequired"))
    for f in ("plural", "kind"):
        if not names.get(f):
            causes.append((f"spec.names.{f}", "Required value", "FieldValueRequired"))
    if not spec.get("versions"):
        causes.append(("spec.versions", "Required value: must have exactly one version marked as storage version",
                       "FieldValueRequired"))
    if not causes and name != f"{names['plural']}.{spec['group']}":
        causes.append(("metadata.name", f'Invalid value: "{name}": must be spec.names.plural+"."+spec.group',
                       "FieldValueInvalid"))
    if causes:
        raise errors.invalid("CustomResourceDefinition", name, causes, "apiextensions.k8s.io")


def crd_status(crd, now):
    names = dict(crd["spec"]["names"])
    names.setdefault("singular", names["kind"].lower())
    names.setdefault("listKind", names["kind"] + "List")
    cond = lambda t, r, m: {"type": t, "status": "True", "lastTransitionTime": now, "reason": r, "message": m}
    return {"conditions": [cond("NamesAccepted", "NoConflicts", "no conflicts found"),
                           cond("Established", "InitialNamesAccepted", "the initial names have been accepted")],
            "acceptedNames": names,
            "storedVersions": [v["name"] for v in crd["spec"]["versions"] if v.get("storage", True)][:1]}
