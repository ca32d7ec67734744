"""The dask-kubernetes operator's DaskJob lifecycle (dask_kubernetes/operator/controller/controller.py):

  created  -> status.jobStatus JobCreated; scheduler Pod + Service `<name>-scheduler`, worker Pods
              `<name>-default-worker-<hex>` and the runner Pod `<name>-runner` (from spec.job.spec, with
              DASK_SCHEDULER_ADDRESS), all owned by the DaskJob -> ClusterCreated, clusterName, jobRunnerPodName
  runner Running   -> Running, startTime
  runner Succeeded -> scheduler/workers deleted, Successful, endTime (the runner Pod stays)
  runner Failed    -> scheduler/workers deleted, Failed, endTime

The scheduler and workers are scripted `hang` Pods (no dask is run); the runner Pod is an ordinary
Pod for the kubelet, so process mode really runs the job's command. `fake.flyte.org/*` annotations
on the DaskJob are copied to the runner Pod, so a test can script its outcome.
"""
import copy
import os
import queue
import threading

from .. import errors
from ..timeutil import now_rfc3339

GROUP, PLURAL = "kubernetes.dask.org", "daskjobs"
LABEL_CLUSTER, LABEL_COMPONENT = "dask.org/cluster-name", "dask.org/component"
HANG = {"fake.flyte.org/script": "hang"}


class DaskOperator:
    def __init__(self, app):
        self.app, self.store, self.api = app, app.store, app.api
        self.pods = app.registry.get("", "v1", "pods")
        self.services = app.registry.get("", "v1", "services")
        self.q = queue.Queue()
        self._stopping = threading.Event()
        self.store.listeners.append(self._on_event)

    def _on_event(self, ev):  # under the store lock: only enqueue
        if ev.key == (GROUP, PLURAL) and ev.type == "ADDED":
            self.q.put(("job", ev.obj))
        elif ev.key == self.pods.store_key and ev.type == "MODIFIED" and \
                (ev.obj["metadata"].get("labels") or {}).get(LABEL_COMPONENT) == "job-runner":
            self.q.put(("runner", ev.obj))

    def start(self):
        threading.Thread(target=self._loop, name="fake-dask-operator", daemon=True).start()

    def stop(self):
        self._stopping.set()

    def _loop(self):
        while not self._stopping.is_set():
            try:
                kind, obj = self.q.get(timeout=0.2)
            except queue.Empty:
                continue
            try:
                self._created(obj) if kind == "job" else self._runner_changed(obj)
            except errors.ApiError:
                pass  # the job or its namespace went away meanwhile

    def _res(self):
        return self.app.registry.by_store_key(GROUP, PLURAL)

    def _status(self, ns, name, **status):
        self.api.patch(self._res(), ns, name, {"status": status}, "application/merge-patch+json", "status")

    def _owned(self, job, name, labels, annotations=None):
        meta = job["metadata"]
        return {"name": name, "labels": dict(labels, **{LABEL_CLUSTER: meta["name"]}),
                "annotations": dict(annotations or {}),
                "ownerReferences": [{"apiVersion": job["apiVersion"], "kind": "DaskJob", "name": meta["name"],
                                     "uid": meta["uid"], "controller": True, "blockOwnerDeletion": True}]}

    def _created(self, job):
        meta, spec = job["metadata"], job.get("spec") or {}
        ns, name = meta["namespace"], meta["name"]
        self._status(ns, name, jobStatus="JobCreated")
        cluster = (spec.get("cluster") or {}).get("spec") or {}
        scheduler = cluster.get("scheduler") or {}
        self._pod(ns, {"metadata": self._owned(job, f"{name}-scheduler", {LABEL_COMPONENT: "scheduler"}, HANG),
                       "spec": copy.deepcopy(scheduler.get("spec") or {})})
        if scheduler.get("service"):
            svc = {"metadata": self._owned(job, f"{name}-scheduler", {}), "spec": copy.deepcopy(scheduler["service"])}
            self.api.create(self.services, ns, svc)
        worker = cluster.get("worker") or {}
        for _ in range(int(worker.get("replicas") or 0)):
            wname = f"{name}-default-worker-{os.urandom(5).hex()}"
            wspec = copy.deepcopy(worker.get("spec") or {})
            for c in wspec.get("containers") or []:
                c.setdefault("env", []).append({"name": "DASK_WORKER_NAME", "value": wname})
            self._pod(ns, {"metadata": self._owned(job, wname, {LABEL_COMPONENT: "worker",
                                                                "dask.org/workergroup-name": f"{name}-default"},
                                                   HANG), "spec": wspec})
        runner = copy.deepcopy((spec.get("job") or {}).get("spec") or {})
        address = f"tcp://{name}-scheduler.{ns}.svc.cluster.local:8786"
        for c in runner.get("containers") or []:
            env = c.setdefault("env", [])
            if not any(e.get("name") == "DASK_SCHEDULER_ADDRESS" for e in env):
                env.append({"name": "DASK_SCHEDULER_ADDRESS", "value": address})
        scripted = {k: v for k, v in (meta.get("annotations") or {}).items() if k.startswith("fake.flyte.org/")}
        self._pod(ns, {"metadata": self._owned(job, f"{name}-runner", {LABEL_COMPONENT: "job-runner",
                                                                       "sidecar.istio.io/inject": "false"}, scripted),
                       "spec": runner})
        self._status(ns, name, jobStatus="ClusterCreated", clusterName=name, jobRunnerPodName=f"{name}-runner")

    def _pod(self, ns, pod):
        pod = dict(pod, apiVersion="v1", kind="Pod")
        if not pod["metadata"]["annotations"]:
            del pod["metadata"]["annotations"]
        try:
            self.api.create(self.pods, ns, pod)
        except errors.ApiError as e:
            if e.code != 409:
                raise

    def _runner_changed(self, pod):
        owner = next((r for r in pod["metadata"].get("ownerReferences") or [] if r.get("kind") == "DaskJob"), None)
        if owner is None:
            return
        ns, name = pod["metadata"]["namespace"], owner["name"]
        job = self.store.peek((GROUP, PLURAL), ns, name)
        if job is None or job["metadata"]["uid"] != owner["uid"]:
            return
        state = (job.get("status") or {}).get("jobStatus")
        phase = (pod.get("status") or {}).get("phase")
        if phase == "Running" and state in ("JobCreated", "ClusterCreated"):
            self._status(ns, name, jobStatus="Running", startTime=now_rfc3339())
        elif phase in ("Succeeded", "Failed") and state not in ("Successful", "Failed"):
            self._delete_cluster(ns, name)
            self._status(ns, name, jobStatus="Successful" if phase == "Succeeded" else "Failed",
                         endTime=now_rfc3339())

    def _delete_cluster(self, ns, name):
        for comp in ("scheduler", "worker"):
            for pod in self.api.list(self.pods, ns, {"labelSelector": f"{LABEL_CLUSTER}={name},"
                                                                      f"{LABEL_COMPONENT}={comp}"})["items"]:
                try:
                    self.api.delete(self.pods, ns, pod["metadata"]["name"], {"gracePeriodSeconds": 0})
                except errors.ApiError:
                    pass
        try:
            self.api.delete(self.services, ns, f"{name}-scheduler", {})
        except errors.ApiError:
            pass
