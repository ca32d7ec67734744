// The plugin builders and status readers (kube/plugins): what each custom resource looks like
// and what each operator's status means for the attempt. Pure functions, no cluster.
#include <catch2/catch.hpp>

#include "kube/manifest.h"
#include "kube/plugins/plugin.h"
#include "nlohmann/json.hpp"
#include "support/compile_helpers.h"

namespace flyte {
namespace {

using json = nlohmann::json;
using Phase = kube::ResourceState::Phase;

// The task's Pod as the Pod runner builds it, for the builders to wrap.
std::string TaskPod() {
  kube::PodRequest p;
  p.name = "r1-sum-0-abcde";
  p.ns = "default";
  p.image = "ghcr.io/dask/dask:2024.8.0";
  p.command = {"/var/run/flyte/bin/flyte-pod", "--", "python3", "-c", "print('hi there')"};
  p.labels = {{"app.kubernetes.io/managed-by", "flyte"}};
  return *kube::PodManifest(p);
}

json Build(const std::string& yaml, bool interruptible = false) {
  auto file = testing::Compiled(yaml);
  REQUIRE(file);
  kube::ResourceInput in;
  in.name = "r1-sum-0-abcde";
  in.ns = "default";
  in.labels = {{"app.kubernetes.io/managed-by", "flyte"}};
  in.pod_json = TaskPod();
  in.image = "ghcr.io/dask/dask:2024.8.0";
  in.plugin = &file->tasks[0].spec->plugin;
  if (interruptible) {
    in.interruptible_node_selector = {{"pool", "spot"}};
    in.interruptible_tolerations_json = R"([{"key":"spot","operator":"Exists"}])";
  }
  in.vars = {{"inputs.n", "3"}, {"execution.id", "\"r1\""}};
  Result<kube::BuiltResource> built = kube::BuildResource(in);
  REQUIRE(built.ok());
  return json::parse(built->body);
}

kube::CustomObject Status(const json& status) {
  kube::CustomObject o;
  o.meta.name = "r1-sum-0-abcde";
  std::function<void(const json&, const std::string&)> flatten = [&](const json& j,
                                                                     const std::string& prefix) {
    if (j.is_object()) {
      for (auto& [k, v] : j.items()) flatten(v, prefix.empty() ? k : prefix + "." + k);
    } else if (j.is_array()) {
      for (size_t i = 0; i < j.size(); ++i) flatten(j[i], prefix + "." + std::to_string(i));
    } else {
      o.status[prefix] = j.is_string() ? j.get<std::string>() : j.dump();
    }
  };
  flatten(status, "");
  return o;
}

TEST_CASE("plugins: a Dask task becomes a DaskJob shaped as Flyte's Dask plugin builds it") {
  json job = Build(R"(
tasks:
  sum:
    plugin: dask
    image: ghcr.io/dask/dask:2024.8.0
    dask:
      workers: {replicas: 3, resources: {cpu: 1, mem: 2Gi, limits: {cpu: 2, mem: 4Gi}}}
      scheduler: {image: ghcr.io/dask/dask:2024.9.0, resources: {cpu: 500m}}
    script: echo
)",
                   true);
  CHECK(job["apiVersion"] == "kubernetes.dask.org/v1");
  CHECK(job["kind"] == "DaskJob");
  CHECK(job["metadata"]["name"] == "r1-sum-0-abcde");
  const json& runner = job["spec"]["job"];
  CHECK(runner["metadata"]["labels"]["flyte.org/resource"] == "r1-sum-0-abcde");
  CHECK(runner["spec"]["restartPolicy"] == "Never");
  CHECK(runner["spec"]["containers"][0]["name"] == "job-runner");
  CHECK(runner["spec"]["containers"][0]["command"][0] == "/var/run/flyte/bin/flyte-pod");
  CHECK_FALSE(runner["spec"].contains("tolerations"));  // the runner stays on regular nodes
  const json& cluster = job["spec"]["cluster"]["spec"];
  const json& scheduler = cluster["scheduler"]["spec"];
  CHECK(scheduler["restartPolicy"] == "Always");
  CHECK(scheduler["containers"][0]["name"] == "scheduler");
  CHECK(scheduler["containers"][0]["image"] == "ghcr.io/dask/dask:2024.9.0");
  CHECK(scheduler["containers"][0]["args"] == json::array({"dask-scheduler"}));
  CHECK(scheduler["containers"][0]["ports"][0]["containerPort"] == 8786);
  CHECK(scheduler["containers"][0]["ports"][1]["containerPort"] == 8787);
  CHECK(scheduler["containers"][0]["readinessProbe"]["httpGet"]["port"] == "dashboard");
  CHECK(scheduler["containers"][0]["resources"]["requests"]["cpu"] == "500m");
  CHECK(cluster["scheduler"]["service"]["type"] == "ClusterIP");
  CHECK(cluster["scheduler"]["service"]["selector"]["dask.org/component"] == "scheduler");
  const json& worker = cluster["worker"];
  CHECK(worker["replicas"] == 3);
  CHECK(worker["spec"]["restartPolicy"] == "Always");
  CHECK(worker["spec"]["containers"][0]["name"] == "dask-worker");
  CHECK(worker["spec"]["containers"][0]["image"] == "ghcr.io/dask/dask:2024.8.0");
  CHECK(worker["spec"]["containers"][0]["args"] ==
        json::array({"dask-worker", "--name", "$(DASK_WORKER_NAME)", "--nthreads", "2",
                     "--memory-limit", "4Gi"}));
  CHECK(worker["spec"]["containers"][0]["resources"]["limits"]["memory"] == "4Gi");
  CHECK(worker["spec"]["nodeSelector"]["pool"] == "spot");  // interruptible: workers only
  CHECK(worker["spec"]["tolerations"][0]["key"] == "spot");
}

TEST_CASE("plugins: the Dask operator's jobStatus maps to the attempt's phase") {
  CHECK(kube::DaskState(Status(json::object())).phase == Phase::kNoStatus);
  CHECK(kube::DaskState(Status({{"jobStatus", "JobCreated"}})).phase == Phase::kInitializing);
  CHECK(kube::DaskState(Status({{"jobStatus", "ClusterCreated"}})).phase == Phase::kInitializing);
  CHECK(kube::DaskState(Status({{"jobStatus", "Running"}})).phase == Phase::kRunning);
  CHECK(kube::DaskState(Status({{"jobStatus", "Successful"}})).phase == Phase::kSucceeded);
  CHECK(kube::DaskState(Status({{"jobStatus", "Failed"}})).phase == Phase::kFailed);
  kube::ResourceState odd = kube::DaskState(Status({{"jobStatus", "Rebalancing"}}));
  CHECK(odd.phase == Phase::kRunning);
  CHECK(odd.unknown == "jobStatus Rebalancing");
}

TEST_CASE("plugins: Ray, Spark and PyTorch states, unknown values kept running") {
  CHECK(kube::RayState(Status({{"jobDeploymentStatus", "Initializing"}})).phase ==
        Phase::kInitializing);
  CHECK(kube::RayState(Status({{"jobDeploymentStatus", "Complete"}, {"jobStatus", "SUCCEEDED"}}))
            .phase == Phase::kSucceeded);
  CHECK(kube::RayState(Status({{"jobDeploymentStatus", "Complete"}, {"jobStatus", "STOPPED"}}))
            .phase == Phase::kFailed);
  kube::ResourceState failed = kube::RayState(Status(
      {{"jobDeploymentStatus", "Failed"}, {"reason", "AppFailed"}, {"message", "exit code 3"}}));
  CHECK(failed.reason == "[AppFailed] exit code 3");
  CHECK_FALSE(kube::RayState(Status({{"jobDeploymentStatus", "ValidationFailed"}})).retryable);
  CHECK(kube::RayState(Status({{"jobDeploymentStatus", "Paused"}})).unknown ==
        "jobDeploymentStatus Paused");
  CHECK(kube::SparkState(Status({{"applicationState", {{"state", "SUBMITTED"}}}})).phase ==
        Phase::kInitializing);
  kube::ResourceState spark = kube::SparkState(
      Status({{"applicationState", {{"state", "FAILED"}, {"errorMessage", "driver exit 1"}}}}));
  CHECK(spark.phase == Phase::kFailed);
  CHECK(spark.reason == "SparkApplication FAILED: driver exit 1");
  // PyTorchJob: the newest condition that is True.
  json conditions = json::array(
      {{{"type", "Created"}, {"status", "True"}},
       {{"type", "Running"}, {"status", "False"}},
       {{"type", "Failed"}, {"status", "True"}, {"reason", "Boom"}, {"message", "master failed"}}});
  kube::ResourceState torch = kube::PyTorchState(Status({{"conditions", conditions}}));
  CHECK(torch.phase == Phase::kFailed);
  CHECK(torch.reason == "Boom - master failed");
  CHECK(kube::PyTorchState(
            Status({{"conditions", json::array({{{"type", "Created"}, {"status", "True"}}})}}))
            .phase == Phase::kQueued);
}

TEST_CASE("plugins: Ray, Spark and PyTorch resources carry the task's Pod as their main Pod") {
  json ray = Build(R"(
tasks:
  t:
    plugin: ray
    ray: {workers: {replicas: 2}, runtime_env: {pip: [numpy]}}
    command: [python3, -V]
)");
  CHECK(ray["kind"] == "RayJob");
  CHECK(ray["spec"]["submitterPodTemplate"]["spec"]["containers"][0]["name"] ==
        "ray-job-submitter");
  CHECK(ray["spec"]["entrypoint"] ==
        "/var/run/flyte/bin/flyte-pod -- python3 -c 'print('\\''hi there'\\'')'");
  CHECK(ray["spec"]["rayClusterSpec"]["workerGroupSpecs"][0]["replicas"] == 2);
  // The submitter runs the command as the Ray driver, RAY_ADDRESS derived from what KubeRay sets.
  const json& command = ray["spec"]["submitterPodTemplate"]["spec"]["containers"][0]["command"];
  CHECK(command[0] == "/bin/sh");
  CHECK_THAT(command[2].get<std::string>(), Catch::Contains("RAY_DASHBOARD_ADDRESS"));
  CHECK(command[4] == "/var/run/flyte/bin/flyte-pod");
  CHECK(ray["spec"]["runtimeEnvYAML"] == R"({"pip":["numpy"]})");
  json spark = Build(R"(
tasks:
  t:
    plugin: spark
    spark: {executor: {replicas: 4, resources: {cpu: 2, mem: 3Gi}}, conf: {spark.a: "1"}}
    command: [python3]
)");
  CHECK(spark["spec"]["driver"]["template"]["spec"]["containers"][0]["name"] ==
        "spark-kubernetes-driver");
  CHECK(spark["spec"]["executor"]["instances"] == 4);
  CHECK(spark["spec"]["executor"]["cores"] == 2);
  CHECK(spark["spec"]["executor"]["memory"] == "3g");
  CHECK(spark["spec"]["sparkConf"]["spark.a"] == "1");
  CHECK(spark["spec"]["sparkVersion"] == "3.5.0");  // the default
  CHECK(Build(R"(
tasks:
  t:
    plugin: spark
    spark: {version: "3.4.1"}
    command: [python3]
)")["spec"]["sparkVersion"] == "3.4.1");
  json torch = Build(R"(
tasks:
  t:
    plugin: pytorch
    pytorch: {workers: {replicas: 2, image: other:1}}
    command: [python3]
)");
  const json& replicas = torch["spec"]["pytorchReplicaSpecs"];
  CHECK(replicas["Master"]["replicas"] == 1);
  CHECK(replicas["Master"]["template"]["metadata"]["labels"]["flyte.org/resource"] ==
        "r1-sum-0-abcde");
  CHECK(replicas["Master"]["template"]["spec"]["containers"][0]["name"] == "pytorch");
  CHECK(replicas["Worker"]["replicas"] == 2);
  CHECK(replicas["Worker"]["template"]["spec"]["containers"][0]["image"] == "other:1");
  CHECK_FALSE(replicas["Worker"]["template"]["metadata"]["labels"].contains("flyte.org/resource"));
}

const char* kResourceTask = R"(
tasks:
  job:
    inputs: {n: int}
    plugin: resource
    resource:
      manifest:
        apiVersion: batch/v1
        kind: Job
        metadata: {labels: {run: "{{ execution.id }}"}}
        spec:
          parallelism: "{{ inputs.n }}"
          template: {spec: {containers: [{name: m, command: [sh, -c, "echo {{ inputs.n }} in {{ execution.id }}"]}]}}
      success: status.succeeded > 0, status.conditions[type=Complete].status == True
      failure: status.failed > 0
)";

TEST_CASE("plugins: plugin: resource templates its manifest; flyte names and labels it") {
  json job = Build(kResourceTask);
  CHECK(job["kind"] == "Job");
  CHECK(job["metadata"]["name"] == "r1-sum-0-abcde");
  CHECK(job["metadata"]["namespace"] == "default");
  CHECK(job["metadata"]["labels"]["run"] == "r1");
  CHECK(job["metadata"]["labels"]["app.kubernetes.io/managed-by"] == "flyte");
  CHECK(job["spec"]["parallelism"] == 3);  // a template alone keeps the value's type
  CHECK(job["spec"]["template"]["spec"]["containers"][0]["command"][2] == "echo 3 in r1");
}

TEST_CASE("plugins: plugin: resource ends on its conditions, failure first") {
  auto file = testing::Compiled(kResourceTask);
  REQUIRE(file);
  const spec::PluginSpec& p = file->tasks[0].spec->plugin;
  CHECK(kube::ReadState(p, Status(json::object())).phase == Phase::kNoStatus);
  CHECK(kube::ReadState(p, Status({{"active", 1}})).phase == Phase::kRunning);
  json complete = {{"succeeded", 1},
                   {"conditions", json::array({{{"type", "SuccessCriteriaMet"}, {"status", "True"}},
                                               {{"type", "Complete"}, {"status", "True"}}})}};
  CHECK(kube::ReadState(p, Status(complete)).phase == Phase::kSucceeded);
  // succeeded > 0 alone is not enough: every requirement must hold.
  CHECK(kube::ReadState(p, Status({{"succeeded", 1}})).phase == Phase::kRunning);
  complete["failed"] = 2;
  kube::ResourceState failed = kube::ReadState(p, Status(complete));
  CHECK(failed.phase == Phase::kFailed);
  CHECK(failed.reason == "Job r1-sum-0-abcde meets the failure condition 'status.failed > 0'");
}

TEST_CASE("plugins: a plugin's settings and a resource's manifest are in the cache key") {
  auto hash = [](const std::string& yaml) {
    auto file = testing::Compiled(yaml);
    REQUIRE(file);
    return file->tasks[0].definition_hash;
  };
  const std::string base = kResourceTask;
  std::string other = base;
  other.replace(other.find("status.failed > 0"), 17, "status.failed > 1");
  CHECK(hash(base) != hash(other));
  CHECK(hash(base) == hash(base));
  const std::string spark = "tasks: {t: {plugin: spark, command: [x]";
  CHECK(hash(spark + "}}") != hash(spark + ", spark: {version: 3.4.1}}}"));
  CHECK(hash(spark + ", spark: {version: 3.4.1}}}") != hash(spark + ", spark: {version: 3.4.2}}}"));
}

}  // namespace
}  // namespace flyte
