// What `GET /metrics` reports, in Prometheus text: phase changes of executions and nodes, the
// executions running now, the queue (nodes waiting for a task slot) and the attempts running, task
// attempt durations, and HTTP request latency. The engine-side counts come from an observer on the
// loop thread; HTTP timings from the server's threads. The registry is thread-safe.
#pragma once

#include <chrono>
#include <string>
#include <unordered_set>

#include "flyte/engine.h"
#include "http/metrics.h"

namespace flyte::http {

class ServerMetrics : public EngineObserver {
 public:
  ServerMetrics();
  void OnExecution(const ExecutionState& e) override;
  void OnNode(const ExecutionState& e, const NodeState& n) override;
  void OnAttempt(const ExecutionState& e, const NodeState& n, const AttemptState& a) override;
  // One answered HTTP request (any thread).
  void ObserveRequest(const std::string& method, int status, std::chrono::nanoseconds took);
  std::string Render() const { return registry_.Render(); }

 private:
  metrics::Registry registry_;
  metrics::CounterFamily* executions_ = nullptr;
  metrics::CounterFamily* nodes_ = nullptr;
  metrics::GaugeFamily* running_ = nullptr;
  metrics::GaugeFamily* queued_ = nullptr;
  metrics::GaugeFamily* attempts_running_ = nullptr;
  std::unordered_set<const NodeState*> queued_nodes_;  // loop thread only
  metrics::HistogramFamily* attempts_ = nullptr;
  metrics::HistogramFamily* requests_ = nullptr;
};

}  // namespace flyte::http
