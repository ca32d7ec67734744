#include <set>
#include <unordered_set>

#include "flyte/store.h"

namespace flyte {

void Recorder::OnExecution(const ExecutionState& e) {
  dirty_executions_.push_back(&e);
  events_.push_back({e.key, "", -1, std::string(PhaseName(e.phase)),
                     IsTerminal(e.phase) ? e.ended_at
                     : e.started_at      ? e.started_at
                                         : e.created_at});
}

void Recorder::OnNode(const ExecutionState& e, const NodeState& n) {
  dirty_nodes_.emplace_back(&e, &n);
  int64_t at = IsTerminal(n.phase) ? n.ended_at : n.started_at ? n.started_at : n.queued_at;
  events_.push_back({e.key, n.id, -1, std::string(PhaseName(n.phase)), at});
}

void Recorder::OnAttempt(const ExecutionState& e, const NodeState& n, const AttemptState& a) {
  dirty_attempts_.emplace_back(&e, &n, a.index);
  dirty_nodes_.emplace_back(&e, &n);  // its attempt count changed
  events_.push_back({e.key, n.id, static_cast<int>(a.index), std::string(PhaseName(a.phase)),
                     a.ended_at ? a.ended_at : a.started_at});
}

Status Recorder::Flush() {
  if (!pending() && dirty_nodes_.empty() && dirty_attempts_.empty()) return Status::Ok();
  RETURN_IF_ERROR(store_.Begin());
  auto write = [&]() -> Status {
    // Rows hold the latest state, so each is written once per flush however often it changed.
    std::unordered_set<const void*> seen;
    for (const ExecutionState* e : dirty_executions_) {
      if (seen.insert(e).second) RETURN_IF_ERROR(store_.UpsertExecutionState(*e));
    }
    for (const auto& [e, n] : dirty_nodes_) {
      if (seen.insert(n).second) RETURN_IF_ERROR(store_.UpsertNode(*e, *n));
    }
    std::set<std::pair<const NodeState*, uint32_t>> attempts_seen;
    for (const auto& [e, n, index] : dirty_attempts_) {
      if (attempts_seen.emplace(n, index).second && index < n->attempts.size()) {
        RETURN_IF_ERROR(store_.UpsertAttempt(*e, *n, n->attempts[index]));
      }
    }
    for (const Event& ev : events_) {
      RETURN_IF_ERROR(store_.AppendEvent(ev.key, ev.node, ev.attempt, ev.phase, ev.at));
    }
    return Status::Ok();
  };
  Status st = write();
  if (st.ok()) st = store_.Commit();
  if (!st.ok()) {
    (void)store_.Rollback();
    return st;
  }
  dirty_executions_.clear();
  dirty_nodes_.clear();
  dirty_attempts_.clear();
  events_.clear();
  return Status::Ok();
}

}  // namespace flyte
