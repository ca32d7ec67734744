#include <unistd.h>
#include <uv.h>

#include <cstdio>
#include <fstream>
#include <iostream>

#include "admin/local_admin.h"
#include "cli/commands.h"
#include "cli/run_report.h"
#include "cli/run_view.h"
#include "spec/loader.h"
#include "types/yaml_writer.h"

namespace flyte::cli {
namespace {

bool SplitKeyValue(const std::string& kv, std::pair<std::string, std::string>* out) {
  size_t eq = kv.find('=');
  if (eq == std::string::npos || eq == 0) return false;
  *out = {kv.substr(0, eq), kv.substr(eq + 1)};
  return true;
}

int Usage(const std::string& message) {
  std::fprintf(stderr, "flyte run: %s\n", message.c_str());
  return kExitUsage;
}

}  // namespace

int RunRun(const RunOptions& opts) {
  if (opts.remote) {
    return Usage("--remote needs a flyte server, which this build does not include yet; run locally without --remote");
  }
  CreateExecutionRequest req;
  for (const std::string& kv : opts.inputs) {
    std::pair<std::string, std::string> p;
    if (!SplitKeyValue(kv, &p)) return Usage("--input expects NAME=VALUE, got '" + kv + "'");
    req.text_inputs.push_back(std::move(p));
  }
  for (const std::string& kv : opts.env) {
    std::pair<std::string, std::string> p;
    if (!SplitKeyValue(kv, &p)) return Usage("--env expects NAME=VALUE, got '" + kv + "'");
    req.env.push_back(std::move(p));
  }
  Diagnostics diags;
  std::shared_ptr<const SourceFile> source = spec::ReadSource(opts.file, diags);
  if (source == nullptr) {
    std::cerr << diags.FormatAll();
    return kExitUsage;
  }
  if (!opts.inputs_file.empty()) {
    Diagnostics idiags;
    std::shared_ptr<const SourceFile> inputs = spec::ReadSource(opts.inputs_file, idiags);
    if (inputs == nullptr) {
      std::cerr << idiags.FormatAll();
      return kExitUsage;
    }
    req.inputs_document = inputs->text();
    req.inputs_document_name = opts.inputs_file;
  }

  uv_loop_t loop;
  uv_loop_init(&loop);
  int code = kExitOk;
  {
    LocalAdmin::Options aopts;
    aopts.home = opts.home.empty() ? DefaultHome() : opts.home;
    Result<std::unique_ptr<LocalAdmin>> opened = LocalAdmin::Open(&loop, aopts);
    if (!opened.ok()) {
      std::fprintf(stderr, "flyte run: %s\n", opened.status().message().c_str());
      uv_loop_close(&loop);
      return kExitInternal;
    }
    LocalAdmin& admin = **opened;

    Result<RegisterResult> reg = admin.Register({opts.file, source->text(), opts.project, opts.domain, ""});
    if (!reg.ok()) {
      if (reg.status().code() == StatusCode::kInvalidSpec) {
        std::cerr << reg.status().message();
        return kExitUsage;
      }
      std::fprintf(stderr, "flyte run: %s\n", reg.status().message().c_str());
      return reg.status().code() == StatusCode::kAlreadyExists ? kExitUsage : kExitInternal;
    }
    req.project = reg->project;
    req.domain = reg->domain;
    req.version = reg->version;
    req.name = opts.name;
    req.target = opts.target;
    req.overwrite_cache = opts.overwrite_cache;
    req.no_cache = opts.no_cache;
    req.stream_output = opts.verbose;
    if (opts.max_parallelism >= 0) req.max_parallelism = static_cast<uint32_t>(opts.max_parallelism);

    // Estimate from the last successful run of the same target.
    std::optional<int64_t> eta;
    if (auto last = admin.store().LastDuration(req.project, req.domain, opts.target); last.ok()) eta = *last;
    const bool tty = ::isatty(STDERR_FILENO) != 0 && std::getenv("TERM") != nullptr &&
                     std::string(std::getenv("TERM")) != "dumb";
    RunView view(&loop, stderr, tty, opts.verbose, eta);
    admin.Subscribe(&view);
    admin.OnFlushed([&view] { view.Flush(); });
    admin.AbortOnSignals();

    Result<ExecutionKey> key = admin.CreateExecution(req);
    if (!key.ok()) {
      std::fprintf(stderr, "flyte run: %s\n", key.status().message().c_str());
      StatusCode c = key.status().code();
      return c == StatusCode::kInvalidArgument || c == StatusCode::kNotFound ||
                     c == StatusCode::kAlreadyExists
                 ? kExitUsage
                 : kExitInternal;
    }
    Status st = admin.RunUntilDone(*key);
    const ExecutionState* e = admin.Live(*key);
    if (e == nullptr) {
      std::fprintf(stderr, "flyte run: the execution vanished\n");
      return kExitInternal;
    }
    view.Finish(*e);
    if (!st.ok()) std::fprintf(stderr, "flyte run: warning: %s\n", st.message().c_str());
    if (opts.output == "json") {
      std::cout << RunReport(*e).ToCanonicalJson() << "\n";
    } else if (opts.output == "yaml") {
      std::cout << ToYaml(RunReport(*e));
    } else {
      std::cout << OutputsTable(*e);
    }
    std::cout.flush();
    if (!opts.junit.empty()) {
      std::ofstream out(opts.junit);
      out << JunitXml(*e);
      if (!out) std::fprintf(stderr, "flyte run: cannot write %s\n", opts.junit.c_str());
    }
    if (admin.interrupted()) {
      code = 130;
    } else if (e->phase != ExecutionPhase::kSucceeded) {
      code = kExitFailed;
    } else if (!st.ok()) {
      code = kExitInternal;
    }
  }
  uv_run(&loop, UV_RUN_NOWAIT);
  uv_loop_close(&loop);
  return code;
}

}  // namespace flyte::cli
