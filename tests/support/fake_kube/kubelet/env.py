"""What the kubelet resolves before a container starts: env (values, secretKeyRef, configMapKeyRef,
fieldRef, envFrom, `$(VAR)` expansion) and volume contents (emptyDir, configMap, secret,
downwardAPI, hostPath).

A missing Secret/ConfigMap or key in env is a CreateContainerConfigError; in a volume it is a
FailedMount that keeps the container in ContainerCreating. Both retry until the object appears.
"""
import base64
import os
import re

from ..selection import get_path

_VAR = re.compile(r"\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)")


class ConfigError(Exception):
    """CreateContainerConfigError with the kubelet's message."""


class MountError(Exception):
    """FailedMount with the kubelet's message."""


def expand(text, env):
    """Kubernetes' $(VAR) expansion: known variables replaced, unknown left as is, $$ -> $."""
    def sub(m):
        if m.group(0) == "$$":
            return "$"
        return env.get(m.group(1), m.group(0))
    return _VAR.sub(sub, text)


def _lookup(k, ns, kind, name):
    res = k.secrets if kind == "Secret" else k.configmaps
    return k.store.peek(res.store_key, ns, name)


def _data(obj, kind):
    if kind == "Secret":
        return {key: base64.b64decode(v) for key, v in (obj.get("data") or {}).items()}
    out = {key: v.encode() for key, v in (obj.get("data") or {}).items()}
    out.update({key: base64.b64decode(v) for key, v in (obj.get("binaryData") or {}).items()})
    return out


def _key_ref(k, ns, ref, kind):
    obj = _lookup(k, ns, kind, ref.get("name", ""))
    if obj is None:
        if ref.get("optional"):
            return None
        raise ConfigError(f'{"secret" if kind == "Secret" else "configmap"} "{ref.get("name", "")}" not found')
    data = _data(obj, kind)
    if ref["key"] not in data:
        if ref.get("optional"):
            return None
        raise ConfigError(f"couldn't find key {ref['key']} in {kind} {ns}/{ref.get('name', '')}")
    return data[ref["key"]].decode(errors="replace")


def field_ref(pod, path):
    m = re.fullmatch(r"metadata\.(labels|annotations)\['(.+)'\]", path)
    if m:
        return (pod["metadata"].get(m.group(1)) or {}).get(m.group(2), "")
    return get_path(pod, path)


def resolve_env(k, pod, container):
    ns = pod["metadata"].get("namespace", "")
    env = {}
    for src in container.get("envFrom") or []:
        kind, ref = ("ConfigMap", src["configMapRef"]) if "configMapRef" in src else ("Secret", src.get("secretRef"))
        obj = _lookup(k, ns, kind, ref.get("name", ""))
        if obj is None:
            if ref.get("optional"):
                continue
            raise ConfigError(f'{"secret" if kind == "Secret" else "configmap"} "{ref.get("name", "")}" not found')
        for key, v in _data(obj, kind).items():
            env[src.get("prefix", "") + key] = v.decode(errors="replace")
    for e in container.get("env") or []:
        vf = e.get("valueFrom")
        if vf is None:
            env[e["name"]] = expand(e.get("value", ""), env)
        elif "secretKeyRef" in vf or "configMapKeyRef" in vf:
            kind = "Secret" if "secretKeyRef" in vf else "ConfigMap"
            v = _key_ref(k, ns, vf.get("secretKeyRef") or vf.get("configMapKeyRef"), kind)
            if v is not None:
                env[e["name"]] = v
        elif "fieldRef" in vf:
            env[e["name"]] = field_ref(pod, vf["fieldRef"]["fieldPath"])
        else:
            env[e["name"]] = ""  # resourceFieldRef: not emulated
    return env


def _write_items(dest, data, items, default_mode):
    os.makedirs(dest, exist_ok=True)
    chosen = [(it["key"], it["path"], it.get("mode")) for it in items] if items else \
        [(key, key, None) for key in data]
    for key, path, mode in chosen:
        if key not in data:
            continue
        target = os.path.join(dest, path)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "wb") as f:
            f.write(data[key])
        os.chmod(target, mode if mode is not None else default_mode)


def materialize_volumes(k, pod, root):
    """Creates each volume's host directory under root; returns {volume name: host path}."""
    ns = pod["metadata"].get("namespace", "")
    out = {}
    for v in pod["spec"].get("volumes") or []:
        name = v["name"]
        dest = os.path.join(root, name)
        if "emptyDir" in v:
            os.makedirs(dest, exist_ok=True)
            os.chmod(dest, 0o777)
        elif "hostPath" in v:
            dest = v["hostPath"]["path"]
        elif "configMap" in v or "secret" in v:
            kind = "ConfigMap" if "configMap" in v else "Secret"
            src = v.get("configMap") or v.get("secret")
            obj_name = src.get("name") if kind == "ConfigMap" else src.get("secretName")
            obj = _lookup(k, ns, kind, obj_name or "")
            if obj is None and not src.get("optional"):
                raise MountError(f'MountVolume.SetUp failed for volume "{name}" : '
                                 f'{"configmap" if kind == "ConfigMap" else "secret"} "{obj_name}" not found')
            _write_items(dest, _data(obj, kind) if obj else {}, src.get("items"), src.get("defaultMode", 0o644))
        elif "projected" in v:
            data = {}
            for src in v["projected"].get("sources") or []:
                data.update(_projected_source(k, pod, name, src))
            _write_items(dest, data, None, v["projected"].get("defaultMode", 0o644))
        elif "downwardAPI" in v:
            data = {it["path"]: _downward(pod, it).encode() for it in v["downwardAPI"].get("items") or []}
            _write_items(dest, data, None, v["downwardAPI"].get("defaultMode", 0o644))
        else:
            raise MountError(f'MountVolume.SetUp failed for volume "{name}" : volume type not emulated by fake-kube')
        out[name] = dest
    return out


def _projected_source(k, pod, volume, src):
    """{path: bytes} for one source of a projected volume."""
    ns = pod["metadata"].get("namespace", "")
    if "serviceAccountToken" in src:
        sa = pod["spec"].get("serviceAccountName") or "default"
        return {src["serviceAccountToken"].get("path", "token"): k.service_account_token(ns, sa).encode()}
    if "downwardAPI" in src:
        return {it["path"]: _downward(pod, it).encode() for it in src["downwardAPI"].get("items") or []}
    kind = "ConfigMap" if "configMap" in src else "Secret"
    ref = src.get("configMap") or src.get("secret") or {}
    obj = _lookup(k, ns, kind, ref.get("name", ""))
    if obj is None:
        if ref.get("optional"):
            return {}
        raise MountError(f'MountVolume.SetUp failed for volume "{volume}" : '
                         f'{"configmap" if kind == "ConfigMap" else "secret"} "{ref.get("name")}" not found')
    data = _data(obj, kind)
    if ref.get("items"):
        return {it["path"]: data[it["key"]] for it in ref["items"] if it["key"] in data}
    return data


def _downward(pod, item):
    path = (item.get("fieldRef") or {}).get("fieldPath", "")
    if path in ("metadata.labels", "metadata.annotations"):
        d = pod["metadata"].get(path.split(".")[1]) or {}
        return "".join(f'{k}="{v}"\n' for k, v in sorted(d.items()))
    return field_ref(pod, path)
