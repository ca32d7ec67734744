// A forwarding wrapper over the store's write seam (StateWriter) that fails chosen writes the
// way a full disk does, so tests can check that a failed write loses nothing and that an
// execution still ends in its true state once the store takes writes again.
#pragma once

#include <limits>
#include <memory>

#include "flyte/store.h"

namespace flyte::testing {

class FailingWriter : public StateWriter {
 public:
  static constexpr int kForever = std::numeric_limits<int>::max();
  explicit FailingWriter(StateWriter& inner) : inner_(inner) {}

  // The `nth` write from the start (1-based; Begin, Commit and every row count, Rollback
  // never fails) and the `count - 1` after it fail.
  void FailFrom(int nth, int count = kForever) {
    first_ = nth;
    count_ = count;
  }
  // From the first terminal state of an execution on, every write fails: the disk fills
  // just as an execution ends.
  void FailFromTerminal() { from_terminal_ = true; }
  // Every later write goes through.
  void Heal() {
    count_ = 0;
    from_terminal_ = false;
    terminal_seen_ = false;
  }
  int writes() const { return writes_; }
  int commits() const { return commits_; }  // transactions committed
  int failures() const { return failures_; }

  Status Begin() override {
    return Counted([&] { return inner_.Begin(); });
  }
  Status Commit() override {
    Status st = Counted([&] { return inner_.Commit(); });
    commits_ += st.ok();
    return st;
  }
  Status Rollback() override { return inner_.Rollback(); }
  Status UpsertExecutionState(const ExecutionState& e) override {
    terminal_seen_ = terminal_seen_ || (from_terminal_ && IsTerminal(e.phase));
    return Counted([&] { return inner_.UpsertExecutionState(e); });
  }
  Status UpsertNode(const ExecutionState& e, const NodeState& n) override {
    return Counted([&] { return inner_.UpsertNode(e, n); });
  }
  Status UpsertAttempt(const ExecutionState& e, const NodeState& n,
                       const AttemptState& a) override {
    return Counted([&] { return inner_.UpsertAttempt(e, n, a); });
  }
  Status AppendEvent(const ExecutionKey& key, const std::string& node, int attempt,
                     const std::string& phase, int64_t at) override {
    return Counted([&] { return inner_.AppendEvent(key, node, attempt, phase, at); });
  }

 private:
  template <typename F>
  Status Counted(F write) {
    ++writes_;
    const bool fail = terminal_seen_ || (count_ > 0 && writes_ >= first_ &&
                                         (count_ == kForever || writes_ < first_ + count_));
    if (!fail) return write();
    ++failures_;
    // What sql::Db reports for SQLITE_FULL.
    return IOError("running INSERT: database or disk is full (the disk is full)");
  }

  StateWriter& inner_;
  int writes_ = 0, failures_ = 0, commits_ = 0;
  int first_ = 0, count_ = 0;
  bool from_terminal_ = false, terminal_seen_ = false;
};

}  // namespace flyte::testing
