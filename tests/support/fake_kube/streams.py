"""Long-lived responses: watch event streams and followed logs, written as HTTP/1.1 chunks.

A watch sends newline-delimited JSON events; each event is one chunk. Dropping a connection
(a fault) closes the socket without the final zero-length chunk, as a broken proxy or a
restarting API server does; a normal end (timeoutSeconds) sends it.
"""
import json
import random
import socket
import time

from . import errors, tables
from .logs import follow as follow_log

FALSE_WORDS = ("", "0", "f", "false", "False", "FALSE")


def parse_bool(value):
    """Go's strconv.ParseBool spellings; python-kubernetes sends `True`."""
    return value is not None and value not in FALSE_WORDS


class ChunkWriter:
    def __init__(self, handler):
        self.h = handler

    def start(self, content_type="application/json"):
        self.h.send_response(200)
        self.h.send_header("Content-Type", content_type)
        self.h.send_header("Transfer-Encoding", "chunked")
        self.h.send_header("Cache-Control", "no-cache, private")
        self.h.end_headers()
        self.h.wfile.flush()

    def chunk(self, data):
        if data:
            self.h.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
            self.h.wfile.flush()

    def end(self):
        self.h.wfile.write(b"0\r\n\r\n")
        self.h.wfile.flush()

    def drop(self):
        self.h.close_connection = True
        try:
            self.h.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


class WatchStream:
    """One watch request: initial events, then history events filtered by namespace and selectors."""

    def __init__(self, app, handler, res, ns, params):
        self.app, self.h, self.res, self.ns, self.params = app, handler, res, ns, params
        self.pred = app.api.selector(res, params)
        self.as_table = tables.wants_table(handler.headers.get("Accept"))
        self.sent = 0

    def _visible(self, obj):
        if obj is None:
            return False
        if self.ns is not None and self.res.namespaced and obj["metadata"].get("namespace") != self.ns:
            return False
        return self.pred(obj)

    def _encode(self, type_, obj):
        if self.as_table and type_ in ("ADDED", "MODIFIED", "DELETED"):
            obj = tables.to_table(self.res, [obj], {"resourceVersion": obj["metadata"]["resourceVersion"]},
                                  self.params.get("includeObject", "Metadata"))
        return json.dumps({"type": type_, "object": obj}, separators=(",", ":")).encode() + b"\n"

    def _bookmark(self, rv, initial_end=False):
        meta = {"resourceVersion": str(rv)}
        if initial_end:
            meta["annotations"] = {"k8s.io/initial-events-end": "true"}
        return {"kind": self.res.kind, "apiVersion": self.res.api_version, "metadata": meta}

    def run(self):
        store, settings = self.app.store, self.app.settings
        rv = self.params.get("resourceVersion") or ""
        timeout = float(self.params.get("timeoutSeconds") or random.uniform(1800, 3600))
        deadline = time.time() + timeout
        bookmarks = parse_bool(self.params.get("allowWatchBookmarks"))
        handle = store.open_watch(self.res.store_key)
        try:
            initial = []
            with store.cond:
                if rv in ("", "0") or parse_bool(self.params.get("sendInitialEvents")):
                    ns = self.ns if self.res.namespaced else None
                    initial = [o for (ons, _), o in sorted(store.objects.get(self.res.store_key, {}).items())
                               if (ns is None or ons == ns) and self.pred(o)]
                    initial = [json.loads(json.dumps(o)) for o in initial]
                    cursor = store.rv
                else:
                    try:
                        cursor = int(rv)
                    except ValueError:
                        raise errors.bad_request(f'invalid resource version "{rv}"')
                expired = cursor < store.compacted_rv
                oldest = store.compacted_rv + 1
            if expired and settings["watch_410"] == "http":
                raise errors.too_old_rv(rv, oldest)
            drop_rule = self.app.faults.take("GET", self.h.path_only, True, False, ("drop_watch",))
            drop_after = int(drop_rule.spec.get("after_events", 0)) if drop_rule else None
            w = ChunkWriter(self.h)
            w.start()
            if expired:
                w.chunk(json.dumps({"type": "ERROR", "object": errors.too_old_rv(rv, oldest).status()}).encode()
                        + b"\n")
                w.end()
                return
            for o in initial:
                if self._send(w, "ADDED", o, drop_after):
                    return
            if parse_bool(self.params.get("sendInitialEvents")) and bookmarks:
                w.chunk(self._encode("BOOKMARK", self._bookmark(cursor, True)))
            self._loop(w, handle, cursor, deadline, bookmarks, drop_after)
        finally:
            store.close_watch(handle)

    def _send(self, w, type_, obj, drop_after):
        """Writes one event; returns True if the connection was dropped by a fault."""
        if drop_after is not None and self.sent >= drop_after:
            w.drop()
            return True
        w.chunk(self._encode(type_, obj))
        self.sent += 1
        return False

    def _loop(self, w, handle, cursor, deadline, bookmarks, drop_after):
        store, settings = self.app.store, self.app.settings
        next_bookmark = time.time() + settings["bookmark_interval"]
        while True:
            if drop_after is not None and self.sent >= drop_after:
                w.drop()
                return
            wake = min(deadline, next_bookmark) if bookmarks else deadline
            evs, expired, cursor = store.events_after(handle, cursor, wake)
            if handle.dropped:
                w.drop()
                return
            if expired:
                err = errors.too_old_rv(cursor, store.compacted_rv + 1).status()
                w.chunk(json.dumps({"type": "ERROR", "object": err}).encode() + b"\n")
                w.end()
                return
            for ev in evs:
                now_in, was_in = self._visible(ev.obj), self._visible(ev.prev)
                if ev.type == "ADDED" and now_in:
                    out = "ADDED"
                elif ev.type == "DELETED" and (was_in or now_in):
                    out = "DELETED"
                elif ev.type == "MODIFIED" and (now_in or was_in):
                    out = "MODIFIED" if now_in and was_in else ("ADDED" if now_in else "DELETED")
                else:
                    continue
                if self._send(w, out, ev.obj, drop_after):
                    return
            now = time.time()
            if now >= deadline:
                w.end()
                return
            if bookmarks and now >= next_bookmark:
                w.chunk(self._encode("BOOKMARK", self._bookmark(cursor)))
                next_bookmark = now + settings["bookmark_interval"]


def stream_log(app, handler, log, start_index, first_bytes, params, pod_uid):
    """Follow a container log until it ends, its Pod goes, or the client leaves."""
    from .logs import render
    w = ChunkWriter(handler)
    w.start("text/plain")
    limit = int(params["limitBytes"]) if params.get("limitBytes") else None
    sent = 0

    def emit(data):
        nonlocal sent
        if limit is not None:
            data = data[:max(limit - sent, 0)]
        w.chunk(data)
        sent += len(data)
        return limit is not None and sent >= limit

    if emit(first_bytes):
        w.end()
        return
    index = start_index
    while True:
        index, lines, done = follow_log(log, index, time.time() + 1.0)
        if lines and emit(render(lines, params)):
            break
        if done:
            break
        if app.logbook.get(pod_uid, params["container"]) is not log:
            break  # the Pod was deleted: its logs are gone
    w.end()

