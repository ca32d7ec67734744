// The result of a run in the formats of CLI.md: a table for people, JSON and YAML for
// machines, and a JUnit XML report (one testcase per node) for CI systems.
#pragma once

#include <string>

#include "flyte/engine.h"
#include "flyte/value.h"

namespace flyte::cli {

// {"execution": {project, domain, name}, "workflow", "phase", "outputs", "error",
//  "duration_ms", "nodes": [{id, parent, phase, cache_status, attempts, duration_ms, error}]}
Value RunReport(const ExecutionState& e);
// "name: value" per output, values as text (lists and json as compact JSON).
std::string OutputsTable(const ExecutionState& e);
std::string JunitXml(const ExecutionState& e);

}  // namespace flyte::cli
