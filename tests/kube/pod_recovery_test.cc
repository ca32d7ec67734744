// `flyte serve` with Pods, killed with SIGKILL mid-run and started again: it re-attaches to its
// running Pods by name, finishes every execution, and each task runs once.
#include <catch2/catch.hpp>

#include <fstream>
#include <map>
#include <set>
#include <thread>

#include "http/server_fixture.h"
#include "support/fake_kube_server.h"
#include "util/sha256.h"

namespace flyte::testing {
namespace {

std::string TwoPods(const std::string& dir) {
  return R"yaml(
tasks:
  step1:
    image: debian:12
    inputs: {n: int}
    outputs: {m: int}
    script: |
      echo "$FLYTE_EXECUTION_ID step1" >> )yaml" +
         dir + R"yaml(/ran.log
      while [ ! -f )yaml" +
         dir + R"yaml(/go1 ]; do sleep 0.05; done
      echo $(( {{ inputs.n }} + 1 )) > "{{ outputs.m }}"
  step2:
    image: debian:12
    inputs: {m: int}
    outputs: {r: int}
    script: |
      echo "$FLYTE_EXECUTION_ID step2" >> )yaml" +
         dir + R"yaml(/ran.log
      while [ ! -f )yaml" +
         dir + R"yaml(/go2 ]; do sleep 0.05; done
      echo $(( {{ inputs.m }} * 10 )) > "{{ outputs.r }}"
workflows:
  two:
    inputs: {n: int}
    outputs: {r: "{{ s2.r }}"}
    nodes:
      s1: {task: step1, inputs: {n: "{{ inputs.n }}"}}
      s2: {task: step2, inputs: {m: "{{ s1.m }}"}}
)yaml";
}

TEST_CASE(
    "kubernetes: after kill -9 a restarted server re-attaches to its Pods; each task runs once",
    "[kube][server][recovery]") {
  FakeKube fake("process");
  ServerFixture s({"--kubeconfig", fake.kubeconfig()});
  const std::string dir = s.tmp.path();
  const std::string log = dir + "/ran.log";
  constexpr int kExecutions = 20;
  s.Register(TwoPods(dir));
  for (int i = 0; i < kExecutions; ++i) {
    s.Launch({{"project", "flytesnacks"},
              {"domain", "development"},
              {"name", "e" + std::to_string(i)},
              {"workflow", {{"name", "two"}}},
              {"inputs", {{"n", i}}}});
  }
  REQUIRE(WaitUntil([&] { return LineCounts(log).size() == kExecutions; }, 60000));
  s.Kill();
  // While no server runs, the first steps end: their Pods' final states must not be lost.
  std::ofstream(dir + "/go1").put('\n');
  s.Start();
  REQUIRE(WaitUntil([&] { return LineCounts(log).size() == 2 * kExecutions; }, 60000));
  std::ofstream(dir + "/go2").put('\n');
  for (int i = 0; i < kExecutions; ++i) {
    nlohmann::json e = s.WaitFor("e" + std::to_string(i));
    INFO(e.dump());
    CHECK(e["closure"]["phase"] == "SUCCEEDED");
    HttpResult data =
        s.Get("/api/v1/data/executions/flytesnacks/development/e" + std::to_string(i));
    CHECK(data.body["outputs"]["r"] == (i + 1) * 10);
  }
  for (const auto& [line, count] : LineCounts(log)) {
    INFO(line);
    CHECK(count == 1);
  }
  // Every Pod created once, and none left.
  int creates = 0;
  const nlohmann::json requests = fake.Call("GET", "/_fake/requests");
  for (const auto& r : requests["requests"]) {
    creates += r["method"] == "POST" && r["path"] == "/api/v1/namespaces/default/pods";
  }
  CHECK(creates == 2 * kExecutions);
  CHECK(WaitUntil([&] { return fake.Pods("app.kubernetes.io/managed-by=flyte")["items"].empty(); },
                  20000));
}

TEST_CASE(
    "kubernetes: a restarted server deletes its Pods that no execution claims, and no one else's",
    "[kube][server][recovery]") {
  FakeKube fake("none");
  ServerFixture s({"--kubeconfig", fake.kubeconfig()}, /*start=*/false);
  // What a server on this home labels its Pods with (docs/kubernetes.md, flyte.org/instance).
  const std::string instance = "h" + Sha256Hex(s.home()).substr(0, 12);
  auto pod = [](const std::string& name, const std::string& instance) {
    return nlohmann::json{
        {"apiVersion", "v1"},
        {"kind", "Pod"},
        {"metadata",
         {{"name", name},
          {"labels",
           {{"app.kubernetes.io/managed-by", "flyte"}, {"flyte.org/instance", instance}}}}},
        {"spec",
         {{"containers", {{{"name", "task"}, {"image", "busybox"}, {"command", {"true"}}}}}}}};
  };
  fake.Call("POST", "/api/v1/namespaces/default/pods", pod("gone-exec-a-0-12345", instance));
  fake.Call("POST", "/api/v1/namespaces/default/pods",
            pod("other-home-a-0-12345", "hffffffffffff"));
  s.Start();
  CHECK(WaitUntil([&] { return fake.Pods("flyte.org/instance=" + instance)["items"].empty(); },
                  20000));
  CHECK(fake.Pods("flyte.org/instance=hffffffffffff")["items"].size() == 1);
}

