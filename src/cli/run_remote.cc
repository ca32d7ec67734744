#include "cli/run_remote.h"

#include <unistd.h>
#include <uv.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <tuple>

#include "cli/admin_access.h"
#include "cli/run_report.h"
#include "cli/run_view.h"
#include "flyte/compiler.h"
#include "store/state_rows.h"
#include "types/literal.h"
#include "types/yaml_writer.h"
#include "util/strings.h"
#include "util/timefmt.h"
#include "util/yaml.h"

namespace flyte::cli {
namespace {

// The client's copy of a remote execution, rebuilt from the API after each phase event, in the
// engine's own shape so that the local run's view and report show it unchanged.
class Mirror {
 public:
  // Without a file (launched by name), the workflow is known only by its name and outputs.
  explicit Mirror(std::shared_ptr<const CompiledFile> file) { e_.file = std::move(file); }

  // Points the copy at its workflow (or task) once the execution says which; false when the
  // local file does not have it.
  bool Bind(const ExecutionRecord& rec) {
    if (bound_) return true;
    if (e_.file == nullptr) {
      unknown_ = std::make_shared<CompiledWorkflow>();
      unknown_->name = rec.workflow;
      e_.single_task = unknown_;
    } else if (uint32_t w = e_.file->FindWorkflow(rec.workflow); w != kNoIndex) {
      e_.workflow = w;
    } else if (uint32_t t = e_.file->FindTask(rec.workflow); t != kNoIndex) {
      e_.single_task = SingleTaskWorkflow(*e_.file, t);
    } else {
      return false;
    }
    e_.key = rec.key;
    e_.frames.emplace_back().nodes.resize(e_.wf().nodes.size());
    bound_ = true;
    return true;
  }

  // Applies what the server says now, telling `view` about each change in the order the engine
  // made them: `seq_of` gives the sequence number of the event that announced a node's current
  // phase, if it has arrived. A change whose event is still on its way is held back up to
  // `hold_ms` after `now_ms` first saw it (its event will order it), and so is the execution's
  // end; ones never announced (before the stream began, or without one) go first, by time,
  // children before the parents they end.
  void Apply(
      const ExecutionRecord& rec, const std::vector<NodeRecord>& nodes, RunView& view,
      const std::function<std::optional<uint64_t>(const std::string&, std::string_view)>& seq_of,
      uint64_t now_ms, uint64_t hold_ms) {
    // The execution's times first: the view shows node times relative to its start.
    const ExecutionPhase phase = ApplyExecutionRecord(rec, e_);
    if (phase == ExecutionPhase::kSucceeded && e_.outputs.empty())
      e_.outputs = Outputs(rec.outputs_json);
    const bool changed = phase != e_.phase || first_;
    // In the order a local run tells them: the execution starts, its nodes change, it ends.
    if (changed && !IsTerminal(phase)) Announce(phase, view);
    struct Change {
      const NodeRecord* record;
      std::optional<uint64_t> seq;
    };
    std::vector<Change> changes;
    bool holding = false;
    for (const NodeRecord& r : nodes) {
      auto it = index_.find(r.node_id);
      if (it != index_.end() && e_.nodes[it->second].phase == r.phase &&
          e_.nodes[it->second].attempts.size() == r.attempts) {
        continue;
      }
      std::optional<uint64_t> seq = seq_of(r.node_id, PhaseName(r.phase));
      if (!seq && hold_ms > 0) {
        auto [since, fresh_hold] = held_.emplace(r.node_id, now_ms);
        if (now_ms - since->second < hold_ms) {
          holding = true;
          continue;
        }
      }
      held_.erase(r.node_id);
      changes.push_back({&r, seq});
    }
    auto order = [](const Change& c) {
      const NodeRecord& r = *c.record;
      const int64_t at = r.ended_at != 0     ? r.ended_at
                         : r.started_at != 0 ? r.started_at
                                             : r.queued_at;
      const int64_t depth =
          static_cast<int64_t>(std::count(r.node_id.begin(), r.node_id.end(), '/') +
                               std::count(r.node_id.begin(), r.node_id.end(), '['));
      return std::tuple(c.seq.has_value(), c.seq.value_or(0), at, -depth);
    };
    std::stable_sort(changes.begin(), changes.end(),
                     [&order](const Change& a, const Change& b) { return order(a) < order(b); });
    for (const Change& c : changes) {
      const NodeRecord& r = *c.record;
      auto [it, fresh] = index_.emplace(r.node_id, e_.nodes.size());
      if (fresh) e_.nodes.emplace_back();
      NodeState& n = e_.nodes[it->second];
      ApplyNodeRecord(r, n);
      for (AttemptState& a : n.attempts) a.stderr_path = "(remote)";  // logs are on the server
      view.OnNode(e_, n);
    }
    if (changed && IsTerminal(phase) && !holding) Announce(phase, view);
    view.Flush();
  }
  const ExecutionState& state() const { return e_; }

