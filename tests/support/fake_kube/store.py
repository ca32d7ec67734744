"""In-memory object store with one global resourceVersion and a bounded event history for watches.

Every write takes the store lock, bumps the resourceVersion, appends (rv, kind, type, object) to
the history and wakes the watchers. The history is bounded (`window`): a watch or a `continue`
token older than the oldest retained event is answered with 410 Expired, as etcd compaction does.
"""
import base64
import collections
import copy
import json
import threading
import time
import uuid

from . import errors
from .timeutil import now_rfc3339

TERMINAL_PHASES = ("Succeeded", "Failed")


class Event:
    __slots__ = ("rv", "key", "type", "obj", "prev")

    def __init__(self, rv, key, type_, obj, prev):
        self.rv, self.key, self.type, self.obj, self.prev = rv, key, type_, obj, prev


class WatchHandle:
    """One open watch stream; faults flag it to be dropped or expired."""

    def __init__(self, key):
        self.key = key
        self.dropped = False
        self.expired = False
        self.closed = False


class Store:
    def __init__(self, window=1000):
        self.cond = threading.Condition()
        self.rv = 1
        self.window = window
        self.history = collections.deque()
        self.compacted_rv = 0  # events with rv <= this are gone
        self.objects = {}  # store_key -> {(ns, name): obj}
        self.watches = set()
        self.listeners = []  # called with Event under the lock; must only enqueue

    # ---- helpers -------------------------------------------------------------
    def _bucket(self, key):
        return self.objects.setdefault(key, {})

    def _record(self, key, type_, obj, prev):
        ev = Event(self.rv, key, type_, obj, prev)
        self.history.append(ev)
        while len(self.history) > self.window:
            self.compacted_rv = self.history.popleft().rv
        for fn in self.listeners:
            fn(ev)
        self.cond.notify_all()

    def _next_rv(self):
        self.rv += 1
        return str(self.rv)

    # ---- reads ---------------------------------------------------------------
    def get(self, res, ns, name):
        with self.cond:
            obj = self._bucket(res.store_key).get((ns or "", name))
            if obj is None:
                raise errors.not_found(res.plural, name, res.group)
            return copy.deepcopy(obj)

    def peek(self, key, ns, name):
        """Internal read without copying or raising (None if absent). Caller must not mutate."""
        with self.cond:
            return self.objects.get(key, {}).get((ns or "", name))

    def list(self, res, ns, pred, limit=0, cont=None):
        """Returns (items, list_rv, next_continue, remaining)."""
        with self.cond:
            start_after, list_rv = None, str(self.rv)
            if cont:
                try:
                    tok = json.loads(base64.urlsafe_b64decode(cont.encode() + b"=="))
                    start_after, list_rv = tuple(tok["start"]), tok["rv"]
                except (ValueError, KeyError, TypeError):
                    raise errors.bad_request("continue key is not valid: incorrect encoded start resourceVersion "
                                             "(version meta.k8s.io/v1)")
                if int(list_rv) < self.compacted_rv:
                    raise errors.expired(
                        "The provided continue parameter is too old to display a consistent list result. You can "
                        "start a new list without the continue parameter, or use the continue token in this response "
                        "to retrieve the remainder of the results. Continuing with the provided token results in an "
                        "inconsistent list - objects that were created, modified, or deleted between the time the "
                        "first chunk was returned and now may show up in the list.")
            keys = sorted(k for k in self._bucket(res.store_key) if ns is None or k[0] == ns)
            if start_after is not None:
                keys = [k for k in keys if k > start_after]
            items, last_key = [], None
            for k in keys:
                obj = self.objects[res.store_key][k]
                if not pred(obj):
                    continue
                if limit and len(items) == limit:
                    remaining = sum(1 for k2 in keys if k2 > last_key and pred(self.objects[res.store_key][k2]))
                    tok = json.dumps({"rv": list_rv, "start": list(last_key)}).encode()
                    return items, list_rv, base64.urlsafe_b64encode(tok).decode().rstrip("="), remaining
                items.append(copy.deepcopy(obj))
                last_key = k
            return items, list_rv, "", 0

    def all_of(self, key):
        with self.cond:
            return [copy.deepcopy(o) for o in self.objects.get(key, {}).values()]

    # ---- writes --------------------------------------------------------------
    def create(self, res, ns, obj, dry_run=False):
        with self.cond:
            meta = obj.setdefault("metadata", {})
            if res.namespaced:
                meta["namespace"] = ns
                if ("", ns) not in self._bucket(("", "namespaces")):
                    raise errors.not_found("namespaces", ns)
            else:
                meta.pop("namespace", None)
            if not meta.get("name") and meta.get("generateName"):
                meta["name"] = meta["generateName"] + uuid.uuid4().hex[:5]
            k = (ns if res.namespaced else "", meta["name"])
            bucket = self._bucket(res.store_key)
            if k in bucket:
                raise errors.already_exists(res.plural, meta["name"], res.group)
            meta["uid"] = str(uuid.uuid4())
            meta["creationTimestamp"] = now_rfc3339()
            meta.pop("deletionTimestamp", None)
            if res.group:
                meta["generation"] = 1
            if dry_run:
                meta["resourceVersion"] = ""
                return copy.deepcopy(obj)
            meta["resourceVersion"] = self._next_rv()
            bucket[k] = obj
            self._record(res.store_key, "ADDED", obj, None)
            return copy.deepcopy(obj)

    def update(self, res, ns, name, mutate, expected_rv=None, dry_run=False):
        """mutate(copy) -> new object. Bumps the RV (and generation on a spec change)."""
        with self.cond:
            k = (ns or "", name)
            bucket = self._bucket(res.store_key)
            old = bucket.get(k)
            if old is None:
                raise errors.not_found(res.plural, name, res.group)
            if expected_rv and expected_rv != old["metadata"]["resourceVersion"]:
                raise errors.conflict(res.plural, name, "the object has been modified; please apply your changes "
                                      "to the latest version and try again", res.group)
            new = mutate(copy.deepcopy(old))
            meta = new.setdefault("metadata", {})
            for f in ("uid", "creationTimestamp", "namespace", "name", "deletionTimestamp",
                      "deletionGracePeriodSeconds"):
                if f in old["metadata"]:
                    meta[f] = old["metadata"][f]
                else:
                    meta.pop(f, None)
            if "generation" in old["metadata"]:
                meta["generation"] = old["metadata"]["generation"] + (old.get("spec") != new.get("spec"))
            if new == old:
                return copy.deepcopy(old)  # no-op writes keep the RV, as the real server does
            if dry_run:
                return copy.deepcopy(new)
            meta["resourceVersion"] = self._next_rv()
            bucket[k] = new
            self._record(res.store_key, "MODIFIED", new, old)
            if meta.get("deletionTimestamp") and not meta.get("finalizers") and old["metadata"].get("finalizers"):
                self._remove(res, k)
            return copy.deepcopy(new)

    def mark_deleting(self, res, ns, name, grace):
        """Graceful deletion: stamp deletionTimestamp; the object stays until its kubelet/finalizers let go."""
        def mutate(o):
            meta = o["metadata"]
            if not meta.get("deletionTimestamp") or grace < meta.get("deletionGracePeriodSeconds", grace + 1):
                meta["deletionTimestamp"] = now_rfc3339(time.time() + grace)
                meta["deletionGracePeriodSeconds"] = grace
            return o
        with self.cond:
            k = (ns or "", name)
            old = self._bucket(res.store_key)[k]
            new = mutate(copy.deepcopy(old))
            if new == old:
                return copy.deepcopy(old)
            new["metadata"]["resourceVersion"] = self._next_rv()
            self._bucket(res.store_key)[k] = new
            self._record(res.store_key, "MODIFIED", new, old)
            return copy.deepcopy(new)

    def remove(self, res, ns, name):
        with self.cond:
            return self._remove(res, (ns or "", name))

    def _remove(self, res, k):
        bucket = self._bucket(res.store_key)
        old = bucket.pop(k, None)
        if old is None:
            raise errors.not_found(res.plural, k[1], res.group)
        gone = copy.deepcopy(old)
        gone["metadata"]["resourceVersion"] = self._next_rv()
        self._record(res.store_key, "DELETED", gone, old)
        return copy.deepcopy(gone)

    # ---- watch support -------------------------------------------------------
    def open_watch(self, key):
        with self.cond:
            h = WatchHandle(key)
            self.watches.add(h)
            return h

    def close_watch(self, h):
        with self.cond:
            h.closed = True
            self.watches.discard(h)

    def events_after(self, h, cursor, deadline):
        """Block until events newer than cursor exist for h.key, h is flagged, or deadline passes.

        Returns (events, expired, cursor): the new cursor covers every event seen, matching or not,
        so a bookmark may carry it.
        """
        with self.cond:
            while True:
                if h.dropped or h.expired:
                    return [], h.expired, cursor
                if cursor < self.compacted_rv:
                    return [], True, cursor
                if self.rv > cursor:
                    evs = [e for e in self.history if e.rv > cursor and e.key == h.key]
                    cursor = self.rv
                    if evs:
                        return evs, False, cursor
                left = deadline - time.time()
                if left <= 0:
                    return [], False, cursor
                self.cond.wait(min(left, 1.0))

    def current_rv(self):
        with self.cond:
            return self.rv

    def expire_all(self):
        """Forget the whole history (a compaction) and tell open watches they are too old."""
        with self.cond:
            self.history.clear()
            self.rv += 1  # as if writes elsewhere moved etcd on: every RV handed out so far is now too old
            self.compacted_rv = self.rv
            for h in self.watches:
                h.expired = True
            self.cond.notify_all()

    def drop_watches(self):
        with self.cond:
            n = len(self.watches)
            for h in self.watches:
                h.dropped = True
            self.cond.notify_all()
            return n

    def set_window(self, n):
        with self.cond:
            self.window = max(1, int(n))
            while len(self.history) > self.window:
                self.compacted_rv = self.history.popleft().rv
