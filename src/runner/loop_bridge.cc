#include "runner/loop_bridge.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>

namespace flyte {

struct LoopBridge::Waker {
  uv_poll_t poll;
  int fd;
  LoopBridge* bridge;
};

LoopBridge::LoopBridge(uv_loop_t* loop) {
  const int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (fd >= 0) {
    auto* w = new Waker{{}, fd, this};
    if (uv_poll_init(loop, &w->poll, fd) == 0) {
      w->poll.data = w;
      uv_poll_start(&w->poll, UV_READABLE, &LoopBridge::OnReadable);
      waker_ = w;
      return;
    }
    close(fd);
    delete w;
  }
  uv_async_init(loop, &async_, &LoopBridge::OnAsync);
  async_.data = this;
}

LoopBridge::~LoopBridge() { Close(); }

bool LoopBridge::Post(std::function<void(bool)> fn) {
  std::lock_guard<std::mutex> lock(mu_);
  if (closed_) return false;
  const bool was_empty = queue_.empty();
  queue_.push_back(std::move(fn));
  // A queue that held work already has a wake-up on its way: the loop drains it all. Woken
  // under the lock: once Close() has taken it, no Post touches the eventfd it frees.
  if (was_empty) Wake();
  return true;
}

void LoopBridge::Wake() {
  if (waker_ == nullptr) {
    uv_async_send(&async_);
    return;
  }
  const uint64_t one = 1;
  // Only EAGAIN (the counter is full, so the loop is woken anyway) or EINTR can fail it.
  while (write(waker_->fd, &one, sizeof one) < 0 && errno == EINTR) {
  }
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

void LoopBridge::OnReadable(uv_poll_t* poll, int, int) {
  auto* w = static_cast<Waker*>(poll->data);
  // Read the counter before taking the queue: work posted after this read either is in the
  // batch taken below or wakes the loop again.
  uint64_t n;
  while (read(w->fd, &n, sizeof n) < 0 && errno == EINTR) {
  }
  w->bridge->Drain(true);
}

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
  if (handle_closed_) return;
  handle_closed_ = true;
  if (waker_ == nullptr) {
    uv_close(reinterpret_cast<uv_handle_t*>(&async_), nullptr);
    return;
  }
  // The eventfd is closed once libuv has let go of its handle.
  uv_close(reinterpret_cast<uv_handle_t*>(&waker_->poll), [](uv_handle_t* h) {
    auto* w = static_cast<Waker*>(h->data);
    close(w->fd);
    delete w;
  });
}

}  // namespace flyte
