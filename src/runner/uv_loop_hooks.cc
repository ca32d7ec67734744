#include "runner/uv_loop_hooks.h"

#include <csignal>
#include <utility>

namespace flyte {
namespace {

uv_handle_t* H(void* handle) { return reinterpret_cast<uv_handle_t*>(handle); }

}  // namespace

// Every handle is initialised here, so the destructor may close them all whatever was used.
UvLoopHooks::UvLoopHooks(uv_loop_t* loop) : loop_(loop) {
  uv_check_init(loop_, &check_);
  check_.data = this;
  uv_prepare_init(loop_, &prepare_);
  prepare_.data = this;
  uv_timer_init(loop_, &retry_);
  retry_.data = this;
  // A retry alone must not keep a loop alive: a server shutting down on a full disk still ends.
  uv_unref(H(&retry_));
  uv_timer_init(loop_, &later_);
  later_.data = this;
  uv_unref(H(&later_));
  for (uv_signal_t* s : {&sigint_, &sigterm_}) {
    uv_signal_init(loop_, s);
    s->data = this;
  }
}

UvLoopHooks::~UvLoopHooks() {
  for (void* h :
       {static_cast<void*>(&check_), static_cast<void*>(&prepare_), static_cast<void*>(&retry_),
        static_cast<void*>(&later_), static_cast<void*>(&sigint_), static_cast<void*>(&sigterm_)}) {
    uv_close(H(h), nullptr);
  }
  // Let the closes complete while this object, which the handles point into, is alive.
  uv_run(loop_, UV_RUN_NOWAIT);
}

void UvLoopHooks::OnTurn(std::function<void()> fn) {
  on_turn_ = std::move(fn);
  if (turn_started_) return;
  turn_started_ = true;
  uv_check_start(&check_, &UvLoopHooks::OnCheck);
  uv_unref(H(&check_));
  // Changes made by timer callbacks come after this turn's check: handle them before the loop
  // goes back to sleep, or a server would hold them until the next request wakes it.
  uv_prepare_start(&prepare_, &UvLoopHooks::OnPrepare);
  uv_unref(H(&prepare_));
}

void UvLoopHooks::RetryIn(uint64_t ms, std::function<void()> fn) {
  on_retry_ = std::move(fn);
  uv_timer_start(&retry_, &UvLoopHooks::OnRetry, ms, 0);
}

void UvLoopHooks::CancelRetry() { uv_timer_stop(&retry_); }

void UvLoopHooks::Later(uint64_t ms, std::function<void()> fn) {
  if (uv_is_active(H(&later_))) return;
  on_later_ = std::move(fn);
  uv_timer_start(&later_, &UvLoopHooks::OnLater, ms, 0);
}

void UvLoopHooks::CancelLater() {
  uv_timer_stop(&later_);
  on_later_ = nullptr;
}

void UvLoopHooks::KeepAliveForRetry(bool on) {
  if (on) {
    uv_ref(H(&retry_));
  } else {
    uv_unref(H(&retry_));
  }
}

void UvLoopHooks::OnInterrupt(std::function<void(int)> fn) {
  on_interrupt_ = std::move(fn);
  if (signals_started_) return;
  signals_started_ = true;
  uv_signal_start(&sigint_, &UvLoopHooks::OnSignal, SIGINT);
  uv_signal_start(&sigterm_, &UvLoopHooks::OnSignal, SIGTERM);
  uv_unref(H(&sigint_));
  uv_unref(H(&sigterm_));
}

bool UvLoopHooks::RunOnce() { return uv_run(loop_, UV_RUN_ONCE) != 0; }

void UvLoopHooks::RunReady() { uv_run(loop_, UV_RUN_NOWAIT); }

uint64_t UvLoopHooks::NowMillis() {
  uv_update_time(loop_);
  return uv_now(loop_);
}

void UvLoopHooks::OnCheck(uv_check_t* check) {
  auto* self = static_cast<UvLoopHooks*>(check->data);
  if (self->on_turn_) self->on_turn_();
}

void UvLoopHooks::OnPrepare(uv_prepare_t* prepare) {
  auto* self = static_cast<UvLoopHooks*>(prepare->data);
  if (self->on_turn_) self->on_turn_();
}

void UvLoopHooks::OnRetry(uv_timer_t* timer) {
  auto* self = static_cast<UvLoopHooks*>(timer->data);
  if (self->on_retry_) self->on_retry_();
}

void UvLoopHooks::OnLater(uv_timer_t* timer) {
  auto* self = static_cast<UvLoopHooks*>(timer->data);
  std::function<void()> fn = std::move(self->on_later_);
  if (fn) fn();
}

void UvLoopHooks::OnSignal(uv_signal_t* handle, int signum) {
  auto* self = static_cast<UvLoopHooks*>(handle->data);
  if (self->on_interrupt_) self->on_interrupt_(signum);
}

}  // namespace flyte
