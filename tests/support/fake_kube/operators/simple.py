"""Status sequences of the Ray, Spark and PyTorch operators, driven by one main Pod each.

Each creates, on a new resource, the main Pod from the resource's template (owned by it, labels from the
resource and the template, `fake.flyte.org/*` annotations of the resource copied so tests can script it;
helper Pods as scripted `hang` Pods), then follows the main Pod's phase with the status the real operator
writes:

| operator (CR) | main Pod | created | main Running | main Succeeded | main Failed |
|---|---|---|---|---|---|
| KubeRay RayJob | the submitter Job's Pod `<name>-<5 hex>` from spec.submitterPodTemplate; head `<name>-head` | jobDeploymentStatus Initializing | Running, jobStatus RUNNING | Complete, SUCCEEDED | Failed, FAILED, reason AppFailed |
| Spark operator SparkApplication | `<name>-driver` from spec.driver.template; `executor.instances` executors | applicationState.state SUBMITTED | RUNNING | COMPLETED | FAILED, errorMessage |
| training operator PyTorchJob | `<name>-master-0` from Master's template; `<name>-worker-N` | conditions [Created] | + Running | + Succeeded (Running False) | + Failed |

A resource annotated `fake.flyte.org/status: VALUE` gets that value (in its status field) as soon as it is
created, instead of the usual sequence up to the end: how tests show an operator version that reports
something new.
"""
import copy
import hashlib
import os

from ..timeutil import now_rfc3339
from .base import Operator

HANG = {"fake.flyte.org/script": "hang"}
OVERRIDE = "fake.flyte.org/status"


class SimpleOperator(Operator):
    MAIN_LABEL = "fake.flyte.org/main-of"

    def _on_event(self, ev):
        if ev.key == self.pods.store_key and (ev.obj["metadata"].get("labels") or {}).get(self.MAIN_LABEL) is None:
            return
        super()._on_event(ev)

    def main_template(self, spec):
        raise NotImplementedError

    def helpers(self, obj):
        """[(name, template)] of helper Pods (scripted hang)."""
        return []

    def main_name(self, name):
        raise NotImplementedError

    def created(self, obj):
        meta, spec = obj["metadata"], obj.get("spec") or {}
        ns, name = meta["namespace"], meta["name"]
        self.on_created(ns, name)
        if OVERRIDE in (meta.get("annotations") or {}):
            self.set_override(ns, name, meta["annotations"][OVERRIDE])
        labels, annotations = self.labels_of(obj), self.annotations_of(obj)
        owner = self.owned_by(obj, self.KIND)
        for hname, template in self.helpers(obj):
            pod = self.from_template(template, hname, labels, dict(annotations, **HANG), owner)
            if not pod["spec"].get("containers"):  # the operator fills in its defaults
                pod["spec"]["containers"] = [{"name": "main", "image": "fake-helper"}]
            self.create_pod(ns, pod)
        main = self.from_template(self.main_template(spec), self.main_name(name), labels, annotations, owner)
        main["metadata"]["labels"][self.MAIN_LABEL] = name
        main["metadata"]["annotations"].update(self.scripted(obj))
        self.prepare_main(obj, main)
        self.create_pod(ns, main)

    def prepare_main(self, obj, main):
        """What the operator adds to the main Pod it creates from the template."""

    def pod_changed(self, pod):
        obj = self.owner_of(pod)
        if obj is None:
            return
        ns, name = obj["metadata"]["namespace"], obj["metadata"]["name"]
        phase = (pod.get("status") or {}).get("phase")
        if phase == "Running" and not self.is_running(obj):
            self.on_running(ns, name, obj)
        elif phase in ("Succeeded", "Failed") and not self.is_done(obj):
            term = next((c["state"]["terminated"] for c in (pod.get("status") or {}).get("containerStatuses") or []
                         if "terminated" in (c.get("state") or {})), {})
            self.on_done(ns, name, obj, phase == "Succeeded", term)


class RayOperator(SimpleOperator):
    GROUP, PLURAL, KIND = "ray.io", "rayjobs", "RayJob"

    def main_template(self, spec):
        return spec.get("submitterPodTemplate") or {}

    def main_name(self, name):
        return f"{name}-{os.urandom(3).hex()[:5]}"

    def helpers(self, obj):
        name, spec = obj["metadata"]["name"], (obj.get("spec") or {}).get("rayClusterSpec") or {}
        out = [(f"{name}-head", (spec.get("headGroupSpec") or {}).get("template"))]
        for g in spec.get("workerGroupSpecs") or []:
            for i in range(int(g.get("replicas") or 0)):
                out.append((f"{name}-{g.get('groupName', 'workers')}-{i}", g.get("template")))
        return out

    @staticmethod
    def cluster_of(obj):
        """KubeRay's RayCluster name (GenerateRayClusterName: `<name>-raycluster-<5 random>`) and the head
        Service's address in the cluster DNS, port 8265 (the dashboard, where jobs are submitted)."""
        meta = obj["metadata"]
        cluster = f"{meta['name']}-raycluster-{hashlib.sha1(meta['uid'].encode()).hexdigest()[:5]}"
        return cluster, f"{cluster}-head-svc.{meta['namespace']}.svc.cluster.local:8265"

    def on_created(self, ns, name):
        cluster, dashboard = self.cluster_of(self.current(ns, name))
        self.status(ns, name, jobDeploymentStatus="Initializing", jobId=name, rayClusterName=cluster,
                    dashboardURL=dashboard, startTime=now_rfc3339())

    def prepare_main(self, obj, main):
        # KubeRay's getSubmitterTemplate keeps a command that is set and appends these to the first container.
        _, dashboard = self.cluster_of(obj)
        containers = main["spec"].get("containers") or []
        if containers:
            containers[0].setdefault("env", []).extend([
                {"name": "PYTHONUNBUFFERED", "value": "1"},
                {"name": "RAY_DASHBOARD_ADDRESS", "value": dashboard},
                {"name": "RAY_JOB_SUBMISSION_ID", "value": obj["metadata"]["name"]}])

    def is_running(self, obj):
        return (obj.get("status") or {}).get("jobDeploymentStatus") not in (None, "", "Initializing")

    def is_done(self, obj):
        return (obj.get("status") or {}).get("jobDeploymentStatus") in ("Complete", "Failed")

    def set_override(self, ns, name, value):
        self.status(ns, name, jobDeploymentStatus=value)

    def on_running(self, ns, name, obj):
        self.status(ns, name, jobDeploymentStatus="Running", jobStatus="RUNNING")

    def on_done(self, ns, name, obj, ok, term):
        if ok:
            self.status(ns, name, jobDeploymentStatus="Complete", jobStatus="SUCCEEDED", endTime=now_rfc3339())
        else:
            self.status(ns, name, jobDeploymentStatus="Failed", jobStatus="FAILED", reason="AppFailed",
                        message=f"Job entrypoint command failed with exit code {term.get('exitCode', 1)}",
                        endTime=now_rfc3339())


