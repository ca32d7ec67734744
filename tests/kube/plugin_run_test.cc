// Plugin tasks on Kubernetes against the fake API server with its operator emulations: a Dask
// task becomes a DaskJob whose runner Pod the kubelet simulator really runs (process mode),
// Ray, Spark and PyTorch tasks their operators' resources, and plugin: resource any object;
// the typed outputs come back as from a local run, and nothing is left on the cluster.
#include <catch2/catch.hpp>

#include <signal.h>
#include <unistd.h>

#include <filesystem>

#include "cli/cli_fixture.h"
#include "support/fake_kube_server.h"

namespace flyte {
namespace {

using testing::Child;
using testing::CliFixture;
using testing::Describe;
using testing::FakeKube;
using testing::ProcessResult;

constexpr const char* kDaskJobs = "/apis/kubernetes.dask.org/v1/namespaces/default/daskjobs";

std::string Example(const std::string& name) {
  return std::string(FLYTE_SOURCE_DIR) + "/examples/" + name;
}

std::vector<std::string> KubeArgs(const FakeKube& fake, std::vector<std::string> args) {
  args.push_back("--kubeconfig");
  args.push_back(fake.kubeconfig());
  return args;
}

FakeKube WithOperators() {
  return FakeKube("process", false, {"--operators", "dask,ray,spark,pytorch"});
}

// The objects of a collection, once every deletion has gone through.
nlohmann::json Settled(FakeKube& fake, const std::string& path) {
  nlohmann::json items = fake.Call("GET", path)["items"];
  testing::WaitUntil([&] {
    items = fake.Call("GET", path)["items"];
    return items.empty();
  });
  return items;
}

int Posts(FakeKube& fake, const std::string& path) {
  int n = 0;
  const nlohmann::json log = fake.Call("GET", "/_fake/requests");
  for (const auto& r : log["requests"]) n += r["method"] == "POST" && r["path"] == path;
  return n;
}

// A workflow of one Ray task with `settings` (a line of YAML), whose output `out` is what
// `command` prints.
std::string OneRayTask(const std::string& settings, const std::string& command) {
  return R"(
tasks:
  t:
    plugin: ray
    image: debian:12
    outputs: {out: str}
    )" + settings +
         R"(
    script: )" +
         command + R"( > "{{ outputs.out }}"
workflows:
  w:
    outputs: {out: "{{ t.out }}"}
    nodes: {t: {task: t}}
)";
}

const char* kDaskWorkflow = R"YAML(
tasks:
  fails:
    plugin: dask
    dask: {workers: {replicas: 1}}
    image: debian:12
    script: |
      echo "the runner starts"
      echo "dask says goodbye"
      echo "no cluster for 4" > "$FLYTE_OUTPUT_DIR/_ERROR"
      exit 4
  waits:
    plugin: dask
    dask: {workers: {replicas: 2}}
    image: debian:12
    script: "echo started; sleep 300"
workflows:
  bad:
    nodes: {f: {task: fails}}
  slow:
    nodes: {w: {task: waits}}
)YAML";

TEST_CASE("kubernetes: examples/dask.yaml gives the same outputs as a DaskJob as locally",
          "[kube][plugins]") {
  FakeKube fake = WithOperators();
  CliFixture f;
  const std::vector<std::string> run = {"run", Example("dask.yaml"), "--input", "n=1000"};
  auto local = f.Json(run);
  auto dask = f.Json(KubeArgs(fake, run));
  CHECK(dask["phase"] == "SUCCEEDED");
  CHECK(dask["outputs"]["total"] == 332833500);
  CHECK(dask["outputs"] == local["outputs"]);
  // The attempt names its DaskJob and the runner Pod the operator made from it.
  const auto& node = dask["nodes"][0];
  INFO(node.dump());
  CHECK_THAT(node["where"].get<std::string>(),
             Catch::StartsWith("DaskJob default/") && Catch::EndsWith("-runner)"));
  CHECK(Posts(fake, kDaskJobs) == 1);
  // The runner ran beside the operator's scheduler (its address in the runner's log, kept by
  // flyte after the Pod went).
  ProcessResult logs = f.Flyte({"logs", dask["execution"]["name"].get<std::string>(), "sum"});
  INFO(Describe(logs));
  CHECK_THAT(logs.out, Catch::Contains("scheduler: tcp://") &&
                           Catch::Contains("-scheduler.default.svc.cluster.local:8786"));
  // The DaskJob is deleted when its attempt ends, and everything it owned with it.
  CHECK(Settled(fake, kDaskJobs).empty());
  CHECK(Settled(fake, "/api/v1/namespaces/default/pods").empty());
  CHECK(Settled(fake, "/api/v1/namespaces/default/services").empty());
}