 private:
  std::vector<Value> Outputs(const std::string& json) {
    std::vector<Value> out;
    yaml::ParseResult parsed = yaml::ParseText(json.empty() ? "{}" : json, "outputs");
    const yaml::Node* root = parsed.doc ? parsed.doc->root() : nullptr;
    if (unknown_ != nullptr && root != nullptr && root->is_map()) {
      // Launched by name: the outputs are what the server returned, read without a type.
      unknown_->iface.outputs.clear();
      for (const auto& entry : root->entries)
        unknown_->iface.outputs.push_back({entry.first->text, Type::Any(), {}, ""});
    }
    for (const Variable& v : e_.wf().iface.outputs) {
      const yaml::Node* node =
          parsed.doc && parsed.doc->root() ? parsed.doc->root()->Get(v.name) : nullptr;
      LiteralResult lit = node != nullptr ? ValueFromNode(*node, v.type) : LiteralResult{};
      out.push_back(node != nullptr && lit.ok() ? lit.value : Value());
    }
    return out;
  }

  void Announce(ExecutionPhase phase, RunView& view) {
    e_.phase = phase;
    first_ = false;
    view.OnExecution(e_);
  }

  ExecutionState e_;
  std::shared_ptr<CompiledWorkflow> unknown_;  // the workflow of an execution launched by name
  std::map<std::string, size_t> index_;
  std::map<std::string, uint64_t> held_;  // node id -> when its change began to wait for its event
  bool bound_ = false;
  bool first_ = true;
};

// Follows a remote execution the way a local run shows one: the live view on a terminal, one
// line per node state change otherwise, then the same summary, report and exit code. Each
// server-sent event of the execution triggers a fresh read of its state (and a read every
// second keeps it going if the stream breaks).
int FollowRemote(const RunOptions& opts, http::RemoteAdmin& admin, const ExecutionKey& key,
                 std::shared_ptr<const CompiledFile> file) {
  Mirror mirror(std::move(file));
  const bool tty = ::isatty(STDERR_FILENO) != 0 && std::getenv("TERM") != nullptr &&
                   std::string(std::getenv("TERM")) != "dumb";
  uv_loop_t loop;
  uv_loop_init(&loop);
  int code = kExitInternal;
  {
    RunView view(&loop, stderr, tty, opts.verbose, std::nullopt);
    // `flyte logs` finds the execution where this command found the server.
    view.SetHintFlags(" -p " + key.project + " -d " + key.domain +
                      (opts.endpoint.empty() ? "" : " --endpoint " + ShellWord(opts.endpoint)) +
                      (opts.home.empty() ? "" : " --home " + ShellWord(opts.home)));
    struct Follow {
      http::RemoteAdmin* admin;
      ExecutionKey key;
      Mirror* mirror;
      RunView* view;
      Status error = Status::Ok();
      bool done = false;
      uv_async_t wake{};
      uv_timer_t tick{};
      std::unique_ptr<http::RemoteAdmin> stream;
      std::atomic<bool> stopping{false};
      // The sequence number and phase of each node's latest event, from the event thread.
      std::mutex mu;
      std::map<std::string, std::pair<uint64_t, std::string>> events;
      bool streaming = false;  // an event arrived: changes can wait for theirs
      uint64_t last_seq = 0;   // where a new connection resumes (0: every event the server has)
      void OnEvent(const http::RemoteAdmin::PhaseEvent& ev) {
        std::lock_guard<std::mutex> lock(mu);
        streaming = true;
        last_seq = std::max(last_seq, ev.seq);
        if (!ev.node_id.empty() && ev.seq > 0) events[ev.node_id] = {ev.seq, ev.phase};
      }
      std::optional<uint64_t> SeqOf(const std::string& node, std::string_view phase) {
        std::lock_guard<std::mutex> lock(mu);
        auto it = events.find(node);
        if (it == events.end() || it->second.second != phase) return std::nullopt;
        return it->second.first;
      }
      void Refresh() {
        if (done) return;
        Result<ExecutionRecord> rec = admin->GetExecution(key);
        Result<std::vector<NodeRecord>> nodes = rec.ok() ? admin->ListNodes(key) : rec.status();
        if (!rec.ok() || !nodes.ok()) {
          error = rec.ok() ? nodes.status() : rec.status();
        } else if (!mirror->Bind(*rec)) {
          error = NotFound("the server runs " + Quote(rec->workflow) +
                           ", which this file does not define");
        } else {
          bool live;
          {
            std::lock_guard<std::mutex> lock(mu);
            live = streaming;
          }
          mirror->Apply(
              *rec, *nodes, *view,
              [this](const std::string& node, std::string_view phase) {
                return SeqOf(node, phase);
              },
              uv_now(wake.loop), live ? 2000 : 0);
          if (!IsTerminal(mirror->state().phase)) return;
        }
        done = true;
        stopping = true;
        if (stream) stream->Stop();
        // `wake` stays open (unreferenced) until the event thread, which may still send on
        // it, has been joined.
        uv_unref(reinterpret_cast<uv_handle_t*>(&wake));
        uv_close(reinterpret_cast<uv_handle_t*>(&tick), nullptr);
      }
    };
    Follow f;
    f.admin = &admin;
    f.key = key;
    f.mirror = &mirror;
    f.view = &view;
    uv_async_init(&loop, &f.wake, [](uv_async_t* a) { static_cast<Follow*>(a->data)->Refresh(); });
    f.wake.data = &f;
    uv_timer_init(&loop, &f.tick);
    f.tick.data = &f;
    uv_timer_start(
        &f.tick, [](uv_timer_t* t) { static_cast<Follow*>(t->data)->Refresh(); }, 0, 1000);
    std::thread events;
    if (auto stream = admin.Clone(); stream.ok()) {
      f.stream = std::move(*stream);
      events = std::thread([&f] {
        while (!f.stopping) {
          uint64_t after;
          {
            std::lock_guard<std::mutex> lock(f.mu);
            after = f.last_seq;
          }
          (void)f.stream->FollowEvents(f.key, after, [&f](const http::RemoteAdmin::PhaseEvent& ev) {
            f.OnEvent(ev);
            uv_async_send(&f.wake);
            return !f.stopping.load();
          });
          {
            std::lock_guard<std::mutex> lock(f.mu);
            f.streaming = false;
          }
          if (!f.stopping) std::this_thread::sleep_for(std::chrono::milliseconds(200));
        }
      });
    }
    uv_run(&loop, UV_RUN_DEFAULT);
    f.stopping = true;
    if (f.stream) f.stream->Stop();
    if (events.joinable()) events.join();
    uv_close(reinterpret_cast<uv_handle_t*>(&f.wake), nullptr);
    if (!f.error.ok()) {
      std::fprintf(stderr, "flyte run: %s\n", f.error.message().c_str());
      code = ExitFor(f.error);
    } else {
      const ExecutionState& e = mirror.state();
      view.Finish(e);
      if (opts.output == "json") {
        std::cout << RunReport(e).ToCanonicalJson() << "\n";
      } else if (opts.output == "yaml") {
        std::cout << ToYaml(RunReport(e));
      } else {
        std::cout << OutputsTable(e);
      }
      std::cout.flush();
      if (!opts.junit.empty()) {
        std::ofstream out(opts.junit);
        out << JunitXml(e);
      }
      code = e.phase == ExecutionPhase::kSucceeded ? kExitOk : kExitFailed;
    }
  }
  uv_run(&loop, UV_RUN_NOWAIT);
  uv_loop_close(&loop);
  return code;
}

// The inputs the target takes (a launch plan's: without its fixed ones).
const std::vector<Variable>* InputsOf(const CompiledFile& f, const CreateExecutionRequest& req) {
  switch (req.target_kind) {
    case TargetKind::kWorkflow:
      if (uint32_t w = f.FindWorkflow(req.target); w != kNoIndex)
        return &f.workflows[w].iface.inputs;
      break;
    case TargetKind::kTask:
      if (uint32_t t = f.FindTask(req.target); t != kNoIndex) return &f.tasks[t].iface.inputs;
      break;
    case TargetKind::kLaunchPlan:
      if (uint32_t l = f.FindLaunchPlan(req.target); l != kNoIndex)
        return &f.launch_plans[l].iface.inputs;
      break;
    case TargetKind::kAuto:
      break;
  }
  return nullptr;
}

// A `file` or `dir` input given as a path that exists here: uploaded, and its URI on the
// server in its place. URIs (s3://...) and paths that do not exist here are left as given.
Result<std::optional<std::string>> UploadIfLocal(http::RemoteAdmin& admin, const Type& declared,
                                                 const std::string& text) {
  const std::optional<std::string> none;
  const Type type = declared.WithoutNone();
  if (type.kind() != TypeKind::kFile && type.kind() != TypeKind::kDir) return none;
  if (text.find("://") != std::string::npos && !StartsWith(text, "file://")) return none;
  std::string path = StartsWith(text, "file://") ? text.substr(7) : text;
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return none;
  const bool dir = type.kind() == TypeKind::kDir;
  std::fprintf(stderr, "uploading %s to %s\n", path.c_str(), admin.endpoint().c_str());
  ASSIGN_OR_RETURN(std::string uri,
                   admin.Upload(std::filesystem::absolute(path, ec).string(), dir));
  return std::optional<std::string>(uri);
}

Status UploadLocalInputs(http::RemoteAdmin& admin, const std::vector<Variable>* vars,
                         CreateExecutionRequest& req) {
  if (vars == nullptr) return Status::Ok();
  auto type_of = [vars](const std::string& name) -> const Type* {
    for (const Variable& v : *vars) {
      if (v.name == name) return &v.type;
    }
    return nullptr;
  };
  for (auto& [name, text] : req.text_inputs) {
    const Type* type = type_of(name);
    if (type == nullptr) continue;  // the server names the unknown input
    ASSIGN_OR_RETURN(std::optional<std::string> uri, UploadIfLocal(admin, *type, text));
    if (uri) text = *uri;
  }
  if (req.inputs_document.empty()) return Status::Ok();
  yaml::ParseResult parsed = yaml::ParseText(req.inputs_document, req.inputs_document_name);
  const yaml::Node* root = parsed.doc ? parsed.doc->root() : nullptr;
  if (root == nullptr || !root->is_map()) return Status::Ok();  // the server says what is wrong
  // The document is sent again as JSON, each value read by its declared type.
  Value::Map rewritten;
  bool changed = false;
  for (const auto& [k, v] : root->entries) {
    const Type* type = type_of(k->text);
    LiteralResult lit = ValueFromNode(*v, type != nullptr ? *type : Type::Any());
    if (type == nullptr || !lit.ok()) return Status::Ok();
    if (v->is_scalar()) {
      ASSIGN_OR_RETURN(std::optional<std::string> uri, UploadIfLocal(admin, *type, v->text));
      if (uri) {
        lit.value =
            type->WithoutNone().kind() == TypeKind::kDir ? Value::Dir(*uri) : Value::File(*uri);
        changed = true;
      }
    }
    rewritten.emplace_back(k->text, std::move(lit.value));
  }
  if (changed) req.inputs_document = Value::FromMap(std::move(rewritten)).ToCanonicalJson();
  return Status::Ok();
}

// Starts the execution and, with --wait, follows it; `file` is null when launched by name.
int Submit(const RunOptions& opts, http::RemoteAdmin& admin, CreateExecutionRequest req,
           std::shared_ptr<const CompiledFile> file) {
  req.name = opts.name;
  req.overwrite_cache = opts.overwrite_cache;
  req.no_cache = opts.no_cache;
  if (opts.max_parallelism >= 0) req.max_parallelism = static_cast<uint32_t>(opts.max_parallelism);
  // On a server, gates wait for `flyte signal` / `approve` / `reject` (or their own timeouts).
  req.gate_default_timeout_nanos = 0;
  req.gate_hint.clear();
  Result<ExecutionKey> key = admin.CreateExecution(req);
  if (!key.ok()) {
    std::fprintf(stderr, "flyte run: %s\n", key.status().message().c_str());
    return ExitFor(key.status());
  }
  std::fprintf(stderr, "execution %s submitted to %s\n", key->name.c_str(),
               admin.endpoint().c_str());
  if (!opts.wait) {
    Value id = Value::FromMap({{"execution", Value::FromMap({{"project", Value::Str(key->project)},
                                                             {"domain", Value::Str(key->domain)},
                                                             {"name", Value::Str(key->name)}})}});
    if (opts.output == "json") {
      std::cout << id.ToCanonicalJson() << "\n";
    } else if (opts.output == "yaml") {
      std::cout << ToYaml(id);
    } else {
      std::cout << key->name << "\n";
    }
    return kExitOk;
  }
  return FollowRemote(opts, admin, *key, std::move(file));
}

}  // namespace

Result<TargetKind> TargetIn(const CompiledFile& f, const std::string& path,
                            const std::string& target) {
  if (f.FindWorkflow(target) != kNoIndex) return TargetKind::kWorkflow;
  if (f.FindTask(target) != kNoIndex) return TargetKind::kTask;
  if (f.FindLaunchPlan(target) != kNoIndex) return TargetKind::kLaunchPlan;
  std::vector<std::string> names;
  for (const CompiledWorkflow& w : f.workflows) names.push_back(w.name);
  for (const CompiledTask& t : f.tasks) names.push_back(t.name);
  for (const CompiledLaunchPlan& l : f.launch_plans) {
    if (std::find(names.begin(), names.end(), l.name) == names.end()) names.push_back(l.name);
  }
  return InvalidArgument(path + " defines no workflow, task or launch plan named " + Quote(target) +
                         DidYouMean(target, names) + "; it has: " + Join(names, ", "));
}

int RunRemote(const RunOptions& opts, CreateExecutionRequest req, const std::string& content) {
  AdminAccess access(opts.home, opts.endpoint, /*remote_only=*/true);
  if (access.remote() == nullptr) {
    std::fprintf(stderr, "flyte run: %s\n", access.error().c_str());
    return access.error_exit();
  }
  http::RemoteAdmin& admin = *access.remote();
  std::error_code ec;
  const std::string path = std::filesystem::absolute(opts.file, ec).string();
  CompileOutput compiled = CompileText(path, content);
  if (!compiled.ok()) {
    std::cerr << compiled.diagnostics.FormatAll();
    return kExitUsage;
  }
  const CompiledFile& f = *compiled.file;
  // What to run, from the file, before anything is registered.
  if (!opts.target.empty()) {
    Result<TargetKind> kind = TargetIn(f, opts.file, opts.target);
    if (!kind.ok()) {
      std::fprintf(stderr, "flyte run: %s\n", kind.status().message().c_str());
      return kExitUsage;
    }
    req.target = opts.target;
    req.target_kind = *kind;
  } else if (f.workflows.size() == 1) {
    // As locally: a file with one workflow runs it without naming it.
    req.target = f.workflows[0].name;
    req.target_kind = TargetKind::kWorkflow;
  } else {
    std::vector<std::string> names;
    for (const CompiledWorkflow& w : f.workflows) names.push_back(w.name);
    for (const CompiledTask& t : f.tasks) names.push_back(t.name);
    std::fprintf(
        stderr, "flyte run: the file defines %zu workflows; name the workflow or task to run: %s\n",
        f.workflows.size(), Join(names, ", ").c_str());
    return kExitUsage;
  }
  // Local file and folder inputs go to the server first: it cannot read this machine's paths.
  if (Status up = UploadLocalInputs(admin, InputsOf(f, req), req); !up.ok()) {
    std::fprintf(stderr, "flyte run: %s\n", up.message().c_str());
    return ExitFor(up);
  }
  std::string project = opts.project, domain = opts.domain;
  ApplyClientDefaults(opts.home, content, project, domain);
  Result<RegisterResult> reg = admin.Register({path, content, project, domain, ""});
  if (!reg.ok()) {
    if (reg.status().code() == StatusCode::kInvalidArgument) {
      std::cerr << reg.status().message() << (EndsWith(reg.status().message(), "\n") ? "" : "\n");
    } else {
      std::fprintf(stderr, "flyte run: %s\n", reg.status().message().c_str());
    }
    return ExitFor(reg.status());
  }
  req.project = reg->project;
  req.domain = reg->domain;
  req.version = reg->version;
  return Submit(opts, admin, std::move(req), compiled.file);
}

int RunRemoteByName(const RunOptions& opts, CreateExecutionRequest req) {
  AdminAccess access(opts.home, opts.endpoint, /*remote_only=*/true);
  if (access.remote() == nullptr) {
    std::fprintf(stderr, "flyte run: %s\n", access.error().c_str());
    return access.error_exit();
  }
  http::RemoteAdmin& admin = *access.remote();
  req.project = opts.project.empty() ? access.default_project() : opts.project;
  req.domain = opts.domain.empty() ? access.default_domain() : opts.domain;
  req.target = opts.file;
  // A launch plan first (every workflow has a default one, but a user plan of the same name
  // wins), then a workflow; the newest version unless one is asked for.
  for (auto [kind, target_kind] : {std::pair{"launch_plan", TargetKind::kLaunchPlan},
                                   std::pair{"workflow", TargetKind::kWorkflow}}) {
    Result<std::vector<EntityRecord>> found =
        admin.ListEntities(kind, req.project, req.domain, req.target, opts.version);
    if (!found.ok() && found.status().code() != StatusCode::kNotFound) {
      std::fprintf(stderr, "flyte run: %s\n", found.status().message().c_str());
      return ExitFor(found.status());
    }
    if (found.ok() && !found->empty()) {
      req.target_kind = target_kind;
      req.version = found->front().version;
      return Submit(opts, admin, std::move(req), nullptr);
    }
  }
  std::vector<std::string> names;
  for (const char* kind : {"launch_plan", "workflow"}) {
    Result<std::vector<EntityRecord>> all =
        admin.ListEntities(kind, req.project, req.domain, "", "");
    if (!all.ok()) continue;
    for (const EntityRecord& e : *all) {
      if (std::find(names.begin(), names.end(), e.name) == names.end()) names.push_back(e.name);
    }
  }
  std::sort(names.begin(), names.end());
  std::fprintf(
      stderr,
      "flyte run: no launch plan or workflow named %s%s is registered in %s/%s at %s%s; %s\n",
      Quote(req.target).c_str(),
      opts.version.empty() ? "" : (" at version " + opts.version).c_str(), req.project.c_str(),
      req.domain.c_str(), admin.endpoint().c_str(), DidYouMean(req.target, names).c_str(),
      names.empty() ? "nothing is registered there (flyte register FILE)"
                    : ("registered: " + Join(names, ", ")).c_str());
  return kExitUsage;
}

}  // namespace flyte::cli
