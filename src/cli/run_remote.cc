#include "cli/run_remote.h"

#include <unistd.h>
#include <uv.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <thread>

#include "cli/admin_access.h"
#include "cli/run_report.h"
#include "cli/run_view.h"
#include "flyte/compiler.h"
#include "types/literal.h"
#include "types/yaml_writer.h"
#include "util/yaml.h"
#include "util/strings.h"
#include "util/timefmt.h"

namespace flyte::cli {
namespace {

// The client's copy of a remote execution, rebuilt from the API after each phase event, in the
// engine's own shape so that the local run's view and report show it unchanged.
class Mirror {
 public:
  explicit Mirror(std::shared_ptr<const CompiledFile> file) { e_.file = std::move(file); }

  // Points the copy at its workflow (or task) once the execution says which; false when the
  // local file does not have it.
  bool Bind(const ExecutionRecord& rec) {
    if (bound_) return true;
    const CompiledFile& f = *e_.file;
    if (uint32_t w = f.FindWorkflow(rec.workflow); w != kNoIndex) {
      e_.workflow = w;
    } else if (uint32_t t = f.FindTask(rec.workflow); t != kNoIndex) {
      e_.single_task = SingleTaskWorkflow(f, t);
    } else {
      return false;
    }
    e_.key = rec.key;
    e_.frames.emplace_back().nodes.resize(e_.wf().nodes.size());
    bound_ = true;
    return true;
  }

  // Applies what the server says now, telling `view` about each change.
  void Apply(const ExecutionRecord& rec, const std::vector<NodeRecord>& nodes, RunView& view) {
    // The execution's times first: the view shows node times relative to its start.
    e_.started_at = rec.started_at;
    e_.ended_at = rec.ended_at;
    e_.created_at = rec.created_at;
    if (!rec.error_code.empty()) {
      e_.error = ExecError{rec.error_code, rec.error_message, ErrorKind::kUser, rec.error_node};
    }
    const ExecutionPhase phase = ParseExecutionPhase(rec.phase).value_or(ExecutionPhase::kQueued);
    if (phase == ExecutionPhase::kSucceeded && e_.outputs.empty()) e_.outputs = Outputs(rec.outputs_json);
    const bool changed = phase != e_.phase || first_;
    // In the order a local run tells them: the execution starts, its nodes change, it ends.
    if (changed && !IsTerminal(phase)) Announce(phase, view);
    for (const NodeRecord& r : nodes) {
      auto [it, fresh] = index_.emplace(r.node_id, e_.nodes.size());
      if (fresh) e_.nodes.emplace_back().id = r.node_id;
      NodeState& n = e_.nodes[it->second];
      const NodePhase node_phase = ParseNodePhase(r.phase).value_or(NodePhase::kQueued);
      if (!fresh && n.phase == node_phase && n.attempts.size() == r.attempts) continue;
      n.started = true;
      n.parent = r.parent_id;
      n.phase = node_phase;
      n.cache = ParseCacheStatus(r.cache_status).value_or(CacheStatus::kDisabled);
      n.attempts.resize(r.attempts);
      for (AttemptState& a : n.attempts) a.stderr_path = "(remote)";
      n.queued_at = r.queued_at;
      n.started_at = r.started_at;
      n.ended_at = r.ended_at;
      n.tail = r.tail;
      if (!r.error_code.empty()) n.error = ExecError{r.error_code, r.error_message, ErrorKind::kUser, r.node_id};
      view.OnNode(e_, n);
    }
    if (changed && IsTerminal(phase)) Announce(phase, view);
    view.Flush();
  }
  const ExecutionState& state() const { return e_; }

