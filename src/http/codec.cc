#include "http/codec.h"

#include <nlohmann/json.hpp>

#include <initializer_list>

#include "util/strings.h"
#include "util/timefmt.h"

namespace flyte::http {
namespace {

using json = nlohmann::json;

json Time(int64_t nanos) { return nanos > 0 ? json(FormatDatetime(nanos)) : json(nullptr); }

json Duration(int64_t from, int64_t to) {
  return from > 0 && to >= from ? json(FormatDurationProto(to - from)) : json(nullptr);
}

// Stored canonical JSON (inputs, outputs) embedded as a value; empty is null.
json Embedded(const std::string& text) {
  if (text.empty()) return nullptr;
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  return j.is_discarded() ? json(text) : j;
}

json KeyJson(const ExecutionKey& k) {
  return {{"project", k.project}, {"domain", k.domain}, {"name", k.name}};
}

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

json ExecutionObject(const ExecutionRecord& r) {
  json error = nullptr;
  if (!r.error_code.empty()) {
    error = {{"code", r.error_code},
             {"message", r.error_message},
             {"node", r.error_node.empty() ? json(nullptr) : json(r.error_node)}};
  }
  return {
      {"id", KeyJson(r.key)},
      {"spec",
       {{"launch_plan", r.launch_plan.empty()
                            ? json(nullptr)
                            : json({{"name", r.launch_plan}, {"version", r.version}})},
        {"workflow", {{"name", r.workflow}, {"version", r.version}}},
        {"inputs", Embedded(r.inputs_json)},
        {"mode", ExecutionModeName(r.mode)},
        {"labels", r.labels_json.empty() ? json::object() : Embedded(r.labels_json)},
        {"parent", r.parent.empty() ? json(nullptr) : json(r.parent)}}},
      {"closure",
       {{"phase", PhaseName(r.phase)},
        {"created_at", Time(r.created_at)},
        {"started_at", Time(r.started_at)},
        {"ended_at", Time(r.ended_at)},
        {"duration", Duration(r.started_at, r.ended_at)},
        {"outputs", Embedded(r.outputs_json)},
        {"error", error}}},
  };
}

json NodeObject(const ExecutionKey& key, const NodeRecord& n) {
  json error = nullptr;
  if (!n.error_code.empty()) error = {{"code", n.error_code}, {"message", n.error_message}};
  return {
      {"id", {{"execution_id", KeyJson(key)}, {"node_id", n.node_id}}},
      {"parent_id", n.parent_id.empty() ? json(nullptr) : json(n.parent_id)},
      {"kind", spec::NodeKindName(n.kind)},
      {"target", n.target},
      {"child_execution", n.child_execution.empty() ? json(nullptr) : json(n.child_execution)},
      {"closure",
       {{"phase", PhaseName(n.phase)},
        {"cache_status", CacheStatusName(n.cache_status)},
        {"attempts", n.attempts},
        {"queued_at", Time(n.queued_at)},
        {"started_at", Time(n.started_at)},
        {"ended_at", Time(n.ended_at)},
        {"duration", Duration(n.started_at, n.ended_at)},
        {"outputs", Embedded(n.outputs_json)},
        {"error", error},
        {"output_tail", n.tail}}},
  };
}

// Strict reading of request bodies.
Result<json> ParseObject(const std::string& body, const char* what) {
  json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    // Parse again with exceptions to learn where it broke.
    try {
      json again = json::parse(body);
      (void)again;
    } catch (const json::parse_error& e) {
      return InvalidArgument(std::string("malformed JSON in the ") + what + " body at byte " +
                             std::to_string(e.byte) + ": " + e.what());
    } catch (const json::exception& e) {
      // A number past the double range (1e999) is out_of_range, not parse_error; uncaught it
      // ended the process (found by tests/fuzz, codec target).
      return InvalidArgument(std::string("malformed JSON in the ") + what + " body: " + e.what());
    }
    return InvalidArgument(std::string("malformed JSON in the ") + what + " body");
  }
  if (!j.is_object())
    return InvalidArgument(std::string("the ") + what + " body must be a JSON object");
  return j;
}

Status CheckKeys(const json& o, std::initializer_list<const char*> allowed,
                 const std::string& where) {
  std::vector<std::string> names(allowed.begin(), allowed.end());
  for (const auto& [k, v] : o.items()) {
    bool ok = false;
    for (const char* a : allowed) ok = ok || k == a;
    if (!ok) {
      return InvalidArgument("unknown field " + Quote(where.empty() ? k : where + "." + k) +
                             DidYouMean(k, names) + "; expected: " + Join(names, ", "));
    }
  }
  return Status::Ok();
}

std::string Path(const std::string& where, const char* key) {
  return where.empty() ? key : where + "." + key;
}

const char* TypeName(const json& v) {
  switch (v.type()) {
    case json::value_t::null:
      return "null";
    case json::value_t::object:
      return "an object";
    case json::value_t::array:
      return "an array";
    case json::value_t::string:
      return "a string";
    case json::value_t::boolean:
      return "a boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
      return "an integer";
    case json::value_t::number_float:
      return "a number";
    default:
      return "a value";
  }
}

Result<std::string> GetString(const json& o, const char* key, const std::string& where,
                              bool required) {
  auto it = o.find(key);
  if (it == o.end() || it->is_null()) {
    if (required) return InvalidArgument("missing field " + Quote(Path(where, key)));
    return std::string();
  }
  if (!it->is_string()) {
    return InvalidArgument("field " + Quote(Path(where, key)) + " must be a string, got " +
                           TypeName(*it));
  }
  return it->get<std::string>();
}

Result<bool> GetBool(const json& o, const char* key, const std::string& where) {
  auto it = o.find(key);
  if (it == o.end() || it->is_null()) return false;
  if (!it->is_boolean()) {
    return InvalidArgument("field " + Quote(Path(where, key)) + " must be a boolean, got " +
                           TypeName(*it));
  }
  return it->get<bool>();
}

// A mapping of strings to strings (envs, labels, text inputs, signals).
Result<std::vector<std::pair<std::string, std::string>>> GetStringMap(const json& o,
                                                                      const char* key,
                                                                      const std::string& where) {
  std::vector<std::pair<std::string, std::string>> out;
  auto it = o.find(key);
  if (it == o.end() || it->is_null()) return out;
  if (!it->is_object()) {
    return InvalidArgument("field " + Quote(Path(where, key)) + " must be an object, got " +
                           TypeName(*it));
  }
  for (const auto& [k, v] : it->items()) {
    if (!v.is_string()) {
      return InvalidArgument("field " + Quote(Path(where, key) + "." + k) +
                             " must be a string, got " + TypeName(v));
    }
    out.emplace_back(k, v.get<std::string>());
  }
  return out;
}

bool IsName(std::string_view s, size_t max) {
  if (s.empty() || s.size() > max) return false;
  if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z') ||
        (s[0] >= '0' && s[0] <= '9'))) {
    return false;
  }
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
          c == '_' || c == '.')) {
      return false;
    }
  }
  return true;
}

