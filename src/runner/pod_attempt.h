// Internal to the Pod runner (pod_runner.cc, pod_runner_resource.cc): what it keeps of one
// attempt, from its Pod's (or custom resource's) creation to its result.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "kube/plugins/plugin.h"
#include "runner/pod_runner.h"
#include "runner/task_files.h"

namespace flyte {

// A label value: [A-Za-z0-9._-], at most 63, starting and ending alphanumeric.
std::string PodLabelValue(std::string_view s);
// The steady clock the Pod runner measures grace periods with, in nanoseconds.
int64_t PodRunnerNow();
// The wall clock, in nanoseconds since the epoch (keep-until labels).
int64_t PodRunnerWallNanos();
// On a failed Pod (or custom resource) kept for inspection: until when (Unix seconds), or "never".
inline constexpr const char* kKeepUntil = "flyte.org/keep-until";
// On every custom resource (and its main Pod): which plugin made it ("dask", "resource"...).
inline constexpr const char* kPluginLabel = "flyte.org/plugin";

// The result of an attempt that ended because it was aborted.
inline AttemptResult AbortedResult() {
  AttemptResult r;
  r.status = AttemptResult::Status::kAborted;
  r.code = ExecErrorCode::kAborted;
  r.message = "aborted";
  return r;
}

// A plugin task's custom resource (KUBERNETES.md §6).
struct PluginResource {
  kube::ResourceKind kind;
  std::string name;
  std::string body;        // the object, as JSON
  std::string collection;  // its API path (for kind: resource, known once discovered)
  kube::ResourceState state;
  bool seen = false;       // the watch has shown it
  int64_t created_at = 0;  // for "no status from the operator"
  int64_t failed_at = 0;   // when it said Failed, waiting for its main Pod's last state
  std::string warned;      // the unknown status last warned of
  std::string Path() const { return collection + "/" + name; }
};

// One attempt, from its Pod's creation to its result.
struct PodRunner::Attempt {
  uint64_t id = 0;
  TaskLaunch launch;
  TaskPaths paths;             // the local attempt folder: logs, unpacked outputs
  std::string ns;              // its namespace: the task's, else the runner's
  std::string pod;             // its name
  std::string inputs;          // its inputs' ConfigMap
  std::string manifest;        // the Pod, as JSON
  std::string manifest_error;  // why it could not be built, when `manifest` is empty
  std::string inputs_manifest;
  kube::ClassifyOptions classify;
  enum class Stage : uint8_t { kWaiting, kCreating, kCreated } stage = Stage::kWaiting;
  bool counted = false;  // holds one of max_pods
  bool aborted = false;
  int64_t abort_deadline = 0;
  std::string uid;
  std::string waiting_reason;
  int64_t waiting_since = 0;
  TaskPhase phase = TaskPhase::kQueued;
  std::string reason;
  std::optional<kube::PodVerdict> verdict;
  int64_t verdict_at = 0;
  int64_t running_since = 0;    // when the container was first seen running
  int64_t retry_create_at = 0;  // waiting for quota
  // The log stream.
  struct Logs {
    kube::StreamCanceller cancel;
    std::thread thread;
    std::string partial;  // an unfinished line, for -v
  };
  std::shared_ptr<Logs> logs;  // shared with the worker job reading an ended Pod's log
  bool logs_done = false;
  std::string container = "task";  // whose log is followed and whose state decides
  std::string transfers;    // presigned URLs for flyte-pod (runner/pod_files.h); "" without files
  bool collecting = false;  // its staged outputs are being brought in
  bool staged = false;      // its transfers are presigned (with a raw_data_prefix)
  // Once staged: the input folder's files that travel with the Pod (runner/pod_files.h).
  std::optional<std::vector<std::pair<std::string, std::string>>> input_files;
  size_t inputs_too_large = 0;  // without a prefix: the inputs' bytes, past a ConfigMap's
  // Plugin tasks: the custom resource that runs the attempt; its main Pod is `pod` once seen.
  std::unique_ptr<PluginResource> resource;
};

}  // namespace flyte
