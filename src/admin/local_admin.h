// The in-process admin service over a home folder: registration, launching (admin/launch.h),
// resumption and reads, over parts its caller builds and hands in (Parts: the SQLite store, the
// blob area, the clock, the local runner, the loop's hooks); cli/assemble.h builds them on a
// libuv loop. It knows no event loop: the caller runs the loop (`flyte run` until its
// execution ends, `flyte serve` until shutdown). Use from the loop thread only.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "admin/launch.h"
#include "admin/schedule_host.h"
#include "flyte/admin.h"
#include "flyte/compiler.h"
#include "runner/blobs.h"
#include "runner/file_logs.h"
#include "runner/loop_hooks.h"
#include "runner/routing_runner.h"
#include "storage/data_stores.h"

namespace flyte {

class LocalAdmin : public AdminService, public ScheduleHost {
 public:
  struct Options {
    std::string home;
    int64_t abort_grace_nanos = 10'000'000'000;
    // A server drops finished executions from memory once their final state is committed;
    // `flyte run` keeps its one execution to print the report.
    bool keep_finished = true;
    // Run tasks under the supervisor (runner/supervise.h) so that they survive this process
    // and a restart can adopt them: the server does; `flyte run` ends its tasks with itself.
    bool supervise = false;
    // How long RunUntilDone keeps retrying to record an execution's final state when the
    // store refuses (a full disk) before it gives up and says so.
    int64_t store_retry_nanos = 10'000'000'000;
    // While executions run, their changes are committed at most once per this many ms (what
    // comes in between waits, at most this long, for the next commit); 0: after every loop
    // turn. A group commit: `flyte run` uses it, so that a chain of short tasks pays one
    // transaction per few tasks, not one per task (docs/architecture.md, "The database files").
    // What a crash loses is the last few ms of states, which a restart treats as it treats any
    // attempt in flight. Readers see a state once it is committed; the run's view prints it then.
    uint64_t commit_every_ms = 0;
    // Tests: a forwarding wrapper put between the recorder and the store, to inject faults.
    std::function<std::unique_ptr<StateWriter>(StateWriter& store)> wrap_writes;
    // Cap per attempt and stream on task logs (runner/log_cap.h); 0: none.
    uint64_t max_log_bytes = uint64_t{64} << 20;
    // Where values live: the blob folder and the raw_data_prefix (storage/data_stores.h), opened
    // by the caller so that a bad prefix is its usage error; null: the blob folder only.
    std::shared_ptr<storage::DataStores> data_stores;
  };
  // What ResumeOrphans did.
  struct ResumeReport {
    std::vector<ExecutionKey> resumed;  // continued here
    std::vector<ExecutionKey> ended;    // could not be continued: recorded as ended
    std::vector<std::string> messages;  // why, one per ended execution
  };
  // The parts an admin works with, built by its caller (cli/assemble.h builds them on a libuv
  // loop for `flyte run` and `flyte serve`; a test may build others).
  struct Parts {
    std::unique_ptr<Store> store;
    std::unique_ptr<BlobStore> blobs;
    std::shared_ptr<storage::DataStores> data_stores;
    std::unique_ptr<Clock> clock;
    // Local processes: every task kind runs here until a cluster runner is routed in.
    std::unique_ptr<Runner> local;
    std::function<void()> kill_tasks_now;  // a second Ctrl-C: no grace period
    std::unique_ptr<LoopHooks> loop;
    // Why tasks run under the slower `flyte __supervise` (the static supervisor could not be
    // installed in the home); empty normally.
    std::string supervisor_warning;
  };
  // REQUIRES: every part but kill_tasks_now is set; the store and blobs are in options.home.
  static std::unique_ptr<LocalAdmin> Assemble(Parts parts, Options options);
  // The home folder as Open uses it: absolute, normalized (its blob folder is HOME/blobs).
  static std::string AbsoluteHome(const std::string& home);
  ~LocalAdmin() override;

