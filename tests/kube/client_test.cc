// The Kubernetes client and watch against the fake API server (tests/support/fake_kube), over
// real HTTP and HTTPS, with every kind of credential a kubeconfig can hold.
#include <catch2/catch.hpp>

#include <atomic>
#include <fstream>
#include <mutex>
#include <set>
#include <thread>

#include "kube/client.h"
#include "kube/kubeconfig.h"
#include "kube/watch.h"
#include "support/fake_kube_server.h"

namespace flyte::kube {
namespace {

using testing::FakeKube;

std::unique_ptr<Client> Connect(const FakeKube& fake, const std::string& variant,
                                RetryPolicy retry = {}) {
  KubeConfigOptions ko;
  ko.kubeconfig = fake.kubeconfig(variant);
  ko.env = {{"HOME", fake.state_dir()}, {"PATH", "/usr/bin:/bin"}};
  Result<KubeConfig> config = LoadKubeConfig(ko);
  INFO(config.status().message());
  REQUIRE(config.ok());
  Client::Options o;
  o.config = *config;
  o.env = ko.env;
  o.retry = retry;
  Result<std::unique_ptr<Client>> c = Client::Open(std::move(o));
  INFO(c.status().message());
  REQUIRE(c.ok());
  return std::move(*c);
}

nlohmann::json PodJson(const std::string& name, const std::string& script = "hang") {
  return {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata",
           {{"name", name},
            {"labels", {{"app", "t"}}},
            {"annotations", {{"fake.flyte.org/script", script}}}}},
          {"spec",
           {{"containers", {{{"name", "task"}, {"image", "busybox"}, {"command", {"true"}}}}}}}};
}

TEST_CASE("kube client: every kind of kubeconfig credential reaches the TLS server as its user",
          "[kube]") {
  FakeKube fake("none", true);
  for (const char* variant : {"token", "tokenfile", "cert", "cert-data", "exec", "exec-v1beta1"}) {
    INFO(variant);
    auto c = Connect(fake, variant);
    Result<Response> r = c->Get("/api/v1/namespaces/default/pods");
    REQUIRE(r.ok());
    CHECK(r->status == 200);
    CHECK(nlohmann::json::parse(r->body)["kind"] == "PodList");
  }
}

TEST_CASE("kube client: a 401 re-runs the exec plugin once, and the new token is used", "[kube]") {
  FakeKube fake("none", true);
  auto c = Connect(fake, "exec");
  Result<Response> first = c->Get("/api/v1/namespaces");
  REQUIRE(first.ok());
  REQUIRE(first->status == 200);
  fake.Fault({{"type", "401"}, {"count", 1}});
  Result<Response> r = c->Get("/api/v1/namespaces");
  REQUIRE(r.ok());
  CHECK(r->status == 200);
  CHECK(c->refreshes() == 1);
  std::ifstream count(fake.state_dir() + "/exec-count");
  int runs = 0;
  count >> runs;
  CHECK(runs == 2);
}

TEST_CASE("kube client: 429 with Retry-After and 5xx are retried; Status errors are read",
          "[kube]") {
  FakeKube fake("none");
  RetryPolicy retry;
  retry.max_attempts = 4;
  retry.first_backoff_nanos = 10'000'000;
  auto c = Connect(fake, "token", retry);
  fake.Fault({{"type", "429"}, {"retry_after", 1}, {"count", 1}});
  fake.Fault({{"type", "5xx"}, {"code", 503}, {"count", 1}});
  auto t0 = std::chrono::steady_clock::now();
  Result<Response> r = c->Get("/api/v1/namespaces/default/pods");
  REQUIRE(r.ok());
  CHECK(r->status == 200);
  CHECK(c->requests() == 3);
  CHECK(std::chrono::steady_clock::now() - t0 >=
        std::chrono::milliseconds(900));  // Retry-After honoured

  r = c->Get("/api/v1/namespaces/default/pods/nosuch");
  REQUIRE(r.ok());
  CHECK(r->status == 404);
  CHECK(r->reason == "NotFound");
  Status st = ErrorOf(*r, "reading pod nosuch");
  CHECK(st.code() == StatusCode::kNotFound);
  CHECK_THAT(st.message(), Catch::Contains("pods \"nosuch\" not found") && Catch::Contains("404"));

  fake.Fault({{"type", "5xx"}, {"code", 500}, {"count", -1}});
  r = c->Get("/api/v1/namespaces/default/pods");
  REQUIRE(r.ok());
  CHECK(r->status == 500);  // after max_attempts, the last answer stands
}

TEST_CASE("kube client: an unreachable server is Unavailable, naming it", "[kube]") {
  KubeConfig k;
  k.server = "http://127.0.0.1:1";
  Client::Options o;
  o.config = k;
  o.retry.max_attempts = 2;
  o.retry.first_backoff_nanos = 1'000'000;
  auto c = Client::Open(o);
  REQUIRE(c.ok());
  Result<Response> r = (*c)->Get("/api");
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == StatusCode::kUnavailable);
  CHECK_THAT(r.status().message(), Catch::Contains("http://127.0.0.1:1"));
}

