// A task's `kubernetes: {namespace: NS}` (and a node's override of it): its Pod, inputs,
// secrets and logs live in NS, flyte watches each namespace in use once, users see where each
// Pod ran, and a restarted server re-attaches to Pods there and deletes its orphans there.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>

#include "cli/cli_fixture.h"
#include "http/server_fixture.h"
#include "support/fake_kube_server.h"
#include "util/sha256.h"

namespace flyte::testing {
namespace {

// Tasks in three namespaces: team-a (the task's), team-b (a node's override), default (none).
// `add` waits for GATE, so that the test can look at its Pods while they run; `greet` reads a
// secret that only team-a holds.
std::string ThreeNamespaces(const std::string& gate) {
  return R"(
tasks:
  add:
    image: debian:12
    inputs: {a: int, b: int}
    outputs: {sum: int}
    kubernetes: {namespace: team-a}
    script: |
      while [ ! -f )" +
         gate + R"( ]; do sleep 0.05; done
      echo $(( {{ inputs.a }} + {{ inputs.b }} )) > "{{ outputs.sum }}"
  greet:
    image: debian:12
    inputs: {n: int}
    outputs: {text: str}
    secrets: [{name: api_key, env: API_KEY}]
    kubernetes: {namespace: team-a}
    script: |
      while [ ! -f )" +
         gate + R"( ]; do sleep 0.05; done
      echo "n={{ inputs.n }} key=${API_KEY:-none}" > "{{ outputs.text }}"
  double:
    image: debian:12
    inputs: {n: int}
    outputs: {m: int}
    script: echo $(( {{ inputs.n }} * 2 )) > "{{ outputs.m }}"
workflows:
  w:
    outputs: {sum: "{{ x.sum }}", text: "{{ g.text }}", m: "{{ d.m }}"}
    nodes:
      x: {task: add, inputs: {a: 2, b: 40}}
      y: {task: add, inputs: {a: 1, b: 1}, kubernetes: {namespace: team-b}}
      g: {task: greet, inputs: {n: "{{ y.sum }}"}}
      d: {task: double, inputs: {n: "{{ x.sum }}"}}
)";
}

// flyte's Pod creates and Pod watches in the fake's request log, by namespace.
struct PerNamespace {
  std::map<std::string, int> creates, watches;
};
PerNamespace CountPodRequests(FakeKube& fake) {
  PerNamespace n;
  const nlohmann::json log = fake.Call("GET", "/_fake/requests");
  const std::string prefix = "/api/v1/namespaces/";
  for (const auto& r : log["requests"]) {
    const std::string path = r["path"];
    if (path.rfind(prefix, 0) != 0 || path.size() < 5 ||
        path.compare(path.size() - 5, 5, "/pods") != 0)
      continue;
    const std::string ns = path.substr(prefix.size(), path.size() - 5 - prefix.size());
    if (r["method"] == "POST") n.creates[ns] += 1;
    const std::string watch = r["query"].value("watch", "");
    // flyte's watches select its instance; the test's own polling does not.
    if (r["method"] == "GET" && (watch == "true" || watch == "1") &&
        r["query"].value("labelSelector", "").find("flyte.org/instance") != std::string::npos)
      n.watches[ns] += 1;
  }
  return n;
}

void CreateNamespace(FakeKube& fake, const std::string& ns) {
  fake.Call("POST", "/api/v1/namespaces",
            {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", ns}}}});
}

nlohmann::json Secret(const std::string& ns, const std::string& b64) {
  return {{"apiVersion", "v1"},
          {"kind", "Secret"},
          {"metadata", {{"name", "flyte-secrets"}, {"namespace", ns}}},
          {"data", {{"api_key", b64}}}};
}

// `kubectl get pods -n NS -l SELECTOR` with a fresh HOME: the Pods' names.
std::set<std::string> KubectlPods(FakeKube& fake, const std::string& home, const std::string& ns,
                                  const std::string& selector) {
  std::filesystem::create_directories(home);
  Child c({"/usr/bin/kubectl", "--kubeconfig", fake.kubeconfig(), "get", "pods", "-n", ns, "-l",
           selector, "-o", "json"},
          {"HOME=" + home, "PATH=/usr/bin:/bin"});
  ProcessResult r = c.Wait(30000);
  INFO(Describe(r));
  REQUIRE(r.exit_code == 0);
  std::set<std::string> names;
  const nlohmann::json list = nlohmann::json::parse(r.out);
  for (const auto& p : list["items"]) names.insert(p["metadata"]["name"].get<std::string>());
  return names;
}

TEST_CASE(
    "kubernetes: tasks in two namespaces run there, with one Pod watch per namespace and the "
    "same outputs as locally",
    "[kube]") {
  FakeKube fake("process");
  CreateNamespace(fake, "team-a");
  CreateNamespace(fake, "team-b");
  fake.Call("POST", "/api/v1/namespaces/team-a/secrets", Secret("team-a", "azN5"));  // k3y
  CliFixture f;
  const std::string gate = f.tmp.path() + "/go";
  const std::string wf = f.Write("spread.yaml", ThreeNamespaces(gate));
  std::ofstream(gate).put('\n');
  std::filesystem::create_directories(f.home() + "/secrets");
  std::ofstream(f.home() + "/secrets/api_key") << "k3y";
  auto local = f.Json({"run", wf, "w"});
  std::filesystem::remove(gate);

  Child c(FlyteArgv(f.home(), {"run", wf, "w", "-o", "json", "--kubeconfig", fake.kubeconfig()}),
          FlyteEnv(f.home()));
  // While they wait: x in team-a, y in team-b, none in default; kubectl sees them there.
  nlohmann::json a, b;
  REQUIRE(WaitUntil(
      [&] {
        a = fake.Pods("flyte.org/node-id=x", "team-a");
        b = fake.Pods("flyte.org/node-id=y", "team-b");
        return a["items"].size() == 1 && b["items"].size() == 1;
      },
      30000));
  const std::string exec = a["items"][0]["metadata"]["labels"]["flyte.org/execution-id"];
  const std::string home = f.tmp.path() + "/kubectl-home";
  CHECK(KubectlPods(fake, home, "team-a", "flyte.org/execution-id=" + exec) ==
        std::set<std::string>{a["items"][0]["metadata"]["name"]});
  CHECK(KubectlPods(fake, home + "2", "team-b", "flyte.org/execution-id=" + exec) ==
        std::set<std::string>{b["items"][0]["metadata"]["name"]});
  CHECK(KubectlPods(fake, home + "3", "default", "flyte.org/execution-id=" + exec).empty());
  std::ofstream(gate).put('\n');
  ProcessResult r = c.Wait(90000);
  INFO(Describe(r));
  REQUIRE(r.exit_code == 0);
  auto report = nlohmann::json::parse(r.out);
  CHECK(report["outputs"] == local["outputs"]);
  // The secret came from team-a, where greet ran (the default namespace has none).
  CHECK(report["outputs"]["text"] == "n=2 key=k3y");
  std::map<std::string, std::string> where;
  for (const auto& n : report["nodes"]) where[n["id"]] = n.value("where", "");
  CHECK_THAT(where["x"], Catch::StartsWith("pod team-a/"));
  CHECK_THAT(where["y"], Catch::StartsWith("pod team-b/"));
  CHECK_THAT(where["g"], Catch::StartsWith("pod team-a/"));
  CHECK_THAT(where["d"], Catch::StartsWith("pod default/"));
  ProcessResult details = f.Flyte({"get", "execution", exec, "--details"});
  CHECK_THAT(details.out, Catch::Contains("pod team-b/"));

  const PerNamespace n = CountPodRequests(fake);
  CHECK(n.creates == std::map<std::string, int>{{"default", 1}, {"team-a", 2}, {"team-b", 1}});
  CHECK(n.watches == std::map<std::string, int>{{"default", 1}, {"team-a", 1}, {"team-b", 1}});
  // Every Pod is deleted, in its own namespace.
  for (const std::string ns : {"default", "team-a", "team-b"}) {
    INFO(ns);
    CHECK(WaitUntil(
        [&] { return fake.Pods("app.kubernetes.io/managed-by=flyte", ns)["items"].empty(); },
        20000));
  }
}

TEST_CASE(
    "kubernetes: after kill -9 a restarted server re-attaches to a Pod in its task's namespace "
    "and deletes an orphan there",
    "[kube][server][recovery]") {
  FakeKube fake("process");
  CreateNamespace(fake, "far");
  CreateNamespace(fake, "near");
  ServerFixture s({"--kubeconfig", fake.kubeconfig()});
  const std::string dir = s.tmp.path();
  const std::string instance = "h" + Sha256Hex(s.home()).substr(0, 12);
  s.Register(R"yaml(
tasks:
  slow:
    image: debian:12
    outputs: {n: int}
    kubernetes: {namespace: far}
    script: |
      echo "$FLYTE_EXECUTION_ID ran" >> )yaml" +
             dir + R"yaml(/ran.log
      while [ ! -f )yaml" +
             dir + R"yaml(/go ]; do sleep 0.05; done
      echo 7 > "{{ outputs.n }}"
  quick:
    image: debian:12
    script: "true"
workflows:
  one:
    outputs: {n: "{{ a.n }}"}
    nodes: {a: {task: slow}}
  fast:
    nodes: {q: {task: quick, kubernetes: {namespace: near}}}
)yaml");
  // A finished execution in `near`: no attempt runs there after the restart, only the record.
  s.Launch({{"project", "flytesnacks"},
            {"domain", "development"},
            {"name", "e0"},
            {"workflow", {{"name", "fast"}}}});
  CHECK(s.WaitFor("e0")["closure"]["phase"] == "SUCCEEDED");
  s.Launch({{"project", "flytesnacks"},
            {"domain", "development"},
            {"name", "e1"},
            {"workflow", {{"name", "one"}}}});
  REQUIRE(WaitUntil([&] { return LineCounts(dir + "/ran.log").size() == 1; }, 60000));
  s.Kill();
  // Orphans of this server, in the running task's namespace and in one only recorded: their
  // executions are unknown.
  for (const std::string ns : {"far", "near"}) {
    fake.Call("POST", "/api/v1/namespaces/" + ns + "/pods",
              {{"apiVersion", "v1"},
               {"kind", "Pod"},
               {"metadata",
                {{"name", "gone-" + ns + "-a-0-12345"},
                 {"labels",
                  {{"app.kubernetes.io/managed-by", "flyte"}, {"flyte.org/instance", instance}}}}},
               {"spec",
                {{"containers",
                  {{{"name", "task"}, {"image", "busybox"}, {"command", {"sleep", "300"}}}}}}}});
  }
  s.Start();
  for (const std::string ns : {"far", "near"}) {
    INFO(ns);
    CHECK(WaitUntil(
        [&] {
          const nlohmann::json pods = fake.Pods("", ns);
          for (const auto& p : pods["items"]) {
            if (p["metadata"]["name"] == "gone-" + ns + "-a-0-12345") return false;
          }
          return true;
        },
        30000));
  }
  std::ofstream(dir + "/go").put('\n');
  nlohmann::json e = s.WaitFor("e1");
  INFO(e.dump());
  CHECK(e["closure"]["phase"] == "SUCCEEDED");
  HttpResult data = s.Get("/api/v1/data/executions/flytesnacks/development/e1");
  CHECK(data.body["outputs"]["n"] == 7);
  for (const auto& [line, count] : LineCounts(dir + "/ran.log")) {
    INFO(line);
    CHECK(count == 1);
  }
  PerNamespace n = CountPodRequests(fake);
  CHECK(n.creates["far"] == 2);  // flyte's one Pod, and the test's orphan
  CHECK(n.creates["near"] == 2);
  CHECK(n.creates.count("default") == 0);
  const bool emptied = WaitUntil(
      [&] { return fake.Pods("app.kubernetes.io/managed-by=flyte", "far")["items"].empty(); },
      20000);
  INFO(fake.Pods("", "far").dump());
  CHECK(emptied);
}

}  // namespace
}  // namespace flyte::testing
