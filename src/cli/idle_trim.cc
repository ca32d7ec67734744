#include "cli/idle_trim.h"

#include <malloc.h>

namespace flyte::cli {

IdleTrim::IdleTrim(uv_loop_t* loop, int64_t delay_ms, std::function<bool()> busy)
    : timer_(new uv_timer_t), delay_ms_(delay_ms), busy_(std::move(busy)) {
  uv_timer_init(loop, timer_);
  timer_->data = this;
  uv_unref(reinterpret_cast<uv_handle_t*>(timer_));  // never what keeps the loop alive
}

IdleTrim::~IdleTrim() { Close(); }

void IdleTrim::Close() {
  if (timer_ == nullptr) return;
  uv_close(reinterpret_cast<uv_handle_t*>(timer_), [](uv_handle_t* h) { delete reinterpret_cast<uv_timer_t*>(h); });
  timer_ = nullptr;
}

void IdleTrim::OnExecution(const ExecutionState& e) {
  if (timer_ == nullptr || !IsTerminal(e.phase)) return;
  uv_timer_start(timer_, &IdleTrim::OnTimer, static_cast<uint64_t>(delay_ms_), 0);
}

void IdleTrim::OnTimer(uv_timer_t* t) {
  auto* self = static_cast<IdleTrim*>(t->data);
  if (self->busy_()) return;  // the next execution to end arms it again
  ::malloc_trim(0);
  ++self->trims_;
}

}  // namespace flyte::cli
