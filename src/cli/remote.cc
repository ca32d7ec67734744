// Commands that change things on a flyte server: register, terminate, relaunch, signal,
// approve, reject, and `flyte config init`. Each resolves the endpoint (--endpoint,
// FLYTE_ENDPOINT, $FLYTE_HOME/config.yaml) and calls the admin API through RemoteAdmin.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/admin_access.h"
#include "cli/commands.h"
#include "util/strings.h"

namespace flyte::cli {
namespace {

// Opens the configured server, printing why not on failure.
bool Open(AdminAccess& access, const char* cmd) {
  if (access.remote() != nullptr) return true;
  std::fprintf(stderr, "flyte %s: %s\n", cmd, access.error().c_str());
  return false;
}

int Report(const char* cmd, const Status& st) {
  if (st.ok()) return kExitOk;
  std::fprintf(stderr, "flyte %s: %s\n", cmd, st.message().c_str());
  return ExitFor(st);
}

ExecutionKey KeyOf(const RemoteOptions& o, const AdminAccess& access) {
  return {o.project.empty() ? access.default_project() : o.project,
          o.domain.empty() ? access.default_domain() : o.domain, o.execution};
}

}  // namespace

int RunRegister(const RegisterOptions& opts) {
  AdminAccess access(opts.home, opts.endpoint, /*remote_only=*/true);
  if (!Open(access, "register")) return access.error_exit();
  int status = kExitOk;
  for (const std::string& file : opts.files) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
      std::fprintf(stderr, "flyte register: cannot read %s\n", file.c_str());
      return kExitUsage;
    }
    std::ostringstream text;
    text << in.rdbuf();
    std::error_code ec;
    std::string project = opts.project, domain = opts.domain;
    ApplyClientDefaults(opts.home, text.str(), project, domain);
    RegisterRequest req{std::filesystem::absolute(file, ec).string(), text.str(), project, domain,
                        opts.version};
    Result<RegisterResult> r = access.remote()->Register(req);
    if (!r.ok()) {
      // Compile errors come back formatted FILE:LINE:COL, like flyte validate's.
      std::fprintf(stderr, "%s%s\n",
                   r.status().code() == StatusCode::kUnavailable ? "flyte register: " : "",
                   r.status().message().c_str());
      status = ExitFor(r.status());
      continue;
    }
    std::cout << "registered " << file << " as " << r->project << "/" << r->domain << " version "
              << r->version << "\n";
    for (const RegisteredEntity& e : r->entities) {
      std::cout << "  " << (e.created ? "created   " : "unchanged ") << e.kind << " " << e.name
                << "\n";
    }
  }
  return status;
}

int RunTerminate(const RemoteOptions& opts) {
  AdminAccess access(opts.home, opts.endpoint, true);
  if (!Open(access, "terminate")) return access.error_exit();
  Status st = access.remote()->Terminate(
      KeyOf(opts, access), opts.value.empty() ? "terminated by flyte terminate" : opts.value);
  if (st.ok()) std::cout << "terminating " << opts.execution << "\n";
  return Report("terminate", st);
}

int RunRelaunch(const RemoteOptions& opts) {
  AdminAccess access(opts.home, opts.endpoint, true);
  if (!Open(access, "relaunch")) return access.error_exit();
  Result<ExecutionKey> key = access.remote()->Relaunch(KeyOf(opts, access), opts.name);
  if (!key.ok()) return Report("relaunch", key.status());
  std::cout << key->name << "\n";
  return kExitOk;
}

int RunRecover(const RemoteOptions& opts) {
  AdminAccess access(opts.home, opts.endpoint, true);
  if (!Open(access, "recover")) return access.error_exit();
  Result<ExecutionKey> key = access.remote()->Recover(KeyOf(opts, access), opts.name);
  if (!key.ok()) return Report("recover", key.status());
  std::cout << key->name << "\n";
  return kExitOk;
}

int RunSignal(const RemoteOptions& opts) {
  AdminAccess access(opts.home, opts.endpoint, true);
  const char* cmd = opts.command.c_str();
  if (!Open(access, cmd)) return access.error_exit();
  std::string value = opts.command == "approve"  ? "true"
                      : opts.command == "reject" ? "false"
                                                 : opts.value;
  Status st = access.remote()->Signal(KeyOf(opts, access), opts.signal, value);
  if (st.ok())
    std::cout << opts.command << " " << opts.signal << " of " << opts.execution << ": ok\n";
  return Report(cmd, st);
}

int RunLaunchPlanState(const RemoteOptions& opts) {
  AdminAccess access(opts.home, opts.endpoint, true);
  if (!Open(access, "launchplan")) return access.error_exit();
  const bool active = opts.command == "activate";
  ExecutionKey key = KeyOf(opts, access);
  Status st =
      access.remote()->SetLaunchPlanState(key.project, key.domain, opts.signal, opts.value, active);
  if (st.ok()) {
    std::cout << "launch plan " << opts.signal
              << (opts.value.empty() ? "" : " version " + opts.value) << " is "
              << (active ? "active" : "inactive") << "\n";
  }
  return Report("launchplan", st);
}

int RunConfigInit(const ConfigInitOptions& opts) {
  const std::string home = opts.home.empty() ? DefaultHome() : opts.home;
  const std::string path = home + "/config.yaml";
  std::error_code ec;
  if (std::filesystem::exists(path, ec) && !opts.force) {
    std::fprintf(stderr, "flyte config init: %s exists; pass --force to replace it\n",
                 path.c_str());
    return kExitUsage;
  }
  std::filesystem::create_directories(home, ec);
  std::ofstream out(path);
  out << "# flyte client configuration (close to Flyte's ~/.flyte/config.yaml).\n"
      << "admin:\n"
      << "  endpoint: " << (opts.endpoint.empty() ? "http://127.0.0.1:8080" : opts.endpoint) << "\n"
      << "  insecure: true\n";
  if (!out) {
    std::fprintf(stderr, "flyte config init: cannot write %s\n", path.c_str());
    return kExitInternal;
  }
  std::cout << "wrote " << path << "\n";
  return kExitOk;
}

}  // namespace flyte::cli
