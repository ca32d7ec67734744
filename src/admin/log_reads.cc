#include "admin/log_reads.h"

#include "util/strings.h"

namespace flyte {

Result<AttemptRecord> PickLogAttempt(AdminService& admin, const ExecutionKey& key,
                                     const std::string& node, std::optional<uint32_t> attempt) {
  ASSIGN_OR_RETURN(std::vector<AttemptRecord> attempts, admin.ListAttempts(key, node));
  if (attempts.empty()) {
    ASSIGN_OR_RETURN(std::vector<NodeRecord> nodes, admin.ListNodes(key));
    std::vector<std::string> ids;
    for (const NodeRecord& n : nodes) ids.push_back(n.node_id);
    return NotFound("node " + Quote(node) + " of execution " + key.name + " has no attempts" +
                    DidYouMean(node, ids));
  }
  if (!attempt) return attempts.back();
  for (AttemptRecord& a : attempts) {
    if (a.attempt == *attempt) return std::move(a);
  }
  return NotFound("node " + Quote(node) + " has no attempt " + std::to_string(*attempt) +
                  " (it has " + std::to_string(attempts.size()) + ")");
}

}  // namespace flyte
