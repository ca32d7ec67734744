#include "storage/s3_transport.h"

#include <httplib.h>
#include <unistd.h>

#include <algorithm>
#include <random>
#include <thread>

namespace flyte::storage {
namespace {

constexpr size_t kChunk = 64 * 1024;
constexpr size_t kMaxErrorBody = 64 * 1024;

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

double Random01() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return std::uniform_real_distribution<double>(0, 1)(rng);
}

}  // namespace

std::chrono::milliseconds BackoffDelay(const RetryPolicy& policy, int attempt, double random01) {
  int64_t d = policy.base_delay.count();
  for (int i = 2; i < attempt && d < policy.max_delay.count(); ++i) d *= 2;
  d = std::min<int64_t>(d, policy.max_delay.count());
  return std::chrono::milliseconds(d / 2 +
                                   static_cast<int64_t>(random01 * static_cast<double>(d / 2)));
}

std::string S3Response::Header(const std::string& lowercase_name) const {
  auto it = headers.find(lowercase_name);
  return it == headers.end() ? "" : it->second;
}

S3Transport::S3Transport(S3Settings settings, TransportOptions options)
    : settings_(std::move(settings)), options_(options), credentials_(settings_) {}

std::string S3Transport::HostFor(const std::string& bucket) const {
  if (bucket.empty() || settings_.UsePathStyle(bucket)) return settings_.endpoint.Authority();
  return bucket + "." + settings_.endpoint.Authority();
}

std::string S3Transport::PathFor(const S3Uri& target) const {
  if (target.bucket.empty()) return "/";
  if (settings_.UsePathStyle(target.bucket)) {
    return "/" + target.bucket + (target.key.empty() ? "" : "/" + target.key);
  }
  return "/" + target.key;
}

S3ErrorContext S3Transport::ErrorContext(const S3Uri& target, const Credentials& c) const {
  return {target.ToString(), settings_.endpoint.Url(), settings_.region, c.access_key_id,
          settings_.credentials_source};
}

httplib::Request S3Transport::SignedRequest(const S3Request& request,
                                            const Credentials& credentials,
                                            Status* read_error) const {
  SignableRequest signable;
  signable.method = request.method;
  signable.path = PathFor(request.target);
  signable.query = request.query;
  signable.headers = request.headers;
  signable.headers.emplace_back("Host", HostFor(request.target.bucket));
  std::string payload_hash = request.payload_hash;
  if (payload_hash.empty()) payload_hash = Sha256Hex(request.body);
  SignHeaders(signable, credentials, {settings_.region, "s3", std::time(nullptr)}, payload_hash);

  httplib::Request req;
  req.method = request.method;
  std::string query = CanonicalQuery(request.query);
  req.path = UriEncode(signable.path, true) + (query.empty() ? "" : "?" + query);
  for (const auto& [name, value] : signable.headers) req.headers.emplace(name, value);
  if (!request.file) {
    req.body = request.body;  // httplib adds its Content-Length
    return req;
  }
  FileRange range = *request.file;
  req.content_length_ = range.length;
  req.content_provider_ = [range, read_error](size_t offset, size_t length,
                                              httplib::DataSink& sink) {
    char buf[kChunk];
    ssize_t got =
        pread(range.fd, buf, std::min(length, kChunk), static_cast<off_t>(range.offset + offset));
    if (got <= 0) {
      *read_error = IOError(std::string("reading the file to upload: ") +
                            (got == 0 ? "it became shorter" : strerror(errno)));
      return false;
    }
    return sink.write(buf, static_cast<size_t>(got));
  };
  req.headers.emplace("Content-Type", "application/octet-stream");
  return req;
}

