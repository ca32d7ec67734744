#include "store/state_rows.h"

namespace flyte {

std::optional<ExecError> ErrorFromRow(const std::string& code, const std::string& message,
                                      const std::string& node) {
  if (code.empty() && message.empty()) return std::nullopt;
  return ExecError{AnyExecErrorCode::FromText(code), message, ErrorKind::kUser, node};
}

AttemptState AttemptFromRecord(const AttemptRecord& r) {
  AttemptState s;
  s.index = r.attempt;
  s.phase = r.phase;
  s.started_at = r.started_at;
  s.ended_at = r.ended_at;
  s.exit_code = r.exit_code;
  s.reason = r.reason;
  s.stdout_path = r.stdout_path;
  s.stderr_path = r.stderr_path;
  s.where = r.where;
  return s;
}

PriorNode PriorFromRecord(NodeRecord r) {
  PriorNode p;
  p.phase = r.phase;
  p.outputs_json = std::move(r.outputs_json);
  p.cache = r.cache_status;
  p.queued_at = r.queued_at;
  p.started_at = r.started_at;
  p.ended_at = r.ended_at;
  p.error = ErrorFromRow(r.error_code, r.error_message, r.node_id);
  p.child_execution = std::move(r.child_execution);
  return p;
}

void ApplyNodeRecord(const NodeRecord& r, NodeState& n) {
  n.id = r.node_id;
  n.started = true;
  n.parent = r.parent_id;
  n.phase = r.phase;
  n.cache = r.cache_status;
  n.attempts.resize(r.attempts);
  n.queued_at = r.queued_at;
  n.started_at = r.started_at;
  n.ended_at = r.ended_at;
  n.tail = r.tail;
  if (std::optional<ExecError> err = ErrorFromRow(r.error_code, r.error_message, r.node_id))
    n.error = *err;
  n.child_execution = r.child_execution;
}

ExecutionPhase ApplyExecutionRecord(const ExecutionRecord& r, ExecutionState& e) {
  e.key = r.key;
  e.created_at = r.created_at;
  e.started_at = r.started_at;
  e.ended_at = r.ended_at;
  e.parent = r.parent;
  e.launch_plan = r.launch_plan;
  if (std::optional<ExecError> err = ErrorFromRow(r.error_code, r.error_message, r.error_node))
    e.error = *err;
  return r.phase;
}

}  // namespace flyte
