"""Values over the API, end to end: a real `flyte serve`, real homes, the real CLI, a real
S3-compatible server (tests/support/s3: s3rver behind botocore's signature check), with curl
and boto3 as the reference clients. docs/server.md "Values", docs/storage.md "Garbage".

Usage: data_integration_test.py CLASS   (FLYTE: the flyte binary; exits 77, skipped, when the
S3 server or boto3 is missing for a class that needs them)
"""
import hashlib
import http.client
import json
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "support", "s3"))
sys.path.insert(0, os.path.join(HERE, "..", "storage"))
import harness  # noqa: E402
from s3_integration_test import digest as sha, random_file  # noqa: E402

FLYTE = os.environ.get("FLYTE", "")
BUCKET = "flyte-data"
DAY = 86400 * 10**9

WORKFLOW = """
project: flytesnacks
domain: development
tasks:
  make:
    inputs: {seed: str}
    outputs: {report: file, shards: dir}
    script: |
      head -c 300000 /dev/urandom > "{{ outputs.report }}"
      mkdir -p "{{ outputs.shards }}/sub"
      echo "{{ inputs.seed }}" > "{{ outputs.shards }}/a.txt"
      head -c 70000 /dev/urandom > "{{ outputs.shards }}/sub/b.bin"
  size:
    inputs: {f: file}
    outputs: {n: int}
    script: wc -c < "{{ inputs.f }}" | tr -d ' ' > "{{ outputs.n }}"
workflows:
  wf:
    inputs: {seed: str}
    outputs:
      report: "{{ make.report }}"
      shards: "{{ make.shards }}"
      n: "{{ size.n }}"
    nodes:
      make: {task: make, inputs: {seed: "{{ inputs.seed }}"}}
      size: {task: size, inputs: {f: "{{ make.report }}"}}
"""

# Reads its inputs without looking at them: s3:// values pass through a local task untouched.
TAKES = """
project: flytesnacks
domain: development
tasks:
  take:
    inputs: {f: file, d: dir}
    outputs: {ok: str}
    script: echo yes > "{{ outputs.ok }}"
workflows:
  takes:
    inputs: {f: file, d: dir}
    outputs: {ok: "{{ take.ok }}"}
    nodes:
      take: {task: take, inputs: {f: "{{ inputs.f }}", d: "{{ inputs.d }}"}}
"""

# What a task saw of a local file and folder sent with `run --remote`.
DIGESTS = """
project: flytesnacks
domain: development
tasks:
  digest:
    inputs: {f: file, d: dir}
    outputs: {file_sha: str, listing: str}
    script: |
      sha256sum < "{{ inputs.f }}" | cut -d' ' -f1 > "{{ outputs.file_sha }}"
      (cd "{{ inputs.d }}" && find . -type f | sort | xargs sha256sum) | sha256sum | cut -d' ' -f1 > "{{ outputs.listing }}"
workflows:
  digests:
    inputs: {f: file, d: dir}
    outputs: {file_sha: "{{ digest.file_sha }}", listing: "{{ digest.listing }}"}
    nodes:
      digest: {task: digest, inputs: {f: "{{ inputs.f }}", d: "{{ inputs.d }}"}}
"""

# A cached producer, and a consumer that waits at a gate.
GC = """
project: flytesnacks
domain: development
tasks:
  produce:
    inputs: {seed: str}
    outputs: {out: file}
    cache: true
    script: printf 'cached %s' "{{ inputs.seed }}" > "{{ outputs.out }}"
  fresh:
    inputs: {seed: str}
    outputs: {out: file}
    script: printf 'plain %s' "{{ inputs.seed }}" > "{{ outputs.out }}"
  read:
    inputs: {f: file}
    outputs: {text: str}
    script: cat "{{ inputs.f }}" > "{{ outputs.text }}"
workflows:
  cached:
    inputs: {seed: str}
    outputs: {out: "{{ produce.out }}"}
    nodes:
      produce: {task: produce, inputs: {seed: "{{ inputs.seed }}"}}
  plain:
    inputs: {seed: str}
    outputs: {out: "{{ fresh.out }}"}
    nodes:
      fresh: {task: fresh, inputs: {seed: "{{ inputs.seed }}"}}
  waits:
    inputs: {f: file}
    outputs: {text: "{{ read.text }}"}
    nodes:
      go: {signal: {name: go, type: bool}}
      read: {task: read, inputs: {f: "{{ inputs.f }}"}, after: [go]}
"""


