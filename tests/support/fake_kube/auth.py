"""Credentials: a test CA and certificates (made with the openssl CLI), bearer tokens, the exec
credential plugin, and the kubeconfig files clients are pointed at.

Tokens live in a CSV file (`token,user,uid,"group1,group2"`, the kube-apiserver --token-auth-file
format) that is re-read when it changes, so the exec plugin can mint a new token by appending a
line, and a test can revoke one by editing the file or through /_fake/faults.
"""
import base64
import csv
import json
import os
import stat
import subprocess
import threading
import time

ADMIN_TOKEN = "fake-admin-token"


def _openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _signed(cwd, name, subj, ext):
    if os.path.exists(os.path.join(cwd, f"{name}.crt")):
        return
    with open(os.path.join(cwd, f"{name}.ext"), "w") as f:
        f.write(ext)
    _openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
             "-keyout", f"{name}.key", "-subj", subj, "-out", f"{name}.csr", cwd=cwd)
    _openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
             "-days", "3650", "-extfile", f"{name}.ext", "-out", f"{name}.crt", cwd=cwd)


def make_certs(pki):
    """CA, server (SANs 127.0.0.1/localhost/kubernetes) and client certs admin and alice. Reused if present."""
    os.makedirs(pki, exist_ok=True)
    if not os.path.exists(os.path.join(pki, "ca.crt")):
        _openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                 "-keyout", "ca.key", "-subj", "/CN=fake-kube-ca", "-days", "3650", "-out", "ca.crt", cwd=pki)
    _signed(pki, "server", "/CN=kube-apiserver",
            "subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default.svc\n"
            "extendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n")
    for user, org in (("admin", "system:masters"), ("alice", "devs")):
        _signed(pki, user, f"/O={org}/CN={user}",
                "extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n")
    return {k: os.path.join(pki, f"{k}") for k in ("ca.crt", "server.crt", "server.key", "admin.crt", "admin.key",
                                                     "alice.crt", "alice.key")}


class Tokens:
    """Bearer tokens from a CSV file, re-read whenever its mtime changes (or a token is unknown)."""

    def __init__(self, path, extra=None):
        self.path = path
        self.extra = dict(extra or {})
        self.revoked = set()
        self._lock = threading.Lock()
        self._mtime = None
        self._table = {}

    def _reload(self):
        try:
            mtime = os.stat(self.path).st_mtime_ns
        except FileNotFoundError:
            self._table = {}
            return
        if mtime == self._mtime:
            return
        table = {}
        with open(self.path, newline="") as f:
            for row in csv.reader(f):
                if len(row) >= 2 and not row[0].startswith("#"):
                    # a 5th column `expires=UNIX` (ours, not kube-apiserver's) makes the token expire
                    expires = next((float(c.split("=", 1)[1]) for c in row[4:] if c.startswith("expires=")), None)
                    table[row[0].strip()] = (row[1].strip(), expires)
        self._table, self._mtime = table, mtime

    def user_for(self, token):
        with self._lock:
            if token in self.revoked:
                return None
            if token in self.extra:
                return self.extra[token]
            self._reload()
            user, expires = self._table.get(token, (None, None))
            if expires is not None and time.time() >= expires:
                return None  # an exec credential past its expirationTimestamp: 401, the client must refresh
            return user

    def revoke(self, token):
        with self._lock:
            self.revoked.add(token)


EXEC_PLUGIN = r"""#!/bin/sh
# fake-kube exec credential plugin. Args: [apiVersion] [ttl-seconds].
# Prints an ExecCredential with a fresh token (exec-token-N) valid for ttl seconds, appends the
# token to the server's token file (the server refuses it after the expiry), counts its runs in
# exec-count and keeps the last KUBERNETES_EXEC_INFO in exec-info.json, so tests can check a
# client's caching and refresh.
set -eu
dir=$(dirname "$0")
api=${1:-client.authentication.k8s.io/v1}
ttl=${2:-3600}
exec 9>"$dir/exec-count.lock"
flock 9
n=$(( $(cat "$dir/exec-count" 2>/dev/null || echo 0) + 1 ))
echo "$n" > "$dir/exec-count"
printf '%s' "${KUBERNETES_EXEC_INFO:-}" > "$dir/exec-info.json"
token="exec-token-$n"
until=$(( $(date +%s) + ttl ))
echo "$token,exec-user,exec-user-uid,\"system:masters\",expires=$until" >> "$dir/tokens.csv"
exp=$(date -u -d "@$until" +%Y-%m-%dT%H:%M:%SZ)
printf '{"apiVersion":"%s","kind":"ExecCredential","status":{"token":"%s","expirationTimestamp":"%s"}}\n' \
  "$api" "$token" "$exp"
"""


def write_exec_plugin(state_dir):
    path = os.path.join(state_dir, "exec-plugin")
    with open(path, "w") as f:
        f.write(EXEC_PLUGIN)
    os.chmod(path, 0o755)
    return path


def _b64file(path):
    with open(path, "rb") as f:
        return base64.b64encode(f.read()).decode()


def write_kubeconfigs(state_dir, url, tls, certs, exec_ttl):
    """Writes kubeconfig variants; returns {variant: path}. JSON is valid YAML, which every client reads."""
    cluster = {"server": url}
    if tls:
        cluster["certificate-authority-data"] = _b64file(certs["ca.crt"])
    plugin = write_exec_plugin(state_dir)
    token_file = os.path.join(state_dir, "token")
    with open(token_file, "w") as f:
        f.write(ADMIN_TOKEN)  # no newline, as projected token files; python-kubernetes 22 would send it
    users = {
        "token": {"token": ADMIN_TOKEN},
        "tokenfile": {"tokenFile": "token"},  # relative to the kubeconfig's folder, as kubectl resolves it
        "exec": {"exec": {"apiVersion": "client.authentication.k8s.io/v1", "command": plugin,
                          "args": ["client.authentication.k8s.io/v1", str(exec_ttl)], "env": None,
                          "interactiveMode": "Never", "provideClusterInfo": False}},
        "exec-v1beta1": {"exec": {"apiVersion": "client.authentication.k8s.io/v1beta1", "command": plugin,
                                  "args": ["client.authentication.k8s.io/v1beta1", str(exec_ttl)]}},
    }
    if tls:
        rel = os.path.relpath(os.path.dirname(certs["ca.crt"]), state_dir)
        users["cert"] = {"client-certificate": f"{rel}/admin.crt", "client-key": f"{rel}/admin.key"}
        users["cert-data"] = {"client-certificate-data": _b64file(certs["admin.crt"]),
                              "client-key-data": _b64file(certs["admin.key"])}
    paths = {}
    for variant, user in users.items():
        c = dict(cluster)
        if variant == "cert" and tls:
            c = {"server": url, "certificate-authority": f"{rel}/ca.crt"}
        cfg = {"apiVersion": "v1", "kind": "Config", "preferences": {}, "current-context": "fake",
               "clusters": [{"name": "fake", "cluster": c}],
               "users": [{"name": f"fake-{variant}", "user": user}],
               "contexts": [{"name": "fake", "context": {"cluster": "fake", "user": f"fake-{variant}",
                                                         "namespace": "default"}}]}
        path = os.path.join(state_dir, f"kubeconfig-{variant}")
        with open(path, "w") as f:
            json.dump(cfg, f, indent=2)
        os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)
        paths[variant] = path
    default = os.path.join(state_dir, "kubeconfig")
    with open(paths["token"]) as src, open(default, "w") as dst:
        dst.write(src.read())
    os.chmod(default, stat.S_IRUSR | stat.S_IWUSR)
    return default, paths
