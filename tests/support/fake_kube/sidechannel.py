"""The test-only endpoints under /_fake/ (no authentication): faults, request log, state, settings.

  POST   /_fake/faults    {"type": "429", "count": 2, "retry_after": 1, ...} or a list of them, or an action:
                          {"type": "drop_open_watches"} | {"type": "expire"} |
                          {"type": "settings", "watch_410": "http"|"stream", "history_window": N,
                           "bookmark_interval": S, "image_rules": [{"pattern": RE, "script": S}]}
  GET    /_fake/faults    active rules with remaining counts
  DELETE /_fake/faults    clear every rule
  GET    /_fake/requests  [?since=SEQ]  the API requests received; DELETE clears it
  GET    /_fake/state     object summary, open watches, kubelet-run processes
  POST   /_fake/revoke    {"token": T} makes a bearer token fail with 401 from now on
"""
import json

ACTIONS = ("drop_open_watches", "expire", "settings")


def apply(app, spec):
    """One fault spec; returns a JSON-able description of what happened."""
    t = spec.get("type")
    if t == "drop_open_watches":
        return {"dropped": app.store.drop_watches()}
    if t == "expire":
        app.store.expire_all()
        return {"compactedResourceVersion": app.store.compacted_rv}
    if t == "settings":
        if "watch_410" in spec:
            if spec["watch_410"] not in ("http", "stream"):
                raise ValueError("watch_410 must be http or stream")
            app.settings["watch_410"] = spec["watch_410"]
        if "bookmark_interval" in spec:
            app.settings["bookmark_interval"] = float(spec["bookmark_interval"])
        if "history_window" in spec:
            app.store.set_window(int(spec["history_window"]))
        if "deny" in spec:  # SelfSubjectAccessReviews of these "VERB RESOURCE[/SUB]" answer not allowed
            app.settings["deny"] = [str(d) for d in spec["deny"]]
        if "image_rules" in spec and app.kubelet:
            app.kubelet.set_image_rules(spec["image_rules"])
        return {"settings": dict(app.settings, history_window=app.store.window)}
    return {"rule": app.faults.add(spec).describe()}


def handle(h, method, path, params, body):
    app = h.server.app
    try:
        payload = json.loads(body) if body else None
        if path == "/_fake/faults":
            if method == "POST":
                specs = payload if isinstance(payload, list) else [payload]
                return h.send_json(200, {"applied": [apply(app, s) for s in specs]})
            if method == "DELETE":
                app.faults.clear()
                return h.send_json(200, {"rules": []})
            return h.send_json(200, {"rules": app.faults.describe()})
        if path == "/_fake/requests":
            if method == "DELETE":
                app.clear_requests()
                return h.send_json(200, {"requests": []})
            return h.send_json(200, {"requests": app.request_log(int(params.get("since") or 0))})
        if path == "/_fake/state":
            return h.send_json(200, app.state())
        if path == "/_fake/revoke" and method == "POST":
            app.tokens.revoke(payload["token"])
            return h.send_json(200, {"revoked": payload["token"]})
    except (ValueError, KeyError, TypeError) as e:
        return h.send_json(400, {"error": str(e)})
    h.send_json(404, {"error": f"no side-channel endpoint {method} {path}"})