std::string PluginTasks(const std::string& dir) {
  const std::string wait = "while [ ! -f " + dir + "/go ]; do sleep 0.05; done";
  return R"yaml(
tasks:
  crunch:
    plugin: dask
    image: debian:12
    outputs: {n: int}
    script: |
      )yaml" +
         wait + R"yaml(
      echo 42 > "{{ outputs.n }}"
  object:
    plugin: resource
    resource:
      manifest:
        apiVersion: v1
        kind: Pod
        spec:
          restartPolicy: Never
          containers: [{name: main, image: debian:12, command: [sh, -c, ")yaml" +
         wait + R"yaml("]}]
      success: status.phase == Succeeded
      failure: status.phase == Failed
workflows:
  both:
    outputs: {n: "{{ c.n }}"}
    nodes:
      c: {task: crunch}
      o: {task: object}
)yaml";
}

// `live` as another execution of this home (gone now) or another home left it: renamed
// throughout (its main Pod's label names its resource).
nlohmann::json Orphan(const nlohmann::json& live, const std::string& name,
                      const std::string& instance) {
  std::string spec = live["spec"].dump();
  const std::string old = live["metadata"]["name"];
  for (size_t at = spec.find(old); at != std::string::npos; at = spec.find(old, at))
    spec.replace(at, old.size(), name);
  // A list's Pods carry no apiVersion and kind.
  nlohmann::json o = {{"apiVersion", live.value("apiVersion", "v1")},
                      {"kind", live.value("kind", "Pod")},
                      {"metadata", {{"name", name}, {"labels", live["metadata"]["labels"]}}},
                      {"spec", nlohmann::json::parse(spec)}};
  o["metadata"]["labels"]["flyte.org/instance"] = instance;
  o["metadata"]["labels"]["flyte.org/execution-id"] = "gone";
  return o;
}

TEST_CASE(
    "kubernetes: a restarted server re-attaches to its plugin resources and deletes those no "
    "execution claims",
    "[kube][server][recovery][plugins]") {
  FakeKube fake("process", false, {"--operators", "dask"});
  ServerFixture s({"--kubeconfig", fake.kubeconfig()});
  const std::string dir = s.tmp.path();
  const std::string instance = "h" + Sha256Hex(s.home()).substr(0, 12);
  const std::string jobs = "/apis/kubernetes.dask.org/v1/namespaces/default/daskjobs";
  const std::string pods = "/api/v1/namespaces/default/pods";
  const std::string objects = "flyte.org/plugin=resource";
  s.Register(PluginTasks(dir));
  s.Launch({{"project", "flytesnacks"},
            {"domain", "development"},
            {"name", "live"},
            {"workflow", {{"name", "both"}}}});
  nlohmann::json job, pod;
  REQUIRE(WaitUntil(
      [&] {
        job = fake.Call("GET", jobs)["items"];
        pod = fake.Pods(objects)["items"];
        return job.size() == 1 && pod.size() == 1;
      },
      30000));
  s.Kill();
  // While no server runs: resources of executions that are gone, and another home's.
  for (const auto& [path, orphan] :
       {std::pair{jobs, Orphan(job[0], "gone-dask", instance)},
        std::pair{pods, Orphan(pod[0], "gone-object", instance)},
        std::pair{pods, Orphan(pod[0], "other-object", "hffffffffffff")}}) {
    const nlohmann::json created = fake.Call("POST", path, orphan);
    INFO(created.dump());
    REQUIRE(created["metadata"]["name"] == orphan["metadata"]["name"]);
  }
  s.Start();
  auto names = [](const nlohmann::json& items) {
    std::set<std::string> out;
    for (const auto& i : items) {
      if (!i["metadata"].contains("deletionTimestamp")) out.insert(i["metadata"]["name"]);
    }
    return out;
  };
  CHECK(WaitUntil(
      [&] {
        return !names(fake.Call("GET", jobs)["items"]).count("gone-dask") &&
               !names(fake.Pods(objects)["items"]).count("gone-object");
      },
      30000));
  // The live execution's resources are its own again, and it finishes through them.
  CHECK(names(fake.Call("GET", jobs)["items"]) ==
        std::set<std::string>{job[0]["metadata"]["name"]});
  CHECK(names(fake.Pods(objects + ",flyte.org/instance=" + instance)["items"]) ==
        std::set<std::string>{pod[0]["metadata"]["name"]});
  CHECK(names(fake.Pods(objects + ",flyte.org/instance=hffffffffffff")["items"]) ==
        std::set<std::string>{"other-object"});
  std::ofstream(dir + "/go").put('\n');
  nlohmann::json e = s.WaitFor("live");
  INFO(e.dump());
  CHECK(e["closure"]["phase"] == "SUCCEEDED");
  CHECK(WaitUntil([&] { return fake.Call("GET", jobs)["items"].empty(); }, 20000));
}

}  // namespace
}  // namespace flyte::testing
