// Block-style YAML for machine-readable output (`-o yaml`).
#pragma once

#include <string>

#include "flyte/value.h"

namespace flyte {

// Maps as `key: value` lines, lists as `- item`, strings quoted only when they would read as
// something else; datetimes, durations, files and dirs as their canonical strings.
std::string ToYaml(const Value& v);

}  // namespace flyte
