"""An S3-compatible server for tests: s3rver (npm, installed here by scripts/install-deps.sh)
on a free port with a temporary folder, behind a proxy that checks each request's AWS
Signature V4 with botocore's signer.

s3rver 3.7 checks only that the access key id exists (S3RVER): it accepts any V4 signature
(its lib/middleware/authentication.js: "Signature version 4 calculation is unimplemented").
The proxy recomputes every signature, header or presigned, with botocore from the one secret
it knows, and answers 403 SignatureDoesNotMatch as S3 does, so a client signing wrongly, or
with a wrong secret, is refused. Everything else streams through unchanged.
"""
import http.client
import http.server
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import urllib.parse

from botocore.auth import S3SigV4Auth, S3SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

HERE = os.path.dirname(os.path.abspath(__file__))
S3RVER = os.path.join(HERE, "node_modules", "s3rver", "bin", "s3rver.js")
ACCESS_KEY = "S3RVER"
SECRET_KEY = "S3RVER"
REGION = "us-east-1"
CHUNK = 64 * 1024


def _listens(pid, port):
    """Whether process `pid` has a socket listening on TCP `port` (Linux /proc)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as f:
                next(f)
                for line in f:
                    fields = line.split()
                    if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "0A":
                        inodes.add("socket:[%s]" % fields[9])
        except OSError:
            continue
    if not inodes:
        return False
    try:
        fds = os.listdir("/proc/%d/fd" % pid)
    except OSError:
        return False
    for fd in fds:
        try:
            if os.readlink("/proc/%d/fd/%s" % (pid, fd)) in inodes:
                return True
        except OSError:
            continue
    return False


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def available():
    return os.path.exists(S3RVER) and shutil.which("node") is not None


def expected_signature(method, path_and_query, headers):
    """The signature botocore computes for this request, or None when it carries none."""
    url = urllib.parse.urlsplit(path_and_query)
    query = urllib.parse.parse_qsl(url.query, keep_blank_values=True)
    params = dict(query)
    host = headers.get("host")
    creds = Credentials(ACCESS_KEY, SECRET_KEY, headers.get("x-amz-security-token")
                        or params.get("X-Amz-Security-Token"))
    if "X-Amz-Signature" in params:
        signed = params["X-Amz-SignedHeaders"].split(";")
        rest = "&".join(p for p in url.query.split("&") if not p.startswith("X-Amz-Signature="))
        req = AWSRequest(method=method, url="http://%s%s?%s" % (host, url.path, rest),
                         headers={h: headers[h] for h in signed})
        req.context["timestamp"] = params["X-Amz-Date"]
        auth = S3SigV4QueryAuth(creds, "s3", REGION, expires=int(params["X-Amz-Expires"]))
        canonical = auth.canonical_request(req)
        return auth.signature(auth.string_to_sign(req, canonical), req), params["X-Amz-Signature"]
    authorization = headers.get("authorization", "")
    if not authorization.startswith("AWS4-HMAC-SHA256 "):
        return None, None
    fields = dict(f.strip().split("=", 1) for f in authorization[len("AWS4-HMAC-SHA256 "):].split(","))
    signed = fields["SignedHeaders"].split(";")
    req = AWSRequest(method=method, url="http://%s%s" % (host, path_and_query),
                     headers={h: headers[h] for h in signed})
    req.context["timestamp"] = headers["x-amz-date"]
    auth = S3SigV4Auth(creds, "s3", REGION)
    canonical = auth.canonical_request(req)
    return auth.signature(auth.string_to_sign(req, canonical), req), fields["Signature"]


class Proxy(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, port, backend_port):
        super().__init__(("127.0.0.1", port), Handler)
        self.backend_port = backend_port
        self.lock = threading.Lock()
        self.requests = []  # (method, path) of every request that reached the backend
        self.refused = 0
        self.faults = []  # (substring of "METHOD /path?query", HTTP status, S3 code), each once

    def inject(self, match, status, code, times=1):
        """Answers the next `times` requests containing `match` with an S3 error, as a faulty
        server would, instead of forwarding them."""
        with self.lock:
            self.faults.extend([(match, status, code)] * times)


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _refuse(self, status=403, code="SignatureDoesNotMatch",
                message="The request signature we calculated does not match the signature you "
                        "provided. Check your key and signing method."):
        body = ('<?xml version="1.0" encoding="UTF-8"?><Error><Code>%s</Code><Message>%s'
                "</Message></Error>" % (code, message)).encode()
        self._drain()
        # Counted before the answer goes out: a client that has its answer may check at once.
        if code == "SignatureDoesNotMatch":
            with self.server.lock:
                self.server.refused += 1
        self.send_response(status)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _drain(self):
        left = int(self.headers.get("content-length") or 0)
        while left > 0:
            got = self.rfile.read(min(CHUNK, left))
            if not got:
                break
            left -= len(got)

    def _forward(self):
        headers = {k.lower(): v for k, v in self.headers.items()}
        try:
            expected, given = expected_signature(self.command, self.path, headers)
        except (KeyError, ValueError):
            expected, given = "malformed", ""
        if expected is not None and expected != given:
            return self._refuse()
        with self.server.lock:
            self.server.requests.append((self.command, self.path))
            request = "%s %s" % (self.command, self.path)
            fault = next((f for f in self.server.faults if f[0] in request), None)
            if fault:
                self.server.faults.remove(fault)
        if fault:
            return self._refuse(fault[1], fault[2], "injected by the test")
        backend = http.client.HTTPConnection("127.0.0.1", self.server.backend_port, timeout=60)
        length = int(headers.get("content-length") or 0)
        backend.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
        for k, v in self.headers.items():
            backend.putheader(k, v)
        backend.endheaders()
        left = length
        while left > 0:
            got = self.rfile.read(min(CHUNK, left))
            if not got:
                break
            backend.send(got)
            left -= len(got)
        answer = backend.getresponse()
        self.send_response_only(answer.status, answer.reason)
        for k, v in answer.getheaders():
            if k.lower() not in ("connection", "transfer-encoding", "keep-alive"):
                self.send_header(k, v)
        body_length = answer.getheader("content-length")
        if body_length is None and self.command != "HEAD":
            data = answer.read()
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        else:
            self.end_headers()
            while self.command != "HEAD":
                data = answer.read(CHUNK)
                if not data:
                    break
                self.wfile.write(data)
        backend.close()

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _forward


class S3Server:
    """s3rver and its verifying proxy. `endpoint` is what clients use."""

    def __init__(self, directory=None):
        self.directory = directory or tempfile.mkdtemp(prefix="flyte-s3rver-")
        self.backend_port = free_port()
        self.port = free_port()
        self.endpoint = "http://127.0.0.1:%d" % self.port
        self.node = None
        self.proxy = None

    def start(self):
        # A free port found now can be taken by another test's server before s3rver or the proxy
        # binds it (ctest runs tests in parallel): then try again on other ports.
        for attempt in range(5):
            if attempt:
                self.backend_port, self.port = free_port(), free_port()
                self.endpoint = "http://127.0.0.1:%d" % self.port
            if self._start_once():
                return self
        raise RuntimeError("s3rver did not start (5 tries)")

    def _start_once(self):
        self.node = subprocess.Popen(
            # DES, which s3rver's continuation tokens use, is in OpenSSL 3's legacy provider.
            ["node", "--openssl-legacy-provider", S3RVER, "-d", self.directory, "-a", "127.0.0.1", "-p", str(self.backend_port),
             "-s"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # Ready when *this* node listens on the port: a connection alone could reach another
        # test's server that took the port first (this node then exits, unseen).
        deadline = time.monotonic() + 20
        while not _listens(self.node.pid, self.backend_port):
            if self.node.poll() is not None or time.monotonic() > deadline:
                self.node.kill()
                self.node.wait()
                return False
            time.sleep(0.05)
        try:
            self.proxy = Proxy(self.port, self.backend_port)
        except OSError:
            self.node.kill()
            self.node.wait()
            return False
        threading.Thread(target=self.proxy.serve_forever, daemon=True).start()
        return True

    def stop(self):
        if self.proxy:
            self.proxy.shutdown()
            self.proxy.server_close()
            self.proxy = None
        if self.node:
            self.node.terminate()
            self.node.wait(10)
            self.node = None

    def env(self, **overrides):
        """An environment for a client of this server: its endpoint and keys, nothing else."""
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": self.directory,
               "AWS_ENDPOINT_URL": self.endpoint, "AWS_REGION": REGION,
               "AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY}
        env.update(overrides)
        return {k: v for k, v in env.items() if v is not None}

    def boto3(self):
        import boto3
        from botocore.config import Config
        return boto3.client("s3", endpoint_url=self.endpoint, region_name=REGION,
                            aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY,
                            config=Config(s3={"addressing_style": "path"},
                                          retries={"max_attempts": 1}))
