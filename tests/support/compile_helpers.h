// Helpers for tests that compile workflow files written inline as raw strings.
// Inline YAML starts on the line after `R"(`; Yaml() drops that first newline so that line 1
// of the file is the first line of text, and the line numbers asserted read off the test.
#pragma once

#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "flyte/compiler.h"
#include "flyte/diagnostic.h"

namespace flyte::testing {

using Lines = std::vector<std::string>;

inline std::string Yaml(std::string_view text) {
  if (!text.empty() && text.front() == '\n') text.remove_prefix(1);
  return std::string(text);
}

// Every diagnostic of compiling `yaml` (named wf.yaml), sorted, as
// "wf.yaml:LINE:COL: error[CODE]: message".
inline Lines Errors(std::string_view yaml) {
  CompileOutput out = CompileText("wf.yaml", Yaml(yaml));
  Lines lines;
  for (const Diagnostic& d : out.diagnostics.Sorted()) lines.push_back(d.Headline());
  return lines;
}

// Compiles `yaml`; the test fails, showing every diagnostic, when it does not compile.
inline std::shared_ptr<const CompiledFile> Compiled(std::string_view yaml) {
  CompileOutput out = CompileText("wf.yaml", Yaml(yaml));
  INFO(out.diagnostics.FormatAll());
  REQUIRE(out.ok());
  return out.file;
}

inline const CompiledWorkflow& WorkflowOf(const CompiledFile& file, std::string_view name) {
  uint32_t i = file.FindWorkflow(name);
  REQUIRE(i != kNoIndex);
  return file.workflows[i];
}

inline const CompiledNode& NodeOf(const CompiledWorkflow& wf, std::string_view id) {
  uint32_t i = wf.FindNode(id);
  REQUIRE(i != kNoIndex);
  return wf.nodes[i];
}

// Edges of `wf` as "from -> to", in CSR order (by upstream node, then downstream).
inline Lines Successors(const CompiledWorkflow& wf) {
  Lines out;
  for (uint32_t u = 0; u < wf.nodes.size(); ++u) {
    for (uint32_t e = wf.succ_begin[u]; e < wf.succ_begin[u + 1]; ++e) {
      out.push_back(wf.nodes[u].id + " -> " + wf.nodes[wf.succ[e]].id);
    }
  }
  return out;
}

// The same edges read from the predecessor rows, as "from -> to", by downstream node.
inline Lines Predecessors(const CompiledWorkflow& wf) {
  Lines out;
  for (uint32_t v = 0; v < wf.nodes.size(); ++v) {
    for (uint32_t e = wf.pred_begin[v]; e < wf.pred_begin[v + 1]; ++e) {
      out.push_back(wf.nodes[wf.pred[e]].id + " -> " + wf.nodes[v].id);
    }
  }
  return out;
}

inline Lines TopoOrder(const CompiledWorkflow& wf) {
  Lines out;
  for (uint32_t i : wf.topo_order) out.push_back(wf.nodes[i].id);
  return out;
}

// Whether every edge runs from earlier to later in wf.topo_order, which holds every node once.
inline bool IsTopologicalOrder(const CompiledWorkflow& wf) {
  const size_t n = wf.nodes.size();
  if (wf.topo_order.size() != n) return false;
  std::vector<size_t> pos(n, n);
  for (size_t k = 0; k < n; ++k) {
    uint32_t node = wf.topo_order[k];
    if (node >= n || pos[node] != n) return false;
    pos[node] = k;
  }
  for (uint32_t u = 0; u < n; ++u) {
    for (uint32_t e = wf.succ_begin[u]; e < wf.succ_begin[u + 1]; ++e) {
      if (pos[u] >= pos[wf.succ[e]]) return false;
    }
  }
  return true;
}

}  // namespace flyte::testing
