// A Runner whose attempts finish only when a test says so. It records every launch and abort,
// and delivers results synchronously from Finish()/Abort processing as a real loop would on its
// next turn (never from inside Start or Abort themselves).
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <vector>

#include "flyte/runner.h"

namespace flyte::testing {

class FakeRunner : public Runner {
 public:
  void SetCallbacks(DoneFn done, OutputFn output) override {
    done_ = std::move(done);
    output_ = std::move(output);
  }
  void Start(TaskLaunch launch) override {
    started.push_back(launch.id);
    by_id_[launch.id] = launch;
    running_ids_.push_back(launch.id);
  }
  void Abort(uint64_t id) override { aborted.push_back(id); }
  // Adopted attempts run on like started ones until the test finishes them.
  void Adopt(TaskLaunch launch) override {
    adopted.push_back(launch.id);
    by_id_[launch.id] = launch;
    running_ids_.push_back(launch.id);
  }
  size_t running() const override { return running_ids_.size(); }
  void SetProgress(ProgressFn progress) override { progress_ = std::move(progress); }
  // Reports how attempt `id` is doing, as a cluster runner does while it waits.
  void Report(uint64_t id, TaskPhase phase, std::string reason = "", std::string where = "") {
    progress_(id, {phase, std::move(reason), std::move(where)});
  }

  // The launch of a running attempt, in start order.
  const TaskLaunch& launch(uint64_t id) const { return by_id_.at(id); }
  const std::vector<uint64_t>& running_ids() const { return running_ids_; }
  // Running attempts of a node, by node id (FLYTE_NODE_ID of the launch).
  uint64_t RunningFor(const std::string& node) const {
    for (uint64_t id : running_ids_) {
      for (const auto& [k, v] : by_id_.at(id).env) {
        if (k == "FLYTE_NODE_ID" && v == node) return id;
      }
    }
    return 0;
  }
  std::string NodeOf(uint64_t id) const {
    for (const auto& [k, v] : by_id_.at(id).env) {
      if (k == "FLYTE_NODE_ID") return v;
    }
    return "";
  }

  // Completes attempt `id` with `result`.
  void Finish(uint64_t id, AttemptResult result) {
    std::erase(running_ids_, id);
    done_(id, std::move(result));
  }
  void Succeed(uint64_t id, std::vector<Value> outputs = {}) {
    AttemptResult r;
    r.outputs = std::move(outputs);
    Finish(id, std::move(r));
  }
  void FailUser(uint64_t id, std::string message = "exit code 1", int exit_code = 1) {
    AttemptResult r;
    r.status = AttemptResult::Status::kUserError;
    r.code = ExecErrorCode::kNonZeroExit;
    r.exit_code = exit_code;
    r.message = std::move(message);
    r.tail = "last line of stderr";
    Finish(id, std::move(r));
  }
  void FailSystem(uint64_t id, std::string message = "killed by SIGKILL") {
    AttemptResult r;
    r.status = AttemptResult::Status::kSystemError;
    r.code = ExecErrorCode::kSignal;
    r.exit_code = -1;
    r.message = std::move(message);
    Finish(id, std::move(r));
  }
  // Reports every aborted attempt as stopped, the way a real runner does after SIGTERM.
  void CompleteAborts() {
    std::vector<uint64_t> ids = aborted;
    for (uint64_t id : ids) {
      if (std::find(running_ids_.begin(), running_ids_.end(), id) == running_ids_.end()) continue;
      AttemptResult r;
      r.status = AttemptResult::Status::kAborted;
      r.code = ExecErrorCode::kAborted;
      r.exit_code = -1;
      Finish(id, std::move(r));
    }
  }

  std::vector<uint64_t> started;
  std::vector<uint64_t> aborted;
  std::vector<uint64_t> adopted;

 private:
  DoneFn done_;
  OutputFn output_;
  ProgressFn progress_;
  std::map<uint64_t, TaskLaunch> by_id_;
  std::vector<uint64_t> running_ids_;
};

}  // namespace flyte::testing
