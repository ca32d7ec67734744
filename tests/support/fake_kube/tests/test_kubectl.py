"""The real kubectl (Google Cloud SDK's dispatcher, kubectl 1.27-1.33) against the fake, over TLS with
every credential kind. Skipped, with the reason, where kubectl is not installed."""
import json
import os
import subprocess
import tempfile
import threading
import unittest

from harness import KUBECTL, FakeKube, kubectl_available, wait_for

if not kubectl_available():
    raise unittest.SkipTest("kubectl is not installed (Debian package `kubectl` from the Google Cloud SDK apt "
                            "source); the fake's kubectl conformance tests need it")

POD = """{"apiVersion": "v1", "kind": "Pod",
 "metadata": {"name": "%(name)s", "labels": {"flyte.org/execution-id": "%(exec)s"},
              "annotations": {"fake.flyte.org/script": "%(script)s", "fake.flyte.org/logs": "line one\\nline two\\n"}},
 "spec": {"restartPolicy": "Never", "containers": [{"name": "task", "image": "busybox:1.36"}]}}"""


class KubectlTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.fake = FakeKube("--kubelet", "scripted", "--crds", "dask", tls=True)
        cls.files = tempfile.mkdtemp(dir=cls.fake.dir)

    @classmethod
    def tearDownClass(cls):
        cls.fake.close()

    def write(self, name, text):
        path = os.path.join(self.files, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def pod(self, name, script="succeed-after:0.5", exec_id="e1"):
        return self.write(f"{name}.json", POD % {"name": name, "exec": exec_id, "script": script})

    def test_credentials_and_dispatcher(self):
        """Token, client certificate and exec plugin over TLS (the other variants: test_python_client)."""
        kc = self.fake.ready["kubeconfigs"]
        since = self.fake.last_seq()
        r = self.fake.kubectl("get", "namespaces", "-o", "name", kubeconfig=kc["token"])
        self.assertIn("namespace/default", r.stdout)
        agents = {r["headers"].get("User-Agent", "").split(" ")[0] for r in self.fake.requests(since)}
        self.assertIn("kubectl/v1.30", {a.rsplit(".", 1)[0] for a in agents},
                      "the dispatcher runs the kubectl matching the server's /version")
        who = self.fake.kubectl("auth", "whoami", "-o", "json", kubeconfig=kc["cert"])
        self.assertEqual(json.loads(who.stdout)["status"]["userInfo"]["username"], "admin")
        r = self.fake.kubectl("get", "namespaces", "-o", "name", kubeconfig=kc["exec"])
        self.assertIn("namespace/default", r.stdout)
        with open(os.path.join(self.fake.ready["state_dir"], "exec-info.json")) as f:
            self.assertEqual(json.load(f)["kind"], "ExecCredential")

    def test_get_wait_logs_delete(self):
        self.fake.kubectl("create", "-f", self.pod("k1", "hang"), "-f", self.pod("k2", "hang"))
        self.fake.kubectl("wait", "--for=condition=Ready", "pod/k1", "pod/k2", "--timeout=20s")
        table = self.fake.kubectl("get", "pods", "-l", "flyte.org/execution-id=e1").stdout.splitlines()
        self.assertRegex(table[0], r"^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$")
        self.assertRegex(table[1], r"^k1\s+1/1\s+Running\s+0\s+")
        self.assertRegex(table[2], r"^k2\s+1/1\s+Running\s+0\s+")
        self.fake.kubectl("annotate", "pod", "k1", "fake.flyte.org/finish=succeed")
        self.assertEqual(self.fake.kubectl("logs", "-f", "k1").stdout, "line one\nline two\n")
        self.fake.kubectl("wait", "--for=jsonpath={.status.phase}=Succeeded", "pod/k1", "--timeout=20s")
        self.assertEqual(self.fake.kubectl("logs", "k1", "--tail=1").stdout, "line two\n")
        pods = json.loads(self.fake.kubectl("get", "pods", "-o", "json").stdout)
        self.assertEqual(pods["kind"], "List")
        k1 = next(p for p in pods["items"] if p["metadata"]["name"] == "k1")
        self.assertEqual(k1["status"]["containerStatuses"][0]["state"]["terminated"]["reason"], "Completed")
        # k2 still runs: kubectl waits until the kubelet has stopped it and the object is gone
        self.fake.kubectl("delete", "pod", "k1", "k2", "--timeout=20s")
        for name in ("k1", "k2"):
            self.assertEqual(self.fake.get(f"/api/v1/namespaces/default/pods/{name}").code, 404)

    def test_apply_configmap_twice(self):
        cm = self.write("cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: applied\ndata:\n  a: '1'\n")
        self.assertIn("configmap/applied created", self.fake.kubectl("apply", "-f", cm).stdout)
        self.write("cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: applied\ndata:\n  a: '2'\n")
        self.assertIn("configmap/applied configured", self.fake.kubectl("apply", "-f", cm).stdout)
        got = self.fake.get("/api/v1/namespaces/default/configmaps/applied").json()
        self.assertEqual(got["data"], {"a": "2"})
        self.assertIn("kubectl.kubernetes.io/last-applied-configuration", got["metadata"]["annotations"])

    def test_custom_resources(self):
        dj = self.write("dj.yaml", "apiVersion: kubernetes.dask.org/v1\nkind: DaskJob\nmetadata:\n  name: dj1\n"
                        "spec:\n  cluster: {spec: {worker: {replicas: 3}}}\n  job: {spec: {containers: []}}\n")
        self.fake.kubectl("apply", "-f", dj)
        self.fake.request("PATCH", "/apis/kubernetes.dask.org/v1/namespaces/default/daskjobs/dj1/status",
                          {"status": {"jobStatus": "Running"}},
                          headers={"Content-Type": "application/merge-patch+json"})
        table = self.fake.kubectl("get", "daskjobs").stdout.splitlines()
        self.assertRegex(table[0], r"^NAME\s+STATUS\s+NUMBER OF WORKERS\s+AGE$")
        self.assertRegex(table[1], r"^dj1\s+Running\s+3\s+")
        crd = self.write("crd.json", json.dumps({
            "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": {"name": "rayjobs.ray.io"},
            "spec": {"group": "ray.io", "scope": "Namespaced", "names": {"plural": "rayjobs", "kind": "RayJob"},
                     "versions": [{"name": "v1", "served": True, "storage": True,
                                   "schema": {"openAPIV3Schema": {"type": "object"}}}]}}))
        self.fake.kubectl("apply", "-f", crd)
        r = self.fake.kubectl("get", "rayjobs", check=False)
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_config_view_merges_the_written_kubeconfig(self):
        r = self.fake.kubectl("config", "view", "--merge", "-o", "json", "--raw")
        cfg = json.loads(r.stdout)
        self.assertEqual(cfg["current-context"], "fake")
        self.assertEqual(cfg["clusters"][0]["cluster"]["server"], self.fake.url)
        self.assertEqual(cfg["contexts"][0]["context"]["namespace"], "default")

    def test_get_watch_sees_changes(self):
        home = tempfile.mkdtemp(dir=self.fake.dir)
        env = {"HOME": home, "KUBECONFIG": self.fake.kubeconfig, "PATH": os.environ.get("PATH", "/usr/bin")}
        proc = subprocess.Popen([KUBECTL, "get", "pods", "-w", "-l", "flyte.org/execution-id=e3",
                                 "--output-watch-events"], env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, text=True, start_new_session=True)
        seen = []  # filled by a thread, so the deadlines below hold even if kubectl prints nothing

        def read():
            for line in proc.stdout:
                seen.append(line)
        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        try:
            wait_for(lambda: any(r["query"].get("watch") == "true" and "e3" in r["query"].get("labelSelector", "")
                                 for r in self.fake.requests()), timeout=20, what="kubectl's watch request")
            self.fake.kubectl("create", "-f", self.pod("k3", "succeed", "e3"))
            wait_for(lambda: any("Completed" in l for l in seen), timeout=20, what="the watch showing Completed")
            self.assertTrue(any(l.startswith("ADDED") for l in seen), seen)
        finally:
            proc.kill()
            proc.wait()
            reader.join(timeout=5)
            proc.stdout.close()


if __name__ == "__main__":
    unittest.main()
