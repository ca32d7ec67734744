#include <iostream>

#include "cli/commands.h"
#include "cli/graph_render.h"
#include "flyte/compiler.h"
#include "util/strings.h"

namespace flyte::cli {

int RunGraph(const GraphOptions& opts) {
  CompileOutput result = CompileFile(opts.file);
  if (!result.ok()) {
    std::cerr << result.diagnostics.FormatAll();
    return kExitUsage;
  }
  const CompiledFile& f = *result.file;
  std::vector<std::string> names;
  for (const CompiledWorkflow& w : f.workflows) names.push_back(w.name);
  const CompiledWorkflow* wf = nullptr;
  if (opts.workflow.empty()) {
    if (f.workflows.size() != 1) {
      std::cerr << "flyte graph: " << opts.file << " defines " << f.workflows.size()
                << " workflows; name one: " << Join(names, ", ") << "\n";
      return kExitUsage;
    }
    wf = &f.workflows[0];
  } else {
    uint32_t idx = f.FindWorkflow(opts.workflow);
    if (idx == kNoIndex) {
      std::cerr << "flyte graph: " << opts.file << " has no workflow " << Quote(opts.workflow)
                << DidYouMean(opts.workflow, names) << "\n";
      return kExitUsage;
    }
    wf = &f.workflows[idx];
  }
  std::cout << (opts.format == "mermaid" ? RenderMermaid(f, *wf) : RenderDot(f, *wf));
  return kExitOk;
}

}  // namespace flyte::cli
