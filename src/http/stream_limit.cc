#include "http/stream_limit.h"

namespace flyte::http {

std::shared_ptr<StreamSlot> StreamLimit::Take(const std::string& client) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    size_t& n = held_[client];
    if (n >= per_client_) return nullptr;
    ++n;
  }
  return std::make_shared<StreamSlot>(*this, client);
}

void StreamLimit::Release(const std::string& client) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = held_.find(client);
  if (it != held_.end() && --it->second == 0) held_.erase(it);
}

}  // namespace flyte::http
