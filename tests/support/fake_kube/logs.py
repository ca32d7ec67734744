"""Container logs as the kubelet keeps them: timestamped lines per container, served by pods/log.

Writers (the process runner's pipe readers, scripted pods) append bytes; a line is stored with
the time its first byte arrived, which is what `timestamps=true`, `sinceTime` and `sinceSeconds`
work on. Readers following a log wait on the book's condition until new lines or the end come.
"""
import threading
import time

from .timeutil import rfc3339_nano


class ContainerLog:
    def __init__(self, cond):
        self.cond = cond
        self.lines = []  # [time, bytes]; the last one may lack its newline
        self.done = False

    def write(self, data, t=None):
        t = time.time() if t is None else t
        with self.cond:
            while data:
                if self.lines and not self.lines[-1][1].endswith(b"\n"):
                    cut = data.find(b"\n") + 1 or len(data)
                    self.lines[-1][1] += data[:cut]
                else:
                    cut = data.find(b"\n") + 1 or len(data)
                    self.lines.append([t, data[:cut]])
                data = data[cut:]
            self.cond.notify_all()

    def finish(self):
        with self.cond:
            self.done = True
            self.cond.notify_all()

    def text(self):
        with self.cond:
            return b"".join(l for _, l in self.lines)

    def tail_bytes(self, max_lines, max_bytes):
        """What FallbackToLogsOnError takes: the last max_lines lines, at most max_bytes (from the end)."""
        with self.cond:
            data = b"".join(l for _, l in self.lines[-max_lines:])
        return data[-max_bytes:]


class LogBook:
    """Logs of every container the kubelet ran, keyed by (pod uid, container name)."""

    def __init__(self):
        self.cond = threading.Condition()
        self.logs = {}

    def open(self, uid, container):
        with self.cond:
            return self.logs.setdefault((uid, container), ContainerLog(self.cond))

    def get(self, uid, container):
        with self.cond:
            return self.logs.get((uid, container))

    def forget_pod(self, uid):
        """Logs vanish with their Pod; followers see the end."""
        with self.cond:
            for key in [k for k in self.logs if k[0] == uid]:
                self.logs.pop(key).done = True
            self.cond.notify_all()


def select(log, params, following=True):
    """Initial lines for a log request: (index to continue following from, rendered bytes)."""
    with log.cond:
        end = complete_lines(log) if following else len(log.lines)
        lines = list(enumerate(log.lines[:end]))
        if params.get("sinceTime") or params.get("sinceSeconds"):
            from .timeutil import parse_rfc3339
            since = parse_rfc3339(params["sinceTime"]) if params.get("sinceTime") else \
                time.time() - float(params["sinceSeconds"])
            lines = [(i, l) for i, l in lines if l[0] >= since]
        if params.get("tailLines") not in (None, ""):
            n = int(params["tailLines"])
            lines = lines[-n:] if n > 0 else []
    return end, render([l for _, l in lines], params)


def complete_lines(log):
    """How many lines a follower may send now: a trailing partial line waits for its newline or the end."""
    n = len(log.lines)
    if n and not log.done and not log.lines[-1][1].endswith(b"\n"):
        n -= 1
    return n


def follow(log, index, deadline):
    """Block until lines past index are complete, the log ends, or deadline; returns (new index, lines, done)."""
    with log.cond:
        while complete_lines(log) <= index and not log.done and time.time() < deadline:
            log.cond.wait(min(1.0, max(deadline - time.time(), 0.01)))
        end = complete_lines(log)
        return end, [l for l in log.lines[index:end]], log.done and end >= len(log.lines)


def render(lines, params):
    ts = str(params.get("timestamps", "")).lower() in ("1", "t", "true")
    return b"".join((rfc3339_nano(t).encode() + b" " + data) if ts else data for t, data in lines)
