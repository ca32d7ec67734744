// WebhookNotifier's worker: URL parsing, one httplib client per host, retries with a backoff
// that Stop() interrupts. Everything below Enqueue/Stop/queued runs on the worker thread.
#include "http/webhook.h"

#include <httplib.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <exception>
#include <string_view>

#include "util/json_writer.h"
#include "util/timefmt.h"

namespace flyte::http {
namespace {

struct ParsedUrl {
  bool https = false;
  std::string host;  // without IPv6 brackets
  int port = 0;
  std::string target;  // path and query: "/hooks?x=1"
};

Result<ParsedUrl> ParseUrl(std::string_view url) {
  ParsedUrl out;
  std::string_view rest = url;
  if (rest.starts_with("http://")) {
    rest.remove_prefix(7);
  } else if (rest.starts_with("https://")) {
    out.https = true;
    rest.remove_prefix(8);
  } else {
    return InvalidArgument("the URL must start with http:// or https://");
  }
  if (std::any_of(url.begin(), url.end(),
                  [](char c) { return static_cast<unsigned char>(c) <= ' ' || c == 0x7f; })) {
    return InvalidArgument("the URL contains a space or a control character");
  }
  rest = rest.substr(0, rest.find('#'));
  size_t path_at = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, path_at);
  out.target = path_at == std::string_view::npos ? "/" : std::string(rest.substr(path_at));
  if (out.target.front() == '?') out.target.insert(0, "/");
  if (authority.find('@') != std::string_view::npos) {
    return InvalidArgument("credentials in the URL are not supported");
  }
  std::string_view port_text;
  if (authority.starts_with('[')) {  // [IPv6]:port
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return InvalidArgument("unclosed '[' in the host");
    out.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty() && !after.starts_with(':')) return InvalidArgument("bad text after ']'");
    if (!after.empty()) port_text = after.substr(1);
    if (after == ":") return InvalidArgument("empty port");
  } else {
    size_t colon = authority.find(':');
    out.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
      if (port_text.empty()) return InvalidArgument("empty port");
    }
  }
  if (out.host.empty()) return InvalidArgument("the URL has no host");
  out.port = out.https ? 443 : 80;
  if (!port_text.empty()) {
    int port = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || port < 1 ||
        port > 65535) {
      return InvalidArgument("bad port \"" + std::string(port_text) + "\"");
    }
    out.port = port;
  }
  return out;
}

std::string AttemptsText(int n) { return std::to_string(n) + (n == 1 ? " attempt" : " attempts"); }

}  // namespace

std::string WebhookBody(const WebhookEvent& e) {
  std::string out = "{\"execution\": {\"project\": ";
  AppendJsonString(out, e.project);
  out += ", \"domain\": ";
  AppendJsonString(out, e.domain);
  out += ", \"name\": ";
  AppendJsonString(out, e.name);
  out += "}, \"launch_plan\": ";
  AppendJsonString(out, e.launch_plan);
  out += ", \"workflow\": ";
  AppendJsonString(out, e.workflow);
  out += ", \"phase\": ";
  AppendJsonString(out, e.phase);
  out += ", \"error\": ";
  if (e.error_code || e.error_message) {
    out += "{\"code\": ";
    AppendJsonString(out, e.error_code.value_or(""));
    out += ", \"message\": ";
    AppendJsonString(out, e.error_message.value_or(""));
    out += "}";
  } else {
    out += "null";
  }
  out += ", \"started_at\": ";
  if (e.started_at_nanos) {
    AppendJsonString(out, FormatDatetime(*e.started_at_nanos));
  } else {
    out += "null";
  }
  out += ", \"ended_at\": ";
  AppendJsonString(out, FormatDatetime(e.ended_at_nanos));
  out += ", \"duration_ms\": ";
  if (e.started_at_nanos) {
    out += std::to_string((e.ended_at_nanos - *e.started_at_nanos) / 1'000'000);
  } else {
    out += "null";
  }
  out += "}";
  return out;
}

std::chrono::milliseconds WebhookBackoff(const WebhookOptions& options, int attempt) {
  double ms = static_cast<double>(options.initial_backoff.count()) *
              std::pow(options.backoff_factor, std::max(attempt - 1, 0));
  double cap = static_cast<double>(options.max_backoff.count());
  // The comparison also catches an overflow to infinity, and NaN falls to the cap.
  if (!(ms < cap)) ms = cap;
  return std::chrono::milliseconds(static_cast<int64_t>(std::max(ms, 0.0)));
}

// What one request came to.
struct WebhookNotifier::Attempt {
  Status status;  // OK: delivered
  bool retryable = false;
  bool sent = false;
  int http_status = 0;
};

WebhookNotifier::WebhookNotifier(WebhookOptions options)
    : options_(std::move(options)), worker_([this] { Run(); }) {}

WebhookNotifier::~WebhookNotifier() { Stop(); }

