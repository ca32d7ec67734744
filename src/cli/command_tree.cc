// Reads the CLI11 definition back; one of the three files that include CLI11 (with app.cc
// and tool_commands.cc), so the generators work on plain CommandSpec values.
#include "cli/command_tree.h"

#include <CLI/CLI.hpp>

#include <regex>

namespace flyte::cli {
namespace {

// CLI::IsMember shows its set in the option's type name: "TEXT:{dot,mermaid}".
std::vector<std::string> Choices(const std::string& type_name) {
  std::vector<std::string> out;
  size_t open = type_name.find('{');
  size_t close = type_name.find('}', open);
  if (open == std::string::npos || close == std::string::npos) return out;
  std::string list = type_name.substr(open + 1, close - open - 1);
  for (size_t at = 0; at <= list.size();) {
    size_t comma = list.find(',', at);
    if (comma == std::string::npos) comma = list.size();
    if (comma > at) out.push_back(list.substr(at, comma - at));
    at = comma + 1;
  }
  return out;
}

// Whether a value names a file or a folder, read from the help text that --help shows, so a
// new option gets file completion by being described as one ("Workflow file", "Home
// folder"). Parenthesised asides are skipped: "(optional when the file has one workflow)".
ValueKind KindFromHelp(const std::string& help) {
  static const std::regex kAside(R"(\([^)]*\))");
  static const std::regex kFile(R"(\bfiles?\b)", std::regex::icase);
  static const std::regex kDir(R"(\b(folder|directory)\b)", std::regex::icase);
  std::string text = std::regex_replace(help, kAside, "");
  if (std::regex_search(text, kDir)) return ValueKind::kDir;
  if (std::regex_search(text, kFile)) return ValueKind::kFile;
  return ValueKind::kWord;
}

ArgSpec DescribeOption(const CLI::Option& opt) {
  ArgSpec arg;
  for (const std::string& s : opt.get_snames()) arg.flags.push_back("-" + s);
  for (const std::string& l : opt.get_lnames()) arg.flags.push_back("--" + l);
  arg.help = opt.get_description();
  arg.takes_value = opt.get_type_size_max() > 0;
  arg.required = opt.get_required();
  std::string type_name = opt.get_type_name();
  arg.name = opt.nonpositional() ? type_name.substr(0, type_name.find(':')) : opt.get_name(true);
  if (!arg.takes_value) return arg;
  arg.repeats = !opt.nonpositional() && opt.get_items_expected_max() > 1;
  arg.choices = Choices(type_name);
  if (!arg.choices.empty()) {
    arg.kind = ValueKind::kWord;
  } else if (type_name.rfind("FILE", 0) == 0) {
    arg.kind = ValueKind::kFile;
  } else if (type_name.rfind("DIR", 0) == 0) {
    arg.kind = ValueKind::kDir;
  } else {
    arg.kind = KindFromHelp(arg.help);
  }
  return arg;
}

void Describe(CLI::App& app, std::vector<std::string> path, std::vector<CommandSpec>& out) {
  CommandSpec command;
  command.path = path;
  command.help = app.get_description();
  command.footer = app.get_footer();
  for (const CLI::Option* opt : app.get_options()) {
    ArgSpec arg = DescribeOption(*opt);
    (opt->nonpositional() ? command.options : command.positionals).push_back(std::move(arg));
  }
  std::vector<CLI::App*> children =
      app.get_subcommands([](CLI::App* sub) { return !sub->get_group().empty(); });
  for (CLI::App* sub : children)
    command.subcommands.emplace_back(sub->get_name(), sub->get_description());
  out.push_back(std::move(command));
  for (CLI::App* sub : children) {
    path.push_back(sub->get_name());
    Describe(*sub, path, out);
    path.pop_back();
  }
}

}  // namespace

std::vector<CommandSpec> DescribeCommands(CLI::App& app) {
  std::vector<CommandSpec> out;
  Describe(app, {}, out);
  return out;
}

std::string CommandLine(const CommandSpec& command) {
  std::string line = "flyte";
  for (const std::string& word : command.path) line += " " + word;
  return line;
}

}  // namespace flyte::cli
