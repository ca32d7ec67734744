// JSON → kube/objects.h. Private to kube/: the only other place nlohmann's header is seen.
#pragma once

#include <string_view>
#include <vector>

#include "kube/objects.h"
#include "nlohmann/json.hpp"

namespace flyte::kube {

ObjectMeta DecodeMeta(const nlohmann::json& object);
Pod DecodePod(const nlohmann::json& object);
CustomObject DecodeCustom(const nlohmann::json& object);

// Objects without the parts flyte never reads, skipped while parsing: a spec (a Pod's carries
// its command, env and inputs) and managedFields are most of an object's bytes.
nlohmann::json ParseLean(std::string_view text);

// The same read from text without a parsed tree (kube/json_scan.h), for the hot paths of a Pod
// runner: watch events, lists and the answers to creates. False when the text is not one JSON
// object (the outputs are then what they hold, not to be used).
bool ScanPod(std::string_view text, Pod* out);
bool ScanObjectMeta(std::string_view text, ObjectMeta* out);

// A watch event on Pods: its type ("ADDED", "MODIFIED", "DELETED", "BOOKMARK", "ERROR"), its
// object as a Pod (a BOOKMARK's has only metadata), and an ERROR's Status code and message.
struct PodEvent {
  std::string type;
  Pod pod;
  int code = 0;
  std::string message;
};
bool ScanPodEvent(std::string_view line, PodEvent* out);

// A PodList: its items, and its metadata's resourceVersion and continue token.
struct PodList {
  std::vector<Pod> items;
  std::string resource_version;
  std::string cont;
};
bool ScanPodList(std::string_view text, PodList* out);

// A member of an object, or null when absent or `j` is not an object.
const nlohmann::json& Field(const nlohmann::json& j, const char* key);
// A string field, or "" when absent or not a string.
std::string Str(const nlohmann::json& j, const char* key);

}  // namespace flyte::kube
