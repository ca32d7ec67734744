#include "cli/tool_commands.h"

#include <CLI/CLI.hpp>

#include <iostream>

#include "cli/commands.h"
#include "cli/completion.h"
#include "cli/man.h"
#include "util/build_info.h"

namespace flyte::cli {

std::string VersionText() {
  const BuildInfo& b = GetBuildInfo();
  auto yes_no = [](bool on) { return on ? "yes" : "no"; };
  return std::string("flyte ") + b.version + "\n" +                    //
         "commit:            " + b.commit + "\n" +                     //
         "built:             " + b.build_date + "\n" +                 //
         "static binary:     " + yes_no(LinkedStatically()) + "\n" +   //
         "static supervisor: " + yes_no(b.static_supervisor) + "\n" +  //
         "tls:               " + yes_no(b.tls);
}

ToolCommands::ToolCommands(CLI::App& app) : app_(app) {
  app.set_version_flag(
      "--version", [] { return VersionText(); }, "Print the version and the build's details");
  help_ = app.add_subcommand("help", "Show help for flyte or one of its commands");
  help_->add_option("command", help_path_,
                    "A command, e.g. run or serve token (default: flyte itself)");
  help_->footer("Example: flyte help serve token create");
  completion_ =
      app.add_subcommand("completion", "Print a shell completion script (bash, zsh or fish)");
  completion_->add_option("shell", shell_, "The shell")
      ->required()
      ->check(CLI::IsMember({"bash", "zsh", "fish"}));
  completion_->footer(
      "Examples:\n"
      "  source <(flyte completion bash)                 # this bash session; or add it to "
      "~/.bashrc\n"
      "  flyte completion zsh > \"${fpath[1]}/_flyte\"     # zsh, from the next session\n"
      "  flyte completion fish > ~/.config/fish/completions/flyte.fish\n"
      "Packages install them where each shell looks (see docs/install.md).");
  // Hidden (no group): the build writes the man pages with it.
  man_ = app.add_subcommand("__man", "Write the man pages into DIR")->group("");
  man_->add_option("dir", man_dir_, "Folder")->required();
}

std::optional<int> ToolCommands::Run() {
  if (help_->parsed()) return Help();
  if (completion_->parsed()) {
    std::optional<std::string> script = CompletionScript(DescribeCommands(app_), shell_);
    if (!script) return kExitUsage;  // the parser's IsMember already refused other shells
    std::cout << *script;
    return kExitOk;
  }
  if (man_->parsed()) {
    Status s = WriteManPages(DescribeCommands(app_), man_dir_);
    if (!s.ok()) {
      std::cerr << "flyte __man: " << s.message() << "\n";
      return kExitInternal;
    }
    return kExitOk;
  }
  return std::nullopt;
}

int ToolCommands::Help() {
  CLI::App* command = &app_;
  std::string line = "flyte";
  std::string parent;  // CLI11 prints "Usage: PARENT NAME", as under --help
  for (const std::string& word : help_path_) {
    CLI::App* sub = nullptr;
    for (CLI::App* candidate : command->get_subcommands({})) {
      if (candidate->get_name() == word && !candidate->get_group().empty()) sub = candidate;
    }
    if (sub == nullptr) {
      std::cerr << "flyte help: " << line << " has no command '" << word << "' (see flyte help"
                << line.substr(5) << ")\n";
      return kExitUsage;
    }
    command = sub;
    parent = line;
    line += " " + word;
  }
  std::cout << command->help(parent);
  return kExitOk;
}

}  // namespace flyte::cli
