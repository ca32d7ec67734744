// Executions, their nodes and attempts: the rows the recorder writes each loop turn, and the
// reads and filtered lists over them.
#include "flyte/store.h"
#include "store/sqlite.h"
#include "util/strings.h"

namespace flyte {
namespace {

std::string ValuesJson(const std::vector<Variable>& vars, const std::vector<Value>& values) {
  Value::Map m;
  for (size_t i = 0; i < vars.size() && i < values.size(); ++i)
    m.emplace_back(vars[i].name, values[i]);
  return Value::FromMap(std::move(m)).ToCanonicalJson();
}

// "phase is not terminal" for one kind, from IsTerminal ("terminal" is defined once, in
// flyte/phase.h), as comparisons: phase <> 'SUCCEEDED' AND phase <> 'FAILED' AND ... A
// NOT IN list of more than two values makes SQLite build a temporary b-tree each time the
// statement runs, and the partial index executions_unfinished has this condition: every
// write of an execution row evaluated it twice (old and new row), a page cache allocated and
// freed each time (docs/benchmarks.md, run 14).
template <typename P>
std::string NotTerminalSql(size_t count) {
  std::string out;
  for (size_t i = 0; i < count; ++i) {
    const P p = static_cast<P>(i);
    if (!IsTerminal(p)) continue;
    out += (out.empty() ? "phase <> '" : " AND phase <> '") + std::string(PhaseName(p)) + "'";
  }
  return out;
}

constexpr const char* kExecutionColumns =
    "project, domain, name, workflow, launch_plan, version, source, phase, mode, created_at, "
    "started_at, ended_at, inputs, outputs, error_code, error_message, error_node, run_dir, "
    "parent, owner, labels, "
    "options, signals";

ExecutionRecord ReadExecution(const sql::Stmt& s) {
  ExecutionRecord r;
  r.key = {s.Text(0), s.Text(1), s.Text(2)};
  r.workflow = s.Text(3);
  r.launch_plan = s.Text(4);
  r.version = s.Text(5);
  r.source = s.Text(6);
  r.phase = ParseExecutionPhase(s.Text(7)).value_or(ExecutionPhase::kQueued);
  r.mode = ParseExecutionMode(s.Text(8)).value_or(ExecutionMode::kManual);
  r.created_at = s.Int(9);
  r.started_at = s.Int(10);
  r.ended_at = s.Int(11);
  r.inputs_json = s.Text(12);
  r.outputs_json = s.Text(13);
  r.error_code = s.Text(14);
  r.error_message = s.Text(15);
  r.error_node = s.Text(16);
  r.run_dir = s.Text(17);
  r.parent = s.Text(18);
  r.owner = s.Text(19);
  r.labels_json = s.Text(20);
  r.options_json = s.Text(21);
  r.signals_json = s.Text(22);
  return r;
}

struct ListColumn {
  const char* name;
  bool time;
};
constexpr ListColumn kExecutionListColumns[] = {
    {"name", false},      {"workflow", false},  {"launch_plan", false}, {"phase", false},
    {"mode", false},      {"version", false},   {"parent", false},      {"error_code", false},
    {"created_at", true}, {"started_at", true}, {"ended_at", true},     {"project", false},
    {"domain", false},
};

const ListColumn* FindListColumn(const std::string& field) {
  for (const ListColumn& c : kExecutionListColumns) {
    if (field == c.name) return &c;
  }
  return nullptr;
}

std::string ListColumnNames() {
  std::vector<std::string> names;
  for (const ListColumn& c : kExecutionListColumns) names.emplace_back(c.name);
  return Join(names, ", ") + ", labels.KEY";
}

}  // namespace

Status Store::CreateExecution(const ExecutionRecord& r) {
  ASSIGN_OR_RETURN(std::string inputs, Keep(r.inputs_json));
  ASSIGN_OR_RETURN(
      sql::Stmt * s,
      db_->Prepare("INSERT INTO executions(project, domain, name, workflow, launch_plan, version, "
                   "source, phase, "
                   "mode, created_at, inputs, run_dir, owner, labels, options, signals) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  s->Bind(1, r.key.project)
      .Bind(2, r.key.domain)
      .Bind(3, r.key.name)
      .Bind(4, r.workflow)
      .Bind(5, r.launch_plan)
      .Bind(6, r.version)
      .Bind(7, r.source)
      .Bind(8, PhaseName(r.phase))
      .Bind(9, ExecutionModeName(r.mode))
      .Bind(10, r.created_at)
      .Bind(11, inputs)
      .Bind(12, r.run_dir)
      .Bind(13, owner_)
      .Bind(14, r.labels_json.empty() ? "{}" : r.labels_json)
      .Bind(15, r.options_json)
      .Bind(16, r.signals_json.empty() ? "{}" : r.signals_json);
  Status st = s->Run();
  if (st.code() == StatusCode::kAlreadyExists) {
    return AlreadyExists("execution " + r.key.name + " already exists in " + r.key.project + "/" +
                         r.key.domain);
  }
  return st;
}

Result<std::optional<ExecutionRecord>> Store::GetExecution(const ExecutionKey& key) {
  ASSIGN_OR_RETURN(sql::Stmt * s,
                   db_->Prepare(std::string("SELECT ") + kExecutionColumns +
                                " FROM executions WHERE project = ? AND domain = ? AND name = ?"));
  s->Bind(1, key.project).Bind(2, key.domain).Bind(3, key.name);
  ASSIGN_OR_RETURN(bool row, s->Step());
  std::optional<ExecutionRecord> out;
  if (row) out = Loaded(ReadExecution(*s));
  s->Reset();
  return out;
}

Result<std::vector<ExecutionRecord>> Store::ListExecutions(const ExecutionFilter& f) {
  std::string sql =
      std::string("SELECT ") + kExecutionColumns +
      " FROM executions WHERE (?1 = '' OR project = ?1) AND (?2 = '' OR domain = ?2) AND "
      "(?3 = '' OR workflow = ?3) AND (?4 = '' OR phase = ?4) AND (?5 = '' OR name = ?5)";
  // Values bound after the five above, in order; times as integers.
  std::vector<std::pair<std::string, bool>> params;
  for (const FieldCondition& c : f.conditions) {
    const ListColumn* col = FindListColumn(c.field);
    // labels.KEY: the value of one label.
    static constexpr ListColumn kLabel{"labels", false};
    std::string label_path;
    if (StartsWith(c.field, "labels.") && c.field.size() > 7) {
      const std::string key = c.field.substr(7);
      for (char ch : key) {
        if (!(std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '-' || ch == '.' ||
              ch == '/')) {
          return InvalidArgument("label " + Quote(key) +
                                 " in a filter may hold letters, digits and _-./ only");
        }
      }
      col = &kLabel;
      label_path = "$.\"" + key + "\"";
    }
    if (col == nullptr) {
      return InvalidArgument("cannot filter executions on " + Quote(c.field) +
                             DidYouMean(c.field,
                                        [] {
                                          std::vector<std::string> v;
                                          for (const ListColumn& l : kExecutionListColumns)
                                            v.emplace_back(l.name);
                                          return v;
                                        }()) +
                             "; the fields are: " + ListColumnNames());
    }
    if (c.values.empty()) return InvalidArgument("filter on " + Quote(c.field) + " has no value");
    if (c.field == "phase") {
      // A misspelt phase would match nothing and look like "no executions".
      for (const std::string& v : c.values) {
        if (!ParseExecutionPhase(v)) {
          std::vector<std::string> names;
          for (size_t p = 0; p < kExecutionPhaseCount; ++p)
            names.emplace_back(PhaseName(static_cast<ExecutionPhase>(p)));
          return InvalidArgument("no execution phase " + Quote(v) + DidYouMean(v, names) +
                                 "; the phases are: " + Join(names, ", "));
        }
      }
    }
    auto next = [&](const std::string& v) {
      params.emplace_back(v, col->time);
      return "?" + std::to_string(5 + params.size());
    };
    const std::string column = label_path.empty()
                                   ? std::string(col->name)
                                   : "json_extract(labels, " + next(label_path) + ")";
    using Op = FieldCondition::Op;
    switch (c.op) {
      case Op::kEq:
        sql += " AND " + column + " = " + next(c.values[0]);
        break;
      case Op::kNe:
        sql += " AND " + column + " != " + next(c.values[0]);
        break;
      case Op::kGt:
        sql += " AND " + column + " > " + next(c.values[0]);
        break;
      case Op::kGte:
        sql += " AND " + column + " >= " + next(c.values[0]);
        break;
      case Op::kLt:
        sql += " AND " + column + " < " + next(c.values[0]);
        break;
      case Op::kLte:
        sql += " AND " + column + " <= " + next(c.values[0]);
        break;
      case Op::kContains:
        if (col->time)
          return InvalidArgument("contains() does not apply to the time field " + Quote(c.field));
        sql += " AND instr(" + column + ", " + next(c.values[0]) + ") > 0";
        break;
      case Op::kValueIn: {
        std::vector<std::string> marks;
        for (const std::string& v : c.values) marks.push_back(next(v));
        sql += " AND " + column + " IN (" + Join(marks, ", ") + ")";
        break;
      }
    }
  }
  const ListColumn* sort = FindListColumn(f.sort_key);
  if (sort == nullptr) {
    return InvalidArgument("cannot sort executions by " + Quote(f.sort_key) +
                           "; the fields are: " + ListColumnNames());
  }
  const char* dir = f.ascending ? " ASC" : " DESC";
  sql += std::string(" ORDER BY ") + sort->name + dir + ", name" + dir + " LIMIT " +
         std::to_string(f.limit) + " OFFSET " + std::to_string(f.offset);
  // Not the statement cache: every filter shape, limit and page offset is a new SQL text.
  ASSIGN_OR_RETURN(std::unique_ptr<sql::Stmt> s, db_->PrepareOnce(sql));
  s->Bind(1, f.project)
      .Bind(2, f.domain)
      .Bind(3, f.workflow)
      .Bind(4, f.phase.value_or(""))
      .Bind(5, f.name);
  for (size_t i = 0; i < params.size(); ++i) {
    const int at = static_cast<int>(6 + i);
    if (params[i].second) {
      int64_t v = 0;
      if (!ParseInt64(params[i].first, &v)) {
        return InvalidArgument("expected a time for a time field, got " + Quote(params[i].first));
      }
      s->Bind(at, v);
    } else {
      s->Bind(at, params[i].first);
    }
  }
  std::vector<ExecutionRecord> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, s->Step());
    if (!row) break;
    out.push_back(Loaded(ReadExecution(*s)));
  }
  s->Reset();
  return out;
}

Result<std::vector<ExecutionRecord>> Store::ListUnfinished() {
  static const std::string sql =
      std::string("SELECT ") + kExecutionColumns + " FROM executions WHERE " +
      NotTerminalSql<ExecutionPhase>(kExecutionPhaseCount) + " ORDER BY created_at";
  ASSIGN_OR_RETURN(sql::Stmt * s, db_->Prepare(sql));
  std::vector<ExecutionRecord> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, s->Step());
    if (!row) break;
    out.push_back(Loaded(ReadExecution(*s)));
  }
  s->Reset();
  return out;
}

