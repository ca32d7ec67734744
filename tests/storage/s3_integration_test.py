"""The storage library against a real S3-compatible server (tests/support/s3/harness.py:
s3rver behind a proxy that verifies every SigV4 signature with botocore). flyte's side runs
through s3_tool (S3_TOOL, built from s3_tool.cc); boto3 and curl are the reference clients.

Usage: s3_integration_test.py CLASS   (exits 77, skipped, when the server or boto3 is missing)
"""
import hashlib
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support", "s3"))
import harness  # noqa: E402

BUCKET = "flyte-test"
TOOL = os.environ.get("S3_TOOL", "")


def random_file(path, size):
    with open(path, "wb") as f:
        left = size
        while left > 0:
            n = min(left, 1 << 20)
            f.write(os.urandom(n))
            left -= n
    return path


def digest(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


class S3Case(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="flyte-s3-test-")
        self.server = harness.S3Server(os.path.join(self.tmp.name, "server")).start()
        self.addCleanup(self.tmp.cleanup)
        self.addCleanup(lambda: self.server.stop())
        self.boto = self.server.boto3()
        self.boto.create_bucket(Bucket=BUCKET)

    def path(self, name):
        return os.path.join(self.tmp.name, name)

    def tool(self, *args, env=None, check=True, timeout=240):
        run = subprocess.run([TOOL, *args], env=env or self.server.env(), capture_output=True,
                             text=True, timeout=timeout)
        if check and run.returncode != 0:
            self.fail("s3_tool %s failed: %s" % (" ".join(args), run.stderr))
        return run


class RoundTrip(S3Case):
    def test_small_and_empty_and_odd_keys_come_back_byte_for_byte(self):
        for key, size in [("a/small.bin", 1000), ("empty", 0),
                          ("dir with space/ü+;=,x (1).txt", 4321)]:
            src = random_file(self.path("src"), size)
            self.tool("put", src, "s3://%s/%s" % (BUCKET, key))
            self.tool("get", "s3://%s/%s" % (BUCKET, key), self.path("back"))
            self.assertEqual(digest(src), digest(self.path("back")), key)
            head = self.tool("head", "s3://%s/%s" % (BUCKET, key)).stdout.split()
            self.assertEqual(int(head[0]), size)

    def test_range_reads_only_the_asked_bytes(self):
        src = random_file(self.path("src"), 100000)
        self.tool("put", src, "s3://%s/r" % BUCKET)
        self.tool("get", "s3://%s/r" % BUCKET, self.path("part"), "10-19")
        with open(src, "rb") as f:
            self.assertEqual(open(self.path("part"), "rb").read(), f.read()[10:20])

    def test_list_follows_continuation_and_delete_removes(self):
        src = random_file(self.path("src"), 10)
        keys = ["p/%04d" % i for i in range(1005)]  # more than one page of 1000
        for k in keys[:5]:
            self.tool("put", src, "s3://%s/%s" % (BUCKET, k))
        for k in keys[5:]:
            self.boto.put_object(Bucket=BUCKET, Key=k, Body=b"0123456789")
        listed = self.tool("ls", "s3://%s/p/" % BUCKET).stdout.split("\n")
        self.assertEqual([l.split()[0] for l in listed if l], keys)
        self.tool("rm", "s3://%s/p/0000" % BUCKET)
        self.tool("rm-many", BUCKET, *keys[1:])
        self.assertEqual(self.tool("ls", "s3://%s/p/" % BUCKET).stdout, "")


class Boto3(S3Case):
    def test_boto3_reads_what_flyte_wrote_and_flyte_reads_what_boto3_wrote(self):
        src = random_file(self.path("src"), 3 << 20)
        self.tool("put", src, "s3://%s/from-flyte" % BUCKET)
        body = self.boto.get_object(Bucket=BUCKET, Key="from-flyte")["Body"].read()
        self.assertEqual(hashlib.sha256(body).hexdigest(), digest(src))

        data = os.urandom(2 << 20)
        self.boto.put_object(Bucket=BUCKET, Key="from-boto3", Body=data)
        self.tool("get", "s3://%s/from-boto3" % BUCKET, self.path("back"))
        self.assertEqual(open(self.path("back"), "rb").read(), data)

    @unittest.skipUnless(os.path.exists("/usr/bin/aws"), "Debian's awscli is not installed")
    def test_the_aws_cli_reads_what_flyte_wrote(self):
        src = random_file(self.path("src"), 300000)
        self.tool("put", src, "s3://%s/cli/x.bin" % BUCKET)
        # Debian's awscli (2.9) predates AWS_ENDPOINT_URL: the endpoint goes on the command line.
        run = subprocess.run(["/usr/bin/aws", "--endpoint-url", self.server.endpoint, "s3", "cp",
                              "s3://%s/cli/x.bin" % BUCKET,
                              self.path("back")], env=self.server.env(), capture_output=True,
                             text=True, timeout=120)
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertEqual(digest(src), digest(self.path("back")))

    def test_boto3_reads_a_multipart_upload_of_flyte(self):
        src = random_file(self.path("src"), 12 << 20)
        self.tool("--part-size", str(5 << 20), "put", src, "s3://%s/parts" % BUCKET)
        body = self.boto.get_object(Bucket=BUCKET, Key="parts")["Body"].read()
        self.assertEqual(hashlib.sha256(body).hexdigest(), digest(src))


class Presign(S3Case):
    def test_curl_downloads_and_uploads_with_flyte_presigned_urls(self):
        data = os.urandom(50000)
        self.boto.put_object(Bucket=BUCKET, Key="shared/report.csv", Body=data)
        url = self.tool("presign-get", "s3://%s/shared/report.csv" % BUCKET, "600").stdout.strip()
        got = subprocess.run(["curl", "-sSf", url], capture_output=True, timeout=60)
        self.assertEqual(got.returncode, 0, got.stderr)
        self.assertEqual(got.stdout, data)

        src = random_file(self.path("upload"), 70000)
        url = self.tool("presign-put", "s3://%s/in/upload.bin" % BUCKET, "600").stdout.strip()
        put = subprocess.run(["curl", "-sSf", "-T", src, url], capture_output=True, timeout=60)
        self.assertEqual(put.returncode, 0, put.stderr)
        body = self.boto.get_object(Bucket=BUCKET, Key="in/upload.bin")["Body"].read()
        self.assertEqual(body, open(src, "rb").read())

    def test_a_tampered_presigned_url_is_refused(self):
        self.boto.put_object(Bucket=BUCKET, Key="k", Body=b"x")
        url = self.tool("presign-get", "s3://%s/k" % BUCKET, "600").stdout.strip()
        tampered = url.replace("/k?", "/other?")
        got = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", tampered],
                             capture_output=True, text=True, timeout=60)
        self.assertEqual(got.stdout, "403")

    def test_expiry_beyond_seven_days_is_refused(self):
        run = self.tool("presign-get", "s3://%s/k" % BUCKET, "604801", check=False)
        self.assertEqual(run.returncode, 1)
        self.assertIn("s3://flyte-test/k: a presigned URL expires in 1 second to 7 days", run.stderr)


