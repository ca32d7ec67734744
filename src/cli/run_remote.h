// `flyte run --remote`: register the file on a server, start the execution there, and (with
// --wait, the default) follow it to the end with the same exit codes as a local run.
#pragma once

#include <string>

#include "cli/commands.h"
#include "flyte/admin.h"

namespace flyte::cli {

int RunRemote(const RunOptions& opts, CreateExecutionRequest req, const std::string& content);

}  // namespace flyte::cli
