// The metrics registry: exact rendered text, escaping, buckets, concurrency, name checks.
#include "http/metrics.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <thread>
#include <vector>

namespace flyte::metrics {
namespace {

TEST_CASE("a labelled counter renders one sample per label set, ordered by value", "[metrics]") {
  Registry reg;
  auto c = reg.Counter("flyte_executions_total", "Executions that ended, by phase.", {"phase"});
  REQUIRE(c.ok());
  (*c)->Inc({{"phase", "SUCCEEDED"}});
  (*c)->Inc({{"phase", "FAILED"}}, 2);
  (*c)->Inc({{"phase", "SUCCEEDED"}}, 0.5);
  CHECK((*c)->Value({{"phase", "SUCCEEDED"}}) == 1.5);
  CHECK(reg.Render() ==
        "# HELP flyte_executions_total Executions that ended, by phase.\n"
        "# TYPE flyte_executions_total counter\n"
        "flyte_executions_total{phase=\"FAILED\"} 2\n"
        "flyte_executions_total{phase=\"SUCCEEDED\"} 1.5\n");
}

TEST_CASE("an unlabelled gauge renders zero before its first set and then its value", "[metrics]") {
  Registry reg;
  auto g = reg.Gauge("flyte_running_executions", "Executions running now.");
  REQUIRE(g.ok());
  CHECK(reg.Render() ==
        "# HELP flyte_running_executions Executions running now.\n"
        "# TYPE flyte_running_executions gauge\n"
        "flyte_running_executions 0\n");
  (*g)->Set({}, 5);
  (*g)->Add({}, -2.75);
  CHECK((*g)->Value({}) == 2.25);
  CHECK(reg.Render() ==
        "# HELP flyte_running_executions Executions running now.\n"
        "# TYPE flyte_running_executions gauge\n"
        "flyte_running_executions 2.25\n");
}

TEST_CASE("a gauge renders infinities and NaN in Prometheus spelling", "[metrics]") {
  Registry reg;
  auto g = reg.Gauge("g", "h", {"k"});
  REQUIRE(g.ok());
  (*g)->Set({{"k", "a"}}, std::numeric_limits<double>::infinity());
  (*g)->Set({{"k", "b"}}, -std::numeric_limits<double>::infinity());
  (*g)->Set({{"k", "c"}}, std::nan(""));
  (*g)->Set({{"k", "d"}}, 1e21);
  CHECK(reg.Render() ==
        "# HELP g h\n# TYPE g gauge\n"
        "g{k=\"a\"} +Inf\ng{k=\"b\"} -Inf\ng{k=\"c\"} NaN\ng{k=\"d\"} 1e+21\n");
}

TEST_CASE("a histogram renders cumulative upper-inclusive buckets, +Inf, sum and count",
          "[metrics]") {
  Registry reg;
  auto h = reg.Histogram("flyte_task_seconds", "Task attempt durations.", {0.5, 1, 10}, {"task"});
  REQUIRE(h.ok());
  for (double v : {0.25, 0.5, 2.0, 20.0, 100.0}) (*h)->Observe({{"task", "train"}}, v);
  (*h)->Observe({{"task", "fetch"}}, 1);
  CHECK(reg.Render() ==
        "# HELP flyte_task_seconds Task attempt durations.\n"
        "# TYPE flyte_task_seconds histogram\n"
        "flyte_task_seconds_bucket{task=\"fetch\",le=\"0.5\"} 0\n"
        "flyte_task_seconds_bucket{task=\"fetch\",le=\"1\"} 1\n"
        "flyte_task_seconds_bucket{task=\"fetch\",le=\"10\"} 1\n"
        "flyte_task_seconds_bucket{task=\"fetch\",le=\"+Inf\"} 1\n"
        "flyte_task_seconds_sum{task=\"fetch\"} 1\n"
        "flyte_task_seconds_count{task=\"fetch\"} 1\n"
        "flyte_task_seconds_bucket{task=\"train\",le=\"0.5\"} 2\n"
        "flyte_task_seconds_bucket{task=\"train\",le=\"1\"} 2\n"
        "flyte_task_seconds_bucket{task=\"train\",le=\"10\"} 3\n"
        "flyte_task_seconds_bucket{task=\"train\",le=\"+Inf\"} 5\n"
        "flyte_task_seconds_sum{task=\"train\"} 122.75\n"
        "flyte_task_seconds_count{task=\"train\"} 5\n");
}

TEST_CASE("an unlabelled histogram starts with empty buckets and drops a trailing +Inf bound",
          "[metrics]") {
  Registry reg;
  auto h = reg.Histogram("lat", "Latency.", {0.1, std::numeric_limits<double>::infinity()});
  REQUIRE(h.ok());
  CHECK(reg.Render() ==
        "# HELP lat Latency.\n# TYPE lat histogram\n"
        "lat_bucket{le=\"0.1\"} 0\nlat_bucket{le=\"+Inf\"} 0\nlat_sum 0\nlat_count 0\n");
}

TEST_CASE("label values escape backslash, quote and newline; help escapes backslash and newline",
          "[metrics]") {
  Registry reg;
  auto c = reg.Counter("c_total", "first line\nsay \"hi\" C:\\dir", {"path"});
  REQUIRE(c.ok());
  (*c)->Inc({{"path", "C:\\dir \"x\"\nnext"}});
  CHECK(reg.Render() ==
        "# HELP c_total first line\\nsay \"hi\" C:\\\\dir\n"
        "# TYPE c_total counter\n"
        "c_total{path=\"C:\\\\dir \\\"x\\\"\\nnext\"} 1\n");
}

TEST_CASE("families render by name and labels in declared order whatever the call order",
          "[metrics]") {
  Registry reg;
  auto b = reg.Counter("b_total", "B.", {"project", "phase"});
  auto a = reg.Gauge("a", "A.", {"domain"});
  REQUIRE(b.ok());
  REQUIRE(a.ok());
  (*b)->Inc({{"phase", "FAILED"}, {"project", "p"}});
  (*a)->Set({{"domain", "dev"}}, 1);
  CHECK(reg.Render() ==
        "# HELP a A.\n# TYPE a gauge\na{domain=\"dev\"} 1\n"
        "# HELP b_total B.\n# TYPE b_total counter\nb_total{project=\"p\",phase=\"FAILED\"} 1\n");
}

TEST_CASE("a labelled family with no samples yet renders only its help and type", "[metrics]") {
  Registry reg;
  REQUIRE(reg.Counter("x_total", "X.", {"k"}).ok());
  CHECK(reg.Render() == "# HELP x_total X.\n# TYPE x_total counter\n");
}

TEST_CASE("concurrent increments from four threads sum exactly", "[metrics]") {
  Registry reg;
  auto c = reg.Counter("hits_total", "Hits.", {"worker"});
  auto h = reg.Histogram("obs", "Obs.", {1});
  REQUIRE(c.ok());
  REQUIRE(h.ok());
  constexpr int kPerThread = 20000;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        (*c)->Inc({{"worker", "shared"}});
        (*c)->Inc({{"worker", std::to_string(t)}});
        (*h)->Observe({}, 1);
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK((*c)->Value({{"worker", "shared"}}) == 4 * kPerThread);
  for (int t = 0; t < 4; ++t) CHECK((*c)->Value({{"worker", std::to_string(t)}}) == kPerThread);
  CHECK(reg.Render().find("obs_count 80000\n") != std::string::npos);
}

TEST_CASE("registering the same definition twice returns the same family", "[metrics]") {
  Registry reg;
  auto first = reg.Counter("n_total", "N.", {"k"});
  auto again = reg.Counter("n_total", "N.", {"k"});
  REQUIRE(first.ok());
  REQUIRE(again.ok());
  CHECK(*first == *again);
  auto h1 = reg.Histogram("h", "H.", {1, 2});
  auto h2 = reg.Histogram("h", "H.", {1, 2});
  REQUIRE(h1.ok());
  REQUIRE(h2.ok());
  CHECK(*h1 == *h2);
}

TEST_CASE("a name taken by another definition is rejected", "[metrics]") {
  Registry reg;
  REQUIRE(reg.Counter("n_total", "N.", {"k"}).ok());
  REQUIRE(reg.Histogram("h", "H.", {1, 2}).ok());
  auto as_gauge = reg.Gauge("n_total", "N.", {"k"});
  REQUIRE(!as_gauge.ok());
  CHECK(as_gauge.status().ToString() ==
        "AlreadyExists: metric n_total is already registered with another definition");
  CHECK(!reg.Counter("n_total", "Other help.", {"k"}).ok());
  CHECK(!reg.Counter("n_total", "N.", {"j"}).ok());
  CHECK(!reg.Histogram("h", "H.", {1, 3}).ok());
}

TEST_CASE("invalid metric and label names are rejected at registration", "[metrics]") {
  Registry reg;
  for (const char* bad : {"", "1abc", "a-b", "a b", "caf\xC3\xA9"}) {
    auto c = reg.Counter(bad, "h");
    REQUIRE(!c.ok());
    CHECK(c.status().ToString() == std::string("InvalidArgument: bad metric name \"") + bad + "\"");
  }
  CHECK(reg.Gauge("ns:sub_total", "h").ok());
  CHECK(IsValidMetricName(":a_1"));
  CHECK(!IsValidLabelName("a:b"));
  CHECK(!IsValidLabelName("__reserved"));
  CHECK(IsValidLabelName("_ok1"));

  auto label = reg.Counter("c_total", "h", {"ok", "bad-name"});
  REQUIRE(!label.ok());
  CHECK(label.status().ToString() ==
        "InvalidArgument: metric c_total: bad label name \"bad-name\"");
  auto twice = reg.Gauge("g", "h", {"k", "k"});
  REQUIRE(!twice.ok());
  CHECK(twice.status().ToString() == "InvalidArgument: metric g: label \"k\" is declared twice");
  auto le = reg.Histogram("h", "h", {1}, {"le"});
  REQUIRE(!le.ok());
  CHECK(le.status().ToString() == "InvalidArgument: metric h: \"le\" is reserved in a histogram");
  for (std::vector<double> buckets : {std::vector<double>{1, 1}, std::vector<double>{2, 1},
                                      std::vector<double>{std::nan(""), 1}}) {
    auto h = reg.Histogram("h", "h", buckets);
    REQUIRE(!h.ok());
    CHECK(h.status().ToString() ==
          "InvalidArgument: metric h: buckets must be finite and strictly increasing");
  }
  CHECK(reg.Render() == "# HELP ns:sub_total h\n# TYPE ns:sub_total gauge\nns:sub_total 0\n");
}

TEST_CASE("samples whose labels do not match the declared names are counted, not recorded",
          "[metrics]") {
  Registry reg;
  auto c = reg.Counter("c_total", "h", {"phase"});
  REQUIRE(c.ok());
  (*c)->Inc({});
  (*c)->Inc({{"stage", "x"}});
  (*c)->Inc({{"phase", "x"}, {"extra", "y"}});
  (*c)->Inc({{"phase", "x"}}, -1);
  CHECK((*c)->rejected() == 4);
  CHECK(reg.Render() == "# HELP c_total h\n# TYPE c_total counter\n");
}

}  // namespace
}  // namespace flyte::metrics