Status Store::ClaimExecution(const ExecutionKey& key) {
  ASSIGN_OR_RETURN(
      sql::Stmt * s,
      db_->Prepare(
          "UPDATE executions SET owner = ? WHERE project = ? AND domain = ? AND name = ?"));
  return s->Bind(1, owner_).Bind(2, key.project).Bind(3, key.domain).Bind(4, key.name).Run();
}

Status Store::SetExecutionSignals(const ExecutionKey& key, const std::string& signals_json) {
  ASSIGN_OR_RETURN(
      sql::Stmt * s,
      db_->Prepare(
          "UPDATE executions SET signals = ? WHERE project = ? AND domain = ? AND name = ?"));
  return s->Bind(1, signals_json).Bind(2, key.project).Bind(3, key.domain).Bind(4, key.name).Run();
}

Status Store::EndOrphan(const ExecutionKey& key, ExecutionPhase phase, ExecErrorCode code,
                        const std::string& message, int64_t at) {
  ASSIGN_OR_RETURN(sql::Stmt * e, db_->Prepare("UPDATE executions SET phase = ?, error_code = ?, "
                                               "error_message = ?, ended_at = ?, owner = ? "
                                               "WHERE project = ? AND domain = ? AND name = ?"));
  RETURN_IF_ERROR(e->Bind(1, PhaseName(phase))
                      .Bind(2, ExecErrorCodeName(code))
                      .Bind(3, message)
                      .Bind(4, at)
                      .Bind(5, owner_)
                      .Bind(6, key.project)
                      .Bind(7, key.domain)
                      .Bind(8, key.name)
                      .Run());
  static const std::string nodes_sql =
      "UPDATE node_executions SET phase = ?5, ended_at = ?1 WHERE project = ?2 AND domain = ?3 AND "
      "execution = ?4 AND " +
      NotTerminalSql<NodePhase>(kNodePhaseCount);
  ASSIGN_OR_RETURN(sql::Stmt * n, db_->Prepare(nodes_sql));
  RETURN_IF_ERROR(n->Bind(1, at)
                      .Bind(2, key.project)
                      .Bind(3, key.domain)
                      .Bind(4, key.name)
                      .Bind(5, PhaseName(NodePhase::kAborted))
                      .Run());
  static const std::string attempts_sql =
      "UPDATE task_executions SET phase = ?6, ended_at = ?1, reason = ?2 WHERE project = ?3 AND "
      "domain = ?4 AND execution = ?5 AND " +
      NotTerminalSql<TaskPhase>(kTaskPhaseCount);
  ASSIGN_OR_RETURN(sql::Stmt * t, db_->Prepare(attempts_sql));
  return t->Bind(1, at)
      .Bind(2, message)
      .Bind(3, key.project)
      .Bind(4, key.domain)
      .Bind(5, key.name)
      .Bind(6, PhaseName(TaskPhase::kAborted))
      .Run();
}

