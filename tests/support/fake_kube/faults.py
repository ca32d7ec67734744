"""Fault injection rules, set through POST /_fake/faults (or --fault on the command line).

A rule fires on the next `count` matching requests (-1: until cleared); `method`, `path` (a
regular expression searched in the URL path) and `watch` (true/false) narrow what it matches.
Rules are checked in the order they were added; the first that matches and has count left wins.
"""
import re
import threading

from . import errors

RULE_TYPES = ("429", "5xx", "401", "403", "quota", "drop_watch")
DEFAULT_QUOTA = {"name": "compute-resources", "requested": "limits.cpu=2", "used": "limits.cpu=7",
                 "limited": "limits.cpu=8"}


class Rule:
    def __init__(self, spec):
        self.spec = dict(spec)
        self.type = str(spec["type"])
        if self.type not in RULE_TYPES:
            raise ValueError(f"unknown fault type {self.type!r}; expected one of {', '.join(RULE_TYPES)}")
        self.count = int(spec.get("count", 1))
        self.method = spec.get("method")
        self.path = re.compile(spec["path"]) if spec.get("path") else None
        self.watch = spec.get("watch")
        self.fired = 0

    def matches(self, method, path, is_watch, is_pod_create):
        if self.count == 0:
            return False
        if self.method and self.method.upper() != method:
            return False
        if self.path and not self.path.search(path):
            return False
        if self.watch is not None and bool(self.watch) != is_watch:
            return False
        if self.type == "drop_watch" and not is_watch:
            return False
        if self.type == "quota" and not is_pod_create:
            return False
        return True

    def describe(self):
        return dict(self.spec, remaining=self.count, fired=self.fired)


class Faults:
    def __init__(self):
        self._lock = threading.Lock()
        self.rules = []

    def add(self, spec):
        rule = Rule(spec)
        with self._lock:
            self.rules.append(rule)
        return rule

    def clear(self):
        with self._lock:
            self.rules = []

    def describe(self):
        with self._lock:
            return [r.describe() for r in self.rules]

    def take(self, method, path, is_watch, is_pod_create, types):
        """Consume and return the first matching rule whose type is in types, or None."""
        with self._lock:
            for r in self.rules:
                if r.type in types and r.matches(method, path, is_watch, is_pod_create):
                    if r.count > 0:
                        r.count -= 1
                    r.fired += 1
                    return r
        return None


def error_for(rule, pod_name, user):
    """The ApiError a request-failing rule produces, with the real server's wording."""
    s = rule.spec
    if rule.type == "429":
        return errors.too_many_requests(int(s.get("retry_after", 1)))
    if rule.type == "5xx":
        return errors.server_error(int(s.get("code", 500)), s.get("message", "fake-kube injected fault"))
    if rule.type == "401":
        return errors.unauthorized()
    if rule.type == "403":
        return errors.ApiError(403, "Forbidden", s.get("message") or f'forbidden: User "{user}" cannot do this', {})
    if rule.type == "quota":
        q = dict(DEFAULT_QUOTA, **{k: v for k, v in s.items() if k in DEFAULT_QUOTA})
        msg = s.get("message") or (f"exceeded quota: {q['name']}, requested: {q['requested']}, used: {q['used']}, "
                                   f"limited: {q['limited']}")
        return errors.forbidden("pods", pod_name, msg)
    raise ValueError(rule.type)