Result<ExecutionKey> GetKey(const json& o, const char* key, const std::string& where) {
  auto it = o.find(key);
  if (it == o.end() || it->is_null())
    return InvalidArgument("missing field " + Quote(Path(where, key)));
  if (!it->is_object()) {
    return InvalidArgument("field " + Quote(Path(where, key)) + " must be an object, got " +
                           TypeName(*it));
  }
  const std::string at = Path(where, key);
  RETURN_IF_ERROR(CheckKeys(*it, {"project", "domain", "name"}, at));
  ExecutionKey k;
  ASSIGN_OR_RETURN(k.project, GetString(*it, "project", at, true));
  ASSIGN_OR_RETURN(k.domain, GetString(*it, "domain", at, true));
  ASSIGN_OR_RETURN(k.name, GetString(*it, "name", at, true));
  RETURN_IF_ERROR(CheckIdentifier("project", k.project));
  RETURN_IF_ERROR(CheckDomain(k.domain));
  RETURN_IF_ERROR(CheckIdentifier("execution name", k.name));
  return k;
}

// Reading responses: tolerant of extra fields, strict about shape.
std::string Str(const json& o, const char* key) {
  auto it = o.find(key);
  return it != o.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// An enum field of an answer, parsed here, once; a spelling this flyte does not know (a newer
// server's) reads as `fallback`.
template <typename E>
E EnumOf(const json& o, const char* key, std::optional<E> (*parse)(std::string_view), E fallback) {
  return parse(Str(o, key)).value_or(fallback);
}

int64_t TimeOf(const json& o, const char* key) {
  std::string s = Str(o, key);
  if (s.empty()) return 0;
  return ParseDatetime(s).value_or(0);
}

std::string Compact(const json& o, const char* key) {
  auto it = o.find(key);
  return it == o.end() || it->is_null() ? std::string() : it->dump();
}

const json& Obj(const json& o, const char* key) {
  static const json kEmpty = json::object();
  auto it = o.find(key);
  return it != o.end() && it->is_object() ? *it : kEmpty;
}

Result<json> ParseResponse(const std::string& body) {
  json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return Unavailable("the server's answer is not a JSON object: " + body.substr(0, 200));
  }
  return j;
}

