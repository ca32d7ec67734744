// Webhook notifications: a launch plan's `notifications` POST a JSON document when an execution
// reaches a listed phase. WebhookNotifier owns one worker thread, its bounded queue and one HTTP
// client per host; Enqueue() is safe from any thread (the loop thread) and never blocks on I/O.
// The result callback runs on the worker thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "flyte/status.h"

namespace httplib {
class ClientImpl;
}

namespace flyte::http {

// The plain fields of one notification; the caller projects them from the execution.
struct WebhookEvent {
  std::string project;
  std::string domain;
  std::string name;  // the execution's name
  std::string launch_plan;
  std::string workflow;
  std::string phase;                      // "FAILED", "TIMED_OUT"... (PhaseName)
  std::optional<std::string> error_code;  // no error code and no message: "error": null
  std::optional<std::string> error_message;
  std::optional<int64_t> started_at_nanos;  // Unix nanoseconds; absent: null
  int64_t ended_at_nanos = 0;
};

// The document POSTed, keys in this order:
//   {"execution": {"project": "p", "domain": "d", "name": "n"}, "launch_plan": "lp",
//    "workflow": "wf", "phase": "FAILED", "error": null | {"code": "c", "message": "m"},
//    "started_at": "2026-11-22T10:00:00Z" | null, "ended_at": "2026-11-22T10:00:05.5Z",
//    "duration_ms": 5500 | null}
// Times are RFC 3339 UTC; duration_ms is null when started_at is.
std::string WebhookBody(const WebhookEvent& event);

struct Webhook {
  std::string id;    // names the delivery in logs and in the X-Flyte-Webhook-Id header
  std::string url;   // http:// or https://
  std::string body;  // JSON
};

// How one webhook ended, reported once per webhook that reached the worker.
struct WebhookResult {
  std::string id;
  std::string url;
  Status status;        // OK when delivered; otherwise "webhook <id> to <url>: why"
  int attempts = 0;     // requests sent (0 when the URL was unusable)
  int http_status = 0;  // of the last response; 0 when none came back
};

struct WebhookOptions {
  std::chrono::milliseconds timeout{5000};  // connect, read and write, per request
  int max_attempts = 5;
  std::chrono::milliseconds initial_backoff{1000};
  double backoff_factor = 2.0;
  std::chrono::milliseconds max_backoff{60000};
  size_t queue_capacity = 10000;
  // The wait after failed attempt `attempt` (1-based) before the next one. Empty: exponential
  // from the three fields above (WebhookBackoff). Tests inject zero or very long waits.
  std::function<std::chrono::milliseconds(int attempt)> backoff;
  // Called on the worker thread after each webhook ends, delivered or not; may call Enqueue().
  std::function<void(const WebhookResult&)> on_result;
};

// initial_backoff * backoff_factor^(attempt-1), capped at max_backoff.
std::chrono::milliseconds WebhookBackoff(const WebhookOptions& options, int attempt);

class WebhookNotifier {
 public:
  // Starts the worker thread.
  explicit WebhookNotifier(WebhookOptions options = {});
  // Calls Stop().
  ~WebhookNotifier();
  WebhookNotifier(const WebhookNotifier&) = delete;
  WebhookNotifier& operator=(const WebhookNotifier&) = delete;

  // Queues `hook` and returns. When the queue is full the oldest queued webhook is dropped;
  // after Stop() the new one is. Either way dropped() counts it.
  void Enqueue(Webhook hook);

  // Lets a request in flight finish (bounded by the timeout), abandons a pending retry (the
  // webhook is reported failed) and whatever is still queued (counted as dropped), and joins
  // the worker. Idempotent.
  // REQUIRES: not called from on_result.
  void Stop();

  uint64_t delivered() const { return delivered_.load(); }
  uint64_t failed() const { return failed_.load(); }
  uint64_t dropped() const { return dropped_.load(); }
  size_t queued() const;

 private:
  struct Attempt;
  void Run();
  void Deliver(const Webhook& hook);
  Attempt Send(const Webhook& hook);
  void Finish(WebhookResult result);

  const WebhookOptions options_;
  std::atomic<uint64_t> delivered_{0};
  std::atomic<uint64_t> failed_{0};
  std::atomic<uint64_t> dropped_{0};

  mutable std::mutex mu_;
  std::condition_variable cv_;  // queue not empty, or stopping
  std::deque<Webhook> queue_;   // guarded by mu_
  bool stopping_ = false;       // guarded by mu_

  std::mutex join_mu_;  // serialises concurrent Stop() calls around join
  // Worker thread only: "scheme://host:port" -> its client.
  std::map<std::string, std::unique_ptr<httplib::ClientImpl>> clients_;
  std::thread worker_;  // last: starts after every member above exists
};

}  // namespace flyte::http
