#include "admin/local_admin.h"

#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "admin/launch.h"
#include "admin/log_reads.h"
#include "admin/stored_request.h"
#include "runner/supervisor_file.h"
#include "storage/uri.h"
#include "store/state_rows.h"
#include "types/literal.h"
#include "util/proc.h"
#include "util/sha256.h"
#include "util/strings.h"
#include "util/timefmt.h"
#include "util/yaml.h"

namespace flyte {
namespace {

namespace fs = std::filesystem;

std::string GenerateName() {
  static const char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::random_device rd;
  std::mt19937_64 gen((static_cast<uint64_t>(rd()) << 32) ^ rd() ^
                      static_cast<uint64_t>(::getpid()));
  std::string name = "a";  // Flyte's shape: a letter, then 19 lowercase alphanumerics
  for (int i = 0; i < 19; ++i) name += kAlphabet[gen() % 36];
  return name;
}

// The labels stored with an execution, to carry over to its relaunch or recovery.
std::vector<std::pair<std::string, std::string>> LabelsOf(const ExecutionRecord& r) {
  std::vector<std::pair<std::string, std::string>> out;
  yaml::ParseResult parsed =
      yaml::ParseText(r.labels_json.empty() ? "{}" : r.labels_json, "labels");
  if (!parsed.doc || parsed.doc->root() == nullptr || !parsed.doc->root()->is_map()) return out;
  for (const auto& [k, v] : parsed.doc->root()->entries) out.emplace_back(k->text, v->text);
  return out;
}

// "serve:PID:START" → "PID:START" (util/proc.h).
std::string IdentityOf(const std::string& owner) {
  size_t colon = owner.find(':');
  return colon == std::string::npos ? owner : owner.substr(colon + 1);
}

// File and folder inputs given by path are copied into the blob area, so the run (and the
// cache) sees content that cannot change under it.
Result<Value> IngestFiles(const Value& v, BlobStore& blobs) {
  switch (v.kind()) {
    case Value::Kind::kFile:
    case Value::Kind::kDir: {
      std::string path = v.as_str();
      const bool dir = v.kind() == Value::Kind::kDir;
      if (StartsWith(path, "s3://")) {
        // Fetched where a task needs it (runner/value_transfer.h); a folder is a key prefix.
        if (Result<storage::S3Uri> uri = storage::ParseS3Uri(path); !uri.ok()) return uri.status();
        if (dir && path.back() != '/') return Value::Dir(path + "/");
        return v;
      }
      if (StartsWith(path, "file://")) path = path.substr(7);
      std::error_code ec;
      path = fs::absolute(path, ec).string();
      if (StartsWith(path, blobs.root() + "/")) return v;
      Result<std::string> placed = blobs.Ingest(path, dir);
      if (!placed.ok()) return placed.status();
      return dir ? Value::Dir(*placed) : Value::File(*placed);
    }
    case Value::Kind::kList: {
      Value::List items;
      for (const Value& i : v.as_list()) {
        ASSIGN_OR_RETURN(Value x, IngestFiles(i, blobs));
        items.push_back(std::move(x));
      }
      return Value::FromList(std::move(items));
    }
    case Value::Kind::kMap: {
      Value::Map entries;
      for (const auto& [k, i] : v.as_map()) {
        ASSIGN_OR_RETURN(Value x, IngestFiles(i, blobs));
        entries.emplace_back(k, std::move(x));
      }
      return Value::FromMap(std::move(entries));
    }
    default:
      return v;
  }
}

}  // namespace

std::string DefaultHome() {
  if (const char* h = std::getenv("FLYTE_HOME"); h != nullptr && *h != '\0') return h;
  const char* home = std::getenv("HOME");
  return std::string(home != nullptr && *home != '\0' ? home : ".") + "/.flyte";
}

std::string LocalAdmin::AbsoluteHome(const std::string& home) {
  std::error_code ec;
  fs::path absolute = fs::absolute(home, ec);
  return ec ? home : absolute.lexically_normal().string();
}

LocalAdmin::LocalAdmin(Parts parts, Options options)
    : options_(std::move(options)),
      store_(std::move(parts.store)),
      blobs_(std::move(parts.blobs)),
      data_stores_(std::move(parts.data_stores)),
      clock_(std::move(parts.clock)),
      runner_(std::move(parts.local)),
      kill_tasks_now_(std::move(parts.kill_tasks_now)),
      loop_(std::move(parts.loop)),
      supervisor_warning_(std::move(parts.supervisor_warning)) {}

std::unique_ptr<LocalAdmin> LocalAdmin::Assemble(Parts parts, Options options) {
  std::unique_ptr<LocalAdmin> admin(new LocalAdmin(std::move(parts), std::move(options)));
  LocalAdmin& a = *admin;
  // Every kind runs as a local process until a cluster runner is routed in.
  a.routing_ = std::make_unique<RoutingRunner>(*a.runner_);
  a.engine_ = std::make_unique<Engine>(*a.routing_, *a.clock_, a.store_.get());
  if (a.options_.wrap_writes) a.writer_ = a.options_.wrap_writes(*a.store_);
  a.recorder_ = std::make_unique<Recorder>(a.writer_ ? *a.writer_ : *a.store_);
  a.engine_->AddObserver(a.recorder_.get());
  // After every loop turn, its changes are committed in one transaction. While the store
  // refuses writes, only the retry timer tries again: every turn of a busy server would
  // otherwise pay for a transaction that fails.
  // The window of the group commit opens with the admin: a run as short as examples/hello.yaml
  // then commits its task's states once, with the final ones, not twice.
  a.committed_ms_ = a.loop_->NowMillis();
  a.loop_->OnTurn([&a] { a.AfterTurn(); });
  return admin;
}

void LocalAdmin::AfterTurn() {
  if (!store_error_.ok()) return;
  const uint64_t every = options_.commit_every_ms;
  if (every == 0) {
    (void)FlushNow();
    return;
  }
  const uint64_t now = loop_->NowMillis();
  // Nothing to commit (what the view waits to print, a task's output lines, goes out now), or
  // the last commit is old enough.
  if (!recorder_->dirty() || now - committed_ms_ >= every) {
    (void)FlushNow();
    return;
  }
  // Committed a moment ago: this turn's changes join the next commit, at most `every` ms on.
  loop_->Later(committed_ms_ + every - now, [this] {
    if (store_error_.ok()) (void)FlushNow();
  });
}

LocalAdmin::~LocalAdmin() {
  (void)FlushNow();
  loop_->OnTurn(nullptr);
  loop_->OnInterrupt(nullptr);
  loop_->CancelRetry();
  loop_->CancelLater();
  engine_.reset();
  routing_.reset();
  runner_.reset();
  clock_.reset();
  // Let the closes of the parts above complete while everything they point to is still alive.
  loop_->RunReady();
}

Status LocalAdmin::FlushNow() {
  if (!recorder_) return Status::Ok();
  const bool executions_changed = recorder_->pending();
  const bool wrote = recorder_->dirty();
  Status st = recorder_->Flush();
  if (wrote && options_.commit_every_ms != 0) committed_ms_ = loop_->NowMillis();
  if (!st.ok()) {
    // The recorder keeps the batch: nothing is lost while the store refuses, only late.
    const bool was_healthy = store_error_.ok();
    store_error_ = st.WithContext("cannot write to the database " + store_->path());
    if (was_healthy && on_store_health_) on_store_health_(store_error_);
    ScheduleRetry();
    return store_error_;
  }
  if (!store_error_.ok()) {
    store_error_ = Status::Ok();
    retry_ms_ = 0;
    loop_->CancelRetry();
    if (on_store_health_) on_store_health_(store_error_);
  }
  if (on_flushed_) on_flushed_();
  if (executions_changed && !options_.keep_finished) engine_->ReleaseFinished();
  return st;
}

void LocalAdmin::ScheduleRetry() {
  // 50 ms, doubling to 2 s: quick after a blip, gentle on a disk that stays full.
  constexpr uint64_t kFirstMs = 50, kMaxMs = 2000;
  retry_ms_ = retry_ms_ == 0 ? kFirstMs : std::min(retry_ms_ * 2, kMaxMs);
  loop_->RetryIn(retry_ms_, [this] { (void)FlushNow(); });
}

void LocalAdmin::AbortOnSignals() {
  loop_->OnInterrupt([this](int sig) {
    if (interrupted_ != 0) {
      // Asked again while the tasks have their grace period: the user means now.
      std::fprintf(stderr, "flyte: interrupted again: killing the running tasks now\n");
      if (kill_tasks_now_) kill_tasks_now_();
      return;
    }
    interrupted_ = sig;
    if (!engine_->ActiveKeys().empty()) {
      std::fprintf(stderr,
                   "flyte: interrupted: stopping the running tasks (again to kill them now)\n");
    }
    for (const ExecutionKey& key : engine_->ActiveKeys()) {
      (void)engine_->Abort(
          key, std::string("interrupted by ") + (sig == SIGINT ? "Ctrl-C (SIGINT)" : "SIGTERM"));
    }
  });
}

Status LocalAdmin::RunUntilDone(const ExecutionKey& key) {
  while (true) {
    const ExecutionState* e = engine_->Find(key);
    if (e == nullptr) return NotFound("no running execution " + key.ToString());
    if (IsTerminal(e->phase)) break;
    if (!loop_->RunOnce()) {
      e = engine_->Find(key);
      if (e != nullptr && !IsTerminal(e->phase)) {
        return Internal("execution " + key.name + " is waiting on nothing (phase " +
                        std::string(PhaseName(e->phase)) + ")");
      }
    }
  }
  // The final state must be in the store before `flyte run` reports it. A store that refuses
  // (a full disk) gets a bounded time to take it; the retry timer is what the loop waits on.
  Status st = FlushNow();
  const uint64_t deadline =
      loop_->NowMillis() + static_cast<uint64_t>(options_.store_retry_nanos / 1'000'000);
  loop_->KeepAliveForRetry(true);
  while (!st.ok() && loop_->NowMillis() < deadline) {
    loop_->RunOnce();
    st = store_error_;
  }
  loop_->KeepAliveForRetry(false);
  if (!st.ok()) return st.WithContext("cannot record the execution's final state");
  return Status::Ok();
}

Result<std::shared_ptr<const CompiledFile>> LocalAdmin::CompiledSource(const std::string& digest) {
  auto it = compiled_.find(digest);
  if (it != compiled_.end()) return it->second;
  ASSIGN_OR_RETURN(std::optional<Store::SourceRecord> src, store_->GetSource(digest));
  if (!src) return NotFound("the source " + digest.substr(0, 12) + " is not in the store");
  CompileOutput out = CompileText(src->path, std::move(src->content));
  if (!out.ok()) return InvalidSpec(out.diagnostics.FormatAll());
  compiled_[digest] = out.file;
  return out.file;
}

Result<RegisterResult> LocalAdmin::Register(const RegisterRequest& req) {
  CompileOutput out = CompileText(req.path, req.content);
  if (!out.ok()) return InvalidSpec(out.diagnostics.FormatAll());
  const CompiledFile& f = *out.file;
  RegisterResult result;
  result.project = req.project.empty() ? f.project() : req.project;
  result.domain = req.domain.empty() ? f.domain() : req.domain;
  if (!IsDnsLabel(result.project)) {
    return InvalidArgument("project " + Quote(result.project) +
                           " must be a DNS label: 1 to 63 lowercase letters, "
                           "digits and '-', not starting or ending with '-'");
  }
  result.source = Sha256Hex(req.content);
  result.version = req.version.empty() ? result.source.substr(0, 16) : req.version;
  const yaml::Node* root = f.spec->doc->root();
  auto digest_of = [&](const char* section, const std::string& name) {
    const yaml::Node* sec = root->Get(section);
    const yaml::Node* n = sec != nullptr ? sec->Get(name) : nullptr;
    return n != nullptr ? Sha256Hex(Canonical(*n)) : Sha256Hex(std::string(section) + ":" + name);
  };
  int64_t now = clock_->Now();
  RETURN_IF_ERROR(store_->Begin());
  auto put_all = [&]() -> Status {
    ASSIGN_OR_RETURN(std::optional<ProjectRecord> project, store_->GetProject(result.project));
    if (!project) RETURN_IF_ERROR(store_->PutProject({result.project, result.project, "", now}));
    std::error_code ec;
    RETURN_IF_ERROR(
        store_->PutSource(result.source, fs::absolute(req.path, ec).string(), req.content));
    auto put = [&](const std::string& kind, const std::string& name, const std::string& digest,
                   const std::string& state) -> Status {
      ASSIGN_OR_RETURN(
          std::optional<EntityRecord> before,
          store_->GetEntity(kind, result.project, result.domain, name, result.version));
      RETURN_IF_ERROR(store_->PutEntity({kind, result.project, result.domain, name, result.version,
                                         digest, result.source, state, now}));
      result.entities.push_back({kind, name, !before.has_value()});
      return Status::Ok();
    };
    for (const CompiledTask& t : f.tasks)
      RETURN_IF_ERROR(put("task", t.name, digest_of("tasks", t.name), ""));
    for (const CompiledWorkflow& w : f.workflows) {
      RETURN_IF_ERROR(put("workflow", w.name, digest_of("workflows", w.name), ""));
    }
    for (const CompiledLaunchPlan& lp : f.launch_plans) {
      std::string digest = lp.spec != nullptr
                               ? digest_of("launch_plans", lp.name)
                               : Sha256Hex("default:" + digest_of("workflows", lp.name));
      RETURN_IF_ERROR(put("launch_plan", lp.name, digest, "INACTIVE"));
    }
    return Status::Ok();
  };
  Status st = put_all();
  if (!st.ok()) {
    (void)store_->Rollback();
    return st;
  }
  RETURN_IF_ERROR(store_->Commit());
  compiled_[result.source] = out.file;
  return result;
}

LaunchContext LocalAdmin::LaunchContextFor(std::shared_ptr<const CompiledFile> file) const {
  LaunchContext ctx;
  ctx.file = std::move(file);
  ctx.runs_root = options_.home + "/runs";
  ctx.now = clock_->Now();
  ctx.abort_grace_nanos = options_.abort_grace_nanos;
  ctx.default_parallelism = std::thread::hardware_concurrency();  // one task per core
  ctx.can_run = [this](ExecutorKind kind, const std::string& task) {
    return routing_->CanRun(kind, task);
  };
  return ctx;
}

Result<ExecutionKey> LocalAdmin::CreateExecution(const CreateExecutionRequest& req) {
  return Create(req, nullptr);
}

Result<ExecutionKey> LocalAdmin::Create(const CreateExecutionRequest& req,
                                        std::shared_ptr<const PriorRun> prior) {
  ExecutionKey key{req.project, req.domain, req.name.empty() ? GenerateName() : req.name};
  // Find the registration that holds the target.
  const char* kind = req.target_kind == TargetKind::kWorkflow     ? "workflow"
                     : req.target_kind == TargetKind::kTask       ? "task"
                     : req.target_kind == TargetKind::kLaunchPlan ? "launch_plan"
                                                                  : "";
  ASSIGN_OR_RETURN(std::vector<EntityRecord> found,
                   store_->FindEntities(kind, key.project, key.domain, req.target, req.version));
  if (found.empty()) {
    return NotFound("nothing named " + Quote(req.target.empty() ? "(any)" : req.target) +
                    (req.version.empty() ? "" : " at version " + req.version) +
                    " is registered in " + key.project + "/" + key.domain);
  }
  ASSIGN_OR_RETURN(std::shared_ptr<const CompiledFile> file, CompiledSource(found.front().source));
  LaunchContext ctx = LaunchContextFor(std::move(file));
  ctx.source = found.front().source;
  ctx.version = found.front().version;
  ctx.ingest = [this](const Value& v) { return IngestFiles(v, *blobs_); };
  ASSIGN_OR_RETURN(PlannedLaunch plan, PlanLaunch(req, key, ctx));
  RETURN_IF_ERROR(store_->CreateExecution(plan.record));
  plan.request.prior = std::move(prior);
  engine_->Start(std::move(plan.request));
  return key;
}

Result<ExecutionRecord> LocalAdmin::GetExecution(const ExecutionKey& key) {
  ASSIGN_OR_RETURN(std::optional<ExecutionRecord> r, store_->GetExecution(key));
  if (!r) return NotFound("no execution " + key.name + " in " + key.project + "/" + key.domain);
  return *r;
}

Result<std::vector<ExecutionRecord>> LocalAdmin::ListExecutions(const ExecutionFilter& filter) {
  return store_->ListExecutions(filter);
}

Result<std::vector<NodeRecord>> LocalAdmin::ListNodes(const ExecutionKey& key) {
  ASSIGN_OR_RETURN(ExecutionRecord r, GetExecution(key));
  (void)r;
  return store_->ListNodes(key);
}

Result<std::vector<AttemptRecord>> LocalAdmin::ListAttempts(const ExecutionKey& key,
                                                            const std::string& node) {
  return store_->ListAttempts(key, node);
}

Result<std::string> LocalAdmin::ReadLogs(const ExecutionKey& key, const std::string& node,
                                         std::optional<uint32_t> attempt) {
  ASSIGN_OR_RETURN(AttemptRecord pick, PickLogAttempt(*this, key, node, attempt));
  std::string out;
  RETURN_IF_ERROR(CopyLogs(logs_, LogsOf(pick), [&out](std::string_view bytes) {
    out.append(bytes);
    return true;
  }));
  return out;
}

Status LocalAdmin::Terminate(const ExecutionKey& key, const std::string& cause) {
  Status st = engine_->Abort(key, cause);
  if (st.code() != StatusCode::kNotFound) return st;
  ASSIGN_OR_RETURN(ExecutionRecord r, GetExecution(key));
  return FailedPrecondition("execution " + key.name + " is " + std::string(PhaseName(r.phase)) +
                            " and not running here");
}

Status LocalAdmin::Signal(const ExecutionKey& key, const std::string& name,
                          const std::string& text) {
  const ExecutionState* e = engine_->Find(key);
  if (e == nullptr) {
    ASSIGN_OR_RETURN(ExecutionRecord r, GetExecution(key));
    return FailedPrecondition("execution " + key.name + " is " + std::string(PhaseName(r.phase)) +
                              " and not running here");
  }
  for (const NodeState& n : e->nodes) {
    if (!n.waiting_signal) continue;
    const bool approve = n.body->kind == spec::NodeKind::kApprove;
    if ((approve ? n.id : n.body->signal_name) != name) continue;
    LiteralResult lit = ValueFromText(text, approve ? Type::Bool() : n.body->iface.outputs[0].type);
    if (!lit.ok()) return InvalidArgument("signal " + Quote(name) + ": " + lit.error);
    return Deliver(key, name, std::move(lit.value));
  }
  // Not waiting yet: a gate the workflow declares keeps its value until it is reached.
  const std::map<std::string, Type> gates = GatesOf(*e->file, e->wf());
  auto gate = gates.find(name);
  if (gate == gates.end()) {
    std::vector<std::string> names;
    for (const auto& [g, t] : gates) names.push_back(g);
    return NotFound("execution " + key.name + " has no gate " + Quote(name) +
                    DidYouMean(name, names) +
                    (names.empty() ? "" : "; its gates are: " + Join(names, ", ")));
  }
  LiteralResult lit = ValueFromText(text, gate->second);
  if (!lit.ok()) return InvalidArgument("signal " + Quote(name) + ": " + lit.error);
  return Deliver(key, name, std::move(lit.value));
}

Status LocalAdmin::Deliver(const ExecutionKey& key, const std::string& name, Value value) {
  RETURN_IF_ERROR(engine_->Signal(key, name, std::move(value)));
  // Kept in the row, so a restart before the gate is reached still has it. The engine may
  // have finished (and, in a server, released) the execution on this signal: its final row
  // is written by the recorder, which keeps the signals column as it is.
  const ExecutionState* e = engine_->Find(key);
  return e != nullptr ? store_->SetExecutionSignals(key, SignalsJson(e->signals)) : Status::Ok();
}

namespace {

// Relaunch and recover: a new execution of `r`'s target, version, inputs, labels and options.
// The stored inputs are complete: defaults applied, and a launch plan's fixed ones included
// (which it then ignores).
CreateExecutionRequest AgainRequest(const ExecutionRecord& r, const std::string& name,
                                    ExecutionMode mode) {
  CreateExecutionRequest req;
  req.project = r.key.project;
  req.domain = r.key.domain;
  req.name = name;
  req.version = r.version;
  req.target_kind = r.launch_plan.empty() ? TargetKind::kAuto : TargetKind::kLaunchPlan;
  req.target = r.launch_plan.empty() ? r.workflow : r.launch_plan;
  req.inputs_document = r.inputs_json;
  req.inputs_document_name = "the inputs of " + r.key.name;
  req.ignore_fixed_inputs = true;
  req.labels = LabelsOf(r);
  req.mode = mode;
  // Flyte's relaunch and recover keep the spec: the same parallelism, cache flags and envs.
  ExecutionOptions o;
  if (!r.options_json.empty() && ReadOptionsJson(r.options_json, &o)) {
    if (o.max_parallelism != 0) req.max_parallelism = o.max_parallelism;
    req.overwrite_cache = o.overwrite_cache;
    req.no_cache = o.no_cache;
    req.env = o.env;
  }
  return req;
}

}  // namespace

// Relaunch and recover start from top-level executions only.
Result<ExecutionRecord> LocalAdmin::TopLevel(const ExecutionKey& key, const char* verb) {
  ASSIGN_OR_RETURN(ExecutionRecord r, GetExecution(key));
  if (!r.parent.empty()) {
    return FailedPrecondition("execution " + key.name + " was started by node " + r.parent + "; " +
                              verb + " its parent instead");
  }
  return r;
}

Result<ExecutionKey> LocalAdmin::Relaunch(const ExecutionKey& key, const std::string& name) {
  ASSIGN_OR_RETURN(ExecutionRecord r, TopLevel(key, "relaunch"));
  return CreateExecution(AgainRequest(r, name, ExecutionMode::kRelaunch));
}

Result<ExecutionKey> LocalAdmin::Recover(const ExecutionKey& key, const std::string& name) {
  ASSIGN_OR_RETURN(ExecutionRecord r, TopLevel(key, "recover"));
  if (!IsTerminal(r.phase)) {
    return FailedPrecondition("execution " + key.name + " is " + std::string(PhaseName(r.phase)) +
                              "; an execution can be recovered once it has ended");
  }
  ASSIGN_OR_RETURN(std::shared_ptr<PriorRun> prior, LoadPrior(key, PriorRun::Mode::kRecover, 0));
  return Create(AgainRequest(r, name, ExecutionMode::kRecovered), std::move(prior));
}

Result<std::shared_ptr<PriorRun>> LocalAdmin::LoadPrior(const ExecutionKey& key,
                                                        PriorRun::Mode mode, int depth,
                                                        const CompiledFile* file) {
  auto prior = std::make_shared<PriorRun>();
  prior->mode = mode;
  ASSIGN_OR_RETURN(ExecutionRecord r, GetExecution(key));
  prior->created_at = r.created_at;
  prior->started_at = r.started_at;
  if (file != nullptr && mode == PriorRun::Mode::kResume) {
    std::shared_ptr<const CompiledWorkflow> single;
    const CompiledWorkflow* wf = nullptr;
    if (uint32_t w = file->FindWorkflow(r.workflow); w != kNoIndex) {
      wf = &file->workflows[w];
    } else if (uint32_t t = file->FindTask(r.workflow); t != kNoIndex) {
      single = SingleTaskWorkflow(*file, t);
      wf = single.get();
    }
    if (wf != nullptr) {
      prior->signals = ReadSignalsJson(r.signals_json, GatesOf(*file, *wf));
    }
  }
  ASSIGN_OR_RETURN(std::vector<NodeRecord> nodes, store_->ListNodes(key));
  ASSIGN_OR_RETURN(std::vector<AttemptRecord> attempts, store_->ListAttempts(key, ""));
  for (NodeRecord& n : nodes) {
    std::string id = n.node_id;
    PriorNode p = PriorFromRecord(std::move(n));
    if (!p.child_execution.empty() && depth < 16) {
      Result<std::shared_ptr<PriorRun>> child =
          LoadPrior({key.project, key.domain, p.child_execution}, mode, depth + 1, file);
      if (child.ok()) prior->children[p.child_execution] = std::move(*child);
    }
    prior->nodes.emplace(std::move(id), std::move(p));
  }
  for (const AttemptRecord& a : attempts) {
    auto it = prior->nodes.find(a.node_id);
    if (it == prior->nodes.end()) continue;
    it->second.attempts.push_back(AttemptFromRecord(a));
  }
  return prior;
}

Status LocalAdmin::Resume(const ExecutionRecord& r) {
  ASSIGN_OR_RETURN(std::shared_ptr<const CompiledFile> file, CompiledSource(r.source));
  ExecutionRequest er;
  er.key = r.key;
  er.file = file;
  const CompiledLaunchPlan* lp = nullptr;
  if (!r.launch_plan.empty()) {
    uint32_t l = file->FindLaunchPlan(r.launch_plan);
    if (l == kNoIndex)
      return NotFound("its launch plan " + Quote(r.launch_plan) + " is not in its source");
    lp = &file->launch_plans[l];
    er.workflow = lp->workflow;
    er.launch_plan = lp->name;
  } else if (uint32_t w = file->FindWorkflow(r.workflow); w != kNoIndex) {
    er.workflow = w;
  } else if (uint32_t t = file->FindTask(r.workflow); t != kNoIndex) {
    er.single_task = SingleTaskWorkflow(*file, t);
  } else {
    return NotFound("its workflow " + Quote(r.workflow) + " is not in its source");
  }
  const Interface& iface =
      er.single_task ? er.single_task->iface : file->workflows[er.workflow].iface;
  yaml::ParseResult parsed =
      yaml::ParseText(r.inputs_json.empty() ? "{}" : r.inputs_json, "stored inputs");
  if (!parsed.doc || parsed.doc->root() == nullptr || !parsed.doc->root()->is_map()) {
    return Internal("its stored inputs cannot be read");
  }
  for (const Variable& v : iface.inputs) {
    const yaml::Node* node = parsed.doc->root()->Get(v.name);
    if (node == nullptr) {
      er.inputs.push_back(Value());
      continue;
    }
    LiteralResult lit = ValueFromNode(*node, v.type);
    if (!lit.ok())
      return Internal("its stored input " + Quote(v.name) + " cannot be read: " + lit.error);
    er.inputs.push_back(std::move(lit.value));
  }
  er.options = DefaultOptions(*file, er.workflow, lp, std::nullopt, LaunchContextFor(file));
  // What it was asked for (rows from before options were kept have none: the defaults).
  if (!r.options_json.empty() && !ReadOptionsJson(r.options_json, &er.options)) {
    return Internal("its stored options cannot be read");
  }
  er.options.run_dir = r.run_dir;
  ASSIGN_OR_RETURN(er.prior, LoadPrior(r.key, PriorRun::Mode::kResume, 0, file.get()));
  er.signals = er.prior->signals;
  RETURN_IF_ERROR(store_->ClaimExecution(r.key));
  for (const auto& [child, p] : er.prior->children)
    RETURN_IF_ERROR(store_->ClaimExecution({r.key.project, r.key.domain, child}));
  engine_->Start(std::move(er));
  return Status::Ok();
}

Result<LocalAdmin::ResumeReport> LocalAdmin::ResumeOrphans() {
  return EndOrphans(/*resume_servers=*/true);
}

Result<LocalAdmin::ResumeReport> LocalAdmin::EndAbandonedRuns() {
  return EndOrphans(/*resume_servers=*/false);
}

Result<LocalAdmin::ResumeReport> LocalAdmin::EndOrphans(bool resume_servers) {
  ResumeReport report;
  ASSIGN_OR_RETURN(std::vector<ExecutionRecord> unfinished, store_->ListUnfinished());
  const int64_t now = clock_->Now();
  std::set<std::string> claimed;  // child executions continued with their parent
  auto end = [&](const ExecutionRecord& r, ExecutionPhase phase, ExecErrorCode code,
                 const std::string& message) -> Status {
    RETURN_IF_ERROR(store_->EndOrphan(r.key, phase, code, message, now));
    report.ended.push_back(r.key);
    report.messages.push_back(r.key.ToString() + ": " + message);
    return Status::Ok();
  };
  for (const ExecutionRecord& r : unfinished) {
    if (!r.parent.empty() || engine_->Find(r.key) != nullptr) continue;
    if (!r.owner.empty() && r.owner != store_->owner() && ProcessAlive(IdentityOf(r.owner)))
      continue;
    if (!resume_servers && StartsWith(r.owner, "serve:")) continue;  // the next server continues it
    if (!StartsWith(r.owner, "serve:")) {
      RETURN_IF_ERROR(end(r, ExecutionPhase::kAborted, ExecErrorCode::kOrphaned,
                          "the flyte run process that ran it (" +
                              (r.owner.empty() ? "unknown" : r.owner) +
                              ") ended without recording how the execution ended"));
      continue;
    }
    Status st = Resume(r);
    if (st.ok()) {
      report.resumed.push_back(r.key);
      continue;
    }
    RETURN_IF_ERROR(end(r, ExecutionPhase::kFailed, ExecErrorCode::kResumeFailed,
                        "cannot continue it after a restart: " + st.message()));
  }
  // Child executions whose parent was not continued have nobody to report to.
  for (const ExecutionRecord& r : unfinished) {
    if (r.parent.empty() || engine_->Find(r.key) != nullptr) continue;
    if (!resume_servers && StartsWith(r.owner, "serve:")) continue;
    if (!r.owner.empty() && r.owner != store_->owner() && ProcessAlive(IdentityOf(r.owner)))
      continue;
    RETURN_IF_ERROR(end(r, ExecutionPhase::kAborted, ExecErrorCode::kOrphaned,
                        "its parent execution " + r.parent + " was not continued"));
  }
  return report;
}

Status LocalAdmin::SetLaunchPlanState(const std::string& project, const std::string& domain,
                                      const std::string& name, const std::string& version,
                                      bool active) {
  ASSIGN_OR_RETURN(std::vector<EntityRecord> found,
                   store_->FindEntities("launch_plan", project, domain, name, version));
  if (found.empty()) {
    return NotFound("no launch plan " + Quote(name) +
                    (version.empty() ? "" : " at version " + Quote(version)) + " in " + project +
                    "/" + domain);
  }
  const EntityRecord& plan = found.front();  // newest first
  if (on_launch_plan_state_) RETURN_IF_ERROR(on_launch_plan_state_(plan, active));
  return store_->SetLaunchPlanState(project, domain, name, plan.version, active);
}

bool LocalAdmin::HasRunning(const std::string& project, const std::string& domain,
                            const std::string& launch_plan) const {
  for (const ExecutionKey& key : engine_->ActiveKeys()) {
    const ExecutionState* e = engine_->Find(key);
    if (e != nullptr && key.project == project && key.domain == domain &&
        e->launch_plan == launch_plan && e->parent.empty()) {
      return true;
    }
  }
  return false;
}

Result<std::vector<ProjectRecord>> LocalAdmin::ListProjects() { return store_->ListProjects(); }

Status LocalAdmin::PutProject(const ProjectRecord& project) {
  // The rule a workflow file's `project:` follows: a project names Kubernetes namespaces.
  if (!IsDnsLabel(project.id)) {
    return InvalidArgument("project id " + Quote(project.id) +
                           " must be a DNS label: 1 to 63 lowercase letters, "
                           "digits and '-', not starting or ending with '-'");
  }
  ProjectRecord p = project;
  ASSIGN_OR_RETURN(std::optional<ProjectRecord> before, store_->GetProject(p.id));
  p.created_at = before ? before->created_at : clock_->Now();
  return store_->PutProject(p);
}

Result<std::vector<EntityRecord>> LocalAdmin::ListEntities(const std::string& kind,
                                                           const std::string& project,
                                                           const std::string& domain,
                                                           const std::string& name,
                                                           const std::string& version) {
  ASSIGN_OR_RETURN(std::vector<EntityRecord> found,
                   store_->FindEntities(kind, project, domain, name, version));
  for (EntityRecord& e : found) {
    if (e.kind != "launch_plan") continue;
    // A source that no longer compiles (a newer compiler) still lists, without its schedule.
    Result<std::shared_ptr<const CompiledFile>> file = CompiledSource(e.source);
    if (!file.ok()) continue;
    for (const spec::LaunchPlan& lp : (*file)->spec->launch_plans) {
      if (lp.name != e.name || !lp.schedule) continue;
      const spec::Schedule& s = *lp.schedule;
      e.schedule = s.cron          ? s.cron->text + " " + s.timezone
                   : s.every_nanos ? "every " + FormatDuration(*s.every_nanos)
                                   : "";
    }
    if (!e.schedule.empty() && e.state == "ACTIVE" && next_fire_) {
      e.next_fire = std::max<int64_t>(0, next_fire_(e.project, e.domain, e.name));
    }
  }
  return found;
}

Result<std::vector<CacheRecord>> LocalAdmin::ListCache(const std::string& task) {
  return store_->ListCache(task);
}

Result<int64_t> LocalAdmin::ClearCache(const std::string& task) { return store_->ClearCache(task); }

}  // namespace flyte
