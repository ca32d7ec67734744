// The compiler: workflow file → checked, executable DAG (flyte/dag.h).
// Every error is collected with its code and location (flyte/diagnostic.h); nothing is
// compiled halfway: a file either compiles completely or yields diagnostics.
// Compiling is pure computation on immutable inputs and safe on any thread.
#pragma once

#include <memory>
#include <string>

#include "flyte/dag.h"
#include "flyte/diagnostic.h"
#include "flyte/spec.h"

namespace flyte {

struct CompileOutput {
  std::shared_ptr<const CompiledFile> file;  // null when there are diagnostics
  Diagnostics diagnostics;
  bool ok() const { return file != nullptr; }
};

// Reads, loads and compiles a workflow file.
CompileOutput CompileFile(const std::string& path);
// The same for text that did not come from disk (`path` names it in messages).
CompileOutput CompileText(const std::string& path, std::string text);
// Compiles an already loaded file.
CompileOutput Compile(std::shared_ptr<const spec::File> file);

// Compiles the `_workflow.yaml` fragment a dynamic task (task `task` of `file`) wrote: its
// nodes may use every task and workflow of the file, and its outputs must provide the task's
// declared outputs. On success the fragment is the last workflow of the returned file, its
// outputs in the order and with the types of the task's; every other index matches `file`.
CompileOutput CompileDynamic(const CompiledFile& file, uint32_t task, const std::string& path,
                             std::string text);

// A one-node workflow that runs task `task` of `file` on its own (`flyte run FILE TASK`), as
// Flyte's admin does with its hidden `.flytegen.<task>` workflows: the workflow's inputs and
// outputs are the task's.
std::shared_ptr<const CompiledWorkflow> SingleTaskWorkflow(const CompiledFile& file, uint32_t task);

}  // namespace flyte
