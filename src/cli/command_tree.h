// The command line as data: every command of the CLI11 definition in app.cc, with its options,
// positionals and subcommands, read back from the parser itself. Shell completion
// (completion.cc) and man pages (man.cc) are generated from it, so neither can drift from
// `--help`. Plain values; built once per call, after app.cc has defined every command.
#pragma once

#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace flyte::cli {

// What a value looks like, for completing it.
enum class ValueKind { kNone, kWord, kFile, kDir };

struct ArgSpec {
  std::vector<std::string> flags;  // "-o", "--output"; empty for a positional
  std::string name;                // the positional's name, or the value's type ("TEXT", "INT")
  std::string help;
  bool takes_value = false;  // false: a flag
  bool repeats = false;      // a positional that takes every remaining word
  bool required = false;
  ValueKind kind = ValueKind::kNone;
  std::vector<std::string> choices;  // from CLI::IsMember
};

struct CommandSpec {
  std::vector<std::string> path;  // {} for flyte itself, {"serve", "token", "create"}
  std::string help;
  std::string footer;
  std::vector<ArgSpec> options;                                  // including -h,--help
  std::vector<ArgSpec> positionals;                              // in order
  std::vector<std::pair<std::string, std::string>> subcommands;  // name, help
};

// Every visible command, parents before children, flyte itself first. Commands in no group
// (CLI11's way of hiding one, as for `flyte __man`) are left out.
std::vector<CommandSpec> DescribeCommands(CLI::App& app);

// "flyte serve token" for {"serve", "token"}.
std::string CommandLine(const CommandSpec& command);

}  // namespace flyte::cli
