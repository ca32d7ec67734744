"""A real `flyte serve` on a free port with a temporary home, and the API calls the console
tests make to set up what the page should show."""
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
import urllib.request


class Server:
    def __init__(self, flyte):
        self.home = tempfile.mkdtemp(prefix="flyte-console-")
        env = dict(os.environ, FLYTE_HOME=self.home)
        self.proc = subprocess.Popen([flyte, "serve", "--listen", "127.0.0.1:0", "--home", self.home],
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
        line = self.proc.stdout.readline()
        m = re.search(r"http://127\.0\.0\.1:(\d+)", line)
        if not m:
            self.close()
            raise RuntimeError("flyte serve did not say where it listens: " + line)
        self.url = "http://127.0.0.1:" + m.group(1)

    def call(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.url + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"} if data else {})
        with urllib.request.urlopen(req, timeout=30) as r:
            text = r.read().decode()
            return json.loads(text) if text else None

    def register(self, path, content):
        return self.call("POST", "/api/v1/register", {"path": path, "content": content})

    def launch(self, **body):
        body.setdefault("project", "flytesnacks")
        body.setdefault("domain", "development")
        return self.call("POST", "/api/v1/executions", body)["id"]["name"]

    def execution(self, name, project="flytesnacks", domain="development"):
        return self.call("GET", f"/api/v1/executions/{project}/{domain}/{name}")

    def wait_for(self, name, phase, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            got = self.execution(name)["closure"]["phase"]
            if got == phase:
                return
            time.sleep(0.1)
        raise AssertionError(f"{name} is {got}, not {phase}, after {timeout}s")

    def close(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        shutil.rmtree(self.home, ignore_errors=True)
