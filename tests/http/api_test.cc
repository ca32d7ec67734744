// The admin API contract (API.md) against a real `flyte serve` on an ephemeral port.
#include <catch2/catch.hpp>

#include <future>

#include "http/server_fixture.h"

namespace flyte {
namespace {

using nlohmann::json;
using testing::HttpResult;
using testing::ServerFixture;

constexpr const char* kHello = R"yaml(
tasks:
  greet:
    inputs: {who: str}
    outputs: {greeting: str}
    script: echo "Hello, {{ inputs.who }}!" > "{{ outputs.greeting }}"
workflows:
  hello:
    inputs: {who: {type: str, default: world}}
    outputs: {greeting: "{{ greet.greeting }}"}
    nodes:
      greet: {task: greet, inputs: {who: "{{ inputs.who }}"}}
launch_plans:
  hello_ada:
    workflow: hello
    fixed_inputs: {who: Ada}
)yaml";

constexpr const char* kSlowAndGated = R"yaml(
tasks:
  nap:
    inputs: {seconds: int}
    script: sleep {{ inputs.seconds }}
  square:
    inputs: {x: int}
    outputs: {y: int}
    script: |
      echo "squaring {{ inputs.x }}"
      echo $(( {{ inputs.x }} * {{ inputs.x }} )) > "{{ outputs.y }}"
workflows:
  slow:
    inputs: {seconds: {type: int, default: 60}}
    nodes:
      nap: {task: nap, inputs: {seconds: "{{ inputs.seconds }}"}}
  gated:
    outputs: {ys: "{{ sq.y }}"}
    nodes:
      n: {signal: {name: n, type: int}}
      sq:
        map: square
        inputs: {x: ["{{ n.value }}", 2, 3]}
)yaml";

const std::string kExecs = "/api/v1/executions/flytesnacks/development";

void CheckError(const HttpResult& r, int status, const std::string& code,
                const std::string& fragment) {
  INFO(r.status << " " << r.text);
  CHECK(r.status == status);
  REQUIRE(r.body.is_object());
  CHECK(r.body["error"]["code"] == code);
  CHECK(r.body["error"]["message"].get<std::string>().find(fragment) != std::string::npos);
}

TEST_CASE("the server answers health, version, domains and an empty project list", "[server]") {
  ServerFixture s;
  CHECK(s.Get("/healthcheck").body["status"] == "ok");
  CHECK(s.Get("/api/v1/version").body["version"] == FLYTE_VERSION);
  CHECK(s.Get("/api/v1/domains").body["domains"].size() == 3);
  CHECK(s.Get("/api/v1/projects").body["projects"].empty());
}

TEST_CASE(
    "registration is versioned, idempotent for the same content and 409 for different content",
    "[server]") {
  ServerFixture s;
  json first = s.Register(kHello, "v1");
  CHECK(first["version"] == "v1");
  REQUIRE(first["entities"].size() == 4);  // greet, hello, hello_ada, and hello's default plan
  for (const auto& e : first["entities"]) CHECK(e["created"] == true);
  json again = s.Register(kHello, "v1");
  for (const auto& e : again["entities"]) CHECK(e["created"] == false);

  std::string changed = kHello;
  changed.replace(changed.find("Hello,"), 6, "Howdy,");
  HttpResult r = s.Post("/api/v1/register", json{{"content", changed}, {"version", "v1"}});
  CheckError(r, 409, "AlreadyExists", "greet");

  // The registration made the project, and every entity is listed by name and version.
  CHECK(s.Get("/api/v1/projects").body["projects"][0]["id"] == "flytesnacks");
  json task = s.Get("/api/v1/tasks/flytesnacks/development/greet/v1").body;
  CHECK(task["id"]["resource_type"] == "TASK");
  CHECK(task["id"]["version"] == "v1");
  CHECK(s.Get("/api/v1/workflows/flytesnacks/development/hello").body["workflows"].size() == 1);
  json ids = s.Get("/api/v1/launch_plan_ids/flytesnacks/development").body["entities"];
  REQUIRE(ids.size() == 2);
  CHECK(ids[0]["name"] == "hello");
  CHECK(ids[1]["name"] == "hello_ada");
  CheckError(s.Get("/api/v1/tasks/flytesnacks/development/greet/v9"), 404, "NotFound", "v9");
}