Result<std::vector<NodeRecord>> Store::ListNodes(const ExecutionKey& key) {
  ASSIGN_OR_RETURN(
      sql::Stmt * s,
      db_->Prepare("SELECT node_id, parent_id, kind, target, phase, cache_status, attempts, "
                   "queued_at, started_at, "
                   "ended_at, error_code, error_message, tail, outputs, child_execution, inputs "
                   "FROM node_executions WHERE project = ? AND "
                   "domain = ? AND execution = ? ORDER BY seq"));
  s->Bind(1, key.project).Bind(2, key.domain).Bind(3, key.name);
  std::vector<NodeRecord> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, s->Step());
    if (!row) break;
    NodeRecord n;
    n.node_id = s->Text(0);
    n.parent_id = s->Text(1);
    n.kind = spec::ParseNodeKind(s->Text(2)).value_or(spec::NodeKind::kTask);
    n.target = s->Text(3);
    n.phase = ParseNodePhase(s->Text(4)).value_or(NodePhase::kQueued);
    n.cache_status = ParseCacheStatus(s->Text(5)).value_or(CacheStatus::kDisabled);
    n.attempts = static_cast<uint32_t>(s->Int(6));
    n.queued_at = s->Int(7);
    n.started_at = s->Int(8);
    n.ended_at = s->Int(9);
    n.error_code = s->Text(10);
    n.error_message = s->Text(11);
    n.tail = s->Text(12);
    n.outputs_json = Load(s->Text(13));
    n.child_execution = s->Text(14);
    n.inputs_json = Load(s->Text(15));
    out.push_back(std::move(n));
  }
  s->Reset();
  return out;
}