TEST_CASE("kube client: a server URL that is not one is refused at open", "[kube]") {
  for (const char* bad : {"127.0.0.1:6443", "https://", "https://h:99999", "ftp://x"}) {
    KubeConfig k;
    k.server = bad;
    k.cluster_name = "c1";
    Client::Options o;
    o.config = k;
    auto c = Client::Open(o);
    INFO(bad);
    CHECK_FALSE(c.ok());
    CHECK_THAT(c.status().message(), Catch::Contains("c1"));
  }
}

// Collects what a watch reports, thread-safely.
struct Seen {
  std::mutex mu;
  std::set<std::string> added, deleted;
  int syncs = 0;
  std::set<std::string> synced;
  void Sync(const std::vector<Object>& objects) {
    std::lock_guard<std::mutex> l(mu);
    ++syncs;
    synced.clear();
    for (const Object& o : objects) synced.insert(o.meta.name);
  }
  void Event(EventType t, const Object& o) {
    std::lock_guard<std::mutex> l(mu);
    if (t == EventType::kDeleted) {
      deleted.insert(o.meta.name);
    } else {
      added.insert(o.meta.name);
    }
  }
  bool Has(const std::string& name) {
    std::lock_guard<std::mutex> l(mu);
    return added.count(name) > 0 || synced.count(name) > 0;
  }
};

bool Eventually(const std::function<bool()>& f, int ms = 15000) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (std::chrono::steady_clock::now() < deadline) {
    if (f()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return f();
}

TEST_CASE("kube watch: one watch sees every Pod through drops and expiry, and lists again on 410",
          "[kube]") {
  FakeKube fake("none");
  auto c = Connect(fake, "token");
  fake.Call("POST", "/api/v1/namespaces/default/pods", PodJson("before"));
  Seen seen;
  Watch::Options wo;
  wo.path = "/api/v1/namespaces/default/pods";
  wo.label_selector = "app=t";
  wo.first_backoff_nanos = 50'000'000;
  Watch w(*c, wo,
          {[&](std::vector<Object> o) { seen.Sync(o); },
           [&](std::vector<Event> events) {
             for (const Event& e : events) seen.Event(e.type, e.object);
           },
           nullptr});
  REQUIRE(Eventually([&] { return seen.Has("before"); }));
  fake.Call("POST", "/api/v1/namespaces/default/pods", PodJson("p1"));
  REQUIRE(Eventually([&] { return seen.Has("p1"); }));

  // A dropped connection: the watch resumes from the last resourceVersion, nothing lost.
  fake.Fault({{"type", "drop_open_watches"}});
  fake.Call("POST", "/api/v1/namespaces/default/pods", PodJson("p2"));
  REQUIRE(Eventually([&] { return seen.Has("p2"); }));
  // Expiry: an in-stream 410; the watch lists again and sees what happened meanwhile.
  const uint64_t lists = w.lists();
  fake.Fault({{"type", "expire"}});
  fake.Call("POST", "/api/v1/namespaces/default/pods", PodJson("p3"));
  REQUIRE(Eventually([&] { return seen.Has("p3"); }));
  CHECK(Eventually([&] { return w.lists() > lists; }));
  fake.Call("DELETE", "/api/v1/namespaces/default/pods/p1?gracePeriodSeconds=0");
  REQUIRE(Eventually([&] {
    std::lock_guard<std::mutex> l(seen.mu);
    return seen.deleted.count("p1") > 0 ||
           (seen.syncs > 0 && seen.synced.count("p1") == 0 && seen.added.count("p1"));
  }));
  // One watch connection at a time, whatever happened.
  nlohmann::json state = fake.Call("GET", "/_fake/state");
  CHECK(state["openWatches"].get<int>() <= 1);
}

TEST_CASE("kube watch: a Pod of another label is not seen", "[kube]") {
  FakeKube fake("none");
  auto c = Connect(fake, "token");
  Seen seen;
  Watch::Options wo;
  wo.path = "/api/v1/namespaces/default/pods";
  wo.label_selector = "app=t";
  Watch w(*c, wo,
          {[&](std::vector<Object> o) { seen.Sync(o); },
           [&](std::vector<Event> events) {
             for (const Event& e : events) seen.Event(e.type, e.object);
           },
           nullptr});
  nlohmann::json other = PodJson("other");
  other["metadata"]["labels"]["app"] = "u";
  fake.Call("POST", "/api/v1/namespaces/default/pods", other);
  fake.Call("POST", "/api/v1/namespaces/default/pods", PodJson("mine"));
  REQUIRE(Eventually([&] { return seen.Has("mine"); }));
  CHECK_FALSE(seen.Has("other"));
}

}  // namespace
}  // namespace flyte::kube
