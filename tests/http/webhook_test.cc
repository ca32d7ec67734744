// WebhookNotifier against a real httplib::Server on an ephemeral port. Waits are on condition
// variables (with a deadlock guard) and injected zero or day-long backoffs, never on time.
#include "http/webhook.h"

#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

namespace flyte::http {
namespace {

using namespace std::chrono_literals;

// Guards every wait below against a hang; no test waits for time to pass.
constexpr auto kDeadlockGuard = 30s;

// A real HTTP server on an ephemeral port that records each POST and answers with
// `status_for(n)` for the n-th request (1-based). While held, handlers block until Release().
class Receiver {
 public:
  explicit Receiver(std::function<int(int)> status_for = [](int) { return 200; })
      : status_for_(std::move(status_for)) {
    server_.Post(".*", [this](const httplib::Request& req, httplib::Response& res) {
      int n;
      {
        std::unique_lock<std::mutex> lock(mu_);
        requests_.push_back(req);
        n = static_cast<int>(requests_.size());
        cv_.notify_all();
        cv_.wait(lock, [this] { return !held_; });
      }
      res.status = status_for_(n);
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    REQUIRE(port_ > 0);
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~Receiver() {
    Release();
    // stop() only acts on a running server; the accept loop starts on the thread above.
    while (!server_.is_running()) std::this_thread::yield();
    server_.stop();
    thread_.join();
  }

  std::string Url(const std::string& path = "/hook") const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  void Hold() {
    std::lock_guard<std::mutex> lock(mu_);
    held_ = true;
  }
  void Release() {
    std::lock_guard<std::mutex> lock(mu_);
    held_ = false;
    cv_.notify_all();
  }
  bool WaitForRequests(size_t n) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, kDeadlockGuard, [&] { return requests_.size() >= n; });
  }
  std::vector<httplib::Request> Requests() {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }
  std::vector<std::string> Bodies() {
    std::vector<std::string> out;
    for (const auto& r : Requests()) out.push_back(r.body);
    return out;
  }

 private:
  std::function<int(int)> status_for_;
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<httplib::Request> requests_;
  bool held_ = false;
};

// Collects what the notifier's worker reports.
struct Results {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<WebhookResult> all;
  std::vector<int> backoff_attempts;

