// Launch-plan activation and schedules under a real `flyte serve`: the scheduler's timing
// rules are tested with a manual clock in tests/cron; here a one-second fixed rate shows that
// activation, launching, persistence across a restart and version switching are wired up.
#include <catch2/catch.hpp>

#include <set>

#include "http/server_fixture.h"

namespace flyte {
namespace {

using nlohmann::json;
using testing::HttpResult;
using testing::ServerFixture;

constexpr const char* kTick = R"yaml(
tasks:
  stamp:
    inputs: {at: datetime}
    outputs: {at: datetime}
    script: echo "{{ inputs.at }}" > "{{ outputs.at }}"
workflows:
  tick:
    inputs: {at: datetime}
    outputs: {at: "{{ s.at }}"}
    nodes:
      s: {task: stamp, inputs: {at: "{{ inputs.at }}"}}
launch_plans:
  every_second:
    workflow: tick
    schedule: {every: 1s, kickoff_input: at}
    catchup: none
)yaml";

const std::string kList =
    "/api/v1/executions/flytesnacks/"
    "development?filters=eq(launch_plan,every_second)+eq(phase,SUCCEEDED)";

// Polls until at least `n` scheduled executions have succeeded.
json WaitForFires(ServerFixture& s, size_t n) {
  auto deadline = testing::SteadyClock::now() + std::chrono::seconds(30);
  json list;
  while (testing::SteadyClock::now() < deadline) {
    list = s.Get(kList).body["executions"];
    if (list.size() >= n) return list;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  FAIL("fewer than " << n << " scheduled executions: " << list.dump());
  return list;
}

TEST_CASE(
    "an activated fixed-rate launch plan fires with its kickoff input, and keeps firing after a "
    "restart",
    "[server][schedule]") {
  ServerFixture s;
  s.Register(kTick, "v1");
  CHECK(s.Get("/api/v1/active_launch_plans/flytesnacks/development").body["launch_plans"].empty());
  HttpResult on = s.Put("/api/v1/launch_plans/flytesnacks/development/every_second/v1",
                        json{{"state", "ACTIVE"}});
  INFO(on.text);
  REQUIRE(on.status == 200);
  CHECK(on.body["state"] == "ACTIVE");
  json active = s.Get("/api/v1/active_launch_plans/flytesnacks/development").body["launch_plans"];
  REQUIRE(active.size() == 1);
  CHECK(active[0]["id"]["name"] == "every_second");

  json fired = WaitForFires(s, 2);
  for (const auto& e : fired) {
    CHECK(e["spec"]["mode"] == "SCHEDULED");
    const std::string name = e["id"]["name"];
    CHECK(name.rfind("every-second-", 0) == 0);
    // The kickoff input is the fire time, which the execution's task echoed back.
    CHECK(e["closure"]["outputs"]["at"] == e["spec"]["inputs"]["at"]);
  }

  // A restart resumes the schedule from the store; fire names never repeat.
  testing::ProcessResult stopped = s.Stop();
  REQUIRE(stopped.exit_code == 0);
  s.Start();
  const size_t had = s.Get(kList).body["executions"].size();
  json after = WaitForFires(s, had + 1);
  std::set<std::string> names;
  for (const auto& e : after) names.insert(e["id"]["name"].get<std::string>());
  CHECK(names.size() == after.size());

  // Deactivated: no active plan remains.
  HttpResult off = s.Put("/api/v1/launch_plans/flytesnacks/development/every_second/v1",
                         json{{"state", "INACTIVE"}});
  CHECK(off.status == 200);
  CHECK(s.Get("/api/v1/active_launch_plans/flytesnacks/development").body["launch_plans"].empty());
}

TEST_CASE("activating another version leaves exactly one active version", "[server][schedule]") {
  ServerFixture s;
  s.Register(kTick, "v1");
  std::string v2 = kTick;
  v2.replace(v2.find("every: 1s"), 9, "every: 1h");
  s.Register(v2, "v2");
  REQUIRE(s.Put("/api/v1/launch_plans/flytesnacks/development/every_second/v1",
                json{{"state", "ACTIVE"}})
              .status == 200);
  REQUIRE(s.Put("/api/v1/launch_plans/flytesnacks/development/every_second/v2",
                json{{"state", "ACTIVE"}})
              .status == 200);
  json active = s.Get("/api/v1/active_launch_plans/flytesnacks/development").body["launch_plans"];
  REQUIRE(active.size() == 1);
  CHECK(active[0]["id"]["version"] == "v2");
  HttpResult bad = s.Put("/api/v1/launch_plans/flytesnacks/development/every_second/v9",
                         json{{"state", "ACTIVE"}});
  CHECK(bad.status == 404);
  HttpResult wrong =
      s.Put("/api/v1/launch_plans/flytesnacks/development/every_second/v1", json{{"state", "ON"}});
  CHECK(wrong.status == 400);
}

TEST_CASE("flyte launchplan activate and deactivate switch a plan on a server",
          "[server][schedule][remote]") {
  ServerFixture s;
  s.Register(kTick, "v1");
  auto flyte = [&](std::vector<std::string> args) {
    args.push_back("--endpoint");
    args.push_back(s.url);
    return testing::Flyte(s.tmp / "client", std::move(args));
  };
  testing::ProcessResult on = flyte({"launchplan", "activate", "every_second"});
  INFO(testing::Describe(on));
  CHECK(on.exit_code == 0);
  CHECK(on.out == "launch plan every_second is active\n");
  CHECK(s.Get("/api/v1/active_launch_plans/flytesnacks/development").body["launch_plans"].size() ==
        1);
  CHECK(flyte({"launchplan", "deactivate", "every_second"}).exit_code == 0);
  CHECK(s.Get("/api/v1/active_launch_plans/flytesnacks/development").body["launch_plans"].empty());
  CHECK(flyte({"launchplan", "activate", "no_such_plan"}).exit_code == 2);
}

}  // namespace
}  // namespace flyte
