#include "http/server_metrics.h"

namespace flyte::http {
namespace {

template <typename T>
T* Must(Result<T*> r) {
  // The names below are constants checked by the tests: a failure here is a typo in this file.
  return r.ok() ? *r : nullptr;
}

}  // namespace

ServerMetrics::ServerMetrics() {
  executions_ =
      Must(registry_.Counter("flyte_execution_phase_changes_total",
                             "Executions entering each phase since the server started", {"phase"}));
  nodes_ = Must(registry_.Counter("flyte_node_phase_changes_total",
                                  "Node executions entering each phase since the server started",
                                  {"phase"}));
  running_ =
      Must(registry_.Gauge("flyte_executions_running", "Executions started and not yet ended"));
  queued_ =
      Must(registry_.Gauge("flyte_node_queue_depth",
                           "Nodes ready to run and waiting for a task slot (max_parallelism)"));
  attempts_running_ =
      Must(registry_.Gauge("flyte_task_attempts_running", "Task attempts running now"));
  attempts_ = Must(registry_.Histogram(
      "flyte_task_attempt_duration_seconds", "Wall time of finished task attempts, by outcome",
      {0.01, 0.05, 0.1, 0.5, 1, 5, 10, 60, 300, 1800, 7200}, {"phase"}));
  requests_ = Must(registry_.Histogram(
      "flyte_http_request_duration_seconds",
      "Admin API request latency, by method and status class",
      {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1, 5}, {"method", "code"}));
}

void ServerMetrics::OnExecution(const ExecutionState& e) {
  if (executions_ != nullptr) executions_->Inc({{"phase", std::string(PhaseName(e.phase))}});
  if (running_ == nullptr) return;
  if (e.phase == ExecutionPhase::kRunning) running_->Add({}, 1);
  if (IsTerminal(e.phase) && e.started_at > 0) running_->Add({}, -1);
}

void ServerMetrics::OnNode(const ExecutionState&, const NodeState& n) {
  if (nodes_ != nullptr) nodes_->Inc({{"phase", std::string(PhaseName(n.phase))}});
  if (queued_ == nullptr) return;
  if (n.phase == NodePhase::kQueued) {
    if (queued_nodes_.insert(&n).second) queued_->Add({}, 1);
  } else if (queued_nodes_.erase(&n) > 0) {
    queued_->Add({}, -1);
  }
}

void ServerMetrics::OnAttempt(const ExecutionState&, const NodeState&, const AttemptState& a) {
  if (attempts_running_ != nullptr && a.ended_at == 0 && a.phase == TaskPhase::kRunning)
    attempts_running_->Add({}, 1);
  if (attempts_running_ != nullptr && a.ended_at != 0 && IsTerminal(a.phase))
    attempts_running_->Add({}, -1);
  if (attempts_ == nullptr || a.ended_at == 0 || a.started_at == 0) return;
  attempts_->Observe({{"phase", std::string(PhaseName(a.phase))}},
                     static_cast<double>(a.ended_at - a.started_at) / 1e9);
}

void ServerMetrics::ObserveRequest(const std::string& method, int status,
                                   std::chrono::nanoseconds took) {
  if (requests_ == nullptr) return;
  requests_->Observe({{"method", method}, {"code", std::to_string(status / 100) + "xx"}},
                     std::chrono::duration<double>(took).count());
}

}  // namespace flyte::http
