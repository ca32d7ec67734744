// Shell completion scripts for bash, zsh and fish, generated from the command tree
// (command_tree.h), so that they complete exactly what `--help` describes.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "cli/command_tree.h"

namespace flyte::cli {

// The script for `shell` (bash | zsh | fish), or nullopt for another shell.
std::optional<std::string> CompletionScript(const std::vector<CommandSpec>& commands,
                                            const std::string& shell);

}  // namespace flyte::cli
