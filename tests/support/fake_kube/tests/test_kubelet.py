"""The kubelet simulator: scripted status shapes (as research/k8s.md describes them) and process mode."""
import json
import os
import shutil
import tempfile
import time
import unittest

from harness import FakeKube, stream_lines, wait_for

PODS = "/api/v1/namespaces/default/pods"
SCRIPT = "fake.flyte.org/script"


def cstate(pod, i=0):
    statuses = pod["status"].get("containerStatuses") or []
    return statuses[i]["state"] if len(statuses) > i else {}


def conds(pod):
    return {c["type"]: c for c in pod["status"].get("conditions", [])}


class ScriptedTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.seed_dir = tempfile.mkdtemp(prefix="fake-kube-seed-")
        seed = os.path.join(cls.seed_dir, "seed.json")
        with open(seed, "w") as f:
            json.dump({"apiVersion": "v1", "kind": "List", "items": [
                {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "seeded", "namespace": "default"},
                 "data": {"k": "v"}}]}, f)
        cls.fake = FakeKube("--kubelet", "scripted", "--step", "0.02", "--seed", seed,
                            "--image-rule", "my-oom-image=oom")

    @classmethod
    def tearDownClass(cls):
        cls.fake.close()
        shutil.rmtree(cls.seed_dir, ignore_errors=True)

    def test_seed_file_and_image_rule(self):
        self.assertEqual(self.fake.get("/api/v1/namespaces/default/configmaps/seeded").json()["data"], {"k": "v"})
        self.fake.create_pod("rule", containers=[{"name": "main", "image": "registry.example/my-oom-image:2"}])
        self.assertEqual(cstate(self.fake.wait_phase("rule", "Failed"))["terminated"]["reason"], "OOMKilled")

    def events_for(self, name):
        r = self.fake.get(f"/api/v1/namespaces/default/events?fieldSelector=involvedObject.name%3D{name}")
        return [(e["type"], e["reason"], e["message"]) for e in r.json()["items"]]

    def test_success_walks_through_kubelet_states(self):
        self.fake.create_pod("ok", annotations={SCRIPT: "succeed-after:0.3", "fake.flyte.org/logs": "hi\n",
                                                "fake.flyte.org/termination-message": '{"y": 1}'})
        running = wait_for(lambda: (lambda p: p if p and p["status"]["phase"] == "Running" else None)(
            self.fake.pod("ok")), what="Running")
        self.assertEqual(conds(running)["Ready"]["status"], "True")
        self.assertEqual(running["spec"]["nodeName"], "fake-node")
        self.assertIn("running", cstate(running))
        self.assertTrue(running["status"]["containerStatuses"][0]["ready"])
        done = self.fake.wait_phase("ok", "Succeeded")
        t = cstate(done)["terminated"]
        self.assertEqual((t["exitCode"], t["reason"], t["message"]), (0, "Completed", '{"y": 1}'))
        self.assertEqual(conds(done)["Ready"], dict(conds(done)["Ready"], status="False", reason="PodCompleted"))
        self.assertEqual(self.fake.get(f"{PODS}/ok/log").body, b"hi\n")
        reasons = [r for _, r, _ in self.events_for("ok")]
        for r in ("Scheduled", "Pulled", "Created", "Started"):
            self.assertIn(r, reasons)

    def test_exit_code(self):
        self.fake.create_pod("ex", annotations={SCRIPT: "exit:3"})
        t = cstate(self.fake.wait_phase("ex", "Failed"))["terminated"]
        self.assertEqual((t["exitCode"], t["reason"]), (3, "Error"))

    def test_init_container_failure(self):
        self.fake.create_pod("initfail", annotations={SCRIPT: "init-fail:2"},
                             initContainers=[{"name": "setup", "image": "busybox"}])
        pod = self.fake.wait_phase("initfail", "Failed")
        init = pod["status"]["initContainerStatuses"][0]["state"]["terminated"]
        self.assertEqual((init["exitCode"], init["reason"]), (2, "Error"))
        self.assertEqual(cstate(pod), {"waiting": {"reason": "PodInitializing"}})
        self.assertEqual(conds(pod)["Initialized"]["status"], "False")

    def test_active_deadline_fails_the_pod(self):
        self.fake.create_pod("late", annotations={SCRIPT: "hang"}, activeDeadlineSeconds=1)
        pod = self.fake.wait_phase("late", "Failed")
        self.assertEqual((pod["status"]["reason"], pod["status"]["message"]),
                         ("DeadlineExceeded", "Pod was active on the node longer than the specified deadline"))
        self.assertEqual(cstate(pod)["terminated"]["exitCode"], 137)

    def test_node_is_registered(self):
        node = self.fake.get("/api/v1/nodes/fake-node").json()
        ready = {c["type"]: c["status"] for c in node["status"]["conditions"]}["Ready"]
        self.assertEqual(ready, "True")

    def test_oom(self):
        self.fake.create_pod("oom", annotations={SCRIPT: "oom"})
        t = cstate(self.fake.wait_phase("oom", "Failed"))["terminated"]
        self.assertEqual((t["exitCode"], t["reason"]), (137, "OOMKilled"))

    def test_image_pull_backoff(self):
        self.fake.create_pod("pull", containers=[{"name": "main", "image": "registry.example/fake-missing:1"}])
        pod = wait_for(lambda: (lambda p: p if p and cstate(p).get("waiting", {}).get("reason") == "ImagePullBackOff"
                                else None)(self.fake.pod("pull")), what="ImagePullBackOff")
        self.assertEqual(pod["status"]["phase"], "Pending")
        self.assertEqual(cstate(pod)["waiting"]["message"], 'Back-off pulling image "registry.example/fake-missing:1"')
        self.assertEqual(conds(pod)["Ready"]["reason"], "ContainersNotReady")
        ev = self.events_for("pull")
        self.assertIn(("Warning", "Failed", "Error: ErrImagePull"), ev)
        self.assertIn(("Normal", "BackOff", 'Back-off pulling image "registry.example/fake-missing:1"'), ev)
        r = self.fake.get(f"{PODS}/pull/log")
        self.assertEqual((r.code, r.json()["message"]),
                         (400, 'container "main" in pod "pull" is waiting to start: trying and failing to pull image'))

    def test_repeated_events_are_counted_in_both_event_apis(self):
        self.fake.create_pod("backoff", containers=[{"name": "main", "image": "fake-missing"}])
        sel = "fieldSelector=regarding.name%3Dbackoff,reason%3DBackOff"
        ev = wait_for(lambda: (lambda items: items[0] if items and items[0].get("series", {}).get("count", 0) >= 2
                               else None)(self.fake.get(f"/apis/events.k8s.io/v1/namespaces/default/events?{sel}")
                                          .json()["items"]), what="a BackOff event seen twice")
        self.assertEqual((ev["regarding"]["kind"], ev["regarding"]["fieldPath"], ev["reportingController"]),
                         ("Pod", "spec.containers{main}", "kubelet"))
        core = self.fake.get("/api/v1/namespaces/default/events?fieldSelector=involvedObject.name%3Dbackoff,"
                             "reason%3DBackOff").json()["items"]
        self.assertEqual(len(core), 1)
        self.assertGreaterEqual(core[0]["count"], 2)

    def test_log_options(self):
        self.fake.create_pod("logopts", annotations={SCRIPT: "succeed", "fake.flyte.org/logs": "one\ntwo\nthree\n"})
        self.fake.wait_phase("logopts", "Succeeded")
        get = lambda q: self.fake.get(f"{PODS}/logopts/log?{q}").body
        self.assertEqual(get("tailLines=2"), b"two\nthree\n")
        self.assertEqual(get("limitBytes=6"), b"one\ntw")
        self.assertEqual(get("sinceTime=2000-01-01T00:00:00Z"), b"one\ntwo\nthree\n")
        self.assertEqual(get("sinceTime=2999-01-01T00:00:00Z"), b"")
        r = self.fake.get(f"{PODS}/logopts/log?container=nope")
        self.assertEqual((r.code, r.json()["message"]), (400, "container nope is not valid for pod logopts"))

    def test_invalid_image_name(self):
        self.fake.create_pod("inv", containers=[{"name": "main", "image": "Bad:Image"}])
        pod = wait_for(lambda: (lambda p: p if p and "waiting" in cstate(p) and
                                cstate(p)["waiting"]["reason"] == "InvalidImageName" else None)(self.fake.pod("inv")),
                       what="InvalidImageName")
        self.assertIn("couldn't parse image name", cstate(pod)["waiting"]["message"])

    def test_evicted(self):
        self.fake.create_pod("ev", annotations={SCRIPT: "evicted"})
        pod = self.fake.wait_phase("ev", "Failed")
        self.assertEqual(pod["status"]["reason"], "Evicted")
        self.assertTrue(pod["status"]["message"].startswith("The node was low on resource: memory."))
        self.assertEqual(conds(pod)["DisruptionTarget"]["reason"], "TerminationByKubelet")
        self.assertEqual(cstate(pod)["terminated"]["exitCode"], 137)

    def test_unschedulable(self):
        self.fake.create_pod("unsched", annotations={SCRIPT: "unschedulable"})
        pod = wait_for(lambda: (lambda p: p if p and "PodScheduled" in conds(p) else None)(self.fake.pod("unsched")),
                       what="PodScheduled condition")
        c = conds(pod)["PodScheduled"]
        self.assertEqual((c["status"], c["reason"]), ("False", "Unschedulable"))
        self.assertTrue(c["message"].startswith("0/1 nodes are available: 1 Insufficient cpu."))
        self.assertEqual(pod["status"]["phase"], "Pending")
        self.assertNotIn("nodeName", pod["spec"])

    def test_missing_secret_is_config_error_until_created(self):
        env = [{"name": "T", "valueFrom": {"secretKeyRef": {"name": "later", "key": "k"}}}]
        self.fake.create_pod("cfg", containers=[{"name": "main", "image": "busybox", "env": env}])
        pod = wait_for(lambda: (lambda p: p if p and cstate(p).get("waiting", {}).get("reason") ==
                                "CreateContainerConfigError" else None)(self.fake.pod("cfg")), what="config error")
        self.assertEqual(cstate(pod)["waiting"]["message"], 'secret "later" not found')
        self.fake.post("/api/v1/namespaces/default/secrets", {"metadata": {"name": "later"}, "stringData": {"k": "v"}})
        self.fake.wait_phase("cfg", "Succeeded")

    def test_deleted_by_someone_else(self):
        self.fake.create_pod("gone", annotations={SCRIPT: "delete"})
        wait_for(lambda: self.fake.get(f"{PODS}/gone").code == 404, what="pod removed")

    def test_node_lost_leaves_pod_terminating(self):
        self.fake.create_pod("lost", annotations={SCRIPT: "node-lost"})
        pod = wait_for(lambda: (lambda p: p if p and p["metadata"].get("deletionTimestamp") else None)(
            self.fake.pod("lost")), what="deletionTimestamp")
        self.assertEqual(conds(pod)["DisruptionTarget"]["reason"], "DeletionByTaintManager")
        self.assertEqual(conds(pod)["Ready"]["status"], "False")
        self.assertEqual(pod["status"]["phase"], "Running")
        self.assertEqual(self.fake.request("DELETE", f"{PODS}/lost?gracePeriodSeconds=0").code, 200)
        self.assertEqual(self.fake.get(f"{PODS}/lost").code, 404)

    def test_graceful_delete_of_running_pod(self):
        self.fake.create_pod("hang", annotations={SCRIPT: "hang"})
        self.fake.wait_phase("hang", "Running")
        r = self.fake.request("DELETE", f"{PODS}/hang")
        self.assertEqual(r.code, 200)
        self.assertIn("deletionTimestamp", r.json()["metadata"])
        wait_for(lambda: self.fake.get(f"{PODS}/hang").code == 404, what="pod removed after kill")

    def test_termination_message_is_cut_to_4096_bytes(self):
        msg = "a" * 904 + "b" * 4096
        self.fake.create_pod("long", annotations={SCRIPT: "succeed", "fake.flyte.org/termination-message": msg})
        t = cstate(self.fake.wait_phase("long", "Succeeded"))["terminated"]
        self.assertEqual(t["message"], "b" * 4096)


class ProcessTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.fake = FakeKube("--kubelet", "process", "--step", "0.01")
        cls.tmp = tempfile.mkdtemp(prefix="fake-kube-host-")
        if not cls.fake.get("/_fake/state", token=False).json()["kubelet"]["unshare"]:
            cls.fake.close()
            raise unittest.SkipTest("process mode needs root and unshare -m for volume mounts")

    @classmethod
    def tearDownClass(cls):
        cls.fake.close()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_pod_runs_with_volumes_env_and_termination_message(self):
        f = self.fake
        f.post("/api/v1/namespaces/default/configmaps", {"metadata": {"name": "inputs"},
                                                         "data": {"x": "41", "other": "unused"}})
        f.post("/api/v1/namespaces/default/secrets", {"metadata": {"name": "creds"},
                                                      "stringData": {"token": "s3cret"}})
        script = ("echo out-line; echo err-line >&2; x=$(cat /var/flyte/inputs/value); "
                  "echo $((x + 1)) > /var/flyte/outputs/y; cp /var/flyte/outputs/y $HOSTDIR/y; "
                  "printf '{\"y\": %s}' $((x + 1)) > /dev/termination-log; "
                  "echo \"tok=$TOKEN pwd=$(pwd) cm=$CM_x ls=$(ls /var/flyte/inputs)\"; exit 3")
        f.create_pod("proc", containers=[{
            "name": "task", "image": "ignored", "command": ["/bin/sh", "-c"], "args": [script], "workingDir": "/tmp",
            "env": [{"name": "TOKEN", "valueFrom": {"secretKeyRef": {"name": "creds", "key": "token"}}},
                    {"name": "HOSTDIR", "value": "/host"}],
            "envFrom": [{"configMapRef": {"name": "inputs"}, "prefix": "CM_"}],
            "volumeMounts": [{"name": "in", "mountPath": "/var/flyte/inputs"},
                             {"name": "out", "mountPath": "/var/flyte/outputs"},
                             {"name": "host", "mountPath": "/host"}]}],
            volumes=[{"name": "in", "configMap": {"name": "inputs", "items": [{"key": "x", "path": "value"}]}},
                     {"name": "out", "emptyDir": {}}, {"name": "host", "hostPath": {"path": self.tmp}}])
        pod = f.wait_phase("proc", "Failed")
        t = cstate(pod)["terminated"]
        self.assertEqual((t["exitCode"], t["reason"], t["message"]), (3, "Error", '{"y": 42}'))
        with open(os.path.join(self.tmp, "y")) as fh:
            self.assertEqual(fh.read(), "42\n")
        log = f.get(f"{PODS}/proc/log").body.decode()
        self.assertIn("out-line\n", log)
        self.assertIn("err-line\n", log)
        self.assertIn("tok=s3cret pwd=/tmp cm=41 ls=value\n", log)
        stamped = f.get(f"{PODS}/proc/log?timestamps=true&tailLines=1").body.decode()
        self.assertRegex(stamped, r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z tok=")
        self.assertFalse(os.path.exists("/var/flyte/inputs/value"), "mounts stay inside the container")

    def test_long_termination_message_and_fallback_to_logs(self):
        self.fake.create_pod("big", containers=[{"name": "main", "image": "x", "command": [
            "/bin/sh", "-c", "head -c 5000 /dev/zero | tr '\\0' m > /dev/termination-log"]}])
        t = cstate(self.fake.wait_phase("big", "Succeeded"))["terminated"]
        self.assertEqual(len(t["message"]), 4096)
        self.fake.create_pod("fallback", containers=[{"name": "main", "image": "x", "terminationMessagePolicy":
                                                      "FallbackToLogsOnError",
                                                      "command": ["/bin/sh", "-c", "echo boom; exit 1"]}])
        t = cstate(self.fake.wait_phase("fallback", "Failed"))["terminated"]
        self.assertEqual(t["message"], "boom\n")

    def test_init_container_runs_first(self):
        self.fake.create_pod(
            "init", initContainers=[{"name": "setup", "image": "x",
                                     "command": ["/bin/sh", "-c", "echo prepared > /scratch/ready"],
                                     "volumeMounts": [{"name": "w", "mountPath": "/scratch"}]}],
            containers=[{"name": "main", "image": "x", "command": ["cat", "/scratch/ready"],
                         "volumeMounts": [{"name": "w", "mountPath": "/scratch"}]}],
            volumes=[{"name": "w", "emptyDir": {}}])
        pod = self.fake.wait_phase("init", "Succeeded")
        self.assertEqual(pod["status"]["initContainerStatuses"][0]["state"]["terminated"]["exitCode"], 0)
        self.assertEqual(self.fake.get(f"{PODS}/init/log?container=main").body, b"prepared\n")
        self.assertEqual(self.fake.get(f"{PODS}/init/log?container=setup").body, b"")
        self.assertFalse(os.path.exists("/scratch/ready"))

    def test_follow_streams_while_running_and_delete_kills_group(self):
        pidfile = os.path.join(self.tmp, "child.pid")
        self.fake.create_pod("follow", containers=[{
            "name": "main", "image": "x", "command": ["/bin/sh", "-c",
                                                     f"sleep 300 & echo $! > {pidfile}; echo first; wait"],
            "volumeMounts": []}])
        self.fake.wait_phase("follow", "Running")
        conn, resp = stream_lines(self.fake, f"{PODS}/follow/log?follow=true")
        self.addCleanup(conn.close)
        self.assertEqual(resp.readline(), b"first\n")
        child = int(wait_for(lambda: open(pidfile).read().strip() if os.path.exists(pidfile) else None,
                             what="child pid"))
        procs = self.fake.get("/_fake/state", token=False).json()["kubelet"]["processes"]
        self.assertEqual([p["pod"] for p in procs if p["pod"] == "follow"], ["follow"])
        self.fake.request("DELETE", f"{PODS}/follow", {"gracePeriodSeconds": 1})
        self.assertEqual(resp.readline(), b"", "the followed log ends when the container is killed")
        wait_for(lambda: self.fake.get(f"{PODS}/follow").code == 404, what="pod removed")
        wait_for(lambda: not os.path.exists(f"/proc/{child}"), what="child process killed")

    def test_in_cluster_service_account(self):
        sa = "/var/run/secrets/kubernetes.io/serviceaccount"
        client = ("import os, urllib.request; "
                  f"t = open('{sa}/token').read(); ns = open('{sa}/namespace').read(); "
                  "u = f\"http://{os.environ['KUBERNETES_SERVICE_HOST']}:{os.environ['KUBERNETES_SERVICE_PORT']}"
                  "/api/v1/namespaces/{ns}/pods/incluster\"; "
                  "r = urllib.request.Request(u, headers={'Authorization': 'Bearer ' + t}); "
                  "print(urllib.request.urlopen(r).status, ns)")
        pod = self.fake.create_pod("incluster", containers=[{"name": "main", "image": "x",
                                                              "command": ["/usr/bin/python3", "-c", client]}])
        volume = [v for v in pod["spec"]["volumes"] if v["name"].startswith("kube-api-access-")]
        self.assertEqual(len(volume), 1)
        self.assertEqual(pod["spec"]["containers"][0]["volumeMounts"][-1]["mountPath"], sa)
        since = self.fake.last_seq()
        self.fake.wait_phase("incluster", "Succeeded")
        self.assertEqual(self.fake.get(f"{PODS}/incluster/log").body, b"200 default\n")
        users = {r.get("user") for r in self.fake.requests(since) if r["path"].endswith("/incluster")}
        self.assertIn("system:serviceaccount:default:default", users)

    def test_sigterm_ignored_means_sigkill_after_grace(self):
        rv = self.fake.get(PODS).json()["metadata"]["resourceVersion"]
        conn, resp = stream_lines(self.fake, f"{PODS}?watch=1&resourceVersion={rv}&fieldSelector=metadata.name%3Dtrap")
        self.addCleanup(conn.close)
        self.fake.create_pod("trap", containers=[{"name": "main", "image": "x", "command": [
            "/bin/sh", "-c", "trap '' TERM; echo trapped; while :; do sleep 0.1; done"]}])
        self.fake.wait_phase("trap", "Running")
        wait_for(lambda: self.fake.get(f"{PODS}/trap/log").body == b"trapped\n", what="the trap installed")
        started = time.time()
        self.fake.request("DELETE", f"{PODS}/trap", {"gracePeriodSeconds": 1})
        while True:
            ev = json.loads(resp.readline())
            if ev["type"] == "DELETED":
                break
        self.assertGreaterEqual(time.time() - started, 1.0, "SIGKILL waits for the grace period")
        t = cstate(ev["object"])["terminated"]
        self.assertEqual((t["exitCode"], t["reason"]), (137, "Error"))
        self.assertIn("deletionTimestamp", ev["object"]["metadata"])

    def test_unknown_command_is_start_error(self):
        self.fake.create_pod("nocmd", containers=[{"name": "main", "image": "x", "command": ["no-such-binary"]}])
        t = cstate(self.fake.wait_phase("nocmd", "Failed"))["terminated"]
        self.assertEqual((t["exitCode"], t["reason"]), (128, "StartError"))
        self.assertIn('exec: "no-such-binary": executable file not found in $PATH', t["message"])


if __name__ == "__main__":
    unittest.main()


class DaskOperatorTest(unittest.TestCase):
    """The DaskJob operator emulation, with the runner Pod run for real by the process kubelet."""

    JOBS = "/apis/kubernetes.dask.org/v1/namespaces/default/daskjobs"

    @classmethod
    def setUpClass(cls):
        cls.fake = FakeKube("--kubelet", "process", "--operators", "dask", "--step", "0.01")
        if not cls.fake.get("/_fake/state", token=False).json()["kubelet"]["unshare"]:
            cls.fake.close()
            raise unittest.SkipTest("process mode needs root and unshare -m for the termination-log mount")

    @classmethod
    def tearDownClass(cls):
        cls.fake.close()

    def job(self, name, command, annotations=None):
        body = {"apiVersion": "kubernetes.dask.org/v1", "kind": "DaskJob",
                "metadata": {"name": name, "annotations": annotations or {}, "labels": {"team": "a"}},
                "spec": {"job": {"spec": {"restartPolicy": "Never", "containers": [
                    {"name": "job-runner", "image": "x", "command": ["/bin/sh", "-c", command]}]}},
                         "cluster": {"spec": {
                             "worker": {"replicas": 2, "spec": {"containers": [{"name": "dask-worker",
                                                                                 "image": "x"}]}},
                             "scheduler": {"spec": {"containers": [{"name": "scheduler", "image": "x"}]},
                                           "service": {"ports": [{"name": "tcp-comm", "port": 8786}]}}}}}}
        r = self.fake.post(self.JOBS, body)
        self.assertEqual(r.code, 201, r.body)

    def status(self, name):
        return self.fake.get(f"{self.JOBS}/{name}").json().get("status") or {}

    def test_job_runs_and_succeeds(self):
        self.job("dj", 'echo "$DASK_SCHEDULER_ADDRESS"; printf done > /dev/termination-log')
        st = wait_for(lambda: (lambda s: s if s.get("jobStatus") == "Successful" else None)(self.status("dj")),
                      what="jobStatus Successful")
        self.assertEqual((st["clusterName"], st["jobRunnerPodName"]), ("dj", "dj-runner"))
        self.assertIn("startTime", st)
        self.assertIn("endTime", st)
        runner = self.fake.pod("dj-runner")
        self.assertEqual(runner["metadata"]["labels"]["dask.org/component"], "job-runner")
        self.assertEqual(runner["metadata"]["labels"]["team"], "a", "the job's labels reach its Pods")
        # The DaskCluster, its worker group, scheduler Service and Pods went when the runner ended.
        group = "/apis/kubernetes.dask.org/v1/namespaces/default"
        wait_for(lambda: self.fake.get(f"{group}/daskclusters/dj").code == 404, what="DaskCluster deleted")
        wait_for(lambda: self.fake.get(f"{group}/daskworkergroups/dj-default").code == 404, what="group deleted")
        wait_for(lambda: self.fake.get("/api/v1/namespaces/default/services/dj-scheduler").code == 404,
                 what="scheduler Service deleted")
        self.assertEqual(cstate(runner)["terminated"]["message"], "done")
        self.assertEqual(self.fake.get(f"{PODS}/dj-runner/log").body,
                         b"tcp://dj-scheduler.default.svc.cluster.local:8786\n")
        wait_for(lambda: not self.fake.get(f"{PODS}?labelSelector=dask.org/cluster-name%3Ddj,"
                                           "dask.org/component%3Dworker").json()["items"], what="workers deleted")
        self.fake.request("DELETE", f"{self.JOBS}/dj", {"propagationPolicy": "Background"})
        self.assertEqual(self.fake.get(f"{PODS}/dj-runner").code, 404, "the runner goes with its DaskJob")

    def test_cluster_while_the_job_runs(self):
        self.job("djrun", "exit 0", annotations={SCRIPT: "hang"})
        wait_for(lambda: self.status("djrun").get("jobStatus") == "Running", what="jobStatus Running")
        group = "/apis/kubernetes.dask.org/v1/namespaces/default"
        cluster = self.fake.get(f"{group}/daskclusters/djrun").json()
        self.assertEqual(cluster["metadata"]["ownerReferences"][0]["kind"], "DaskJob")
        self.assertEqual(cluster["status"]["phase"], "Running")
        wg = self.fake.get(f"{group}/daskworkergroups/djrun-default").json()
        self.assertEqual(wg["metadata"]["ownerReferences"][0]["kind"], "DaskCluster")
        workers = self.fake.get(f"{PODS}?labelSelector=dask.org/cluster-name%3Ddjrun,"
                                "dask.org/component%3Dworker").json()["items"]
        self.assertEqual(len(workers), 2)
        self.assertEqual({w["metadata"]["ownerReferences"][0]["name"] for w in workers}, {"djrun-default"})
        self.assertEqual(self.fake.pod("djrun-scheduler")["metadata"]["ownerReferences"][0]["kind"], "DaskCluster")
        self.fake.request("DELETE", f"{self.JOBS}/djrun", {"propagationPolicy": "Background"})
        wait_for(lambda: not self.fake.get(f"{PODS}?labelSelector=dask.org/cluster-name%3Ddjrun").json()["items"],
                 what="every Pod of the job deleted with it")

    def test_runner_failure_fails_the_job(self):
        self.job("djfail", "exit 0", annotations={SCRIPT: "exit:5"})
        wait_for(lambda: self.status("djfail").get("jobStatus") == "Failed", what="jobStatus Failed")
        t = cstate(self.fake.pod("djfail-runner"))["terminated"]
        self.assertEqual(t["exitCode"], 5)


class SimpleOperatorsTest(unittest.TestCase):
    """The Ray, Spark and PyTorch operator emulations: status sequences around a main Pod run for real."""

    @classmethod
    def setUpClass(cls):
        cls.fake = FakeKube("--kubelet", "process", "--operators", "ray,spark,pytorch", "--step", "0.01")
        if not cls.fake.get("/_fake/state", token=False).json()["kubelet"]["unshare"]:
            cls.fake.close()
            raise unittest.SkipTest("process mode needs root and unshare -m")

    @classmethod
    def tearDownClass(cls):
        cls.fake.close()

    @staticmethod
    def template(command):
        return {"metadata": {"labels": {"role": "main"}},
                "spec": {"restartPolicy": "Never",
                         "containers": [{"name": "main", "image": "x", "command": ["/bin/sh", "-c", command]}]}}

    def run_to_end(self, path, body, done):
        r = self.fake.post(path, body)
        self.assertEqual(r.code, 201, r.body)
        name = body["metadata"]["name"]
        return wait_for(lambda: (lambda s: s if done(s) else None)(
            self.fake.get(f"{path}/{name}").json().get("status") or {}), what=f"{name} done")

    def test_rayjob_succeeds_with_its_submitter(self):
        st = self.run_to_end("/apis/ray.io/v1/namespaces/default/rayjobs",
                             {"apiVersion": "ray.io/v1", "kind": "RayJob", "metadata": {"name": "rj"},
                              "spec": {"entrypoint": "true", "submitterPodTemplate": self.template(
                                  # as KubeRay, the operator tells the submitter where the cluster is
                                  'case "$RAY_DASHBOARD_ADDRESS" in '
                                  'rj-raycluster-?????-head-svc.default.svc.cluster.local:8265) exit 0;; esac; exit 1'),
                                       "rayClusterSpec": {"headGroupSpec": {"template": {"spec": {
                                           "containers": [{"name": "ray-head", "image": "x"}]}}}}}},
                             lambda s: s.get("jobDeploymentStatus") in ("Complete", "Failed"))
        self.assertEqual((st["jobDeploymentStatus"], st["jobStatus"]), ("Complete", "SUCCEEDED"))
        pods = [p["metadata"]["name"] for p in self.fake.get(f"{PODS}?labelSelector=role%3Dmain").json()["items"]]
        self.assertEqual(len([p for p in pods if p.startswith("rj-")]), 1, pods)

    def test_sparkapplication_failure_says_the_exit_code(self):
        st = self.run_to_end("/apis/sparkoperator.k8s.io/v1beta2/namespaces/default/sparkapplications",
                             {"apiVersion": "sparkoperator.k8s.io/v1beta2", "kind": "SparkApplication",
                              "metadata": {"name": "sa"},
                              "spec": {"driver": {"template": self.template("exit 3")}, "executor": {"instances": 1}}},
                             lambda s: (s.get("applicationState") or {}).get("state") in ("COMPLETED", "FAILED"))
        self.assertEqual(st["applicationState"]["state"], "FAILED")
        self.assertIn("ExitCode: 3", st["applicationState"]["errorMessage"])
        self.assertEqual(self.fake.pod("sa-driver")["metadata"]["labels"]["role"], "main")

    def test_pytorchjob_conditions_end_succeeded(self):
        st = self.run_to_end("/apis/kubeflow.org/v1/namespaces/default/pytorchjobs",
                             {"apiVersion": "kubeflow.org/v1", "kind": "PyTorchJob", "metadata": {"name": "pt"},
                              "spec": {"pytorchReplicaSpecs": {"Master": {"replicas": 1,
                                                                          "template": self.template("exit 0")}}}},
                             lambda s: any(c["type"] in ("Succeeded", "Failed") for c in s.get("conditions") or []))
        self.assertEqual([c["type"] for c in st["conditions"] if c["status"] == "True"], ["Created", "Succeeded"])
