// What flyte reads of Kubernetes objects, decoded once from the API's JSON into our own types:
// every object's metadata, a Pod's status, and a custom resource's status as flattened fields.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace flyte::kube {

struct ObjectMeta {
  std::string name;
  std::string ns;
  std::string uid;
  std::string resource_version;
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> annotations;
  bool deleting = false;  // deletionTimestamp is set
  friend bool operator==(const ObjectMeta&, const ObjectMeta&) = default;
};

struct ContainerState {
  enum class Kind : uint8_t { kUnknown, kWaiting, kRunning, kTerminated };
  std::string name;
  Kind kind = Kind::kUnknown;
  std::string reason;  // waiting or terminated reason: "ImagePullBackOff", "OOMKilled", "Completed"
  std::string message;  // waiting message, or the terminated container's termination message
  int exit_code = 0;
  int signal = 0;
  // The last termination, for a container that restarted (lastState.terminated).
  std::string last_reason;
  int restarts = 0;
  friend bool operator==(const ContainerState&, const ContainerState&) = default;
};

struct PodCondition {
  std::string type;    // "PodScheduled", "Ready", "DisruptionTarget"...
  std::string status;  // "True", "False", "Unknown"
  std::string reason;
  std::string message;
  friend bool operator==(const PodCondition&, const PodCondition&) = default;
};

struct Pod {
  ObjectMeta meta;
  std::string phase;   // Pending, Running, Succeeded, Failed, Unknown
  std::string reason;  // "Evicted", "DeadlineExceeded", "Terminated"
  std::string message;
  std::vector<PodCondition> conditions;
  std::vector<ContainerState> init_containers;
  std::vector<ContainerState> containers;

  const PodCondition* Condition(const std::string& type) const;
  const ContainerState* Container(const std::string& name) const;
  friend bool operator==(const Pod&, const Pod&) = default;
};

// A custom resource: its metadata and the scalars of its `status`, by dotted path
// ("jobStatus", "applicationState.state", "conditions.0.type").
struct CustomObject {
  ObjectMeta meta;
  std::map<std::string, std::string> status;
};

// One object from a list or a watch event; `pod` or `custom` is set by the kind watched.
struct Object {
  ObjectMeta meta;
  std::shared_ptr<const Pod> pod;
  std::shared_ptr<const CustomObject> custom;
};

// Decodes one Pod's JSON text; a Pod with no name when the text is not a Pod.
Pod ParsePod(const std::string& json_text);
// Any object's metadata from its JSON text; empty when the text is not an object.
ObjectMeta ParseMeta(const std::string& json_text);
// The metadata of each item of a list's JSON text; empty when the text is not a list.
std::vector<ObjectMeta> ParseListMeta(const std::string& json_text);
// A ConfigMap's `data` from its JSON text (its text values only).
std::map<std::string, std::string> ParseConfigMapData(const std::string& json_text);

}  // namespace flyte::kube