class SparkOperator(SimpleOperator):
    GROUP, PLURAL, KIND = "sparkoperator.k8s.io", "sparkapplications", "SparkApplication"

    def main_template(self, spec):
        return (spec.get("driver") or {}).get("template") or {}

    def main_name(self, name):
        return f"{name}-driver"

    def helpers(self, obj):
        name, ex = obj["metadata"]["name"], (obj.get("spec") or {}).get("executor") or {}
        return [(f"{name}-exec-{i + 1}", ex.get("template")) for i in range(int(ex.get("instances") or 0))]

    def _state(self, obj):
        return ((obj.get("status") or {}).get("applicationState") or {}).get("state")

    def on_created(self, ns, name):
        self.status(ns, name, applicationState={"state": "SUBMITTED"}, submissionAttempts=1,
                    lastSubmissionAttemptTime=now_rfc3339(), driverInfo={"podName": f"{name}-driver"})

    def is_running(self, obj):
        return self._state(obj) not in (None, "", "SUBMITTED")

    def is_done(self, obj):
        return self._state(obj) in ("COMPLETED", "FAILED")

    def set_override(self, ns, name, value):
        self.status(ns, name, applicationState={"state": value})

    def on_running(self, ns, name, obj):
        self.status(ns, name, applicationState={"state": "RUNNING"})

    def on_done(self, ns, name, obj, ok, term):
        if ok:
            self.status(ns, name, applicationState={"state": "COMPLETED"}, terminationTime=now_rfc3339())
        else:
            self.status(ns, name, applicationState={
                "state": "FAILED",
                "errorMessage": f"driver container failed with ExitCode: {term.get('exitCode', 1)}, "
                                f"Reason: {term.get('reason', 'Error')}"}, terminationTime=now_rfc3339())


class PyTorchOperator(SimpleOperator):
    GROUP, PLURAL, KIND = "kubeflow.org", "pytorchjobs", "PyTorchJob"

    def _replicas(self, spec):
        return (spec or {}).get("pytorchReplicaSpecs") or {}

    def main_template(self, spec):
        return (self._replicas(spec).get("Master") or {}).get("template") or {}

    def main_name(self, name):
        return f"{name}-master-0"

    def helpers(self, obj):
        name, w = obj["metadata"]["name"], self._replicas(obj.get("spec")).get("Worker") or {}
        return [(f"{name}-worker-{i}", w.get("template")) for i in range(int(w.get("replicas") or 0))]

    def _conditions(self, obj):
        return copy.deepcopy((obj.get("status") or {}).get("conditions") or [])

    def _add(self, ns, name, obj, type_, reason, message):
        conds = self._conditions(obj)
        now = now_rfc3339()
        if type_ in ("Succeeded", "Failed"):
            for c in conds:
                if c["type"] == "Running":
                    c["status"] = "False"
        conds.append({"type": type_, "status": "True", "reason": reason, "message": message,
                      "lastUpdateTime": now, "lastTransitionTime": now})
        self.status(ns, name, conditions=conds)

    def on_created(self, ns, name):
        now = now_rfc3339()
        self.status(ns, name, conditions=[{"type": "Created", "status": "True", "reason": "PyTorchJobCreated",
                                           "message": f"PyTorchJob {name} is created.", "lastUpdateTime": now,
                                           "lastTransitionTime": now}])

    def is_running(self, obj):
        return any(c["type"] != "Created" for c in self._conditions(obj))

    def is_done(self, obj):
        return any(c["type"] in ("Succeeded", "Failed") and c["status"] == "True" for c in self._conditions(obj))

    def set_override(self, ns, name, value):
        self._add(ns, name, self.current(ns, name), value, value, "")

    def on_running(self, ns, name, obj):
        self._add(ns, name, obj, "Running", "PyTorchJobRunning", f"PyTorchJob {ns}/{name} is running.")

    def on_done(self, ns, name, obj, ok, term):
        obj = self.current(ns, name) or obj
        if ok:
            self._add(ns, name, obj, "Succeeded", "PyTorchJobSucceeded", f"PyTorchJob {ns}/{name} successfully completed.")
        else:
            self._add(ns, name, obj, "Failed", "PyTorchJobFailed",
                      f"PyTorchJob {ns}/{name} has failed because 1 Master replica(s) failed.")
