"""Scripted Pods: deterministic status sequences chosen by an annotation or an image rule.

Each script is a generator that changes the Pod's status and yields how long to wait before its
next step; the kubelet runs all of them from one timer heap, so a thousand Pods cost no threads.
`prepare` (schedule, create, image and config checks) is shared with the process runner.

  fake.flyte.org/script: succeed | succeed-after:S | exit:N | oom | evicted | shutdown | node-lost |
                         delete | hang | unschedulable | pending | pull-backoff | invalid-image
  fake.flyte.org/logs: text written to each main container's log while it runs
  fake.flyte.org/termination-message: the file contents a main container leaves (cut like a kubelet)
  fake.flyte.org/run-seconds: how long containers run (default: one step)
  fake.flyte.org/message: message for unschedulable / evicted
  fake.flyte.org/finish: set later (e.g. `kubectl annotate pod P fake.flyte.org/finish=exit:2`) on a
                         `hang` Pod: it then ends with that outcome (succeed, exit:N, oom, evicted, ...)
"""
import re

from .env import ConfigError, MountError, resolve_env, materialize_volumes
from .podctx import normalize_image, _set_cond

SCRIPT = "fake.flyte.org/script"
LOGS = "fake.flyte.org/logs"
TERM_MSG = "fake.flyte.org/termination-message"
RUN_SECONDS = "fake.flyte.org/run-seconds"
MESSAGE = "fake.flyte.org/message"
FINISH = "fake.flyte.org/finish"
SCRIPTS = ("succeed", "succeed-after", "exit", "init-fail", "oom", "evicted", "shutdown", "node-lost", "delete", "hang",
           "unschedulable", "pending", "pull-backoff", "invalid-image")
BUILTIN_IMAGE_RULES = [(r"fake-missing", "pull-backoff"), (r"fake-invalid", "invalid-image"), (r"fake-oom", "oom")]
UNSCHEDULABLE_MSG = ("0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: "
                     "1 No preemption victims found for incoming pod.")
EVICTED_MSG = ("The node was low on resource: memory. Threshold quantity: 100Mi, available: 12Mi. Container {c} was "
               "using 2Gi, request is 0, has larger consumption of memory. ")
SHUTDOWN_MSG = "Pod was terminated in response to imminent node shutdown."
DEADLINE_MSG = "Pod was active on the node longer than the specified deadline"
MAX_TERMINATION_MESSAGE = 4096
MAX_POD_TERMINATION_MESSAGES = 12 * 1024


def parse(text):
    name, _, arg = text.strip().partition(":")
    if name not in SCRIPTS:
        raise ValueError(f"unknown script {text!r}")
    return name, arg


def _bad_image(image):
    repo = image.split("@")[0]
    last = repo.rsplit("/", 1)[-1]
    repo = repo[:len(repo) - len(last)] + last.split(":")[0]
    return not image or repo != repo.lower() or " " in image


def choose(pod, rules, default):
    """(script, arg, containers it targets or None for all)."""
    ann = (pod["metadata"].get("annotations") or {}).get(SCRIPT)
    if ann:
        name, arg = parse(ann)
        return name, arg, None
    for c in (pod["spec"].get("initContainers") or []) + (pod["spec"].get("containers") or []):
        image = c.get("image", "")
        if _bad_image(image):
            return "invalid-image", "", [c["name"]]
        for pattern, script in list(rules) + BUILTIN_IMAGE_RULES:
            if re.search(pattern, image):
                name, arg = parse(script)
                return name, arg, [c["name"]]
    return default, "", None


