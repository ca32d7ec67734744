"""The dask-kubernetes operator's DaskJob lifecycle (dask_kubernetes/operator/controller/controller.py):

  DaskJob created  -> status.jobStatus JobCreated
  JobCreated       -> a DaskCluster of the same name (labels: the job's, plus spec.cluster.metadata), owned by
                      the job; the runner Pod `<name>-runner` from spec.job.spec (labels: the job's plus
                      spec.job.metadata's plus dask.org/cluster-name, dask.org/component: job-runner; env
                      DASK_SCHEDULER_ADDRESS), owned by the job -> ClusterCreated, clusterName, jobRunnerPodName
  DaskCluster      -> status.phase Created; the scheduler Pod and Service `<name>-scheduler` and the
                      DaskWorkerGroup `<name>-default`, owned by the cluster -> Pending; the group's `replicas`
                      worker Pods `<name>-default-worker-<10 hex>` (env DASK_WORKER_NAME, DASK_SCHEDULER_ADDRESS),
                      owned by the group -> Running
  runner Running   -> jobStatus Running, startTime
  runner Succeeded -> the DaskCluster deleted (its scheduler, Service, worker group and workers go with it by
                      ownerReferences), jobStatus Successful, endTime (the runner Pod stays with the job)
  runner Failed    -> the same, jobStatus Failed

The real operator runs the scheduler and workers as Deployments; here they are Pods (scripted `hang`: no dask
runs). The runner is an ordinary Pod for the kubelet, so process mode really runs the job's command.
`fake.flyte.org/*` annotations on the DaskJob are copied to the runner Pod, so a test can script its outcome.
"""
import copy
import os

from ..timeutil import now_rfc3339
from .base import Operator

LABEL_CLUSTER, LABEL_COMPONENT = "dask.org/cluster-name", "dask.org/component"
HANG = {"fake.flyte.org/script": "hang"}


class DaskOperator(Operator):
    GROUP, PLURAL, KIND = "kubernetes.dask.org", "daskjobs", "DaskJob"

    def _on_event(self, ev):
        if ev.key == self.pods.store_key and ev.type == "MODIFIED" and \
                (ev.obj["metadata"].get("labels") or {}).get(LABEL_COMPONENT) != "job-runner":
            return
        super()._on_event(ev)

    def created(self, job):
        meta, spec = job["metadata"], job.get("spec") or {}
        ns, name = meta["namespace"], meta["name"]
        self.status(ns, name, jobStatus="JobCreated")
        labels, annotations = self.labels_of(job), self.annotations_of(job)
        cluster_spec = spec.get("cluster") or {}
        cmeta = cluster_spec.get("metadata") or {}
        cluster = {"apiVersion": "kubernetes.dask.org/v1", "kind": "DaskCluster",
                   "metadata": {"name": name, "labels": dict(labels, **(cmeta.get("labels") or {}),
                                                             **{LABEL_CLUSTER: name}),
                                "annotations": dict(annotations, **(cmeta.get("annotations") or {})),
                                "ownerReferences": self.owned_by(job, "DaskJob")},
                   "spec": copy.deepcopy(cluster_spec.get("spec") or {})}
        cluster = self.api.create(self.res("daskclusters"), ns, cluster)
        self._cluster_components(cluster)

        job_spec = spec.get("job") or {}
        runner = self.from_template(job_spec, f"{name}-runner", labels, annotations, self.owned_by(job, "DaskJob"))
        runner["metadata"]["labels"].update({LABEL_CLUSTER: name, LABEL_COMPONENT: "job-runner",
                                             "sidecar.istio.io/inject": "false"})
        runner["metadata"]["annotations"].update(self.scripted(job))
        address = f"tcp://{name}-scheduler.{ns}.svc.cluster.local:8786"
        for c in runner["spec"].get("containers") or []:
            env = c.setdefault("env", [])
            if not any(e.get("name") == "DASK_SCHEDULER_ADDRESS" for e in env):
                env.append({"name": "DASK_SCHEDULER_ADDRESS", "value": address})
        self.create_pod(ns, runner)
        self.status(ns, name, jobStatus="ClusterCreated", clusterName=name, jobRunnerPodName=f"{name}-runner")

    def _cluster_components(self, cluster):
        meta, spec = cluster["metadata"], cluster.get("spec") or {}
        ns, name = meta["namespace"], meta["name"]
        self.status(ns, name, "daskclusters", phase="Created")
        labels, annotations = self.labels_of(cluster), self.annotations_of(cluster)
        owner = self.owned_by(cluster, "DaskCluster")
        scheduler = spec.get("scheduler") or {}
        pod = self.from_template(scheduler, f"{name}-scheduler", labels, dict(annotations, **HANG), owner)
        pod["metadata"]["labels"].update({LABEL_CLUSTER: name, LABEL_COMPONENT: "scheduler",
                                          "sidecar.istio.io/inject": "false"})
        self.create_pod(ns, pod)
        svc = {"metadata": {"name": f"{name}-scheduler", "labels": dict(labels, **{LABEL_CLUSTER: name,
                                                                                   LABEL_COMPONENT: "scheduler"}),
                            "ownerReferences": owner},
               "spec": copy.deepcopy(scheduler.get("service") or {})}
        self.api.create(self.services, ns, svc)
        worker = spec.get("worker") or {}
        group = {"apiVersion": "kubernetes.dask.org/v1", "kind": "DaskWorkerGroup",
                 "metadata": {"name": f"{name}-default",
                              "labels": dict(labels, **{LABEL_CLUSTER: name, LABEL_COMPONENT: "workergroup"}),
                              "ownerReferences": owner},
                 "spec": {"cluster": name, "worker": copy.deepcopy(worker)}}
        group = self.api.create(self.res("daskworkergroups"), ns, group)
        self.status(ns, name, "daskclusters", phase="Pending")
        gowner = self.owned_by(group, "DaskWorkerGroup")
        for _ in range(int(worker.get("replicas") or 0)):
            wname = f"{name}-default-worker-{os.urandom(5).hex()}"
            wpod = self.from_template(worker, wname, labels, dict(annotations, **HANG), gowner)
            wpod["metadata"]["labels"].update({LABEL_CLUSTER: name, LABEL_COMPONENT: "worker",
                                               "dask.org/workergroup-name": f"{name}-default",
                                               "sidecar.istio.io/inject": "false"})
            for c in wpod["spec"].get("containers") or []:
                c.setdefault("env", []).extend([
                    {"name": "DASK_WORKER_NAME", "value": wname},
                    {"name": "DASK_SCHEDULER_ADDRESS", "value": f"tcp://{name}-scheduler.{ns}.svc.cluster.local:8786"}])
            self.create_pod(ns, wpod)
        self.status(ns, name, "daskclusters", phase="Running")

    def pod_changed(self, pod):
        job = self.owner_of(pod)
        if job is None:
            return
        ns, name = job["metadata"]["namespace"], job["metadata"]["name"]
        state = (job.get("status") or {}).get("jobStatus")
        phase = (pod.get("status") or {}).get("phase")
        if phase == "Running" and state in ("JobCreated", "ClusterCreated"):
            self.status(ns, name, jobStatus="Running", startTime=now_rfc3339())
        elif phase in ("Succeeded", "Failed") and state not in ("Successful", "Failed"):
            try:
                self.api.delete(self.res("daskclusters"), ns, name, {"propagationPolicy": "Background"})
            except Exception:  # noqa: BLE001 - already gone
                pass
            self.status(ns, name, jobStatus="Successful" if phase == "Succeeded" else "Failed",
                        endTime=now_rfc3339())