  Result<RegisterResult> Register(const RegisterRequest& request) override;
  Result<ExecutionKey> CreateExecution(const CreateExecutionRequest& request) override;
  Result<ExecutionRecord> GetExecution(const ExecutionKey& key) override;
  Result<std::vector<ExecutionRecord>> ListExecutions(const ExecutionFilter& filter) override;
  Result<std::vector<NodeRecord>> ListNodes(const ExecutionKey& key) override;
  Result<std::vector<AttemptRecord>> ListAttempts(const ExecutionKey& key,
                                                  const std::string& node) override;
  Result<std::string> ReadLogs(const ExecutionKey& key, const std::string& node,
                               std::optional<uint32_t> attempt) override;
  Status Terminate(const ExecutionKey& key, const std::string& cause) override;
  Status Signal(const ExecutionKey& key, const std::string& name,
                const std::string& value) override;
  Result<ExecutionKey> Relaunch(const ExecutionKey& key, const std::string& name) override;
  Result<ExecutionKey> Recover(const ExecutionKey& key, const std::string& name) override;
  // Continues every unfinished execution whose process is gone: a server's (killed or
  // crashed) resumes here, its running tasks adopted; one of `flyte run` (which ended its
  // tasks with it) is recorded as ABORTED. Executions of a process still running are left alone.
  Result<ResumeReport> ResumeOrphans();
  // Only the second half of that, for `flyte run`: executions of `flyte run` processes that
  // are gone (killed, or unable to record their end) are recorded as ABORTED, so none stays
  // RUNNING without a process. A server's are left for the server to continue.
  Result<ResumeReport> EndAbandonedRuns();
  Status SetLaunchPlanState(const std::string& project, const std::string& domain,
                            const std::string& name, const std::string& version,
                            bool active) override;
  Result<std::vector<ProjectRecord>> ListProjects() override;
  Status PutProject(const ProjectRecord& project) override;
  Result<std::vector<EntityRecord>> ListEntities(const std::string& kind,
                                                 const std::string& project,
                                                 const std::string& domain, const std::string& name,
                                                 const std::string& version) override;
  Result<std::vector<CacheRecord>> ListCache(const std::string& task) override;
  Result<int64_t> ClearCache(const std::string& task) override;

  // Live state, for observers and front doors on the loop thread.
  void Subscribe(EngineObserver* observer) { engine_->AddObserver(observer); }
  const ExecutionState* Live(const ExecutionKey& key) const { return engine_->Find(key); }
  // Called after each loop turn's writes are committed: what is reported from here on is
  // already durable.
  void OnFlushed(std::function<void()> fn) { on_flushed_ = std::move(fn); }
  // SIGINT / SIGTERM abort every running execution; interrupted() tells whether one came.
  void AbortOnSignals();
  std::vector<ExecutionKey> ActiveKeys() const { return engine_->ActiveKeys(); }
  bool interrupted() const { return interrupted_ != 0; }
  int interrupt_signal() const { return interrupted_; }
  // Why tasks run under the slower `flyte __supervise`: the static supervisor could not be
  // installed in the home. Empty normally.
  const std::string& supervisor_warning() const { return supervisor_warning_; }
  // Runs the loop until `key` is terminal and its state is committed. When the store refuses
  // the final writes, retries for Options::store_retry_nanos, then returns the store's error.
  Status RunUntilDone(const ExecutionKey& key);
  // Why the store refuses writes right now (the recorder retries with backoff until it takes
  // them); OK when it does not. `fn` is called on the loop thread when that changes.
  const Status& store_error() const { return store_error_; }
  void OnStoreHealth(std::function<void(const Status&)> fn) { on_store_health_ = std::move(fn); }
  Store& store() { return *store_; }
  // Where tasks of each executor kind run; configure before the first execution.
  RoutingRunner& runners() { return *routing_; }
  // Where values live (the blob folder, the raw_data_prefix): for the Pod runner and the API.
  storage::DataStores& data_stores() { return *data_stores_; }
  // The compiled form of a registered source, by digest (compiled once per process).
  Result<std::shared_ptr<const CompiledFile>> Compiled(const std::string& digest) override {
    return CompiledSource(digest);
  }
  // Called when a launch plan version becomes active or inactive, before the change is
  // committed; an error refuses the change (a schedule the server cannot keep).
  using LaunchPlanHook = std::function<Status(const EntityRecord& plan, bool active)>;
  void OnLaunchPlanState(LaunchPlanHook hook) { on_launch_plan_state_ = std::move(hook); }
  // When the server's scheduler fires a launch plan next (ns, or <= 0 for never); listed
  // launch plans carry it as next_fire. Unset without a scheduler.
  using NextFireHook = std::function<int64_t(const std::string& project, const std::string& domain,
                                             const std::string& name)>;
  void OnNextFire(NextFireHook hook) { next_fire_ = std::move(hook); }
  // ScheduleHost: the scheduler's view.
  bool HasRunning(const std::string& project, const std::string& domain,
                  const std::string& launch_plan) const override;
  Result<std::vector<ScheduleRecord>> ListSchedules() override { return store_->ListSchedules(); }
  Status PutSchedule(const ScheduleRecord& schedule) override {
    return store_->PutSchedule(schedule);
  }
  Status DeleteSchedule(const std::string& project, const std::string& domain,
                        const std::string& name) override {
    return store_->DeleteSchedule(project, domain, name);
  }
  Status RecordFire(const std::string& project, const std::string& domain, const std::string& name,
                    int64_t fire_nanos) override {
    return store_->RecordFire(project, domain, name, fire_nanos);
  }
  const std::string& home() const { return options_.home; }
  // Where task logs are read (local files): readers off the loop thread use it directly.
  LogSource& logs() { return logs_; }

