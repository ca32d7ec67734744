#include "cli/run_remote.h"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <thread>

#include "cli/admin_access.h"
#include "util/strings.h"
#include "util/timefmt.h"

namespace flyte::cli {
namespace {

bool Terminal(const std::string& phase) {
  return phase == "SUCCEEDED" || phase == "FAILED" || phase == "ABORTED" || phase == "TIMED_OUT";
}

std::string Offset(int64_t from, int64_t at) {
  if (from <= 0 || at <= 0 || at < from) return "+0ms";
  return "+" + FormatDuration((at - from) / 1'000'000 * 1'000'000);
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

  // Follow: one plain line per node phase change, as a local run without a TTY prints.
  std::map<std::string, std::string> seen;
  ExecutionRecord rec;
  while (true) {
    Result<ExecutionRecord> r = admin.GetExecution(*key);
    if (!r.ok()) {
      std::fprintf(stderr, "flyte run: %s\n", r.status().message().c_str());
      return ExitFor(r.status());
    }
    rec = std::move(*r);
    Result<std::vector<NodeRecord>> nodes = admin.ListNodes(*key);
    if (nodes.ok()) {
      for (const NodeRecord& n : *nodes) {
        std::string& last = seen[n.node_id];
        if (last == n.phase) continue;
        last = n.phase;
        int64_t at = Terminal(n.phase) ? n.ended_at : n.started_at ? n.started_at : n.queued_at;
        std::fprintf(stderr, "%s %s %s%s%s\n", Offset(rec.started_at, at).c_str(), n.node_id.c_str(), n.phase.c_str(),
                     n.error_message.empty() ? "" : ": ", n.error_message.c_str());
      }
    }
    if (Terminal(rec.phase)) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  const bool ok = rec.phase == "SUCCEEDED";
  if (opts.output == "table") {
    std::fprintf(stderr, "%s %s %s in %s · execution %s\n", ok ? "✔" : "✗", rec.workflow.c_str(), rec.phase.c_str(),
                 FormatDuration(rec.ended_at > rec.started_at ? rec.ended_at - rec.started_at : 0).c_str(),
                 rec.key.name.c_str());
    if (!ok && !rec.error_message.empty()) std::fprintf(stderr, "  %s\n", rec.error_message.c_str());
    if (ok) std::cout << rec.outputs_json << "\n";
  } else {
    // The same document `flyte get execution NAME -o json` prints.
    GetOptions g;
    g.what = "execution";
    g.name = rec.key.name;
    g.project = rec.key.project;
    g.domain = rec.key.domain;
    g.details = true;
    g.home = opts.home;
    g.endpoint = admin.endpoint();
    g.output = opts.output;
    int code = RunGet(g);
    if (code != kExitOk) return code;
  }
  return ok ? kExitOk : kExitFailed;
}

}  // namespace flyte::cli
