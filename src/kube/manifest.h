// The objects flyte creates, as JSON text for the API: a task's Pod, the ConfigMaps that carry
// its inputs and the in-Pod program, and the bodies of deletes. Pure functions of plain
// structs: what a task asks for is turned into these by the Pod runner (runner/pod_runner.h).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "flyte/spec.h"
#include "flyte/status.h"

namespace flyte::kube {

struct EnvVar {
  std::string name;
  std::string value;
  // From a Kubernetes Secret instead of a value (secretKeyRef), when set.
  std::string secret_name;
  std::string secret_key;
};

// A ConfigMap mounted as a folder, each key a file.
struct ConfigMapVolume {
  std::string config_map;
  std::string mount_path;
  int mode = 0444;  // defaultMode
};

// One key of a Secret mounted as a file at `path` (a secret with `file:` in the workflow file).
struct SecretFile {
  std::string secret;
  std::string key;
  std::string path;
};

struct PodRequest {
  std::string name;
  std::string ns;
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> annotations;
  std::string container = "task";
  std::string image;
  std::vector<std::string> command;  // the whole argv
  std::vector<EnvVar> env;
  std::string working_dir;
  std::map<std::string, std::string>
      requests;  // "cpu" → "2", "memory" → "1Gi", "nvidia.com/gpu" → "1"
  std::map<std::string, std::string> limits;
  std::vector<ConfigMapVolume> config_maps;
  std::vector<std::string> empty_dirs;  // mount paths of scratch folders
  std::vector<SecretFile> secret_files;
  std::string service_account;
  std::map<std::string, std::string> node_selector;
  std::string tolerations_json;   // a JSON array of tolerations, or empty
  std::string pod_template_json;  // a Pod or PodSpec merged under ours (ours wins), or empty
  int64_t active_deadline_seconds = 0;
};

// The Pod, restartPolicy Never, its container's termination message read from
// /dev/termination-log. Errors: a pod template or tolerations that are not JSON of the right shape.
Result<std::string> PodManifest(const PodRequest& pod);

struct ConfigMapRequest {
  std::string name;
  std::string ns;
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> data;         // UTF-8 text
  std::map<std::string, std::string> binary_data;  // bytes (base64-encoded here)
  bool immutable = true;
  // Deleted with this Pod by the garbage collector (ownerReferences), when set.
  std::string owner_pod;
  std::string owner_uid;
};
std::string ConfigMapManifest(const ConfigMapRequest& cm);
// A merge patch adding `data` entries to a ConfigMap.
std::string ConfigMapDataPatch(const std::map<std::string, std::string>& data);

// A merge patch setting the ConfigMap's owner to a Pod (or another object), so it goes with it.
std::string OwnerPatch(const std::string& pod, const std::string& uid,
                       const std::string& api_version = "v1", const std::string& kind = "Pod");

// The body of a DELETE: background propagation, and the grace period when >= 0.
std::string DeleteOptions(int64_t grace_seconds = -1);

std::string EncodeBase64(std::string_view bytes);

// Kubernetes quantities of a task's resources: "cpu" → "500m", "memory" → "1Gi",
// "nvidia.com/gpu" → "1", "ephemeral-storage" → "20Gi".
std::map<std::string, std::string> Quantities(const spec::ResourceAmounts& r);
// Bytes as a quantity: 1073741824 → "1Gi"; millicores: 1500 → "1500m", 2000 → "2".
std::string BytesQuantity(int64_t bytes);
std::string CpuQuantity(int64_t millis);

}  // namespace flyte::kube