TEST_CASE("an execution created through the API runs and reports its outputs", "[server]") {
  ServerFixture s;
  s.Register(kHello);
  std::string name = s.Launch({{"project", "flytesnacks"},
                               {"domain", "development"},
                               {"workflow", {{"name", "hello"}}},
                               {"inputs", {{"who", "Grace"}}}});
  json e = s.WaitFor(name);
  CHECK(e["closure"]["phase"] == "SUCCEEDED");
  CHECK(e["closure"]["outputs"]["greeting"] == "Hello, Grace!");
  CHECK(e["spec"]["inputs"]["who"] == "Grace");
  json data = s.Get("/api/v1/data/executions/flytesnacks/development/" + name).body;
  CHECK(data["outputs"]["greeting"] == "Hello, Grace!");

  // From a launch plan: its fixed input applies.
  std::string lp = s.Launch({{"project", "flytesnacks"},
                             {"domain", "development"},
                             {"launch_plan", {{"name", "hello_ada"}}},
                             {"name", "from-plan"}});
  CHECK(lp == "from-plan");
  CHECK(s.WaitFor(lp)["closure"]["outputs"]["greeting"] == "Hello, Ada!");
  // A single task.
  std::string task = s.Launch({{"project", "flytesnacks"},
                               {"domain", "development"},
                               {"task", {{"name", "greet"}}},
                               {"text_inputs", {{"who", "Linus"}}}});
  CHECK(s.WaitFor(task)["closure"]["outputs"]["greeting"] == "Hello, Linus!");
  // A name in use is refused.
  CheckError(s.Post("/api/v1/executions", json{{"project", "flytesnacks"},
                                               {"domain", "development"},
                                               {"launch_plan", {{"name", "hello_ada"}}},
                                               {"name", "from-plan"}}),
             409, "AlreadyExists", "from-plan");
}

TEST_CASE("bad requests get a 4xx with the API's error body and change nothing", "[server]") {
  ServerFixture s;
  s.Register(kHello);
  const json ok = {
      {"project", "flytesnacks"}, {"domain", "development"}, {"workflow", {{"name", "hello"}}}};
  CheckError(s.Post("/api/v1/executions", std::string("{\"project\": ")), 400, "InvalidArgument",
             "malformed JSON");
  CheckError(s.Post("/api/v1/executions", std::string("[1, 2]")), 400, "InvalidArgument",
             "JSON object");
  json unknown = ok;
  unknown["inptus"] = json::object();
  CheckError(s.Post("/api/v1/executions", unknown), 400, "InvalidArgument",
             "unknown field 'inptus' (did you mean 'inputs'?)");
  json wrong_type = ok;
  wrong_type["overwrite_cache"] = "yes";
  CheckError(s.Post("/api/v1/executions", wrong_type), 400, "InvalidArgument",
             "'overwrite_cache' must be a boolean");
  json bad_input = ok;
  bad_input["inputs"] = {{"who", json::array({1})}};
  CheckError(s.Post("/api/v1/executions", bad_input), 400, "InvalidArgument", "who");
  json unknown_input = ok;
  unknown_input["inputs"] = {{"whom", "x"}};
  CheckError(s.Post("/api/v1/executions", unknown_input), 400, "InvalidArgument",
             "unknown input 'whom'");
  json bad_domain = ok;
  bad_domain["domain"] = "prod";
  CheckError(s.Post("/api/v1/executions", bad_domain), 400, "InvalidArgument", "domain 'prod'");
  json bad_name = ok;
  bad_name["name"] = "Bad Name!";
  CheckError(s.Post("/api/v1/executions", bad_name), 400, "InvalidArgument", "execution name");
  json no_such = ok;
  no_such["workflow"]["name"] = "goodbye";
  CheckError(s.Post("/api/v1/executions", no_such), 404, "NotFound", "goodbye");
  CheckError(s.Post("/api/v1/executions", std::string(17 << 20, ' ')), 413, "InvalidArgument",
             "too large");
  CheckError(s.Post("/api/v1/register", json{{"content", "tasks: [\n"}}), 400, "InvalidArgument",
             "");
  CheckError(s.Get("/api/v1/executions/flytesnacks/development/nope"), 404, "NotFound", "nope");
  CheckError(s.Get("/api/v1/executions/flytesnacks/dev"), 400, "InvalidArgument", "domain 'dev'");
  CheckError(s.Get(kExecs + "?limit=0"), 400, "InvalidArgument", "limit");
  CheckError(s.Get(kExecs + "?filters=eq(phaze,RUNNING)"), 400, "InvalidArgument", "'phaze'");
  CheckError(s.Get(kExecs + "?filters=equals(phase,RUNNING)"), 400, "InvalidArgument",
             "unknown filter operation");
  CheckError(s.Get(kExecs + "?colour=red"), 400, "InvalidArgument",
             "unknown query parameter 'colour'");
  CheckError(s.Get("/api/v1/nothing/here"), 404, "NotFound", "no route");
  // None of that created an execution.
  CHECK(s.Get(kExecs).body["executions"].empty());
}

