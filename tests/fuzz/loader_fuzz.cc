// Fuzz target: a workflow file's text, read, loaded and compiled. A file either compiles into
// well-formed graphs or fails with diagnostics that point inside it.
#include <algorithm>
#include <string>

#include "flyte/compiler.h"
#include "fuzz/fuzz_check.h"

namespace flyte::fuzz {
namespace {

void CheckGraph(const CompiledWorkflow& wf) {
  const size_t n = wf.nodes.size();
  FUZZ_CHECK(wf.succ_begin.size() == n + 1 && wf.pred_begin.size() == n + 1, wf.name);
  FUZZ_CHECK(wf.topo_order.size() == n && wf.critical_path.size() == n, wf.name);
  FUZZ_CHECK(wf.succ.size() == wf.pred.size(), wf.name);
  std::vector<size_t> pos(n, n);
  for (size_t k = 0; k < n; ++k) {
    FUZZ_CHECK(wf.topo_order[k] < n && pos[wf.topo_order[k]] == n, wf.name + ": topo order");
    pos[wf.topo_order[k]] = k;
  }
  for (uint32_t u = 0; u < n; ++u) {
    FUZZ_CHECK(wf.succ_begin[u] <= wf.succ_begin[u + 1] && wf.succ_begin[u + 1] <= wf.succ.size(),
               wf.name);
    for (uint32_t e = wf.succ_begin[u]; e < wf.succ_begin[u + 1]; ++e) {
      FUZZ_CHECK(wf.succ[e] < n && pos[u] < pos[wf.succ[e]], wf.name + ": edge against topo order");
      FUZZ_CHECK(wf.critical_path[u] > wf.critical_path[wf.succ[e]], wf.name + ": critical path");
    }
  }
}

}  // namespace

int FuzzLoader(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  CompileOutput out = CompileText("fuzz.yaml", text);
  if (!out.ok()) {
    FUZZ_CHECK(!out.diagnostics.ok(), "a file that does not compile has diagnostics");
    const size_t lines = static_cast<size_t>(std::count(text.begin(), text.end(), '\n')) + 1;
    for (const Diagnostic& d : out.diagnostics.items()) {
      FUZZ_CHECK(d.line <= lines, d.Headline());
      FUZZ_CHECK(!d.message.empty(), d.Headline());
    }
    (void)out.diagnostics.FormatAll();  // the caret display reads the located line
    return 0;
  }
  FUZZ_CHECK(out.diagnostics.ok(), out.diagnostics.FormatAll());
  for (const CompiledWorkflow& wf : out.file->workflows) CheckGraph(wf);
  return 0;
}

}  // namespace flyte::fuzz

#ifdef FLYTE_LIBFUZZER
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return flyte::fuzz::FuzzLoader(data, size);
}
#endif
