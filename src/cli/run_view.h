// What `flyte run` shows while it runs, on stderr. On a terminal: a live view that redraws in
// place (counts by phase, a bar, running nodes with elapsed time, an ETA from the last run).
// Otherwise: one plain, greppable line per node state change, no escape codes. Lines are
// printed after the store has committed the change they report. `-v` adds task output lines
// prefixed with their node. The final summary and failure details come from Finish().
#pragma once

#include <uv.h>

#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "flyte/engine.h"

namespace flyte::cli {

// `s` as one shell word, quoted only when it needs to be ("sq[3]" -> 'sq[3]'), so that printed
// commands run as printed.
std::string ShellWord(std::string_view s);

class RunView : public EngineObserver {
 public:
  RunView(uv_loop_t* loop, FILE* out, bool tty, bool verbose, std::optional<int64_t> eta_nanos);
  ~RunView() override;

  void OnExecution(const ExecutionState& e) override;
  void OnNode(const ExecutionState& e, const NodeState& n) override;
  // Attempts that run elsewhere (Pods): their waits (QUEUED, INITIALIZING with the cluster's
  // reason) and where they run.
  void OnAttempt(const ExecutionState& e, const NodeState& n, const AttemptState& a) override;
  void OnOutput(const ExecutionState& e, const NodeState& n, bool is_stderr,
                std::string_view line) override;
  void SetEta(std::optional<int64_t> eta_nanos);
  // Flags the printed `flyte logs` hints need to find the execution where it ran, e.g.
  // " -p team-a -d development --endpoint URL" (with a leading space).
  void SetHintFlags(std::string flags) { hint_flags_ = std::move(flags); }
  // Takes the live view off the screen and stops redrawing it (while a question is asked on
  // the terminal), until Resume().
  void Pause();
  void Resume();
  // Prints what is pending (called once the store has committed it).
  void Flush();
  // Clears the live view and prints the summary and each failure with its output tail.
  void Finish(const ExecutionState& e);

 private:
  void Redraw();
  void Clear();
  std::string Elapsed(int64_t nanos) const;

  uv_loop_t* loop_;
  FILE* out_;
  bool tty_;
  bool verbose_;
  std::optional<int64_t> eta_;
  const ExecutionState* exec_ = nullptr;
  std::vector<std::string> pending_;
  int drawn_lines_ = 0;
  uv_timer_t timer_;
  bool timer_started_ = false;
  int frame_ = 0;
  bool paused_ = false;
  std::string hint_flags_;
  std::map<std::string, std::string> waits_;  // node → the last wait printed for it
};

}  // namespace flyte::cli