class Multipart(S3Case):
    def test_200_mb_goes_up_in_parts_with_flat_memory(self):
        src = random_file(self.path("big"), 200 << 20)
        run = self.tool("put", src, "s3://%s/big" % BUCKET)
        growth_kb = int(run.stdout.split()[1])
        self.assertLess(growth_kb, 30 * 1024, "RSS grew by %d KiB" % growth_kb)
        parts = [p for m, p in self.server.proxy.requests if m == "PUT" and "partNumber=" in p]
        self.assertEqual(len(parts), 25)  # 200 MiB in the default 8 MiB parts
        self.tool("get", "s3://%s/big" % BUCKET, self.path("back"))
        self.assertEqual(digest(src), digest(self.path("back")))


class Errors(S3Case):
    def test_missing_bucket_and_key_are_named(self):
        run = self.tool("get", "s3://no-such-bucket/x", self.path("out"), check=False)
        self.assertEqual(run.returncode, 1)
        self.assertIn("error: NotFound: s3://no-such-bucket/x: no such bucket no-such-bucket at "
                      + self.server.endpoint, run.stderr)
        self.assertFalse(os.path.exists(self.path("out")))
        run = self.tool("head", "s3://%s/missing" % BUCKET, check=False)
        self.assertIn("error: NotFound: s3://flyte-test/missing: no such key", run.stderr)
        run = self.tool("head", "s3://no-such-bucket/x", check=False)
        self.assertIn("s3://no-such-bucket/x: no such bucket no-such-bucket", run.stderr)

    def test_unknown_access_key_is_invalid_credentials(self):
        env = self.server.env(AWS_ACCESS_KEY_ID="AKIDNOTKNOWN")
        src = random_file(self.path("src"), 10)
        run = self.tool("put", src, "s3://%s/k" % BUCKET, env=env, check=False)
        self.assertEqual(run.returncode, 1)
        self.assertIn("s3://flyte-test/k: invalid credentials: access key AKIDNOTKNOWN from the "
                      "environment (AWS_ACCESS_KEY_ID) was refused (InvalidAccessKeyId", run.stderr)

    def test_unreachable_endpoint_is_named(self):
        # A port bound but not listening refuses connections, and no parallel test can take it.
        held = socket.socket()
        self.addCleanup(held.close)
        held.bind(("127.0.0.1", 0))
        port = held.getsockname()[1]
        env = self.server.env(AWS_ENDPOINT_URL="http://127.0.0.1:%d" % port)
        run = self.tool("--attempts", "2", "--base-delay-ms", "10", "ls", "s3://%s/" % BUCKET,
                        env=env, check=False)
        self.assertEqual(run.returncode, 1)
        self.assertIn("error: Unavailable: s3://flyte-test/: endpoint http://127.0.0.1:%d "
                      "unreachable or the connection broke" % port, run.stderr)
        self.assertIn("(after 2 attempts)", run.stderr)

    def test_bad_uri_is_refused_before_any_request(self):
        run = self.tool("ls", "s3://Bad_Bucket/x", check=False)
        self.assertIn("invalid S3 URI 's3://Bad_Bucket/x': bucket 'Bad_Bucket': a bucket name has "
                      "only lowercase letters", run.stderr)


