// The phases of executions, nodes and task attempts (WORKFLOW.md §7, Flyte's
// core/execution.proto), their spellings, and the one table of the transitions allowed between
// them. The engine's transition functions (SetExecutionPhase, SetNodePhase, SetAttemptPhase)
// consult CanTransition and refuse the rest; everything else only reads phases.
// Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace flyte {

enum class ExecutionPhase : uint8_t {
  kQueued,
  kRunning,
  kSucceeding,
  kSucceeded,
  kFailing,
  kFailed,
  kAborting,
  kAborted,
  kTimedOut,
};

enum class NodePhase : uint8_t {
  kQueued,
  kRunning,
  kSucceeded,
  kFailed,
  kAborted,
  kSkipped,
  kTimedOut,
  kDynamicRunning,
  kRecovered,
};

enum class TaskPhase : uint8_t {
  kQueued,
  kInitializing,
  kWaitingForResources,
  kRunning,
  kSucceeded,
  kRetryableFailed,
  kFailed,
  kAborted,
};

// How many phases each enum has; phases are numbered 0..N-1, so loops can visit them all.
inline constexpr size_t kExecutionPhaseCount = 9;
inline constexpr size_t kNodePhaseCount = 9;
inline constexpr size_t kTaskPhaseCount = 8;

// "SUCCEEDED", "TIMED_OUT"...
std::string_view PhaseName(ExecutionPhase p);
std::string_view PhaseName(NodePhase p);
std::string_view PhaseName(TaskPhase p);
// Case-insensitive: "succeeded", "TIMED_OUT", "timed-out".
std::optional<ExecutionPhase> ParseExecutionPhase(std::string_view s);
std::optional<NodePhase> ParseNodePhase(std::string_view s);
std::optional<TaskPhase> ParseTaskPhase(std::string_view s);

// A terminal phase is final: nothing changes it again. For an attempt this includes
// RETRYABLE_FAILED (the attempt has ended; a retry is a new attempt).
bool IsTerminal(ExecutionPhase p);
bool IsTerminal(NodePhase p);
bool IsTerminal(TaskPhase p);
// Ended with outputs: SUCCEEDED, or RECOVERED from an earlier execution.
inline bool Succeeded(NodePhase p) {
  return p == NodePhase::kSucceeded || p == NodePhase::kRecovered;
}

// The transition table: whether a phase may change from `from` to `to`. A phase never
// "changes" to itself, and nothing leaves a terminal phase. Nodes and attempts also have an
// entry phase, checked by CanEnter (a node enters QUEUED, or ends at once: skipped, restored
// from an earlier run, failed on its inputs; an attempt starts QUEUED or RUNNING, or is
// adopted from an earlier run in the phase it had).
bool CanTransition(ExecutionPhase from, ExecutionPhase to);
bool CanTransition(NodePhase from, NodePhase to);
bool CanTransition(TaskPhase from, TaskPhase to);
bool CanEnter(NodePhase first);

}  // namespace flyte
