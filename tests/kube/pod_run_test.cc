// `flyte run` with Kubernetes against the fake API server: tasks become Pods, the kubelet
// simulator really runs their commands (process mode, in their own mount namespace with the
// Pod's volumes) or follows a script, and flyte reads typed outputs back from the termination
// message, exactly as a local run would.
#include <catch2/catch.hpp>

#include <signal.h>

#include <fstream>
#include <set>
#include <thread>

#include "cli/cli_fixture.h"
#include "support/fake_kube_server.h"

namespace flyte {
namespace {

using testing::Child;
using testing::CliFixture;
using testing::Describe;
using testing::FakeKube;
using testing::ProcessResult;

std::string Example(const std::string& name) {
  return std::string(FLYTE_SOURCE_DIR) + "/examples/" + name;
}

std::vector<std::string> KubeArgs(const FakeKube& fake, std::vector<std::string> args) {
  for (const char* a : {"--kubeconfig"}) args.push_back(a);
  args.push_back(fake.kubeconfig());
  args.push_back("--kube-image");
  args.push_back("debian:12");
  return args;
}

const char* kPodsWorkflow = R"YAML(
tasks:
  add:
    inputs: {a: int, b: int}
    outputs: {sum: int, note: str}
    image: debian:12
    script: |
      echo "adding {{ inputs.a }} and {{ inputs.b }} in $(hostname)"
      echo $(( {{ inputs.a }} + {{ inputs.b }} )) > "{{ outputs.sum }}"
      cat "$FLYTE_INPUT_DIR/inputs.json" > "{{ outputs.note }}"
  fails:
    inputs: {x: int}
    image: debian:12
    retries: 1
    script: |
      echo "about to fail" >&2
      echo "bad input {{ inputs.x }}" > "$FLYTE_OUTPUT_DIR/_ERROR"
      exit 3
  here:
    runner: local
    outputs: {where: str}
    script: echo local > "{{ outputs.where }}"
workflows:
  ok:
    outputs: {sum: "{{ add.sum }}", note: "{{ add.note }}", where: "{{ here.where }}"}
    nodes:
      add: {task: add, inputs: {a: 2, b: 40}}
      here: {task: here}
  bad:
    nodes:
      f: {task: fails, inputs: {x: 7}}
)YAML";

TEST_CASE("kubernetes: tasks run as Pods give the same typed outputs as locally, and leave no Pod",
          "[kube]") {
  FakeKube fake("process");
  CliFixture f;
  const std::string wf = f.Write("pods.yaml", kPodsWorkflow);
  auto local = f.Json({"run", wf, "ok"});
  auto pod = f.Json(KubeArgs(fake, {"run", wf, "ok"}));
  CHECK(pod["phase"] == "SUCCEEDED");
  CHECK(pod["outputs"]["sum"] == 42);
  CHECK(pod["outputs"] == local["outputs"]);
  // The Pod's log was streamed into flyte's own store: it outlives the Pod.
  ProcessResult logs = f.Flyte({"logs", pod["execution"]["name"].get<std::string>(), "add"});
  INFO(Describe(logs));
  CHECK_THAT(logs.out, Catch::Contains("adding 2 and 40"));
  // Every Pod is deleted once its attempt has ended; `runner: local` made none.
  nlohmann::json pods = fake.Pods("app.kubernetes.io/managed-by=flyte");
  for (int i = 0; i < 100 && !pods["items"].empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    pods = fake.Pods("app.kubernetes.io/managed-by=flyte");
  }
  CHECK(pods["items"].empty());
  nlohmann::json requests = fake.Call("GET", "/_fake/requests");
  int creates = 0;
  for (const auto& r : requests["requests"])
    creates += r["method"] == "POST" && r["path"] == "/api/v1/namespaces/default/pods";
  CHECK(creates == 1);
}

TEST_CASE("kubernetes: the examples without files give the same outputs as Pods as locally",
          "[kube][examples]") {
  FakeKube fake("process");
  CliFixture f;
  const std::vector<std::vector<std::string>> runs = {
      {"run", Example("hello.yaml"), "--input", "who=Ada"},
      {"run", Example("control_flow.yaml"), "control_flow", "--signal", "factor=3", "--approve",
       "publish"},
  };
  for (const auto& run : runs) {
    INFO(run[1]);
    auto local = f.Json(run);
    auto pods = f.Json(KubeArgs(fake, run));
    CHECK(pods["phase"] == "SUCCEEDED");
    CHECK(pods["outputs"] == local["outputs"]);
    // Every task ran as a Pod (--kube-image gives the image-less ones one).
    for (const auto& n : pods["nodes"]) {
      if (n.contains("where")) CHECK(n["where"].get<std::string>().rfind("pod default/", 0) == 0);
    }
  }
}

TEST_CASE("kubernetes: small inputs travel in the Pod, large ones in a ConfigMap it owns",
          "[kube]") {
  FakeKube fake("process");
  CliFixture f;
  const std::string wf = f.Write("sizes.yaml", R"YAML(
tasks:
  size:
    image: debian:12
    inputs: {s: str}
    outputs: {n: int}
    script: wc -c < "$FLYTE_INPUT_DIR/s" > "{{ outputs.n }}"
workflows:
  w:
    inputs: {s: str}
    outputs: {n: "{{ a.n }}"}
    nodes: {a: {task: size, inputs: {s: "{{ inputs.s }}"}}}
)YAML");
  const std::string big(40000, 'x');
  const std::string inputs = f.Write("inputs.json", "{\"s\": \"" + big + "\"}");
  auto small = f.Json({"run", wf, "w", "-i", "s=hello", "--kubeconfig", fake.kubeconfig()});
  CHECK(small["outputs"]["n"] == 5);
  auto large = f.Json({"run", wf, "w", "--inputs", inputs, "--kubeconfig", fake.kubeconfig()});
  CHECK(large["outputs"]["n"] == 40000);
  const nlohmann::json requests = fake.Call("GET", "/_fake/requests");
  int input_maps = 0;
  for (const auto& r : requests["requests"]) {
    input_maps +=
        r["method"] == "PATCH" && r["path"].get<std::string>().find("-in") != std::string::npos;
  }
  CHECK(input_maps == 1);  // the large one only, given to its Pod
}

TEST_CASE("kubernetes: a failing Pod reports its exit code, _ERROR and log, and retries",
          "[kube]") {
  FakeKube fake("process");
  CliFixture f;
  const std::string wf = f.Write("pods.yaml", kPodsWorkflow);
  ProcessResult r = f.Flyte(KubeArgs(fake, {"run", wf, "bad", "-o", "json"}));
  INFO(Describe(r));
  CHECK(r.exit_code == 1);
  auto report = nlohmann::json::parse(r.out);
  CHECK(report["phase"] == "FAILED");
  const std::string message = report["error"]["message"];
  CHECK_THAT(message, Catch::Contains("bad input 7") && Catch::Contains("exit code 3") &&
                          Catch::Contains("after 2 attempts"));
}

TEST_CASE("kubernetes: an invalid image fails at once; OOM and eviction say so", "[kube]") {
  FakeKube fake("scripted", false, {"--image-rule", "evict-me=evicted"});
  CliFixture f;
  const std::string wf = f.Write("images.yaml", R"(
tasks:
  t:
    inputs: {image: str}
    script: "true"
workflows:
  invalid:
    nodes: {a: {task: t, image: "fake-invalid:1", inputs: {image: x}}}
  oom:
    nodes: {a: {task: t, image: "fake-oom:1", inputs: {image: x}, resources: {limits: {mem: 64Mi}}}}
  evicted:
    nodes: {a: {task: t, image: "evict-me:1", inputs: {image: x}}}
)");
  auto invalid = f.Json({"run", wf, "invalid", "--kubeconfig", fake.kubeconfig()}, 1);
  CHECK_THAT(invalid["error"]["message"].get<std::string>(), Catch::Contains("InvalidImageName"));
  auto oom = f.Json({"run", wf, "oom", "--kubeconfig", fake.kubeconfig()}, 1);
  CHECK_THAT(oom["error"]["message"].get<std::string>(),
             Catch::Contains("out of memory (limit 64Mi)"));
  auto evicted = f.Json({"run", wf, "evicted", "--kubeconfig", fake.kubeconfig()}, 1);
  CHECK_THAT(evicted["error"]["message"].get<std::string>(), Catch::Contains("Evicted"));
  CHECK(evicted["error"]["kind"] == "SYSTEM");
}

TEST_CASE(
    "kubernetes: an image that cannot be pulled fails after the grace period, with the kubelet's "
    "words",
    "[kube]") {
  FakeKube fake("scripted");
  CliFixture f;
  const std::string wf = f.Write("pull.yaml", R"(
tasks:
  t: {image: "fake-missing:1", retries: 3, script: "true"}
workflows:
  w: {nodes: {a: {task: t}}}
)");
  auto t0 = std::chrono::steady_clock::now();
  auto report =
      f.Json({"run", wf, "w", "--kubeconfig", fake.kubeconfig(), "--image-pull-grace", "3s"}, 1);
  const std::string message = report["error"]["message"];
  CHECK_THAT(message, Catch::Contains("fake-missing:1") && Catch::Contains("ImagePull"));
  // ErrImagePull and ImagePullBackOff alternate: one grace period, not one per change; and no
  // retry of an image that is not there.
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(20));
  CHECK(report["nodes"][0]["attempts"] == 1);
  // Deleted (a bound Pod goes once the kubelet has stopped it: allow it a moment).
  bool gone = false;
  for (int i = 0; i < 100 && !gone; ++i) {
    gone = fake.Pods("app.kubernetes.io/managed-by=flyte")["items"].empty();
    if (!gone) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  CHECK(gone);
}

TEST_CASE("kubernetes: a task's own Pod settings reach its Pod, over a pod template", "[kube]") {
  FakeKube fake("process");
  CliFixture f;
  const std::string go = f.tmp.path() + "/go";
  const std::string wf = f.Write("settings.yaml", R"(
tasks:
  t:
    image: debian:12
    outputs: {x: str}
    script: |
      while [ ! -f )" + go + R"( ]; do sleep 0.05; done
      echo "$FROM_TEMPLATE" > "{{ outputs.x }}"
    kubernetes:
      service_account: trainer
      node_selector: {pool: gpu}
      tolerations: [{key: gpu, operator: Exists, effect: NoSchedule}]
      labels: {team: ml}
      annotations: {owner: "ada@example.com"}
      pod_template:
        spec:
          priorityClassName: high
          containers: [{name: default, env: [{name: FROM_TEMPLATE, value: merged}]}]
workflows:
  w:
    outputs: {x: "{{ a.x }}"}
    nodes: {a: {task: t}}
)");
  Child c(testing::FlyteArgv(f.home(),
                             {"run", wf, "w", "-o", "json", "--kubeconfig", fake.kubeconfig()}),
          testing::FlyteEnv(f.home()));
  nlohmann::json pods;
  for (int i = 0; i < 300; ++i) {
    pods = fake.Pods("app.kubernetes.io/managed-by=flyte");
    if (!pods["items"].empty()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  REQUIRE(pods["items"].size() == 1);
  const nlohmann::json& pod = pods["items"][0];
  INFO(pod["spec"]["containers"].dump());
  CHECK(pod["spec"]["serviceAccountName"] == "trainer");
  CHECK(pod["spec"]["nodeSelector"]["pool"] == "gpu");
  CHECK(pod["spec"]["priorityClassName"] == "high");
  bool tolerated = false;
  for (const auto& t : pod["spec"]["tolerations"])
    tolerated = tolerated || t.value("key", "") == "gpu";
  CHECK(tolerated);
  CHECK(pod["metadata"]["labels"]["team"] == "ml");
  CHECK(pod["metadata"]["labels"]["app.kubernetes.io/managed-by"] == "flyte");
  CHECK(pod["metadata"]["annotations"]["owner"] == "ada@example.com");
  REQUIRE(pod["spec"]["containers"].size() == 1);
  CHECK(pod["spec"]["containers"][0]["name"] == "task");
  std::ofstream(go).put('\n');
  ProcessResult r = c.Wait(60000);
  INFO(Describe(r));
  REQUIRE(r.exit_code == 0);
  CHECK(nlohmann::json::parse(r.out)["outputs"]["x"] == "merged");
}

TEST_CASE("kubernetes: per-task settings are checked where they are written", "[kube]") {
  CliFixture f;
  const std::string wf = f.Write("bad.yaml", R"(
tasks:
  t:
    script: "true"
    kubernetes: {namespace: Team_A, labels: {"bad key!": x}, tolerations: {key: a}}
workflows:
  w:
    nodes:
      a:
        task: t
        kubernetes: {namespace: b.c, service_account: x}
)");
  Child c({FLYTE_BINARY, "validate", wf}, {"TERM=dumb"});
  ProcessResult r = c.Wait();
  INFO(Describe(r));
  CHECK(r.exit_code == 2);
  // Namespaces are DNS-1123 labels; a node overrides only the namespace.
  CHECK_THAT(r.err, Catch::Contains("bad.yaml:5:29") && Catch::Contains("'Team_A'") &&
                        Catch::Contains("'bad key!'") && Catch::Contains("tolerations") &&
                        Catch::Contains("bad.yaml:11:33") && Catch::Contains("'b.c'") &&
                        Catch::Contains("bad.yaml:11:38") && Catch::Contains("service_account"));
}

TEST_CASE("kubernetes: Ctrl-C of flyte run deletes its running Pods", "[kube]") {
  FakeKube fake("process");
  CliFixture f;
  const std::string wf = f.Write("sleep.yaml", R"(
tasks:
  nap:
    image: debian:12
    script: "echo started; sleep 300"
workflows:
  w:
    nodes: {a: {task: nap}, b: {task: nap}}
)");
  Child c(testing::FlyteArgv(f.home(), KubeArgs(fake, {"run", wf, "w", "-v"})),
          testing::FlyteEnv(f.home()));
  REQUIRE(c.WaitForStderr("started", 30000));
  c.Signal(SIGINT);
  ProcessResult r = c.Wait(60000);
  INFO(Describe(r));
  CHECK(r.exit_code == 130);
  nlohmann::json pods = fake.Pods("app.kubernetes.io/managed-by=flyte");
  CHECK(pods["items"].empty());
}

TEST_CASE("kubernetes: runner: kubernetes without Kubernetes stops before anything runs",
          "[kube]") {
  CliFixture f;
  const std::string wf = f.Write("k.yaml", R"(
tasks:
  t: {runner: kubernetes, script: "true"}
workflows:
  w: {nodes: {a: {task: t}}}
)");
  ProcessResult r = f.Flyte({"run", wf, "w"});
  INFO(Describe(r));
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("'t'") && Catch::Contains("--kubernetes"));
}

TEST_CASE("kubernetes: a task passing files needs object storage, and says so before any Pod",
          "[kube]") {
  FakeKube fake("scripted");
  CliFixture f;
  const std::string wf = f.Write("files.yaml", R"(
tasks:
  t: {image: "debian:12", outputs: {f: file}, script: "echo x > {{ outputs.f }}"}
workflows:
  w: {nodes: {a: {task: t}}}
)");
  auto report = f.Json({"run", wf, "w", "--kubeconfig", fake.kubeconfig()}, 1);
  CHECK_THAT(report["error"]["message"].get<std::string>(), Catch::Contains("raw_data_prefix"));
  CHECK(fake.Pods()["items"].empty());
}

TEST_CASE("kubernetes: a kubeconfig flyte cannot use stops the run, naming it", "[kube]") {
  CliFixture f;
  const std::string wf =
      f.Write("k.yaml", "tasks: {t: {script: 'true'}}\nworkflows: {w: {nodes: {a: {task: t}}}}\n");
  const std::string bad =
      f.Write("kubeconfig", "apiVersion: v1\nkind: Config\ncurrent-context: nope\n");
  ProcessResult r = f.Flyte({"run", wf, "w", "--kubeconfig", bad});
  INFO(Describe(r));
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains(bad));
  CHECK(f.AttemptDirs() == 0);
}

TEST_CASE("kubernetes: the logs of ended Pods are read on pooled connections, not one each",
          "[kube]") {
  FakeKube fake("scripted", false, {"--step", "0.01"});
  CliFixture f;
  std::string items;
  for (int i = 0; i < 20; ++i) items += (i > 0 ? ", " : "") + std::to_string(i);
  const std::string wf = f.Write("many.yaml", R"(
tasks:
  t: {inputs: {i: int}, image: "debian:12", script: "echo {{ inputs.i }}"}
workflows:
  w: {nodes: {m: {map: t, inputs: {i: [)" + items +
                                                  R"(]}}}}
)");
  auto report = f.Json({"run", wf, "w", "--kubeconfig", fake.kubeconfig(), "--max-pods", "4"});
  REQUIRE(report["phase"] == "SUCCEEDED");
  nlohmann::json requests = fake.Call("GET", "/_fake/requests");
  int log_reads = 0, read_once = 0;
  std::set<std::string> connections;  // of the requests that are not streams
  for (const auto& r : requests["requests"]) {
    const std::string path = r["path"];
    const bool log = path.size() > 4 && path.compare(path.size() - 4, 4, "/log") == 0;
    log_reads += log;
    // A watch, or the log of a Pod still running after a second (a slow machine), is a stream
    // on a connection of its own.
    if (r.value("watch", false) || r["query"].contains("follow")) continue;
    read_once += log;
    connections.insert(r["conn"].get<std::string>());
  }
  CHECK(log_reads == 20);
  // A connection of its own for each log read once was one connection per read, plus those the
  // creates and deletes use; pooled, the reads share the creates' and deletes' connections.
  INFO(connections.size() << " connections for " << read_once << " logs read once");
  CHECK(connections.size() < static_cast<size_t>(read_once));
}

}  // namespace
}  // namespace flyte
