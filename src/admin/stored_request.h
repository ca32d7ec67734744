// What an execution was asked for beyond its inputs, kept in its row (executions.options and
// executions.signals), so that a server restarted after a crash continues it with the same
// settings: its parallelism, cache flags, environment and gate timeout, and the signals it
// received, including those for gates it had not reached yet.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "flyte/engine.h"
#include "flyte/value.h"

namespace flyte {

// {"max_parallelism":N,"overwrite_cache":B,"no_cache":B,"env":{...},"gate_timeout":NANOS,"gate_hint":S};
// max_parallelism only when not 0 (the request did not ask: the launch plan's or workflow's
// applies, read again each time).
std::string OptionsJson(const ExecutionOptions& options);
// Sets in `options` what `json` holds (from OptionsJson). False when it cannot be read.
bool ReadOptionsJson(const std::string& json, ExecutionOptions* options);

// {"NAME": value, ...}
std::string SignalsJson(const std::map<std::string, Value>& signals);
// The signals in `json` whose gate is in `gates` and whose value still fits its type (the
// rest are dropped: a gate that no longer takes them cannot use them).
std::vector<std::pair<std::string, Value>> ReadSignalsJson(
    const std::string& json, const std::map<std::string, Type>& gates);

}  // namespace flyte