Result<std::vector<AttemptRecord>> Store::ListAttempts(const ExecutionKey& key,
                                                       const std::string& node) {
  ASSIGN_OR_RETURN(sql::Stmt * s,
                   db_->Prepare("SELECT node_id, attempt, phase, started_at, ended_at, exit_code, "
                                "reason, stdout_path, stderr_path, runner "
                                "FROM task_executions WHERE project = ? AND domain = ? AND "
                                "execution = ? AND (?4 = '' OR node_id = ?4) "
                                "ORDER BY node_id, attempt"));
  s->Bind(1, key.project).Bind(2, key.domain).Bind(3, key.name).Bind(4, node);
  std::vector<AttemptRecord> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, s->Step());
    if (!row) break;
    out.push_back({s->Text(0), static_cast<uint32_t>(s->Int(1)),
                   ParseTaskPhase(s->Text(2)).value_or(TaskPhase::kRunning), s->Int(3), s->Int(4),
                   static_cast<int>(s->Int(5)), s->Text(6), s->Text(7), s->Text(8), s->Text(9)});
  }
  s->Reset();
  return out;
}

Result<std::optional<int64_t>> Store::LastDuration(const std::string& project,
                                                   const std::string& domain,
                                                   const std::string& workflow) {
  ASSIGN_OR_RETURN(sql::Stmt * s, db_->Prepare("SELECT ended_at - started_at FROM executions WHERE "
                                               "project = ? AND domain = ? AND workflow = ? "
                                               "AND phase = ? ORDER BY created_at DESC LIMIT 1"));
  s->Bind(1, project)
      .Bind(2, domain)
      .Bind(3, workflow)
      .Bind(4, PhaseName(ExecutionPhase::kSucceeded));
  ASSIGN_OR_RETURN(bool row, s->Step());
  std::optional<int64_t> out;
  if (row) out = s->Int(0);
  s->Reset();
  return out;
}

