// `plugin: resource` (KUBERNETES.md §6): any Kubernetes object created per attempt and ended by
// conditions over its status, as Argo's resource template. The loader keeps its section in
// the task's PluginSpec (kind kResource) as `settings` ({manifest, success, failure}, checked
// where written): such a task runs on Kubernetes only (ExecutorKind kResource). Readers take it
// apart with ResourceManifestOf.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "flyte/spec.h"

namespace flyte::spec {

// One requirement of a success or failure condition (`status.phase == Succeeded`,
// `status.failed > 3`), read from the object's status. `path` is below `status.`: dotted keys,
// list indices, and `[key=value]` picking the list item whose key has that value
// (`conditions[type=Complete].status`).
struct StatusRequirement {
  enum class Op : uint8_t {
    kEquals,
    kNotEquals,
    kIn,
    kNotIn,
    kExists,
    kNotExists,
    kGreater,
    kLess
  };
  std::string path;
  Op op = Op::kExists;
  std::vector<std::string> values;
};
// Requirements joined by commas: all must hold.
struct StatusCondition {
  std::string text;  // as written, for messages
  std::vector<StatusRequirement> all;
};

// Parses a condition; on error, nullopt and `*error` says what is wrong.
std::optional<StatusCondition> ParseStatusCondition(std::string_view text, std::string* error);

struct ResourceManifest {
  std::string manifest_json;  // strings may hold {{ inputs.X }}, {{ execution.id }}...
  std::string api_version, kind;
  std::optional<StatusCondition> success, failure;
};

// A plugin: resource task's section, taken apart; nullopt for other tasks.
std::optional<ResourceManifest> ResourceManifestOf(const PluginSpec& p);

}  // namespace flyte::spec
