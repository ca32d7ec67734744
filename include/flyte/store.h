// The metadata store: one SQLite database in the home folder (WAL mode) holding projects,
// registered entities (tasks, workflows, launch plans, with the file they came from),
// executions, node executions, task attempts, every phase change, and the task cache.
// Rows are projections of the engine's state, written by the Recorder in one transaction per
// loop turn. Not thread-safe: use a Store from one thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "flyte/engine.h"
#include "flyte/status.h"

namespace flyte {

namespace sql {
class Db;
}

struct EntityRecord {
  std::string kind;  // "task", "workflow", "launch_plan"
  std::string project, domain, name, version;
  std::string digest;  // of the entity's definition
  std::string source;  // digest of the file it came from
  std::string state;   // launch plans: ACTIVE / INACTIVE
  int64_t created_at = 0;
  // Launch plans, as listed by the admin (not stored): the schedule as written ("0 3 * * *
  // Europe/Paris", "every 5m"; empty: none), and when a server's scheduler fires it next (ns;
  // 0: not scheduled, e.g. inactive, or no server).
  std::string schedule{};
  int64_t next_fire = 0;
};

// Why an execution exists (Flyte's ExecutionMetadata.ExecutionMode): "MANUAL", "SCHEDULED"...
enum class ExecutionMode : uint8_t {
  kManual,
  kScheduled,
  kSystem,
  kRelaunch,
  kChildWorkflow,
  kRecovered
};
std::string_view ExecutionModeName(ExecutionMode mode);
// Case-insensitive.
std::optional<ExecutionMode> ParseExecutionMode(std::string_view s);

// Rows hold phases, modes, node kinds and cache statuses as enums: their text is parsed once,
// where it comes in (a store row, an API answer), and spelled once, where it goes out.
struct ExecutionRecord {
  ExecutionKey key;
  std::string workflow;  // or the task, for a single-task run
  std::string launch_plan;
  std::string version;
  std::string source;  // digest of the source file
  ExecutionPhase phase = ExecutionPhase::kQueued;
  int64_t created_at = 0, started_at = 0, ended_at = 0;
  std::string inputs_json, outputs_json;
  std::string error_code, error_message, error_node;
  std::string run_dir;
  ExecutionMode mode = ExecutionMode::kManual;
  std::string parent;              // "EXECUTION/NODE" for the child execution of a launch-plan node
  std::string owner;               // the process running it (Store::set_owner), while it runs
  std::string labels_json = "{}";  // {"key": "value"}
  // What it was asked for beyond its inputs (admin/stored_request.h; empty in rows from
  // before that was kept) and the signals it received ({"NAME": value}).
  std::string options_json;
  std::string signals_json = "{}";
};

struct NodeRecord {
  std::string node_id, parent_id;
  spec::NodeKind kind = spec::NodeKind::kTask;
  std::string target;
  NodePhase phase = NodePhase::kQueued;
  CacheStatus cache_status = CacheStatus::kDisabled;
  uint32_t attempts = 0;
  int64_t queued_at = 0, started_at = 0, ended_at = 0;
  std::string error_code, error_message, tail;
  std::string outputs_json;
  std::string child_execution;  // launch-plan nodes: the execution they started
  // {"name": value} as its target received them; empty until it runs.
  std::string inputs_json{};
};

struct AttemptRecord {
  std::string node_id;
  uint32_t attempt = 0;
  TaskPhase phase = TaskPhase::kQueued;
  int64_t started_at = 0, ended_at = 0;
  int exit_code = 0;
  std::string reason, stdout_path, stderr_path;
  std::string where;  // "pod NAMESPACE/NAME" for Pod tasks
};

struct CacheRecord {
  std::string key, task, project, domain, producer;
  int64_t created_at = 0;
  std::optional<int64_t> expires_at;
  std::string outputs_json;
};

// One term of a list filter, in Flyte's filter language: eq(phase,RUNNING),
// gte(created_at,...), value_in(name,a;b), eq(labels.team,ml). Fields are checked by the store
// (NotFound-free: an unknown field is InvalidArgument); time fields take nanoseconds since the
// epoch as text.
struct FieldCondition {
  enum class Op : uint8_t { kEq, kNe, kGt, kGte, kLt, kLte, kContains, kValueIn };
  std::string field;
  Op op = Op::kEq;
  std::vector<std::string> values;  // one, except for value_in
};

struct ExecutionFilter {
  std::string project, domain;  // empty: any
  std::string workflow;         // empty: any
  std::string name;             // empty: any
  std::optional<std::string> phase;
  std::vector<FieldCondition> conditions;
  std::string sort_key = "created_at";  // a field; ties broken by name
  bool ascending = false;
  uint32_t offset = 0;
  uint32_t limit = 100;
};

// An active launch plan's schedule: which version, since when, and the last fire handled.
struct ScheduleRecord {
  std::string project, domain, name, version;
  int64_t activated_at = 0;
  int64_t last_fire = 0;
};

struct ProjectRecord {
  std::string id, name, description;
  int64_t created_at = 0;
};

// The writes the Recorder makes, one transaction per flush. The Store is the real one; tests
// put a forwarding wrapper in between to fail chosen writes (tests/support/failing_writer.h).
class StateWriter {
 public:
  virtual ~StateWriter() = default;
  virtual Status Begin() = 0;
  virtual Status Commit() = 0;
  virtual Status Rollback() = 0;
  virtual Status UpsertExecutionState(const ExecutionState& e) = 0;
  virtual Status UpsertNode(const ExecutionState& e, const NodeState& n) = 0;
  virtual Status UpsertAttempt(const ExecutionState& e, const NodeState& n,
                               const AttemptState& a) = 0;
  virtual Status AppendEvent(const ExecutionKey& key, const std::string& node, int attempt,
                             const std::string& phase, int64_t at) = 0;
};

class Store : public CacheBackend, public StateWriter {
 public:
  // Opens (creating and migrating as needed) the database at `path`.
  static Result<std::unique_ptr<Store>> Open(const std::string& path);
  ~Store() override;
  int schema_version() const { return schema_version_; }
  // The database file, for messages.
  const std::string& path() const { return path_; }

