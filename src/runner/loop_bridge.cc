#include "runner/loop_bridge.h"

namespace flyte {

LoopBridge::LoopBridge(uv_loop_t* loop) {
  uv_async_init(loop, &async_, &LoopBridge::OnAsync);
  async_.data = this;
}

LoopBridge::~LoopBridge() { Close(); }

bool LoopBridge::Post(std::function<void(bool)> fn) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return false;
    queue_.push_back(std::move(fn));
  }
  uv_async_send(&async_);
  return true;
}

Status LoopBridge::CallStatus(std::function<Status()> fn) {
  Result<bool> r = Call<bool>([&fn]() -> Result<bool> {
    Status st = fn();
    if (!st.ok()) return st;
    return true;
  });
  return r.ok() ? Status::Ok() : r.status();
}

void LoopBridge::OnAsync(uv_async_t* async) { static_cast<LoopBridge*>(async->data)->Drain(true); }

void LoopBridge::Drain(bool run) {
  std::vector<std::function<void(bool)>> batch;
  {
    std::lock_guard<std::mutex> lock(mu_);
    batch.swap(queue_);
  }
  for (auto& fn : batch) fn(run);
}

void LoopBridge::Close() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
  }
  Drain(false);
  if (!handle_closed_) {
    handle_closed_ = true;
    uv_close(reinterpret_cast<uv_handle_t*>(&async_), nullptr);
  }
}

}  // namespace flyte