TEST_CASE("kubernetes: a failing Dask runner shows its exit code, _ERROR and last log lines",
          "[kube][plugins]") {
  FakeKube fake = WithOperators();
  CliFixture f;
  const std::string wf = f.Write("dask.yaml", kDaskWorkflow);
  ProcessResult r = f.Flyte(KubeArgs(fake, {"run", wf, "bad"}));
  INFO(Describe(r));
  CHECK(r.exit_code == 1);
  // The runner's own failure, not just "the DaskJob failed": _ERROR, exit code, its log's tail.
  CHECK_THAT(r.out + r.err, Catch::Contains("no cluster for 4") && Catch::Contains("exit code 4") &&
                                Catch::Contains("│ dask says goodbye"));
  CHECK(Settled(fake, kDaskJobs).empty());
}

TEST_CASE("kubernetes: Ctrl-C of a Dask execution leaves no custom resource and no Pod",
          "[kube][plugins]") {
  FakeKube fake = WithOperators();
  CliFixture f;
  const std::string wf = f.Write("dask.yaml", kDaskWorkflow);
  Child c(testing::FlyteArgv(f.home(), KubeArgs(fake, {"run", wf, "slow", "-v"})),
          testing::FlyteEnv(f.home()));
  REQUIRE(c.WaitForStderr("started", 60000));
  // While it runs, the real kubectl lists the DaskJob flyte created, with its status.
  if (::access("/usr/bin/kubectl", X_OK) == 0) {
    testing::TempDir home;
    Child k({"/usr/bin/kubectl", "--kubeconfig", fake.kubeconfig(), "get", "daskjobs", "-l",
             "app.kubernetes.io/managed-by=flyte"},
            {"HOME=" + home.path(), "PATH=/usr/bin:/bin"});
    ProcessResult got = k.Wait(120000);
    INFO(Describe(got));
    CHECK(got.exit_code == 0);
    CHECK_THAT(got.out,
               Catch::Contains("STATUS") && Catch::Contains("Running") && Catch::Contains("-w-0-"));
  } else {
    WARN("skipped the kubectl check: /usr/bin/kubectl is not installed");
  }
  c.Signal(SIGINT);
  ProcessResult r = c.Wait(60000);
  INFO(Describe(r));
  CHECK(r.exit_code == 130);
  CHECK(Settled(fake, kDaskJobs).empty());
  CHECK(Settled(fake, "/api/v1/namespaces/default/pods").empty());
}

TEST_CASE("kubernetes: a plugin whose operator is missing stops before anything is created",
          "[kube][plugins]") {
  FakeKube fake("process");  // no CRDs installed
  CliFixture f;
  ProcessResult r = f.Flyte(KubeArgs(fake, {"run", Example("dask.yaml")}));
  INFO(Describe(r));
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("'sum_squares'") && Catch::Contains("DaskJob") &&
                        Catch::Contains("install the dask-kubernetes operator"));
  CHECK(Posts(fake, kDaskJobs) == 0);
  CHECK(Posts(fake, "/api/v1/namespaces/default/pods") == 0);
}

TEST_CASE("kubernetes: a DaskJob no operator picks up waits, says so, and goes at its timeout",
          "[kube][plugins]") {
  FakeKube fake("process", false, {"--crds", "dask"});  // the CRD, but no operator running
  CliFixture f;
  const std::string wf = f.Write("dask.yaml", R"(
tasks:
  t:
    plugin: dask
    image: debian:12
    timeout: 3s
    script: "true"
workflows:
  w: {nodes: {n: {task: t}}}
)");
  ProcessResult r = f.Flyte(KubeArgs(fake, {"run", wf}));
  INFO(Describe(r));
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("QUEUED (DaskJob default/") &&
                        Catch::Contains("waiting for the dask-kubernetes operator") &&
                        Catch::Contains("TIMED_OUT"));
  CHECK(Posts(fake, kDaskJobs) == 1);
  CHECK(Settled(fake, kDaskJobs).empty());
}

TEST_CASE("kubernetes: Ray, Spark and PyTorch tasks run as their operators' resources",
          "[kube][plugins]") {
  FakeKube fake = WithOperators();
  CliFixture f;
  const std::vector<std::string> run = {"run", Example("operators.yaml")};
  auto local = f.Json(run);
  auto cluster = f.Json(KubeArgs(fake, run));
  CHECK(cluster["phase"] == "SUCCEEDED");
  CHECK(cluster["outputs"] == local["outputs"]);
  CHECK(cluster["outputs"]["total"] == 14);
  std::map<std::string, std::string> where;
  for (const auto& n : cluster["nodes"]) where[n["id"]] = n.value("where", "");
  CHECK_THAT(where["ray"], Catch::StartsWith("RayJob default/"));
  CHECK_THAT(where["spark"],
             Catch::StartsWith("SparkApplication default/") && Catch::EndsWith("-driver)"));
  CHECK_THAT(where["torch"],
             Catch::StartsWith("PyTorchJob default/") && Catch::EndsWith("-master-0)"));
  for (const char* path :
       {"/apis/ray.io/v1/namespaces/default/rayjobs",
        "/apis/sparkoperator.k8s.io/v1beta2/namespaces/default/sparkapplications",
        "/apis/kubeflow.org/v1/namespaces/default/pytorchjobs"}) {
    INFO(path);
    CHECK(Posts(fake, path) == 1);
    CHECK(Settled(fake, path).empty());
  }
}

