// Settings that shape a Pod beyond the task's own: secrets mounted as files, the server's
// tolerations, interruptible placement and pod template, failed Pods kept for inspection, and
// where each attempt ran in `flyte get execution --details`.
#include <catch2/catch.hpp>

#include <fstream>
#include <map>
#include <set>
#include <thread>

#include "cli/cli_fixture.h"
#include "http/server_fixture.h"
#include "support/fake_kube_server.h"

namespace flyte::testing {
namespace {

nlohmann::json Secret(const std::string& name, const std::string& key, const std::string& b64) {
  return {{"apiVersion", "v1"},
          {"kind", "Secret"},
          {"metadata", {{"name", name}}},
          {"data", {{key, b64}}}};
}

// A server configuration for the fake cluster: its kubeconfig, a default image, and `more`
// (YAML lines indented under kubernetes:).
std::string KubeConfigFile(TempDir& dir, const FakeKube& fake, const std::string& more) {
  return dir.Write("server.yaml", "kubernetes:\n  kubeconfig: " + fake.kubeconfig() +
                                      "\n  image: debian:12\n" + more);
}

// The first Pod of ours, once it exists.
nlohmann::json FirstPod(FakeKube& fake) {
  nlohmann::json pods;
  REQUIRE(WaitUntil(
      [&] {
        pods = fake.Pods("app.kubernetes.io/managed-by=flyte");
        return !pods["items"].empty();
      },
      30000));
  return pods["items"][0];
}

TEST_CASE("kubernetes: secrets reach the container as variables and as files, never as values",
          "[kube]") {
  FakeKube fake("process");
  fake.Call("POST", "/api/v1/namespaces/default/secrets",
            Secret("flyte-secrets", "api_key", "azN5"));  // k3y
  fake.Call("POST", "/api/v1/namespaces/default/secrets",
            Secret("tls", "cert", "LS1DRVJULS0="));  // --CERT--
  CliFixture f;
  const std::string gate = f.tmp.path() + "/go";
  const std::string wf = f.Write("secrets.yaml", R"Y(
tasks:
  t:
    image: debian:12
    outputs: {seen: str}
    secrets:
      - {name: api_key, env: API_KEY}
      - {name: tls/cert, file: /etc/tls/cert}
    script: |
      while [ ! -f )Y" + gate + R"Y( ]; do sleep 0.05; done
      echo "$API_KEY:$(cat /etc/tls/cert)" > "{{ outputs.seen }}"
workflows:
  w:
    outputs: {seen: "{{ a.seen }}"}
    nodes: {a: {task: t}}
)Y");
  Child c(FlyteArgv(f.home(), {"run", wf, "w", "-o", "json", "--kubeconfig", fake.kubeconfig()}),
          FlyteEnv(f.home()));
  nlohmann::json pod = FirstPod(fake);
  const std::string text = pod.dump();
  INFO(text);
  CHECK(text.find("k3y") == std::string::npos);
  CHECK(text.find("LS1DRVJULS0") == std::string::npos);
  const nlohmann::json& container = pod["spec"]["containers"][0];
  bool by_ref = false;
  for (const auto& e : container["env"]) {
    if (e["name"] == "API_KEY")
      by_ref = !e.contains("value") && e["valueFrom"]["secretKeyRef"]["key"] == "api_key";
  }
  CHECK(by_ref);
  bool mounted = false;
  for (const auto& m : container["volumeMounts"])
    mounted = mounted || (m["mountPath"] == "/etc/tls/cert" && m["readOnly"] == true);
  CHECK(mounted);
  std::ofstream(gate).put('\n');
  ProcessResult r = c.Wait(60000);
  INFO(Describe(r));
  REQUIRE(r.exit_code == 0);
  CHECK(nlohmann::json::parse(r.out)["outputs"]["seen"] == "k3y:--CERT--");
}

TEST_CASE(
    "kubernetes: the server's tolerations, pod template and interruptible placement reach "
    "its Pods",
    "[kube][server]") {
  FakeKube fake("process");
  TempDir dir;
  const std::string config =
      KubeConfigFile(dir, fake, R"(  tolerations: [{key: shared, operator: Exists}]
  pod_template:
    metadata: {labels: {from-template: "yes"}}
    spec: {priorityClassName: batch}
  interruptible:
    node_selector: {lifecycle: spot}
    tolerations: [{key: spot, operator: Equal, value: "true", effect: NoSchedule}]
)");
  ServerFixture s({"--config", config});
  s.Register(R"(
tasks:
  t:
    interruptible: true
    inputs: {gate: str}
    script: |
      while [ ! -f "{{ inputs.gate }}" ]; do sleep 0.05; done
workflows:
  w:
    inputs: {gate: str}
    nodes: {a: {task: t, inputs: {gate: "{{ inputs.gate }}"}}}
)");
  const std::string gate = dir.path() + "/go";
  const std::string name = s.Launch({{"project", "flytesnacks"},
                                     {"domain", "development"},
                                     {"workflow", {{"name", "w"}}},
                                     {"inputs", {{"gate", gate}}}});
  nlohmann::json pod = FirstPod(fake);
  INFO(pod.dump());
  CHECK(pod["spec"]["priorityClassName"] == "batch");
  CHECK(pod["metadata"]["labels"]["from-template"] == "yes");
  CHECK(pod["spec"]["nodeSelector"]["lifecycle"] == "spot");
  std::set<std::string> keys;
  for (const auto& t : pod["spec"]["tolerations"]) keys.insert(t.value("key", ""));
  CHECK(keys.count("shared") == 1);
  CHECK(keys.count("spot") == 1);
  std::ofstream(gate).put('\n');
  CHECK(s.WaitFor(name)["closure"]["phase"] == "SUCCEEDED");
}

TEST_CASE("kubernetes: a bad server pod template or toleration is refused at start, naming the key",
          "[kube][server]") {
  TempDir dir;
  const std::string config = dir.Write("server.yaml",
                                       "kubernetes:\n"
                                       "  kubeconfig: /nonexistent\n"
                                       "  tolerations: {key: a}\n");
  Child c({FLYTE_BINARY, "serve", "--listen", "127.0.0.1:0", "--home", dir.path() + "/home",
           "--config", config},
          FlyteEnv(dir.path() + "/home"));
  ProcessResult r = c.Wait(30000);
  INFO(Describe(r));
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err,
             Catch::Contains("server.yaml:3:16") && Catch::Contains("kubernetes.tolerations"));
}

TEST_CASE("kubernetes: a failed Pod is kept for keep_failed_for, labelled, then deleted",
          "[kube][server]") {
  FakeKube fake("process");
  TempDir dir;
  const std::string config = KubeConfigFile(dir, fake, "  keep_failed_for: 2s\n");
  ServerFixture s({"--config", config});
  s.Register(R"(
tasks:
  bad: {script: "echo broken >&2; exit 4"}
  good: {script: "true"}
workflows:
  w: {nodes: {a: {task: bad}}}
  ok: {nodes: {a: {task: good}}}
)");
  const std::string ok = s.Launch(
      {{"project", "flytesnacks"}, {"domain", "development"}, {"workflow", {{"name", "ok"}}}});
  CHECK(s.WaitFor(ok)["closure"]["phase"] == "SUCCEEDED");
  const std::string name = s.Launch(
      {{"project", "flytesnacks"}, {"domain", "development"}, {"workflow", {{"name", "w"}}}});
  CHECK(s.WaitFor(name)["closure"]["phase"] == "FAILED");
  // The failed Pod is still there, saying until when; the succeeded one went at once.
  nlohmann::json pods;
  REQUIRE(WaitUntil(
      [&] {
        pods = fake.Pods("app.kubernetes.io/managed-by=flyte");
        return pods["items"].size() == 1 &&
               pods["items"][0]["metadata"]["labels"].contains("flyte.org/keep-until");
      },
      10000));
  CHECK(pods["items"][0]["metadata"]["labels"]["flyte.org/execution-id"] == name);
  REQUIRE(WaitUntil(
      [&] { return fake.Pods("app.kubernetes.io/managed-by=flyte")["items"].empty(); }, 30000));
}

TEST_CASE("kubernetes: get execution --details names each node's Pod", "[kube]") {
  FakeKube fake("process");
  CliFixture f;
  const std::string wf = f.Write("two.yaml", R"(
tasks:
  t: {image: debian:12, script: "true"}
  here: {runner: local, script: "true"}
workflows:
  w: {nodes: {a: {task: t}, b: {task: here}}}
)");
  auto report = f.Json({"run", wf, "w", "--kubeconfig", fake.kubeconfig()});
  const std::string name = report["execution"]["name"];
  ProcessResult table = f.Flyte({"get", "execution", name, "--details"});
  INFO(Describe(table));
  REQUIRE(table.exit_code == 0);
  CHECK_THAT(table.out, Catch::Contains("WHERE") && Catch::Contains("pod default/"));
  auto json = f.Json({"get", "execution", name, "--details"});
  std::map<std::string, nlohmann::json> where;
  for (const auto& n : json["nodes"]) where[n["id"]] = n["where"];
  CHECK_THAT(where["a"].get<std::string>(), Catch::StartsWith("pod default/"));
  CHECK(where["b"].is_null());
}

}  // namespace
}  // namespace flyte::testing
