// Rows back into the engine's state: the inverse of what the Recorder writes
// (Store::UpsertExecutionState, UpsertNode, UpsertAttempt); the rows' text was parsed once,
// by the store or the API client. Resuming and recovering read an earlier run through these, and
// `flyte run --remote` shows a server's execution through them with the local run's view, so
// there is one reading of a row, not one per reader. Pure functions.
#pragma once

#include <optional>
#include <string>

#include "flyte/engine.h"
#include "flyte/store.h"

namespace flyte {

// A row's error columns as the engine's error (none when both are empty).
std::optional<ExecError> ErrorFromRow(const std::string& code, const std::string& message,
                                      const std::string& node);
// An attempt row as the engine's attempt.
AttemptState AttemptFromRecord(const AttemptRecord& r);
// What an earlier run left of a node, without its attempts (they are separate rows).
PriorNode PriorFromRecord(NodeRecord r);
// The row's phase, cache status, parent, times, error and tail on `n`, with as many attempts as
// it counts (their details are separate rows).
void ApplyNodeRecord(const NodeRecord& r, NodeState& n);
// The row's times and error on `e`, and its phase, returned rather than set: a mirror decides
// when to announce it.
ExecutionPhase ApplyExecutionRecord(const ExecutionRecord& r, ExecutionState& e);

}  // namespace flyte
