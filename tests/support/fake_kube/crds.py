"""CustomResourceDefinitions of the operators flyte's plugins target, for `--crds dask,ray,spark,pytorch`
(`dask` brings the operator's DaskCluster and DaskWorkerGroup too).

Only what a client observes is kept (group, names, scope, versions, status subresource, printer
columns); schemas accept anything, as `x-kubernetes-preserve-unknown-fields` does.
"""

_OPEN = {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}}


def _crd(group, version, kind, plural, short, columns):
    return {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": {"name": f"{plural}.{group}"},
            "spec": {"group": group, "scope": "Namespaced",
                     "names": {"kind": kind, "plural": plural, "singular": kind.lower(), "listKind": kind + "List",
                               "shortNames": short},
                     "versions": [{"name": version, "served": True, "storage": True, "schema": _OPEN,
                                   "subresources": {"status": {}},
                                   "additionalPrinterColumns": columns +
                                   [{"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"}]}]}}


CRDS = {
    "dask": _crd("kubernetes.dask.org", "v1", "DaskJob", "daskjobs", ["djb"],
                 [{"name": "Status", "type": "string", "jsonPath": ".status.jobStatus"},
                  {"name": "Number Of Workers", "type": "integer",
                   "jsonPath": ".spec.cluster.spec.worker.replicas"}]),
    "daskclusters": _crd("kubernetes.dask.org", "v1", "DaskCluster", "daskclusters", ["daskcluster", "dsk"],
                         [{"name": "Workers", "type": "integer", "jsonPath": ".spec.worker.replicas"},
                          {"name": "Status", "type": "string", "jsonPath": ".status.phase"}]),
    "daskworkergroups": _crd("kubernetes.dask.org", "v1", "DaskWorkerGroup", "daskworkergroups", ["daskworkers"],
                             [{"name": "Workers", "type": "integer", "jsonPath": ".spec.worker.replicas"}]),
    "ray": _crd("ray.io", "v1", "RayJob", "rayjobs", [],
                [{"name": "job status", "type": "string", "jsonPath": ".status.jobStatus"},
                 {"name": "deployment status", "type": "string", "jsonPath": ".status.jobDeploymentStatus"}]),
    "spark": _crd("sparkoperator.k8s.io", "v1beta2", "SparkApplication", "sparkapplications", ["sparkapp"],
                  [{"name": "Status", "type": "string", "jsonPath": ".status.applicationState.state"}]),
    "pytorch": _crd("kubeflow.org", "v1", "PyTorchJob", "pytorchjobs", [],
                    [{"name": "State", "type": "string", "jsonPath": ".status.conditions[-1:].type"}]),
}


# What each --crds / --operators name installs.
BUNDLES = {"dask": ["dask", "daskclusters", "daskworkergroups"]}


def crds_for(names):
    out = []
    for n in sorted(names):
        for key in BUNDLES.get(n, [n]):
            if CRDS[key] not in out:
                out.append(CRDS[key])
    return out