  void Add(const WebhookResult& r) {
    std::lock_guard<std::mutex> lock(mu);
    all.push_back(r);
    cv.notify_all();
  }
  bool WaitFor(size_t n) {
    std::unique_lock<std::mutex> lock(mu);
    return cv.wait_for(lock, kDeadlockGuard, [&] { return all.size() >= n; });
  }
};

// Options that retry without waiting and report into `results`.
WebhookOptions TestOptions(Results& results) {
  WebhookOptions o;
  o.backoff = [&results](int attempt) {
    std::lock_guard<std::mutex> lock(results.mu);
    results.backoff_attempts.push_back(attempt);
    return 0ms;
  };
  o.on_result = [&results](const WebhookResult& r) { results.Add(r); };
  return o;
}

// A local port with nothing listening: bound once, then closed.
int UnusedPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  socklen_t len = sizeof addr;
  REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
  ::close(fd);
  return ntohs(addr.sin_port);
}

TEST_CASE("a webhook is POSTed as JSON to the URL's path and query", "[webhook]") {
  Receiver receiver;
  Results results;
  WebhookNotifier notifier(TestOptions(results));
  notifier.Enqueue({"p/d/e1", receiver.Url("/hooks/flyte?team=ml"), R"({"phase": "FAILED"})"});
  REQUIRE(results.WaitFor(1));
  CHECK(results.all[0].status.ok());
  CHECK(results.all[0].attempts == 1);
  CHECK(results.all[0].http_status == 200);
  CHECK(notifier.delivered() == 1);
  CHECK(notifier.failed() == 0);
  auto requests = receiver.Requests();
  REQUIRE(requests.size() == 1);
  CHECK(requests[0].path == "/hooks/flyte");
  CHECK(requests[0].get_param_value("team") == "ml");
  CHECK(requests[0].body == R"({"phase": "FAILED"})");
  CHECK(requests[0].get_header_value("Content-Type") == "application/json");
  CHECK(requests[0].get_header_value("X-Flyte-Webhook-Id") == "p/d/e1");
}

TEST_CASE("a server answering 500, then 429, then 200 gets three attempts and one delivery",
          "[webhook]") {
  Receiver receiver([](int n) { return n == 1 ? 500 : n == 2 ? 429 : 200; });
  Results results;
  WebhookNotifier notifier(TestOptions(results));
  notifier.Enqueue({"w", receiver.Url(), "{}"});
  REQUIRE(results.WaitFor(1));
  CHECK(results.all[0].status.ok());
  CHECK(results.all[0].attempts == 3);
  CHECK(results.backoff_attempts == std::vector<int>{1, 2});
  CHECK(receiver.Bodies() == std::vector<std::string>{"{}", "{}", "{}"});
  CHECK(notifier.delivered() == 1);
  CHECK(notifier.failed() == 0);
}

TEST_CASE("a 400 answer is not retried", "[webhook]") {
  Receiver receiver([](int) { return 400; });
  Results results;
  WebhookNotifier notifier(TestOptions(results));
  notifier.Enqueue({"w", receiver.Url(), "{}"});
  REQUIRE(results.WaitFor(1));
  CHECK(results.all[0].status.ToString() ==
        "FailedPrecondition: webhook w to " + receiver.Url() + ": HTTP 400 (not retried)");
  CHECK(results.all[0].attempts == 1);
  CHECK(results.all[0].http_status == 400);
  CHECK(receiver.Requests().size() == 1);
  CHECK(notifier.failed() == 1);
  CHECK(notifier.delivered() == 0);
}

TEST_CASE("an unreachable port fails after the attempt budget", "[webhook]") {
  Results results;
  WebhookOptions options = TestOptions(results);
  options.max_attempts = 3;
  WebhookNotifier notifier(options);
  std::string url = "http://127.0.0.1:" + std::to_string(UnusedPort()) + "/hook";
  notifier.Enqueue({"w", url, "{}"});
  REQUIRE(results.WaitFor(1));
  CHECK(results.all[0].status.ToString() == "Unavailable: webhook w to " + url +
                                                ": gave up after 3 attempts: request failed: " +
                                                httplib::to_string(httplib::Error::Connection));
  CHECK(results.all[0].attempts == 3);
  CHECK(results.all[0].http_status == 0);
  CHECK(results.backoff_attempts == std::vector<int>{1, 2});
  CHECK(notifier.failed() == 1);
  CHECK(notifier.delivered() == 0);
}

TEST_CASE("Enqueue returns while the receiving handler is blocked", "[webhook]") {
  Receiver receiver;
  receiver.Hold();
  Results results;
  WebhookNotifier notifier(TestOptions(results));
  notifier.Enqueue({"a", receiver.Url(), "first"});
  REQUIRE(receiver.WaitForRequests(1));
  // The worker is inside the first request, which cannot end until Release(): getting past
  // this call proves Enqueue does not wait for delivery.
  notifier.Enqueue({"b", receiver.Url(), "second"});
  CHECK(notifier.queued() == 1);
  CHECK(results.all.empty());
  receiver.Release();
  REQUIRE(results.WaitFor(2));
  CHECK(notifier.delivered() == 2);
  CHECK(receiver.Bodies() == std::vector<std::string>{"first", "second"});
}

TEST_CASE("Stop during a backoff wait joins at once and reports the webhook failed", "[webhook]") {
  Receiver receiver([](int) { return 503; });
  Results results;
  WebhookOptions options = TestOptions(results);
  options.backoff = [](int) { return std::chrono::milliseconds(24h); };
  WebhookNotifier notifier(options);
  notifier.Enqueue({"a", receiver.Url(), "first"});
  REQUIRE(receiver.WaitForRequests(1));
  notifier.Enqueue({"b", receiver.Url(), "second"});
  notifier.Stop();  // returns only once the worker has joined
  REQUIRE(results.all.size() == 1);
  CHECK(results.all[0].status.ToString() == "Unavailable: webhook a to " + receiver.Url() +
                                                ": stopped before retrying, after 1 attempt: "
                                                "HTTP 503");
  CHECK(notifier.failed() == 1);
  CHECK(notifier.dropped() == 1);  // "b", never attempted
  CHECK(notifier.queued() == 0);
  CHECK(receiver.Requests().size() == 1);
  notifier.Stop();  // idempotent
}

TEST_CASE("a full queue drops the oldest waiting webhook", "[webhook]") {
  Receiver receiver;
  receiver.Hold();
  Results results;
  WebhookOptions options = TestOptions(results);
  options.queue_capacity = 2;
  WebhookNotifier notifier(options);
  notifier.Enqueue({"0", receiver.Url(), "0"});
  REQUIRE(receiver.WaitForRequests(1));  // "0" is in flight, out of the queue
  for (const char* body : {"1", "2", "3"}) notifier.Enqueue({body, receiver.Url(), body});
  CHECK(notifier.dropped() == 1);
  CHECK(notifier.queued() == 2);
  receiver.Release();
  REQUIRE(results.WaitFor(3));
  CHECK(receiver.Bodies() == std::vector<std::string>{"0", "2", "3"});
  CHECK(notifier.delivered() == 3);
}

TEST_CASE("Enqueue after Stop drops the webhook", "[webhook]") {
  WebhookNotifier notifier;
  notifier.Stop();
  notifier.Enqueue({"late", "http://127.0.0.1:1/", "{}"});
  CHECK(notifier.dropped() == 1);
  CHECK(notifier.queued() == 0);
}

TEST_CASE("unusable URLs fail delivery with a message and no request", "[webhook]") {
  Results results;
  WebhookNotifier notifier(TestOptions(results));
  std::vector<std::pair<std::string, std::string>> cases = {
      {"ftp://example.com/x", "the URL must start with http:// or https://"},
      {"http:///path", "the URL has no host"},
      {"http://example.com:99999/", "bad port \"99999\""},
      {"http://example.com:/", "empty port"},
      {"http://user:pw@example.com/", "credentials in the URL are not supported"},
      {"http://exa mple.com/", "the URL contains a space or a control character"},
      {"http://[::1/", "unclosed '[' in the host"},
  };
  for (const auto& [url, _] : cases) notifier.Enqueue({"w", url, "{}"});
  REQUIRE(results.WaitFor(cases.size()));
  for (size_t i = 0; i < cases.size(); ++i) {
    CHECK(results.all[i].status.ToString() ==
          "InvalidArgument: webhook w to " + cases[i].first + ": " + cases[i].second);
    CHECK(results.all[i].attempts == 0);
  }
  CHECK(notifier.failed() == cases.size());
  CHECK(results.backoff_attempts.empty());
}

TEST_CASE("https to a server speaking plain HTTP fails without crashing", "[webhook]") {
  Receiver receiver;
  Results results;
  WebhookOptions options = TestOptions(results);
  options.max_attempts = 1;
  WebhookNotifier notifier(options);
  std::string url = "https" + receiver.Url().substr(4);
  notifier.Enqueue({"w", url, "{}"});
  REQUIRE(results.WaitFor(1));
  CHECK(!results.all[0].status.ok());
  CHECK(results.all[0].status.message().starts_with("webhook w to " + url + ": "));
  CHECK(notifier.failed() == 1);
}

TEST_CASE("the default backoff doubles from one second up to a minute", "[webhook]") {
  WebhookOptions o;
  CHECK(WebhookBackoff(o, 1) == 1s);
  CHECK(WebhookBackoff(o, 2) == 2s);
  CHECK(WebhookBackoff(o, 3) == 4s);
  CHECK(WebhookBackoff(o, 6) == 32s);
  CHECK(WebhookBackoff(o, 7) == 60s);
  CHECK(WebhookBackoff(o, 5000) == 60s);
}

TEST_CASE("WebhookBody writes the documented document", "[webhook]") {
  WebhookEvent e;
  e.project = "flytesnacks";
  e.domain = "development";
  e.name = "f3a1";
  e.launch_plan = "nightly";
  e.workflow = "wf.train";
  e.phase = "FAILED";
  e.error_code = "USER:Exit1";
  e.error_message = "task \"train\" exited with 1";
  e.started_at_nanos = 1'795'507'200'000'000'000;  // 2026-11-24T08:00:00Z
  e.ended_at_nanos = *e.started_at_nanos + 5'500'000'000;
  std::string body = WebhookBody(e);
  CHECK(body ==
        R"({"execution": {"project": "flytesnacks", "domain": "development", "name": "f3a1"}, )"
        R"("launch_plan": "nightly", "workflow": "wf.train", "phase": "FAILED", )"
        R"("error": {"code": "USER:Exit1", "message": "task \"train\" exited with 1"}, )"
        R"("started_at": "2026-11-24T08:00:00Z", "ended_at": "2026-11-24T08:00:05.5Z", )"
        R"("duration_ms": 5500})");
  CHECK(nlohmann::json::parse(body)["error"]["message"] == "task \"train\" exited with 1");
}

TEST_CASE("WebhookBody writes null for a missing error and start", "[webhook]") {
  WebhookEvent e;
  e.project = "p";
  e.domain = "d";
  e.name = "n";
  e.launch_plan = "lp";
  e.workflow = "wf";
  e.phase = "TIMED_OUT";
  e.ended_at_nanos = 0;
  CHECK(WebhookBody(e) ==
        R"({"execution": {"project": "p", "domain": "d", "name": "n"}, "launch_plan": "lp", )"
        R"("workflow": "wf", "phase": "TIMED_OUT", "error": null, "started_at": null, )"
        R"("ended_at": "1970-01-01T00:00:00Z", "duration_ms": null})");
}

}  // namespace
}  // namespace flyte::http
