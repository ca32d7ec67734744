// The server log's line per execution start and end, an engine observer beside the metrics and
// the event stream: "execution started" (name, project, domain, launch plan or workflow, mode)
// when it first runs, "execution ended" (the same, phase and duration_ms) when it is terminal.
// Loop thread only, like every observer.
#pragma once

#include <set>
#include <string>

#include "cli/serve_log.h"
#include "flyte/engine.h"

namespace flyte::cli {

class ExecutionLog : public EngineObserver {
 public:
  explicit ExecutionLog(ServeLog& log) : log_(log) {}
  void OnExecution(const ExecutionState& e) override;

 private:
  ServeLog& log_;
  std::set<std::string> running_;  // executions whose start was logged and whose end was not
};

}  // namespace flyte::cli
