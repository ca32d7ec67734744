// Drawing a compiled workflow as Graphviz dot or Mermaid flowchart text.
#pragma once

#include <string>

#include "flyte/dag.h"

namespace flyte::cli {

std::string RenderDot(const CompiledFile& file, const CompiledWorkflow& wf);
std::string RenderMermaid(const CompiledFile& file, const CompiledWorkflow& wf);

}  // namespace flyte::cli
