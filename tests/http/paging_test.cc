// Pages of entity, name and project lists: limit, token and sort_by, as for executions.
#include <catch2/catch.hpp>

#include "http/server_fixture.h"

namespace flyte {
namespace {

using nlohmann::json;
using testing::HttpResult;
using testing::ServerFixture;

std::string Workflow(int n) {
  return "tasks:\n  t" + std::to_string(n) +
         ":\n    script: \"true\"\nworkflows:\n  w:\n    nodes: {a: {task: t" + std::to_string(n) +
         "}}\n";
}

TEST_CASE("entity and project lists come in pages with a token", "[server]") {
  ServerFixture s;
  for (int v = 1; v <= 3; ++v) s.Register(Workflow(v), "v" + std::to_string(v));
  const std::string base = "/api/v1/workflows/flytesnacks/development";

  json first = s.Get(base + "?limit=2").body;
  REQUIRE(first["workflows"].size() == 2);
  CHECK(first["token"] == "2");
  json rest = s.Get(base + "?limit=2&token=2").body;
  REQUIRE(rest["workflows"].size() == 1);
  CHECK(rest["token"] == "");
  std::set<std::string> versions;
  for (const json& page : {first, rest}) {
    for (const json& w : page["workflows"]) versions.insert(w["id"]["version"]);
  }
  CHECK(versions == std::set<std::string>{"v1", "v2", "v3"});

  json by_version = s.Get(base + "/w?sort_by.key=version&sort_by.direction=ASCENDING").body;
  REQUIRE(by_version["workflows"].size() == 3);
  CHECK(by_version["workflows"][0]["id"]["version"] == "v1");
  CHECK(by_version["workflows"][2]["id"]["version"] == "v3");

  json tasks = s.Get(
                    "/api/v1/task_ids/flytesnacks/"
                    "development?limit=1&sort_by.direction=ASCENDING&sort_by.key=name")
                   .body;
  REQUIRE(tasks["entities"].size() == 1);
  CHECK(tasks["token"] == "1");

  CHECK(s.Get(base + "?sort_by.key=colour").status == 400);
  CHECK(s.Get(base + "?limit=0").status == 400);
  CHECK(s.Get(base + "?page=2").status == 400);

  for (const char* id : {"alpha", "beta"}) {
    HttpResult made = s.Post("/api/v1/projects", json{{"id", id}, {"name", id}});
    REQUIRE(made.status == 200);
    CHECK(made.body["created_at"].is_string());  // what is stored, not the request echoed
  }
  json projects = s.Get("/api/v1/projects?limit=2&sort_by.key=id&sort_by.direction=ASCENDING").body;
  REQUIRE(projects["projects"].size() == 2);
  CHECK(projects["projects"][0]["id"] == "alpha");
  CHECK(projects["token"] == "2");
  json last =
      s.Get("/api/v1/projects?limit=2&token=2&sort_by.key=id&sort_by.direction=ASCENDING").body;
  REQUIRE(last["projects"].size() == 1);
  CHECK(last["projects"][0]["id"] == "flytesnacks");
}

}  // namespace
}  // namespace flyte
