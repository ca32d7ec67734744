// A workflow of 10,000 nodes and more than 20,000 edges compiles to a correct graph.
// (bench/validate_scaling.sh times the same shape through the binary.)
#include <catch2/catch.hpp>

#include <cstdint>
#include <set>
#include <string>
#include <utility>

#include "support/compile_helpers.h"

namespace flyte {
namespace {

constexpr uint32_t kNodes = 10000;

// Node n<i> reads n<i-1> and one pseudo-random earlier node; every fourth node reads a third.
// Returns the file and fills `edges` with the (upstream, downstream) pairs it implies.
std::string WideWorkflow(std::set<std::pair<uint32_t, uint32_t>>& edges) {
  std::string y = R"(tasks:
  combine:
    inputs: {a: int, b: {type: int, default: 0}, c: {type: int, default: 0}}
    outputs: {y: int}
    script: echo
workflows:
  big:
    inputs: {seed: int}
    nodes:
      n0: {task: combine, inputs: {a: "{{ inputs.seed }}"}}
)";
  uint64_t state = 12345;
  auto next = [&](uint32_t bound) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<uint32_t>((state >> 33) % bound);
  };
  auto ref = [](uint32_t n) { return "\"{{ n" + std::to_string(n) + ".y }}\""; };
  for (uint32_t i = 1; i < kNodes; ++i) {
    y += "      n" + std::to_string(i) + ": {task: combine, inputs: {a: " + ref(i - 1);
    edges.emplace(i - 1, i);
    if (i >= 2) {
      uint32_t j = next(i - 1);  // in [0, i-2]
      y += ", b: " + ref(j);
      edges.emplace(j, i);
    }
    if (i >= 4 && i % 4 == 0) {
      uint32_t k = next(i / 2);
      y += ", c: " + ref(k);
      edges.emplace(k, i);
    }
    y += "}}\n";
  }
  return y;
}

TEST_CASE("compiler builds a 10,000-node workflow with over 20,000 edges") {
  std::set<std::pair<uint32_t, uint32_t>> expected;
  std::string text = WideWorkflow(expected);
  REQUIRE(expected.size() >= 20000);
  auto file = testing::Compiled(text);
  const CompiledWorkflow& wf = file->workflows[0];
  REQUIRE(wf.nodes.size() == kNodes);
  CHECK(wf.edge_count() == expected.size());

  std::set<std::pair<uint32_t, uint32_t>> got;
  for (uint32_t u = 0; u < kNodes; ++u) {
    for (uint32_t e = wf.succ_begin[u]; e < wf.succ_begin[u + 1]; ++e) got.emplace(u, wf.succ[e]);
  }
  CHECK(got == expected);
  std::set<std::pair<uint32_t, uint32_t>> from_pred;
  for (uint32_t v = 0; v < kNodes; ++v) {
    for (uint32_t e = wf.pred_begin[v]; e < wf.pred_begin[v + 1]; ++e)
      from_pred.emplace(wf.pred[e], v);
  }
  CHECK(from_pred == expected);

  CHECK(testing::IsTopologicalOrder(wf));
  // n0 -> n1 -> ... -> n9999 is the longest path.
  CHECK(wf.critical_path.front() == kNodes);
  CHECK(wf.critical_path.back() == 1);
}

}  // namespace
}  // namespace flyte