def cut_message(data, n_containers=1):
    """The kubelet keeps the last 4096 bytes of the termination message file (tail.ReadAtMost), and
    at most 12 KiB for a Pod, shared equally between its containers."""
    limit = min(MAX_TERMINATION_MESSAGE, MAX_POD_TERMINATION_MESSAGES // max(n_containers, 1))
    return data[-limit:].decode(errors="replace")


def pull_events(ctx, name):
    c = ctx.containers[name]
    image = c.get("image", "")
    if c.get("imagePullPolicy") == "Always":
        ctx.event("Pulling", f'Pulling image "{image}"', container=name)
        ctx.event("Pulled", f'Successfully pulled image "{image}" in 12ms (12ms including waiting). '
                            f"Image size: 4269690 bytes.", container=name)
    else:
        ctx.event("Pulled", f'Container image "{image}" already present on machine', container=name)


def start_events(ctx, name):
    ctx.event("Created", f"Created container {name}", container=name)
    ctx.event("Started", f"Started container {name}", container=name)


def prepare(ctx, k, script, targets):
    """Schedule, create the sandbox, then image and config checks. Returns "go" or "stop"."""
    step = k.step
    if script == "pending":
        return "stop"
    if script == "unschedulable":
        ctx.unschedulable(ctx.annotations.get(MESSAGE, UNSCHEDULABLE_MSG))
        return "stop"
    if not ctx.spec.get("nodeName"):
        ctx.bind()
        yield step
    ctx.creating()
    yield step
    names = targets or ctx.inits + ctx.mains
    if script == "pull-backoff":
        yield from _pull_backoff(ctx, names, step)
        return "stop"
    if script == "invalid-image":
        for n in names:
            image = ctx.containers[n].get("image", "")
            msg = (f'Failed to apply default image tag "{image}": couldn\'t parse image name "{image}": invalid '
                   f"reference format: repository name must be lowercase")
            ctx.waiting(n, "InvalidImageName", msg)
            ctx.event("InspectFailed", msg, "Warning", container=n)
            ctx.event("Failed", "Error: InvalidImageName", "Warning", container=n)
        return "stop"
    while True:
        pod = ctx.current()
        problems = {}
        try:
            materialize_volumes(k, pod, k.scratch_dir(ctx))
        except MountError as e:
            problems[None] = str(e)
        for n in ctx.inits + ctx.mains:
            try:
                resolve_env(k, pod, ctx.containers[n])
            except ConfigError as e:
                problems[n] = str(e)
        if not problems:
            return "go"
        for n, msg in problems.items():
            if n is None:
                ctx.event("FailedMount", msg, "Warning")
            else:
                ctx.waiting(n, "CreateContainerConfigError", msg)
                ctx.event("Failed", f"Error: {msg}", "Warning", container=n)
        yield step * 5


def _pull_backoff(ctx, names, step):
    """ErrImagePull and ImagePullBackOff alternate (with growing back-off) until the Pod is deleted."""
    delay = step
    while True:
        for n in names:
            image = ctx.containers[n].get("image", "")
            full = normalize_image(image)
            msg = (f'rpc error: code = NotFound desc = failed to pull and unpack image "{full}": failed to resolve '
                   f'reference "{full}": {full}: not found')
            ctx.event("Pulling", f'Pulling image "{image}"', container=n)
            ctx.waiting(n, "ErrImagePull", msg)
            ctx.event("Failed", f'Failed to pull image "{image}": {msg}', "Warning", container=n)
            ctx.event("Failed", "Error: ErrImagePull", "Warning", container=n)
        yield delay
        for n in names:
            image = ctx.containers[n].get("image", "")
            ctx.waiting(n, "ImagePullBackOff", f'Back-off pulling image "{image}"')
            ctx.event("BackOff", f'Back-off pulling image "{image}"', "Normal", container=n)
            ctx.event("Failed", "Error: ImagePullBackOff", "Warning", container=n)
        delay = min(delay * 2, step * 50)
        yield delay


def scripted(ctx, k, script, arg, targets):
    """The whole life of a scripted Pod."""
    if (yield from prepare(ctx, k, script, targets)) == "stop":
        return
    step = k.step
    for n in ctx.inits:
        pull_events(ctx, n)
        start_events(ctx, n)
        ctx.running(n)
        yield step
        if script == "init-fail":
            ctx.terminated(n, int(arg or 1))
            return
        ctx.terminated(n, 0)
    for n in ctx.mains:
        pull_events(ctx, n)
        start_events(ctx, n)
        ctx.running(n)
        if LOGS in ctx.annotations:
            k.app.logbook.open(ctx.uid, n).write(ctx.annotations[LOGS].encode())
    if script == "hang":
        ctx.hanging = True  # until deleted, or a FINISH annotation picks the outcome
        return
    run_for = float(ctx.annotations.get(RUN_SECONDS) or (arg if script == "succeed-after" and arg else step))
    yield run_for
    yield from _outcome(ctx, k, script, arg)


def _outcome(ctx, k, script, arg):
    message = ctx.annotations.get(TERM_MSG)
    msg = cut_message(message.encode(), len(ctx.mains)) if message else None
    primary = ctx.mains[0]
    if script in ("succeed", "succeed-after"):
        for n in ctx.mains:
            ctx.terminated(n, 0, message=msg)
    elif script in ("exit", "init-fail"):
        code = int(arg or 1)
        for n in ctx.mains:
            ctx.terminated(n, code if n == primary else 0, message=msg)
    elif script == "oom":
        for n in ctx.mains:
            ctx.terminated(n, 137, "OOMKilled", message=msg) if n == primary else ctx.terminated(n, 0)
    elif script == "evicted":
        text = ctx.annotations.get(MESSAGE, EVICTED_MSG.format(c=primary))
        ctx.event("Evicted", text, "Warning")
        for n in ctx.mains:
            ctx.event("Killing", f"Stopping container {n}", container=n)
        ctx.fail_pod("Evicted", text, "TerminationByKubelet")
    elif script == "shutdown":
        ctx.fail_pod("Terminated", SHUTDOWN_MSG, "TerminationByKubelet")
    elif script == "node-lost":
        k.node_lost.add(ctx.uid)

        def fn(p):
            _set_cond(p["status"], "Ready", "False")
            _set_cond(p["status"], "DisruptionTarget", "True", "DeletionByTaintManager",
                      "Taint manager: deleting due to NoExecute taint")
        ctx.update(fn)
        k.store.mark_deleting(k.pods, ctx.ns, ctx.name, 30)
    elif script == "delete":
        k.app.api.delete(k.pods, ctx.ns, ctx.name, {"gracePeriodSeconds": 1})
    return
    yield


def finish(ctx, k, text):
    """A hanging Pod told how to end through the FINISH annotation."""
    ctx.hanging = False
    name, arg = parse(text)
    yield from _outcome(ctx, k, name, arg)


def deadline(ctx, k):
    """spec.activeDeadlineSeconds passed: the kubelet kills the containers and fails the Pod."""
    ctx.hanging = False
    ctx.event("DeadlineExceeded", DEADLINE_MSG, "Warning")
    yield min(k.step, k.grace_of(ctx))
    ctx.fail_pod("DeadlineExceeded", DEADLINE_MSG)


def killed(ctx, k, grace):
    """A scripted Pod being deleted: SIGTERM its containers, then the API object goes."""
    pod = ctx.current()
    running = [s["name"] for s in (pod["status"].get("containerStatuses") or []) if "running" in s["state"]]
    for n in running:
        ctx.event("Killing", f"Stopping container {n}", container=n)
    yield min(grace, k.step)
    for n in running:
        ctx.terminated(n, 143, "Error")
    k.finalize_deletion(ctx)
