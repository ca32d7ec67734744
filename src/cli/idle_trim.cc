#include "cli/idle_trim.h"

#include <malloc.h>

namespace flyte::cli {

IdleTrim::IdleTrim(Clock& clock, int64_t delay_nanos, std::function<bool()> busy,
                   std::function<void()> trim)
    : clock_(clock), delay_nanos_(delay_nanos), busy_(std::move(busy)), trim_(std::move(trim)) {
  if (!trim_) trim_ = [] { ::malloc_trim(0); };
}

void IdleTrim::Close() {
  closed_ = true;
  if (timer_ != 0) clock_.Cancel(timer_), timer_ = 0;
}

void IdleTrim::OnExecution(const ExecutionState& e) {
  if (closed_ || !IsTerminal(e.phase)) return;
  if (timer_ != 0) clock_.Cancel(timer_);
  timer_ = clock_.After(delay_nanos_, [this] { Fire(); });
}

void IdleTrim::Fire() {
  timer_ = 0;
  if (busy_()) return;  // the next execution to end arms it again
  trim_();
  ++trims_;
}

}  // namespace flyte::cli