ExecutionRecord ExecutionFrom(const json& j) {
  ExecutionRecord r;
  const json& id = Obj(j, "id");
  r.key = {Str(id, "project"), Str(id, "domain"), Str(id, "name")};
  const json& spec = Obj(j, "spec");
  const json& closure = Obj(j, "closure");
  r.launch_plan = Str(Obj(spec, "launch_plan"), "name");
  r.workflow = Str(Obj(spec, "workflow"), "name");
  r.version = Str(Obj(spec, "workflow"), "version");
  r.inputs_json = Compact(spec, "inputs");
  r.mode = EnumOf(spec, "mode", ParseExecutionMode, ExecutionMode::kManual);
  r.labels_json =
      spec.contains("labels") && spec["labels"].is_object() ? spec["labels"].dump() : "{}";
  r.parent = Str(spec, "parent");
  r.phase = EnumOf(closure, "phase", ParseExecutionPhase, ExecutionPhase::kQueued);
  r.created_at = TimeOf(closure, "created_at");
  r.started_at = TimeOf(closure, "started_at");
  r.ended_at = TimeOf(closure, "ended_at");
  r.outputs_json = Compact(closure, "outputs");
  const json& err = Obj(closure, "error");
  r.error_code = Str(err, "code");
  r.error_message = Str(err, "message");
  r.error_node = Str(err, "node");
  return r;
}

}  // namespace

Status CheckIdentifier(const char* what, const std::string& s) {
  if (!IsName(s, 63)) {
    return InvalidArgument(
        std::string(what) + " " + Quote(s) +
        " must be 1 to 63 letters, digits, '-', '_' or '.', starting with a letter or digit");
  }
  return Status::Ok();
}

Status CheckDomain(const std::string& d) {
  if (d != "development" && d != "staging" && d != "production") {
    return InvalidArgument("domain " + Quote(d) +
                           " must be one of development, staging, production");
  }
  return Status::Ok();
}

// The HTTP status that answers a typed error.
int HttpStatus(const Status& st) {
  switch (st.code()) {
    case StatusCode::kOk:
      return 200;
    case StatusCode::kInvalidArgument:
    case StatusCode::kInvalidSpec:
    case StatusCode::kTypeMismatch:
      return 400;
    case StatusCode::kNotFound:
      return 404;
    case StatusCode::kAlreadyExists:
    case StatusCode::kFailedPrecondition:
      return 409;
    case StatusCode::kUnavailable:
      return 503;
    case StatusCode::kIO:
    case StatusCode::kInternal:
      return 500;
  }
  return 500;
}

std::string HealthJson(const std::string& reason) {
  if (reason.empty()) return Dump({{"status", "ok"}});
  return Dump({{"status", "degraded"}, {"reason", reason}});
}

std::string ErrorJson(const Status& st) {
  const char* code = "Internal";
  switch (st.code()) {
    case StatusCode::kOk:
      code = "OK";
      break;
    case StatusCode::kInvalidArgument:
    case StatusCode::kInvalidSpec:
    case StatusCode::kTypeMismatch:
      code = "InvalidArgument";
      break;
    case StatusCode::kNotFound:
      code = "NotFound";
      break;
    case StatusCode::kAlreadyExists:
      code = "AlreadyExists";
      break;
    case StatusCode::kFailedPrecondition:
      code = "FailedPrecondition";
      break;
    case StatusCode::kUnavailable:
      code = "Unavailable";
      break;
    case StatusCode::kIO:
    case StatusCode::kInternal:
      code = "Internal";
      break;
  }
  return ErrorJson(code, st.message());
}

std::string ErrorJson(std::string_view code, std::string_view message) {
  return Dump({{"error", {{"code", code}, {"message", message}}}});
}

std::string ExecutionJson(const ExecutionRecord& r) { return Dump(ExecutionObject(r)); }

std::string ExecutionListJson(const std::vector<ExecutionRecord>& list, const std::string& token) {
  json items = json::array();
  for (const ExecutionRecord& r : list) items.push_back(ExecutionObject(r));
  return Dump({{"executions", items}, {"token", token}});
}