def tree(path):
    """{relative path: sha256} of every file under `path`."""
    out = {}
    for base, _, files in os.walk(path):
        for name in files:
            full = os.path.join(base, name)
            out[os.path.relpath(full, path)] = sha(full)
    return out


class Served:
    """`flyte serve` on a free port with its own home."""

    def __init__(self, home, env=None, config=None):
        self.home = home
        args = [FLYTE, "serve", "--listen", "127.0.0.1:0", "--home", home]
        if config:
            args += ["--config", config]
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                     env=env or dict(os.environ))
        line = self.proc.stdout.readline()
        m = re.search(r"http://127\.0\.0\.1:(\d+)", line)
        if not m:
            self.stop()
            raise RuntimeError("flyte serve did not start: " + line + self.proc.stderr.read())
        self.port = int(m.group(1))
        self.url = "http://127.0.0.1:%d" % self.port

    def request(self, method, path, body=None, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        conn.request(method, path, body=body, headers=headers or {})
        r = conn.getresponse()
        data = r.read()
        conn.close()
        return r.status, dict((k.lower(), v) for k, v in r.getheaders()), data

    def json(self, path):
        status, _, data = self.request("GET", path)
        if status != 200:
            raise AssertionError("GET %s: %d %s" % (path, status, data))
        return json.loads(data)

    def rss_kib(self, field="VmHWM"):
        with open("/proc/%d/status" % self.proc.pid) as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
        return 0

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class Case(unittest.TestCase):
    needs_s3 = False

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="flyte-data-test-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "FLYTE_"))}
        if self.needs_s3:
            self.s3 = harness.S3Server(self.path("s3")).start()
            self.addCleanup(self.s3.stop)
            self.boto = self.s3.boto3()
            self.boto.create_bucket(Bucket=BUCKET)
            self.env.update({k: v for k, v in self.s3.env().items() if k.startswith("AWS_")})

    def path(self, *parts):
        p = os.path.join(self.tmp, *parts)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        return p

    def write(self, name, text):
        with open(self.path(name), "w") as f:
            f.write(text)
        return self.path(name)

    def flyte(self, *args, home=None, cwd=None, check=True):
        env = dict(self.env, FLYTE_HOME=home or self.path("client-home"))
        run = subprocess.run([FLYTE, *args], env=env, cwd=cwd or self.tmp, capture_output=True, text=True,
                             timeout=240)
        if check and run.returncode != 0:
            self.fail("flyte %s failed (%d): %s%s" % (" ".join(args), run.returncode, run.stdout, run.stderr))
        return run

    def serve(self, name="server-home", config=None):
        server = Served(self.path(name), dict(self.env), config)
        self.addCleanup(server.stop)
        return server

    def run_remote(self, server, workflow_file, *inputs, cwd=None):
        args = ["run", "--remote", workflow_file, "--endpoint", server.url, "-o", "json"]
        for i in inputs:
            args += ["--input", i]
        out = json.loads(self.flyte(*args, cwd=cwd).stdout)
        return out["execution"]["name"]

    def put_value(self, name, data, prefix="pfx"):
        """An object laid out as a flyte value under the prefix: PREFIX/data/ab/<sha256>/NAME."""
        digest = hashlib.sha256(data).hexdigest()
        key = "%s/data/%s/%s/%s" % (prefix, digest[:2], digest, name)
        self.boto.put_object(Bucket=BUCKET, Key=key, Body=data)
        return "s3://%s/%s" % (BUCKET, key)

    def put_dir(self, name, files, prefix="pfx"):
        # flyte's folder digest (util/file_digest.cc): each file, in path order, as
        # "PATH\0SHA256HEX\n"; a fetch checks it against the key.
        h = hashlib.sha256()
        for rel in sorted(files):
            h.update(rel.encode() + b"\0" + hashlib.sha256(files[rel]).hexdigest().encode() + b"\n")
        digest = h.hexdigest()
        base = "%s/data/%s/%s/%s/" % (prefix, digest[:2], digest, name)
        for rel, data in files.items():
            self.boto.put_object(Bucket=BUCKET, Key=base + rel, Body=data)
        return "s3://%s/%s" % (BUCKET, base)


class Download(Case):
    def test_get_outputs_download_from_another_home_is_byte_identical(self):
        server = self.serve()
        wf = self.write("wf.yaml", WORKFLOW)
        name = self.run_remote(server, wf, "seed=alpha")
        # Another home and another folder: everything comes through the API.
        other = self.path("elsewhere", "x")
        os.makedirs(os.path.dirname(other), exist_ok=True)
        out = self.path("out")
        run = self.flyte("get", "outputs", name, "--endpoint", server.url, "--download", out,
                         home=self.path("home-b"), cwd=os.path.dirname(other))
        values = json.loads(self.flyte("get", "outputs", name, "--endpoint", server.url, "-o", "json").stdout)
        self.assertEqual(sha(os.path.join(out, "report")), sha(values["report"]), run.stderr)
        self.assertEqual(os.path.getsize(os.path.join(out, "report")), 300000)
        self.assertEqual(tree(os.path.join(out, "shards")), tree(values["shards"]))
        self.assertEqual(set(tree(os.path.join(out, "shards"))), {"a.txt", os.path.join("sub", "b.bin")})
        self.assertEqual(values["n"], 300000)

    def test_node_inputs_and_outputs_are_typed_and_downloadable(self):
        server = self.serve()
        name = self.run_remote(server, self.write("wf.yaml", WORKFLOW), "seed=beta")
        data = server.json("/api/v1/data/node_executions/flytesnacks/development/%s/size" % name)
        self.assertEqual(data["full_inputs"]["f"]["type"], "file")
        self.assertEqual(data["full_outputs"]["n"], {"type": "int", "value": 300000})
        self.assertEqual([b["variable"] for b in data["blobs"]], ["inputs.f"])
        table = self.flyte("get", "inputs", name, "size", "--endpoint", server.url).stdout
        self.assertRegex(table, r"f\s+file\s+/")
        out = self.path("node-in")
        self.flyte("get", "inputs", name, "size", "--endpoint", server.url, "--download", out)
        self.assertEqual(sha(os.path.join(out, "f")), sha(data["inputs"]["f"]))
        # The execution's data: typed, blobs listed with their download paths.
        whole = server.json("/api/v1/data/executions/flytesnacks/development/%s" % name)
        kinds = {b["variable"]: b["kind"] for b in whole["blobs"]}
        self.assertEqual(kinds, {"outputs.report": "file", "outputs.shards": "dir"})
        missing = server.request("GET", "/api/v1/data/node_executions/flytesnacks/development/%s/nope" % name)
        self.assertEqual(missing[0], 404)
        self.assertIn(b"has no node 'nope'", missing[2])

    def test_a_local_home_downloads_its_own_values(self):
        home = self.path("local-home")
        run = self.flyte("run", self.write("wf.yaml", WORKFLOW), "--input", "seed=gamma", "-o", "json", home=home)
        name = json.loads(run.stdout)["execution"]["name"]
        out = self.path("local-out")
        self.flyte("get", "outputs", name, "--download", out, home=home)
        values = json.loads(self.flyte("get", "outputs", name, "-o", "json", home=home).stdout)
        self.assertEqual(sha(os.path.join(out, "report")), sha(values["report"]))
        self.assertEqual(tree(os.path.join(out, "shards")), tree(values["shards"]))

    def test_a_folder_downloads_as_a_tar_that_tar_reads(self):
        server = self.serve()
        name = self.run_remote(server, self.write("wf.yaml", WORKFLOW), "seed=delta")
        shards = server.json("/api/v1/data/executions/flytesnacks/development/%s" % name)["outputs"]["shards"]
        status, headers, body = server.request("GET", "/api/v1/data/download?uri=" + urllib.parse.quote(shards))
        self.assertEqual(status, 200)
        self.assertEqual(headers["content-type"], "application/x-tar")
        self.assertEqual(int(headers["content-length"]), len(body))
        with open(self.path("s.tar"), "wb") as f:
            f.write(body)
        os.makedirs(self.path("untar", "x"))
        subprocess.run(["tar", "-xf", self.path("s.tar"), "-C", self.path("untar")], check=True)
        self.assertEqual(tree(os.path.join(self.path("untar"), "shards")), tree(shards))


class Range(Case):
    def test_ranges_return_exact_slices(self):
        server = self.serve()
        name = self.run_remote(server, self.write("wf.yaml", WORKFLOW), "seed=r")
        report = server.json("/api/v1/data/executions/flytesnacks/development/%s" % name)["outputs"]["report"]
        data = open(report, "rb").read()
        path = "/api/v1/data/download?uri=" + urllib.parse.quote(report)
        status, headers, body = server.request("GET", path)
        self.assertEqual((status, body), (200, data))
        self.assertEqual(headers["accept-ranges"], "bytes")
        etag = headers["etag"]
        self.assertEqual(etag, '"%s"' % sha(report))
        for asked, first, last in [("bytes=10-19", 10, 19), ("bytes=299990-", 299990, 299999),
                                   ("bytes=-5", 299995, 299999), ("bytes=0-999999", 0, 299999)]:
            status, headers, body = server.request("GET", path, headers={"Range": asked})
            self.assertEqual(status, 206, asked)
            self.assertEqual(body, data[first:last + 1], asked)
            self.assertEqual(headers["content-range"], "bytes %d-%d/300000" % (first, last), asked)
            self.assertEqual(int(headers["content-length"]), last - first + 1, asked)
        status, headers, _ = server.request("GET", path, headers={"Range": "bytes=300000-"})
        self.assertEqual(status, 416)
        self.assertEqual(headers["content-range"], "bytes */300000")
        self.assertEqual(server.request("GET", path, headers={"If-None-Match": etag})[0], 304)
        # curl, the reference client, resumes a download with a range.
        part = self.path("part")
        with open(part, "wb") as f:
            f.write(data[:1000])
        subprocess.run(["curl", "-sS", "-f", "-C", "-", "-o", part, server.url + path], check=True)
        self.assertEqual(sha(part), sha(report))


class S3Values(Case):
    needs_s3 = True

    def test_s3_values_download_presign_and_range(self):
        blob = os.urandom(123457)
        f = self.put_value("in.bin", blob)
        d = self.put_dir("folder", {"x.txt": b"x" * 10, "deep/y.bin": os.urandom(2000)})
        server = self.serve()
        name = self.run_remote(server, self.write("takes.yaml", TAKES), "f=" + f, "d=" + d)
        data = server.json("/api/v1/data/executions/flytesnacks/development/%s" % name)
        self.assertEqual({b["variable"]: b["uri"] for b in data["blobs"]}, {"inputs.f": f, "inputs.d": d})
        # From another home, through the server, byte for byte.
        out = self.path("s3-out")
        self.flyte("get", "inputs", name, "--endpoint", server.url, "--download", out, home=self.path("home-c"))
        self.assertEqual(open(os.path.join(out, "f"), "rb").read(), blob)
        self.assertEqual(open(os.path.join(out, "d", "deep", "y.bin"), "rb").read(),
                         self.boto.get_object(Bucket=BUCKET, Key=d[len("s3://%s/" % BUCKET):] + "deep/y.bin")["Body"].read())
        # A range of an S3 value reads only that slice.
        status, _, body = server.request("GET", "/api/v1/data/download?uri=" + urllib.parse.quote(f),
                                         headers={"Range": "bytes=100-199"})
        self.assertEqual((status, body), (206, blob[100:200]))
        # A presigned URL from flyte works with plain curl, no credentials.
        signed = server.json("/api/v1/data/presign?expires_in=600&uri=" + urllib.parse.quote(f))
        self.assertTrue(signed["presigned"])
        got = subprocess.run(["curl", "-sS", "-f", signed["url"]], capture_output=True, check=True, env={}).stdout
        self.assertEqual(got, blob)
        listing = server.json("/api/v1/data/presign?uri=" + urllib.parse.quote(d))
        self.assertEqual(sorted(x["path"] for x in listing["files"]), ["deep/y.bin", "x.txt"])
        for x in listing["files"]:
            body = subprocess.run(["curl", "-sS", "-f", x["url"]], capture_output=True, check=True).stdout
            self.assertEqual(len(body), x["bytes"])
        # A local value has no signature of its own: the server's URL instead.
        missing = server.request("GET", "/api/v1/data/presign?uri=" + urllib.parse.quote(f + "-nope"))
        self.assertEqual(missing[0], 404)


class Upload(Case):
    def upload(self, server, path, name, digest=None, ctype="application/octet-stream"):
        q = urllib.parse.urlencode({"name": name, "sha256": digest or sha(path)})
        with open(path, "rb") as body:
            return server.request("POST", "/api/v1/data/upload?" + q, body=body,
                                  headers={"Content-Type": ctype, "Content-Length": str(os.path.getsize(path))})

    def test_a_50_mb_upload_is_stored_whole_with_flat_memory(self):
        server = self.serve()
        big = random_file(self.path("big.bin"), 50 << 20)
        before = server.rss_kib("VmHWM")
        status, _, body = self.upload(server, big, "big.bin")
        self.assertEqual(status, 200, body)
        uri = json.loads(body)["uri"]
        self.assertTrue(uri.startswith(os.path.realpath(server.home) + "/blobs/") or uri.startswith(server.home))
        self.assertEqual(sha(uri), sha(big))
        growth = (server.rss_kib("VmHWM") - before) / 1024
        print("upload of 50 MiB: server peak RSS grew %.1f MiB" % growth)
        self.assertLess(growth, 30)

    def test_a_body_that_does_not_match_its_digest_is_refused(self):
        server = self.serve()
        f = random_file(self.path("f.bin"), 1000)
        status, _, body = self.upload(server, f, "f.bin", digest="0" * 64)
        self.assertEqual(status, 400)
        self.assertIn(b"not 0000", body)
        self.assertEqual(os.listdir(os.path.join(server.home, "blobs", ".staging")), [])

    def test_a_too_large_upload_gets_413_before_its_body(self):
        cfg = self.write("server.yaml", "http:\n  max_upload_mib: 1\n")
        server = self.serve(config=cfg)
        # Headers alone: the answer comes without a byte of the body sent.
        with socket.create_connection(("127.0.0.1", server.port), timeout=30) as s:
            s.sendall(b"POST /api/v1/data/upload?name=x&sha256=" + b"a" * 64 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                      b"Content-Type: application/octet-stream\r\nContent-Length: 2097152\r\n\r\n")
            answer = b""
            while True:  # the server closes the connection after its answer
                got = s.recv(65536)
                if not got:
                    break
                answer += got
            answer = answer.decode()
        self.assertTrue(answer.startswith("HTTP/1.1 413"), answer)
        self.assertIn("max_upload_mib", answer)
        # curl sending the body gets the same answer.
        big = random_file(self.path("two.bin"), 2 << 20)
        code = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--data-binary", "@" + big,
                               "-H", "Content-Type: application/octet-stream",
                               server.url + "/api/v1/data/upload?name=two.bin&sha256=" + sha(big)],
                              capture_output=True, text=True).stdout
        self.assertEqual(code, "413")
        # A JSON body keeps its own limit.
        self.assertEqual(server.request("POST", "/api/v1/executions", body=b"{}",
                                        headers={"Content-Type": "application/json"})[0], 400)


