// The graph of one workflow: CSR adjacency, a topological order, cycles, critical paths.
#include <algorithm>

#include "compiler/workflow_compiler.h"
#include "util/strings.h"

namespace flyte::compiler {
namespace {

void BuildRows(uint32_t n, const std::vector<std::pair<uint32_t, uint32_t>>& edges, bool forward,
               std::vector<uint32_t>& begin, std::vector<uint32_t>& cols) {
  begin.assign(n + 1, 0);
  for (const auto& [from, to] : edges) ++begin[(forward ? from : to) + 1];
  for (uint32_t i = 0; i < n; ++i) begin[i + 1] += begin[i];
  cols.resize(edges.size());
  std::vector<uint32_t> fill(begin.begin(), begin.end() - 1);
  for (const auto& [from, to] : edges) cols[fill[forward ? from : to]++] = forward ? to : from;
}

}  // namespace

void WorkflowCompiler::BuildGraph() {
  const uint32_t n = static_cast<uint32_t>(out_.nodes.size());
  std::sort(edges_.begin(), edges_.end());
  edges_.erase(std::unique(edges_.begin(), edges_.end()), edges_.end());
  BuildRows(n, edges_, true, out_.succ_begin, out_.succ);
  BuildRows(n, edges_, false, out_.pred_begin, out_.pred);

  // Kahn's algorithm, in file order among ready nodes so the order is deterministic.
  std::vector<uint32_t> indegree(n);
  for (uint32_t i = 0; i < n; ++i) indegree[i] = out_.pred_begin[i + 1] - out_.pred_begin[i];
  out_.topo_order.clear();
  out_.topo_order.reserve(n);
  for (uint32_t i = 0; i < n; ++i) {
    if (indegree[i] == 0) out_.topo_order.push_back(i);
  }
  for (size_t head = 0; head < out_.topo_order.size(); ++head) {
    uint32_t u = out_.topo_order[head];
    for (uint32_t e = out_.succ_begin[u]; e < out_.succ_begin[u + 1]; ++e) {
      if (--indegree[out_.succ[e]] == 0) out_.topo_order.push_back(out_.succ[e]);
    }
  }

  if (out_.topo_order.size() < n) {
    // Every node left has an unfinished predecessor: walk predecessors among them until one
    // repeats, and report that loop.
    std::vector<bool> done(n, false);
    std::vector<int64_t> pos(n, -1);  // position in the current walk
    int reported = 0;
    for (uint32_t start = 0; start < n && reported < 10; ++start) {
      if (indegree[start] == 0 || done[start]) continue;
      std::vector<uint32_t> walk = {start};
      pos[start] = 0;
      while (true) {
        uint32_t cur = walk.back(), next = kNoIndex;
        for (uint32_t e = out_.pred_begin[cur]; e < out_.pred_begin[cur + 1]; ++e) {
          uint32_t p = out_.pred[e];
          if (indegree[p] > 0 && !done[p]) {
            next = p;
            break;
          }
        }
        if (next == kNoIndex) break;
        if (pos[next] >= 0) {
          // Edges run walk[i + 1] -> walk[i]; the loop is walk[pos] -> walk.back() -> ... .
          std::vector<uint32_t> cycle = {next};
          for (size_t i = walk.size() - 1; i > static_cast<size_t>(pos[next]); --i)
            cycle.push_back(walk[i]);
          std::rotate(cycle.begin(), std::min_element(cycle.begin(), cycle.end()), cycle.end());
          std::string text;
          for (uint32_t c : cycle) text += out_.nodes[c].id + " -> ";
          text += out_.nodes[cycle[0]].id;
          ctx_.Error(ErrorCode::kCycleDetected, out_.nodes[cycle[0]].loc,
                     "workflow " + Quote(spec_.name) + " has a cycle: " + text);
          ++reported;
          break;
        }
        pos[next] = static_cast<int64_t>(walk.size());
        walk.push_back(next);
      }
      for (uint32_t w : walk) done[w] = true, pos[w] = -1;
    }
    return;
  }

  out_.critical_path.assign(n, 0);
  for (size_t k = n; k-- > 0;) {
    uint32_t u = out_.topo_order[k];
    uint32_t longest = 0;
    for (uint32_t e = out_.succ_begin[u]; e < out_.succ_begin[u + 1]; ++e) {
      longest = std::max(longest, out_.critical_path[out_.succ[e]]);
    }
    out_.critical_path[u] = longest + 1;
  }
}

}  // namespace flyte::compiler