std::string ExecutionDataJson(const ExecutionRecord& r) {
  return Dump({{"inputs", Embedded(r.inputs_json)}, {"outputs", Embedded(r.outputs_json)}});
}

std::string ExecutionIdJson(const ExecutionKey& key) { return Dump({{"id", KeyJson(key)}}); }

std::string NodeListJson(const ExecutionKey& key, const std::vector<NodeRecord>& nodes) {
  json items = json::array();
  for (const NodeRecord& n : nodes) items.push_back(NodeObject(key, n));
  return Dump({{"node_executions", items}, {"token", ""}});
}

std::string NodeJson(const ExecutionKey& key, const NodeRecord& node) {
  return Dump(NodeObject(key, node));
}

std::string AttemptListJson(const std::vector<AttemptRecord>& attempts) {
  json items = json::array();
  for (const AttemptRecord& a : attempts) {
    items.push_back({{"node_id", a.node_id},
                     {"attempt", a.attempt},
                     {"phase", PhaseName(a.phase)},
                     {"started_at", Time(a.started_at)},
                     {"ended_at", Time(a.ended_at)},
                     {"duration", Duration(a.started_at, a.ended_at)},
                     {"exit_code", a.exit_code},
                     {"reason", a.reason},
                     {"where", a.where},
                     {"logs", {{"stdout", a.stdout_path}, {"stderr", a.stderr_path}}}});
  }
  return Dump({{"task_executions", items}});
}

namespace {
const char* ResourceType(const std::string& kind) {
  return kind == "task" ? "TASK" : kind == "workflow" ? "WORKFLOW" : "LAUNCH_PLAN";
}
json EntityObject(const EntityRecord& e) {
  json j = {{"id",
             {{"resource_type", ResourceType(e.kind)},
              {"project", e.project},
              {"domain", e.domain},
              {"name", e.name},
              {"version", e.version}}},
            {"digest", e.digest},
            {"source", e.source},
            {"created_at", Time(e.created_at)}};
  if (e.kind == "launch_plan") {
    j["state"] = e.state;
    // Extensions: the schedule as written, and when the server fires it next.
    j["schedule"] = e.schedule.empty() ? json(nullptr) : json(e.schedule);
    j["next_fire"] = e.next_fire > 0 ? json(Time(e.next_fire)) : json(nullptr);
  }
  return j;
}
}  // namespace

std::string EntityJson(const EntityRecord& e) { return Dump(EntityObject(e)); }

std::string EntityListJson(const char* field, const std::vector<EntityRecord>& list,
                           const std::string& token) {
  json items = json::array();
  for (const EntityRecord& e : list) items.push_back(EntityObject(e));
  return Dump({{field, items}, {"token", token}});
}

std::string EntityIdListJson(const std::vector<EntityRecord>& list, const std::string& token) {
  json items = json::array();
  for (const EntityRecord& e : list) {
    items.push_back({{"project", e.project}, {"domain", e.domain}, {"name", e.name}});
  }
  return Dump({{"entities", items}, {"token", token}});
}

std::string RegisterResultJson(const RegisterResult& r) {
  json items = json::array();
  for (const RegisteredEntity& e : r.entities) {
    items.push_back(
        {{"resource_type", ResourceType(e.kind)}, {"name", e.name}, {"created", e.created}});
  }
  return Dump({{"project", r.project},
               {"domain", r.domain},
               {"version", r.version},
               {"source", r.source},
               {"entities", items}});
}

namespace {
json ProjectObject(const ProjectRecord& p) {
  json domains = json::array();
  for (const char* d : {"development", "staging", "production"})
    domains.push_back({{"id", d}, {"name", d}});
  return {{"id", p.id},
          {"name", p.name},
          {"description", p.description},
          {"domains", domains},
          {"created_at", Time(p.created_at)}};
}
}  // namespace

std::string ProjectJson(const ProjectRecord& p) { return Dump(ProjectObject(p)); }

std::string ProjectListJson(const std::vector<ProjectRecord>& list, const std::string& token) {
  json items = json::array();
  for (const ProjectRecord& p : list) items.push_back(ProjectObject(p));
  return Dump({{"projects", items}, {"token", token}});
}

