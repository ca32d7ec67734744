#include "cli/execution_log.h"

namespace flyte::cli {

void ExecutionLog::OnExecution(const ExecutionState& e) {
  const std::string id = e.key.ToString();
  ServeLog::Fields fields = {
      {"execution", e.key.name}, {"project", e.key.project}, {"domain", e.key.domain}};
  if (!e.launch_plan.empty()) {
    fields.emplace_back("launch_plan", e.launch_plan);
  } else {
    fields.emplace_back("workflow", e.wf().name);
  }
  if (!IsTerminal(e.phase)) {
    // QUEUED then RUNNING: one line, at the first of them that reaches the log.
    if (running_.insert(id).second) log_.Info("execution started", fields);
    return;
  }
  running_.erase(id);
  fields.emplace_back("phase", std::string(PhaseName(e.phase)));
  const int64_t from = e.started_at != 0 ? e.started_at : e.created_at;
  fields.emplace_back(
      "duration_ms",
      std::to_string(e.ended_at > from && from != 0 ? (e.ended_at - from) / 1'000'000 : 0));
  if (e.error && e.phase != ExecutionPhase::kSucceeded) {
    fields.emplace_back("error", std::string(e.error->code.text()) +
                                     (e.error->node.empty() ? "" : " in " + e.error->node));
  }
  log_.Info("execution ended", fields);
}

}  // namespace flyte::cli