Status Store::UpsertExecutionState(const ExecutionState& e) {
  // Executions the admin created have their row already; child executions of launch-plan
  // nodes are created by the engine and get theirs here.
  ASSIGN_OR_RETURN(
      sql::Stmt * s,
      db_->Prepare("INSERT INTO executions(project, domain, name, workflow, launch_plan, phase, "
                   "mode, created_at, "
                   "started_at, ended_at, inputs, outputs, error_code, error_message, error_node, "
                   "run_dir, parent, owner) "
                   "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, "
                   "?17, ?18) "
                   "ON CONFLICT(project, domain, name) DO UPDATE SET phase = excluded.phase, "
                   "started_at = excluded.started_at, ended_at = excluded.ended_at, outputs = "
                   "excluded.outputs, "
                   "error_code = excluded.error_code, error_message = excluded.error_message, "
                   "error_node = excluded.error_node"));
  const ExecError* err = e.error ? &*e.error : nullptr;
  ASSIGN_OR_RETURN(std::string outputs,
                   Keep(IsTerminal(e.phase) && e.phase == ExecutionPhase::kSucceeded
                            ? ValuesJson(e.wf().iface.outputs, e.outputs)
                            : ""));
  ASSIGN_OR_RETURN(std::string inputs, Keep(ValuesJson(e.wf().iface.inputs, e.inputs)));
  return s->Bind(1, e.key.project)
      .Bind(2, e.key.domain)
      .Bind(3, e.key.name)
      .Bind(4, e.wf().name)
      .Bind(5, e.launch_plan)
      .Bind(6, PhaseName(e.phase))
      .Bind(7, ExecutionModeName(e.parent.empty() ? ExecutionMode::kManual
                                                  : ExecutionMode::kChildWorkflow))
      .Bind(8, e.created_at)
      .Bind(9, e.started_at)
      .Bind(10, e.ended_at)
      .Bind(11, inputs)
      .Bind(12, outputs)
      .Bind(13, err ? err->code.text() : "")
      .Bind(14, err ? err->message : "")
      .Bind(15, err ? err->node : "")
      .Bind(16, e.options.run_dir)
      .Bind(17, e.parent)
      .Bind(18, owner_)
      .Run();
}