 private:
  std::vector<Value> Outputs(const std::string& json) const {
    std::vector<Value> out;
    yaml::ParseResult parsed = yaml::ParseText(json.empty() ? "{}" : json, "outputs");
    for (const Variable& v : e_.wf().iface.outputs) {
      const yaml::Node* node = parsed.doc && parsed.doc->root() ? parsed.doc->root()->Get(v.name) : nullptr;
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
  std::map<std::string, size_t> index_;
  bool bound_ = false;
  bool first_ = true;
};

// Follows a remote execution the way a local run shows one: the live view on a terminal, one
// line per node state change otherwise, then the same summary, report and exit code. Each
// server-sent event of the execution triggers a fresh read of its state (and a read every
// second keeps it going if the stream breaks).
int FollowRemote(const RunOptions& opts, http::RemoteAdmin& admin, const ExecutionKey& key,
                 const std::string& content) {
  std::error_code ec;
  CompileOutput compiled = CompileText(std::filesystem::absolute(opts.file, ec).string(), content);
  if (!compiled.ok()) {
    std::fprintf(stderr, "flyte run: %s\n", compiled.diagnostics.FormatAll().c_str());
    return kExitUsage;
  }
  Mirror mirror(compiled.file);
  const bool tty = ::isatty(STDERR_FILENO) != 0 && std::getenv("TERM") != nullptr &&
                   std::string(std::getenv("TERM")) != "dumb";
  uv_loop_t loop;
  uv_loop_init(&loop);
  int code = kExitInternal;
  {
    RunView view(&loop, stderr, tty, opts.verbose, std::nullopt);
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
      void Refresh() {
        if (done) return;
        Result<ExecutionRecord> rec = admin->GetExecution(key);
        Result<std::vector<NodeRecord>> nodes = rec.ok() ? admin->ListNodes(key) : rec.status();
        if (!rec.ok() || !nodes.ok()) {
          error = rec.ok() ? nodes.status() : rec.status();
        } else if (!mirror->Bind(*rec)) {
          error = NotFound("the server runs " + Quote(rec->workflow) + ", which this file does not define");
        } else {
          mirror->Apply(*rec, *nodes, *view);
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
    uv_timer_start(&f.tick, [](uv_timer_t* t) { static_cast<Follow*>(t->data)->Refresh(); }, 0, 1000);
    std::thread events;
    if (auto stream = admin.Clone(); stream.ok()) {
      f.stream = std::move(*stream);
      events = std::thread([&f] {
        while (!f.stopping) {
          (void)f.stream->FollowEvents(f.key, [&f] {
            uv_async_send(&f.wake);
            return !f.stopping.load();
          });
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

}  // namespace

int RunRemote(const RunOptions& opts, CreateExecutionRequest req, const std::string& content) {
  AdminAccess access(opts.home, opts.endpoint, /*remote_only=*/true);
  if (access.remote() == nullptr) {
    std::fprintf(stderr, "flyte run: %s\n", access.error().c_str());
    return access.error_exit();
  }
  http::RemoteAdmin& admin = *access.remote();
  std::error_code ec;
  Result<RegisterResult> reg =
      admin.Register({std::filesystem::absolute(opts.file, ec).string(), content, opts.project, opts.domain, ""});
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
  req.name = opts.name;
  req.target = opts.target;
  std::error_code cec;
  CompileOutput compiled = CompileText(std::filesystem::absolute(opts.file, cec).string(), content);
  if (!req.target.empty() && compiled.ok()) {
    // The API names the kind of what to run; the file tells which kind this name is.
    const CompiledFile& f = *compiled.file;
    if (f.FindWorkflow(req.target) != kNoIndex) {
      req.target_kind = TargetKind::kWorkflow;
    } else if (f.FindTask(req.target) != kNoIndex) {
      req.target_kind = TargetKind::kTask;
    } else if (f.FindLaunchPlan(req.target) != kNoIndex) {
      req.target_kind = TargetKind::kLaunchPlan;
    } else {
      std::vector<std::string> names;
      for (const CompiledWorkflow& w : f.workflows) names.push_back(w.name);
      for (const CompiledTask& t : f.tasks) names.push_back(t.name);
      for (const CompiledLaunchPlan& l : f.launch_plans) names.push_back(l.name);
      std::fprintf(stderr, "flyte run: %s defines no workflow, task or launch plan named %s%s; it has: %s\n",
                   opts.file.c_str(), Quote(req.target).c_str(), DidYouMean(req.target, names).c_str(),
                   Join(names, ", ").c_str());
      return kExitUsage;
    }
  }
  if (req.target.empty()) {
    // As locally: a file with one workflow runs it without naming it.
    if (compiled.ok() && compiled.file->workflows.size() == 1) {
      req.target = compiled.file->workflows[0].name;
      req.target_kind = TargetKind::kWorkflow;
    } else if (compiled.ok()) {
      std::vector<std::string> names;
      for (const CompiledWorkflow& w : compiled.file->workflows) names.push_back(w.name);
      for (const CompiledTask& t : compiled.file->tasks) names.push_back(t.name);
      std::fprintf(stderr, "flyte run: the file defines %zu workflows; name the workflow or task to run: %s\n",
                   compiled.file->workflows.size(), Join(names, ", ").c_str());
      return kExitUsage;
    }
  }
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
  std::fprintf(stderr, "execution %s submitted to %s\n", key->name.c_str(), admin.endpoint().c_str());
  if (!opts.wait) {
    if (opts.output == "table") {
      std::cout << key->name << "\n";
    } else {
      std::cout << "{\"execution\":{\"project\":\"" << key->project << "\",\"domain\":\"" << key->domain
                << "\",\"name\":\"" << key->name << "\"}}\n";
    }
    return kExitOk;
  }

  return FollowRemote(opts, admin, *key, content);
}

}  // namespace flyte::cli