std::string SignalListJson(const ExecutionKey& key, const std::vector<NodeRecord>& gates) {
  json items = json::array();
  for (const NodeRecord& n : gates) {
    // An approve gate's signal is named after its node.
    const std::string& signal = n.kind == spec::NodeKind::kApprove ? n.node_id : n.target;
    items.push_back({{"id", {{"execution_id", KeyJson(key)}, {"signal_id", signal}}},
                     {"node_id", n.node_id},
                     {"kind", spec::NodeKindName(n.kind)},
                     {"phase", PhaseName(n.phase)},
                     {"waiting", n.phase == NodePhase::kRunning}});
  }
  return Dump({{"signals", items}, {"token", ""}});
}

Result<RegisterRequest> ParseRegisterRequest(const std::string& body) {
  ASSIGN_OR_RETURN(json j, ParseObject(body, "register"));
  RETURN_IF_ERROR(CheckKeys(j, {"project", "domain", "version", "content", "path"}, ""));
  RegisterRequest r;
  ASSIGN_OR_RETURN(r.project, GetString(j, "project", "", false));
  ASSIGN_OR_RETURN(r.domain, GetString(j, "domain", "", false));
  ASSIGN_OR_RETURN(r.version, GetString(j, "version", "", false));
  ASSIGN_OR_RETURN(r.content, GetString(j, "content", "", true));
  ASSIGN_OR_RETURN(r.path, GetString(j, "path", "", false));
  if (!r.project.empty()) RETURN_IF_ERROR(CheckIdentifier("project", r.project));
  if (!r.domain.empty()) RETURN_IF_ERROR(CheckDomain(r.domain));
  if (!r.version.empty()) RETURN_IF_ERROR(CheckIdentifier("version", r.version));
  if (r.path.empty()) r.path = "registered.yaml";
  return r;
}

Result<CreateExecutionRequest> ParseCreateExecution(const std::string& body) {
  ASSIGN_OR_RETURN(json j, ParseObject(body, "create-execution"));
  RETURN_IF_ERROR(CheckKeys(j,
                            {"project", "domain", "name", "launch_plan", "workflow", "task",
                             "inputs", "text_inputs", "inputs_yaml", "overwrite_cache", "no_cache",
                             "max_parallelism", "envs", "labels", "signals"},
                            ""));
  CreateExecutionRequest r;
  ASSIGN_OR_RETURN(r.project, GetString(j, "project", "", true));
  ASSIGN_OR_RETURN(r.domain, GetString(j, "domain", "", true));
  ASSIGN_OR_RETURN(r.name, GetString(j, "name", "", false));
  RETURN_IF_ERROR(CheckIdentifier("project", r.project));
  RETURN_IF_ERROR(CheckDomain(r.domain));
  int targets = 0;
  for (auto [key, kind] :
       {std::pair{"launch_plan", TargetKind::kLaunchPlan},
        std::pair{"workflow", TargetKind::kWorkflow}, std::pair{"task", TargetKind::kTask}}) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) continue;
    ++targets;
    if (!it->is_object()) {
      return InvalidArgument(std::string("field '") + key +
                             "' must be an object {name, version?}, got " + TypeName(*it));
    }
    RETURN_IF_ERROR(CheckKeys(*it, {"name", "version"}, key));
    r.target_kind = kind;
    ASSIGN_OR_RETURN(r.target, GetString(*it, "name", key, true));
    ASSIGN_OR_RETURN(r.version, GetString(*it, "version", key, false));
    RETURN_IF_ERROR(CheckIdentifier(key, r.target));
  }
  if (targets != 1) {
    return InvalidArgument("give exactly one of 'launch_plan', 'workflow' or 'task' to run");
  }
  if (auto it = j.find("inputs"); it != j.end() && !it->is_null()) {
    if (!it->is_object())
      return InvalidArgument("field 'inputs' must be an object, got " + std::string(TypeName(*it)));
    r.inputs_document = it->dump();
    r.inputs_document_name = "request field 'inputs'";
  }
  ASSIGN_OR_RETURN(std::string yaml_inputs, GetString(j, "inputs_yaml", "", false));
  if (!yaml_inputs.empty()) {
    if (!r.inputs_document.empty())
      return InvalidArgument("give 'inputs' or 'inputs_yaml', not both");
    r.inputs_document = yaml_inputs;
    r.inputs_document_name = "request field 'inputs_yaml'";
  }
  ASSIGN_OR_RETURN(r.text_inputs, GetStringMap(j, "text_inputs", ""));
  ASSIGN_OR_RETURN(r.overwrite_cache, GetBool(j, "overwrite_cache", ""));
  ASSIGN_OR_RETURN(r.no_cache, GetBool(j, "no_cache", ""));
  if (auto it = j.find("max_parallelism"); it != j.end() && !it->is_null()) {
    if (!it->is_number_integer() || it->get<int64_t>() < 1 || it->get<int64_t>() > 100000) {
      return InvalidArgument("field 'max_parallelism' must be an integer from 1 to 100000");
    }
    r.max_parallelism = static_cast<uint32_t>(it->get<int64_t>());
  }
  ASSIGN_OR_RETURN(r.env, GetStringMap(j, "envs", ""));
  ASSIGN_OR_RETURN(r.labels, GetStringMap(j, "labels", ""));
  for (const auto& [k, v] : r.labels) {
    if (k.empty() || k.size() > 63)
      return InvalidArgument("label keys must be 1 to 63 characters, got " + Quote(k));
    if (v.size() > 1024)
      return InvalidArgument("the value of label " + Quote(k) + " is longer than 1024 characters");
  }
  ASSIGN_OR_RETURN(r.signals, GetStringMap(j, "signals", ""));
  if (!r.name.empty()) RETURN_IF_ERROR(CheckIdentifier("execution name", r.name));
  return r;
}