class Retries(S3Case):
    def test_slow_down_and_server_errors_are_retried(self):
        src = random_file(self.path("src"), 1000)
        self.server.proxy.inject("PUT /flyte-test/k", 503, "SlowDown", times=2)
        self.server.proxy.inject("PUT /flyte-test/k", 500, "InternalError")
        self.tool("--base-delay-ms", "10", "put", src, "s3://%s/k" % BUCKET)
        puts = [p for m, p in self.server.proxy.requests if m == "PUT" and p == "/flyte-test/k"]
        self.assertEqual(len(puts), 4)
        self.assertEqual(self.boto.head_object(Bucket=BUCKET, Key="k")["ContentLength"], 1000)

    def test_retries_are_bounded(self):
        self.server.proxy.inject("GET /flyte-test?list-type=2", 503, "SlowDown", times=10)
        run = self.tool("--attempts", "3", "--base-delay-ms", "10", "ls", "s3://%s/" % BUCKET,
                        check=False)
        self.assertIn("error: Unavailable: s3://flyte-test/: the server at %s failed (SlowDown: "
                      "injected by the test) (after 3 attempts)" % self.server.endpoint, run.stderr)
        self.assertEqual(len(self.server.proxy.faults), 7)

    def test_a_refused_part_aborts_the_multipart_upload(self):
        src = random_file(self.path("big"), 12 << 20)
        self.server.proxy.inject("partNumber=2", 403, "AccessDenied")
        run = self.tool("--part-size", str(5 << 20), "put", src, "s3://%s/big" % BUCKET,
                        check=False)
        self.assertEqual(run.returncode, 1)
        self.assertIn("error: FailedPrecondition: s3://flyte-test/big: access denied for access "
                      "key S3RVER (AccessDenied: injected by the test) (part 2)", run.stderr)
        aborts = [p for m, p in self.server.proxy.requests if m == "DELETE" and "uploadId=" in p]
        self.assertEqual(len(aborts), 1)
        # s3rver has no AbortMultipartUpload (405), which the message reports.
        self.assertIn("; aborting multipart upload", run.stderr)
        self.assertNotIn("Contents", self.boto.list_objects_v2(Bucket=BUCKET))


