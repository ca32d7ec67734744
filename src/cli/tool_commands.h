// The commands about flyte itself rather than workflows: `--version`, `help [COMMAND...]`,
// `completion SHELL` and the hidden `__man DIR`. They read the whole CLI11 definition, so
// app.cc adds them after every other command and asks them first after parsing.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace flyte::cli {

class ToolCommands {
 public:
  // REQUIRES: every other command of `app` is defined; `app` outlives this.
  explicit ToolCommands(CLI::App& app);

  // The exit code when the command given was one of these, else nullopt.
  std::optional<int> Run();

 private:
  int Help();

  CLI::App& app_;
  CLI::App* help_;
  CLI::App* completion_;
  CLI::App* man_;
  std::vector<std::string> help_path_;
  std::string shell_;
  std::string man_dir_;
};

// "flyte VERSION" and the build's details, as `flyte version` prints them.
std::string VersionText();

}  // namespace flyte::cli
