"""Debian's python3-kubernetes (22.x) against the fake: kubeconfig with an exec plugin over TLS,
paged lists, Watch.stream and its 410 handling, ApiException bodies."""
import json
import os
import threading
import unittest

from harness import FakeKube, wait_for

try:
    from kubernetes import client, config, watch
except ImportError:
    raise unittest.SkipTest("python3-kubernetes is not installed (apt-get install python3-kubernetes)")


def pod(name, labels=None, script="hang"):
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "labels": labels or {}, "annotations": {"fake.flyte.org/script": script}},
            "spec": {"restartPolicy": "Never", "containers": [{"name": "main", "image": "busybox"}]}}


class PythonClientTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.fake = FakeKube("--kubelet", "scripted", "--step", "0.02", tls=True)
        config.load_kube_config(config_file=cls.fake.ready["kubeconfigs"]["exec"])
        cls.api = client.CoreV1Api()

    @classmethod
    def tearDownClass(cls):
        cls.api.api_client.close()
        cls.fake.close()

    def test_tls_requests_without_credentials_are_unauthorized(self):
        r = self.fake.get("/api/v1/namespaces/default/pods", token=False)
        self.assertEqual((r.code, r.json()["reason"]), (401, "Unauthorized"))
        self.assertEqual(self.fake.get("/version", token=False).code, 200)

    def test_exec_plugin_credentials_are_used(self):
        self.api.list_namespaced_pod("default")
        state = self.fake.ready["state_dir"]
        with open(os.path.join(state, "exec-count")) as f:
            self.assertGreaterEqual(int(f.read()), 1)
        with open(os.path.join(state, "exec-info.json")) as f:
            info = json.load(f)
        self.assertEqual((info["apiVersion"], info["spec"]["interactive"]),
                         ("client.authentication.k8s.io/v1", False))
        auth = [r["headers"].get("Authorization", "") for r in self.fake.requests()]
        self.assertTrue(any(a.startswith("Bearer exec-token-") for a in auth), auth[-3:])

    def test_other_kubeconfig_variants(self):
        for variant in ("tokenfile", "cert", "cert-data", "exec-v1beta1"):
            with self.subTest(variant=variant):
                api_client = config.new_client_from_config(config_file=self.fake.ready["kubeconfigs"][variant])
                try:
                    names = [n.metadata.name for n in client.CoreV1Api(api_client).list_namespace().items]
                    self.assertIn("default", names)
                finally:
                    api_client.close()

    def test_list_with_label_selector_limit_and_continue(self):
        self.api.create_namespace({"metadata": {"name": "pylist"}})
        for i in range(5):
            self.api.create_namespaced_pod("pylist", pod(f"p{i}", {"group": "a" if i % 2 == 0 else "b"}))
        names, cont = [], None
        while True:
            page = self.api.list_namespaced_pod("pylist", label_selector="group=a", limit=2, _continue=cont)
            names += [p.metadata.name for p in page.items]
            cont = page.metadata._continue
            if not cont:
                break
        self.assertEqual(names, ["p0", "p2", "p4"])

    def test_watch_sees_added_modified_deleted(self):
        self.api.create_namespace({"metadata": {"name": "pywatch"}})
        rv = self.api.list_namespaced_pod("pywatch").metadata.resource_version
        seen = []
        w = watch.Watch()

        def consume():
            for ev in w.stream(self.api.list_namespaced_pod, "pywatch", label_selector="app=w",
                               resource_version=rv, timeout_seconds=20, allow_watch_bookmarks=True):
                if ev["type"] == "BOOKMARK":
                    continue
                seen.append((ev["type"], ev["object"].metadata.name, ev["object"].status.phase))
                if ev["type"] == "DELETED":
                    w.stop()
        t = threading.Thread(target=consume, daemon=True)
        t.start()
        wait_for(lambda: any(r["query"].get("watch") == "True" for r in self.fake.requests()),
                 what="the client's watch request")
        self.api.create_namespaced_pod("pywatch", pod("w1", {"app": "w"}))
        wait_for(lambda: any(s[2] == "Running" for s in seen), what="Running seen through the watch")
        self.api.delete_namespaced_pod("w1", "pywatch", grace_period_seconds=1)
        t.join(timeout=20)
        self.assertFalse(t.is_alive())
        types = [s[0] for s in seen]
        self.assertEqual((types[0], types[-1]), ("ADDED", "DELETED"))
        self.assertIn("MODIFIED", types)

    def test_410_is_raised_after_one_retry_and_relist_recovers(self):
        self.api.create_namespace({"metadata": {"name": "pygone"}})
        rv = self.api.list_namespaced_pod("pygone").metadata.resource_version
        self.fake.fault({"type": "expire"})
        w = watch.Watch()
        with self.assertRaises(client.exceptions.ApiException) as cm:
            for _ in w.stream(self.api.list_namespaced_pod, "pygone", resource_version=rv, timeout_seconds=5):
                pass
        self.assertEqual(cm.exception.status, 410)
        rv = self.api.list_namespaced_pod("pygone").metadata.resource_version
        self.api.create_namespaced_pod("pygone", pod("after"))
        for ev in w.stream(self.api.list_namespaced_pod, "pygone", resource_version=rv, timeout_seconds=5):
            self.assertEqual((ev["type"], ev["object"].metadata.name), ("ADDED", "after"))
            w.stop()

    def test_conflict_is_api_exception_with_status_body(self):
        self.api.create_namespaced_pod("default", pod("dup"))
        with self.assertRaises(client.exceptions.ApiException) as cm:
            self.api.create_namespaced_pod("default", pod("dup"))
        self.assertEqual((cm.exception.status, cm.exception.reason), (409, "Conflict"))
        self.assertEqual(json.loads(cm.exception.body)["reason"], "AlreadyExists")

    def test_read_log(self):
        self.api.create_namespaced_pod("default", dict(pod("logs", script="succeed"), metadata={
            "name": "logs", "annotations": {"fake.flyte.org/script": "succeed", "fake.flyte.org/logs": "a\nb\n"}}))
        wait_for(lambda: self.api.read_namespaced_pod("logs", "default").status.phase == "Succeeded",
                 what="Succeeded")
        self.assertEqual(self.api.read_namespaced_pod_log("logs", "default"), "a\nb\n")
        self.assertEqual(self.api.read_namespaced_pod_log("logs", "default", tail_lines=1), "b\n")


if __name__ == "__main__":
    unittest.main()
