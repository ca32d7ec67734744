"""The HTTP(S) front: authentication, fault injection, routing of API paths to Api operations.

ThreadingHTTPServer with HTTP/1.1 keep-alive; TLS handshakes happen in the request thread so a
slow client never blocks accept(). Every API request is logged for /_fake/requests.
"""
import json
import ssl
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from . import discovery, errors, faults as faultmod, logs as logmod, sidechannel, tables
from .streams import WatchStream, parse_bool, stream_log

# kube-apiserver's --max-request-body-bytes default (3 MiB): a larger body is answered 413.
MAX_REQUEST_BODY = 3 * 1024 * 1024


class BodyTooLarge(Exception):
    pass


INTERESTING_HEADERS = ("User-Agent", "Accept", "Content-Type", "Authorization")


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, addr, app, ssl_context=None):
        self.app = app
        self.ssl_context = ssl_context
        super().__init__(addr, Handler)

    def finish_request(self, request, client_address):
        if self.ssl_context is not None:
            request.settimeout(10)
            try:
                request = self.ssl_context.wrap_socket(request, server_side=True)
            except (ssl.SSLError, OSError):
                request.close()
                return
            request.settimeout(None)
        self.RequestHandlerClass(request, client_address, self)

    def handle_error(self, request, client_address):
        pass  # clients hanging up mid-stream are normal; don't spam stderr


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fake-kube"

    def log_message(self, fmt, *args):
        pass

    def do_GET(self):
        self._dispatch("GET")

    def do_POST(self):
        self._dispatch("POST")

    def do_PUT(self):
        self._dispatch("PUT")

    def do_PATCH(self):
        self._dispatch("PATCH")

    def do_DELETE(self):
        self._dispatch("DELETE")

    # ---- plumbing ------------------------------------------------------------
    def _read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        if n > MAX_REQUEST_BODY:
            while n > 0:  # read and dropped, so the client gets the answer, not a broken pipe
                chunk = self.rfile.read(min(n, 1 << 16))
                if not chunk:
                    break
                n -= len(chunk)
            raise BodyTooLarge()
        if n:
            return self.rfile.read(n)
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            out = b""
            while True:
                size = int(self.rfile.readline().strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    return out
                out += self.rfile.read(size)
                self.rfile.readline()
                if len(out) > MAX_REQUEST_BODY:
                    raise BodyTooLarge()
        return b""

    def send_response(self, code, message=None):
        self.status_sent = code
        if getattr(self, "entry", None) is not None:
            self.entry["status"] = code  # before the client can see the answer and ask /_fake/requests
        super().send_response(code, message)

    def send_json(self, code, obj, headers=None):
        data = json.dumps(obj, separators=(",", ":")).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-cache, private")
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def send_text(self, code, data, content_type="text/plain"):
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _user(self):
        app = self.server.app
        cert = self.connection.getpeercert() if isinstance(self.connection, ssl.SSLSocket) else None
        if cert:
            for rdn in cert.get("subject", ()):
                for k, v in rdn:
                    if k == "commonName":
                        return v
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Bearer "):
            return app.tokens.user_for(auth[len("Bearer "):].strip())
        return "system:anonymous" if app.anonymous else None

    def _dispatch(self, method):
        app = self.server.app
        parsed = urllib.parse.urlsplit(self.path)
        self.path_only = parsed.path
        params = {k: v[-1] for k, v in urllib.parse.parse_qs(parsed.query, keep_blank_values=True).items()}
        self.status_sent = None
        self.entry = None
        try:
            body = self._read_body()
        except BodyTooLarge:
            self.close_connection = True  # the rest of the body is not read
            err = errors.ApiError(413, "RequestEntityTooLarge",
                                  f"Request entity too large: limit is {MAX_REQUEST_BODY}")
            return self.send_json(err.code, err.status())
        except (ValueError, OSError):
            self.close_connection = True
            return
        if parsed.path.startswith("/_fake/"):
            return sidechannel.handle(self, method, parsed.path, params, body)
        entry = self.entry = app.log_request(method, parsed.path, params, {
            h: self.headers.get(h) for h in INTERESTING_HEADERS if self.headers.get(h) is not None},
            "%s:%s" % self.client_address[:2])  # which connection carried it
        try:
            self._serve(method, parsed.path, params, body, entry)
        except errors.ApiError as e:
            self.send_json(e.code, e.status(), e.headers)
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError, TimeoutError):
            self.close_connection = True
        except Exception as e:  # a bug in the fake must still answer like a server would
            import traceback
            traceback.print_exc()
            try:
                self.send_json(500, errors.server_error(500, f"fake-kube bug: {e!r}").status())
            except OSError:
                self.close_connection = True

    def _serve(self, method, path, params, body, entry):
        app = self.server.app
        user = self.user = self._user()
        entry["user"] = user
        if path in ("/healthz", "/livez", "/readyz"):
            return self.send_text(200, b"ok")
        if path == "/version" and method == "GET":  # system:public-info-viewer: open to anonymous users
            return self.send_json(200, discovery.version_doc(app.version))
        is_watch = parse_bool(params.get("watch"))
        entry["watch"] = is_watch
        if user is None:
            raise errors.unauthorized()
        is_pod_create = method == "POST" and path.endswith("/pods")
        rule = app.faults.take(method, path, is_watch, is_pod_create, ("429", "5xx", "401", "403", "quota"))
        if rule is not None:
            name = ""
            if rule.type == "quota":
                try:
                    meta = json.loads(body or b"{}").get("metadata", {})
                    name = meta.get("name") or meta.get("generateName", "")
                except ValueError:
                    pass
            raise faultmod.error_for(rule, name, user)
        if method == "GET" and self._discovery(path):
            return
        route = app.route(path)
        if route is None:
            raise errors.ApiError(404, "NotFound", "the server could not find the requested resource", {})
        res, ns, name, sub = route
        self._resource(method, res, ns, name, sub, params, body)

    def _discovery(self, path):
        app = self.server.app
        reg = app.registry
        if path == "/version":
            return self.send_json(200, discovery.version_doc(app.version)) or True
        if path == "/api":
            return self.send_json(200, discovery.api_versions(app.address)) or True
        if path == "/apis":
            return self.send_json(200, discovery.api_group_list(reg)) or True
        if path == "/openapi/v3":
            return self.send_json(200, discovery.openapi_v3_root(reg)) or True
        parts = path.strip("/").split("/")
        doc = None
        if path == "/api/v1":
            doc = discovery.resource_list(reg, "", "v1")
        elif parts[0] == "apis" and len(parts) == 2:
            doc = discovery.api_group(reg, parts[1])
        elif parts[0] == "apis" and len(parts) == 3:
            doc = discovery.resource_list(reg, parts[1], parts[2])
        elif parts[:2] == ["openapi", "v3"]:
            rest = parts[2:]
            if rest[:1] == ["api"] and len(rest) == 2:
                doc = discovery.openapi_v3_gv(reg, "", rest[1])
            elif rest[:1] == ["apis"] and len(rest) == 3:
                doc = discovery.openapi_v3_gv(reg, rest[1], rest[2])
            if doc is None:
                raise errors.ApiError(404, "NotFound", "the server could not find the requested resource", {})
        elif parts[:2] == ["openapi", "v2"]:
            raise errors.ApiError(404, "NotFound", "the server could not find the requested resource", {})
        else:
            return False
        if doc is None:
            raise errors.ApiError(404, "NotFound", "the server could not find the requested resource", {})
        self.send_json(200, doc)
        return True

    # ---- resources -----------------------------------------------------------
    def _decode(self, body):
        try:
            return json.loads(body or b"{}")
        except ValueError as e:
            raise errors.bad_request(f"the body of the request was in an unknown format - accepted media types "
                                     f"include: application/json, application/yaml ({e})")

    def _resource(self, method, res, ns, name, sub, params, body):
        app = self.server.app
        api = app.api
        dry = params.get("dryRun") == "All"
        accept = self.headers.get("Accept")
        if sub not in (None, "status", "log") or (sub and sub not in res.subresources):
            raise errors.ApiError(404, "NotFound", "the server could not find the requested resource", {})
        if res.plural == "selfsubjectreviews":  # `kubectl auth whoami`: who the server thinks we are
            if method != "POST":
                raise errors.method_not_allowed()
            return self.send_json(201, {"kind": res.kind, "apiVersion": res.api_version,
                                        "metadata": {"creationTimestamp": None}, "status": {"userInfo": {
                                            "username": self.user, "groups": ["system:authenticated"]}}})
        if res.plural == "selfsubjectaccessreviews":  # `kubectl auth can-i`: no RBAC here, so allowed
            if method != "POST":
                raise errors.method_not_allowed()
            try:
                review = json.loads(body or b"{}")
            except ValueError:
                raise errors.ApiError(400, "BadRequest", "the body is not JSON", {})
            attrs = (review.get("spec") or {}).get("resourceAttributes") or {}
            what = f"{attrs.get('verb', '')} {attrs.get('resource', '')}" + (
                f"/{attrs['subresource']}" if attrs.get("subresource") else "")
            denied = what in app.settings.get("deny", [])
            status = {"allowed": not denied}
            if denied:
                status["reason"] = "denied by the fake's deny setting"
            return self.send_json(201, {"kind": res.kind, "apiVersion": res.api_version,
                                        "metadata": {"creationTimestamp": None}, "spec": review.get("spec"),
                                        "status": status})
        if name is None:
            if method == "GET":
                if parse_bool(params.get("watch")):
                    return WatchStream(app, self, res, ns, params).run()
                out = api.list(res, ns, params)
                if tables.wants_table(accept):
                    out = tables.to_table(res, out["items"], out["metadata"], params.get("includeObject", "Metadata"))
                return self.send_json(200, out)
            if method == "POST":
                if res.namespaced and ns is None:
                    raise errors.method_not_allowed()
                obj = api.create(res, ns, self._decode(body), dry)
                return self.send_json(201, obj)
            if method == "DELETE":
                return self.send_json(200, api.delete_collection(res, ns, params, self._decode(body)))
            raise errors.method_not_allowed()
        if res.namespaced and ns is None:
            raise errors.ApiError(404, "NotFound", "the server could not find the requested resource", {})
        if sub == "log":
            if method != "GET":
                raise errors.method_not_allowed()
            return self._log(ns, name, params)
        if method == "GET":
            obj = app.store.get(res, ns, name)
            if tables.wants_table(accept):
                obj = tables.to_table(res, [obj], {"resourceVersion": obj["metadata"]["resourceVersion"]},
                                      params.get("includeObject", "Metadata"))
            return self.send_json(200, obj)
        if method == "PUT":
            return self.send_json(200, api.replace(res, ns, name, self._decode(body), sub, dry))
        if method == "PATCH":
            return self.send_json(200, api.patch(res, ns, name, self._decode(body), self.headers.get("Content-Type"),
                                                 sub, dry))
        if method == "DELETE":
            opts = self._decode(body)
            for k in ("gracePeriodSeconds", "propagationPolicy"):
                if k in params:
                    opts[k] = int(params[k]) if k == "gracePeriodSeconds" else params[k]
            return self.send_json(200, app.api.delete(res, ns, name, opts, dry))
        raise errors.method_not_allowed()

    def _log(self, ns, name, params):
        app = self.server.app
        pod = app.store.get(app.registry.get("", "v1", "pods"), ns, name)
        spec = pod.get("spec") or {}
        inits = [c["name"] for c in spec.get("initContainers") or []]
        mains = [c["name"] for c in spec.get("containers") or []]
        container = params.get("container")
        if not container:
            if len(mains) != 1:
                msg = f"a container name must be specified for pod {name}, choose one of: [{' '.join(mains)}]"
                if inits:
                    msg += f" or one of the init containers: [{' '.join(inits)}]"
                raise errors.bad_request(msg)
            container = mains[0]
        if container not in inits + mains:
            raise errors.bad_request(f"container {container} is not valid for pod {name}")
        params["container"] = container
        status = pod.get("status") or {}
        cstat = next((c for c in (status.get("initContainerStatuses") or []) + (status.get("containerStatuses") or [])
                      if c.get("name") == container), None)
        if parse_bool(params.get("previous")):
            raise errors.bad_request(f'previous terminated container "{container}" in pod "{name}" not found')
        state = (cstat or {}).get("state") or {}
        log = app.logbook.get(pod["metadata"]["uid"], container)
        if log is None and ("waiting" in state or not state):
            reason = state.get("waiting", {}).get("reason", "ContainerCreating")
            if reason in ("ErrImagePull", "ImagePullBackOff"):
                reason = "trying and failing to pull image"
            raise errors.bad_request(f'container "{container}" in pod "{name}" is waiting to start: {reason}')
        if log is None:
            log = logmod.ContainerLog(app.logbook.cond)
            log.done = True
        following = parse_bool(params.get("follow"))
        index, first = logmod.select(log, params, following)
        if following:
            return stream_log(app, self, log, index, first, params, pod["metadata"]["uid"])
        if params.get("limitBytes"):
            first = first[:int(params["limitBytes"])]
        self.send_text(200, first)

