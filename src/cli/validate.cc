#include <cstdio>
#include <iostream>

#include "cli/commands.h"
#include "flyte/compiler.h"

namespace flyte::cli {
namespace {

std::string Count(size_t n, const char* what) {
  return std::to_string(n) + " " + what + (n == 1 ? "" : "s");
}

}  // namespace

int RunValidate(const ValidateOptions& opts) {
  int exit_code = kExitOk;
  for (const std::string& path : opts.files) {
    CompileOutput result = CompileFile(path);
    if (!result.ok()) {
      std::cerr << result.diagnostics.FormatAll();
      size_t n = result.diagnostics.Sorted().size();
      std::cerr << path << ": " << Count(n, "error") << "\n";
      exit_code = kExitUsage;
      continue;
    }
    if (opts.quiet) continue;
    const CompiledFile& f = *result.file;
    size_t nodes = 0;
    for (const CompiledWorkflow& w : f.workflows) nodes += w.nodes.size();
    size_t plans = 0;
    for (const CompiledLaunchPlan& lp : f.launch_plans) plans += lp.spec != nullptr;
    std::cout << path << ": ok (" << Count(f.tasks.size(), "task") << ", "
              << Count(f.workflows.size(), "workflow") << " with " << Count(nodes, "node") << ", "
              << Count(plans, "launch plan") << ")\n";
  }
  return exit_code;
}

}  // namespace flyte::cli
