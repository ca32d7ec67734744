// A forwarding Runner that loses the attempts a test picks: the inner runner starts them, then
// this one reports them lost (a system error, as when a process vanishes from under its
// runner, or a node with a Pod goes away) and stops the inner attempt, whose own late result
// it swallows. Fault injection for "every execution still ends in a true state".
#pragma once

#include <cstdint>
#include <set>
#include <vector>

#include "flyte/runner.h"

namespace flyte::testing {

class LosingRunner : public Runner {
 public:
  // Loses the attempts started `nth` (1-based, in start order).
  LosingRunner(Runner& inner, std::set<int> nth) : inner_(inner), nth_(std::move(nth)) {}

  void SetCallbacks(DoneFn done, OutputFn output) override {
    done_ = std::move(done);
    inner_.SetCallbacks(
        [this](uint64_t id, AttemptResult r) {
          if (lost_.count(id) > 0) return;  // reported already, as lost
          done_(id, std::move(r));
        },
        std::move(output));
  }
  void Start(TaskLaunch launch) override {
    const uint64_t id = launch.id;
    inner_.Start(std::move(launch));
    if (nth_.count(++starts_) > 0) pending_.push_back(id);
  }
  void Abort(uint64_t id) override { inner_.Abort(id); }
  void Adopt(TaskLaunch launch) override { inner_.Adopt(std::move(launch)); }
  size_t running() const override { return inner_.running() - lost_.size(); }

  // Reports the picked attempts started so far as lost; the test calls it where a loop would
  // run its next turn.
  void LosePending() {
    std::vector<uint64_t> ids = std::move(pending_);
    pending_.clear();
    for (uint64_t id : ids) {
      lost_.insert(id);
      inner_.Abort(id);
      AttemptResult r;
      r.status = AttemptResult::Status::kSystemError;
      r.code = ExecErrorCode::kLost;
      r.exit_code = -1;
      r.message = "the task's process was lost";
      done_(id, std::move(r));
    }
  }

 private:
  Runner& inner_;
  std::set<int> nth_;
  int starts_ = 0;
  std::vector<uint64_t> pending_;
  std::set<uint64_t> lost_;
  DoneFn done_;
};

}  // namespace flyte::testing