Result<S3Response> S3Transport::SendOnce(const S3Request& request, const Credentials& credentials,
                                         bool* retryable, Status* sink_error) {
  *retryable = false;
  httplib::Client client((settings_.endpoint.https ? "https://" : "http://") +
                         HostFor(request.target.bucket));
  client.set_connection_timeout(options_.connect_timeout_seconds);
  client.set_read_timeout(options_.io_timeout_seconds);
  client.set_write_timeout(options_.io_timeout_seconds);
  client.set_url_encode(false);
  client.set_keep_alive(false);
  if (!settings_.ca_bundle.empty()) client.set_ca_cert_path(settings_.ca_bundle.c_str());
  httplib::Request req = SignedRequest(request, credentials, sink_error);

  S3Response response;
  bool success = false;
  req.response_handler = [&](const httplib::Response& r) {
    response.status = r.status;
    for (const auto& [name, value] : r.headers) response.headers[Lower(name)] = value;
    success = r.status >= 200 && r.status < 300;
    if (success && request.begin) {
      *sink_error = request.begin();
      return sink_error->ok();
    }
    return true;
  };
  req.content_receiver = [&](const char* data, size_t size, uint64_t, uint64_t) {
    if (success && request.sink) {
      *sink_error = request.sink(data, size);
      return sink_error->ok();
    }
    if (response.body.size() < kMaxErrorBody || success) response.body.append(data, size);
    return true;
  };
  auto result = client.send(req);
  if (!sink_error->ok()) return *sink_error;
  if (!result) {
    *retryable = true;
    return Unavailable(request.target.ToString() + ": endpoint " + settings_.endpoint.Url() +
                       " unreachable or the connection broke (" +
                       httplib::to_string(result.error()) + ")");
  }
  if (response.status == 0) {  // httplib skips the response handler for a HEAD
    response.status = result->status;
    for (const auto& [name, value] : result->headers) response.headers[Lower(name)] = value;
    response.body = result->body;
    success = response.status >= 200 && response.status < 300;
  }
  if (success) return response;
  S3ErrorAnswer answer{response.status, response.body, response.Header("x-amz-bucket-region")};
  std::string code = S3ErrorCode(response.body);
  *retryable = IsRetryableS3Error(response.status, code);
  if (code == "ExpiredToken" && settings_.web_identity) {
    credentials_.Invalidate();  // renewed at STS by the next attempt
    *retryable = true;
  }
  return S3ErrorStatus(answer, ErrorContext(request.target, credentials));
}

Result<S3Response> S3Transport::Send(const S3Request& request) {
  Status last;
  int attempts = std::max(1, options_.retry.max_attempts);
  for (int attempt = 1; attempt <= attempts; ++attempt) {
    if (attempt > 1) std::this_thread::sleep_for(BackoffDelay(options_.retry, attempt, Random01()));
    auto credentials = credentials_.Get();
    if (!credentials.ok()) return credentials.status().WithContext(request.target.ToString());
    bool retryable = false;
    Status sink_error;
    auto response = SendOnce(request, *credentials, &retryable, &sink_error);
    if (response.ok() || !retryable) return response;
    last = response.status();
  }
  return Status(last.code(), last.message() + " (after " + std::to_string(attempts) + " attempts)");
}

Result<std::string> S3Transport::PresignUrl(const std::string& method, const S3Uri& target,
                                            int64_t expires_seconds) {
  if (expires_seconds < 1 || expires_seconds > 604800) {
    return InvalidArgument(target.ToString() +
                           ": a presigned URL expires in 1 second to 7 days "
                           "(604800 seconds), not " +
                           std::to_string(expires_seconds));
  }
  ASSIGN_OR_RETURN(Credentials credentials, credentials_.Get());
  SignableRequest signable;
  signable.method = method;
  signable.path = PathFor(target);
  std::string host = HostFor(target.bucket);
  signable.headers.emplace_back("host", host);
  Presign(signable, credentials, {settings_.region, "s3", std::time(nullptr)}, expires_seconds);
  return (settings_.endpoint.https ? "https://" : "http://") + host +
         UriEncode(signable.path, true) + "?" + CanonicalQuery(signable.query);
}

}  // namespace flyte::storage
