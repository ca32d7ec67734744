// Reading a workflow file into the typed model of flyte/spec.h.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "flyte/diagnostic.h"
#include "flyte/spec.h"

namespace flyte::spec {

// Workflow files are configuration, not data: anything larger is almost surely a mistake,
// and refusing it early keeps memory bounded.
inline constexpr size_t kMaxFileBytes = 16u << 20;

// Reads a workflow file (or any text file the same checks apply to: size limit, not a
// folder); null with a diagnostic when it cannot be read.
std::shared_ptr<const SourceFile> ReadSource(const std::string& path, Diagnostics& diags);

// Reads, parses and loads `path`. Every problem becomes a diagnostic. Returns null when the
// file cannot be read or parsed at all; otherwise a best-effort model (check diags.ok()).
std::unique_ptr<File> LoadFile(const std::string& path, Diagnostics& diags);
std::unique_ptr<File> LoadSource(std::shared_ptr<const SourceFile> source, Diagnostics& diags);

// A dynamic task's `_workflow.yaml`: `nodes:` and `outputs:` in the workflow grammar. The
// result is a copy of `base` with one more workflow, named TASK.dynamic, whose inputs are the
// task's inputs; its entities keep pointing into `base`, which it keeps alive.
std::unique_ptr<File> LoadFragment(std::shared_ptr<const SourceFile> source,
                                   std::shared_ptr<const File> base, const Task& task,
                                   Diagnostics& diags);

}  // namespace flyte::spec