class RunRemote(Case):
    def test_local_file_and_dir_inputs_are_uploaded(self):
        server = self.serve()
        work = self.path("work", "inputs")
        os.makedirs(os.path.join(work, "data", "nested"))
        f = random_file(os.path.join(work, "input.bin"), 200000)
        random_file(os.path.join(work, "data", "one.bin"), 3000)
        with open(os.path.join(work, "data", "nested", "two.txt"), "w") as t:
            t.write("two\n")
        wf = self.write("digests.yaml", DIGESTS)
        # Relative paths, from a folder the server never sees.
        name = self.run_remote(server, wf, "f=input.bin", "d=data", cwd=work)
        out = json.loads(self.flyte("get", "outputs", name, "--endpoint", server.url, "-o", "json").stdout)
        self.assertEqual(out["file_sha"], sha(f))
        listing = subprocess.run("find . -type f | sort | xargs sha256sum | sha256sum | cut -d' ' -f1", shell=True,
                                 cwd=os.path.join(work, "data"), capture_output=True, text=True).stdout.strip()
        self.assertEqual(out["listing"], listing)
        inputs = json.loads(self.flyte("get", "inputs", name, "--endpoint", server.url, "-o", "json").stdout)
        self.assertTrue(inputs["f"].startswith(server.home), inputs)
        self.assertTrue(inputs["d"].endswith("/data"), inputs)