void WebhookNotifier::Enqueue(Webhook hook) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) {
      dropped_.fetch_add(1);
      return;
    }
    if (queue_.size() >= std::max<size_t>(options_.queue_capacity, 1)) {
      queue_.pop_front();
      dropped_.fetch_add(1);
    }
    queue_.push_back(std::move(hook));
  }
  cv_.notify_one();
}

void WebhookNotifier::Stop() {
  std::lock_guard<std::mutex> join_lock(join_mu_);
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (worker_.joinable()) worker_.join();
}

size_t WebhookNotifier::queued() const {
  std::lock_guard<std::mutex> lock(mu_);
  return queue_.size();
}

void WebhookNotifier::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (stopping_) break;
    Webhook hook = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    Deliver(hook);
    lock.lock();
  }
  dropped_.fetch_add(queue_.size());
  queue_.clear();
}

void WebhookNotifier::Deliver(const Webhook& hook) {
  WebhookResult result{hook.id, hook.url, Status::Ok(), 0, 0};
  const std::string context = "webhook " + hook.id + " to " + hook.url;
  const int budget = std::max(options_.max_attempts, 1);
  for (;;) {
    Attempt attempt = Send(hook);
    if (attempt.sent) ++result.attempts;
    result.http_status = attempt.http_status;
    if (attempt.status.ok()) {
      Finish(std::move(result));
      return;
    }
    if (!attempt.retryable) {
      result.status = attempt.status.WithContext(context);
      Finish(std::move(result));
      return;
    }
    if (result.attempts >= budget) {
      result.status =
          Status(attempt.status.code(),
                 "gave up after " + AttemptsText(result.attempts) + ": " + attempt.status.message())
              .WithContext(context);
      Finish(std::move(result));
      return;
    }
    std::chrono::milliseconds wait = options_.backoff ? options_.backoff(result.attempts)
                                                      : WebhookBackoff(options_, result.attempts);
    std::unique_lock<std::mutex> lock(mu_);
    if (cv_.wait_for(lock, wait, [this] { return stopping_; })) {
      lock.unlock();
      result.status = Status(attempt.status.code(), "stopped before retrying, after " +
                                                        AttemptsText(result.attempts) + ": " +
                                                        attempt.status.message())
                          .WithContext(context);
      Finish(std::move(result));
      return;
    }
  }
}

WebhookNotifier::Attempt WebhookNotifier::Send(const Webhook& hook) {
  Attempt out;
  Result<ParsedUrl> url = ParseUrl(hook.url);
  if (!url.ok()) {
    out.status = url.status();
    return out;
  }
#ifndef CPPHTTPLIB_OPENSSL_SUPPORT
  if (url->https) {
    out.status = FailedPrecondition("https is not supported by this build");
    return out;
  }
#endif
  // httplib reports failures as values; the try only guards against allocation failures and
  // surprises inside the library, which must not take the worker thread down.
  try {
    std::string key =
        (url->https ? "https://" : "http://") + url->host + ":" + std::to_string(url->port);
    auto it = clients_.find(key);
    if (it == clients_.end()) {
      std::unique_ptr<httplib::ClientImpl> client;
#ifdef CPPHTTPLIB_OPENSSL_SUPPORT
      if (url->https) client = std::make_unique<httplib::SSLClient>(url->host, url->port);
#endif
      if (!client) client = std::make_unique<httplib::ClientImpl>(url->host, url->port);
      if (!client->is_valid()) {
        out.status = Internal("could not set up an HTTP client for " + key);
        return out;
      }
      client->set_connection_timeout(options_.timeout);
      client->set_read_timeout(options_.timeout);
      client->set_write_timeout(options_.timeout);
      // Hosts rarely number more than a handful; a bound keeps a stream of one-off hosts from
      // growing the map forever.
      if (clients_.size() >= 64) clients_.clear();
      it = clients_.emplace(key, std::move(client)).first;
    }
    httplib::Headers headers = {{"User-Agent", std::string("flyte/") + FLYTE_VERSION},
                                {"X-Flyte-Webhook-Id", hook.id}};
    httplib::Result res = it->second->Post(url->target, headers, hook.body, "application/json");
    out.sent = true;
    if (!res) {
      out.status = Unavailable("request failed: " + httplib::to_string(res.error()));
      out.retryable = true;
      return out;
    }
    out.http_status = res->status;
    if (res->status >= 200 && res->status < 300) return out;
    out.status = Unavailable("HTTP " + std::to_string(res->status));
    out.retryable = res->status >= 500 || res->status == 429;
    if (!out.retryable) {
      out.status = FailedPrecondition("HTTP " + std::to_string(res->status) + " (not retried)");
    }
  } catch (const std::exception& e) {
    out.status = Internal(std::string("HTTP client: ") + e.what());
  }
  return out;
}

void WebhookNotifier::Finish(WebhookResult result) {
  (result.status.ok() ? delivered_ : failed_).fetch_add(1);
  if (options_.on_result) options_.on_result(result);
}

}  // namespace flyte::http
