// One signed S3 request and its retries: addressing (path or virtual-hosted style), SigV4,
// exponential backoff with jitter on connection errors, 5xx, 429 and SlowDown, and the mapping
// of error answers to Statuses (s3_errors.h). Bodies stream from a file range and answers
// stream into a sink, so an object is never held in memory. Blocking; thread-safe (each
// attempt opens its own connection).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "flyte/status.h"
#include "storage/credentials.h"
#include "storage/s3_errors.h"
#include "storage/settings.h"
#include "storage/sigv4.h"
#include "storage/uri.h"

namespace httplib {
struct Request;
}

namespace flyte::storage {

struct RetryPolicy {
  int max_attempts = 5;
  std::chrono::milliseconds base_delay{200};
  std::chrono::milliseconds max_delay{5000};
};

// The delay before attempt `attempt` (2, 3, ...): half of min(max, base * 2^(attempt-2)) plus a
// random part of the other half ("equal jitter"), so retries spread but never come at once.
std::chrono::milliseconds BackoffDelay(const RetryPolicy& policy, int attempt, double random01);

struct FileRange {
  int fd = -1;
  uint64_t offset = 0;
  uint64_t length = 0;
};

struct S3Request {
  std::string method;
  S3Uri target;  // the bucket, and the key (empty for a request on the bucket)
  KeyValues query;
  KeyValues headers;
  std::string body;               // a small body, or
  std::optional<FileRange> file;  // a body streamed from a file
  std::string payload_hash;       // of the body; computed for `body` when empty
  // For a 2xx answer: `begin` runs when its headers arrive (on every attempt, to restart), then
  // `sink` gets the body. Without a sink the body is kept in S3Response::body.
  std::function<Status()> begin;
  std::function<Status(const char* data, size_t size)> sink;
};

struct S3Response {
  int status = 0;
  std::map<std::string, std::string> headers;  // names in lowercase
  std::string body;

  std::string Header(const std::string& lowercase_name) const;
};

struct TransportOptions {
  RetryPolicy retry;
  int connect_timeout_seconds = 10;
  int io_timeout_seconds = 60;
};

class S3Transport {
 public:
  S3Transport(S3Settings settings, TransportOptions options);

  // A 2xx answer, or the error of the last attempt. `uri` names the object in errors.
  Result<S3Response> Send(const S3Request& request);
  // A presigned URL for `method` on the object. REQUIRES: 1 <= expires_seconds <= 604800.
  Result<std::string> PresignUrl(const std::string& method, const S3Uri& target,
                                 int64_t expires_seconds);

  const S3Settings& settings() const { return settings_; }

 private:
  // The request on the wire, signed; a file body reports read errors into `read_error`.
  httplib::Request SignedRequest(const S3Request& request, const Credentials& credentials,
                                 Status* read_error) const;
  Result<S3Response> SendOnce(const S3Request& request, const Credentials& credentials,
                              bool* retryable, Status* sink_error);
  std::string HostFor(const std::string& bucket) const;
  std::string PathFor(const S3Uri& target) const;
  S3ErrorContext ErrorContext(const S3Uri& target, const Credentials& credentials) const;

  const S3Settings settings_;
  const TransportOptions options_;
  CredentialProvider credentials_;
};

}  // namespace flyte::storage
