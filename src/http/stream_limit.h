// Counts the long-lived streams (event streams, log follows) each client address holds, so
// that one client cannot take every connection of `flyte serve`. Thread-safe.
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace flyte::http {

class StreamSlot;

class StreamLimit {
 public:
  explicit StreamLimit(size_t per_client) : per_client_(per_client) {}
  // A slot for a stream of `client`, released when the last copy is destroyed; null when the
  // client holds its limit already.
  std::shared_ptr<StreamSlot> Take(const std::string& client);
  size_t per_client() const { return per_client_; }

 private:
  friend class StreamSlot;
  void Release(const std::string& client);
  const size_t per_client_;
  std::mutex mu_;
  std::unordered_map<std::string, size_t> held_;
};

class StreamSlot {
 public:
  StreamSlot(StreamLimit& limit, std::string client) : limit_(limit), client_(std::move(client)) {}
  ~StreamSlot() { limit_.Release(client_); }
  StreamSlot(const StreamSlot&) = delete;
  StreamSlot& operator=(const StreamSlot&) = delete;

 private:
  StreamLimit& limit_;
  std::string client_;
};

}  // namespace flyte::http
