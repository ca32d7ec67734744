// JSON views of compiled sources for the console: a workflow's graph (nodes, edges, branch
// cases, map inputs, subworkflows inlined), an interface as typed input fields, and a launch
// plan's schedule. Pure functions; thread-safe.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>

#include "flyte/dag.h"

namespace flyte::http {

// {"name", "nodes": [{"id", "kind", "target", "mapped"?, "cases"?, "workflow"?}], "edges":
// [[from, to]...]}. A subworkflow node carries the graph of its workflow ("workflow"), up to a
// depth of kMaxGraphDepth; a branch node its cases ({"label", "kind", "target", "workflow"?}
// or {"label", "fail"}).
inline constexpr int kMaxGraphDepth = 8;
nlohmann::json GraphJson(const CompiledFile& file, const CompiledWorkflow& workflow);
// The graph of a single-task execution: one node.
nlohmann::json TaskGraphJson(const CompiledTask& task);

// [{"name", "type", "required", "default"?, "description"?}], in declaration order; a default is
// its canonical JSON (datetimes and durations as strings).
nlohmann::json VariablesJson(const std::vector<Variable>& vars);

// {"cron"? , "every"?, "timezone", "kickoff_input"?} or null when the plan has no schedule.
nlohmann::json ScheduleJson(const CompiledLaunchPlan& plan);

}  // namespace flyte::http
