#include "flyte/phase.h"

#include <array>
#include <cctype>
#include <string>

namespace flyte {
namespace {

constexpr std::array<std::string_view, 9> kExecutionNames = {
    "QUEUED", "RUNNING", "SUCCEEDING", "SUCCEEDED", "FAILING",
    "FAILED", "ABORTING", "ABORTED", "TIMED_OUT"};
constexpr std::array<std::string_view, 9> kNodeNames = {
    "QUEUED", "RUNNING", "SUCCEEDED", "FAILED", "ABORTED",
    "SKIPPED", "TIMED_OUT", "DYNAMIC_RUNNING", "RECOVERED"};
constexpr std::array<std::string_view, 8> kTaskNames = {
    "QUEUED", "INITIALIZING", "WAITING_FOR_RESOURCES", "RUNNING",
    "SUCCEEDED", "RETRYABLE_FAILED", "FAILED", "ABORTED"};

std::string Normalize(std::string_view s) {
  std::string out;
  for (char c : s) out += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

template <typename E, size_t N>
std::optional<E> Lookup(const std::array<std::string_view, N>& names, std::string_view s) {
  std::string n = Normalize(s);
  for (size_t i = 0; i < N; ++i) {
    if (names[i] == n) return static_cast<E>(i);
  }
  return std::nullopt;
}

}  // namespace

std::string_view PhaseName(ExecutionPhase p) { return kExecutionNames[static_cast<size_t>(p)]; }
std::string_view PhaseName(NodePhase p) { return kNodeNames[static_cast<size_t>(p)]; }
std::string_view PhaseName(TaskPhase p) { return kTaskNames[static_cast<size_t>(p)]; }

std::optional<ExecutionPhase> ParseExecutionPhase(std::string_view s) {
  return Lookup<ExecutionPhase>(kExecutionNames, s);
}
std::optional<NodePhase> ParseNodePhase(std::string_view s) { return Lookup<NodePhase>(kNodeNames, s); }
std::optional<TaskPhase> ParseTaskPhase(std::string_view s) { return Lookup<TaskPhase>(kTaskNames, s); }

bool IsTerminal(ExecutionPhase p) {
  switch (p) {
    case ExecutionPhase::kSucceeded:
    case ExecutionPhase::kFailed:
    case ExecutionPhase::kAborted:
    case ExecutionPhase::kTimedOut:
      return true;
    case ExecutionPhase::kQueued:
    case ExecutionPhase::kRunning:
    case ExecutionPhase::kSucceeding:
    case ExecutionPhase::kFailing:
    case ExecutionPhase::kAborting:
      return false;
  }
  return false;
}

bool IsTerminal(NodePhase p) {
  switch (p) {
    case NodePhase::kSucceeded:
    case NodePhase::kFailed:
    case NodePhase::kAborted:
    case NodePhase::kSkipped:
    case NodePhase::kTimedOut:
    case NodePhase::kRecovered:
      return true;
    case NodePhase::kQueued:
    case NodePhase::kRunning:
    case NodePhase::kDynamicRunning:
      return false;
  }
  return false;
}

bool IsTerminal(TaskPhase p) {
  return p == TaskPhase::kSucceeded || p == TaskPhase::kFailed || p == TaskPhase::kAborted;
}

}  // namespace flyte
