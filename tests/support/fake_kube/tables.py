"""Server-side printing: `meta.k8s.io/v1 Table` responses, which `kubectl get` asks for.

Pods get the columns kubectl shows for a real cluster (NAME READY STATUS RESTARTS AGE, plus IP
and NODE with -o wide); custom resources get their CRD's additionalPrinterColumns.
"""
import time

from .timeutil import human_duration, parse_rfc3339

_NAME_COL = {"name": "Name", "type": "string", "format": "name", "priority": 0,
             "description": "Name must be unique within a namespace."}
_AGE_COL = {"name": "Age", "type": "string", "format": "", "priority": 0,
            "description": "CreationTimestamp is a timestamp representing the server time when this object was "
                           "created."}


def wants_table(accept):
    return "as=Table" in (accept or "")


def _col(name, typ="string", priority=0, fmt=""):
    return {"name": name, "type": typ, "format": fmt, "description": name, "priority": priority}


def _age(obj):
    ts = (obj.get("metadata") or {}).get("creationTimestamp")
    return human_duration(time.time() - parse_rfc3339(ts)) if ts else "<unknown>"


def pod_status_text(pod):
    """kubectl's printPod reason logic, simplified: pod reason, then init, then container states."""
    status = pod.get("status") or {}
    reason = status.get("reason") or status.get("phase") or "Unknown"
    specs = (pod.get("spec") or {}).get("initContainers") or []
    for i, cs in enumerate(status.get("initContainerStatuses") or []):
        st = cs.get("state") or {}
        if st.get("terminated", {}).get("exitCode", 1) == 0:
            continue
        if "terminated" in st:
            reason = "Init:" + (st["terminated"].get("reason") or f"ExitCode:{st['terminated'].get('exitCode')}")
        elif st.get("waiting", {}).get("reason") not in (None, "PodInitializing"):
            reason = "Init:" + st["waiting"]["reason"]
        else:
            reason = f"Init:{i}/{len(specs)}"
        return reason
    running = False
    for cs in reversed(status.get("containerStatuses") or []):
        st = cs.get("state") or {}
        if st.get("waiting", {}).get("reason"):
            reason = st["waiting"]["reason"]
        elif st.get("terminated", {}).get("reason"):
            reason = st["terminated"]["reason"]
        elif "terminated" in st:
            t = st["terminated"]
            reason = f"Signal:{t['signal']}" if t.get("signal") else f"ExitCode:{t.get('exitCode')}"
        elif "running" in st and cs.get("ready"):
            running = True
    if reason == "Completed" and running:
        reason = "Running"
    if (pod.get("metadata") or {}).get("deletionTimestamp"):
        reason = "Terminating"
    return reason


def _pod_row(pod):
    status = pod.get("status") or {}
    cs = status.get("containerStatuses") or []
    total = len((pod.get("spec") or {}).get("containers") or [])
    ready = sum(1 for c in cs if c.get("ready"))
    restarts = sum(c.get("restartCount", 0) for c in cs)
    return [pod["metadata"]["name"], f"{ready}/{total}", pod_status_text(pod), restarts, _age(pod),
            status.get("podIP") or "<none>", (pod.get("spec") or {}).get("nodeName") or "<none>", "<none>", "<none>"]


def _pod_columns():
    return [_NAME_COL, _col("Ready"), _col("Status"), _col("Restarts", "string"), _AGE_COL, _col("IP", priority=1),
            _col("Node", priority=1), _col("Nominated Node", priority=1), _col("Readiness Gates", priority=1)]


def _jsonpath(obj, path):
    cur = obj
    for part in path.strip().lstrip(".").split("."):
        if not isinstance(cur, dict) or part not in cur:
            return None
        cur = cur[part]
    return cur


def _columns_and_row(res):
    if res.store_key == ("", "pods"):
        return _pod_columns(), _pod_row
    if res.printer_columns:
        cols = [_NAME_COL] + [_col(c["name"], c.get("type", "string"), c.get("priority", 0), c.get("format", ""))
                              for c in res.printer_columns]
        has_age = any(c["name"] == "Age" for c in res.printer_columns)
        if not has_age:
            cols.append(_AGE_COL)

        def row(obj):
            cells = [obj["metadata"]["name"]]
            for c in res.printer_columns:
                v = _jsonpath(obj, c["jsonPath"])
                if c.get("type") == "date" and v:
                    v = human_duration(time.time() - parse_rfc3339(v))
                cells.append(v)
            return cells + ([] if has_age else [_age(obj)])
        return cols, row
    if res.store_key == ("", "configmaps") or res.store_key == ("", "secrets"):
        cols = [_NAME_COL] + ([_col("Type")] if res.plural == "secrets" else []) + [_col("Data", "integer"), _AGE_COL]
        return cols, lambda o: [o["metadata"]["name"]] + ([o.get("type", "")] if res.plural == "secrets" else []) + \
            [len(o.get("data") or {}) + len(o.get("binaryData") or {}), _age(o)]
    if res.store_key == ("", "events"):
        def ev_row(o):
            ref = o.get("involvedObject") or {}
            last = o.get("lastTimestamp") or o.get("eventTime") or o["metadata"].get("creationTimestamp")
            seen = human_duration(time.time() - parse_rfc3339(last)) if last else "<unknown>"
            obj = f"{ref.get('kind', '').lower()}/{ref.get('name', '')}"
            return [seen, o.get("type", ""), o.get("reason", ""), obj, o.get("message", "")]
        return [_col("Last Seen"), _col("Type"), _col("Reason"), _col("Object"), _col("Message")], ev_row
    if res.store_key == ("", "nodes"):
        def node_row(o):
            ready = next((c["status"] for c in (o.get("status") or {}).get("conditions") or []
                          if c["type"] == "Ready"), "Unknown")
            info = (o.get("status") or {}).get("nodeInfo") or {}
            ip = next((a["address"] for a in (o.get("status") or {}).get("addresses") or []
                       if a["type"] == "InternalIP"), "<none>")
            return [o["metadata"]["name"], "Ready" if ready == "True" else "NotReady", "<none>", _age(o),
                    info.get("kubeletVersion", ""), ip]
        return [_NAME_COL, _col("Status"), _col("Roles"), _AGE_COL, _col("Version"),
                _col("Internal-IP", priority=1)], node_row
    if res.store_key == ("", "namespaces"):
        return [_NAME_COL, _col("Status"), _AGE_COL], \
            lambda o: [o["metadata"]["name"], (o.get("status") or {}).get("phase", ""), _age(o)]
    return [_NAME_COL, _AGE_COL], lambda o: [o["metadata"]["name"], _age(o)]


def _row_object(obj, include):
    if include == "None":
        return None
    if include == "Object":
        return obj
    return {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": obj.get("metadata", {})}


def to_table(res, objs, list_meta, include="Metadata"):
    cols, row = _columns_and_row(res)
    rows = []
    for o in objs:
        r = {"cells": row(o)}
        ob = _row_object(o, include)
        if ob is not None:
            r["object"] = ob
        rows.append(r)
    return {"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": list_meta, "columnDefinitions": cols,
            "rows": rows}