Result<SignalRequest> ParseSignalRequest(const std::string& body) {
  ASSIGN_OR_RETURN(json j, ParseObject(body, "signal"));
  RETURN_IF_ERROR(CheckKeys(j, {"id", "value"}, ""));
  auto id = j.find("id");
  if (id == j.end() || !id->is_object())
    return InvalidArgument("missing field 'id' {execution_id, signal_id}");
  RETURN_IF_ERROR(CheckKeys(*id, {"execution_id", "signal_id"}, "id"));
  SignalRequest r;
  ASSIGN_OR_RETURN(r.execution, GetKey(*id, "execution_id", "id"));
  ASSIGN_OR_RETURN(r.signal, GetString(*id, "signal_id", "id", true));
  auto v = j.find("value");
  if (v == j.end()) return InvalidArgument("missing field 'value'");
  // Values travel as text read by the gate's type: a JSON string is that text, anything else
  // its JSON spelling (true, 0.5, [1, 2]).
  r.value = v->is_string() ? v->get<std::string>() : v->dump();
  return r;
}

Result<std::string> ParseTerminateRequest(const std::string& body) {
  if (Trim(body).empty()) return std::string("terminated through the API");
  ASSIGN_OR_RETURN(json j, ParseObject(body, "terminate"));
  RETURN_IF_ERROR(CheckKeys(j, {"cause"}, ""));
  ASSIGN_OR_RETURN(std::string cause, GetString(j, "cause", "", false));
  return cause.empty() ? std::string("terminated through the API") : cause;
}

Result<RelaunchRequest> ParseRelaunchRequest(const std::string& body, const char* what) {
  ASSIGN_OR_RETURN(json j, ParseObject(body, what));
  RETURN_IF_ERROR(CheckKeys(j, {"id", "name"}, ""));
  RelaunchRequest r;
  ASSIGN_OR_RETURN(r.id, GetKey(j, "id", ""));
  ASSIGN_OR_RETURN(r.name, GetString(j, "name", "", false));
  if (!r.name.empty()) RETURN_IF_ERROR(CheckIdentifier("execution name", r.name));
  return r;
}

Result<ProjectRecord> ParseProject(const std::string& body) {
  ASSIGN_OR_RETURN(json j, ParseObject(body, "project"));
  RETURN_IF_ERROR(CheckKeys(j, {"id", "name", "description"}, ""));
  ProjectRecord p;
  ASSIGN_OR_RETURN(p.id, GetString(j, "id", "", true));
  ASSIGN_OR_RETURN(p.name, GetString(j, "name", "", false));
  ASSIGN_OR_RETURN(p.description, GetString(j, "description", "", false));
  RETURN_IF_ERROR(CheckIdentifier("project", p.id));
  return p;
}

Result<bool> ParseLaunchPlanState(const std::string& body) {
  ASSIGN_OR_RETURN(json j, ParseObject(body, "launch-plan state"));
  RETURN_IF_ERROR(CheckKeys(j, {"state"}, ""));
  ASSIGN_OR_RETURN(std::string state, GetString(j, "state", "", true));
  if (state != "ACTIVE" && state != "INACTIVE") {
    return InvalidArgument("field 'state' must be ACTIVE or INACTIVE, got " + Quote(state));
  }
  return state == "ACTIVE";
}

