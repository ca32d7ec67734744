// A client of one Kubernetes API server, as kubectl talks to it: TLS from the kubeconfig (CA,
// client certificates, insecure), bearer tokens (static, a token file re-read as it rotates,
// or an exec plugin's cached until it expires), 429 and 5xx retried with backoff honouring
// Retry-After, a 401 answered by fetching credentials once more, and the server's Status body
// turned into the error a user reads.
//
// Every call blocks: use it from worker threads, never from the libuv loop. Thread-safe:
// requests take a connection from a small pool (HTTP/1.1 keep-alive); a stream (a watch, a
// followed log) has a connection of its own for as long as it lasts.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "flyte/status.h"
#include "kube/credentials.h"
#include "kube/kubeconfig.h"

namespace flyte::kube {

// One answer of the server; non-2xx answers are answers too (the caller decides what a 404 or
// a 409 means). `reason` and `message` come from a Status body when there is one.
struct Response {
  int status = 0;
  std::string body;
  std::string reason;   // "NotFound", "AlreadyExists", "Forbidden"...
  std::string message;  // the Status message, else the body's first line
  bool ok() const { return status >= 200 && status < 300; }
};

// The error a user reads for a non-2xx answer to `what` ("creating pod p"): the server's
// message and its code; Unavailable for 429/5xx, NotFound, AlreadyExists, FailedPrecondition
// for 401/403/409/410, InvalidArgument for 400/422.
Status ErrorOf(const Response& r, const std::string& what);

struct RetryPolicy {
  int max_attempts = 6;                       // 429/5xx/transport errors, in all
  int64_t first_backoff_nanos = 200'000'000;  // doubled each time, with jitter
  int64_t max_backoff_nanos = 10'000'000'000;
  int64_t max_retry_after_nanos = 60'000'000'000;  // a longer Retry-After is cut to this
};

// Ends a stream from another thread (shutting its socket down), before or while it runs.
class StreamCanceller {
 public:
  void Cancel();
  bool cancelled() const;

 private:
  friend class Client;
  // Registers how to stop the running stream; false when already cancelled.
  bool Arm(std::function<void()> stop);
  void Disarm();
  mutable std::mutex mu_;
  bool cancelled_ = false;
  std::function<void()> stop_;
};

class Client {
 public:
  struct Options {
    KubeConfig config;
    std::map<std::string, std::string> env;  // the host environment, for exec plugins
    RetryPolicy retry;
    int64_t connect_timeout_nanos = 10'000'000'000;
    int64_t request_timeout_nanos = 60'000'000'000;  // per read, for plain requests
    std::string user_agent = "flyte";
  };
  // Errors: a server URL, certificate or key flyte cannot use (naming the kubeconfig entry).
  static Result<std::unique_ptr<Client>> Open(Options options);
  ~Client();

  // A request with retries. `body` is sent with `content_type` (application/json unless a
  // patch says otherwise). Transport failures that outlast the retries are Unavailable.
  Result<Response> Send(std::string_view method, const std::string& path, std::string body = {},
                        std::string_view content_type = "application/json");
  Result<Response> Get(const std::string& path) { return Send("GET", path); }

  // A long GET whose body is read as it arrives (a watch, `log?follow=true`) on a
  // connection of its own. `on_data` returns false to stop reading. `read_timeout_nanos`
  // bounds the silence between two reads (a watch's liveness). The response's body is empty;
  // its status, reason and message are set. No retries: the caller decides how to resume.
  // `cancel`, when cancelled from another thread, ends the stream at once.
  struct StreamOptions {
    int64_t read_timeout_nanos = 0;  // 0: request_timeout_nanos
    class StreamCanceller* cancel = nullptr;
    // A body that ends by itself (the log of a container that has ended): the request takes a
    // pooled keep-alive connection, and gives it back once the answer was read to its end,
    // instead of connecting for it. Only with the default read timeout.
    bool pooled = false;
  };
  Result<Response> Stream(const std::string& path,
                          const std::function<bool(std::string_view)>& on_data,
                          StreamOptions options);

  const KubeConfig& config() const { return options_.config; }
  const std::string& ns() const { return options_.config.ns; }
  // How many requests reached the server, and how many credential refreshes a 401 caused
  // (for tests and the doctor's report).
  uint64_t requests() const { return requests_.load(); }
  uint64_t refreshes() const { return refreshes_.load(); }

 private:
  struct Connection;
  explicit Client(Options options);
  Status Init();
  std::unique_ptr<Connection> Connect();
  std::unique_ptr<Connection> Take();
  void Give(std::unique_ptr<Connection> c);
  // The Authorization header for the next request; empty for none.
  Result<std::string> Authorization();
  // After a 401: forget cached credentials; false when nothing could change (a static token).
  bool Refresh();
  Result<Response> Once(Connection& c, std::string_view method, const std::string& path,
                        const std::string& body, std::string_view content_type,
                        int64_t* retry_after_nanos);

  Options options_;
  std::string scheme_host_port_;
  std::string host_;
  int port_ = 443;
  bool tls_ = true;
  std::string proxy_host_;
  int proxy_port_ = 0;
  std::unique_ptr<ExecCredentialProvider> exec_;
  std::mutex mu_;
  std::vector<std::unique_ptr<Connection>> idle_;  // guarded by mu_
  std::atomic<uint64_t> requests_{0};
  std::atomic<uint64_t> refreshes_{0};
};

// Percent-encodes a query value (label selectors, resource versions).
std::string QueryEscape(std::string_view s);

}  // namespace flyte::kube
