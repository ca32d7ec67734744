// Execution labels: given through the API and `flyte run --label`, merged over the launch
// plan's, kept by relaunch, shown by `flyte get`, and usable in list filters.
#include <catch2/catch.hpp>

#include "http/server_fixture.h"

namespace flyte {
namespace {

using nlohmann::json;
using testing::HttpResult;
using testing::ServerFixture;

constexpr const char* kLabelled = R"yaml(
tasks:
  noop:
    script: "true"
workflows:
  w:
    nodes: {a: {task: noop}}
launch_plans:
  nightly:
    workflow: w
    labels: {team: data, tier: batch}
)yaml";

const std::string kExecs = "/api/v1/executions/flytesnacks/development";

TEST_CASE("labels are stored on executions, merged over the launch plan's and filterable",
          "[server]") {
  ServerFixture s;
  s.Register(kLabelled);
  s.Launch({{"project", "flytesnacks"},
            {"domain", "development"},
            {"name", "plain"},
            {"workflow", {{"name", "w"}}},
            {"labels", {{"owner", "ada"}}}});
  s.Launch({{"project", "flytesnacks"},
            {"domain", "development"},
            {"name", "planned"},
            {"launch_plan", {{"name", "nightly"}}},
            {"labels", {{"tier", "urgent"}}}});
  json plain = s.WaitFor("plain");
  CHECK(plain["spec"]["labels"] == json{{"owner", "ada"}});
  json planned = s.WaitFor("planned");
  CHECK(planned["spec"]["labels"] == json{{"team", "data"}, {"tier", "urgent"}});

  json by_team = s.Get(kExecs + "?filters=eq(labels.team,data)").body;
  REQUIRE(by_team["executions"].size() == 1);
  CHECK(by_team["executions"][0]["id"]["name"] == "planned");
  CHECK(s.Get(kExecs + "?filters=eq(labels.owner,ada)").body["executions"].size() == 1);
  CHECK(s.Get(kExecs + "?filters=eq(labels.owner,bob)").body["executions"].empty());
  HttpResult bad = s.Get(kExecs + "?filters=eq(labels.o'wner,ada)");
  CHECK(bad.status == 400);

  // Relaunch keeps them.
  HttpResult again = s.Post(
      "/api/v1/executions/relaunch",
      json{{"id", {{"project", "flytesnacks"}, {"domain", "development"}, {"name", "planned"}}},
           {"name", "planned-again"}});
  REQUIRE(again.status == 200);
  CHECK(s.WaitFor("planned-again")["spec"]["labels"] == json{{"team", "data"}, {"tier", "urgent"}});

  // A label that is not a string is refused.
  HttpResult wrong = s.Post("/api/v1/executions", json{{"project", "flytesnacks"},
                                                       {"domain", "development"},
                                                       {"workflow", {{"name", "w"}}},
                                                       {"labels", {{"n", 1}}}});
  CHECK(wrong.status == 400);
}

TEST_CASE("flyte run --label records labels locally and remotely, and flyte get shows them",
          "[server][remote]") {
  ServerFixture s;
  std::string file = s.tmp.Write("w.yaml", kLabelled);
  std::string home = s.tmp / "local";
  testing::ProcessResult local =
      testing::Flyte(home, {"run", file, "w", "--name", "l1", "--label", "team=ml"});
  INFO(testing::Describe(local));
  REQUIRE(local.exit_code == 0);
  testing::ProcessResult got = testing::Flyte(home, {"get", "execution", "l1", "-o", "json"});
  REQUIRE(got.exit_code == 0);
  CHECK(json::parse(got.out)["labels"] == json{{"team", "ml"}});
  CHECK(testing::Flyte(home, {"run", file, "w", "--label", "nolabel"}).exit_code == 2);

  testing::ProcessResult remote = testing::Flyte(
      home,
      {"run", "--remote", file, "w", "--name", "r1", "--label", "team=infra", "--endpoint", s.url});
  INFO(testing::Describe(remote));
  REQUIRE(remote.exit_code == 0);
  CHECK(s.WaitFor("r1")["spec"]["labels"] == json{{"team", "infra"}});
  testing::ProcessResult shown =
      testing::Flyte(home, {"get", "execution", "r1", "--endpoint", s.url});
  CHECK(shown.out.find("labels     {\"team\":\"infra\"}") != std::string::npos);
}

}  // namespace
}  // namespace flyte
