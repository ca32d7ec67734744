#include "http/connection_threads.h"

#include <chrono>
#include <thread>

namespace flyte::http {
namespace {

// How long a thread whose connection ended waits for another before it ends.
constexpr auto kIdleLinger = std::chrono::seconds(30);

}  // namespace

ConnectionThreads::ConnectionThreads(size_t max_threads)
    : max_(max_threads == 0 ? 1 : max_threads) {}

ConnectionThreads::~ConnectionThreads() { shutdown(); }

void ConnectionThreads::enqueue(std::function<void()> fn) {
  std::unique_lock<std::mutex> lock(mu_);
  jobs_.push_back(std::move(fn));
  if (idle_ >= jobs_.size() || threads_ >= max_) {
    work_.notify_one();
    return;
  }
  ++threads_;
  lock.unlock();
  // Detached: shutdown() waits for the count to reach zero instead of joining.
  std::thread([this] { Work(); }).detach();
}

void ConnectionThreads::Work() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    while (jobs_.empty() && !shutdown_) {
      ++idle_;
      const bool woken =
          work_.wait_for(lock, kIdleLinger, [this] { return !jobs_.empty() || shutdown_; });
      --idle_;
      if (!woken) break;
    }
    if (jobs_.empty()) break;  // shut down, or idle too long
    std::function<void()> job = std::move(jobs_.front());
    jobs_.pop_front();
    lock.unlock();
    job();
    job = nullptr;  // the connection's resources go before the count does
    lock.lock();
  }
  --threads_;
  ended_.notify_all();
}

void ConnectionThreads::shutdown() {
  std::unique_lock<std::mutex> lock(mu_);
  shutdown_ = true;
  work_.notify_all();
  ended_.wait(lock, [this] { return threads_ == 0; });
}

size_t ConnectionThreads::threads() const {
  std::lock_guard<std::mutex> lock(mu_);
  return threads_;
}

}  // namespace flyte::http