def backdate_executions(home, names, days=10):
    db = sqlite3.connect(os.path.join(home, "flyte.db"))
    for n in names:
        db.execute("UPDATE executions SET created_at = created_at - ? WHERE name = ?", (days * DAY, n))
    db.commit()
    db.close()


def blob_value(home, name, data):
    """A file laid out as a value in the home's blob folder, BLOBS/ab/<sha256>/NAME, that no
    execution names."""
    digest = hashlib.sha256(data).hexdigest()
    folder = os.path.join(home, "blobs", digest[:2], digest)
    os.makedirs(folder)
    path = os.path.join(folder, name)
    with open(path, "wb") as f:
        f.write(data)
    return path


def backdate_files(root, days=10):
    then = time.time() - days * 86400
    for base, dirs, files in os.walk(root):
        for name in dirs + files:
            os.utime(os.path.join(base, name), (then, then), follow_symlinks=False)


class Gc(Case):
    def test_dry_run_lists_and_apply_removes_only_unreferenced_old_values(self):
        home = self.path("gc-home")
        wf = self.write("gc.yaml", GC)

        def run(target, *inputs, extra=()):
            args = ["run", wf, target, "-o", "json", *extra]
            for i in inputs:
                args += ["--input", i]
            r = self.flyte(*args, home=home)
            return json.loads(r.stdout)["execution"]["name"], json.loads(r.stdout)

        cached, out_c = run("cached", "seed=1")
        plain, out_p = run("plain", "seed=1")
        reused, _ = run("plain", "seed=2")
        values = {n: json.loads(self.flyte("get", "outputs", n, "-o", "json", home=home).stdout)["out"]
                  for n in (cached, plain, reused)}
        # A newer execution takes the reused one's output as an input.
        run("waits", "f=" + values[reused], extra=("--signal", "go=true"))
        # Values no execution names (an upload never launched, say): an old one goes, a fresh
        # one stays; so does anything in the blob folder not shaped as a value.
        orphan = blob_value(home, "orphan.bin", b"nobody's 1234")
        # A digest folder that is a link leads out of the blob folder: never followed.
        outside = self.path("outside")
        os.makedirs(outside)
        with open(os.path.join(outside, "keep.bin"), "wb") as f:
            f.write(b"not flyte's")
        linked = "cd" * 32
        os.makedirs(os.path.join(home, "blobs", "cd"), exist_ok=True)
        os.symlink(outside, os.path.join(home, "blobs", "cd", linked))
        backdate_files(outside)
        backdate_executions(home, [cached, plain, reused])
        backdate_files(os.path.join(home, "blobs"))
        fresh_orphan = blob_value(home, "fresh.bin", b"just uploaded")
        dry = self.flyte("gc", "--older-than", "5", home=home).stdout
        self.assertIn("would remove  " + values[plain], dry)
        self.assertIn("would remove  " + orphan + "  13 B  (named by nothing)", dry)
        self.assertNotIn(values[cached], dry)
        self.assertNotIn(values[reused], dry)
        self.assertNotIn(fresh_orphan, dry)
        self.assertRegex(dry, r"would remove 2 values \(\d+ B, 20 bytes\) of 3 executions older than 5 days "
                              r"and 1 named by nothing; kept 2")
        self.assertTrue(os.path.exists(values[plain]), "a dry run removes nothing")
        self.assertTrue(os.path.exists(orphan), "a dry run removes nothing")
        applied = json.loads(self.flyte("gc", "--older-than", "5", "--apply", "-o", "json", home=home).stdout)
        self.assertEqual([(v["uri"], v["orphan"]) for v in applied["values"]],
                         [(values[plain], False), (orphan, True)])
        self.assertEqual(applied["orphans"], 1)
        self.assertFalse(os.path.exists(values[plain]))
        self.assertFalse(os.path.exists(os.path.dirname(orphan)), "its digest folder goes with it")
        self.assertTrue(os.path.exists(fresh_orphan), "a fresh value may be about to be named")
        self.assertTrue(os.path.exists(os.path.join(outside, "keep.bin")), "gc followed a link")
        self.assertTrue(os.path.exists(values[cached]), "the cache uses it")
        self.assertTrue(os.path.exists(values[reused]), "a newer execution uses it")
        # The cache still serves its entry, with its file.
        again = self.flyte("run", wf, "cached", "--input", "seed=1", "-o", "json", home=home).stdout
        self.assertEqual(open(json.loads(again)["outputs"]["out"]).read(), "cached 1")


