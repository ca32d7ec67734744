"""Starts the fake as a separate process (as the C++ runner's tests will) and talks to it.

Every wait is a condition polled against a deadline; every process started is stopped in
`close()`, which tests call from tearDown/tearDownClass (and atexit, for a crashed test).
"""
import atexit
import json
import os
import select
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

SUPPORT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PYTHON = "/usr/bin/python3"
KUBECTL = shutil.which("kubectl") or "/usr/bin/kubectl"
START_TIMEOUT = 60  # seconds for the ready line; generous, the machine may be busy compiling


def wait_for(predicate, timeout=10.0, interval=0.02, what="condition"):
    """Polls predicate until it returns a truthy value; fails the test after timeout seconds."""
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what} (last: {last!r})")


class Response:
    def __init__(self, code, headers, body):
        self.code, self.headers, self.body = code, headers, body

    def json(self):
        return json.loads(self.body)


class FakeKube:
    def __init__(self, *args, tls=False):
        self.dir = tempfile.mkdtemp(prefix="fake-kube-test-")
        # --stdin-lifeline: if this test process dies (a ctest timeout kills it), the fake sees EOF and
        # stops, killing its process-mode Pods, instead of outliving the test.
        cmd = [PYTHON, "-m", "fake_kube", "--port", "0", "--state-dir", os.path.join(self.dir, "state"),
               "--stdin-lifeline"]
        if tls:
            cmd.append("--tls")
        self.stderr_path = os.path.join(self.dir, "fake-kube.stderr")  # a file: a full pipe would block the fake
        with open(self.stderr_path, "w") as err:
            self.proc = subprocess.Popen(cmd + list(args), cwd=SUPPORT, stdout=subprocess.PIPE, stderr=err,
                                         stdin=subprocess.PIPE, text=True, start_new_session=True)
        atexit.register(self.close)
        ready, _, _ = select.select([self.proc.stdout], [], [], START_TIMEOUT)
        line = self.proc.stdout.readline() if ready else ""
        if not line:
            with open(self.stderr_path) as f:
                err = f.read()
            self.close()
            raise RuntimeError(f"fake_kube did not start: {err}")
        self.ready = json.loads(line)
        self.url = self.ready["url"]
        self.kubeconfig = self.ready["kubeconfig"]
        self.ssl = None
        if tls:
            self.ssl = ssl.create_default_context(cafile=self.ready["ca"])
        self.token = self.ready["token"]

    def close(self):
        pids = []
        if self.proc.poll() is None and getattr(self, "url", None):
            try:  # a safety net in case the fake has to be SIGKILLed before it stops its Pods
                kubelet = self.get("/_fake/state", token=False, timeout=5).json().get("kubelet") or {}
                pids = [p["pid"] for p in kubelet.get("processes", [])]
            except (OSError, ValueError):
                pass
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        for pid in pids:
            try:
                os.killpg(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        for f in (self.proc.stdout, self.proc.stdin):
            if f:
                f.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    # ---- HTTP ----------------------------------------------------------------------
    def request(self, method, path, body=None, headers=None, token=True, timeout=10):
        data = None
        hdrs = {"Accept": "application/json"}
        if body is not None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            hdrs["Content-Type"] = "application/json"
        if token is True:
            token = self.token
        if token:
            hdrs["Authorization"] = f"Bearer {token}"
        hdrs.update(headers or {})
        req = urllib.request.Request(self.url + path, data=data, method=method, headers=hdrs)
        try:
            with urllib.request.urlopen(req, timeout=timeout, context=self.ssl) as r:
                return Response(r.status, dict(r.headers), r.read())
        except urllib.error.HTTPError as e:
            return Response(e.code, dict(e.headers), e.read())

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body, **kw):
        return self.request("POST", path, body, **kw)

    def fault(self, spec):
        r = self.request("POST", "/_fake/faults", spec, token=False)
        assert r.code == 200, r.body
        return r.json()

    def requests(self, since=0):
        return self.get(f"/_fake/requests?since={since}", token=False).json()["requests"]

    def last_seq(self):
        reqs = self.requests()
        return reqs[-1]["seq"] if reqs else 0

    def pod(self, name, ns="default"):
        r = self.get(f"/api/v1/namespaces/{ns}/pods/{name}")
        return r.json() if r.code == 200 else None

    def create_pod(self, name, ns="default", annotations=None, **spec):
        spec.setdefault("restartPolicy", "Never")
        spec.setdefault("containers", [{"name": "main", "image": "busybox:1.36"}])
        body = {"apiVersion": "v1", "kind": "Pod",
                "metadata": {"name": name, "annotations": annotations or {}}, "spec": spec}
        r = self.post(f"/api/v1/namespaces/{ns}/pods", body)
        assert r.code == 201, r.body
        return r.json()

    def wait_phase(self, name, phases, timeout=10, ns="default"):
        phases = (phases,) if isinstance(phases, str) else phases
        return wait_for(lambda: (lambda p: p if p and p["status"].get("phase") in phases else None)(
            self.pod(name, ns)), timeout, what=f"pod {name} phase in {phases}")

    # ---- kubectl -------------------------------------------------------------------
    def kubectl(self, *args, kubeconfig=None, check=True, timeout=60):
        home = tempfile.mkdtemp(prefix="kubectl-home-", dir=self.dir)
        env = {"HOME": home, "KUBECONFIG": kubeconfig or self.kubeconfig, "PATH": os.environ.get("PATH", "/usr/bin")}
        r = subprocess.run([KUBECTL, *args], env=env, capture_output=True, text=True, timeout=timeout)
        if check and r.returncode != 0:
            raise AssertionError(f"kubectl {' '.join(args)} failed ({r.returncode}): {r.stderr}")
        return r


def stream_lines(fake, path, timeout=15):
    """Opens a streaming GET (watch or log follow); yields decoded lines until the stream ends."""
    import http.client
    host, port = fake.url.split("://")[1].split(":")
    if fake.ssl:
        conn = http.client.HTTPSConnection(host, int(port), timeout=timeout, context=fake.ssl)
    else:
        conn = http.client.HTTPConnection(host, int(port), timeout=timeout)
    conn.request("GET", path, headers={"Authorization": f"Bearer {fake.token}", "Accept": "application/json"})
    resp = conn.getresponse()
    return conn, resp


def kubectl_available():
    """kubectl from the Debian-format package (Google Cloud SDK's dispatcher) may be absent elsewhere."""
    return os.path.exists(KUBECTL) and subprocess.run([KUBECTL, "version", "--client"], capture_output=True,
                                                      timeout=60).returncode == 0


if __name__ == "__main__":
    sys.exit("harness is imported by the tests")
