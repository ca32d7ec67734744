// The flyte side of file and folder values on Pods (docs/kubernetes.md, "Files"): before the
// Pod, local inputs go up to the raw_data_prefix and every input and output gets a presigned
// URL (runner/pod_transfer.h says what the Pod does with them); after it, the outputs the Pod
// put in a staging area are brought into the attempt's output folder, where the local rules
// read them (and store them content addressed). Both block: worker threads only.
#pragma once

#include <string>
#include <vector>

#include "flyte/runner.h"
#include "flyte/status.h"
#include "runner/task_files.h"
#include "storage/data_stores.h"

namespace flyte {

struct PodFiles {
  std::string transfers;          // the list flyte-pod reads (pod_transfer.h)
  std::vector<Value> pod_inputs;  // the launch's inputs, files and folders as in-Pod paths
  // The input folder's files that travel with the Pod (InputFiles of pod_inputs, less those
  // too large for it, which go through the bucket as `in` transfers).
  std::vector<std::pair<std::string, std::string>> input_files;
};

// REQUIRES: stores.has_prefix(). `pod` names the staging area; `data_dir` is where the Pod
// puts downloaded inputs (a file inside a list or dict input `x` at DATA/x/<n>/<its name>).
// Every task with outputs gets a `pack` URL, for outputs too large for the termination
// message or holding files inside lists and dicts. Inputs whose files would not fit in a
// ConfigMap go up to the bucket (content addressed) until the rest fits in the Pod itself.
Result<PodFiles> StagePodFiles(storage::DataStores& stores, const TaskLaunch& launch,
                               const std::string& pod, const std::string& data_dir);

// Downloads the outputs the Pod staged into `output_dir` (a folder from its tar) and deletes
// the staged objects. An output the Pod did not stage is left missing, for the reader to report.
Status CollectPodFiles(storage::DataStores& stores, const TaskLaunch& launch,
                       const std::string& pod, const std::string& output_dir);

// Brings in the `pack` archive the Pod staged: its outputs/ into `paths.output_dir` and its
// raw/ into `paths.raw_dir` (entries replaced), then deletes it. `scratch` is a folder of the
// attempt's to expand it in.
Status CollectPodPack(storage::DataStores& stores, const std::string& pod, const TaskPaths& paths,
                      const std::string& scratch);

// True when the task has a file or folder among its inputs or outputs.
bool PodMovesFiles(const CompiledTask& task);

}  // namespace flyte
