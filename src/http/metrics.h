// Prometheus metrics for /metrics: counters, gauges and fixed-bucket histograms with labels,
// rendered in the text exposition format 0.0.4. The Registry owns its families, which live as
// long as it does; every method is thread-safe (a mutex per family, one for the registry).
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "flyte/status.h"

namespace flyte::metrics {

// Name/value pairs, in any order; the names must be exactly the family's declared label names.
using Labels = std::vector<std::pair<std::string, std::string>>;

bool IsValidMetricName(std::string_view name);  // [a-zA-Z_:][a-zA-Z0-9_:]*
bool IsValidLabelName(std::string_view name);   // [a-zA-Z_][a-zA-Z0-9_]*, not "__" first

// What the families share: identity, declared label names and the series key.
class Family {
 public:
  virtual ~Family() = default;
  Family(const Family&) = delete;
  Family& operator=(const Family&) = delete;

  const std::string& name() const { return name_; }
  // Samples ignored because their labels did not match the declared names (or a counter was
  // asked to go down). A non-zero value is a bug in the caller, kept visible, never a crash.
  uint64_t rejected() const { return rejected_.load(); }

 protected:
  Family(std::string name, std::string help, std::vector<std::string> label_names);
  // The label values in declared order, or nullopt (and a rejection counted) on a mismatch.
  std::optional<std::vector<std::string>> Key(const Labels& labels) const;
  // Appends `name_` + suffix + "{a="x",b="y"[,extra="v"]}" (no braces when there are none).
  void AppendSeries(std::string& out, std::string_view suffix,
                    const std::vector<std::string>& values, std::string_view extra_name = {},
                    std::string_view extra_value = {}) const;
  void Reject() const { rejected_.fetch_add(1); }
  // Same kind, help and label names (and, for histograms, buckets).
  virtual bool SameDefinition(const Family& other) const;

  mutable std::mutex mu_;

 private:
  friend class Registry;
  virtual const char* type() const = 0;
  // Appends the sample lines. Called without mu_ held.
  virtual void RenderSamples(std::string& out) const = 0;

  const std::string name_;
  const std::string help_;
  const std::vector<std::string> label_names_;
  mutable std::atomic<uint64_t> rejected_{0};
};

// A family of one number per series: what counters and gauges share.
class ScalarFamily : public Family {
 public:
  double Value(const Labels& labels) const;  // 0 for a series never touched

 protected:
  using Family::Family;
  // Adds `delta` to (or with `set`, replaces) the series' value.
  void Update(const Labels& labels, double value, bool set);

 private:
  friend class Registry;  // starts unlabelled families at 0
  void RenderSamples(std::string& out) const override;
  std::map<std::vector<std::string>, double> values_;  // guarded by mu_
};

class CounterFamily : public ScalarFamily {
 public:
  // `by` must be >= 0.
  void Inc(const Labels& labels, double by = 1);

 private:
  friend class Registry;
  using ScalarFamily::ScalarFamily;
  const char* type() const override { return "counter"; }
};

class GaugeFamily : public ScalarFamily {
 public:
  void Set(const Labels& labels, double value) { Update(labels, value, true); }
  void Add(const Labels& labels, double delta) { Update(labels, delta, false); }

 private:
  friend class Registry;
  using ScalarFamily::ScalarFamily;
  const char* type() const override { return "gauge"; }
};

class HistogramFamily : public Family {
 public:
  void Observe(const Labels& labels, double value);

 private:
  friend class Registry;
  struct Series {
    std::vector<uint64_t> counts;  // per bucket, not cumulative; the last is +Inf
    double sum = 0;
    uint64_t count = 0;
  };
  HistogramFamily(std::string name, std::string help, std::vector<std::string> label_names,
                  std::vector<double> bounds);
  const char* type() const override { return "histogram"; }
  bool SameDefinition(const Family& other) const override;
  void RenderSamples(std::string& out) const override;
  const std::vector<double> bounds_;  // strictly increasing and finite; +Inf is implicit
  std::map<std::vector<std::string>, Series> series_;  // guarded by mu_
};

class Registry {
 public:
  // Registers a family, or returns the one already registered under `name` when it is the same
  // kind with the same help, label names (and buckets). Errors: InvalidArgument for a bad
  // metric or label name, a duplicate label name, or (histograms) a label named "le" or buckets
  // that are not strictly increasing; AlreadyExists when `name` is taken by a different family.
  // A family without labels starts with its one series at zero, so it renders from the start.
  Result<CounterFamily*> Counter(const std::string& name, const std::string& help,
                                 std::vector<std::string> label_names = {});
  Result<GaugeFamily*> Gauge(const std::string& name, const std::string& help,
                             std::vector<std::string> label_names = {});
  // A trailing +Inf in `buckets` is dropped: the +Inf bucket is always there.
  Result<HistogramFamily*> Histogram(const std::string& name, const std::string& help,
                                     std::vector<double> buckets,
                                     std::vector<std::string> label_names = {});

  // Families by name; within one, series by label values in declared order.
  std::string Render() const;

 private:
  template <typename F>
  Result<F*> Register(std::unique_ptr<F> family);

  mutable std::mutex mu_;
  std::map<std::string, std::unique_ptr<Family>> families_;  // guarded by mu_
};

// The Content-Type of Render()'s output.
inline constexpr const char* kPrometheusContentType = "text/plain; version=0.0.4; charset=utf-8";

}  // namespace flyte::metrics
