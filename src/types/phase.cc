#include "flyte/phase.h"

#include <array>
#include <cctype>
#include <initializer_list>
#include <string>

namespace flyte {
namespace {

constexpr std::array<std::string_view, kExecutionPhaseCount> kExecutionNames = {
    "QUEUED", "RUNNING",  "SUCCEEDING", "SUCCEEDED", "FAILING",
    "FAILED", "ABORTING", "ABORTED",    "TIMED_OUT"};
constexpr std::array<std::string_view, kNodePhaseCount> kNodeNames = {
    "QUEUED",  "RUNNING",   "SUCCEEDED",       "FAILED",   "ABORTED",
    "SKIPPED", "TIMED_OUT", "DYNAMIC_RUNNING", "RECOVERED"};
constexpr std::array<std::string_view, kTaskPhaseCount> kTaskNames = {
    "QUEUED", "INITIALIZING", "WAITING_FOR_RESOURCES", "RUNNING", "SUCCEEDED", "RETRYABLE_FAILED",
    "FAILED", "ABORTED"};

static_assert(static_cast<size_t>(ExecutionPhase::kTimedOut) + 1 == kExecutionPhaseCount);
static_assert(static_cast<size_t>(NodePhase::kRecovered) + 1 == kNodePhaseCount);
static_assert(static_cast<size_t>(TaskPhase::kAborted) + 1 == kTaskPhaseCount);

std::string Normalize(std::string_view s) {
  std::string out;
  for (char c : s)
    out += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
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
std::optional<NodePhase> ParseNodePhase(std::string_view s) {
  return Lookup<NodePhase>(kNodeNames, s);
}
std::optional<TaskPhase> ParseTaskPhase(std::string_view s) {
  return Lookup<TaskPhase>(kTaskNames, s);
}

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
  switch (p) {
    case TaskPhase::kSucceeded:
    case TaskPhase::kRetryableFailed:
    case TaskPhase::kFailed:
    case TaskPhase::kAborted:
      return true;
    case TaskPhase::kQueued:
    case TaskPhase::kInitializing:
    case TaskPhase::kWaitingForResources:
    case TaskPhase::kRunning:
      return false;
  }
  return false;
}

// The transition table: for each phase, the set of phases it may change to, as bits.
namespace {

template <typename P>
constexpr uint32_t Set(std::initializer_list<P> phases) {
  uint32_t bits = 0;
  for (P p : phases) bits |= uint32_t{1} << static_cast<unsigned>(p);
  return bits;
}

template <typename P>
bool Allowed(const uint32_t* table, P from, P to) {
  return (table[static_cast<size_t>(from)] >> static_cast<unsigned>(to)) & 1u;
}

using E = ExecutionPhase;
constexpr uint32_t kExecutionNext[kExecutionPhaseCount] = {
    /* QUEUED     */ Set({E::kRunning, E::kFailing, E::kFailed, E::kAborting, E::kAborted}),
    /* RUNNING    */ Set({E::kSucceeding, E::kFailing, E::kAborting, E::kTimedOut}),
    /* SUCCEEDING */ Set({E::kSucceeded, E::kFailing}),  // failing: its outputs do not bind
    /* SUCCEEDED  */ 0,
    /* FAILING    */ Set({E::kFailed, E::kAborting}),
    /* FAILED     */ 0,
    /* ABORTING   */ Set({E::kAborted}),
    /* ABORTED    */ 0,
    /* TIMED_OUT  */ 0,
};

using N = NodePhase;
constexpr uint32_t kNodeEnds = Set({N::kSucceeded, N::kFailed, N::kAborted, N::kTimedOut});
constexpr uint32_t kNodeNext[kNodePhaseCount] = {
    /* QUEUED          */ Set({N::kRunning, N::kSkipped}) | kNodeEnds,
    /* RUNNING         */ Set({N::kDynamicRunning}) | kNodeEnds,
    /* SUCCEEDED       */ 0,
    /* FAILED          */ 0,
    /* ABORTED         */ 0,
    /* SKIPPED         */ 0,
    /* TIMED_OUT       */ 0,
    /* DYNAMIC_RUNNING */ kNodeEnds,
    /* RECOVERED       */ 0,
};
// A node is created QUEUED and not yet started; its first phase is QUEUED, or an end reached
// without running (a branch case not taken, a node restored from an earlier run, one whose
// inputs do not bind).
constexpr uint32_t kNodeFirst = Set({N::kQueued, N::kSkipped, N::kRecovered}) | kNodeEnds;

using T = TaskPhase;
constexpr uint32_t kTaskEnds = Set({T::kSucceeded, T::kRetryableFailed, T::kFailed, T::kAborted});
constexpr uint32_t kTaskNext[kTaskPhaseCount] = {
    // Waiting on a cluster, an attempt may move between its waits (a Pod's image pull fails and
    // is retried), then runs.
    /* QUEUED                */ Set({T::kInitializing, T::kWaitingForResources, T::kRunning}) |
        kTaskEnds,
    /* INITIALIZING          */ Set({T::kQueued, T::kWaitingForResources, T::kRunning}) | kTaskEnds,
    /* WAITING_FOR_RESOURCES */ Set({T::kQueued, T::kInitializing, T::kRunning}) | kTaskEnds,
    /* RUNNING               */ kTaskEnds,
    /* SUCCEEDED             */ 0,
    /* RETRYABLE_FAILED      */ 0,
    /* FAILED                */ 0,
    /* ABORTED               */ 0,
};

}  // namespace

bool CanTransition(ExecutionPhase from, ExecutionPhase to) {
  return Allowed(kExecutionNext, from, to);
}
bool CanTransition(NodePhase from, NodePhase to) { return Allowed(kNodeNext, from, to); }
bool CanTransition(TaskPhase from, TaskPhase to) { return Allowed(kTaskNext, from, to); }
bool CanEnter(NodePhase first) { return (kNodeFirst >> static_cast<unsigned>(first)) & 1u; }

}  // namespace flyte
