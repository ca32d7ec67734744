"""Resource operations (create, get, list, replace, patch, delete) with the API server's semantics.

This layer knows nothing about HTTP: it takes parsed parameters and returns objects or raises
ApiError. Kind-specific behaviour (Pod defaults, CRDs becoming served, namespaces cascading,
owner-reference garbage collection) lives here so every entry point shares it.
"""
from . import errors, patch as patching, validation
from .selection import get_path, parse_field_selector, parse_label_selector
from .store import TERMINAL_PHASES
from .timeutil import now_rfc3339

PODS = ("", "pods")
NAMESPACES = ("", "namespaces")
CRDS = ("apiextensions.k8s.io", "customresourcedefinitions")


class Api:
    def __init__(self, store, registry, root_ca=""):
        self.store = store
        self.registry = registry
        self.root_ca = root_ca  # PEM published in each namespace's kube-root-ca.crt ConfigMap

    # ---- create --------------------------------------------------------------
    def create(self, res, ns, body, dry_run=False):
        if not isinstance(body, dict):
            raise errors.bad_request("the body of the request was in an unknown format")
        kind = body.get("kind")
        if kind and kind != res.kind:
            raise errors.bad_request(f"the API version in the data ({body.get('apiVersion')}) does not match the "
                                     f"expected API version ({res.api_version})" if body.get("apiVersion") !=
                                     res.api_version else f"kind {kind} does not match {res.kind}")
        body_ns = (body.get("metadata") or {}).get("namespace")
        if res.namespaced and body_ns and body_ns != ns:
            raise errors.bad_request("the namespace of the provided object does not match the namespace sent on the "
                                     "request")
        body = {"apiVersion": res.api_version, "kind": res.kind,
                **{k: v for k, v in body.items() if k not in ("apiVersion", "kind")}}
        validation.validate(res, body)
        self._default(res, body)
        obj = self.store.create(res, ns if res.namespaced else "", body, dry_run)
        if not dry_run:
            self._after_create(res, obj)
        return obj

    def _default(self, res, obj):
        key = res.store_key
        if key == PODS:
            validation.default_pod(obj)
            validation.add_service_account_volume(obj)
        elif key == ("", "secrets"):
            validation.default_secret(obj)
        elif key == NAMESPACES:
            validation.default_namespace(obj)
        elif key == ("", "services"):
            validation.default_service(obj)
        elif key == CRDS:
            validation.validate_crd(obj)
            obj["status"] = validation.crd_status(obj, now_rfc3339())

    def _after_create(self, res, obj):
        if res.store_key == NAMESPACES:
            self.ensure_default_service_account(obj["metadata"]["name"])
            self._publish_root_ca(obj["metadata"]["name"])
        elif res.store_key == CRDS:
            self.registry.add_crd(obj)

    def _publish_root_ca(self, ns):
        """What kube-controller-manager's root-ca-cert-publisher does for every namespace."""
        cm = self.registry.get("", "v1", "configmaps")
        try:
            self.store.create(cm, ns, {"apiVersion": "v1", "kind": "ConfigMap",
                                       "metadata": {"name": "kube-root-ca.crt"}, "data": {"ca.crt": self.root_ca}})
        except errors.ApiError:
            pass

    def ensure_default_service_account(self, ns):
        sa = self.registry.get("", "v1", "serviceaccounts")
        if self.store.peek(sa.store_key, ns, "default") is None:
            try:
                self.store.create(sa, ns, {"apiVersion": "v1", "kind": "ServiceAccount",
                                           "metadata": {"name": "default"}})
            except errors.ApiError:
                pass

    # ---- read ----------------------------------------------------------------
    def selector(self, res, params):
        labels = parse_label_selector(params.get("labelSelector", ""))
        fields = parse_field_selector(params.get("fieldSelector", ""), get_path, res.field_labels)
        return lambda obj: labels((obj.get("metadata") or {}).get("labels") or {}) and fields(obj)

    def list(self, res, ns, params):
        pred = self.selector(res, params)
        try:
            limit = int(params.get("limit") or 0)
        except ValueError:
            raise errors.bad_request(f"invalid limit: {params.get('limit')}")
        rv = params.get("resourceVersion") or ""
        if rv not in ("", "0") and not params.get("continue") and \
                (params.get("resourceVersionMatch") == "Exact" or limit):
            # an exact-revision read from etcd: gone once compacted
            if rv.isdigit() and int(rv) < self.store.compacted_rv:
                raise errors.too_old_rv(rv, self.store.compacted_rv + 1)
        items, rv, cont, remaining = self.store.list(res, ns if res.namespaced else None, pred, limit,
                                                     params.get("continue") or None)
        for it in items:
            if res.crd:  # custom resources are unstructured: their list items keep apiVersion and kind
                it.setdefault("apiVersion", res.api_version)
                it.setdefault("kind", res.kind)
            else:  # built-in lists carry them once, on the list (clients must not rely on them per item)
                it.pop("apiVersion", None)
                it.pop("kind", None)
        meta = {"resourceVersion": rv}
        if cont:
            meta["continue"] = cont
            meta["remainingItemCount"] = remaining
        return {"kind": res.list_kind, "apiVersion": res.api_version, "metadata": meta, "items": items}

    # ---- update --------------------------------------------------------------
    def _writer(self, res, compute, subresource):
        """Wrap compute(old)->new so only the part a subresource may change is changed."""
        def mutate(old):
            new = compute(old)
            if not isinstance(new, dict):
                raise errors.bad_request("the body of the request was in an unknown format")
            new["apiVersion"], new["kind"] = res.api_version, res.kind
            if subresource == "status":
                out = dict(old)
                out["status"] = new.get("status")
                return out
            if res.status_subresource and "status" in old:
                new["status"] = old["status"]
            validation.validate(res, new, creating=False)
            if res.store_key == PODS:
                validation.check_pod_update(old, new)
            return new
        return mutate

    def replace(self, res, ns, name, body, subresource=None, dry_run=False):
        meta = body.get("metadata") or {}
        if meta.get("name") and meta["name"] != name:
            raise errors.bad_request(f"the name of the object ({meta['name']}) does not match the name on the URL "
                                     f"({name})")
        rv = meta.get("resourceVersion")
        obj = self.store.update(res, ns, name, self._writer(res, lambda old: body, subresource), rv, dry_run)
        return obj

    def patch(self, res, ns, name, body, content_type, subresource=None, dry_run=False):
        ct = (content_type or "").split(";")[0].strip()
        if ct == "application/merge-patch+json":
            fn = lambda old: patching.merge_patch(old, body)
        elif ct == "application/strategic-merge-patch+json":
            if res.group and res.crd:
                raise errors.ApiError(415, "UnsupportedMediaType",
                                      "strategic merge patch is not supported for custom resources", {})
            fn = lambda old: patching.strategic_merge_patch(old, body)
        elif ct == "application/json-patch+json":
            fn = lambda old: patching.json_patch(old, body)
        else:
            raise errors.ApiError(415, "UnsupportedMediaType", "the body of the request was in an unknown format - "
                                  "accepted media types include: application/json-patch+json, "
                                  "application/merge-patch+json, application/strategic-merge-patch+json", {})
        rv = (body.get("metadata") or {}).get("resourceVersion") if isinstance(body, dict) else None
        return self.store.update(res, ns, name, self._writer(res, fn, subresource), rv, dry_run)

    # ---- delete --------------------------------------------------------------
    def delete(self, res, ns, name, opts, dry_run=False):
        obj = self.store.get(res, ns, name)
        meta = obj["metadata"]
        pre = opts.get("preconditions") or {}
        if pre.get("uid") and pre["uid"] != meta["uid"]:
            raise errors.conflict(res.plural, name, f"Precondition failed: UID in precondition: {pre['uid']}, "
                                  f"UID in object meta: {meta['uid']}", res.group)
        if pre.get("resourceVersion") and pre["resourceVersion"] != meta["resourceVersion"]:
            raise errors.conflict(res.plural, name, "Precondition failed: ResourceVersion in precondition: "
                                  f"{pre['resourceVersion']}, ResourceVersion in object meta: "
                                  f"{meta['resourceVersion']}", res.group)
        if dry_run:
            return obj
        policy = opts.get("propagationPolicy") or ("Orphan" if opts.get("orphanDependents") else "Background")
        if policy not in ("Background", "Foreground", "Orphan"):
            raise errors.invalid("DeleteOptions", "", [("propagationPolicy", f'Unsupported value: "{policy}": '
                                 'supported values: "Foreground", "Background", "Orphan", "nil"',
                                 "FieldValueNotSupported")])
        if policy == "Foreground":
            self._propagate(meta["uid"], policy)
        result = self._delete_one(res, ns, name, obj, opts.get("gracePeriodSeconds"))
        if policy != "Foreground":
            self._propagate(meta["uid"], policy)
        if res.store_key == NAMESPACES:
            self._empty_namespace(name)
        elif res.store_key == CRDS:
            self._drop_crd(obj)
        return result

    def _delete_one(self, res, ns, name, obj, grace):
        meta = obj["metadata"]
        graceful = False
        if res.store_key == PODS:
            if grace is None:
                grace = (obj.get("spec") or {}).get("terminationGracePeriodSeconds", 30)
            grace = max(int(grace), 0)
            graceful = grace > 0 and (obj.get("spec") or {}).get("nodeName") and \
                (obj.get("status") or {}).get("phase") not in TERMINAL_PHASES
        if graceful or meta.get("finalizers"):
            return self.store.mark_deleting(res, ns, name, grace if graceful else 0)
        return self.store.remove(res, ns, name)

    def _propagate(self, owner_uid, policy):
        """The garbage collector: dependents named by ownerReferences go (or are orphaned) with their owner."""
        for res in {r.store_key: r for r in self.registry.all()}.values():
            for dep in self.store.all_of(res.store_key):
                refs = dep["metadata"].get("ownerReferences") or []
                if not any(r.get("uid") == owner_uid for r in refs):
                    continue
                ns, name = dep["metadata"].get("namespace", ""), dep["metadata"]["name"]
                try:
                    if policy == "Orphan":
                        keep = [r for r in refs if r.get("uid") != owner_uid]
                        self.store.update(res, ns, name, lambda o, k=keep: _set_refs(o, k))
                    else:
                        self.delete(res, ns, name, {"propagationPolicy": policy})
                except errors.ApiError:
                    pass  # raced with another deletion

    def _empty_namespace(self, ns):
        for res in {r.store_key: r for r in self.registry.all() if r.namespaced}.values():
            for obj in self.store.all_of(res.store_key):
                if obj["metadata"].get("namespace") == ns:
                    try:
                        self.store.remove(res, ns, obj["metadata"]["name"])
                    except errors.ApiError:
                        pass

    def _drop_crd(self, crd):
        spec = crd["spec"]
        res = self.registry.by_store_key(spec["group"], spec["names"]["plural"])
        if res:
            for obj in self.store.all_of(res.store_key):
                try:
                    self.store.remove(res, obj["metadata"].get("namespace", ""), obj["metadata"]["name"])
                except errors.ApiError:
                    pass
        self.registry.remove_crd(crd["metadata"]["name"])

    def delete_collection(self, res, ns, params, opts):
        items = self.list(res, ns, params)["items"]
        for it in items:
            try:
                self.delete(res, it["metadata"].get("namespace", ""), it["metadata"]["name"], opts)
            except errors.ApiError:
                pass
        return {"kind": res.list_kind, "apiVersion": res.api_version,
                "metadata": {"resourceVersion": str(self.store.current_rv())}, "items": items}


def _set_refs(obj, refs):
    if refs:
        obj["metadata"]["ownerReferences"] = refs
    else:
        obj["metadata"].pop("ownerReferences", None)
    return obj
