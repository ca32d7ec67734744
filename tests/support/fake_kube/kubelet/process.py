"""Process mode: a Pod's containers run as local processes, each in its own mount namespace.

`unshare -m --propagation private` gives every container private bind mounts, so its volumes
(emptyDir, configMap, secret, downwardAPI, hostPath) and its termination-log file appear at their
real mountPath while the host sees only empty mount points. The host's filesystem stands in for
the image. stdout/stderr are read through pipes into the log book; the exit code and the
termination message file become `state.terminated`. Each container is its own process group:
deletion sends SIGTERM to the group, then SIGKILL after the grace period.
"""
import os
import shlex
import shutil
import signal
import subprocess
import threading
import time

from .env import ConfigError, MountError, expand, materialize_volumes, resolve_env
from .podctx import PodGone
from .scripts import DEADLINE_MSG, cut_message, prepare, pull_events, start_events

BASE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
FALLBACK_LINES, FALLBACK_BYTES = 80, 2048


class ProcessPod(threading.Thread):
    def __init__(self, k, ctx, script, targets):
        super().__init__(name=f"pod-{ctx.ns}-{ctx.name}", daemon=True)
        self.k, self.ctx, self.script, self.targets = k, ctx, script, targets
        self.procs = {}  # container -> Popen
        self.lock = threading.Lock()

    def run(self):
        try:
            self._run()
        except PodGone:
            pass
        finally:
            self._kill_all(signal.SIGKILL)

    def _drive(self, gen):
        """Run a prepare/script generator synchronously; returns its result or "stop" on deletion."""
        try:
            delay = next(gen)
            while True:
                if self.ctx.stop.wait(delay):
                    return "stop"
                delay = gen.send(None)
        except StopIteration as e:
            return e.value

    def _run(self):
        ctx, k = self.ctx, self.k
        if self._drive(prepare(ctx, k, self.script, self.targets)) != "go":
            self.ctx.stop.wait()
            self._after_stop()
            return
        pod = ctx.current()
        root = k.scratch_dir(ctx)
        volumes = materialize_volumes(k, pod, root)
        for n in ctx.inits:
            code = self._run_container(pod, n, volumes, root)
            if code != 0 or ctx.stop.is_set():
                break
        else:
            threads = [threading.Thread(target=self._run_container, args=(pod, n, volumes, root), daemon=True)
                       for n in ctx.mains]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        self._after_stop()

    def _after_stop(self):
        ctx = self.ctx
        if ctx.deadline_exceeded and not ctx.gone:
            ctx.fail_pod("DeadlineExceeded", DEADLINE_MSG)
        if ctx.deleting and not ctx.gone:
            self.k.finalize_deletion(ctx)

    def _mount_script(self, c, volumes, term_file):
        """Shell run inside the new mount namespace: bind volumes (outermost first), then exec."""
        lines, done = ["set -e"], []
        mounts = sorted(c.get("volumeMounts") or [], key=lambda m: m["mountPath"].rstrip("/").count("/"))
        term_path = c.get("terminationMessagePath") or "/dev/termination-log"
        binds = [(os.path.join(volumes[m["name"]], m.get("subPath", "")) if m.get("subPath") else volumes[m["name"]],
                  m["mountPath"], m.get("readOnly")) for m in mounts] + [(term_file, term_path, False)]
        for src, dst, ro in binds:
            is_file = os.path.isfile(src)
            if any(dst == d or dst.startswith(d.rstrip("/") + "/") for d in done):
                # inside an earlier mount: create the mount point there, not on the host
                lines.append(f"{'touch' if is_file else 'mkdir -p'} {shlex.quote(dst)}")
            else:
                self.k.ensure_mountpoint(dst, is_file)
            lines.append(f"mount --bind {shlex.quote(src)} {shlex.quote(dst)}")
            if ro:
                lines.append(f"mount -o remount,bind,ro {shlex.quote(dst)}")
            done.append(dst)
        lines.append(f"cd {shlex.quote(c.get('workingDir') or '/')}")
        lines.append('exec "$@"')
        return "\n".join(lines)

    def _run_container(self, pod, name, volumes, root):
        """Runs one container to completion; returns its exit code."""
        ctx, k = self.ctx, self.k
        c = ctx.containers[name]
        try:
            env = resolve_env(k, pod, c)
        except ConfigError as e:  # appeared/disappeared since prepare: report as the kubelet would
            ctx.waiting(name, "CreateContainerConfigError", str(e))
            return 1
        full_env = {"PATH": BASE_PATH, "HOSTNAME": ctx.name, "HOME": "/root"}
        full_env.update(k.cluster_env())
        full_env.update(env)
        argv = [expand(a, full_env) for a in (c.get("command") or []) + (c.get("args") or [])]
        pull_events(ctx, name)
        if not argv or not _resolvable(_host_path(argv[0], c, volumes), full_env["PATH"]):
            what = argv[0] if argv else "no command specified"
            msg = (f"failed to create containerd task: failed to create shim task: OCI runtime create failed: runc "
                   f"create failed: unable to start container process: exec: \"{what}\": executable file not found "
                   f"in $PATH: unknown")
            ctx.event("Failed", f"Error: {msg}", "Warning", container=name)
            ctx.terminated(name, 128, "StartError", msg)
            return 128
        cdir = os.path.join(root, f".{name}")
        os.makedirs(cdir, exist_ok=True)
        term_file = os.path.join(cdir, "termination-log")
        open(term_file, "wb").close()
        os.chmod(term_file, 0o666)
        log = k.app.logbook.open(ctx.uid, name)
        log.tee = os.path.join(cdir, "log")
        cmd = ["unshare", "-m", "--propagation", "private", "--", "/bin/sh", "-c",
               self._mount_script(c, volumes, term_file), "fake-kube-container"] + argv
        if not k.can_unshare:
            cmd = ["/bin/sh", "-c", f"cd {shlex.quote(c.get('workingDir') or '/')} && exec \"$@\"",
                   "fake-kube-container"] + argv
        with self.lock:
            if ctx.stop.is_set():
                return 137
            proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    env=full_env, start_new_session=True)
            self.procs[name] = proc
        readers = [threading.Thread(target=_pump, args=(s, log), daemon=True) for s in (proc.stdout, proc.stderr)]
        for r in readers:
            r.start()
        start_events(ctx, name)
        try:
            ctx.running(name)
        except PodGone:
            pass
        code = self._wait(proc)
        _killpg(proc, signal.SIGKILL)  # stray children die with the container
        for r in readers:
            r.join(timeout=5)
        log.finish()
        with open(term_file, "rb") as f:
            data = f.read()
        message = cut_message(data, len(ctx.mains)) if data else None
        if code != 0 and not data and c.get("terminationMessagePolicy") == "FallbackToLogsOnError":
            message = log.tail_bytes(FALLBACK_LINES, FALLBACK_BYTES).decode(errors="replace") or None
        try:
            ctx.terminated(name, code, None, message)
        except PodGone:
            pass
        return code

    def _wait(self, proc):
        """Wait for exit; on deletion SIGTERM the group, SIGKILL after the grace period."""
        while True:
            try:
                rc = proc.wait(timeout=0.05)
                return rc if rc >= 0 else 128 - rc
            except subprocess.TimeoutExpired:
                pass
            if self.ctx.stop.is_set():
                grace = self.k.grace_of(self.ctx)
                _killpg(proc, signal.SIGTERM)
                try:
                    rc = proc.wait(timeout=grace)
                except subprocess.TimeoutExpired:
                    _killpg(proc, signal.SIGKILL)
                    rc = proc.wait()
                return rc if rc >= 0 else 128 - rc

    def _kill_all(self, sig):
        with self.lock:
            for p in self.procs.values():
                _killpg(p, sig)

    def pids(self):
        with self.lock:
            return {n: p.pid for n, p in self.procs.items() if p.poll() is None}