TEST_CASE("kubernetes: a Ray task's command gets RAY_ADDRESS, the cluster KubeRay made for it",
          "[kube][plugins]") {
  FakeKube fake = WithOperators();
  CliFixture f;
  const std::string wf = f.Write("ray.yaml", OneRayTask("", R"(echo "$RAY_ADDRESS")"));
  auto report = f.Json(KubeArgs(fake, {"run", wf}));
  REQUIRE(report["phase"] == "SUCCEEDED");
  // Ray Client's port on the head Service of the RayJob's cluster, as ray.init() reads it.
  const std::string address = report["outputs"]["out"];
  CHECK_THAT(address, Catch::Matches("ray://[a-z0-9-]+-raycluster-[0-9a-f]{5}-head-svc\\.default"
                                     "\\.svc\\.cluster\\.local:10001"));
}

TEST_CASE("kubernetes: a failing Ray, Spark or PyTorch task says what failed", "[kube][plugins]") {
  FakeKube fake = WithOperators();
  CliFixture f;
  for (const char* plugin : {"ray", "spark", "pytorch"}) {
    INFO(plugin);
    const std::string wf = f.Write(std::string(plugin) + ".yaml", std::string(R"(
tasks:
  t:
    plugin: )") + plugin + R"(
    image: debian:12
    script: "echo computing; exit 5"
workflows:
  w: {nodes: {n: {task: t}}}
)");
    ProcessResult r = f.Flyte(KubeArgs(fake, {"run", wf, "-o", "json"}));
    INFO(Describe(r));
    CHECK(r.exit_code == 1);
    auto report = nlohmann::json::parse(r.out);
    CHECK_THAT(report["error"]["message"].get<std::string>(), Catch::Contains("exit code 5"));
  }
}

TEST_CASE(
    "kubernetes: a status the operator reports that flyte does not know keeps the task "
    "running, with a warning",
    "[kube][plugins]") {
  FakeKube fake = WithOperators();
  CliFixture f;
  const std::string wf =
      f.Write("ray.yaml",
              OneRayTask("kubernetes: {annotations: {fake.flyte.org/status: Paused}}", "echo 7"));
  ProcessResult r = f.Flyte(KubeArgs(fake, {"run", wf}));
  INFO(Describe(r));
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.err, Catch::Contains("RayJob reports jobDeploymentStatus Paused, which flyte does "
                                    "not know; still running"));
}

const char* kResourceWorkflow = R"YAML(
tasks:
  pod:
    inputs: {word: str, code: int}
    plugin: resource
    resource:
      manifest:
        apiVersion: v1
        kind: Pod
        metadata:
          labels: {run: "{{ execution.id }}"}
        spec:
          restartPolicy: Never
          containers:
            - name: main
              image: debian:12
              command: [sh, -c, "echo {{ inputs.word }}; exit {{ inputs.code }}"]
      success: status.phase == Succeeded
      failure: status.phase in (Failed, Unknown)
workflows:
  w:
    inputs: {code: int}
    nodes: {p: {task: pod, inputs: {word: hello, code: "{{ inputs.code }}"}}}
)YAML";

TEST_CASE("kubernetes: plugin: resource creates its templated manifest and ends on its conditions",
          "[kube][plugins]") {
  FakeKube fake("process");
  CliFixture f;
  const std::string wf = f.Write("resource.yaml", kResourceWorkflow);
  auto ok = f.Json(KubeArgs(fake, {"run", wf, "--input", "code=0"}));
  CHECK(ok["phase"] == "SUCCEEDED");
  CHECK_THAT(ok["nodes"][0]["where"].get<std::string>(), Catch::StartsWith("Pod default/"));
  // The manifest was created as written; its exit code came from {{ inputs.code }} (below).
  CHECK(Posts(fake, "/api/v1/namespaces/default/pods") == 1);
  ProcessResult bad = f.Flyte(KubeArgs(fake, {"run", wf, "--input", "code=3", "-o", "json"}));
  INFO(Describe(bad));
  CHECK(bad.exit_code == 1);
  CHECK_THAT(nlohmann::json::parse(bad.out)["error"]["message"].get<std::string>(),
             Catch::Contains("meets the failure condition 'status.phase in (Failed, Unknown)'"));
  CHECK(Settled(fake, "/api/v1/namespaces/default/pods?labelSelector=flyte.org/plugin").empty());
  // Without Kubernetes such a task cannot run, and says so before anything runs.
  ProcessResult local = f.Flyte({"run", wf, "--input", "code=0"});
  CHECK(local.exit_code == 2);
  CHECK_THAT(local.err, Catch::Contains("plugin: resource") && Catch::Contains("--kubernetes"));
}

}  // namespace
}  // namespace flyte
