// Launching, as a pure function: a CreateExecutionRequest and the registration that holds its
// target become the engine's ExecutionRequest and the execution's row, or an InvalidArgument
// that says what is wrong (an unknown target or input, a bad value, label or signal). Nothing
// here touches the store or the loop: the admin finds the registration, calls PlanLaunch,
// writes the row and starts the engine. What does touch the world (which task kinds have a
// runner, where file inputs given by path are kept) comes in as functions.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "flyte/admin.h"
#include "flyte/compiler.h"
#include "flyte/engine.h"
#include "flyte/status.h"

namespace flyte {

struct LaunchContext {
  std::shared_ptr<const CompiledFile> file;  // the registration holding the target
  std::string source;                        // its digest
  std::string version;
  std::string runs_root;  // an execution's run folder is RUNS_ROOT/PROJECT/DOMAIN/NAME
  int64_t now = 0;        // its creation time
  int64_t abort_grace_nanos = 10'000'000'000;
  uint32_t default_parallelism = 1;  // without one from the request, plan or workflow
  // Ok when tasks of `kind` can run here; else the error naming `task` (RoutingRunner::CanRun).
  std::function<Status(ExecutorKind kind, const std::string& task)> can_run;
  // A file or folder input (or a list or map holding them) made durable: copied into the blob
  // folder, say. Null: kept as given.
  std::function<Result<Value>(const Value&)> ingest;
};

struct PlannedLaunch {
  ExecutionRequest request;  // for Engine::Start (its `prior` left null)
  ExecutionRecord record;    // the execution's row, QUEUED
};

Result<PlannedLaunch> PlanLaunch(const CreateExecutionRequest& request, const ExecutionKey& key,
                                 const LaunchContext& context);

// Options of an execution that the request leaves unset: the launch plan's or workflow's
// parallelism, else the context's default; its abort grace.
ExecutionOptions DefaultOptions(const CompiledFile& file, uint32_t workflow,
                                const CompiledLaunchPlan* launch_plan,
                                std::optional<uint32_t> max_parallelism,
                                const LaunchContext& context);

// Execution names: [a-z][a-z0-9-]*, at most 63 characters (Flyte's, and a Kubernetes label).
bool IsExecutionName(std::string_view name);

// The gates of a workflow, by signal name, with the type of value they take; nested
// subworkflows and branch cases included (node ids carry their parents' prefixes).
std::map<std::string, Type> GatesOf(const CompiledFile& file, const CompiledWorkflow& workflow);

}  // namespace flyte