TEST_CASE("terminate aborts a running execution and is 409 once it is terminal", "[server]") {
  ServerFixture s;
  s.Register(kSlowAndGated);
  std::string name = s.Launch(
      {{"project", "flytesnacks"}, {"domain", "development"}, {"workflow", {{"name", "slow"}}}});
  s.WaitFor(name, "RUNNING");
  HttpResult r = s.Delete(kExecs + "/" + name, R"({"cause": "changed my mind"})");
  INFO(r.text);
  CHECK(r.status == 200);
  json e = s.WaitFor(name);
  CHECK(e["closure"]["phase"] == "ABORTED");
  CHECK(e["closure"]["error"]["message"] == "changed my mind");
  CheckError(s.Delete(kExecs + "/" + name), 409, "FailedPrecondition", "ABORTED");
}

TEST_CASE("a signal gate waits for a typed value through the API; the map's items form a tree",
          "[server]") {
  ServerFixture s;
  s.Register(kSlowAndGated);
  std::string name = s.Launch(
      {{"project", "flytesnacks"}, {"domain", "development"}, {"workflow", {{"name", "gated"}}}});
  auto deadline = testing::SteadyClock::now() + std::chrono::seconds(20);
  json signals;
  while (testing::SteadyClock::now() < deadline) {
    signals = s.Get("/api/v1/signals/flytesnacks/development/" + name).body["signals"];
    if (!signals.empty() && signals[0]["waiting"] == true) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  REQUIRE(signals.size() == 1);
  CHECK(signals[0]["id"]["signal_id"] == "n");
  CHECK(signals[0]["node_id"] == "n");
  json id = {
      {"execution_id", {{"project", "flytesnacks"}, {"domain", "development"}, {"name", name}}},
      {"signal_id", "n"}};
  CheckError(s.Post("/api/v1/signals", json{{"id", id}, {"value", "four"}}), 400, "InvalidArgument",
             "signal 'n'");
  CheckError(s.Post("/api/v1/signals", json{{"id", id}, {"value", 4}, {"extra", 1}}), 400,
             "InvalidArgument", "unknown field 'extra'");
  HttpResult ok = s.Post("/api/v1/signals", json{{"id", id}, {"value", 4}});
  INFO(ok.text);
  CHECK(ok.status == 200);
  json e = s.WaitFor(name);
  REQUIRE(e["closure"]["phase"] == "SUCCEEDED");
  CHECK(e["closure"]["outputs"]["ys"] == json::array({16, 4, 9}));

  json nodes =
      s.Get("/api/v1/node_executions/flytesnacks/development/" + name).body["node_executions"];
  std::vector<std::string> ids;
  for (const auto& n : nodes) ids.push_back(n["id"]["node_id"]);
  CHECK(ids == std::vector<std::string>{"n", "sq", "sq[0]", "sq[1]", "sq[2]"});
  json item = s.Get("/api/v1/node_executions/flytesnacks/development/" + name + "/sq[1]").body;
  CHECK(item["parent_id"] == "sq");
  CHECK(item["closure"]["outputs"]["y"] == 4);
  json attempts = s.Get("/api/v1/task_executions/flytesnacks/development/" + name + "/sq[0]").body;
  REQUIRE(attempts["task_executions"].size() == 1);
  CHECK(attempts["task_executions"][0]["exit_code"] == 0);
  auto logs = s.client->Get(("/api/v1/logs/flytesnacks/development/" + name + "/sq[2]").c_str());
  REQUIRE(logs);
  CHECK(logs->body == "squaring 3\n");
  auto followed = s.client->Get(
      ("/api/v1/logs/flytesnacks/development/" + name + "/sq[0]?follow=true").c_str());
  REQUIRE(followed);
  CHECK(followed->body == "squaring 4\n");
}

TEST_CASE("lists page with limit and token, sort, and filter in Flyte's syntax", "[server]") {
  ServerFixture s;
  s.Register(kHello);
  for (const char* n : {"e1", "e2", "e3"}) {
    s.Launch({{"project", "flytesnacks"},
              {"domain", "development"},
              {"workflow", {{"name", "hello"}}},
              {"name", n}});
    s.WaitFor(n);
  }
  std::string name = s.Launch({{"project", "flytesnacks"},
                               {"domain", "development"},
                               {"task", {{"name", "greet"}}},
                               {"name", "e4"},
                               {"inputs", {{"who", "x"}}}});
  s.WaitFor(name);
  json page1 = s.Get(kExecs + "?limit=2&sort_by.key=name&sort_by.direction=ASCENDING").body;
  REQUIRE(page1["executions"].size() == 2);
  CHECK(page1["executions"][0]["id"]["name"] == "e1");
  CHECK(page1["executions"][1]["id"]["name"] == "e2");
  REQUIRE(page1["token"] != "");
  json page2 = s.Get(kExecs + "?limit=2&sort_by.key=name&sort_by.direction=ASCENDING&token=" +
                     page1["token"].get<std::string>())
                   .body;
  REQUIRE(page2["executions"].size() == 2);
  CHECK(page2["executions"][0]["id"]["name"] == "e3");
  CHECK(page2["token"] == "");
  json filtered = s.Get(kExecs + "?filters=eq(workflow,greet)").body;
  REQUIRE(filtered["executions"].size() == 1);
  CHECK(filtered["executions"][0]["id"]["name"] == "e4");
  json in =
      s.Get(
           kExecs +
           "?filters=value_in(name,e1;e3)+eq(phase,SUCCEEDED)+gte(created_at,2020-01-01T00:00:00Z)")
          .body;
  CHECK(in["executions"].size() == 2);
  CHECK(s.Get(kExecs + "?filters=lt(created_at,2020-01-01T00:00:00Z)").body["executions"].empty());
}

TEST_CASE("relaunch starts a new execution with the same inputs", "[server]") {
  ServerFixture s;
  s.Register(kHello);
  std::string first = s.Launch({{"project", "flytesnacks"},
                                {"domain", "development"},
                                {"launch_plan", {{"name", "hello_ada"}}}});
  s.WaitFor(first);
  HttpResult r =
      s.Post("/api/v1/executions/relaunch",
             json{{"id", {{"project", "flytesnacks"}, {"domain", "development"}, {"name", first}}},
                  {"name", "again"}});
  INFO(r.text);
  REQUIRE(r.status == 200);
  json e = s.WaitFor("again");
  CHECK(e["closure"]["outputs"]["greeting"] == "Hello, Ada!");
  CHECK(e["spec"]["launch_plan"]["name"] == "hello_ada");
}

TEST_CASE("the event stream reports an execution's phase changes as they happen", "[server]") {
  ServerFixture s;
  s.Register(kSlowAndGated);
  std::string name = "watched";
  std::string seen;
  std::promise<void> subscribed;
  std::thread reader([&] {
    httplib::Client c("127.0.0.1", s.port);
    c.set_read_timeout(30, 0);
    c.Get(
        ("/api/v1/events?execution=flytesnacks/development/" + name).c_str(),
        [&](const httplib::Response&) {
          subscribed.set_value();  // the server answers once the stream is subscribed
          return true;
        },
        [&](const char* data, size_t n) {
          seen.append(data, n);
          return seen.find(
                     "\"kind\":\"execution\",\"execution\":{\"project\":\"flytesnacks\",\"domain\":"
                     "\"development\",\"name\":\"watched\"},\"node_id\":null,\"phase\":"
                     "\"SUCCEEDED\"") == std::string::npos;
        });
  });
  REQUIRE(subscribed.get_future().wait_for(std::chrono::seconds(30)) == std::future_status::ready);
  s.Launch({{"project", "flytesnacks"},
            {"domain", "development"},
            {"workflow", {{"name", "slow"}}},
            {"inputs", {{"seconds", 0}}},
            {"name", name}});
  reader.join();
  CHECK(seen.find("\"node_id\":\"nap\",\"phase\":\"RUNNING\"") != std::string::npos);
  CHECK(seen.find("\"node_id\":\"nap\",\"phase\":\"SUCCEEDED\"") != std::string::npos);
  CHECK(seen.find("data: ") != std::string::npos);
}

TEST_CASE("/metrics reports phase changes, task durations and request latency in Prometheus text",
          "[server]") {
  ServerFixture s;
  s.Register(kHello);
  std::string name = s.Launch(
      {{"project", "flytesnacks"}, {"domain", "development"}, {"workflow", {{"name", "hello"}}}});
  s.WaitFor(name);
  auto res = s.client->Get("/metrics");
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(res->get_header_value("Content-Type").find("text/plain; version=0.0.4") == 0);
  const std::string& m = res->body;
  INFO(m);
  CHECK(m.find("flyte_execution_phase_changes_total{phase=\"SUCCEEDED\"} 1\n") !=
        std::string::npos);
  CHECK(m.find("flyte_node_phase_changes_total{phase=\"SUCCEEDED\"} 1\n") != std::string::npos);
  CHECK(m.find("flyte_executions_running 0\n") != std::string::npos);
  CHECK(m.find("flyte_task_attempt_duration_seconds_count{phase=\"SUCCEEDED\"} 1\n") !=
        std::string::npos);
  CHECK(m.find("flyte_http_request_duration_seconds_count{method=\"POST\",code=\"2xx\"} 2\n") !=
        std::string::npos);
}

TEST_CASE("SIGTERM stops the server cleanly and records running executions as ABORTED",
          "[server]") {
  ServerFixture s;
  s.Register(kSlowAndGated);
  std::string name = s.Launch(
      {{"project", "flytesnacks"}, {"domain", "development"}, {"workflow", {{"name", "slow"}}}});
  s.WaitFor(name, "RUNNING");
  testing::ProcessResult r = s.Stop();
  INFO(testing::Describe(r));
  CHECK(r.exit_code == 0);
  CHECK(r.err.find("shutting down") != std::string::npos);
  // The home tells the story afterwards.
  testing::ProcessResult got = testing::Flyte(s.home(), {"get", "execution", name, "-o", "json"});
  INFO(testing::Describe(got));
  CHECK(json::parse(got.out)["phase"] == "ABORTED");
}

}  // namespace
}  // namespace flyte
