// The spellings of the enums that rows hold (flyte/store.h).
#include <array>
#include <cctype>

#include "flyte/store.h"

namespace flyte {
namespace {

constexpr std::array<std::string_view, 6> kModeNames = {"MANUAL",   "SCHEDULED",      "SYSTEM",
                                                        "RELAUNCH", "CHILD_WORKFLOW", "RECOVERED"};
static_assert(static_cast<size_t>(ExecutionMode::kRecovered) + 1 == kModeNames.size());

}  // namespace

std::string_view ExecutionModeName(ExecutionMode mode) {
  return kModeNames[static_cast<size_t>(mode)];
}

std::optional<ExecutionMode> ParseExecutionMode(std::string_view s) {
  for (size_t i = 0; i < kModeNames.size(); ++i) {
    const std::string_view name = kModeNames[i];
    bool same = name.size() == s.size();
    for (size_t c = 0; same && c < s.size(); ++c) {
      same = std::toupper(static_cast<unsigned char>(s[c])) == name[c];
    }
    if (same) return static_cast<ExecutionMode>(i);
  }
  return std::nullopt;
}

}  // namespace flyte