class Signatures(S3Case):
    def test_a_wrong_secret_is_refused(self):
        env = self.server.env(AWS_SECRET_ACCESS_KEY="not-the-secret")
        src = random_file(self.path("src"), 10)
        run = self.tool("put", src, "s3://%s/k" % BUCKET, env=env, check=False)
        self.assertEqual(run.returncode, 1)
        self.assertIn("error: InvalidArgument: s3://flyte-test/k: invalid credentials: access key "
                      "S3RVER from the environment (AWS_ACCESS_KEY_ID) was refused "
                      "(SignatureDoesNotMatch", run.stderr)
        self.assertGreater(self.server.proxy.refused, 0)
        self.assertEqual(self.boto.list_objects_v2(Bucket=BUCKET).get("KeyCount"), 0)

    def test_profile_credentials_from_the_shared_files_sign_correctly(self):
        home = self.path("home")
        os.makedirs(os.path.join(home, ".aws"))
        with open(os.path.join(home, ".aws", "credentials"), "w") as f:
            f.write("[dev]\naws_access_key_id = S3RVER\naws_secret_access_key = S3RVER\n")
        with open(os.path.join(home, ".aws", "config"), "w") as f:
            f.write("[profile dev]\nregion = us-east-1\nendpoint_url = %s\ns3 =\n"
                    "  addressing_style = path\n" % self.server.endpoint)
        env = self.server.env(HOME=home, AWS_PROFILE="dev", AWS_ENDPOINT_URL=None,
                              AWS_ACCESS_KEY_ID=None, AWS_SECRET_ACCESS_KEY=None)
        src = random_file(self.path("src"), 100)
        self.tool("put", src, "s3://%s/via-profile" % BUCKET, env=env)
        self.assertEqual(self.boto.head_object(Bucket=BUCKET, Key="via-profile")["ContentLength"], 100)


class Outage(S3Case):
    def _upload_in_background(self, *extra):
        src = random_file(self.path("big"), 60 << 20)
        proc = subprocess.Popen([TOOL, *extra, "--part-size", str(5 << 20), "put", src,
                                 "s3://%s/big" % BUCKET], env=self.server.env(),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while sum(1 for m, p in self.server.proxy.requests if "partNumber=" in p) < 3:
            self.assertLess(time.monotonic(), deadline, "no parts were uploaded")
            time.sleep(0.02)
        return src, proc

    def test_a_server_stopped_mid_upload_gives_a_clear_error(self):
        src, proc = self._upload_in_background("--attempts", "3", "--base-delay-ms", "50")
        self.server.stop()
        out, err = proc.communicate(timeout=120)
        self.assertEqual(proc.returncode, 1, out)
        self.assertIn("error: Unavailable: s3://flyte-test/big: endpoint %s unreachable or the "
                      "connection broke" % self.server.endpoint, err)
        self.assertIn("aborting multipart upload", err)

    def test_a_server_restarted_mid_upload_is_waited_for(self):
        src, proc = self._upload_in_background("--attempts", "10", "--base-delay-ms", "300")
        directory, port, backend = self.server.directory, self.server.port, self.server.backend_port
        self.server.stop()
        restarted = harness.S3Server(directory)
        restarted.port, restarted.backend_port, restarted.endpoint = port, backend, self.server.endpoint
        self.server = restarted.start()
        out, err = proc.communicate(timeout=240)
        self.assertEqual(proc.returncode, 0, err)
        body = self.server.boto3().get_object(Bucket=BUCKET, Key="big")["Body"].read()
        self.assertEqual(hashlib.sha256(body).hexdigest(), digest(src))


if __name__ == "__main__":
    if not harness.available() or not TOOL:
        print("skipped: s3rver (scripts/install-deps.sh) or S3_TOOL is missing")
        sys.exit(77)
    try:
        import boto3  # noqa: F401
    except ImportError:
        print("skipped: python3-boto3 is not installed")
        sys.exit(77)
    suite = unittest.defaultTestLoader.loadTestsFromName(sys.argv[1], sys.modules[__name__])
    result = unittest.TextTestRunner(verbosity=2).run(suite)
    sys.exit(0 if result.wasSuccessful() else 1)
