// `flyte get projects | tasks | workflows | launchplans [NAME]`, from the local home and from a
// server (whose lists come in pages the client follows).
#include <catch2/catch.hpp>

#include "http/server_fixture.h"

namespace flyte {
namespace {

using nlohmann::json;
using testing::ProcessResult;
using testing::ServerFixture;

std::string Version(int n) {
  return "tasks:\n  t:\n    script: \"exit " + std::to_string(n % 2) + "\"\nworkflows:\n  w" +
         std::to_string(n) + ":\n    nodes: {a: {task: t}}\n";
}

TEST_CASE("flyte get lists what is registered, locally and on a server", "[server][remote]") {
  ServerFixture s;
  std::string hello = std::string(FLYTE_SOURCE_DIR) + "/examples/hello.yaml";
  std::string home = s.tmp / "local";
  REQUIRE(testing::Flyte(home, {"run", hello}).exit_code == 0);
  ProcessResult wfs = testing::Flyte(home, {"get", "workflows"});
  INFO(testing::Describe(wfs));
  CHECK(wfs.exit_code == 0);
  CHECK(wfs.out.rfind("NAME   VERSION", 0) == 0);
  CHECK(wfs.out.find("\nhello  ") != std::string::npos);
  ProcessResult plans = testing::Flyte(home, {"get", "launchplans", "-o", "json"});
  REQUIRE(plans.exit_code == 0);
  json p = json::parse(plans.out);
  REQUIRE(p.size() == 1);
  CHECK(p[0]["name"] == "hello");
  CHECK(p[0]["state"] == "INACTIVE");
  CHECK(testing::Flyte(home, {"get", "tasks", "nope"}).exit_code == 2);

  // 101 versions of task t on the server: more than one page of the API.
  for (int n = 0; n < 101; ++n) s.Register(Version(n), "v" + std::to_string(n));
  ProcessResult tasks = testing::Flyte(
      home, {"get", "tasks", "t", "--limit", "500", "-o", "json", "--endpoint", s.url});
  INFO(testing::Describe(tasks));
  REQUIRE(tasks.exit_code == 0);
  CHECK(json::parse(tasks.out).size() == 101);
  ProcessResult projects = testing::Flyte(home, {"get", "projects", "--endpoint", s.url});
  CHECK(projects.exit_code == 0);
  CHECK(projects.out.find("\nflytesnacks  flytesnacks") != std::string::npos);
}

}  // namespace
}  // namespace flyte
