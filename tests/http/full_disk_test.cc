// A server whose home is on a small tmpfs that a task fills up: while the store refuses
// writes, /healthcheck answers 503 with the reason and the executions stay as last recorded;
// once room comes back the retried writes land, the execution reaches its true final state
// (so a remote waiter ends) and the server is healthy again.
#include <catch2/catch.hpp>

#include <thread>

#include "http/server_fixture.h"
#include "support/tmpfs.h"

namespace flyte {
namespace {

using testing::HttpResult;
using testing::ServerFixture;
using testing::SteadyClock;

// Polls /healthcheck until its status is `want` (the server retries on its own schedule).
HttpResult WaitForHealth(ServerFixture& s, int want, int deadline_ms = 20000) {
  auto deadline = SteadyClock::now() + std::chrono::milliseconds(deadline_ms);
  HttpResult r;
  while (SteadyClock::now() < deadline) {
    r = s.Get("/healthcheck");
    if (r.status == want) return r;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  FAIL("/healthcheck did not answer " << want << ": " << r.status << " " << r.text);
  return r;
}

TEST_CASE(
    "a server on a full disk reports itself degraded and records the true end when room returns",
    "[process][server][store][disk]") {
  ServerFixture s({}, /*start=*/false);
  testing::Tmpfs disk(24 << 20, s.home());
  if (!disk.mounted()) {
    WARN("cannot mount a tmpfs (" << disk.error() << "): not tested here");
    return;
  }
  s.Start();
  s.Register(R"yaml(
tasks:
  fill:
    script: dd if=/dev/zero of=)yaml" +
             disk / "filler" + R"yaml( bs=4k 2>/dev/null || true
workflows:
  wf:
    nodes:
      t: {task: fill}
)yaml");
  CHECK(s.Get("/healthcheck").status == 200);
  std::string name = s.Launch({{"project", "flytesnacks"},
                               {"domain", "development"},
                               {"name", "filled"},
                               {"workflow", {{"name", "wf"}}}});
  HttpResult degraded = WaitForHealth(s, 503);
  CHECK(degraded.body["status"] == "degraded");
  const std::string reason = degraded.body["reason"];
  CHECK(reason.find("cannot write to the database " + s.home() + "/flyte.db") != std::string::npos);
  CHECK(reason.find("database or disk is full") != std::string::npos);
  // The server still answers from what the store holds.
  HttpResult row = s.Get("/api/v1/executions/flytesnacks/development/" + name);
  REQUIRE(row.status == 200);
  CHECK(row.body["closure"]["phase"] != "SUCCEEDED");

  disk.Unfill();
  nlohmann::json e = s.WaitFor(name, "", 20000);
  CHECK(e["closure"]["phase"] == "SUCCEEDED");
  CHECK(WaitForHealth(s, 200).body["status"] == "ok");
  testing::ProcessResult stopped = s.Stop();
  CHECK(stopped.exit_code == 0);
  CHECK(stopped.err.find("the database takes writes again") != std::string::npos);
}

}  // namespace
}  // namespace flyte
