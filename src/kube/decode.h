// JSON → kube/objects.h. Private to kube/: the only other place nlohmann's header is seen.
#pragma once

#include "kube/objects.h"
#include "nlohmann/json.hpp"

namespace flyte::kube {

ObjectMeta DecodeMeta(const nlohmann::json& object);
Pod DecodePod(const nlohmann::json& object);
CustomObject DecodeCustom(const nlohmann::json& object);

// Objects without the parts flyte never reads, skipped while parsing: a spec (a Pod's carries
// its command, env and inputs) and managedFields are most of an object's bytes.
nlohmann::json ParseLean(std::string_view text);

// A string field, or "" when absent or not a string.
std::string Str(const nlohmann::json& j, const char* key);

}  // namespace flyte::kube
