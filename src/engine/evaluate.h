// Internal to the engine: reading values out of a frame at run time.
#pragma once

#include "flyte/engine.h"

namespace flyte {

// The value a reference points at (after its attribute path), as it is.
Result<Value> EvaluateRef(const ExecutionState& exec, const Frame& frame, const DataRef& ref,
                          const Value* failure_error = nullptr);
// A branch condition, with its comparisons typed as the compiler decided.
Result<bool> EvaluateCondition(const ExecutionState& exec, const Frame& frame,
                               const CompiledCondition& cond);

}  // namespace flyte