def _killpg(proc, sig):
    try:
        os.killpg(proc.pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def _host_path(cmd, c, volumes):
    """Where a command given by path inside the container is on the host: a runtime resolves it in the
    container's filesystem, where the volumes are mounted (the deepest mount containing it wins)."""
    if "/" not in cmd:
        return cmd
    best = None
    for m in c.get("volumeMounts") or []:
        mp = m["mountPath"].rstrip("/")
        if (cmd == mp or cmd.startswith(mp + "/")) and m["name"] in volumes and not m.get("subPath"):
            if best is None or len(mp) > len(best[0]):
                best = (mp, volumes[m["name"]])
    return best[1] + cmd[len(best[0]):] if best else cmd


def _resolvable(cmd, path):
    if "/" in cmd:
        return os.access(cmd, os.X_OK)
    return shutil.which(cmd, path=path) is not None


def _pump(stream, log):
    fd = stream.fileno()
    tee = open(log.tee, "ab") if getattr(log, "tee", None) else None
    try:
        while True:
            data = os.read(fd, 65536)
            if not data:
                return
            log.write(data, time.time())
            if tee:
                tee.write(data)
                tee.flush()
    finally:
        stream.close()
        if tee:
            tee.close()


__all__ = ["ProcessPod", "MountError"]
