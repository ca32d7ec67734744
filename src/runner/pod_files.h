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
#include "storage/data_stores.h"

namespace flyte {

struct PodFiles {
  std::string transfers;          // the list flyte-pod reads (pod_transfer.h)
  std::vector<Value> pod_inputs;  // the launch's inputs, files and folders as in-Pod paths
};

// REQUIRES: stores.has_prefix(). `pod` names the staging area; `data_dir` is where the Pod
// puts downloaded inputs. Files inside lists or dicts are refused (not yet carried).
Result<PodFiles> StagePodFiles(storage::DataStores& stores, const TaskLaunch& launch,
                               const std::string& pod, const std::string& data_dir);

// Downloads the outputs the Pod staged into `output_dir` (a folder from its tar) and deletes
// the staged objects. An output the Pod did not stage is left missing, for the reader to report.
Status CollectPodFiles(storage::DataStores& stores, const TaskLaunch& launch,
                       const std::string& pod, const std::string& output_dir);

// True when the task has a file or folder among its inputs or outputs.
bool PodMovesFiles(const CompiledTask& task);

}  // namespace flyte