std::string ListToken(const std::string& body) {
  json j = json::parse(body, nullptr, false);
  if (!j.is_object()) return "";
  auto it = j.find("token");
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

Status StatusFromErrorJson(int http_status, const std::string& body) {
  json j = json::parse(body, nullptr, false);
  std::string code, message = body.substr(0, 500);
  if (!j.is_discarded() && j.is_object()) {
    const json& e = Obj(j, "error");
    code = Str(e, "code");
    message = Str(e, "message");
  }
  if (code == "NotFound" || http_status == 404) return NotFound(message);
  if (code == "AlreadyExists") return AlreadyExists(message);
  if (code == "FailedPrecondition") return FailedPrecondition(message);
  if (code == "InvalidArgument" || http_status == 400) return InvalidArgument(message);
  if (code == "Unauthenticated" || code == "PermissionDenied" || http_status == 401) {
    return InvalidArgument(message + " (set FLYTE_TOKEN or admin.token in config.yaml)");
  }
  if (code == "Unavailable" || http_status == 503) return Unavailable(message);
  return Internal("the server answered " + std::to_string(http_status) + ": " + message);
}

Result<ExecutionRecord> ParseExecution(const std::string& body) {
  ASSIGN_OR_RETURN(json j, ParseResponse(body));
  return ExecutionFrom(j);
}

Result<std::vector<ExecutionRecord>> ParseExecutionList(const std::string& body,
                                                        std::string* token) {
  ASSIGN_OR_RETURN(json j, ParseResponse(body));
  std::vector<ExecutionRecord> out;
  if (auto it = j.find("executions"); it != j.end() && it->is_array()) {
    for (const json& e : *it) out.push_back(ExecutionFrom(e));
  }
  if (token != nullptr) *token = Str(j, "token");
  return out;
}

Result<ExecutionKey> ParseExecutionId(const std::string& body) {
  ASSIGN_OR_RETURN(json j, ParseResponse(body));
  const json& id = Obj(j, "id");
  return ExecutionKey{Str(id, "project"), Str(id, "domain"), Str(id, "name")};
}

Result<std::vector<NodeRecord>> ParseNodeList(const std::string& body) {
  ASSIGN_OR_RETURN(json j, ParseResponse(body));
  std::vector<NodeRecord> out;
  if (auto it = j.find("node_executions"); it != j.end() && it->is_array()) {
    for (const json& e : *it) {
      NodeRecord n;
      n.node_id = Str(Obj(e, "id"), "node_id");
      n.parent_id = Str(e, "parent_id");
      n.kind = EnumOf(e, "kind", spec::ParseNodeKind, spec::NodeKind::kTask);
      n.target = Str(e, "target");
      n.child_execution = Str(e, "child_execution");
      const json& c = Obj(e, "closure");
      n.phase = EnumOf(c, "phase", ParseNodePhase, NodePhase::kQueued);
      n.cache_status = EnumOf(c, "cache_status", ParseCacheStatus, CacheStatus::kDisabled);
      n.attempts = c.value("attempts", 0u);
      n.queued_at = TimeOf(c, "queued_at");
      n.started_at = TimeOf(c, "started_at");
      n.ended_at = TimeOf(c, "ended_at");
      n.outputs_json = Compact(c, "outputs");
      n.error_code = Str(Obj(c, "error"), "code");
      n.error_message = Str(Obj(c, "error"), "message");
      n.tail = Str(c, "output_tail");
      out.push_back(std::move(n));
    }
  }
  return out;
}

Result<std::vector<AttemptRecord>> ParseAttemptList(const std::string& body) {
  ASSIGN_OR_RETURN(json j, ParseResponse(body));
  std::vector<AttemptRecord> out;
  if (auto it = j.find("task_executions"); it != j.end() && it->is_array()) {
    for (const json& e : *it) {
      AttemptRecord a;
      a.node_id = Str(e, "node_id");
      a.attempt = e.value("attempt", 0u);
      a.phase = EnumOf(e, "phase", ParseTaskPhase, TaskPhase::kRunning);
      a.started_at = TimeOf(e, "started_at");
      a.ended_at = TimeOf(e, "ended_at");
      a.exit_code = e.value("exit_code", 0);
      a.reason = Str(e, "reason");
      a.where = Str(e, "where");
      a.stdout_path = Str(Obj(e, "logs"), "stdout");
      a.stderr_path = Str(Obj(e, "logs"), "stderr");
      out.push_back(std::move(a));
    }
  }
  return out;
}

Result<RegisterResult> ParseRegisterResult(const std::string& body) {
  ASSIGN_OR_RETURN(json j, ParseResponse(body));
  RegisterResult r;
  r.project = Str(j, "project");
  r.domain = Str(j, "domain");
  r.version = Str(j, "version");
  r.source = Str(j, "source");
  if (auto it = j.find("entities"); it != j.end() && it->is_array()) {
    for (const json& e : *it) {
      std::string type = Str(e, "resource_type");
      std::string kind = type == "TASK" ? "task" : type == "WORKFLOW" ? "workflow" : "launch_plan";
      r.entities.push_back({kind, Str(e, "name"), e.value("created", false)});
    }
  }
  return r;
}

Result<std::vector<EntityRecord>> ParseEntityList(const char* field, const std::string& body) {
  ASSIGN_OR_RETURN(json j, ParseResponse(body));
  std::vector<EntityRecord> out;
  if (auto it = j.find(field); it != j.end() && it->is_array()) {
    for (const json& e : *it) {
      const json& id = Obj(e, "id");
      std::string type = Str(id, "resource_type");
      out.push_back({type == "TASK"       ? "task"
                     : type == "WORKFLOW" ? "workflow"
                                          : "launch_plan",
                     Str(id, "project"), Str(id, "domain"), Str(id, "name"), Str(id, "version"),
                     Str(e, "digest"), Str(e, "source"), Str(e, "state"), TimeOf(e, "created_at"),
                     Str(e, "schedule"), TimeOf(e, "next_fire")});
    }
  }
  return out;
}

Result<std::vector<ProjectRecord>> ParseProjectList(const std::string& body) {
  ASSIGN_OR_RETURN(json j, ParseResponse(body));
  std::vector<ProjectRecord> out;
  if (auto it = j.find("projects"); it != j.end() && it->is_array()) {
    for (const json& p : *it) {
      out.push_back({Str(p, "id"), Str(p, "name"), Str(p, "description"), TimeOf(p, "created_at")});
    }
  }
  return out;
}

std::string RegisterRequestJson(const RegisterRequest& r) {
  json j = {{"content", r.content}};
  if (!r.project.empty()) j["project"] = r.project;
  if (!r.domain.empty()) j["domain"] = r.domain;
  if (!r.version.empty()) j["version"] = r.version;
  if (!r.path.empty()) j["path"] = r.path;
  return Dump(j);
}

std::string CreateExecutionJson(const CreateExecutionRequest& r) {
  json j = {{"project", r.project}, {"domain", r.domain}};
  if (!r.name.empty()) j["name"] = r.name;
  const char* kind = r.target_kind == TargetKind::kLaunchPlan ? "launch_plan"
                     : r.target_kind == TargetKind::kTask     ? "task"
                                                              : "workflow";
  json target = {{"name", r.target}};
  if (!r.version.empty()) target["version"] = r.version;
  j[kind] = target;
  auto map = [](const std::vector<std::pair<std::string, std::string>>& kv) {
    json m = json::object();
    for (const auto& [k, v] : kv) m[k] = v;
    return m;
  };
  if (!r.inputs_document.empty()) {
    json doc = json::parse(r.inputs_document, nullptr, false);
    // Anything but a JSON object goes as text too, so that the server's reader explains what
    // is wrong with it; as `inputs` the request itself was refused (found by tests/fuzz).
    if (doc.is_discarded() || !doc.is_object()) {
      j["inputs_yaml"] = r.inputs_document;  // YAML: the server reads it by the declared types
    } else {
      j["inputs"] = doc;
    }
  }
  if (!r.text_inputs.empty()) j["text_inputs"] = map(r.text_inputs);
  if (r.overwrite_cache) j["overwrite_cache"] = true;
  if (r.no_cache) j["no_cache"] = true;
  if (r.max_parallelism) j["max_parallelism"] = *r.max_parallelism;
  if (!r.env.empty()) j["envs"] = map(r.env);
  if (!r.labels.empty()) j["labels"] = map(r.labels);
  if (!r.signals.empty()) j["signals"] = map(r.signals);
  return Dump(j);
}

std::string SignalRequestJson(const SignalRequest& r) {
  return Dump({{"id", {{"execution_id", KeyJson(r.execution)}, {"signal_id", r.signal}}},
               {"value", r.value}});
}

}  // namespace flyte::http
