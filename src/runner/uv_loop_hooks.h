// LoopHooks (runner/loop_hooks.h) on a libuv loop: a check and a prepare handle for the
// after-turn call, one timer for retries, one for the deferred call, signal handles for SIGINT and
// SIGTERM. None of them keeps the loop alive (except the retry timer while asked to). The
// destructor closes them and lets the loop finish the closes.
#pragma once

#include <uv.h>

#include <functional>

#include "runner/loop_hooks.h"

namespace flyte {

class UvLoopHooks : public LoopHooks {
 public:
  explicit UvLoopHooks(uv_loop_t* loop);
  ~UvLoopHooks() override;
  UvLoopHooks(const UvLoopHooks&) = delete;
  UvLoopHooks& operator=(const UvLoopHooks&) = delete;

  void OnTurn(std::function<void()> fn) override;
  void RetryIn(uint64_t ms, std::function<void()> fn) override;
  void CancelRetry() override;
  void KeepAliveForRetry(bool on) override;
  void Later(uint64_t ms, std::function<void()> fn) override;
  void CancelLater() override;
  void OnInterrupt(std::function<void(int signum)> fn) override;
  bool RunOnce() override;
  void RunReady() override;
  uint64_t NowMillis() override;

 private:
  static void OnCheck(uv_check_t* check);
  static void OnPrepare(uv_prepare_t* prepare);
  static void OnRetry(uv_timer_t* timer);
  static void OnLater(uv_timer_t* timer);
  static void OnSignal(uv_signal_t* handle, int signum);

  uv_loop_t* loop_;
  uv_check_t check_;
  uv_prepare_t prepare_;
  uv_timer_t retry_;
  uv_timer_t later_;
  uv_signal_t sigint_, sigterm_;
  bool turn_started_ = false;
  bool signals_started_ = false;
  std::function<void()> on_turn_;
  std::function<void()> on_retry_;
  std::function<void()> on_later_;
  std::function<void(int)> on_interrupt_;
};

}  // namespace flyte