class GcRunning(Case):
    def test_a_running_execution_keeps_its_values(self):
        server = self.serve("gc-serve")
        wf = self.write("gc.yaml", GC)
        made = json.loads(self.flyte("run", "--remote", wf, "plain", "--endpoint", server.url, "--input", "seed=9",
                                     "-o", "json").stdout)["execution"]["name"]
        value = server.json("/api/v1/data/executions/flytesnacks/development/%s" % made)["outputs"]["out"]
        waiting = json.loads(self.flyte("run", "--remote", wf, "waits", "--endpoint", server.url, "--no-wait",
                                        "--input", "f=" + value, "-o", "json").stdout)["execution"]["name"]
        backdate_executions(server.home, [made, waiting])
        backdate_files(os.path.join(server.home, "blobs"))
        # The waiting execution is old but not ended: its input stays.
        report = json.loads(self.flyte("gc", "--older-than", "5", "--apply", "-o", "json", home=server.home).stdout)
        self.assertEqual(report["values"], [])
        self.assertTrue(os.path.exists(value))
        self.flyte("signal", waiting, "go", "true", "--endpoint", server.url)
        deadline = time.time() + 60
        while server.json("/api/v1/executions/flytesnacks/development/" + waiting)["closure"]["phase"] != "SUCCEEDED":
            self.assertLess(time.time(), deadline, "the waiting execution did not finish")
            time.sleep(0.1)
        out = server.json("/api/v1/data/executions/flytesnacks/development/" + waiting)["outputs"]
        self.assertEqual(out["text"], "plain 9")


