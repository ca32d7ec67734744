// The files of the local process contract (WORKFLOW.md §3.1): the input folder, template
// expansion, and reading what a task wrote into its output folder. Plain file-system code,
// shared by the local runner and, for the same view inside a Pod, the Kubernetes runner.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "flyte/dag.h"
#include "flyte/runner.h"
#include "flyte/status.h"
#include "runner/blobs.h"

namespace flyte {

struct TaskPaths {
  std::string input_dir;   // ATTEMPT/inputs
  std::string output_dir;  // ATTEMPT/outputs
  std::string raw_dir;
  std::string stdout_path;
  std::string stderr_path;
  // Where the task saw its output and raw folders, when that was elsewhere (a Pod's paths):
  // paths in its outputs under them are read here, under output_dir and raw_dir.
  std::string seen_output_dir, seen_raw_dir;
  static TaskPaths For(const TaskLaunch& launch);
};

// Creates the folders and writes one file per input plus inputs.json. File and folder inputs
// appear as symbolic links to their blobs.
Status WriteInputs(const TaskLaunch& launch, const TaskPaths& paths);

// The input folder's regular files, as (name, bytes): one per input that is not a file or
// folder, and inputs.json. What WriteInputs writes, and what a Pod's ConfigMap carries.
std::vector<std::pair<std::string, std::string>> InputFiles(const TaskLaunch& launch);

// {{ inputs.x }} → the input's text; {{ outputs.y }} → the path to write output y to.
std::string Expand(const CompiledTemplate& tpl, const TaskLaunch& launch, const TaskPaths& paths);

// What the task wrote after a zero exit: outputs parsed against their declared types, files
// and folders moved into the blob store. A missing or unreadable output is a user error that
// names the output and its type; `_ERROR` turns the attempt into a failure with its message.
struct OutputsRead {
  bool ok = true;
  ExecErrorCode code = ExecErrorCode::kNone;  // kOutputsNotFound, kOutputsInvalid, kUserError...
  std::string message;
  bool retryable = true;  // false for an upload the bucket refused (OutputsNotStored)
  std::vector<Value> outputs;
};
OutputsRead ReadOutputs(const TaskLaunch& launch, const TaskPaths& paths, BlobStore* blobs);

// `r` from what ReadOutputs found: SUCCEEDED with the outputs, else a user error with the
// reader's code and message and the last lines of `tail_log`.
void SetOutputsResult(OutputsRead read, const std::string& tail_log, AttemptResult* r);

// Whether values of `t` hold files or folders (which must be placed in the blob store).
bool HasBlobs(const Type& t);

// The message a failed task left in $FLYTE_OUTPUT_DIR/_ERROR, or empty.
std::string ReadErrorFile(const TaskPaths& paths);
// The last `max_lines` lines of a log file (at most 8 KiB read).
std::string Tail(const std::string& path, size_t max_lines);

}  // namespace flyte
