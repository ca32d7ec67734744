// The OpenAPI document against the server it describes: every registered route is documented
// and every documented operation is a route; the schemas accept what the codec writes and list
// exactly the fields the strict request parsers accept.
#include <httplib.h>
#include <uv.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <functional>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "admin/local_admin.h"
#include "cli/assemble.h"
#include "http/codec.h"
#include "http/openapi.h"
#include "http/server.h"
#include "http/server_fixture.h"
#include "runner/loop_bridge.h"
#include "support/process_helpers.h"
#include "util/strings.h"

namespace flyte::http {
namespace {

using json = nlohmann::json;

const json& Doc() {
  static const json doc = json::parse(OpenApiDocument());
  return doc;
}

// "#/components/schemas/Execution" -> that node of the document.
const json& Resolve(const std::string& ref) {
  REQUIRE(ref.rfind("#/", 0) == 0);
  return Doc().at(json::json_pointer(ref.substr(1)));
}

void CollectRefs(const json& j, std::vector<std::string>& out) {
  if (j.is_object()) {
    for (const auto& [k, v] : j.items()) {
      if (k == "$ref" && v.is_string()) out.push_back(v.get<std::string>());
      CollectRefs(v, out);
    }
  } else if (j.is_array()) {
    for (const json& v : j) CollectRefs(v, out);
  }
}

// "/api/v1/executions/{project}/{domain}/{name}" -> "/api/v1/executions/{}/{}/{}".
std::string Normalise(const std::string& templated) {
  return std::regex_replace(templated, std::regex(R"(\{[^}/]+\})"), "{}");
}

// The route's regex with each group, ([^/]+) a segment or (.+) the rest of the path, as "{}".
std::string RoutePath(const std::string& pattern) {
  std::string out = pattern;
  for (const std::string group : {"([^/]+)", "(.+)"}) {
    for (size_t at = out.find(group); at != std::string::npos; at = out.find(group, at)) {
      out.replace(at, group.size(), "{}");
    }
  }
  return out;
}

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// A small validator for the subset of OpenAPI 3.0 schemas the document uses. `exact`: objects
// must not carry properties the schema does not list, even where the schema leaves them open,
// so the test notices a field the codec writes but the document forgot.
void Validate(const json& schema, const json& value, const std::string& at, bool exact,
              std::vector<std::string>& errors) {
  if (schema.contains("$ref")) return Validate(Resolve(schema["$ref"]), value, at, exact, errors);
  if (value.is_null()) {
    if (schema.value("nullable", false)) return;
    if (schema.contains("type")) errors.push_back(at + ": null is not allowed");
  }
  if (schema.contains("allOf")) {
    for (const json& s : schema["allOf"]) Validate(s, value, at, exact, errors);
  }
  if (schema.contains("oneOf")) {
    int matched = 0;
    for (const json& s : schema["oneOf"]) {
      std::vector<std::string> e;
      Validate(s, value, at, exact, e);
      matched += e.empty() ? 1 : 0;
    }
    if (matched != 1) errors.push_back(at + ": matches " + std::to_string(matched) + " of oneOf");
  }
  if (value.is_null()) return;
  if (schema.contains("enum")) {
    bool found = false;
    for (const json& v : schema["enum"]) found = found || v == value;
    if (!found) errors.push_back(at + ": " + value.dump() + " is not in the enum");
  }
  const std::string type = schema.value("type", "");
  auto wrong = [&] { errors.push_back(at + ": " + value.dump() + " is not of type " + type); };
  if (type == "string") {
    if (!value.is_string()) return wrong();
    const std::string s = value.get<std::string>();
    if (schema.contains("pattern") &&
        !std::regex_search(s, std::regex(schema["pattern"].get<std::string>()))) {
      errors.push_back(at + ": " + value.dump() + " does not match " + schema["pattern"].dump());
    }
    if (schema.contains("maxLength") && s.size() > schema["maxLength"].get<size_t>()) {
      errors.push_back(at + ": too long");
    }
    if (schema.value("format", "") == "date-time" &&
        !std::regex_match(
            s, std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d))"))) {
      errors.push_back(at + ": " + value.dump() + " is not an RFC 3339 time");
    }
  } else if (type == "integer") {
    if (!value.is_number_integer()) return wrong();
    if (schema.contains("minimum") && value.get<int64_t>() < schema["minimum"].get<int64_t>()) {
      errors.push_back(at + ": below the minimum");
    }
  } else if (type == "number") {
    if (!value.is_number()) return wrong();
  } else if (type == "boolean") {
    if (!value.is_boolean()) return wrong();
  } else if (type == "array") {
    if (!value.is_array()) return wrong();
    for (size_t i = 0; i < value.size(); ++i) {
      Validate(schema["items"], value[i], at + "[" + std::to_string(i) + "]", exact, errors);
    }
  } else if (type == "object" || (type.empty() && value.is_object())) {
    if (!value.is_object()) return wrong();
    for (const json& r : schema.value("required", json::array())) {
      if (!value.contains(r.get<std::string>())) errors.push_back(at + ": missing " + r.dump());
    }
    const json properties = schema.value("properties", json::object());
    const json extra = schema.value("additionalProperties", json(nullptr));
    for (const auto& [k, v] : value.items()) {
      if (properties.contains(k)) {
        Validate(properties[k], v, at + "." + k, exact, errors);
      } else if (extra.is_object()) {
        Validate(extra, v, at + "." + k, exact, errors);
      } else if (extra == false || (exact && extra.is_null() && schema.contains("properties"))) {
        errors.push_back(at + ": undocumented property " + Quote(k));
      }
    }
  }
}

void RequireValid(const std::string& schema, const std::string& body) {
  json value = json::parse(body);
  std::vector<std::string> errors;
  Validate(json{{"$ref", "#/components/schemas/" + schema}}, value, schema, /*exact=*/true, errors);
  INFO(body);
  for (const std::string& e : errors) UNSCOPED_INFO(e);
  REQUIRE(errors.empty());
}

TEST_CASE("the OpenAPI document is JSON, OpenAPI 3.0 and every $ref resolves", "[openapi]") {
  const json doc = json::parse(OpenApiDocument(), nullptr, false);
  REQUIRE_FALSE(doc.is_discarded());
  REQUIRE(doc["openapi"].get<std::string>().rfind("3.0.", 0) == 0);
  REQUIRE(doc["info"]["version"] == FLYTE_VERSION);
  std::vector<std::string> refs;
  CollectRefs(doc, refs);
  REQUIRE(refs.size() > 50);
  for (const std::string& ref : refs) {
    INFO(ref);
    REQUIRE(ref.rfind("#/components/", 0) == 0);
    REQUIRE(doc.contains(json::json_pointer(ref.substr(1))));
  }
  // Path templates and their path parameters agree, and every operation answers errors with
  // the error body.
  for (const auto& [path, item] : doc["paths"].items()) {
    std::set<std::string> in_template;
    std::smatch m;
    for (auto it = path.cbegin();
         std::regex_search(it, path.cend(), m, std::regex(R"(\{([^}]+)\})"));
         it = m.suffix().first) {
      in_template.insert(m[1]);
    }
    for (const auto& [method, op] : item.items()) {
      INFO(Upper(method) << " " << path);
      std::set<std::string> declared;
      for (const json& p : op.value("parameters", json::array())) {
        const json& param = p.contains("$ref") ? Resolve(p["$ref"]) : p;
        if (param["in"] == "path") {
          REQUIRE(param["required"] == true);
          declared.insert(param["name"].get<std::string>());
        }
      }
      REQUIRE(declared == in_template);
      REQUIRE(op["responses"].contains("200"));
      for (const auto& [code, response] : op["responses"].items()) {
        if (code[0] != '4' && code[0] != '5') continue;
        REQUIRE(Resolve(response["$ref"])["content"]["application/json"]["schema"]["$ref"] ==
                "#/components/schemas/Error");
      }
    }
  }
}

TEST_CASE("the OpenAPI document lists exactly the server's routes", "[openapi]") {
  testing::TempDir tmp;
  uv_loop_t loop;
  REQUIRE(uv_loop_init(&loop) == 0);
  LocalAdmin::Options options;
  options.home = tmp / "home";
  auto opened = cli::OpenLocalAdmin(&loop, options);
  REQUIRE(opened.ok());
  std::unique_ptr<LocalAdmin> admin = std::move(*opened);
  auto bridge = std::make_unique<LoopBridge>(&loop);
  auto server =
      std::make_unique<ApiServer>(*bridge, *admin, nullptr, nullptr, ApiServer::Options{});

  std::set<std::string> routes, documented;
  for (const ApiServer::Route& r : server->routes()) {
    INFO(r.method << " " << r.pattern << " is registered twice");
    CHECK(routes.insert(r.method + " " + RoutePath(r.pattern)).second);
  }
  for (const auto& [path, item] : Doc()["paths"].items()) {
    for (const auto& [method, op] : item.items())
      documented.insert(Upper(method) + " " + Normalise(path));
  }
  for (const std::string& r : routes) {
    INFO("the server has " << r << " but the document does not");
    CHECK(documented.count(r) == 1);
  }
  for (const std::string& d : documented) {
    INFO("the document has " << d << " but the server does not");
    CHECK(routes.count(d) == 1);
  }
  CHECK(routes.count("GET /api/v1/openapi") == 1);

  bridge->Close();
  server.reset();
  bridge.reset();
  admin.reset();
  uv_run(&loop, UV_RUN_NOWAIT);
  CHECK(uv_loop_close(&loop) == 0);
}

TEST_CASE("the OpenAPI schemas accept what the codec writes", "[openapi]") {
  const int64_t t0 = 1'795'000'000'000'000'000, t1 = t0 + 1'500'000'000;
  const ExecutionKey key{"flytesnacks", "development", "hi1"};

  ExecutionRecord full;
  full.key = key;
  full.workflow = "hello";
  full.launch_plan = "daily";
  full.version = "v1";
  full.phase = ExecutionPhase::kFailed;
  full.created_at = t0;
  full.started_at = t0;
  full.ended_at = t1;
  full.inputs_json = R"({"who":"Ada","n":3})";
  full.outputs_json = R"({"greeting":"Hello"})";
  full.error_code = "USER:Exit";
  full.error_message = "exit 1";
  full.error_node = "greet";
  full.mode = ExecutionMode::kScheduled;
  full.parent = "parent1/lp";
  ExecutionRecord bare;
  bare.key = key;
  bare.workflow = "hello";
  bare.phase = ExecutionPhase::kQueued;
  RequireValid("Execution", ExecutionJson(full));
  RequireValid("Execution", ExecutionJson(bare));
  RequireValid("ExecutionList", ExecutionListJson({full, bare}, "2"));
  RequireValid("ExecutionList", ExecutionListJson({}, ""));
  RequireValid("ExecutionData", ExecutionDataJson(full));
  RequireValid("ExecutionData", ExecutionDataJson(bare));
  RequireValid("ExecutionIdResponse", ExecutionIdJson(key));

  NodeRecord node{"sq[3]",
                  "sq",
                  spec::NodeKind::kTask,
                  "square",
                  NodePhase::kSucceeded,
                  CacheStatus::kHit,
                  2,
                  t0,
                  t0,
                  t1,
                  "USER:Exit",
                  "boom",
                  "last line\n",
                  R"({"o0":9})",
                  "child-exec"};
  NodeRecord queued;
  queued.node_id = "greet";
  queued.kind = spec::NodeKind::kTask;
  queued.phase = NodePhase::kQueued;
  queued.cache_status = CacheStatus::kDisabled;
  RequireValid("NodeExecution", NodeJson(key, node));
  RequireValid("NodeExecutionList", NodeListJson(key, {queued, node}));

  AttemptRecord attempt{"greet",  1, TaskPhase::kRetryableFailed, t0, t1, 1, "exit 1", "/tmp/o",
                        "/tmp/e", ""};
  AttemptRecord running{"greet", 2,  TaskPhase::kRunning, t1,        0,
                        0,       "", "/tmp/o2",           "/tmp/e2", "pod default/x-greet-2-abcde"};
  RequireValid("TaskExecutionList", AttemptListJson({attempt, running}));

  EntityRecord task{"task", "flytesnacks", "development", "greet", "v1", "d1", "s1", "", t0};
  EntityRecord plan{"launch_plan", "flytesnacks", "development", "daily", "v1",
                    "d2",          "s1",          "ACTIVE",      t0};
  RequireValid("Entity", EntityJson(task));
  RequireValid("Entity", EntityJson(plan));
  RequireValid("TaskList", EntityListJson("tasks", {task}, ""));
  RequireValid("WorkflowList", EntityListJson("workflows", {}, ""));
  RequireValid("LaunchPlanList", EntityListJson("launch_plans", {plan}, ""));
  RequireValid("NamedEntityIdList", EntityIdListJson({task}, ""));

  RegisterResult registered{
      "flytesnacks",
      "development",
      "v1",
      "s1",
      {{"task", "greet", true}, {"workflow", "hello", false}, {"launch_plan", "hello", true}}};
  RequireValid("RegisterResult", RegisterResultJson(registered));
  ProjectRecord project{"flytesnacks", "flytesnacks", "the default", t0};
  RequireValid("Project", ProjectJson(project));
  RequireValid("Project", ProjectJson({"p2", "", "", 0}));
  RequireValid("ProjectList", ProjectListJson({project}, "1"));

  NodeRecord approve = queued, signal = queued;
  approve.node_id = "publish";
  approve.kind = spec::NodeKind::kApprove;
  approve.phase = NodePhase::kRunning;
  signal.node_id = "wait_factor";
  signal.kind = spec::NodeKind::kSignal;
  signal.target = "factor";
  RequireValid("SignalList", SignalListJson(key, {approve, signal}));

  for (const Status& st : {InvalidArgument("x"), InvalidSpec("x"), TypeMismatch("x"), NotFound("x"),
                           AlreadyExists("x"), FailedPrecondition("x"), Unavailable("x"),
                           IOError("x"), Internal("x")}) {
    RequireValid("Error", ErrorJson(st));
  }
}

TEST_CASE("the OpenAPI schemas accept the requests the remote client writes", "[openapi]") {
  RequireValid("RegisterRequest",
               RegisterRequestJson({"/w/hello.yaml", "tasks: {}", "flytesnacks", "staging", "v1"}));
  RequireValid("RegisterRequest", RegisterRequestJson({"", "tasks: {}", "", "", ""}));
  CreateExecutionRequest create;
  create.project = "flytesnacks";
  create.domain = "development";
  create.name = "hi1";
  create.target_kind = TargetKind::kLaunchPlan;
  create.target = "daily";
  create.version = "v1";
  create.text_inputs = {{"who", "Ada"}};
  create.inputs_document = "who: Ada\n";
  create.max_parallelism = 4;
  create.overwrite_cache = true;
  create.no_cache = true;
  create.env = {{"K", "V"}};
  create.signals = {{"factor", "3"}};
  RequireValid("CreateExecutionRequest", CreateExecutionJson(create));
  create.inputs_document = R"({"who": "Ada"})";
  create.target_kind = TargetKind::kTask;
  RequireValid("CreateExecutionRequest", CreateExecutionJson(create));
  RequireValid("SignalRequest",
               SignalRequestJson({{"flytesnacks", "development", "hi1"}, "factor", "3"}));
}

// For each strict request body: the document's properties are exactly the parser's fields.
TEST_CASE("the OpenAPI request schemas list exactly the fields the server accepts", "[openapi]") {
  struct Body {
    const char* schema;
    std::function<Status(const std::string&)> parse;
  };
  const Body bodies[] = {
      {"RegisterRequest", [](const std::string& b) { return ParseRegisterRequest(b).status(); }},
      {"CreateExecutionRequest",
       [](const std::string& b) { return ParseCreateExecution(b).status(); }},
      {"SignalRequest", [](const std::string& b) { return ParseSignalRequest(b).status(); }},
      {"TerminateRequest", [](const std::string& b) { return ParseTerminateRequest(b).status(); }},
      {"RelaunchRequest",
       [](const std::string& b) { return ParseRelaunchRequest(b, "relaunch").status(); }},
      {"ProjectRequest", [](const std::string& b) { return ParseProject(b).status(); }},
      {"LaunchPlanStateRequest",
       [](const std::string& b) { return ParseLaunchPlanState(b).status(); }},
  };
  auto unknown = [](const Status& st) { return st.message().rfind("unknown field", 0) == 0; };
  for (const Body& body : bodies) {
    INFO(body.schema);
    const json& schema = Resolve(std::string("#/components/schemas/") + body.schema);
    REQUIRE(schema["additionalProperties"] == false);
    // The parser checks field names before values, so a null value tells whether a name is known.
    for (const auto& [name, property] : schema["properties"].items()) {
      INFO(name);
      CHECK_FALSE(unknown(body.parse(json{{name, nullptr}}.dump())));
    }
    CHECK(unknown(body.parse(R"({"not_a_field": 1})")));
    // The parser's own list, from its message, is the document's.
    const std::string message = body.parse(R"({"not_a_field": 1})").message();
    const std::string expected = message.substr(message.find("expected: ") + 10);
    std::vector<std::string> names;
    for (const auto& [name, property] : schema["properties"].items()) names.push_back(name);
    std::sort(names.begin(), names.end());
    std::vector<std::string> parsed;
    for (std::string_view n : Split(expected, ',')) parsed.emplace_back(Trim(n));
    std::sort(parsed.begin(), parsed.end());
    CHECK(parsed == names);
  }
  // Nested strict objects too.
  CHECK(unknown(
      ParseCreateExecution(R"({"project":"p","domain":"development","task":{"name":"t","x":1}})")
          .status()));
  CHECK(Resolve("#/components/schemas/EntityRef")["additionalProperties"] == false);
  CHECK(unknown(
      ParseSignalRequest(
          R"({"id":{"execution_id":{"project":"p","domain":"development","name":"n","x":1},)"
          R"("signal_id":"s"},"value":1})")
          .status()));
  CHECK(Resolve("#/components/schemas/ExecutionKey")["additionalProperties"] == false);
  CHECK(unknown(ParseSignalRequest(
                    R"({"id":{"execution_id":{"project":"p","domain":"development","name":"n"},)"
                    R"("signal_id":"s","x":1},"value":1})")
                    .status()));
  CHECK(Resolve("#/components/schemas/SignalId")["additionalProperties"] == false);
}

TEST_CASE("the server serves the OpenAPI document and its fixed answers match it", "[openapi]") {
  testing::TempDir tmp;
  uv_loop_t loop;
  REQUIRE(uv_loop_init(&loop) == 0);
  LocalAdmin::Options options;
  options.home = tmp / "home";
  auto opened = cli::OpenLocalAdmin(&loop, options);
  REQUIRE(opened.ok());
  std::unique_ptr<LocalAdmin> admin = std::move(*opened);
  auto bridge = std::make_unique<LoopBridge>(&loop);
  ApiServer::Options server_options;
  server_options.authorize = [](const std::string& token) { return token == "secret"; };
  auto server = std::make_unique<ApiServer>(*bridge, *admin, nullptr, nullptr, server_options);
  // Only routes that never reach the loop: nothing runs it during the test.
  REQUIRE(server->Listen("127.0.0.1", 0).ok());
  httplib::Client client("127.0.0.1", server->port()), anonymous("127.0.0.1", server->port());
  client.set_bearer_token_auth("secret");
  auto get = [](httplib::Client& c, const char* path, int status, const char* schema) {
    INFO(path);
    auto res = c.Get(path);
    REQUIRE(res);
    CHECK(res->status == status);
    CHECK(res->get_header_value("Content-Type").rfind("application/json", 0) == 0);
    if (schema != nullptr) RequireValid(schema, res->body);
    return res->body;
  };
  CHECK(get(client, "/api/v1/openapi", 200, nullptr) == OpenApiDocument());
  get(client, "/healthcheck", 200, "Health");
  get(client, "/api/v1/version", 200, "Version");
  get(client, "/api/v1/domains", 200, "DomainList");
  get(client, "/api/v1/no_such_route", 404, "Error");
  get(client, "/metrics", 404, "Error");  // this server keeps no metrics
  // Without the token: only the operation the document marks open answers.
  CHECK(Doc()["paths"]["/healthcheck"]["get"]["security"] == json::array());
  get(anonymous, "/healthcheck", 200, "Health");
  get(anonymous, "/api/v1/version", 401, "Error");
  CHECK(Doc()["paths"]["/api/v1/version"]["get"]["responses"].contains("401"));

  server->Stop();
  bridge->Close();
  server.reset();
  bridge.reset();
  admin.reset();
  uv_run(&loop, UV_RUN_NOWAIT);
  CHECK(uv_loop_close(&loop) == 0);
}

TEST_CASE("the OpenAPI schemas accept the console's graph, interface and schedule answers",
          "[openapi][console]") {
  testing::ServerFixture s;
  s.Register(R"yaml(
tasks:
  t:
    inputs: {x: int, when: {type: datetime, default: "2026-01-02T03:04:05Z"}}
    outputs: {y: int}
    script: echo {{ inputs.x }} > "{{ outputs.y }}"
workflows:
  inner:
    inputs: {x: int}
    nodes:
      a: {task: t, inputs: {x: "{{ inputs.x }}"}}
  w:
    inputs: {xs: {type: "list[int]", default: [1, 2]}, mode: "optional[enum[a, b]]", n: {type: int, default: 1}}
    nodes:
      m: {map: t, inputs: {x: "{{ inputs.xs }}"}}
      b:
        branch:
          - if: "{{ inputs.n }} > 0"
            workflow: inner
            inputs: {x: 1}
          - else: {fail: "not a"}
launch_plans:
  p:
    workflow: w
    schedule: {every: 1h}
)yaml");
  REQUIRE(s.Put("/api/v1/launch_plans/flytesnacks/development/p", {{"state", "ACTIVE"}}).status ==
          200);
  s.Launch({{"project", "flytesnacks"},
            {"domain", "development"},
            {"workflow", {{"name", "w"}}},
            {"inputs", {{"mode", "a"}}},
            {"name", "o1"}});
  s.WaitFor("o1");
  for (const auto& [path, schema] : std::vector<std::pair<std::string, std::string>>{
           {"/api/v1/executions/flytesnacks/development/o1/graph", "ExecutionGraph"},
           {"/api/v1/interfaces/flytesnacks/development/workflows/w", "TargetInterface"},
           {"/api/v1/interfaces/flytesnacks/development/launch_plans/p", "TargetInterface"},
           {"/api/v1/interfaces/flytesnacks/development/tasks/t", "TargetInterface"},
           {"/api/v1/launch_plan_schedules/flytesnacks/development", "LaunchPlanScheduleList"}}) {
    INFO(path);
    auto r = s.Get(path);
    REQUIRE(r.status == 200);
    RequireValid(schema, r.text);
  }
}

// Optional: a full OpenAPI 3.0 validation where Python's openapi-spec-validator is installed.
TEST_CASE("the OpenAPI document passes openapi-spec-validator when it is installed", "[openapi]") {
  testing::TempDir tmp;
  const std::string path = tmp.Write("openapi.json", OpenApiDocument());
  const char* script =
      "import json, sys\n"
      "try:\n"
      "    from openapi_spec_validator import validate\n"
      "except ImportError:\n"
      "    sys.exit(77)\n"
      "validate(json.load(open(sys.argv[1])))\n";
  testing::Child python({"/usr/bin/env", "python3", "-c", script, path});
  testing::ProcessResult r = python.Wait();
  if (r.exit_code == 77 || r.exit_code == 127) return;  // not installed: nothing to check
  INFO(r.err);
  CHECK(r.exit_code == 0);
}

}  // namespace
}  // namespace flyte::http