  // Projects. Registering into a project creates it.
  Status PutProject(const ProjectRecord& p);  // insert or update name/description
  Result<std::vector<ProjectRecord>> ListProjects();
  Result<std::optional<ProjectRecord>> GetProject(const std::string& id);

  // Registration. A source is the text of a workflow file, stored once by digest.
  Status PutSource(const std::string& digest, const std::string& path, const std::string& text);
  struct SourceRecord {
    std::string path;
    std::string content;
  };
  Result<std::optional<SourceRecord>> GetSource(const std::string& digest);
  // Inserts an entity; an existing id with the same digest is fine, a different one is
  // AlreadyExists with a message saying so.
  Status PutEntity(const EntityRecord& e);
  // Entities by kind (empty: any), name (empty: any) and version (empty: any), newest first.
  Result<std::vector<EntityRecord>> FindEntities(const std::string& kind,
                                                 const std::string& project,
                                                 const std::string& domain, const std::string& name,
                                                 const std::string& version);
  Result<std::optional<EntityRecord>> GetEntity(const std::string& kind, const std::string& project,
                                                const std::string& domain, const std::string& name,
                                                const std::string& version);

  // Launch-plan activation: one ACTIVE version per name (active=false: none).
  Status SetLaunchPlanState(const std::string& project, const std::string& domain,
                            const std::string& name, const std::string& version, bool active);
  // Schedules of active launch plans.
  Status PutSchedule(const ScheduleRecord& r);
  Status RecordFire(const std::string& project, const std::string& domain, const std::string& name,
                    int64_t last_fire);
  Status DeleteSchedule(const std::string& project, const std::string& domain,
                        const std::string& name);
  Result<std::vector<ScheduleRecord>> ListSchedules();

  // API tokens, by the SHA-256 hex of the token (the token itself is never stored).
  Status PutToken(const std::string& hash, const std::string& description, int64_t created_at);
  Result<std::vector<std::string>> ListTokenHashes();

