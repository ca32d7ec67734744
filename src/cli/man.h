// Man pages (roff, section 1) generated from the command tree (command_tree.h): flyte.1 for
// the program and one page per command (flyte-run.1, flyte-serve-token-create.1, ...), the
// same text as `--help`. Written by `flyte __man DIR`, which the build runs for
// `cmake --install`.
#pragma once

#include <string>
#include <vector>

#include "cli/command_tree.h"
#include "flyte/status.h"

namespace flyte::cli {

// "flyte-serve-token.1" for `flyte serve token`.
std::string ManPageName(const CommandSpec& command);

// The page of `command`; `all` gives the SEE ALSO list.
std::string ManPage(const CommandSpec& command, const std::vector<CommandSpec>& all);

// Writes every page into `dir` (created if missing).
Status WriteManPages(const std::vector<CommandSpec>& commands, const std::string& dir);

}  // namespace flyte::cli