 private:
  LocalAdmin(Parts parts, Options options);
  // The compiled form of a stored source (compiled once per process, from the path it was
  // registered from, so task workdirs resolve as they did then).
  Result<std::shared_ptr<const CompiledFile>> CompiledSource(const std::string& digest);
  Status FlushNow();
  // After a loop turn: commits now, or (Options::commit_every_ms) soon.
  void AfterTurn();
  // After a failed flush, the next try waits on this timer, each wait longer than the last.
  void ScheduleRetry();
  Result<ResumeReport> EndOrphans(bool resume_servers);
  Result<ExecutionKey> Create(const CreateExecutionRequest& request,
                              std::shared_ptr<const PriorRun> prior);
  // What an execution's rows say of its nodes, attempts and child executions.
  // `file` (resume): the execution's compiled source, to read back the signals each level
  // (the execution and its launch-plan children) had received.
  Result<std::shared_ptr<PriorRun>> LoadPrior(const ExecutionKey& key, PriorRun::Mode mode,
                                              int depth, const CompiledFile* file = nullptr);
  Status Resume(const ExecutionRecord& record);
  // Signals the engine and keeps the execution's signals in its row.
  Status Deliver(const ExecutionKey& key, const std::string& name, Value value);
  Result<ExecutionRecord> TopLevel(const ExecutionKey& key, const char* verb);
  // What PlanLaunch needs from here for `file`: runners, the run folder, the time, defaults.
  LaunchContext LaunchContextFor(std::shared_ptr<const CompiledFile> file) const;

  Options options_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<BlobStore> blobs_;
  std::shared_ptr<storage::DataStores> data_stores_;
  std::unique_ptr<Clock> clock_;
  std::unique_ptr<Runner> runner_;
  std::function<void()> kill_tasks_now_;
  // After the runner and clock: the destructor lets their handles close through it.
  std::unique_ptr<LoopHooks> loop_;
  std::unique_ptr<RoutingRunner> routing_;  // what the engine runs tasks through
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<StateWriter> writer_;  // Options::wrap_writes, if any
  std::unique_ptr<Recorder> recorder_;
  FileLogs logs_;
  std::map<std::string, std::shared_ptr<const CompiledFile>> compiled_;  // by source digest
  NextFireHook next_fire_;
  std::function<void()> on_flushed_;
  LaunchPlanHook on_launch_plan_state_;
  uint64_t retry_ms_ = 0;      // the last wait; 0 while the store takes writes
  uint64_t committed_ms_ = 0;  // the loop's time at the last commit (commit_every_ms)
  int interrupted_ = 0;
  std::string supervisor_warning_;
  Status store_error_;
  std::function<void(const Status&)> on_store_health_;
};

}  // namespace flyte
