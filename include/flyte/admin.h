// The admin service: the one interface both front doors use. `flyte run` calls an in-process
// LocalAdmin; `flyte serve` exposes the same calls over HTTP, and the remote CLI calls them
// through an HTTP client. No command-line or HTTP logic lives below this line: registering,
// compiling, checking inputs and starting executions all happen here.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "flyte/engine.h"
#include "flyte/status.h"
#include "flyte/store.h"

namespace flyte {

struct CompiledFile;

struct RegisterRequest {
  std::string path;     // where the text came from, for messages and relative workdirs
  std::string content;  // the workflow file's text
  std::string project;  // empty: the file's own
  std::string domain;   // empty: the file's own
  std::string version;  // empty: derived from the content digest
};

struct RegisteredEntity {
  std::string kind;  // "task", "workflow", "launch_plan"
  std::string name;
  bool created = false;  // false when an identical one existed
};

struct RegisterResult {
  std::string project, domain, version;
  std::string source;  // digest of the content
  std::vector<RegisteredEntity> entities;
};

enum class TargetKind : uint8_t { kAuto, kWorkflow, kTask, kLaunchPlan };

struct CreateExecutionRequest {
  std::string project, domain;
  std::string name;  // empty: generated
  TargetKind target_kind = TargetKind::kAuto;
  std::string target;  // empty with kAuto: the only workflow of the registration
  std::string version;
  // `--input k=v`: each value read by the declared type of k.
  std::vector<std::pair<std::string, std::string>> text_inputs;
  // `--inputs FILE`: a YAML or JSON mapping of input names to values.
  std::string inputs_document;
  std::string inputs_document_name;
  // Relaunch: inputs the launch plan fixes may appear in the document and are ignored.
  bool ignore_fixed_inputs = false;
  ExecutionMode mode = ExecutionMode::kManual;  // SCHEDULED for the scheduler's, RELAUNCH...
  std::optional<uint32_t> max_parallelism;
  bool overwrite_cache = false;
  bool no_cache = false;
  bool stream_output = false;
  std::vector<std::pair<std::string, std::string>> env;
  // Labels recorded on the execution, over those of its launch plan (`--label`, API labels).
  std::vector<std::pair<std::string, std::string>> labels;
  // Gate values given up front: `--signal NAME=VALUE`, `--approve NODE`, `--reject NODE`.
  std::vector<std::pair<std::string, std::string>> signals;
  // How long a gate without its own timeout waits for a value (0: forever), and what to tell
  // the user when it gives up.
  int64_t gate_default_timeout_nanos = 0;
  std::string gate_hint;
};

class AdminService {
 public:
  virtual ~AdminService() = default;
  // InvalidSpec (with every diagnostic, formatted, as the message) when the file does not
  // compile; AlreadyExists when a version is reused for a different definition.
  virtual Result<RegisterResult> Register(const RegisterRequest& request) = 0;
  // InvalidArgument for an unknown target or a bad, unknown or missing input.
  virtual Result<ExecutionKey> CreateExecution(const CreateExecutionRequest& request) = 0;
  virtual Result<ExecutionRecord> GetExecution(const ExecutionKey& key) = 0;
  virtual Result<std::vector<ExecutionRecord>> ListExecutions(const ExecutionFilter& filter) = 0;
  virtual Result<std::vector<NodeRecord>> ListNodes(const ExecutionKey& key) = 0;
  // One node's attempts, or (node "") every node's, in node then attempt order.
  virtual Result<std::vector<AttemptRecord>> ListAttempts(const ExecutionKey& key,
                                                          const std::string& node) = 0;
  // A task's output: stdout then stderr of one attempt (default: the last).
  virtual Result<std::string> ReadLogs(const ExecutionKey& key, const std::string& node,
                                       std::optional<uint32_t> attempt) = 0;
  virtual Status Terminate(const ExecutionKey& key, const std::string& cause) = 0;
  // Gives a gate its value: a signal's as text read by its declared type, or an approve
  // gate's ("true" approves, "false" rejects) under its node id.
  virtual Status Signal(const ExecutionKey& key, const std::string& name,
                        const std::string& value) = 0;
  // A new execution of the same target with the same inputs (`name` empty: generated).
  virtual Result<ExecutionKey> Relaunch(const ExecutionKey& key, const std::string& name) = 0;
  // A new execution of an ended one (same target, version and inputs) in which the nodes that
  // succeeded are not run again: they are RECOVERED with their earlier outputs.
  virtual Result<ExecutionKey> Recover(const ExecutionKey& key, const std::string& name) = 0;

  // Makes `version` (empty: the newest) the one ACTIVE version of launch plan `name`, or makes
  // none active. An active plan with a schedule fires on it (under `flyte serve`).
  virtual Status SetLaunchPlanState(const std::string& project, const std::string& domain,
                                    const std::string& name, const std::string& version,
                                    bool active) = 0;

  // Projects; registering into a project creates it.
  virtual Result<std::vector<ProjectRecord>> ListProjects() = 0;
  virtual Status PutProject(const ProjectRecord& project) = 0;
  // Registered tasks, workflows and launch plans (kind "" for all), newest first; empty name
  // or version match any.
  virtual Result<std::vector<EntityRecord>> ListEntities(const std::string& kind,
                                                         const std::string& project,
                                                         const std::string& domain,
                                                         const std::string& name,
                                                         const std::string& version) = 0;

  virtual Result<std::vector<CacheRecord>> ListCache(const std::string& task) = 0;
  virtual Result<int64_t> ClearCache(const std::string& task) = 0;

  // The compiled form of a registered source (EntityRecord::source, ExecutionRecord::source):
  // graphs, interfaces and schedules, for the console. NotFound when no such source is stored;
  // FailedPrecondition from a service that does not compile (the remote client).
  virtual Result<std::shared_ptr<const CompiledFile>> Compiled(const std::string& digest) {
    return FailedPrecondition("this admin service does not keep compiled sources (asked for " +
                              digest + ")");
  }
};

// The home folder's layout: $FLYTE_HOME (default ~/.flyte) holds flyte.db, blobs/ and runs/.
std::string DefaultHome();

}  // namespace flyte
