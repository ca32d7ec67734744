// The Pod watch under a run: a dropped watch connection and an expired resourceVersion (410)
// while Pods end must lose no event. flyte resumes from the last resourceVersion, or relists,
// and the run finishes with the right outputs, with one watch open at a time.
#include <catch2/catch.hpp>

#include <fstream>

#include "cli/cli_fixture.h"
#include "support/fake_kube_server.h"

namespace flyte::testing {
namespace {

struct Requests {
  int watches = 0;  // flyte's watch GETs on Pods
  int lists = 0;    // flyte's plain list GETs on Pods
};

Requests CountPodRequests(FakeKube& fake) {
  Requests n;
  nlohmann::json log = fake.Call("GET", "/_fake/requests");
  for (const auto& r : log["requests"]) {
    if (r["method"] != "GET" || r["path"] != "/api/v1/namespaces/default/pods") continue;
    // flyte's own list and watch select its instance; the test's polling does not.
    if (r["query"].value("labelSelector", "").find("flyte.org/instance") == std::string::npos)
      continue;
    const std::string watch = r["query"].value("watch", "");
    (watch == "true" || watch == "1" ? n.watches : n.lists) += 1;
  }
  return n;
}

std::string PodPhase(FakeKube& fake, const std::string& node) {
  nlohmann::json pods = fake.Pods("flyte.org/node-id=" + node);
  if (pods["items"].empty()) return "";
  return pods["items"][0]["status"].value("phase", "");
}

int OpenWatches(FakeKube& fake) { return fake.Call("GET", "/_fake/state")["openWatches"]; }

TEST_CASE("kubernetes: a watch dropped mid-run and an expired resourceVersion lose no Pod event",
          "[kube]") {
  FakeKube fake("process");
  CliFixture f;
  const std::string dir = f.tmp.path();
  const std::string wf = f.Write("chain.yaml", R"(
tasks:
  first:
    image: debian:12
    outputs: {x: int}
    script: |
      while [ ! -f )" + dir + R"(/go1 ]; do sleep 0.05; done
      echo 20 > "{{ outputs.x }}"
  second:
    image: debian:12
    inputs: {x: int}
    outputs: {y: int}
    script: |
      while [ ! -f )" + dir + R"(/go2 ]; do sleep 0.05; done
      echo $(( {{ inputs.x }} + 1 )) > "{{ outputs.y }}"
  third:
    image: debian:12
    inputs: {y: int}
    outputs: {z: int}
    script: echo $(( {{ inputs.y }} * 2 )) > "{{ outputs.z }}"
workflows:
  w:
    outputs: {z: "{{ c.z }}"}
    nodes:
      a: {task: first}
      b: {task: second, inputs: {x: "{{ a.x }}"}}
      c: {task: third, inputs: {y: "{{ b.y }}"}}
)");
  Child run(FlyteArgv(f.home(), {"run", wf, "w", "-o", "json", "--kubeconfig", fake.kubeconfig()}),
            FlyteEnv(f.home()));
  REQUIRE(WaitUntil([&] { return PodPhase(fake, "a") == "Running"; }, 30000));
  REQUIRE(OpenWatches(fake) == 1);
  const Requests before = CountPodRequests(fake);

  // The connection drops and the Pod ends while no watch is open: the next watch starts from
  // the last resourceVersion seen and must deliver the end.
  fake.Fault({{"type", "drop_open_watches"}});
  std::ofstream(dir + "/go1").put('\n');
  REQUIRE(WaitUntil([&] { return PodPhase(fake, "b") == "Running"; }, 30000));
  const Requests resumed = CountPodRequests(fake);
  CHECK(resumed.watches > before.watches);
  CHECK(resumed.lists == before.lists);  // resumed, not relisted

  // The history is compacted: the open watch is told 410 Gone, flyte relists, and the end of b
  // (written around the same time) still arrives.
  fake.Fault({{"type", "expire"}});
  std::ofstream(dir + "/go2").put('\n');
  ProcessResult r = run.Wait(60000);
  INFO(Describe(r));
  REQUIRE(r.exit_code == 0);
  CHECK(nlohmann::json::parse(r.out)["outputs"]["z"] == 42);
  const Requests after = CountPodRequests(fake);
  CHECK(after.lists > resumed.lists);
  CHECK(OpenWatches(fake) <= 1);
}

}  // namespace
}  // namespace flyte::testing