Status Store::UpsertNode(const ExecutionState& e, const NodeState& n) {
  ASSIGN_OR_RETURN(
      sql::Stmt * s,
      db_->Prepare(
          "INSERT INTO node_executions(project, domain, execution, node_id, parent_id, kind, "
          "target, phase, "
          "cache_status, attempts, queued_at, started_at, ended_at, error_code, error_message, "
          "tail, outputs, seq, "
          "child_execution, inputs) "
          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, "
          "?18, ?19, ?20) "
          "ON CONFLICT(project, domain, execution, node_id) DO UPDATE SET phase = excluded.phase, "
          "cache_status = excluded.cache_status, attempts = excluded.attempts, queued_at = "
          "excluded.queued_at, "
          "started_at = excluded.started_at, ended_at = excluded.ended_at, error_code = "
          "excluded.error_code, "
          "error_message = excluded.error_message, tail = excluded.tail, outputs = "
          "excluded.outputs, "
          "child_execution = excluded.child_execution, "
          "inputs = CASE WHEN excluded.inputs = '' THEN node_executions.inputs ELSE "
          "excluded.inputs END"));
  const CompiledBody& b = *n.body;
  std::string target;
  switch (b.kind) {
    case spec::NodeKind::kTask:
    case spec::NodeKind::kMap:
      if (b.target != kNoIndex) target = e.file->tasks[b.target].name;
      break;
    case spec::NodeKind::kWorkflow:
      if (b.target != kNoIndex) target = e.file->workflows[b.target].name;
      break;
    case spec::NodeKind::kLaunchPlan:
      if (b.target != kNoIndex) target = e.file->launch_plans[b.target].name;
      break;
    case spec::NodeKind::kSignal:
      target = b.signal_name;
      break;
    default:
      break;
  }
  ASSIGN_OR_RETURN(std::string outputs,
                   Keep(Succeeded(n.phase) ? ValuesJson(b.iface.outputs, n.outputs) : ""));
  // Inputs are evaluated when a node starts; written once it runs or ends, not while queued.
  std::string inputs;
  if (n.phase != NodePhase::kQueued && !n.inputs.empty()) {
    ASSIGN_OR_RETURN(inputs, Keep(ValuesJson(b.iface.inputs, n.inputs)));
  }
  const ExecError* err = n.error ? &*n.error : nullptr;
  return s->Bind(1, e.key.project)
      .Bind(2, e.key.domain)
      .Bind(3, e.key.name)
      .Bind(4, n.id)
      .Bind(5, n.parent)
      .Bind(6, spec::NodeKindName(b.kind))
      .Bind(7, target)
      .Bind(8, PhaseName(n.phase))
      .Bind(9, CacheStatusName(n.cache))
      .Bind(10, static_cast<int64_t>(n.attempts.size()))
      .Bind(11, n.queued_at)
      .Bind(12, n.started_at)
      .Bind(13, n.ended_at)
      .Bind(14, err ? err->code.text() : "")
      .Bind(15, err ? err->message : "")
      .Bind(16, n.tail)
      .Bind(17, outputs)
      .Bind(18, static_cast<int64_t>(n.seq))
      .Bind(19, n.child_execution)
      .Bind(20, inputs)
      .Run();
}

Status Store::UpsertAttempt(const ExecutionState& e, const NodeState& n, const AttemptState& a) {
  ASSIGN_OR_RETURN(
      sql::Stmt * s,
      db_->Prepare("INSERT OR REPLACE INTO task_executions(project, domain, execution, node_id, "
                   "attempt, phase, "
                   "started_at, ended_at, exit_code, reason, stdout_path, stderr_path, runner) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  return s->Bind(1, e.key.project)
      .Bind(2, e.key.domain)
      .Bind(3, e.key.name)
      .Bind(4, n.id)
      .Bind(5, static_cast<int64_t>(a.index))
      .Bind(6, PhaseName(a.phase))
      .Bind(7, a.started_at)
      .Bind(8, a.ended_at)
      .Bind(9, static_cast<int64_t>(a.exit_code))
      .Bind(10, a.reason)
      .Bind(11, a.stdout_path)
      .Bind(12, a.stderr_path)
      .Bind(13, a.where)
      .Run();
}

Status Store::AppendEvent(const ExecutionKey& key, const std::string& node, int attempt,
                          const std::string& phase, int64_t at) {
  ASSIGN_OR_RETURN(sql::Stmt * s,
                   db_->Prepare("INSERT INTO events(project, domain, execution, node_id, attempt, "
                                "phase, at) VALUES (?, ?, ?, ?, ?, ?, ?)"));
  return s->Bind(1, key.project)
      .Bind(2, key.domain)
      .Bind(3, key.name)
      .Bind(4, node)
      .Bind(5, static_cast<int64_t>(attempt))
      .Bind(6, phase)
      .Bind(7, at)
      .Run();
}
}  // namespace flyte
