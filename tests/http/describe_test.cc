// The read-only routes the console draws from (http/describe_routes.cc), against a real
// `flyte serve`: an execution's graph, a target's typed interface, launch plans' schedules and
// next fires; and the caching of the built-in assets (ETag, 304).
#include <catch2/catch.hpp>

#include <string>

#include "http/console.h"
#include "http/openapi.h"
#include "http/server_fixture.h"

namespace flyte {
namespace {

using testing::ServerFixture;
using json = nlohmann::json;

constexpr const char* kShapes = R"yaml(
tasks:
  square:
    inputs: {x: int}
    outputs: {y: int}
    script: echo $(( {{ inputs.x }} * {{ inputs.x }} )) > "{{ outputs.y }}"
  show:
    inputs: {v: int}
    script: echo "{{ inputs.v }}"
workflows:
  inner:
    inputs: {v: int}
    nodes:
      a: {task: show, inputs: {v: "{{ inputs.v }}"}}
  shapes:
    description: every shape the console draws
    inputs:
      n: int
      when: {type: datetime, default: "2026-01-02T03:04:05Z"}
      xs: {type: "list[int]", default: [1, 2]}
      mode: {type: "optional[enum[fast, slow]]"}
    nodes:
      first: {task: square, inputs: {x: "{{ inputs.n }}"}}
      sq: {map: square, inputs: {x: "{{ inputs.xs }}"}}
      pick:
        branch:
          - if: "{{ first.y }} > 3"
            task: show
            inputs: {v: "{{ first.y }}"}
          - else: {fail: "too small"}
      sub: {workflow: inner, inputs: {v: "{{ first.y }}"}}
launch_plans:
  nightly:
    workflow: shapes
    fixed_inputs: {n: 3}
    schedule: {cron: "0 6 * * *", timezone: UTC}
)yaml";

TEST_CASE("an execution's graph lists its nodes, edges, branch cases and subworkflows",
          "[server][console]") {
  ServerFixture s;
  s.Register(kShapes);
  s.Launch({{"project", "flytesnacks"},
            {"domain", "development"},
            {"workflow", {{"name", "shapes"}}},
            {"inputs", {{"n", 4}}},
            {"name", "g1"}});
  s.WaitFor("g1", "SUCCEEDED");

  auto r = s.Get("/api/v1/executions/flytesnacks/development/g1/graph");
  INFO(r.text);
  REQUIRE(r.status == 200);
  const json& g = r.body["graph"];
  CHECK(r.body["id"] ==
        json({{"project", "flytesnacks"}, {"domain", "development"}, {"name", "g1"}}));
  CHECK(g["name"] == "shapes");
  REQUIRE(g["nodes"].size() == 4);
  CHECK(g["nodes"][0] == json({{"id", "first"}, {"kind", "task"}, {"target", "square"}}));
  CHECK(g["nodes"][1] ==
        json({{"id", "sq"}, {"kind", "map"}, {"target", "square"}, {"mapped", {"x"}}}));
  CHECK(g["nodes"][2]["kind"] == "branch");
  CHECK(g["nodes"][2]["cases"] ==
        json::parse(R"([{"label": "first.y > 3", "kind": "task", "target": "show"},
                        {"label": "else", "fail": "too small"}])"));
  CHECK(
      g["nodes"][3]["workflow"] ==
      json::parse(
          R"({"name": "inner", "nodes": [{"id": "a", "kind": "task", "target": "show"}], "edges": []})"));
  CHECK(g["edges"] == json::parse(R"([["first", "pick"], ["first", "sub"]])"));

  auto missing = s.Get("/api/v1/executions/flytesnacks/development/nosuch/graph");
  CHECK(missing.status == 404);
  CHECK(missing.body["error"]["code"] == "NotFound");
  CHECK(s.Get("/api/v1/executions/flytesnacks/nodomain/g1/graph").status == 400);
}

TEST_CASE("a target's interface gives each input's type, requiredness and default",
          "[server][console]") {
  ServerFixture s;
  s.Register(kShapes);
  auto wf = s.Get("/api/v1/interfaces/flytesnacks/development/workflows/shapes");
  INFO(wf.text);
  REQUIRE(wf.status == 200);
  CHECK(wf.body["id"]["resource_type"] == "WORKFLOW");
  CHECK(wf.body["inputs"] == json::parse(R"([
    {"name": "n", "type": "int", "required": true},
    {"name": "when", "type": "datetime", "required": false, "default": "2026-01-02T03:04:05Z"},
    {"name": "xs", "type": "list[int]", "required": false, "default": [1, 2]},
    {"name": "mode", "type": "optional[enum[fast, slow]]", "required": false}])"));

  auto lp = s.Get("/api/v1/interfaces/flytesnacks/development/launch_plans/nightly");
  INFO(lp.text);
  REQUIRE(lp.status == 200);
  CHECK(lp.body["workflow"] == "shapes");
  CHECK(lp.body["fixed_inputs"] == json({{"n", 3}}));
  CHECK(lp.body["schedule"] == json({{"cron", "0 6 * * *"}, {"timezone", "UTC"}}));
  for (const json& v : lp.body["inputs"]) CHECK(v["name"] != "n");  // fixed: not asked for

  const std::string version = wf.body["id"]["version"];
  CHECK(
      s.Get("/api/v1/interfaces/flytesnacks/development/tasks/square?version=" + version).status ==
      200);
  auto bad_version = s.Get("/api/v1/interfaces/flytesnacks/development/tasks/square?version=nope");
  CHECK(bad_version.status == 404);
  CHECK(bad_version.body["error"]["message"] ==
        "no task 'square' at version 'nope' in flytesnacks/development");
  auto bad_kind = s.Get("/api/v1/interfaces/flytesnacks/development/workflow/shapes");
  CHECK(bad_kind.status == 400);
  CHECK(bad_kind.body["error"]["message"] ==
        "no resource 'workflow'; expected one of tasks, workflows, launch_plans (did you mean "
        "'workflows'?)");
}

TEST_CASE("launch plan schedules show the next fire while active", "[server][console]") {
  ServerFixture s;
  s.Register(kShapes);
  auto plan = [&](const std::string& name) {
    auto r = s.Get("/api/v1/launch_plan_schedules/flytesnacks/development");
    INFO(r.text);
    REQUIRE(r.status == 200);
    for (const json& p : r.body["launch_plans"]) {
      if (p["id"]["name"] == name) return p;
    }
    FAIL("no launch plan " << name);
    return json();
  };
  json nightly = plan("nightly");
  CHECK(nightly["state"] == "INACTIVE");
  CHECK(nightly["schedule"] == json({{"cron", "0 6 * * *"}, {"timezone", "UTC"}}));
  CHECK(nightly["next_fire_at"].is_null());
  CHECK(plan("shapes")["schedule"].is_null());  // a workflow's default plan has none

  REQUIRE(
      s.Put("/api/v1/launch_plans/flytesnacks/development/nightly", {{"state", "ACTIVE"}}).status ==
      200);
  nightly = plan("nightly");
  CHECK(nightly["state"] == "ACTIVE");
  REQUIRE(nightly["next_fire_at"].is_string());
  const std::string next = nightly["next_fire_at"];
  CHECK(next.substr(10) == "T06:00:00Z");

  REQUIRE(s.Put("/api/v1/launch_plans/flytesnacks/development/nightly", {{"state", "INACTIVE"}})
              .status == 200);
  CHECK(plan("nightly")["next_fire_at"].is_null());
}

TEST_CASE("the console and the OpenAPI document carry an ETag, and a revalidation costs a 304",
          "[server][console][openapi]") {
  ServerFixture s;
  struct Asset {
    const char* path;
    const std::string& body;
    const std::string& etag;
  };
  for (const Asset& a : {Asset{"/console", http::ConsoleHtml(), http::ConsoleEtag()},
                         Asset{"/api/v1/openapi", http::OpenApiDocument(), http::OpenApiEtag()}}) {
    INFO(a.path);
    auto first = s.client->Get(a.path);
    REQUIRE(first);
    CHECK(first->status == 200);
    CHECK(first->body == a.body);
    CHECK(first->get_header_value("ETag") == a.etag);
    CHECK(first->get_header_value("Cache-Control") == "no-cache");
    CHECK(a.etag.size() == 22);  // a quoted 20-hex-digit hash

    auto again = s.client->Get(a.path, {{"If-None-Match", a.etag}});
    REQUIRE(again);
    CHECK(again->status == 304);
    CHECK(again->body.empty());
    auto weak = s.client->Get(a.path, {{"If-None-Match", "\"other\", W/" + a.etag}});
    REQUIRE(weak);
    CHECK(weak->status == 304);
    auto stale = s.client->Get(a.path, {{"If-None-Match", "\"0123\""}});
    REQUIRE(stale);
    CHECK(stale->status == 200);
    CHECK(stale->body == a.body);
  }
  // The tags differ: each is a hash of its own bytes.
  CHECK(http::ConsoleEtag() != http::OpenApiEtag());
}

// cpp-httplib takes 2.5 s to brotli-compress a 466 kB node list at its default quality; a
// browser (which accepts br) gets gzip instead, in milliseconds.
TEST_CASE("a client that accepts br and gzip is answered with gzip", "[server][console]") {
  ServerFixture s;
  httplib::Client raw("127.0.0.1", s.port);
  raw.set_decompress(false);
  for (const char* accept : {"gzip, deflate, br", "br;q=1.0, gzip;q=0.8", "br"}) {
    INFO(accept);
    auto res = raw.Get("/api/v1/openapi", {{"Accept-Encoding", accept}});
    REQUIRE(res);
    CHECK(res->status == 200);
    if (std::string(accept) == "br") {  // nothing else accepted: sent as it is
      CHECK_FALSE(res->has_header("Content-Encoding"));
      CHECK(res->body == http::OpenApiDocument());
    } else {
      CHECK(res->get_header_value("Content-Encoding") == "gzip");
      CHECK(res->body.size() < http::OpenApiDocument().size() / 4);
    }
  }
}

}  // namespace
}  // namespace flyte