class GcServer(Case):
    def test_the_server_collects_on_its_interval(self):
        cfg = self.write("server.yaml", "gc:\n  interval: 1s\n  older_than: 5d\n")
        server = self.serve("gc-timer", config=cfg)
        wf = self.write("gc.yaml", GC)
        made = json.loads(self.flyte("run", "--remote", wf, "plain", "--endpoint", server.url, "--input", "seed=3",
                                     "-o", "json").stdout)["execution"]["name"]
        value = server.json("/api/v1/data/executions/flytesnacks/development/%s" % made)["outputs"]["out"]
        self.assertTrue(os.path.exists(value))
        backdate_executions(server.home, [made])
        backdate_files(os.path.join(server.home, "blobs"))
        deadline = time.time() + 60
        while os.path.exists(value):
            self.assertLess(time.time(), deadline, "the server's gc did not remove the old value")
            time.sleep(0.1)


class GcS3(Case):
    needs_s3 = True

    def test_values_under_the_prefix_are_collected_and_others_kept(self):
        home = self.path("gc-s3-home")
        wf = self.write("takes.yaml", TAKES)
        old_f = self.put_value("old.bin", b"old bytes")
        old_d = self.put_dir("olddir", {"a": b"1", "b/c": b"22"})
        kept_f = self.put_value("kept.bin", b"kept bytes")
        orphan = self.put_value("orphan.bin", b"never launched")
        self.boto.put_object(Bucket=BUCKET, Key="pfx/staging/crashed-pod/out", Body=b"left by a crash")
        foreign = "s3://%s/elsewhere/mine.bin" % BUCKET
        self.boto.put_object(Bucket=BUCKET, Key="elsewhere/mine.bin", Body=b"user's own")

        def run(*inputs):
            args = ["run", wf, "-o", "json"]
            for i in inputs:
                args += ["--input", i]
            return json.loads(self.flyte(*args, home=home).stdout)["execution"]["name"]

        old = run("f=" + old_f, "d=" + old_d)
        old_foreign = run("f=" + foreign, "d=" + old_d)
        old_kept = run("f=" + kept_f, "d=" + old_d)
        backdate_executions(home, [old, old_foreign, old_kept])
        run("f=" + kept_f, "d=" + self.put_dir("newdir", {"n": b"n"}))
        backdate_files(self.path("s3"))  # s3rver's objects: LastModified is their file's time
        prefix = ["--raw-data-prefix", "s3://%s/pfx" % BUCKET]
        dry = self.flyte("gc", "--older-than", "5", *prefix, home=home).stdout
        self.assertIn("would remove  " + old_f, dry)
        self.assertIn("would remove  " + old_d, dry)
        self.assertNotIn(kept_f, dry)
        self.assertNotIn("elsewhere", dry)
        self.assertIn("would remove  %s  14 B  (named by nothing)" % orphan, dry)
        self.assertIn("would remove  s3://%s/pfx/staging/crashed-pod/out  15 B  (named by nothing)" % BUCKET, dry)
        fresh = self.put_value("fresh.bin", b"uploaded just now")
        self.flyte("gc", "--older-than", "5", "--apply", *prefix, home=home)
        keys = {o["Key"] for o in self.boto.list_objects_v2(Bucket=BUCKET).get("Contents", [])}
        self.assertNotIn(orphan[len("s3://%s/" % BUCKET):], keys)
        self.assertNotIn("pfx/staging/crashed-pod/out", keys)
        self.assertIn(fresh[len("s3://%s/" % BUCKET):], keys)
        self.assertNotIn(old_f[len("s3://%s/" % BUCKET):], keys)
        self.assertFalse(any(k.startswith(old_d[len("s3://%s/" % BUCKET):]) for k in keys))
        self.assertIn(kept_f[len("s3://%s/" % BUCKET):], keys)
        self.assertIn("elsewhere/mine.bin", keys)


def main():
    if not FLYTE:
        print("FLYTE is not set")
        return 2
    name = sys.argv[1]
    cls = globals()[name]
    if cls.needs_s3:
        try:
            import boto3  # noqa: F401
        except ImportError:
            print("skip: boto3 is missing")
            return 77
        if not harness.available():
            print("skip: s3rver is not installed (scripts/install-deps.sh)")
            return 77
    suite = unittest.defaultTestLoader.loadTestsFromTestCase(cls)
    result = unittest.TextTestRunner(verbosity=2).run(suite)
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
