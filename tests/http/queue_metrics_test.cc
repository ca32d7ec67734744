// /metrics: the queue (nodes waiting for a task slot) and the attempts running, as a
// dashboard would read them while a capped fan-out runs.
#include <catch2/catch.hpp>

#include <fstream>
#include <thread>

#include "http/server_fixture.h"

namespace flyte {
namespace {

using nlohmann::json;
using testing::ServerFixture;

std::string Metrics(ServerFixture& s) {
  auto res = s.client->Get("/metrics");
  REQUIRE(res);
  return res->body;
}

bool WaitForMetric(ServerFixture& s, const std::string& line) {
  for (int i = 0; i < 1500; ++i) {
    if (Metrics(s).find(line) != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

TEST_CASE("/metrics reports the queue depth and the attempts running", "[server]") {
  ServerFixture s;
  const std::string go = s.tmp / "go";
  s.Register(R"yaml(
tasks:
  hold:
    inputs: {i: int}
    script: while [ ! -f )yaml" +
             go + R"yaml( ]; do sleep 0.02; done
workflows:
  fan:
    max_parallelism: 1
    nodes:
      a: {task: hold, inputs: {i: 1}}
      b: {task: hold, inputs: {i: 2}}
      c: {task: hold, inputs: {i: 3}}
)yaml");
  std::string name = s.Launch(
      {{"project", "flytesnacks"}, {"domain", "development"}, {"workflow", {{"name", "fan"}}}});
  // One runs; two wait for the one slot.
  CHECK(WaitForMetric(s, "flyte_node_queue_depth 2\n"));
  CHECK(Metrics(s).find("flyte_task_attempts_running 1\n") != std::string::npos);
  std::ofstream(go).put('\n');
  CHECK(s.WaitFor(name)["closure"]["phase"] == "SUCCEEDED");
  CHECK(WaitForMetric(s, "flyte_node_queue_depth 0\n"));
  CHECK(Metrics(s).find("flyte_task_attempts_running 0\n") != std::string::npos);
}

}  // namespace
}  // namespace flyte
