// The phases of executions, nodes and task attempts (WORKFLOW.md §7, Flyte's
// core/execution.proto), and their spellings. The transition rules live in the engine's one
// state machine; this header only names the states.
#pragma once

#include <optional>
#include <string_view>

namespace flyte {

enum class ExecutionPhase : uint8_t {
  kQueued, kRunning, kSucceeding, kSucceeded, kFailing, kFailed, kAborting, kAborted, kTimedOut,
};

enum class NodePhase : uint8_t {
  kQueued, kRunning, kSucceeded, kFailed, kAborted, kSkipped, kTimedOut, kDynamicRunning,
  kRecovered,
};

enum class TaskPhase : uint8_t {
  kQueued, kInitializing, kWaitingForResources, kRunning, kSucceeded, kRetryableFailed, kFailed,
  kAborted,
};

// "SUCCEEDED", "TIMED_OUT"...
std::string_view PhaseName(ExecutionPhase p);
std::string_view PhaseName(NodePhase p);
std::string_view PhaseName(TaskPhase p);
// Case-insensitive: "succeeded", "TIMED_OUT", "timed-out".
std::optional<ExecutionPhase> ParseExecutionPhase(std::string_view s);
std::optional<NodePhase> ParseNodePhase(std::string_view s);
std::optional<TaskPhase> ParseTaskPhase(std::string_view s);

bool IsTerminal(ExecutionPhase p);
bool IsTerminal(NodePhase p);
bool IsTerminal(TaskPhase p);
// Ended with outputs: SUCCEEDED, or RECOVERED from an earlier execution.
inline bool Succeeded(NodePhase p) { return p == NodePhase::kSucceeded || p == NodePhase::kRecovered; }

}  // namespace flyte
