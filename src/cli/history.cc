// Looking back at local runs: `flyte get`, `flyte logs`, `flyte cache`. They read the home
// folder's store through the same admin interface a server would serve.
#include <uv.h>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "admin/local_admin.h"
#include "admin/log_reads.h"
#include "cli/admin_access.h"
#include "cli/commands.h"
#include "types/literal.h"
#include "types/yaml_writer.h"
#include "util/strings.h"
#include "util/timefmt.h"
#include "util/yaml.h"

namespace flyte::cli {
namespace {

std::string When(int64_t nanos) {
  if (nanos <= 0) return "-";
  std::string s = FormatDatetime(nanos / 1'000'000'000 * 1'000'000'000);
  return s;
}

std::string Took(int64_t from, int64_t to) {
  if (from <= 0 || to <= 0 || to < from) return "-";
  int64_t ms = (to - from) / 1'000'000;
  if (ms < 1000) return std::to_string(ms) + "ms";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1fs", static_cast<double>(ms) / 1000.0);
  return buf;
}

void PrintTable(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> width;
  for (const auto& r : rows) {
    if (width.size() < r.size()) width.resize(r.size(), 0);
    for (size_t i = 0; i < r.size(); ++i) width[i] = std::max(width[i], r[i].size());
  }
  for (const auto& r : rows) {
    std::string line;
    for (size_t i = 0; i < r.size(); ++i) {
      line += r[i];
      if (i + 1 < r.size()) line += std::string(width[i] - r[i].size() + 2, ' ');
    }
    std::cout << line << "\n";
  }
}

Value ExecutionValue(const ExecutionRecord& r) {
  return Value::FromMap({
      {"execution", Value::FromMap({{"project", Value::Str(r.key.project)},
                                    {"domain", Value::Str(r.key.domain)},
                                    {"name", Value::Str(r.key.name)}})},
      {"workflow", Value::Str(r.workflow)},
      {"launch_plan", r.launch_plan.empty() ? Value() : Value::Str(r.launch_plan)},
      {"parent", r.parent.empty() ? Value() : Value::Str(r.parent)},
      {"version", Value::Str(r.version)},
      {"phase", Value::Str(std::string(PhaseName(r.phase)))},
      {"created_at", r.created_at ? Value::Datetime(r.created_at) : Value()},
      {"started_at", r.started_at ? Value::Datetime(r.started_at) : Value()},
      {"ended_at", r.ended_at ? Value::Datetime(r.ended_at) : Value()},
      {"duration_ms",
       Value::Int(r.ended_at > 0 && r.started_at > 0 ? (r.ended_at - r.started_at) / 1'000'000
                                                     : 0)},
      {"error",
       r.error_code.empty()
           ? Value()
           : Value::FromMap({{"code", Value::Str(r.error_code)},
                             {"message", Value::Str(r.error_message)},
                             {"node", r.error_node.empty() ? Value() : Value::Str(r.error_node)}})},
  });
}

// Stored canonical JSON back as a value, for nesting in -o json/yaml documents.
Value JsonValue(const std::string& json) {
  if (json.empty()) return Value();
  yaml::ParseResult parsed = yaml::ParseText(json, "store");
  if (!parsed.doc || parsed.doc->root() == nullptr) return Value::Str(json);
  LiteralResult lit = ValueFromNode(*parsed.doc->root(), Type::Any());
  return lit.ok() ? lit.value : Value::Str(json);
}

int Print(const Value& v, const std::string& format) {
  if (format == "json") {
    std::cout << v.ToCanonicalJson() << "\n";
  } else {
    std::cout << ToYaml(v);
  }
  return kExitOk;
}

// The nodes in tree order (each followed by its children, siblings in start order), with
// their depth. Nodes whose parent is missing are shown at the top level.
std::vector<std::pair<const NodeRecord*, int>> TreeOrder(const std::vector<NodeRecord>& nodes) {
  std::unordered_map<std::string_view, std::vector<const NodeRecord*>> children;
  std::unordered_set<std::string_view> ids;
  for (const NodeRecord& n : nodes) ids.insert(n.node_id);
  std::vector<const NodeRecord*> roots;
  for (const NodeRecord& n : nodes) {
    if (n.parent_id.empty() || ids.count(n.parent_id) == 0) {
      roots.push_back(&n);
    } else {
      children[n.parent_id].push_back(&n);
    }
  }
  std::vector<std::pair<const NodeRecord*, int>> out;
  out.reserve(nodes.size());
  std::vector<std::pair<const NodeRecord*, int>> stack;
  for (auto it = roots.rbegin(); it != roots.rend(); ++it) stack.emplace_back(*it, 0);
  while (!stack.empty()) {
    auto [n, depth] = stack.back();
    stack.pop_back();
    out.emplace_back(n, depth);
    auto c = children.find(n->node_id);
    if (c == children.end()) continue;
    for (auto it = c->second.rbegin(); it != c->second.rend(); ++it)
      stack.emplace_back(*it, depth + 1);
  }
  return out;
}

}  // namespace

namespace {

// `flyte get projects | tasks | workflows | launchplans [NAME]`: what is registered.
int GetCatalog(AdminAccess& access, const GetOptions& opts) {
  AdminService& admin = *access.admin();
  if (opts.what == "projects") {
    auto list = admin.ListProjects();
    if (!list.ok()) {
      std::fprintf(stderr, "flyte get: %s\n", list.status().message().c_str());
      return ExitFor(list.status());
    }
    if (opts.output != "table") {
      Value::List items;
      for (const ProjectRecord& p : *list) {
        items.push_back(Value::FromMap(
            {{"id", Value::Str(p.id)},
             {"name", Value::Str(p.name)},
             {"description", Value::Str(p.description)},
             {"created_at", p.created_at ? Value::Datetime(p.created_at) : Value()}}));
      }
      return Print(Value::FromList(std::move(items)), opts.output);
    }
    std::vector<std::vector<std::string>> rows = {{"ID", "NAME", "CREATED", "DESCRIPTION"}};
    for (const ProjectRecord& p : *list)
      rows.push_back({p.id, p.name, When(p.created_at), p.description});
    PrintTable(rows);
    return kExitOk;
  }
  const std::string kind = opts.what == "tasks"       ? "task"
                           : opts.what == "workflows" ? "workflow"
                                                      : "launch_plan";
  const std::string project = opts.project.empty() ? access.default_project() : opts.project;
  const std::string domain = opts.domain.empty() ? access.default_domain() : opts.domain;
  auto list = admin.ListEntities(kind, project, domain, opts.name, "");
  if (!list.ok()) {
    std::fprintf(stderr, "flyte get: %s\n", list.status().message().c_str());
    return ExitFor(list.status());
  }
  if (list->size() > static_cast<size_t>(std::max(1, opts.limit)))
    list->resize(static_cast<size_t>(std::max(1, opts.limit)));
  if (opts.output != "table") {
    Value::List items;
    for (const EntityRecord& e : *list) {
      Value::Map m = {{"kind", Value::Str(e.kind)},
                      {"project", Value::Str(project)},
                      {"domain", Value::Str(domain)},
                      {"name", Value::Str(e.name)},
                      {"version", Value::Str(e.version)},
                      {"digest", Value::Str(e.digest)},
                      {"created_at", e.created_at ? Value::Datetime(e.created_at) : Value()}};
      if (kind == "launch_plan") {
        m.emplace_back("state", Value::Str(e.state));
        m.emplace_back("schedule", e.schedule.empty() ? Value() : Value::Str(e.schedule));
        m.emplace_back("next_fire", e.next_fire > 0 ? Value::Datetime(e.next_fire) : Value());
      }
      items.push_back(Value::FromMap(std::move(m)));
    }
    return Print(Value::FromList(std::move(items)), opts.output);
  }
  if (list->empty()) {
    std::cerr << "no " << opts.what << (opts.name.empty() ? "" : " named " + Quote(opts.name))
              << " registered in " << project << "/" << domain << " at " << access.where() << "\n";
    return opts.name.empty() ? kExitOk : kExitUsage;
  }
  std::vector<std::vector<std::string>> rows = {{"NAME", "VERSION", "CREATED"}};
  if (kind == "launch_plan") rows[0].insert(rows[0].end(), {"STATE", "SCHEDULE", "NEXT FIRE"});
  for (const EntityRecord& e : *list) {
    rows.push_back({e.name, e.version, When(e.created_at)});
    if (kind == "launch_plan") {
      rows.back().insert(rows.back().end(),
                         {e.state, e.schedule.empty() ? "-" : e.schedule, When(e.next_fire)});
    }
  }
  PrintTable(rows);
  return kExitOk;
}

}  // namespace

int RunGet(const GetOptions& opts) {
  if (opts.what == "inputs" || opts.what == "outputs") return RunGetValues(opts);
  if (!opts.node.empty() || !opts.download.empty()) {
    std::fprintf(stderr, "flyte get: NODE and --download go with inputs and outputs only\n");
    return kExitUsage;
  }
  AdminAccess access(opts.home, opts.endpoint);
  if (access.no_home() && opts.name.empty() && opts.what != "execution") {
    // A list of nothing, said once on stderr; stdout stays a valid (empty) document.
    std::fprintf(stderr, "flyte get: %s\n", access.error().c_str());
    if (opts.output != "table") std::cout << "[]\n";
    return kExitOk;
  }
  if (access.admin() == nullptr) {
    std::fprintf(stderr, "flyte get: %s\n", access.error().c_str());
    return access.error_exit();
  }
  if (opts.what != "executions" && opts.what != "execution") return GetCatalog(access, opts);
  AdminService& admin = *access.admin();
  if (opts.what == "executions" && opts.name.empty()) {
    ExecutionFilter f;
    f.project = opts.project;
    f.domain = opts.domain;
    if (access.remote() != nullptr && f.project.empty()) f.project = access.default_project();
    if (access.remote() != nullptr && f.domain.empty()) f.domain = access.default_domain();
    f.workflow = opts.workflow;
    if (!opts.phase.empty()) f.phase = opts.phase;
    f.limit = static_cast<uint32_t>(std::max(1, opts.limit));
    auto list = admin.ListExecutions(f);
    if (!list.ok()) {
      std::fprintf(stderr, "flyte get: %s\n", list.status().message().c_str());
      return ExitFor(list.status());
    }
    if (opts.output != "table") {
      Value::List items;
      for (const ExecutionRecord& r : *list) items.push_back(ExecutionValue(r));
      return Print(Value::FromList(std::move(items)), opts.output);
    }
    std::vector<std::vector<std::string>> rows = {
        {"NAME", "WORKFLOW", "PHASE", "STARTED", "DURATION", "PROJECT/DOMAIN"}};
    for (const ExecutionRecord& r : *list) {
      rows.push_back({r.key.name, r.workflow, std::string(PhaseName(r.phase)),
                      When(r.started_at ? r.started_at : r.created_at),
                      Took(r.started_at, r.ended_at), r.key.project + "/" + r.key.domain});
    }
    if (list->empty()) {
      std::cerr << "no " << (opts.phase.empty() ? "" : opts.phase + " ") << "executions"
                << (f.project.empty() ? "" : " in " + f.project + "/" + f.domain)
                << (opts.phase.empty() ? " yet" : "") << " at " << access.where() << "\n";
      return kExitOk;
    }
    PrintTable(rows);
    return kExitOk;
  }
  // One execution.
  auto rec = FindExecution(access, opts.name, opts.project, opts.domain);
  if (!rec.ok()) {
    std::fprintf(stderr, "flyte get: %s\n", rec.status().message().c_str());
    return ExitFor(rec.status());
  }
  auto nodes = admin.ListNodes(rec->key);
  if (!nodes.ok()) {
    std::fprintf(stderr, "flyte get: %s\n", nodes.status().message().c_str());
    return kExitInternal;
  }
  // Where each node's last attempt ran (a Pod, a custom resource), and the cluster's reason
  // while it waits: one request for the whole execution.
  std::map<std::string, const AttemptRecord*> last;
  std::vector<AttemptRecord> attempts;
  if (opts.details) {
    auto all = admin.ListAttempts(rec->key, "");
    if (!all.ok()) {
      std::fprintf(stderr, "flyte get: %s\n", all.status().message().c_str());
      return ExitFor(all.status());
    }
    attempts = std::move(*all);
    for (const AttemptRecord& a : attempts) {
      const AttemptRecord*& l = last[a.node_id];
      if (l == nullptr || a.attempt >= l->attempt) l = &a;
    }
  }
  auto where_of = [&](const NodeRecord& n) -> const AttemptRecord* {
    auto it = last.find(n.node_id);
    return it == last.end() || it->second->where.empty() ? nullptr : it->second;
  };
  if (opts.output != "table") {
    Value v = ExecutionValue(*rec);
    Value::Map m = v.as_map();
    m.emplace_back("mode", Value::Str(std::string(ExecutionModeName(rec->mode))));
    m.emplace_back("labels", JsonValue(rec->labels_json.empty() ? "{}" : rec->labels_json));
    m.emplace_back("inputs", JsonValue(rec->inputs_json));
    m.emplace_back("outputs", JsonValue(rec->outputs_json));
    if (opts.details) {
      Value::List items;
      for (auto [node, depth] : TreeOrder(*nodes)) {
        const NodeRecord& n = *node;
        items.push_back(Value::FromMap({
            {"id", Value::Str(n.node_id)},
            {"parent", n.parent_id.empty() ? Value() : Value::Str(n.parent_id)},
            {"kind", Value::Str(spec::NodeKindName(n.kind))},
            {"target", Value::Str(n.target)},
            {"child_execution",
             n.child_execution.empty() ? Value() : Value::Str(n.child_execution)},
            {"phase", Value::Str(std::string(PhaseName(n.phase)))},
            {"cache_status", Value::Str(std::string(CacheStatusName(n.cache_status)))},
            {"attempts", Value::Int(n.attempts)},
            {"duration_ms",
             Value::Int(n.ended_at > 0 && n.started_at > 0 ? (n.ended_at - n.started_at) / 1'000'000
                                                           : 0)},
            {"where", where_of(n) ? Value::Str(where_of(n)->where) : Value()},
            {"reason", where_of(n) && !where_of(n)->reason.empty() ? Value::Str(where_of(n)->reason)
                                                                   : Value()},
            {"error", n.error_code.empty()
                          ? Value()
                          : Value::FromMap({{"code", Value::Str(n.error_code)},
                                            {"message", Value::Str(n.error_message)}})},
        }));
      }
      m.emplace_back("nodes", Value::FromList(std::move(items)));
    }
    return Print(Value::FromMap(std::move(m)), opts.output);
  }
  std::cout << "execution  " << rec->key.name << " (" << rec->key.project << "/" << rec->key.domain
            << ")\n"
            << "workflow   " << rec->workflow << (rec->version.empty() ? "" : " @ " + rec->version)
            << "\n"
            << (rec->parent.empty() ? "" : "parent     " + rec->parent + "\n") << "phase      "
            << PhaseName(rec->phase) << "\n"
            << (rec->mode == ExecutionMode::kManual
                    ? ""
                    : "mode       " + std::string(ExecutionModeName(rec->mode)) + "\n")
            << (rec->labels_json.empty() || rec->labels_json == "{}"
                    ? ""
                    : "labels     " + rec->labels_json + "\n")
            << "started    " << When(rec->started_at) << "\n"
            << "duration   " << Took(rec->started_at, rec->ended_at) << "\n"
            << "inputs     " << rec->inputs_json << "\n";
  if (!rec->outputs_json.empty()) std::cout << "outputs    " << rec->outputs_json << "\n";
  if (!rec->error_code.empty()) {
    std::cout << "error      " << rec->error_code << ": " << Printable(rec->error_message)
              << (rec->error_node.empty() ? "" : " (node " + rec->error_node + ")") << "\n";
  }
  if (!opts.details) return kExitOk;
  std::cout << "\n";
  // WHERE only when something ran off this machine; while a node waits, ERROR shows why.
  bool remote = false;
  for (const auto& [id, a] : last) remote = remote || !a->where.empty();
  std::vector<std::vector<std::string>> rows = {
      {"NODE", "KIND", "TARGET", "PHASE", "CACHE", "ATTEMPTS", "DURATION", "ERROR"}};
  if (remote) rows[0].insert(rows[0].end() - 1, "WHERE");
  for (auto [node, depth] : TreeOrder(*nodes)) {
    const NodeRecord& n = *node;
    const AttemptRecord* a = where_of(n);
    std::string why = n.error_message.empty() && a != nullptr ? a->reason : n.error_message;
    std::string err = Printable(why.size() > 60 ? why.substr(0, 57) + "..." : why);
    std::string target =
        n.child_execution.empty() ? n.target : n.target + " -> " + n.child_execution;
    rows.push_back({std::string(static_cast<size_t>(depth) * 2, ' ') + n.node_id,
                    spec::NodeKindName(n.kind), target, std::string(PhaseName(n.phase)),
                    std::string(CacheStatusName(n.cache_status)), std::to_string(n.attempts),
                    Took(n.started_at, n.ended_at), err});
    if (remote) rows.back().insert(rows.back().end() - 1, a != nullptr ? Printable(a->where) : "");
  }
  PrintTable(rows);
  return kExitOk;
}

int RunLogs(const LogsOptions& opts) {
  AdminAccess access(opts.home, opts.endpoint);
  if (access.admin() == nullptr) {
    std::fprintf(stderr, "flyte logs: %s\n", access.error().c_str());
    return access.error_exit();
  }
  AdminService& admin = *access.admin();
  auto rec = FindExecution(access, opts.execution, opts.project, opts.domain);
  if (!rec.ok()) {
    std::fprintf(stderr, "flyte logs: %s\n", rec.status().message().c_str());
    return ExitFor(rec.status());
  }
  auto all = admin.ListNodes(rec->key);
  if (!all.ok()) {
    std::fprintf(stderr, "flyte logs: %s\n", all.status().message().c_str());
    return ExitFor(all.status());
  }
  if (!opts.node.empty()) {
    std::vector<std::string> ids;
    for (const NodeRecord& n : *all) ids.push_back(n.node_id);
    if (std::find(ids.begin(), ids.end(), opts.node) == ids.end()) {
      // A running execution may still start it: then these are the nodes so far.
      const bool ended = IsTerminal(rec->phase);
      std::fprintf(stderr, "flyte logs: no node %s in %s%s; nodes %s: %s\n",
                   Quote(opts.node).c_str(), rec->key.name.c_str(),
                   DidYouMean(opts.node, ids).c_str(), ended ? "are" : "so far",
                   ids.empty() ? "(none)" : Join(ids, ", ").c_str());
      return kExitUsage;
    }
  }
  if (opts.follow) {
    if (access.remote() == nullptr || opts.node.empty()) {
      std::fprintf(stderr,
                   "flyte logs: -f follows one node of an execution on a server: flyte logs EXEC "
                   "NODE -f --endpoint URL\n");
      return kExitUsage;
    }
    std::optional<uint32_t> attempt;
    if (opts.attempt >= 0) attempt = static_cast<uint32_t>(opts.attempt);
    Status st =
        access.remote()->FollowLogs(rec->key, opts.node, attempt, [](std::string_view chunk) {
          std::cout.write(chunk.data(), static_cast<std::streamsize>(chunk.size()));
          std::cout.flush();
          return true;
        });
    if (!st.ok()) {
      std::fprintf(stderr, "flyte logs: %s\n", st.message().c_str());
      return ExitFor(st);
    }
    return kExitOk;
  }
  std::vector<std::string> nodes;
  if (!opts.node.empty()) {
    nodes.push_back(opts.node);
  } else {
    for (const NodeRecord& n : *all) {
      if (n.attempts > 0) nodes.push_back(n.node_id);
    }
  }
  std::optional<uint32_t> attempt;
  if (opts.attempt >= 0) attempt = static_cast<uint32_t>(opts.attempt);
  for (const std::string& node : nodes) {
    // Here, the log is read by ranges straight from where its runner left it; from a server, in
    // one answer.
    char last = '\n';
    const LogSink print = [&last](std::string_view bytes) {
      std::cout.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
      if (!bytes.empty()) last = bytes.back();
      return static_cast<bool>(std::cout);
    };
    Status st = Status::Ok();
    if (access.local() != nullptr) {
      Result<AttemptRecord> pick = PickLogAttempt(admin, rec->key, node, attempt);
      if (pick.ok() && opts.node.empty()) std::cout << "==> " << node << " <==\n";
      st = pick.ok() ? CopyLogs(access.local()->logs(), LogsOf(*pick), print) : pick.status();
    } else {
      auto text = admin.ReadLogs(rec->key, node, attempt);
      if (text.ok() && opts.node.empty()) std::cout << "==> " << node << " <==\n";
      st = text.ok() ? (print(*text), Status::Ok()) : text.status();
    }
    if (!st.ok()) {
      std::fprintf(stderr, "flyte logs: %s\n", st.message().c_str());
      return kExitUsage;
    }
    if (last != '\n') std::cout << "\n";
  }
  return kExitOk;
}

int RunCache(const CacheOptions& opts) {
  AdminAccess access(opts.home, opts.endpoint);
  if (access.no_home()) {
    std::fprintf(stderr, "flyte cache: %s\n", access.error().c_str());
    if (opts.output != "table" && opts.action == "list") std::cout << "[]\n";
    return kExitOk;
  }
  if (access.admin() == nullptr) {
    std::fprintf(stderr, "flyte cache: %s\n", access.error().c_str());
    return access.error_exit();
  }
  AdminService& admin = *access.admin();
  if (opts.action == "clear") {
    auto n = admin.ClearCache(opts.task);
    if (!n.ok()) {
      std::fprintf(stderr, "flyte cache: %s\n", n.status().message().c_str());
      return kExitInternal;
    }
    std::cout << "removed " << *n << " cache entr" << (*n == 1 ? "y" : "ies")
              << (opts.task.empty() ? "" : " of task " + opts.task) << "\n";
    return kExitOk;
  }
  auto list = admin.ListCache(opts.task);
  if (!list.ok()) {
    std::fprintf(stderr, "flyte cache: %s\n", list.status().message().c_str());
    return kExitInternal;
  }
  if (opts.output != "table") {
    Value::List items;
    for (const CacheRecord& c : *list) {
      items.push_back(
          Value::FromMap({{"key", Value::Str(c.key)},
                          {"task", Value::Str(c.task)},
                          {"project", Value::Str(c.project)},
                          {"domain", Value::Str(c.domain)},
                          {"created_at", Value::Datetime(c.created_at)},
                          {"expires_at", c.expires_at ? Value::Datetime(*c.expires_at) : Value()},
                          {"producer", Value::Str(c.producer)},
                          {"outputs", Value::Str(c.outputs_json)}}));
    }
    return Print(Value::FromList(std::move(items)), opts.output);
  }
  std::vector<std::vector<std::string>> rows = {
      {"TASK", "KEY", "CREATED", "EXPIRES", "PRODUCED BY"}};
  for (const CacheRecord& c : *list) {
    rows.push_back({c.task, c.key.substr(0, 12), When(c.created_at),
                    c.expires_at ? When(*c.expires_at) : "never", c.producer});
  }
  if (list->empty()) {
    std::cerr << "the cache is empty" << (opts.task.empty() ? "" : " for task " + opts.task)
              << "\n";
    return kExitOk;
  }
  PrintTable(rows);
  return kExitOk;
}

}  // namespace flyte::cli
