"""Fault injection through /_fake/faults, and the request log tests assert on."""
import json
import os
import socket
import unittest

from harness import FakeKube, wait_for

PODS = "/api/v1/namespaces/default/pods"


class RawWatch:
    """A watch read from the socket, so a stream cut without its final zero-length chunk is visible
    (http.client hides the difference)."""

    def __init__(self, fake, path):
        host, port = fake.url.split("://")[1].split(":")
        self.sock = socket.create_connection((host, int(port)), timeout=15)
        self.sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {fake.token}\r\n"
                          f"Accept: application/json\r\n\r\n".encode())
        self.data = b""
        while b"\r\n\r\n" not in self.data:  # headers are flushed once the watch is registered
            chunk = self.sock.recv(65536)
            if not chunk:
                break
            self.data += chunk

    def read_until_end(self):
        """(events, clean): clean means the stream ended with the final chunk."""
        while True:
            chunk = self.sock.recv(65536)
            if not chunk:
                break
            self.data += chunk
            if self.data.endswith(b"\r\n0\r\n\r\n"):
                break
        self.sock.close()
        body = self.data.split(b"\r\n\r\n", 1)[1]
        events, clean = [], body.endswith(b"0\r\n\r\n")
        while body:
            size_line, _, rest = body.partition(b"\r\n")
            size = int(size_line, 16) if size_line.strip() else 0
            if size == 0:
                break
            events += [json.loads(l) for l in rest[:size].splitlines() if l.strip()]
            body = rest[size + 2:]
        return events, clean


class FaultTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.fake = FakeKube("--kubelet", "none")

    @classmethod
    def tearDownClass(cls):
        cls.fake.close()

    def setUp(self):
        self.fake.request("DELETE", "/_fake/faults", token=False)

    def watch(self, query=""):
        rv = self.fake.get(PODS).json()["metadata"]["resourceVersion"]
        w = RawWatch(self.fake, f"{PODS}?watch=1&resourceVersion={rv}{query}")
        self.addCleanup(w.sock.close)
        return w

    def test_429_with_retry_after_for_n_requests(self):
        self.fake.fault({"type": "429", "count": 2, "retry_after": 3, "method": "GET", "path": "/pods$"})
        for _ in range(2):
            r = self.fake.get(PODS)
            self.assertEqual((r.code, r.headers["Retry-After"]), (429, "3"))
            self.assertEqual(r.json(), {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                                        "message": "Too many requests, please try again later.",
                                        "reason": "TooManyRequests", "details": {"retryAfterSeconds": 3},
                                        "code": 429})
        self.assertEqual(self.fake.get(PODS).code, 200)

    def test_server_errors(self):
        self.fake.fault([{"type": "5xx", "code": 503, "count": 1}, {"type": "5xx", "count": 1}])
        r = self.fake.get(PODS)
        self.assertEqual((r.code, r.json()["reason"]), (503, "ServiceUnavailable"))
        r = self.fake.get(PODS)
        self.assertEqual((r.code, r.json()["reason"]), (500, "InternalError"))
        self.assertEqual(self.fake.get(PODS).code, 200)

    def test_quota_exceeded_on_pod_create(self):
        self.fake.fault({"type": "quota", "count": 1})
        self.assertEqual(self.fake.get(PODS).code, 200, "only Pod creation is refused")
        body = {"metadata": {"name": "q1"}, "spec": {"containers": [{"name": "main", "image": "busybox"}]}}
        r = self.fake.post(PODS, body)
        self.assertEqual(r.code, 403)
        self.assertEqual(r.json(), {
            "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": 'pods "q1" is forbidden: exceeded quota: compute-resources, requested: limits.cpu=2, '
                       "used: limits.cpu=7, limited: limits.cpu=8",
            "reason": "Forbidden", "details": {"name": "q1", "kind": "pods"}, "code": 403})
        self.assertEqual(self.fake.post(PODS, body).code, 201)

    def test_one_401_then_accepted(self):
        self.fake.fault({"type": "401"})
        self.assertEqual(self.fake.get(PODS).code, 401)
        self.assertEqual(self.fake.get(PODS).code, 200)

    def test_dropped_watch_ends_without_final_chunk(self):
        self.fake.fault({"type": "drop_watch", "count": 1, "after_events": 1})
        resp = self.watch()
        self.fake.post(PODS, {"metadata": {"name": "dw"}, "spec": {"containers": [{"name": "m", "image": "b"}]}})
        self.fake.request("DELETE", f"{PODS}/dw")
        lines, clean = resp.read_until_end()
        self.assertEqual(([e["type"] for e in lines], clean), (["ADDED"], False))

    def test_drop_open_watches_now(self):
        resp = self.watch()
        self.assertEqual(self.fake.fault({"type": "drop_open_watches"})["applied"][0]["dropped"], 1)
        self.assertEqual(resp.read_until_end(), ([], False))

    def test_forced_expiry_arrives_in_stream(self):
        resp = self.watch("&allowWatchBookmarks=true")
        self.fake.fault({"type": "expire"})
        lines, clean = resp.read_until_end()
        lines = [e for e in lines if e["type"] != "BOOKMARK"]
        self.assertTrue(clean)
        self.assertEqual(len(lines), 1)
        self.assertEqual((lines[0]["type"], lines[0]["object"]["code"], lines[0]["object"]["reason"]),
                         ("ERROR", 410, "Expired"))

    def test_watch_timeout_ends_stream_cleanly(self):
        resp = self.watch("&timeoutSeconds=1")
        self.assertEqual(resp.read_until_end(), ([], True))

    def test_exec_plugin_tokens_expire(self):
        import subprocess
        plugin = os.path.join(self.fake.ready["state_dir"], "exec-plugin")
        out = subprocess.run([plugin, "client.authentication.k8s.io/v1beta1", "1"], capture_output=True, text=True,
                             check=True, timeout=30).stdout
        cred = json.loads(out)
        self.assertEqual((cred["apiVersion"], cred["kind"]), ("client.authentication.k8s.io/v1beta1", "ExecCredential"))
        self.assertRegex(cred["status"]["expirationTimestamp"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        token = cred["status"]["token"]
        self.assertEqual(self.fake.get(PODS, token=token).code, 200)
        wait_for(lambda: self.fake.get(PODS, token=token).code == 401, timeout=10, what="the token to expire")

    def test_revoked_token(self):
        with open(os.path.join(self.fake.ready["state_dir"], "tokens.csv"), "a") as f:
            f.write("short-lived,bob\n")
        self.assertEqual(self.fake.get(PODS, token="short-lived").code, 200)
        self.fake.request("POST", "/_fake/revoke", {"token": "short-lived"}, token=False)
        self.assertEqual(self.fake.get(PODS, token="short-lived").code, 401)

    def test_request_log(self):
        since = self.fake.last_seq()
        resp = self.watch("&labelSelector=app%3Dx")
        self.fake.get(PODS + "?limit=5", headers={"User-Agent": "flyte-test/1"})
        resp.sock.close()
        reqs = self.fake.requests(since)
        watches = [r for r in reqs if r["query"].get("watch") == "1"]
        self.assertEqual(len(watches), 1)
        self.assertEqual(watches[0]["query"]["labelSelector"], "app=x")
        self.assertTrue(watches[0]["watch"])
        lists = [r for r in reqs if r["query"].get("limit") == "5"]
        self.assertEqual(lists[0]["headers"]["User-Agent"], "flyte-test/1")
        self.assertEqual(lists[0]["status"], 200)
        self.assertEqual(self.fake.get("/_fake/faults", token=False).json(), {"rules": []})


if __name__ == "__main__":
    unittest.main()
