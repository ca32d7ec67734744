// `flyte run --remote`: register the file on a server, start the execution there, and (with
// --wait, the default) follow it to the end with the same exit codes as a local run. Without a
// file, `flyte run --remote NAME` (and `flyte launch NAME`) starts a registered launch plan,
// else workflow, of that name.
#pragma once

#include <string>

#include "cli/commands.h"
#include "flyte/admin.h"
#include "flyte/compiler.h"

namespace flyte::cli {

int RunRemote(const RunOptions& opts, CreateExecutionRequest req, const std::string& content);
int RunRemoteByName(const RunOptions& opts, CreateExecutionRequest req);

// Which kind of entity `target` names in the compiled file at `path`; InvalidArgument naming
// the file's workflows, tasks and launch plans (and the likely one) when none.
Result<TargetKind> TargetIn(const CompiledFile& file, const std::string& path,
                            const std::string& target);

}  // namespace flyte::cli
