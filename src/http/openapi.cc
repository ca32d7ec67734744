#include "http/openapi.h"

#include <nlohmann/json.hpp>

#include <vector>

namespace flyte::http {
namespace {

// ordered_json keeps the document in the order it is written here, which is the order a reader
// wants: info, paths in route order, then components.
using J = nlohmann::ordered_json;

constexpr const char* kExtension = "Extension (this project's, not FlyteAdmin's): ";

J Ref(const char* section, const std::string& name) {
  return J{{"$ref", std::string("#/components/") + section + "/" + name}};
}
J Schema(const std::string& name) { return Ref("schemas", name); }

J Type(const char* type, const std::string& description = "") {
  J s = J{{"type", type}};
  if (!description.empty()) s["description"] = description;
  return s;
}
J Nullable(J s) {
  s["nullable"] = true;
  return s;
}
J Time(const std::string& what) {
  return Nullable(J{{"type", "string"},
                    {"format", "date-time"},
                    {"description", what + " (RFC 3339, UTC); null until then"}});
}
J Duration() {
  return Nullable(Type(
      "string", "ended_at - started_at as a proto3 duration, e.g. \"1.5s\"; null until ended"));
}
J Enum(std::vector<std::string> values, const std::string& description = "") {
  J s = Type("string", description);
  s["enum"] = values;
  return s;
}
J ArrayOf(J items) { return J{{"type", "array"}, {"items", std::move(items)}}; }
J StringMap(const std::string& description) {
  J s = Type("object", description);
  s["additionalProperties"] = Type("string");
  return s;
}
// A JSON object. `closed`: the server refuses (400) fields not listed, so the document says so.
J Object(J properties, std::vector<std::string> required, bool closed,
         const std::string& description = "") {
  J s = J{{"type", "object"}};
  if (!description.empty()) s["description"] = description;
  if (!required.empty()) s["required"] = required;
  s["properties"] = std::move(properties);
  if (closed) s["additionalProperties"] = false;
  return s;
}
// Response objects list every field the server writes; clients should tolerate new ones.
J Response(J properties, const std::string& description = "") {
  std::vector<std::string> required;
  for (const auto& [name, schema] : properties.items()) required.push_back(name);
  return Object(std::move(properties), required, false, description);
}
// A $ref with a description of its own use (siblings of a $ref are ignored in OpenAPI 3.0).
J Described(J ref, const std::string& description) {
  return J{{"allOf", J::array({std::move(ref)})}, {"description", description}};
}
J Extension(J s, const std::string& what) {
  s["description"] = kExtension + what;
  s["x-flyte-extension"] = true;
  return s;
}

J Schemas() {
  J s = J::object();
  s["Error"] = Object(
      J{{"error",
         Object(
             J{{"code",
                Enum({"InvalidArgument", "NotFound", "AlreadyExists", "FailedPrecondition",
                      "Unavailable", "Internal", "Unauthenticated", "PermissionDenied"},
                     "400 and 413 InvalidArgument, 404 NotFound, 409 AlreadyExists or "
                     "FailedPrecondition, 401 Unauthenticated, 503 Unavailable, 500 Internal. "
                     "PermissionDenied is reserved.")},
               {"message", Type("string",
                                "what went wrong and where; spec errors carry every FILE:LINE:COL "
                                "diagnostic")}},
             {"code", "message"}, false)}},
      {"error"}, false, "Every 4xx and 5xx answer of the API. A refused request changes nothing.");
  s["Identifier"] =
      J{{"type", "string"},
        {"pattern", "^[A-Za-z0-9][A-Za-z0-9._-]*$"},
        {"minLength", 1},
        {"maxLength", 63},
        {"description", "a project, version or execution name: letters, digits, '-', '_', '.'"}};
  s["Domain"] = Enum({"development", "staging", "production"});
  s["ExecutionKey"] = Object(J{{"project", Schema("Identifier")},
                               {"domain", Schema("Domain")},
                               {"name", Schema("Identifier")}},
                             {"project", "domain", "name"}, true);
  s["ExecutionIdResponse"] = Response(J{{"id", Schema("ExecutionKey")}});
  s["ExecutionPhase"] = Enum({"QUEUED", "RUNNING", "SUCCEEDING", "SUCCEEDED", "FAILING", "FAILED",
                              "ABORTING", "ABORTED", "TIMED_OUT"});
  s["NodePhase"] = Enum({"QUEUED", "RUNNING", "SUCCEEDED", "FAILED", "ABORTED", "SKIPPED",
                         "TIMED_OUT", "DYNAMIC_RUNNING", "RECOVERED"});
  s["TaskPhase"] = Enum({"QUEUED", "INITIALIZING", "WAITING_FOR_RESOURCES", "RUNNING", "SUCCEEDED",
                         "RETRYABLE_FAILED", "FAILED", "ABORTED"});
  s["TypedValues"] = Nullable(
      J{{"type", "object"},
        {"additionalProperties", true},
        {"description", "input or output names to their typed JSON values; null when none"}});
  s["Execution"] = Response(J{
      {"id", Schema("ExecutionKey")},
      {"spec",
       Response(J{
           {"launch_plan",
            Nullable(Response(J{{"name", Type("string")}, {"version", Type("string")}},
                              "null when the workflow or task was run directly"))},
           {"workflow",
            Response(J{{"name", Type("string", "the workflow, or the task of a single-task run")},
                       {"version", Type("string")}})},
           {"inputs", Schema("TypedValues")},
           {"mode", Type("string", "MANUAL, SCHEDULED (the scheduler's), RELAUNCH, RECOVERED or CHILD_WORKFLOW")},
           {"labels", StringMap("its labels: the launch plan's, then the request's")},
           {"parent", Nullable(Type("string",
                                    "EXECUTION/NODE of the launch-plan node that started "
                                    "this child execution"))}})},
      {"closure",
       Response(J{{"phase", Schema("ExecutionPhase")},
                  {"created_at", Time("when it was created")},
                  {"started_at", Time("when it started")},
                  {"ended_at", Time("when it ended")},
                  {"duration", Duration()},
                  {"outputs", Schema("TypedValues")},
                  {"error", Nullable(Response(J{
                                {"code", Type("string")},
                                {"message", Type("string")},
                                {"node", Nullable(Type("string", "the node that failed"))}}))}})}});
  s["ExecutionList"] =
      Response(J{{"executions", ArrayOf(Schema("Execution"))},
                 {"token", Type("string", "pass as `token` for the next page; \"\" on the last")}});
  s["ExecutionData"] =
      Response(J{{"inputs", Schema("TypedValues")}, {"outputs", Schema("TypedValues")}});
  s["NodeExecution"] = Response(
      J{{"id", Response(J{{"execution_id", Schema("ExecutionKey")},
                          {"node_id",
                           Type("string", "children are PARENT/CHILD, map items NODE[INDEX]")}})},
        {"parent_id",
         Nullable(Type("string", "the enclosing node of a child; null at the top level"))},
        {"kind", Type("string", "task, launch_plan, map, branch, sleep, approve, signal, ...")},
        {"target",
         Type("string",
              "the task, workflow or launch plan it runs; the signal name of a signal gate")},
        {"child_execution",
         Nullable(Type("string", "launch-plan nodes: the name of the execution they started"))},
        {"closure",
         Response(J{
             {"phase", Schema("NodePhase")},
             {"cache_status", Enum({"CACHE_DISABLED", "CACHE_MISS", "CACHE_HIT", "CACHE_POPULATED",
                                    "CACHE_LOOKUP_FAILURE", "CACHE_PUT_FAILURE", "CACHE_SKIPPED"})},
             {"attempts", J{{"type", "integer"}, {"minimum", 0}}},
             {"queued_at", Time("when it was queued")},
             {"started_at", Time("when it started")},
             {"ended_at", Time("when it ended")},
             {"duration", Duration()},
             {"outputs", Schema("TypedValues")},
             {"error",
              Nullable(Response(J{{"code", Type("string")}, {"message", Type("string")}}))},
             {"output_tail", Type("string", "the last lines a failed task printed")}})}},
      "Nodes are listed parents first, each followed by its children.");
  s["NodeExecutionList"] =
      Response(J{{"node_executions", ArrayOf(Schema("NodeExecution"))}, {"token", Type("string")}});
  s["TaskExecution"] =
      Response(J{{"node_id", Type("string")},
                 {"attempt", J{{"type", "integer"}, {"minimum", 0}}},
                 {"phase", Schema("TaskPhase")},
                 {"started_at", Time("when the attempt started")},
                 {"ended_at", Time("when the attempt ended")},
                 {"duration", Duration()},
                 {"exit_code", Type("integer")},
                 {"reason", Type("string", "why it failed or was retried; \"\" otherwise")},
                 {"logs", Response(J{{"stdout", Type("string", "path on the server's machine")},
                                     {"stderr", Type("string", "path on the server's machine")}})}},
               "One attempt of a task node.");
  s["TaskExecutionList"] = Response(J{{"task_executions", ArrayOf(Schema("TaskExecution"))}});
  s["ResourceType"] = Enum({"TASK", "WORKFLOW", "LAUNCH_PLAN"});
  J entity = Response(J{{"id", Response(J{{"resource_type", Schema("ResourceType")},
                                          {"project", Type("string")},
                                          {"domain", Schema("Domain")},
                                          {"name", Type("string")},
                                          {"version", Type("string")}})},
                        {"digest", Type("string", "of the entity's definition")},
                        {"source", Type("string", "digest of the file it was registered from")},
                        {"created_at", Time("when it was registered")},
                        {"state", Enum({"ACTIVE", "INACTIVE"}, "launch plans only")},
                        {"schedule", Extension(Nullable(Type("string")),
                                               "launch plans only: the schedule as written, e.g. "
                                               "'0 3 * * * UTC' or 'every 5m'; null: none")},
                        {"next_fire", Extension(Time("when the scheduler fires it next"),
                                                "launch plans only: when an active plan fires next; null "
                                                "otherwise")}},
                      "A registered task, workflow or launch plan at one version.");
  entity["required"] = {"id", "digest", "source", "created_at"};
  s["Entity"] = entity;
  s["TaskList"] =
      Response(J{{"tasks", ArrayOf(Schema("Entity"))}, {"token", Type("string")}}, "newest first");
  s["WorkflowList"] = Response(
      J{{"workflows", ArrayOf(Schema("Entity"))}, {"token", Type("string")}}, "newest first");
  s["LaunchPlanList"] = Response(
      J{{"launch_plans", ArrayOf(Schema("Entity"))}, {"token", Type("string")}}, "newest first");
  s["NamedEntityIdList"] = Response(J{{"entities", ArrayOf(Response(J{{"project", Type("string")},
                                                                      {"domain", Schema("Domain")},
                                                                      {"name", Type("string")}}))},
                                      {"token", Type("string")}},
                                    "one entry per name, sorted by name");
  s["RegisterRequest"] = Object(
      J{{"content", Type("string", "the workflow file's text (YAML)")},
        {"project", Described(Schema("Identifier"), "default: the file's own")},
        {"domain", Described(Schema("Domain"), "default: the file's own")},
        {"version", Described(Schema("Identifier"), "default: a digest of the content")},
        {"path", Extension(Type("string"),
                           "where the file lives on the server's machine, so relative workdirs "
                           "resolve; default registered.yaml")}},
      {"content"}, true);
  s["RegisterResult"] = Response(
      J{{"project", Type("string")},
        {"domain", Schema("Domain")},
        {"version", Type("string")},
        {"source", Type("string", "digest of the content")},
        {"entities",
         ArrayOf(Response(
             J{{"resource_type", Schema("ResourceType")},
               {"name", Type("string")},
               {"created", Type("boolean", "false when it existed with the same content")}}))}});
  s["EntityRef"] =
      Object(J{{"name", Schema("Identifier")}, {"version", Type("string", "default: the newest")}},
             {"name"}, true);
  s["CreateExecutionRequest"] = Object(
      J{{"project", Schema("Identifier")},
        {"domain", Schema("Domain")},
        {"name", Described(Schema("Identifier"), "default: generated")},
        {"launch_plan", Schema("EntityRef")},
        {"workflow", Schema("EntityRef")},
        {"task", Schema("EntityRef")},
        {"inputs", J{{"type", "object"},
                     {"additionalProperties", true},
                     {"description",
                      "typed JSON values checked against the target's interface (defaults and a "
                      "launch plan's fixed inputs apply)"}}},
        {"text_inputs", Extension(StringMap(""),
                                  "{name: text}, each value read by the input's declared type, as "
                                  "`flyte run --input` does")},
        {"inputs_yaml",
         Extension(Type("string"), "a YAML document of inputs; not together with `inputs`")},
        {"overwrite_cache", Type("boolean")},
        {"no_cache", Type("boolean")},
        {"max_parallelism", J{{"type", "integer"}, {"minimum", 1}, {"maximum", 100000}}},
        {"envs", StringMap("environment variables for every task")},
        {"labels", StringMap("recorded on the execution over its launch plan's labels; lists filter on them with eq(labels.KEY,VALUE)")},
        {"signals",
         Extension(StringMap(""),
                   "{gate: value} gate values given up front, read by each gate's type")}},
      {"project", "domain"}, true, "Exactly one of launch_plan, workflow, task.");
  s["CreateExecutionRequest"]["oneOf"] = {J{{"required", {"launch_plan"}}},
                                          J{{"required", {"workflow"}}}, J{{"required", {"task"}}}};
  s["RelaunchRequest"] = Object(J{{"id", Schema("ExecutionKey")},
                                  {"name", Described(Schema("Identifier"), "default: generated")}},
                                {"id"}, true,
                                "A new execution with the same target and inputs (recover: its succeeded "
                                "nodes are RECOVERED, not run again).");
  s["TerminateRequest"] =
      Object(J{{"cause", Type("string", "default: \"terminated through the API\"")}}, {}, true);
  s["LaunchPlanStateRequest"] =
      Object(J{{"state", Enum({"ACTIVE", "INACTIVE"})}}, {"state"}, true,
             "One version of a launch plan is active at a time; activating one "
             "deactivates the others and (re)starts its schedule.");
  s["SignalId"] = Object(
      J{{"execution_id", Schema("ExecutionKey")},
        {"signal_id", Type("string", "the signal's name; an approve gate's is its node id")}},
      {"execution_id", "signal_id"}, true);
  s["SignalRequest"] =
      Object(J{{"id", Schema("SignalId")},
               {"value",
                J{{"description",
                   "read by the gate's declared type: a string is that text, any other JSON value "
                   "its JSON spelling (true, 0.5, [1, 2])"}}}},
             {"id", "value"}, true, "A value sent before its gate is reached is kept until then.");
  s["SignalList"] = Response(
      J{{"signals",
         ArrayOf(Response(
             J{{"id", Schema("SignalId")},
               {"node_id", Type("string")},
               {"kind", Enum({"approve", "signal"})},
               {"phase", Schema("NodePhase")},
               {"waiting", Type("boolean", "the gate is running and waits for its value")}}))},
        {"token", Type("string")}},
      "the gates of an execution, answered or not");
  s["Empty"] = Object(J::object(), {}, true);
  s["ProjectRequest"] = Object(
      J{{"id", Schema("Identifier")}, {"name", Type("string")}, {"description", Type("string")}},
      {"id"}, true);
  J domain = Response(J{{"id", Schema("Domain")}, {"name", Type("string")}});
  s["Project"] = Response(J{{"id", Type("string")},
                            {"name", Type("string")},
                            {"description", Type("string")},
                            {"domains", ArrayOf(domain)},
                            {"created_at", Time("when it was created")}});
  s["ProjectList"] =
      Response(J{{"projects", ArrayOf(Schema("Project"))}, {"token", Type("string")}});
  s["DomainList"] = Response(J{{"domains", ArrayOf(domain)}});
  s["Health"] = Response(J{{"status", Enum({"ok"})}});
  s["Degraded"] = Response(J{{"status", Enum({"degraded"})},
                             {"reason", Type("string", "why, e.g. the store refuses writes")}});
  s["Version"] = Response(J{{"version", Type("string")}, {"name", Enum({"flyte"})}});
  s["Event"] = Response(J{{"kind", Enum({"execution", "node"})},
                          {"execution", Schema("ExecutionKey")},
                          {"node_id", Nullable(Type("string", "null for execution events"))},
                          {"phase", Type("string", "an ExecutionPhase or a NodePhase")},
                          {"at", J{{"type", "string"}, {"format", "date-time"}}}},
                        "The `data:` of one server-sent event of GET /api/v1/events.");
  return s;
}

J Parameters() {
  auto path = [](const char* name, J schema, const std::string& description) {
    return J{{"name", name},
             {"in", "path"},
             {"required", true},
             {"description", description},
             {"schema", schema}};
  };
  auto query = [](const char* name, J schema, const std::string& description) {
    return J{{"name", name},
             {"in", "query"},
             {"required", false},
             {"description", description},
             {"schema", schema}};
  };
  J p = J::object();
  p["project"] = path("project", Schema("Identifier"), "the project");
  p["domain"] = path("domain", Schema("Domain"), "the domain");
  p["project_id"] = path("id", Schema("Identifier"), "the project's id");
  p["execution"] = path("name", Schema("Identifier"), "the execution's name");
  p["entity"] = path("name", Type("string"), "the task, workflow or launch plan's name");
  p["version"] = path("version", Type("string"), "the version");
  p["node_id"] = path("node_id", Type("string"),
                      "the node id: the rest of the path, so it may contain '/' (a child: "
                      "PARENT/CHILD) and brackets "
                      "(a map item: NODE[3]); send it as is or percent-encoded");
  p["limit"] =
      query("limit", J{{"type", "integer"}, {"minimum", 1}, {"maximum", 1000}, {"default", 100}},
            "page size");
  p["token"] = query("token", Type("string"), "the `token` of the previous page; opaque");
  p["filters"] = query(
      "filters", Type("string"),
      "terms joined by '+': op(field,value) with op one of eq ne gt gte lt lte contains value_in "
      "and field one of name workflow launch_plan phase mode version parent error_code created_at "
      "started_at ended_at project domain (times as RFC 3339; value_in values split by ';'), e.g. "
      "eq(phase,FAILED)+gte(created_at,2026-11-01T00:00:00Z)");
  p["sort_key"] =
      query("sort_by.key", J{{"type", "string"}, {"default", "created_at"}}, "any filter field");
  p["sort_direction"] =
      query("sort_by.direction",
            J{{"type", "string"}, {"enum", {"ASCENDING", "DESCENDING"}}, {"default", "DESCENDING"}},
            "sort order");
  p["entity_sort_key"] =
      query("sort_by.key", J{{"type", "string"}, {"enum", {"created_at", "name", "version"}}},
            "default: newest first");
  p["project_sort_key"] =
      query("sort_by.key", J{{"type", "string"}, {"enum", {"id", "name", "created_at"}}}, "default: by id");
  p["attempt"] =
      query("attempt", J{{"type", "integer"}, {"minimum", 0}}, "the attempt; default: the latest");
  p["follow"] = query("follow", J{{"type", "string"}, {"enum", {"true", "false"}}},
                      "true: stream until the attempt ends");
  p["event_execution"] =
      query("execution", Type("string"), "PROJECT/DOMAIN/NAME: only this execution's events");
  return p;
}

J Responses() {
  auto error = [](const std::string& description) {
    return J{{"description", description},
             {"content", {{"application/json", {{"schema", Schema("Error")}}}}}};
  };
  J r = J::object();
  r["BadRequest"] = error(
      "InvalidArgument: malformed JSON, unknown fields, wrong types, bad ids, unknown query "
      "parameters, a file that does not compile");
  r["NotFound"] = error("NotFound: no such resource (or no such route)");
  r["Conflict"] = error(
      "AlreadyExists (a version reused for different content, a name taken) or "
      "FailedPrecondition (e.g. terminating a finished execution)");
  r["PayloadTooLarge"] = error("InvalidArgument: the body is over 16 MiB");
  r["Unauthenticated"] = error(
      "Unauthenticated: the server runs with --auth token and the request has no valid "
      "`Authorization: Bearer TOKEN`");
  r["Internal"] = error("Internal");
  r["Unavailable"] = error("Unavailable: the server is shutting down");
  return r;
}

// The error answers an operation documents (500 always).
enum Errors : unsigned { k400 = 1, k404 = 2, k409 = 4, k413 = 8, k503 = 16 };
constexpr unsigned kRead = k400 | k404 | k503;
constexpr unsigned kWrite = k400 | k404 | k409 | k413 | k503;

// Every member has an initializer, so designated initializers may leave any of them out.
struct Op {
  std::string id = "", tag = "", summary = "";
  std::vector<const char*> params = {};  // names in components/parameters
  std::string request = "";              // a schema in components/schemas; empty: no body
  bool request_required = true;
  J ok = nullptr;  // the 200 answer
  unsigned errors = 0;
  std::string extension = "";  // non-empty: what this project adds to FlyteAdmin's route
  bool open = false;           // answers without a token even under --auth token
};

J Json(const std::string& schema, const std::string& description) {
  return J{{"description", description},
           {"content", {{"application/json", {{"schema", Schema(schema)}}}}}};
}
J Text(const char* media_type, const std::string& description) {
  return J{{"description", description}, {"content", {{media_type, {{"schema", Type("string")}}}}}};
}

J Operation(const Op& op) {
  J o = J{{"operationId", op.id}, {"tags", J::array({op.tag})}, {"summary", op.summary}};
  if (!op.extension.empty()) {
    o["description"] = kExtension + op.extension;
    o["x-flyte-extension"] = true;
  }
  if (!op.params.empty()) {
    J params = J::array();
    for (const char* p : op.params) params.push_back(Ref("parameters", p));
    o["parameters"] = params;
  }
  if (!op.request.empty()) {
    o["requestBody"] = J{{"required", op.request_required},
                         {"content", {{"application/json", {{"schema", Schema(op.request)}}}}}};
  }
  if (op.open) o["security"] = J::array();
  J responses = J{{"200", op.ok}};
  if (!op.open) responses["401"] = Ref("responses", "Unauthenticated");
  struct Answer {
    unsigned bit;
    const char* code;
    const char* name;
  };
  for (Answer a : {Answer{k400, "400", "BadRequest"}, Answer{k404, "404", "NotFound"},
                   Answer{k409, "409", "Conflict"}, Answer{k413, "413", "PayloadTooLarge"},
                   Answer{k503, "503", "Unavailable"}}) {
    if ((op.errors & a.bit) != 0) responses[a.code] = Ref("responses", a.name);
  }
  responses["500"] = Ref("responses", "Internal");
  o["responses"] = responses;
  return o;
}

J Paths() {
  J paths = J::object();
  auto add = [&paths](const std::string& path, const char* method, const Op& op) {
    paths[path][method] = Operation(op);
  };
  const std::vector<const char*> pd = {"project", "domain"};
  const std::vector<const char*> pdn = {"project", "domain", "execution"};
  const std::vector<const char*> pdnn = {"project", "domain", "execution", "node_id"};

  // Operations.
  add("/healthcheck", "get",
      {.id = "healthcheck",
       .tag = "ops",
       .summary =
           "liveness; never needs a token. 503 (schema Degraded) while the store refuses writes",
       .ok = Json("Health", "alive"),
       .open = true});
  add("/api/v1/openapi", "get",
      {.id = "getOpenApi",
       .tag = "ops",
       .summary = "this document",
       .ok = J{{"description", "the OpenAPI 3.0 document"},
               {"content", {{"application/json", {{"schema", Type("object")}}}}}}});
  add("/metrics", "get",
      {.id = "metrics",
       .tag = "ops",
       .summary = "Prometheus metrics",
       .ok = Text("text/plain", "the Prometheus text exposition format 0.0.4"),
       .errors = k404});
  // The web console.
  for (const char* path : {"/console", "/console/"}) {
    add(path, "get",
        {.id = std::string(path) == "/console" ? "getConsole" : "getConsoleSlash",
         .tag = "console",
         .summary = "the web console: one HTML page that watches the server through this API; "
                    "it holds no data, so it needs no token (its script asks for one on a 401)",
         .ok = Text("text/html", "the page (text/html; charset=utf-8), self-contained"),
         .extension = "FlyteAdmin's console is a separate application",
         .open = true});
  }
  add("/api/v1/version", "get",
      {.id = "getVersion",
       .tag = "ops",
       .summary = "the server's version",
       .ok = Json("Version", "the version")});

  // Projects and domains.
  add("/api/v1/projects", "get",
      {.id = "listProjects",
       .tag = "projects",
       .summary = "a page of projects",
       .params = {"limit", "token", "project_sort_key", "sort_direction"},
       .ok = Json("ProjectList", "one page"),
       .errors = k400 | k503});
  add("/api/v1/projects", "post",
      {.id = "createProject",
       .tag = "projects",
       .summary = "create or update a project",
       .request = "ProjectRequest",
       .ok = Json("Project", "the project"),
       .errors = k400 | k413 | k503});
  add("/api/v1/projects/{id}", "put",
      {.id = "updateProject",
       .tag = "projects",
       .summary = "create or update a project; the body's id must be the path's",
       .params = {"project_id"},
       .request = "ProjectRequest",
       .ok = Json("Project", "the project"),
       .errors = k400 | k413 | k503});
  add("/api/v1/projects/{id}", "get",
      {.id = "getProject",
       .tag = "projects",
       .summary = "one project",
       .params = {"project_id"},
       .ok = Json("Project", "the project"),
       .errors = k404 | k503});
  add("/api/v1/domains", "get",
      {.id = "listDomains",
       .tag = "projects",
       .summary = "development, staging and production",
       .ok = Json("DomainList", "the domains")});

  // Registration.
  add("/api/v1/register", "post",
      {.id = "register",
       .tag = "entities",
       .summary = "register every task, workflow and launch plan of a file, and a default launch "
                  "plan per workflow; "
                  "the same content again is a success",
       .request = "RegisterRequest",
       .ok = Json("RegisterResult", "what was registered"),
       .errors = k400 | k409 | k413 | k503,
       .extension =
           "FlyteAdmin registers one entity per call; this registers a whole workflow file"});

  // Tasks, workflows and launch plans.
  struct Kind {
    const char* path;  // tasks
    const char* name;  // Task
    const char* ids;   // task_ids
    const char* list;  // TaskList
  };
  for (Kind k : {Kind{"tasks", "Task", "task_ids", "TaskList"},
                 Kind{"workflows", "Workflow", "workflow_ids", "WorkflowList"},
                 Kind{"launch_plans", "LaunchPlan", "launch_plan_ids", "LaunchPlanList"}}) {
    const std::string base = std::string("/api/v1/") + k.path;
    const std::string name = k.name;
    add(base, "post",
        {.id = "create" + name,
         .tag = "entities",
         .summary = "the same as POST /api/v1/register: registers the whole file the body carries",
         .request = "RegisterRequest",
         .ok = Json("RegisterResult", "what was registered"),
         .errors = k400 | k409 | k413 | k503});
    add(base + "/{project}/{domain}", "get",
        {.id = "list" + name + "s",
         .tag = "entities",
         .summary = "a page of every version of every name, newest first",
         .params = {"project", "domain", "limit", "token", "entity_sort_key", "sort_direction"},
         .ok = Json(k.list, "the list"),
         .errors = k400 | k503});
    add(base + "/{project}/{domain}/{name}", "get",
        {.id = "list" + name + "Versions",
         .tag = "entities",
         .summary = "a page of the versions of one name, newest first",
         .params = {"project", "domain", "entity", "limit", "token", "entity_sort_key", "sort_direction"},
         .ok = Json(k.list, "the list"),
         .errors = kRead});
    add(base + "/{project}/{domain}/{name}/{version}", "get",
        {.id = "get" + name,
         .tag = "entities",
         .summary = "one version",
         .params = {"project", "domain", "entity", "version"},
         .ok = Json("Entity", "the entity"),
         .errors = kRead});
    add(std::string("/api/v1/") + k.ids + "/{project}/{domain}", "get",
        {.id = "list" + name + "Ids",
         .tag = "entities",
         .summary = "a page of the names",
         .params = {"project", "domain", "limit", "token", "entity_sort_key", "sort_direction"},
         .ok = Json("NamedEntityIdList", "the names"),
         .errors = k400 | k503});
  }

  // Launch-plan activation.
  add("/api/v1/launch_plans/{project}/{domain}/{name}/{version}", "put",
      {.id = "updateLaunchPlanState",
       .tag = "entities",
       .summary = "activate or deactivate one version",
       .params = {"project", "domain", "entity", "version"},
       .request = "LaunchPlanStateRequest",
       .ok = Json("Entity", "the launch plan after the change"),
       .errors = kWrite});
  add("/api/v1/launch_plans/{project}/{domain}/{name}", "put",
      {.id = "updateNewestLaunchPlanState",
       .tag = "entities",
       .summary = "activate or deactivate the newest version",
       .params = {"project", "domain", "entity"},
       .request = "LaunchPlanStateRequest",
       .ok = Json("Entity", "the launch plan after the change"),
       .errors = kWrite,
       .extension = "PUT without a version applies to the newest version"});
  add("/api/v1/active_launch_plans/{project}/{domain}", "get",
      {.id = "listActiveLaunchPlans",
       .tag = "entities",
       .summary = "the active version of each launch plan",
       .params = pd,
       .ok = Json("LaunchPlanList", "the active launch plans"),
       .errors = k400 | k503});

  // Executions.
  add("/api/v1/executions", "post",
      {.id = "createExecution",
       .tag = "executions",
       .summary = "start an execution of a launch plan, workflow or task",
       .request = "CreateExecutionRequest",
       .ok = Json("ExecutionIdResponse", "the new execution"),
       .errors = kWrite});
  add("/api/v1/executions/relaunch", "post",
      {.id = "relaunchExecution",
       .tag = "executions",
       .summary = "a new execution with the same target and inputs",
       .request = "RelaunchRequest",
       .ok = Json("ExecutionIdResponse", "the new execution"),
       .errors = kWrite});
  add("/api/v1/executions/recover", "post",
      {.id = "recoverExecution",
       .tag = "executions",
       .summary = "a new execution of an ended one that reuses the outputs of its succeeded nodes",
       .request = "RelaunchRequest",
       .ok = Json("ExecutionIdResponse", "the new execution (mode RECOVERED)"),
       .errors = kWrite});
  add("/api/v1/executions/{project}/{domain}", "get",
      {.id = "listExecutions",
       .tag = "executions",
       .summary = "a page of executions",
       .params = {"project", "domain", "limit", "token", "filters", "sort_key", "sort_direction"},
       .ok = Json("ExecutionList", "one page"),
       .errors = k400 | k503});
  add("/api/v1/executions/{project}/{domain}/{name}", "get",
      {.id = "getExecution",
       .tag = "executions",
       .summary = "one execution",
       .params = pdn,
       .ok = Json("Execution", "the execution"),
       .errors = kRead});
  add("/api/v1/executions/{project}/{domain}/{name}", "delete",
      {.id = "terminateExecution",
       .tag = "executions",
       .summary = "terminate; 409 when already terminal",
       .params = pdn,
       .request = "TerminateRequest",
       .request_required = false,
       .ok = Json("Execution", "the execution after the request"),
       .errors = kWrite});
  add("/api/v1/data/executions/{project}/{domain}/{name}", "get",
      {.id = "getExecutionData",
       .tag = "executions",
       .summary = "inputs and outputs as typed values",
       .params = pdn,
       .ok = Json("ExecutionData", "inputs and outputs"),
       .errors = kRead});

  // Nodes and task attempts.
  add("/api/v1/node_executions/{project}/{domain}/{name}", "get",
      {.id = "listNodeExecutions",
       .tag = "nodes",
       .summary = "the node tree: each node followed by its children",
       .params = pdn,
       .ok = Json("NodeExecutionList", "the nodes"),
       .errors = kRead});
  add("/api/v1/node_executions/{project}/{domain}/{name}/{node_id}", "get",
      {.id = "getNodeExecution",
       .tag = "nodes",
       .summary = "one node",
       .params = pdnn,
       .ok = Json("NodeExecution", "the node"),
       .errors = kRead});
  add("/api/v1/task_executions/{project}/{domain}/{name}/{node_id}", "get",
      {.id = "listTaskExecutions",
       .tag = "nodes",
       .summary = "a task node's attempts",
       .params = pdnn,
       .ok = Json("TaskExecutionList", "the attempts, oldest first"),
       .errors = kRead});
  add("/api/v1/logs/{project}/{domain}/{name}/{node_id}", "get",
      {.id = "getLogs",
       .tag = "nodes",
       .summary = "an attempt's stdout then stderr",
       .params = {"project", "domain", "execution", "node_id", "attempt", "follow"},
       .ok = Text("text/plain",
                  "the output; with follow=true a chunked stream that ends when the attempt does"),
       .errors = kRead,
       .extension = "FlyteAdmin links to logs elsewhere; this serves the attempt's output"});

  // Gates.
  add("/api/v1/signals/{project}/{domain}/{name}", "get",
      {.id = "listSignals",
       .tag = "signals",
       .summary = "the gates of an execution",
       .params = pdn,
       .ok = Json("SignalList", "the gates"),
       .errors = kRead});
  add("/api/v1/signals", "post",
      {.id = "setSignal",
       .tag = "signals",
       .summary = "give a gate its value (approve or reject: true or false)",
       .request = "SignalRequest",
       .ok = Json("Empty", "accepted"),
       .errors = kWrite});

  // Events.
  add("/api/v1/events", "get",
      {.id = "streamEvents",
       .tag = "events",
       .summary =
           "server-sent events, one per phase change: `id: SEQ` and `data: ` an Event "
           "(#/components/schemas/Event); a comment line every 15 s keeps the connection open",
       .params = {"event_execution"},
       .ok = Text("text/event-stream", "the stream"),
       .errors = k400 | k503,
       .extension = "the live feed of the console and of `flyte run --remote --wait`"});
  return paths;
}

J Document() {
  J d = J{{"openapi", "3.0.3"}};
  d["info"] =
      J{{"title", "flyte admin API"},
        {"version", FLYTE_VERSION},
        {"description",
         "`flyte serve`'s admin API: FlyteAdmin's HTTP gateway paths and verbs with proto3-style "
         "JSON bodies (snake_case, enums as names, RFC 3339 times, durations like \"1.5s\"). "
         "Request bodies are read strictly: unknown fields, wrong types and bad ids are 400 "
         "InvalidArgument naming the field. This project's additions to FlyteAdmin are marked "
         "x-flyte-extension."}};
  d["servers"] =
      J::array({J{{"url", "http://127.0.0.1:8080"}, {"description", "`flyte serve`'s default"}}});
  d["tags"] = J::array();
  for (const char* tag :
       {"ops", "console", "projects", "entities", "executions", "nodes", "signals", "events"}) {
    d["tags"].push_back(J{{"name", tag}});
  }
  d["paths"] = Paths();
  // A token is needed only when the server runs with --auth token: {} makes it optional.
  d["security"] = J::array({J{{"bearerAuth", J::array()}}, J::object()});
  d["components"] =
      J{{"schemas", Schemas()}, {"parameters", Parameters()}, {"responses", Responses()}};
  d["components"]["securitySchemes"] =
      J{{"bearerAuth",
         J{{"type", "http"},
           {"scheme", "bearer"},
           {"description",
            "Needed by every route but /healthcheck and /console when the server runs with "
            "--auth token; "
            "tokens come from `flyte serve token create`"}}}};
  return d;
}

}  // namespace

const std::string& OpenApiDocument() {
  static const std::string doc = Document().dump(2);
  return doc;
}

}  // namespace flyte::http
