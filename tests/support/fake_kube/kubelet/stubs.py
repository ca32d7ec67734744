"""Mount points the fake creates on the host, shared by every fake on the machine.

A container's volume needs an existing mount point, and the fake's containers share the host's
file system, so the fake creates missing ones (`/etc/tls/cert`, `/dev/termination-log`) and
removes them when it stops. Parallel tests run several fakes at once: removing a mount point
that another fake's container has bound detaches that container's volume (Linux lazily unmounts
it in every namespace). So each stub is owned by a host-wide list of fakes, kept under an flock,
and removed only by the last owner still alive.
"""
import fcntl
import json
import os

REGISTRY = "/tmp/fake-kube-mountpoints.json"
LOCK = REGISTRY + ".lock"


def _alive(owner):
    pid = int(owner.split(":", 1)[0])
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True


class _Locked:
    """The registry, read under an exclusive lock and written back on exit."""

    def __enter__(self):
        self.fd = os.open(LOCK, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(self.fd, fcntl.LOCK_EX)
        try:
            with open(REGISTRY) as f:
                self.paths = json.load(f)
        except (OSError, ValueError):
            self.paths = {}
        return self

    def __exit__(self, *exc):
        try:
            tmp = f"{REGISTRY}.{os.getpid()}"
            with open(tmp, "w") as f:
                json.dump(self.paths, f)
            os.replace(tmp, REGISTRY)
        finally:
            os.close(self.fd)


class Stubs:
    """The mount points one fake uses that some fake created."""

    def __init__(self):
        self.owner = f"{os.getpid()}:{id(self)}"

    def ensure(self, path, is_file):
        """Makes `path` exist (a file if `is_file`), owning every stub on its way."""
        with _Locked() as reg:
            cur = path
            missing = []
            while True:
                if cur in reg.paths:
                    owners = reg.paths[cur]
                    if self.owner not in owners:
                        owners.append(self.owner)
                elif not os.path.lexists(cur):
                    missing.append(cur)
                parent = os.path.dirname(cur)
                if parent == cur:
                    break
                cur = parent
            for p in reversed(missing):
                if p == path and is_file:
                    open(p, "a").close()
                else:
                    os.mkdir(p)
                reg.paths[p] = [self.owner]

    def release(self):
        """Gives up this fake's stubs; removes those no live fake owns, deepest first."""
        with _Locked() as reg:
            for p in sorted(reg.paths, key=lambda p: p.count("/"), reverse=True):
                owners = [o for o in reg.paths[p] if o != self.owner and _alive(o)]
                if owners:
                    reg.paths[p] = owners
                    continue
                del reg.paths[p]
                try:
                    if os.path.isdir(p) and not os.path.islink(p):
                        os.rmdir(p)
                    elif os.path.getsize(p) == 0:
                        os.unlink(p)
                except OSError:
                    pass