  // Executions.
  Status CreateExecution(const ExecutionRecord& r);
  Result<std::optional<ExecutionRecord>> GetExecution(const ExecutionKey& key);
  // InvalidArgument for an unknown filter or sort field.
  Result<std::vector<ExecutionRecord>> ListExecutions(const ExecutionFilter& filter);
  Result<std::vector<NodeRecord>> ListNodes(const ExecutionKey& key);
  Result<std::vector<AttemptRecord>> ListAttempts(const ExecutionKey& key, const std::string& node);
  // Duration of the last successful run of `workflow`, for ETAs.
  Result<std::optional<int64_t>> LastDuration(const std::string& project, const std::string& domain,
                                              const std::string& workflow);
  // Executions that did not reach a terminal phase (after a crash).
  Result<std::vector<ExecutionRecord>> ListUnfinished();
  // Who writes here: executions created from now on record it as their owner.
  void set_owner(std::string owner) { owner_ = std::move(owner); }
  const std::string& owner() const { return owner_; }
  // Makes this process the owner of an execution it resumes.
  Status ClaimExecution(const ExecutionKey& key);
  // The signals an execution has received ({"NAME": value}), for a restart to deliver again.
  Status SetExecutionSignals(const ExecutionKey& key, const std::string& signals_json);
  // Ends an execution nobody runs any more (its process is gone and it cannot be resumed):
  // it and its unfinished nodes and attempts take `phase` with the error given.
  Status EndOrphan(const ExecutionKey& key, ExecutionPhase phase, ExecErrorCode code,
                   const std::string& message, int64_t at);

  // The task cache (CacheBackend).
  Result<std::optional<CacheEntry>> Lookup(const std::string& key, const std::vector<Type>& types,
                                           int64_t now) override;
  Status Put(const CacheEntry& entry) override;
  Result<std::vector<CacheRecord>> ListCache(const std::string& task);
  Result<int64_t> ClearCache(const std::string& task);

  // Values (inputs, outputs, cached outputs) larger than this live in the blob area under
  // the home, content-addressed (blobs/values/ab/<sha256>.json); their rows hold a reference
  // (kValueRefPrefix + sha256) that reads resolve. Smaller ones stay inline, so a phase change
  // and its outputs are still one transaction.
  static constexpr size_t kInlineValueBytes = 64 << 10;
  static constexpr const char* kValueRefPrefix = "@blob:sha256:";
  const std::string& value_dir() const { return value_dir_; }

  // Batching: everything between Begin and Commit is one transaction.
  Status Begin() override;
  Status Commit() override;
  Status Rollback() override;

  // Row writers used by the Recorder (inside a transaction).
  Status UpsertExecutionState(const ExecutionState& e) override;
  Status UpsertNode(const ExecutionState& e, const NodeState& n) override;
  Status UpsertAttempt(const ExecutionState& e, const NodeState& n, const AttemptState& a) override;
  Status AppendEvent(const ExecutionKey& key, const std::string& node, int attempt,
                     const std::string& phase, int64_t at) override;

 private:
  explicit Store(std::unique_ptr<sql::Db> db);
  Status Migrate();
  // A value's JSON as a row keeps it: inline, or a reference to a blob written first.
  Result<std::string> Keep(std::string json);
  // A row's value text back as JSON (references resolved; left as is when the blob is gone,
  // which readers then find unreadable).
  std::string Load(std::string text) const;
  ExecutionRecord Loaded(ExecutionRecord r) const;

  std::unique_ptr<sql::Db> db_;
  int schema_version_ = 0;
  std::string owner_;
  std::string path_;
  std::string value_dir_;  // HOME/blobs/values
};

// Writes the engine's state changes to the store, coalescing them in memory and committing
// them in one transaction per Flush() (once per loop turn), so the hot path never waits for
// SQLite and a run never pays one fsync per event. A flush that fails (a full disk) is rolled
// back whole and its changes stay pending: the next Flush() writes them with whatever came
// since, so a retry after space returns records every state, the final one included.
class Recorder : public EngineObserver {
 public:
  explicit Recorder(StateWriter& store) : store_(store) {}
  void OnExecution(const ExecutionState& e) override;
  void OnNode(const ExecutionState& e, const NodeState& n) override;
  void OnAttempt(const ExecutionState& e, const NodeState& n, const AttemptState& a) override;
  // Commits what is pending. On failure the pending writes are kept for the next try.
  Status Flush();
  bool pending() const { return !dirty_executions_.empty() || !events_.empty(); }
  // Whether Flush() would write anything.
  bool dirty() const { return pending() || !dirty_nodes_.empty() || !dirty_attempts_.empty(); }

 private:
  struct Event {
    ExecutionKey key;
    std::string node;
    int attempt;
    std::string phase;
    int64_t at;
  };
  StateWriter& store_;
  std::vector<const ExecutionState*> dirty_executions_;
  std::vector<std::pair<const ExecutionState*, const NodeState*>> dirty_nodes_;
  std::vector<std::tuple<const ExecutionState*, const NodeState*, uint32_t>> dirty_attempts_;
  std::vector<Event> events_;
};

}  // namespace flyte
