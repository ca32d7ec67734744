// A server whose tasks leave named pipes as file outputs: each such execution fails on its
// own, and the thread pool that stores file outputs stays free for the next ones. (Reading a
// pipe used to hold one of libuv's four pool threads for good; four of them stalled every
// later execution with a file output.)
#include <catch2/catch.hpp>

#include <filesystem>
#include <thread>

#include "http/server_fixture.h"

namespace flyte {
namespace {

using testing::ServerFixture;

constexpr const char* kFiles = R"yaml(
tasks:
  pipe:
    outputs: {f: file}
    script: mkfifo "{{ outputs.f }}"
  plain:
    outputs: {f: file}
    script: echo hello > "{{ outputs.f }}"
workflows:
  pipes:
    nodes:
      t: {task: pipe}
  plain:
    outputs: {f: "{{ t.f }}"}
    nodes:
      t: {task: plain}
)yaml";

TEST_CASE("four executions leaving named pipes do not stall a fifth with a file output",
          "[process][server][outputs]") {
  ServerFixture s;
  s.Register(kFiles);
  std::vector<std::string> names;
  for (int i = 0; i < 4; ++i) {
    names.push_back(s.Launch({{"project", "flytesnacks"},
                              {"domain", "development"},
                              {"name", "pipe" + std::to_string(i)},
                              {"workflow", {{"name", "pipes"}}}}));
  }
  for (const std::string& name : names) {
    nlohmann::json e = s.WaitFor(name, "", 20000);
    INFO(e.dump());
    CHECK(e["closure"]["phase"] == "FAILED");
    CHECK(e["closure"]["error"]["code"] == "OutputsNotRegular");
  }
  std::string plain = s.Launch({{"project", "flytesnacks"},
                                {"domain", "development"},
                                {"name", "plain"},
                                {"workflow", {{"name", "plain"}}}});
  nlohmann::json e = s.WaitFor(plain, "", 20000);
  INFO(e.dump());
  CHECK(e["closure"]["phase"] == "SUCCEEDED");
  CHECK(s.Stop().exit_code == 0);
}

// Polls for `path` to exist (the task's own progress marks).
bool WaitForFile(const std::string& path, int deadline_ms = 20000) {
  auto deadline = testing::SteadyClock::now() + std::chrono::milliseconds(deadline_ms);
  while (!std::filesystem::exists(path)) {
    if (testing::SteadyClock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

TEST_CASE(
    "a named pipe left while no server ran fails its attempt when the restarted server adopts it",
    "[process][server][outputs]") {
  ServerFixture s;
  const std::string dir = s.tmp.path();
  s.Register(R"yaml(
tasks:
  late:
    outputs: {f: file}
    script: |
      mkfifo "{{ outputs.f }}"
      touch )yaml" +
             dir + R"yaml(/started
      while [ ! -f )yaml" +
             dir + R"yaml(/go ]; do sleep 0.02; done
workflows:
  late:
    nodes:
      t: {task: late}
)yaml");
  std::string name = s.Launch({{"project", "flytesnacks"},
                               {"domain", "development"},
                               {"name", "late"},
                               {"workflow", {{"name", "late"}}}});
  REQUIRE(WaitForFile(dir + "/started"));
  s.Kill();
  // The task ends under its supervisor while no server runs; the next one adopts its end.
  s.tmp.Write("go", "");
  s.Start();
  nlohmann::json e = s.WaitFor(name, "", 20000);
  INFO(e.dump());
  CHECK(e["closure"]["phase"] == "FAILED");
  CHECK(e["closure"]["error"]["code"] == "OutputsNotRegular");
  CHECK(s.Stop().exit_code == 0);
}

}  // namespace
}  // namespace flyte
