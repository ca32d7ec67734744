"""`flyte run` and `flyte serve` with --raw-data-prefix against a real S3-compatible server
(tests/support/s3/harness.py: s3rver behind a proxy that checks every SigV4 signature with
botocore). boto3 is the reference client: it reads what flyte wrote and writes what flyte reads.

Usage: raw_data_test.py CLASS   (FLYTE: the flyte binary; exits 77, skipped, without s3rver or boto3)
"""
import base64
import hashlib
import json
import os
import re
import resource
import signal
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "support", "s3"))
import harness  # noqa: E402

FLYTE = os.environ.get("FLYTE", "")
EXAMPLES = os.path.join(HERE, "..", "..", "examples")
BUCKET = "flyte-test"
PREFIX = "s3://%s/runs" % BUCKET


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def wait_for(predicate, timeout, what):
    """Polls `predicate` until it is true; the timeout only bounds a test that went wrong."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = predicate()
        if got:
            return got
        time.sleep(0.05)
    raise AssertionError("timed out waiting for " + what)


class S3Case(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="flyte-raw-data-")
        self.addCleanup(self.tmp.cleanup)
        self.server = harness.S3Server(os.path.join(self.tmp.name, "server")).start()
        self.addCleanup(lambda: self.server.stop())
        self.boto = self.server.boto3()
        self.boto.create_bucket(Bucket=BUCKET)

    def path(self, name):
        return os.path.join(self.tmp.name, name)

    def write(self, name, text):
        with open(self.path(name), "w") as f:
            f.write(text)
        return self.path(name)

    def flyte(self, *args, env=None, home="home", check=True, timeout=600):
        run = subprocess.run([FLYTE, *args, "--home", self.path(home)], env=env or self.server.env(),
                             capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
        if check and run.returncode != 0:
            self.fail("flyte %s failed (%d): %s%s" % (" ".join(args), run.returncode, run.stdout, run.stderr))
        return run

    def run_json(self, *args, **kw):
        run = self.flyte("run", *args, "-o", "json", **kw)
        return json.loads(run.stdout)

    def get_object(self, uri):
        m = re.match(r"s3://([^/]+)/(.*)", uri)
        return self.boto.get_object(Bucket=m.group(1), Key=m.group(2))["Body"].read()

    def list_prefix(self, uri):
        m = re.match(r"s3://([^/]+)/(.*)", uri)
        pages = self.boto.get_paginator("list_objects_v2").paginate(Bucket=m.group(1), Prefix=m.group(2))
        return {o["Key"][len(m.group(2)):]: o["Key"] for p in pages for o in p.get("Contents", [])}

    def requests(self, method, fragment):
        with self.server.proxy.lock:
            return [p for (m, p) in self.server.proxy.requests if m == method and fragment in p]


def local_dir(path):
    out = {}
    for root, _, files in os.walk(path):
        for f in files:
            full = os.path.join(root, f)
            with open(full, "rb") as f:
                out[os.path.relpath(full, path)] = f.read()
    return out


class Values(S3Case):
    def test_files_and_dirs_travel_through_the_bucket_with_the_same_outputs(self):
        wf = os.path.join(EXAMPLES, "files.yaml")
        local = self.run_json(wf, home="local")
        remote = self.run_json(wf, "--raw-data-prefix", PREFIX, home="remote")
        self.assertEqual(remote["phase"], "SUCCEEDED", remote)
        for key in ("summary", "lines"):
            self.assertEqual(remote["outputs"][key], local["outputs"][key])
        # A file: content addressed under PREFIX/data/, the same bytes as the local run's.
        everything = remote["outputs"]["everything"]
        with open(local["outputs"]["everything"], "rb") as f:
            data = f.read()
        self.assertEqual(everything, "%s/data/%s/%s/everything" % (PREFIX, sha256(data)[:2], sha256(data)))
        self.assertEqual(self.get_object(everything), data)
        # A folder: a prefix ending in '/', one object per file at its relative path.
        folder = remote["outputs"]["data"]
        self.assertTrue(folder.startswith(PREFIX + "/data/") and folder.endswith("/data/"), folder)
        objects = self.list_prefix(folder)
        expected = local_dir(local["outputs"]["data"])
        self.assertEqual(set(objects), set(expected))
        for rel, key in objects.items():
            self.assertEqual(self.boto.get_object(Bucket=BUCKET, Key=key)["Body"].read(), expected[rel])
        # Another home has neither: both are fetched (checked against their digests) for a task.
        fresh = self.run_json(wf, "combine", "-i", "report=" + everything, "-i", "data=" + folder, home="fresh")
        ref = self.run_json(wf, "combine", "-i", "report=" + local["outputs"]["everything"],
                            "-i", "data=" + local["outputs"]["data"], home="local")
        self.assertEqual(fresh["outputs"]["summary"], ref["outputs"]["summary"])
        self.assertEqual(fresh["outputs"]["everything"], ref["outputs"]["everything"].replace(
            self.path("local"), self.path("fresh")))

    def test_an_input_written_by_boto3_is_fetched_once_and_keys_the_cache_by_content(self):
        wf = self.write("count.yaml", "tasks:\n  count:\n    inputs: {text: file}\n    outputs: {lines: int}\n"
                        "    cache: true\n"
                        "    script: wc -l < \"{{ inputs.text }}\" > \"{{ outputs.lines }}\"\n")
        self.boto.put_object(Bucket=BUCKET, Key="in/notes.txt", Body=b"a\nb\nc\n")
        uri = "s3://%s/in/notes.txt" % BUCKET
        first = self.run_json(wf, "count", "-i", "text=" + uri, "--no-cache")
        self.assertEqual(first["outputs"]["lines"], 3)
        again = self.run_json(wf, "count", "-i", "text=" + uri, "--no-cache")
        self.assertEqual(again["outputs"]["lines"], 3)
        self.assertEqual(len(self.requests("GET", "/in/notes.txt")), 1, "fetched twice")
        # The same bytes by path, then by the URI flyte gave them: one cache entry.
        notes = self.path("notes.txt")
        with open(notes, "wb") as f:
            f.write(b"x\ny\n")
        by_path = self.run_json(wf, "count", "-i", "text=" + notes, "--raw-data-prefix", PREFIX)
        self.assertEqual(by_path["nodes"][0]["cache_status"], "CACHE_POPULATED")
        digest = sha256(b"x\ny\n")
        self.boto.put_object(Bucket=BUCKET, Key="runs/data/%s/%s/notes.txt" % (digest[:2], digest), Body=b"x\ny\n")
        by_uri = self.run_json(wf, "count", "-i", "text=%s/data/%s/%s/notes.txt" % (PREFIX, digest[:2], digest),
                               home="other")
        self.assertEqual(by_uri["outputs"]["lines"], 2)
        cached = self.run_json(wf, "count", "-i", "text=%s/data/%s/%s/notes.txt" % (PREFIX, digest[:2], digest))
        self.assertEqual(cached["nodes"][0]["cache_status"], "CACHE_HIT")

    def test_a_large_output_goes_up_in_parts_with_flat_memory(self):
        wf = self.write("big.yaml", "tasks:\n  big:\n    outputs: {blob: file}\n"
                        "    script: head -c 209715200 /dev/urandom > \"{{ outputs.blob }}\"\n")

        def peak_kib(*extra, home):
            # A process of its own per run, so RUSAGE_CHILDREN is that run's peak alone.
            code = ("import resource, subprocess, sys\n"
                    "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)\n"
                    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n")
            out = subprocess.run([sys.executable, "-c", code, FLYTE, "run", wf, "big", "--home", self.path(home),
                                  *extra], env=self.server.env(), capture_output=True, text=True, check=True)
            return int(out.stdout)

        without = peak_kib(home="a")
        with_prefix = peak_kib("--raw-data-prefix", PREFIX, home="b")
        sys.stderr.write("\npeak RSS of flyte run with a 200 MB output: %d KiB local, %d KiB with a prefix\n"
                         % (without, with_prefix))
        self.assertLess(with_prefix - without, 30 * 1024, (without, with_prefix))
        self.assertTrue(self.requests("POST", "?uploads"), "no multipart upload")
        self.assertGreaterEqual(len(self.requests("PUT", "partNumber=")), 25)


class Errors(S3Case):
    def test_a_bad_prefix_stops_before_anything_runs(self):
        wf = os.path.join(EXAMPLES, "files.yaml")
        for prefix, words in [("http://bucket/x", "does not start with s3://"),
                              ("s3://Bad_Bucket/x", "bucket name"), ("s3:///x", "names no bucket")]:
            run = self.flyte("run", wf, "--raw-data-prefix", prefix, check=False)
            self.assertEqual(run.returncode, 2, run.stderr)
            self.assertIn("raw_data_prefix", run.stderr)
            self.assertIn(words, run.stderr)
        self.assertFalse(os.path.exists(self.path("home/runs")) and os.listdir(self.path("home/runs")))

    def failed_with(self, env, prefix, words):
        wf = os.path.join(EXAMPLES, "files.yaml")
        run = self.flyte("run", wf, "--raw-data-prefix", prefix, "-o", "json", env=env, check=False)
        self.assertEqual(run.returncode, 1, run.stderr)
        report = json.loads(run.stdout)
        self.assertEqual(report["phase"], "FAILED")
        self.assertIn(words, report["error"]["message"])
        self.assertEqual(report["error"]["code"], "OutputsNotStored")
        # Recorded: the home says the same.
        got = self.flyte("get", "execution", report["execution"]["name"], "-o", "json")
        self.assertEqual(json.loads(got.stdout)["phase"], "FAILED")
        self.assertIn(words, got.stdout)

    def test_wrong_credentials_fail_the_execution_with_the_reason(self):
        self.failed_with(self.server.env(AWS_SECRET_ACCESS_KEY="wrong"), PREFIX, "invalid credentials")

    def test_a_missing_bucket_fails_the_execution_with_the_reason(self):
        self.failed_with(self.server.env(), "s3://no-such-bucket/x", "no such bucket no-such-bucket")


class Restart(S3Case):
    def test_a_server_killed_mid_upload_ends_the_execution_after_a_restart(self):
        wf = self.write("big.yaml", "tasks:\n  big:\n    outputs: {blob: file}\n"
                        "    script: head -c 104857600 /dev/urandom > \"{{ outputs.blob }}\"\n"
                        "workflows:\n  w:\n    outputs: {blob: \"{{ big.blob }}\"}\n    nodes: {big: {task: big}}\n")

        def serve():
            proc = subprocess.Popen([FLYTE, "serve", "--listen", "127.0.0.1:0", "--home", self.path("home"),
                                     "--raw-data-prefix", PREFIX], env=self.server.env(),
                                    stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
            self.addCleanup(proc.stdout.close)
            self.addCleanup(lambda: proc.poll() is None and proc.kill())
            line = proc.stdout.readline()
            return proc, re.search(r"listening on (\S+)", line).group(1)

        proc, url = serve()
        run = subprocess.run([FLYTE, "run", "--remote", wf, "w", "--endpoint", url, "--no-wait", "-o", "json"],
                             env=self.server.env(), capture_output=True, text=True, check=True)
        name = re.search(r"\ba[a-z0-9]{19}\b", run.stdout).group(0)
        wait_for(lambda: self.requests("PUT", "partNumber=2"), 300, "the upload's second part")
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        proc, url = serve()

        def ended():
            got = subprocess.run([FLYTE, "get", "execution", name, "--endpoint", url, "-o", "json"],
                                 env=self.server.env(), capture_output=True, text=True)
            record = json.loads(got.stdout) if got.returncode == 0 else {}
            return record if record.get("phase") in ("SUCCEEDED", "FAILED", "ABORTED") else None

        record = wait_for(ended, 300, "the execution to end")
        self.assertEqual(record["phase"], "SUCCEEDED", record)
        uri = json.dumps(record)
        blob = re.search(r"s3://flyte-test/runs/data/[0-9a-f]{2}/([0-9a-f]{64})/blob", uri)
        self.assertIsNotNone(blob, record)
        body = self.get_object(blob.group(0))
        self.assertEqual(len(body), 104857600)
        self.assertEqual(sha256(body), blob.group(1))


class Pods(S3Case):
    """The files workflow on the fake Kubernetes API server, its kubelet running Pods as local
    processes (tests/support/fake_kube): presigned URLs only, the same outputs."""

    def fake_kube(self):
        import importlib.util
        spec = importlib.util.spec_from_file_location(
            "kube_harness", os.path.join(HERE, "..", "support", "fake_kube", "tests", "harness.py"))
        kube_harness = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(kube_harness)
        fake = kube_harness.FakeKube("--kubelet", "process")
        self.addCleanup(fake.close)
        return fake

    def run_pods(self, fake, wf, *args, prefix=True, home="pods", check=True):
        more = ["--raw-data-prefix", PREFIX] if prefix else []
        run = self.flyte("run", wf, *args, *more, "--kubeconfig", fake.kubeconfig, "--kube-image", "debian:12",
                         "-o", "json", home=home, check=check)
        return json.loads(run.stdout)

    def value_bytes(self, v):
        """A file value's bytes, wherever it lives."""
        if v.startswith("s3://"):
            return self.get_object(v)
        with open(v, "rb") as f:
            return f.read()

    def test_values_too_large_for_kubernetes_travel_through_the_bucket(self):
        fake = self.fake_kube()
        wf = os.path.join(HERE, "workflows", "large_values.yaml")
        local = self.run_json(wf, home="local")
        self.assertEqual(local["phase"], "SUCCEEDED", local)
        pods = self.run_pods(fake, wf)
        self.assertEqual(pods["phase"], "SUCCEEDED", pods)
        self.assertEqual(pods["outputs"], local["outputs"])  # a 100 KB str, a 20,000-item list
        self.assertEqual(pods["outputs"]["big_len"], 2 << 20)  # a 2 MB str went into a Pod
        # Both tasks ran as Pods, their inputs in the Pod itself (no ConfigMap can hold 2 MB: the
        # large ones came from the bucket); the outputs went up as one archive, deleted after.
        posts = [r["path"] for r in fake.requests() if r["method"] == "POST"]
        self.assertEqual(len([p for p in posts if p.endswith("/pods")]), 2, posts)
        self.assertEqual(len([p for p in posts if p.endswith("/configmaps")]), 1, posts)  # flyte-pod's own
        self.assertTrue(self.requests("PUT", "/staging/"), "no outputs archive was staged")
        self.assertFalse(self.list_prefix(PREFIX + "/staging/"), "staged outputs left behind")
        # The large input went up content addressed, once: a second run uploads nothing new.
        big = self.list_prefix(PREFIX + "/data/")
        self.assertTrue([k for k in big if k.endswith("/big")], sorted(big))
        puts = len(self.requests("PUT", "/big"))
        again = self.run_pods(fake, wf, home="pods2")
        self.assertEqual(again["outputs"], local["outputs"])
        self.assertEqual(len(self.requests("PUT", "/big")), puts)

    def test_without_a_prefix_values_too_large_fail_naming_the_setting(self):
        fake = self.fake_kube()
        wf = os.path.join(HERE, "workflows", "large_values.yaml")
        out = self.run_pods(fake, wf, prefix=False, check=False)
        self.assertEqual(out["phase"], "FAILED", out)
        self.assertEqual(out["error"]["code"], "OutputsTooLarge", out)
        self.assertIn("raw_data_prefix", out["error"]["message"])
        # A 2 MB input given directly: refused before any Pod, naming the setting.
        before = len(fake.get("/api/v1/namespaces/default/pods").json()["items"])
        given = self.write("inputs.json", json.dumps({"text": "t", "items": [1], "big": "z" * (2 << 20)}))
        out = self.run_pods(fake, wf, "measure", "--inputs", given, prefix=False, check=False, home="pods2")
        self.assertEqual(out["phase"], "FAILED", out)
        self.assertEqual(out["error"]["code"], "InputsTooLarge", out)
        self.assertIn("raw_data_prefix", out["error"]["message"])
        self.assertEqual(len(fake.get("/api/v1/namespaces/default/pods").json()["items"]), before)

    def test_files_inside_lists_and_dicts_travel_between_pods(self):
        fake = self.fake_kube()
        wf = os.path.join(HERE, "workflows", "nested_files.yaml")
        local = self.run_json(wf, home="local")
        self.assertEqual(local["phase"], "SUCCEEDED", local)
        pods = self.run_pods(fake, wf)
        self.assertEqual(pods["phase"], "SUCCEEDED", pods)
        self.assertEqual(pods["outputs"]["text"], local["outputs"]["text"])
        posts = [r["path"] for r in fake.requests() if r["method"] == "POST"]
        self.assertEqual(len([p for p in posts if p.endswith("/pods")]), 2, posts)
        for key in ("copies", "pieces"):
            self.assertEqual(len(pods["outputs"][key]), len(local["outputs"][key]))
            for remote, here in zip(pods["outputs"][key], local["outputs"][key]):
                self.assertTrue(remote.startswith(PREFIX + "/data/"), remote)
                self.assertEqual(os.path.basename(remote), os.path.basename(here))
                self.assertEqual(self.value_bytes(remote), self.value_bytes(here))
        self.assertFalse(self.list_prefix(PREFIX + "/staging/"), "staged outputs left behind")

    def test_files_and_dirs_travel_to_and_from_pods_by_presigned_urls(self):
        fake = self.fake_kube()
        seen = {}
        stop = []

        def watch_pods():
            while not stop:
                try:
                    items = fake.get("/api/v1/namespaces/default/pods").json().get("items", [])
                except (OSError, ValueError):
                    items = []
                for pod in items:
                    seen[pod["metadata"]["name"]] = pod
                time.sleep(0.02)

        import threading
        watcher = threading.Thread(target=watch_pods, daemon=True)
        watcher.start()
        wf = os.path.join(EXAMPLES, "files.yaml")
        local = self.run_json(wf, home="local")
        pods = self.run_json(wf, "--raw-data-prefix", PREFIX, "--kubeconfig", fake.kubeconfig,
                             "--kube-image", "debian:12", home="pods")
        stop.append(True)
        watcher.join()
        self.assertEqual(pods["phase"], "SUCCEEDED", pods)
        for key in ("summary", "lines"):
            self.assertEqual(pods["outputs"][key], local["outputs"][key])
        with open(local["outputs"]["everything"], "rb") as f:
            data = f.read()
        self.assertEqual(pods["outputs"]["everything"],
                         "%s/data/%s/%s/everything" % (PREFIX, sha256(data)[:2], sha256(data)))
        self.assertEqual(self.get_object(pods["outputs"]["everything"]), data)
        objects = self.list_prefix(pods["outputs"]["data"])
        self.assertEqual(set(objects), set(local_dir(local["outputs"]["data"])))
        # Every task ran as a Pod, and no Pod carried a credential: only presigned URLs.
        self.assertEqual(len(seen), 3, sorted(seen))
        manifests = json.dumps(list(seen.values()))
        for pod in seen.values():  # the inputs packed in the Pod, decoded
            for c in pod["spec"]["containers"]:
                for e in c.get("env", []):
                    if e["name"] == "FLYTE_POD_INPUTS":
                        for line in e["value"].splitlines()[1:]:
                            manifests += base64.b64decode(line.split(" ", 1)[1]).decode("utf-8", "replace")
        self.assertIn("X-Amz-Signature=", manifests)  # the files travelled by presigned URLs
        for secret in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "aws_secret_access_key",
                       "X-Amz-Security-Token", "Authorization"):
            self.assertNotIn(secret, manifests)
        self.assertFalse(self.list_prefix(PREFIX + "/staging/"), "staged outputs left behind")


if __name__ == "__main__":
    if not harness.available() or not FLYTE:
        print("skip: s3rver (scripts/install-deps.sh) or FLYTE missing")
        sys.exit(77)
    try:
        import boto3  # noqa: F401
    except ImportError:
        print("skip: python3-boto3 missing")
        sys.exit(77)
    unittest.main(argv=[sys.argv[0]] + sys.argv[1:], verbosity=2)
