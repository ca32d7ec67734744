"""API semantics of the fake, checked over raw HTTP: Status errors, selectors, paging, watch, patch, delete."""
import base64
import json
import threading
import unittest

from harness import FakeKube, stream_lines, wait_for

PODS = "/api/v1/namespaces/default/pods"


def pod_body(name, labels=None, **meta):
    return {"apiVersion": "v1", "kind": "Pod", "metadata": dict(name=name, labels=labels or {}, **meta),
            "spec": {"containers": [{"name": "main", "image": "busybox"}]}}


class ApiTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.fake = FakeKube("--kubelet", "none", "--bookmark-interval", "0.2", "--crds", "dask")

    @classmethod
    def tearDownClass(cls):
        cls.fake.close()

    def setUp(self):
        self.fake.request("DELETE", "/_fake/faults", token=False)
        self.fake.fault({"type": "settings", "watch_410": "stream", "history_window": 1000})

    def ns(self, name):
        r = self.fake.post("/api/v1/namespaces", {"metadata": {"name": name}})
        self.assertEqual(r.code, 201, r.body)
        return f"/api/v1/namespaces/{name}/pods"

    def test_version_and_discovery(self):
        v = self.fake.get("/version", token=False).json()
        self.assertEqual((v["major"], v["minor"], v["gitVersion"]), ("1", "30", "v1.30.14"))
        names = [r["name"] for r in self.fake.get("/api/v1").json()["resources"]]
        for n in ("pods", "pods/log", "pods/status", "configmaps", "secrets", "events", "namespaces"):
            self.assertIn(n, names)
        groups = [g["name"] for g in self.fake.get("/apis").json()["groups"]]
        self.assertIn("kubernetes.dask.org", groups)
        dask = self.fake.get("/apis/kubernetes.dask.org/v1").json()
        self.assertIn("daskjobs", [r["name"] for r in dask["resources"]])

    def test_not_found_status(self):
        r = self.fake.get(PODS + "/nope")
        self.assertEqual(r.code, 404)
        self.assertEqual(r.json(), {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                                    "message": 'pods "nope" not found', "reason": "NotFound",
                                    "details": {"name": "nope", "kind": "pods"}, "code": 404})

    def test_already_exists_status(self):
        self.assertEqual(self.fake.post(PODS, pod_body("dup")).code, 201)
        r = self.fake.post(PODS, pod_body("dup"))
        self.assertEqual(r.code, 409)
        self.assertEqual(r.json()["reason"], "AlreadyExists")
        self.assertEqual(r.json()["message"], 'pods "dup" already exists')
        self.assertEqual(r.json()["details"], {"name": "dup", "kind": "pods"})

    def test_invalid_status(self):
        r = self.fake.post(PODS, pod_body("Bad_Name"))
        self.assertEqual(r.code, 422)
        body = r.json()
        self.assertEqual(body["reason"], "Invalid")
        self.assertTrue(body["message"].startswith('Pod "Bad_Name" is invalid: metadata.name: Invalid value: '
                                                   '"Bad_Name": a lowercase RFC 1123 subdomain must consist of'),
                        body["message"])
        self.assertEqual(body["details"]["causes"][0]["field"], "metadata.name")
        r = self.fake.post(PODS, {"metadata": {"name": "noimage"}, "spec": {"containers": [{"name": "main"}]}})
        self.assertEqual(r.json()["message"], 'Pod "noimage" is invalid: spec.containers[0].image: Required value')
        r = self.fake.post(PODS, pod_body("badlabel", {"a": "has space"}))
        self.assertEqual(r.code, 422)
        self.assertIn('metadata.labels: Invalid value: "has space"', r.json()["message"])

    def test_size_limits(self):
        # A ConfigMap's values hold 1 MiB at most (422 Invalid, as ValidateConfigMap answers);
        # a request body over 3 MiB is refused before it is read (413).
        cms = "/api/v1/namespaces/default/configmaps"
        fits = {"metadata": {"name": "fits"}, "binaryData": {"a": base64.b64encode(b"x" * (1 << 20)).decode()}}
        self.assertEqual(self.fake.post(cms, fits).code, 201)
        big = {"metadata": {"name": "big"}, "data": {"a": "x" * (1 << 19), "b": "y" * ((1 << 19) + 1)}}
        r = self.fake.post(cms, big)
        self.assertEqual(r.code, 422)
        self.assertEqual(r.json()["message"], 'ConfigMap "big" is invalid: []: Too long: must have at most 1048576 bytes')
        huge = {"metadata": {"name": "huge"}, "data": {"a": "x" * (3 << 20)}}
        r = self.fake.post(cms, huge)
        self.assertEqual(r.code, 413)
        self.assertEqual(r.json()["reason"], "RequestEntityTooLarge")
        self.assertEqual(self.fake.get(cms + "/huge").code, 404)

    def test_unauthorized_status(self):
        r = self.fake.get(PODS, token="wrong")
        self.assertEqual(r.code, 401)
        self.assertEqual(r.json(), {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                                    "message": "Unauthorized", "reason": "Unauthorized", "code": 401})

    def test_missing_namespace_is_not_found(self):
        r = self.fake.post("/api/v1/namespaces/ghost/pods", pod_body("p"))
        self.assertEqual((r.code, r.json()["message"]), (404, 'namespaces "ghost" not found'))

    def test_metadata_generate_name_and_resource_versions(self):
        path = self.ns("meta")
        a = self.fake.post(path, pod_body("", generateName="gen-")).json()
        b = self.fake.post(path, pod_body("", generateName="gen-")).json()
        self.assertTrue(a["metadata"]["name"].startswith("gen-"))
        self.assertNotEqual(a["metadata"]["name"], b["metadata"]["name"])
        self.assertNotEqual(a["metadata"]["uid"], b["metadata"]["uid"])
        self.assertLess(int(a["metadata"]["resourceVersion"]), int(b["metadata"]["resourceVersion"]))
        self.assertRegex(a["metadata"]["creationTimestamp"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        self.assertEqual(a["status"]["phase"], "Pending")
        self.assertEqual(a["spec"]["containers"][0]["terminationMessagePath"], "/dev/termination-log")

    def test_label_and_field_selectors(self):
        path = self.ns("sel")
        for name, labels in (("a", {"app": "x", "tier": "web"}), ("b", {"app": "y"}), ("c", {"tier": "db"})):
            self.fake.post(path, pod_body(name, labels))

        def names(query):
            r = self.fake.get(path + "?" + query)
            self.assertEqual(r.code, 200, r.body)
            return sorted(i["metadata"]["name"] for i in r.json()["items"])
        self.assertEqual(names("labelSelector=app%3Dx"), ["a"])
        self.assertEqual(names("labelSelector=app%21%3Dx"), ["b", "c"])
        self.assertEqual(names("labelSelector=app+in+%28x%2Cy%29"), ["a", "b"])
        self.assertEqual(names("labelSelector=app+notin+%28x%29"), ["b", "c"])
        self.assertEqual(names("labelSelector=tier"), ["a", "c"])
        self.assertEqual(names("labelSelector=%21tier"), ["b"])
        self.assertEqual(names("labelSelector=app%3Dx%2Ctier%3Dweb"), ["a"])
        self.assertEqual(names("fieldSelector=metadata.name%3Db"), ["b"])
        self.assertEqual(names("fieldSelector=status.phase%3DPending"), ["a", "b", "c"])
        self.assertEqual(names("fieldSelector=status.phase%21%3DPending"), [])
        r = self.fake.get(path + "?fieldSelector=spec.bogus%3D1")
        self.assertEqual((r.code, r.json()["message"]), (400, "field label not supported: spec.bogus"))

    def test_limit_and_continue(self):
        path = self.ns("paging")
        for i in range(5):
            self.fake.post(path, pod_body(f"p{i}"))
        seen, cont, pages = [], "", 0
        while True:
            body = self.fake.get(path + "?limit=2" + (f"&continue={cont}" if cont else "")).json()
            seen += [i["metadata"]["name"] for i in body["items"]]
            pages += 1
            cont = body["metadata"].get("continue", "")
            if not cont:
                break
            self.assertEqual(body["metadata"]["remainingItemCount"], 5 - len(seen))
        self.assertEqual((seen, pages), (["p0", "p1", "p2", "p3", "p4"], 3))
        first = self.fake.get(path + "?limit=2").json()
        self.fake.fault({"type": "expire"})
        r = self.fake.get(path + "?limit=2&continue=" + first["metadata"]["continue"])
        self.assertEqual((r.code, r.json()["reason"]), (410, "Expired"))
        old = first["metadata"]["resourceVersion"]
        r = self.fake.get(f"{path}?resourceVersion={old}&resourceVersionMatch=Exact")
        self.assertEqual((r.code, r.json()["reason"]), (410, "Expired"))
        self.assertTrue(r.json()["message"].startswith(f"too old resource version: {old} ("))
        self.assertEqual(self.fake.get(f"{path}?resourceVersion={old}").code, 200, "NotOlderThan reads the latest")

    def _watch(self, path):
        conn, resp = stream_lines(self.fake, path)
        self.addCleanup(conn.close)
        return resp

    def _events(self, resp, n):
        out = []
        while len(out) < n:
            line = resp.readline()
            if not line:
                break
            out.append(json.loads(line))
        return out

    def test_watch_added_modified_deleted_and_bookmarks(self):
        path = self.ns("watch")
        rv = self.fake.get(path).json()["metadata"]["resourceVersion"]
        resp = self._watch(f"{path}?watch=true&resourceVersion={rv}&allowWatchBookmarks=true&labelSelector=w%3D1")
        self.assertEqual(resp.headers["Transfer-Encoding"], "chunked")
        self.fake.post(path, pod_body("w1", {"w": "1"}))
        self.fake.post(path, pod_body("other", {"w": "2"}))
        self.fake.request("PATCH", f"{path}/w1", {"metadata": {"labels": {"extra": "y"}}},
                          headers={"Content-Type": "application/merge-patch+json"})
        self.fake.request("DELETE", f"{path}/w1")
        types, names = [], []
        while len(types) < 4:
            ev = json.loads(resp.readline())
            types.append(ev["type"])
            if ev["type"] == "BOOKMARK":
                self.assertEqual(set(ev["object"]["metadata"]), {"resourceVersion"})
                types.pop()
                continue
            names.append(ev["object"]["metadata"]["name"])
            if len(types) == 3:
                break
        self.assertEqual(types, ["ADDED", "MODIFIED", "DELETED"])
        self.assertEqual(names, ["w1", "w1", "w1"])
        ev = wait_for(lambda: (lambda e: e if e["type"] == "BOOKMARK" else None)(json.loads(resp.readline())),
                      what="a bookmark")
        self.assertEqual(ev["object"]["kind"], "Pod")

    def test_watch_without_resource_version_sends_current_state(self):
        path = self.ns("initial")
        self.fake.post(path, pod_body("i1"))
        resp = self._watch(f"{path}?watch=1&timeoutSeconds=1")
        evs = self._events(resp, 5)
        self.assertEqual([(e["type"], e["object"]["metadata"]["name"]) for e in evs], [("ADDED", "i1")])

    def test_watch_label_change_is_added_or_deleted(self):
        path = self.ns("relabel")
        rv = self.fake.post(path, pod_body("r1", {"sel": "no"})).json()["metadata"]["resourceVersion"]
        resp = self._watch(f"{path}?watch=1&resourceVersion={rv}&labelSelector=sel%3Dyes")
        merge = {"Content-Type": "application/merge-patch+json"}
        self.fake.request("PATCH", f"{path}/r1", {"metadata": {"labels": {"sel": "yes"}}}, headers=merge)
        self.fake.request("PATCH", f"{path}/r1", {"metadata": {"labels": {"sel": "no"}}}, headers=merge)
        self.assertEqual([e["type"] for e in self._events(resp, 2)], ["ADDED", "DELETED"])

    def test_too_old_resource_version_in_stream_and_as_http(self):
        path = self.ns("gone")
        old = self.fake.get(path).json()["metadata"]["resourceVersion"]
        self.fake.fault({"type": "settings", "history_window": 2})
        for i in range(4):
            self.fake.post(path, pod_body(f"g{i}"))
        resp = self._watch(f"{path}?watch=true&resourceVersion={old}")
        self.assertEqual(resp.status, 200)
        ev = json.loads(resp.readline())
        self.assertEqual(ev["type"], "ERROR")
        self.assertEqual((ev["object"]["kind"], ev["object"]["code"], ev["object"]["reason"]),
                         ("Status", 410, "Expired"))
        self.assertRegex(ev["object"]["message"], rf"^too old resource version: {old} \(\d+\)$")
        self.assertEqual(resp.readline(), b"")
        self.fake.fault({"type": "settings", "watch_410": "http"})
        r = self.fake.get(f"{path}?watch=true&resourceVersion={old}")
        self.assertEqual((r.code, r.json()["reason"], r.json()["code"]), (410, "Expired", 410))

    def test_patches(self):
        path = self.ns("patch")
        body = pod_body("pt", {"a": "1"})
        body["spec"]["containers"].append({"name": "side", "image": "busybox"})
        self.fake.post(path, body)
        merge = self.fake.request("PATCH", f"{path}/pt", {"metadata": {"labels": {"a": None, "b": "2"}}},
                                  headers={"Content-Type": "application/merge-patch+json"}).json()
        self.assertEqual(merge["metadata"]["labels"], {"b": "2"})
        smp = self.fake.request("PATCH", f"{path}/pt",
                                {"spec": {"containers": [{"name": "side", "image": "busybox:2"}]}},
                                headers={"Content-Type": "application/strategic-merge-patch+json"}).json()
        self.assertEqual([(c["name"], c["image"]) for c in smp["spec"]["containers"]],
                         [("main", "busybox"), ("side", "busybox:2")])
        jp = self.fake.request("PATCH", f"{path}/pt", [{"op": "add", "path": "/metadata/labels/c", "value": "3"}],
                               headers={"Content-Type": "application/json-patch+json"}).json()
        self.assertEqual(jp["metadata"]["labels"], {"b": "2", "c": "3"})
        status = self.fake.request("PATCH", f"{path}/pt/status", {"status": {"phase": "Running"}},
                                   headers={"Content-Type": "application/merge-patch+json"}).json()
        self.assertEqual(status["status"]["phase"], "Running")
        ignored = self.fake.request("PATCH", f"{path}/pt", {"status": {"phase": "Failed"}},
                                    headers={"Content-Type": "application/merge-patch+json"}).json()
        self.assertEqual(ignored["status"]["phase"], "Running")
        stale = dict(jp, metadata=dict(jp["metadata"], resourceVersion="1"))
        r = self.fake.request("PUT", f"{path}/pt", stale)
        self.assertEqual((r.code, r.json()["reason"]), (409, "Conflict"))
        self.assertIn("the object has been modified", r.json()["message"])

    def test_pod_spec_is_immutable_but_image_is_not(self):
        path = self.ns("immutable")
        self.fake.post(path, pod_body("im"))
        merge = {"Content-Type": "application/merge-patch+json"}
        r = self.fake.request("PATCH", f"{path}/im", {"spec": {"restartPolicy": "Never"}}, headers=merge)
        self.assertEqual((r.code, r.json()["reason"]), (422, "Invalid"))
        self.assertTrue(r.json()["message"].startswith('Pod "im" is invalid: spec: Forbidden: pod updates may not '
                                                       "change fields other than `spec.containers[*].image`"))
        r = self.fake.request("PATCH", f"{path}/im", {"spec": {"containers": [{"name": "main", "image": "b:2"}]}},
                              headers={"Content-Type": "application/strategic-merge-patch+json"})
        self.assertEqual(r.code, 200, r.body)

    def test_delete_preconditions_and_dry_run(self):
        path = self.ns("del")
        r = self.fake.post(path + "?dryRun=All", pod_body("dry"))
        self.assertEqual(r.code, 201)
        self.assertEqual(self.fake.get(f"{path}/dry").code, 404)
        pod = self.fake.post(path, pod_body("d1")).json()
        r = self.fake.request("DELETE", f"{path}/d1", {"preconditions": {"uid": "not-it"}})
        self.assertEqual(r.code, 409)
        self.assertEqual(r.json()["message"], 'Operation cannot be fulfilled on pods "d1": Precondition failed: UID '
                         f'in precondition: not-it, UID in object meta: {pod["metadata"]["uid"]}')
        r = self.fake.request("DELETE", f"{path}/d1", {"kind": "DeleteOptions", "apiVersion": "v1",
                                                        "gracePeriodSeconds": 30, "propagationPolicy": "Background",
                                                        "preconditions": {"uid": pod["metadata"]["uid"]}})
        self.assertEqual(r.code, 200)
        self.assertEqual(self.fake.get(f"{path}/d1").code, 404, "an unscheduled Pod goes at once")

    def test_owner_references_cascade(self):
        self.ns("gc")
        cms = "/api/v1/namespaces/gc/configmaps"
        owner = self.fake.post(cms, {"metadata": {"name": "owner"}}).json()
        ref = [{"apiVersion": "v1", "kind": "ConfigMap", "name": "owner", "uid": owner["metadata"]["uid"]}]
        self.fake.post("/api/v1/namespaces/gc/pods", pod_body("child", ownerReferences=ref))
        self.fake.post(cms, {"metadata": {"name": "kept", "ownerReferences": ref}})
        self.fake.request("DELETE", f"{cms}/owner", {"propagationPolicy": "Background"})
        self.assertEqual(self.fake.get("/api/v1/namespaces/gc/pods/child").code, 404)
        self.assertEqual(self.fake.get(f"{cms}/kept").code, 404)
        owner = self.fake.post(cms, {"metadata": {"name": "owner2"}}).json()
        ref = [{"apiVersion": "v1", "kind": "ConfigMap", "name": "owner2", "uid": owner["metadata"]["uid"]}]
        self.fake.post(cms, {"metadata": {"name": "orphan", "ownerReferences": ref}})
        self.fake.request("DELETE", f"{cms}/owner2", {"propagationPolicy": "Orphan"})
        self.assertNotIn("ownerReferences", self.fake.get(f"{cms}/orphan").json()["metadata"])

    def test_crd_makes_its_resource_served(self):
        crd = {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
               "metadata": {"name": "widgets.example.com"},
               "spec": {"group": "example.com", "scope": "Namespaced",
                        "names": {"plural": "widgets", "kind": "Widget"},
                        "versions": [{"name": "v1", "served": True, "storage": True,
                                      "subresources": {"status": {}}}]}}
        self.assertEqual(self.fake.get("/apis/example.com/v1/namespaces/default/widgets").code, 404)
        r = self.fake.post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd)
        self.assertEqual(r.code, 201, r.body)
        conds = {c["type"]: c["status"] for c in r.json()["status"]["conditions"]}
        self.assertEqual(conds["Established"], "True")
        w = self.fake.post("/apis/example.com/v1/namespaces/default/widgets",
                           {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"},
                            "spec": {"size": 1}, "status": {"ignored": True}}).json()
        self.assertEqual((w["metadata"]["generation"], w.get("status")), (1, {"ignored": True}))
        w = self.fake.request("PATCH", "/apis/example.com/v1/namespaces/default/widgets/w",
                              {"spec": {"size": 2}}, headers={"Content-Type": "application/merge-patch+json"}).json()
        self.assertEqual(w["metadata"]["generation"], 2)
        self.fake.request("DELETE", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com")
        self.assertEqual(self.fake.get("/apis/example.com/v1/namespaces/default/widgets").code, 404)

    def test_namespace_has_default_service_account(self):
        self.ns("sa")
        r = self.fake.get("/api/v1/namespaces/sa/serviceaccounts/default")
        self.assertEqual(r.code, 200)

    def test_concurrent_creates_get_distinct_resource_versions(self):
        path = self.ns("conc")
        rvs = []

        def worker(i):
            rvs.append(self.fake.post(path, pod_body(f"c{i}")).json()["metadata"]["resourceVersion"])
        threads = [threading.Thread(target=worker, args=(i,)) for i in range(10)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(len(set(rvs)), 10)


if __name__ == "__main__":
    unittest.main()
