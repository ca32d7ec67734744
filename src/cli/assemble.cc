#include "cli/assemble.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "runner/blobs.h"
#include "runner/local_runner.h"
#include "runner/supervisor_file.h"
#include "runner/uv_clock.h"
#include "runner/uv_loop_hooks.h"
#include "storage/data_stores.h"
#include "util/proc.h"

namespace flyte::cli {
namespace {

namespace fs = std::filesystem;

}  // namespace

Result<std::unique_ptr<LocalAdmin>> OpenLocalAdmin(uv_loop_t* loop, LocalAdmin::Options options) {
  std::error_code ec;
  // Tasks run in folders of their own, where a relative home (--home h, or ./.flyte when
  // there is no $HOME, as under env -i) would name another place.
  fs::path absolute_home = fs::absolute(options.home, ec);
  if (ec) return IOError("cannot resolve the home folder " + options.home + ": " + ec.message());
  options.home = absolute_home.lexically_normal().string();
  fs::create_directories(options.home + "/blobs", ec);
  fs::create_directories(options.home + "/runs", ec);
  if (ec) return IOError("cannot create the home folder " + options.home + ": " + ec.message());
  LocalAdmin::Parts parts;
  ASSIGN_OR_RETURN(parts.store, Store::Open(options.home + "/flyte.db"));
  parts.blobs = std::make_unique<BlobStore>(options.home + "/blobs");
  parts.data_stores = options.data_stores;
  if (parts.data_stores == nullptr) {
    ASSIGN_OR_RETURN(parts.data_stores, storage::DataStores::Open(options.home + "/blobs", "",
                                                                  storage::AwsEnvironment()));
  }
  parts.clock = std::make_unique<UvClock>(loop);
  parts.loop = std::make_unique<UvLoopHooks>(loop);
  LocalRunner::Options runner_options;
  runner_options.abort_grace_nanos = options.abort_grace_nanos;
  runner_options.max_log_bytes = options.max_log_bytes;
  runner_options.blob_root = options.home + "/blobs";
  runner_options.stores = parts.data_stores.get();
  // Secrets: $FLYTE_SECRET_<NAME>, else a file in $FLYTE_SECRETS_DIR (default HOME/secrets).
  const char* secrets_dir = std::getenv("FLYTE_SECRETS_DIR");
  runner_options.secrets_dir =
      secrets_dir != nullptr && *secrets_dir != '\0' ? secrets_dir : options.home + "/secrets";
  std::error_code exe_ec;
  runner_options.flyte_binary = fs::read_symlink("/proc/self/exe", exe_ec).string();
  if (options.supervise) {
    if (exe_ec)
      return IOError("cannot find the flyte executable to supervise tasks: " + exe_ec.message());
    // The static supervisor starts several times faster than the flyte binary; a home where
    // it cannot be written or executed still gets crash-safe tasks, only slower ones.
    Result<std::string> installed = InstallSupervisor(options.home + "/bin");
    if (installed.ok()) {
      runner_options.supervisor = *installed;
    } else {
      runner_options.supervisor = runner_options.flyte_binary;
      parts.supervisor_warning =
          installed.status().message() + "; tasks run under `flyte __supervise` instead";
    }
  } else {
    // Tasks run as our own children (a supervisor per task would double the cost of a start);
    // those with secrets go through the supervisor, which then ends with us. The static one
    // where it can be written: it starts several times faster than the flyte binary.
    runner_options.tasks_end_with_us = true;
    runner_options.sweep_orphans = true;
    runner_options.install_supervisor = [bin = options.home + "/bin"] {
      Result<std::string> installed = InstallSupervisor(bin);
      return installed.ok() ? *installed : std::string();
    };
  }
  parts.store->set_owner(std::string(options.supervise ? "serve:" : "run:") +
                         ProcessIdentity(::getpid()));
  auto local = std::make_unique<LocalRunner>(loop, std::move(runner_options));
  LocalRunner* runner = local.get();
  parts.kill_tasks_now = [runner] { runner->KillAll(); };
  parts.local = std::move(local);
  return LocalAdmin::Assemble(std::move(parts), std::move(options));
}

}  // namespace flyte::cli
