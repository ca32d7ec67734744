// Runs task attempts as local processes on the libuv loop (WORKFLOW.md §3.1).
// Each attempt is its own session and process group, so aborting it (SIGTERM, then SIGKILL
// after a grace period) ends the whole tree, and leftovers are killed when the leader exits.
// stdout and stderr go straight to per-attempt log files; with streaming on they pass through
// pipes that the loop copies to the files and reports line by line. Output files are read on
// the loop when they are small scalars and on libuv's thread pool when files or folders must
// be hashed into the blob store. With a supervisor, each task runs under `flyte __supervise`,
// which records its exit status in the attempt folder; Adopt() follows such an attempt after a
// restart, or reads how it ended. Single-threaded: use from the loop thread only.
#pragma once

#include <uv.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "flyte/runner.h"
#include "runner/blobs.h"
#include "storage/data_stores.h"

namespace flyte {

class LocalRunner : public Runner {
 public:
  struct Options {
    int64_t abort_grace_nanos = 10'000'000'000;
    std::string blob_root;  // empty: file outputs stay where the task wrote them
    // Borrowed: where values live (the blob folder, the raw_data_prefix). With a prefix, file
    // and folder outputs are uploaded; s3:// inputs are fetched into the blob folder before
    // the task starts, on libuv's thread pool. Null: neither.
    storage::DataStores* stores = nullptr;
    // The flyte executable, to run each task under `flyte __supervise` (runner/supervise.h)
    // so that it survives us and can be adopted after a restart; empty: tasks are our own
    // children only (`flyte run`, which ends its tasks when it ends).
    std::string supervisor;
    // The supervisor for tasks with secrets when there is no `supervisor` (the flyte
    // executable, or the static one): their output passes through it, which keeps secret
    // values out of the log files.
    std::string flyte_binary;
    // Called once, at the first task with secrets, for a faster supervisor to use instead of
    // `flyte_binary` (the static one, installed in the home); empty: keep `flyte_binary`.
    // `flyte run` installs it only then: checking the installed copy reads 750 KB, which was
    // a tenth of the start-up of a run that has no secrets (docs/benchmarks.md, run 11). It
    // runs on the loop thread, once per process (~1 ms; the spawn it precedes blocks as long).
    std::function<std::string()> install_supervisor;
    // With `supervisor`: the tasks end with us, however we end (kill -9 included), and keep
    // no records to adopt (flyte run); false: they outlive us (a server restarts and adopts).
    bool tasks_end_with_us = false;
    // Without a supervisor, with this process a subreaper (PR_SET_CHILD_SUBREAPER, set by the
    // caller): when an attempt ends, kill the processes of its tree that left its process
    // group and came to us, known by FLYTE_OUTPUT_DIR in their environment (runner/orphans.h).
    bool sweep_orphans = false;
    // Each of an attempt's stdout and stderr keeps at most this many bytes, its head and its
    // tail (runner/log_cap.h); 0: no cap. Checked this often while tasks run.
    uint64_t max_log_bytes = uint64_t{64} << 20;
    int64_t log_check_nanos = 1'000'000'000;
    // Where secret NAME is read from (a file NAME) when FLYTE_SECRET_<NAME> is not set.
    std::string secrets_dir;
  };
  LocalRunner(uv_loop_t* loop, Options options);
  ~LocalRunner() override;

  void SetCallbacks(DoneFn done, OutputFn output) override;
  void Start(TaskLaunch launch) override;
  void Abort(uint64_t id) override;
  // SIGKILL to every attempt's process group now, without waiting out the grace period of
  // those being aborted (a second Ctrl-C). Their results arrive as usual.
  void KillAll();
  void Adopt(TaskLaunch launch) override;
  size_t running() const override { return attempts_.size() + fetching_.size(); }

 private:
  struct Attempt;
  struct Stream;

  // Secret `name`: $FLYTE_SECRET_<NAME>, else the file secrets_dir/name (one trailing newline
  // dropped); nullopt when neither exists.
  std::optional<std::string> SecretValue(const std::string& name) const;
  std::vector<std::string> SecretValues(const CompiledTask& task) const;
  static void HandleClosed(Attempt* a);
  void Finish(Attempt* a);
  void Deliver(uint64_t id, AttemptResult result);
  static void OnExit(uv_poll_t* watch, int status, int events);
  static void OnExitPoll(uv_timer_t* timer);
  static void Exited(Attempt* a);
  static void OnGrace(uv_timer_t* timer);
  static void OnDeferred(uv_idle_t* idle);
  static void OnLogCheck(uv_timer_t* timer);
  void StartLogCheck();
  void Watch(Attempt* a);
  // Start, once s3:// inputs are in the blob folder.
  void Launch(TaskLaunch launch);
  void FetchThenLaunch(TaskLaunch launch);

  uv_loop_t* loop_;
  Options options_;
  std::unique_ptr<BlobStore> blobs_;
  DoneFn done_;
  OutputFn output_;
  std::unordered_map<uint64_t, Attempt*> attempts_;
  // Results delivered on the next loop turn (spawn failures are known inside Start).
  std::vector<std::pair<uint64_t, AttemptResult>> deferred_;
  std::vector<Attempt*> deferred_finish_;  // adopted attempts that had already ended
  // Attempts whose inputs are being fetched; true once aborted meanwhile.
  std::unordered_map<uint64_t, bool> fetching_;
  uv_idle_t idle_;
  uv_timer_t log_check_;  // keeps running logs under the cap
};

}  // namespace flyte
