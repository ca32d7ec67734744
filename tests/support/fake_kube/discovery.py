"""Discovery documents (/version, /api, /apis, APIResourceLists) and the OpenAPI v3 stubs kubectl reads.

kubectl asks for aggregated discovery (apidiscovery.k8s.io/v2); answering with the legacy
documents and `Content-Type: application/json` makes it fall back, as against an older server.
The OpenAPI v3 documents only hold what kubectl's QueryParamVerifierV3 checks: a PATCH operation
per kind carrying `x-kubernetes-group-version-kind` and the `fieldValidation` query parameter,
so kubectl create/apply send `fieldValidation=Strict` instead of failing to download OpenAPI v2.
"""
import hashlib
import json


def version_doc(version):
    major, minor = version.split(".")[:2]
    return {"major": major, "minor": minor, "gitVersion": f"v{version}",
            "gitCommit": "0000000000000000000000000000000000000000", "gitTreeState": "clean",
            "buildDate": "2025-01-01T00:00:00Z", "goVersion": "go1.22.0", "compiler": "gc",
            "platform": "linux/amd64"}


def api_versions(server_address):
    return {"kind": "APIVersions", "versions": ["v1"],
            "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": server_address}]}


def api_group_list(registry):
    groups = []
    for group, versions in registry.groups():
        vs = [{"groupVersion": f"{group}/{v}", "version": v} for v in versions]
        groups.append({"name": group, "versions": vs, "preferredVersion": vs[0]})
    return {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}


def api_group(registry, group):
    for g in api_group_list(registry)["groups"]:
        if g["name"] == group:
            return dict(g, kind="APIGroup", apiVersion="v1")
    return None


def resource_list(registry, group, version):
    rs = [r for r in registry.all() if r.group == group and r.version == version]
    if not rs:
        return None
    out = []
    for r in sorted(rs, key=lambda r: r.plural):
        entry = {"name": r.plural, "singularName": r.singular, "namespaced": r.namespaced, "kind": r.kind,
                 "verbs": r.verbs}
        if r.short_names:
            entry["shortNames"] = r.short_names
        if r.categories:
            entry["categories"] = r.categories
        entry["storageVersionHash"] = hashlib.sha256(f"{r.group}/{r.plural}".encode()).hexdigest()[:12]
        out.append(entry)
        for sub in r.subresources:
            verbs = ["get"] if sub == "log" else ["get", "patch", "update"]
            out.append({"name": f"{r.plural}/{sub}", "singularName": "", "namespaced": r.namespaced,
                        "kind": r.kind if sub == "status" else "Pod", "verbs": verbs})
    return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": f"{group}/{version}" if group else version,
            "resources": out}


def _gv_path(group, version):
    return f"api/{version}" if not group else f"apis/{group}/{version}"


def openapi_v3_root(registry):
    paths = {}
    gvs = {(r.group, r.version) for r in registry.all()}
    for group, version in sorted(gvs):
        doc = openapi_v3_gv(registry, group, version)
        digest = hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()[:32].upper()
        p = _gv_path(group, version)
        paths[p] = {"serverRelativeURL": f"/openapi/v3/{p}?hash={digest}"}
    return {"paths": paths}


def openapi_v3_gv(registry, group, version):
    rs = [r for r in registry.all() if r.group == group and r.version == version]
    if not rs:
        return None
    params = [{"name": n, "in": "query", "schema": {"type": "string"}, "uniqueItems": True}
              for n in ("dryRun", "fieldManager", "fieldValidation", "force")]
    paths, schemas = {}, {}
    for r in rs:
        base = "/api/v1" if not group else f"/apis/{group}/{version}"
        item = f"{base}/namespaces/{{namespace}}/{r.plural}/{{name}}" if r.namespaced else f"{base}/{r.plural}/{{name}}"
        gvk = {"group": group, "version": version, "kind": r.kind}
        schema_name = f"io.fake.{group or 'core'}.{version}.{r.kind}"
        op = lambda verb: {"operationId": f"{verb}{r.kind}", "x-kubernetes-action": verb,
                           "x-kubernetes-group-version-kind": gvk, "parameters": params,
                           "responses": {"200": {"content": {"application/json": {"schema": {
                               "$ref": f"#/components/schemas/{schema_name}"}}}}}}
        paths[item] = {"get": op("get"), "put": op("put"), "patch": op("patch"), "delete": op("delete")}
        schemas[schema_name] = {"type": "object", "x-kubernetes-group-version-kind": [gvk],
                                "x-kubernetes-preserve-unknown-fields": True}
    return {"openapi": "3.0.0", "info": {"title": "Kubernetes", "version": "v1.30.0"}, "paths": paths,
            "components": {"schemas": schemas}}
