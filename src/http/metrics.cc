// The metrics registry and the Prometheus text format 0.0.4 (names, escaping, number spelling).
// Families lock their own mutex; Render holds the registry's, then each family's in turn.
#include "http/metrics.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <set>

namespace flyte::metrics {
namespace {

bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Go's strconv.FormatFloat(v, 'g', -1) is what Prometheus' own clients print; the shortest
// round-trip form from to_chars reads back the same in every parser.
void AppendNumber(std::string& out, double v) {
  if (std::isnan(v)) {
    out += "NaN";
  } else if (std::isinf(v)) {
    out += v > 0 ? "+Inf" : "-Inf";
  } else {
    char buf[64];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, ec == std::errc() ? end : buf);
  }
}

void AppendEscaped(std::string& out, std::string_view s, bool quotes) {
  for (char c : s) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && quotes) {
      out += "\\\"";
    } else {
      out += c;
    }
  }
}

Status CheckLabelNames(const std::string& metric, const std::vector<std::string>& names,
                       bool histogram) {
  std::set<std::string_view> seen;
  for (const std::string& n : names) {
    if (!IsValidLabelName(n)) {
      return InvalidArgument("metric " + metric + ": bad label name \"" + n + "\"");
    }
    if (histogram && n == "le") {
      return InvalidArgument("metric " + metric + ": \"le\" is reserved in a histogram");
    }
    if (!seen.insert(n).second) {
      return InvalidArgument("metric " + metric + ": label \"" + n + "\" is declared twice");
    }
  }
  return Status::Ok();
}

}  // namespace

bool IsValidMetricName(std::string_view name) {
  if (name.empty() || !(IsAlpha(name[0]) || name[0] == ':')) return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return IsAlpha(c) || IsDigit(c) || c == ':'; });
}

bool IsValidLabelName(std::string_view name) {
  if (name.empty() || !IsAlpha(name[0]) || name.starts_with("__")) return false;
  return std::all_of(name.begin(), name.end(), [](char c) { return IsAlpha(c) || IsDigit(c); });
}

Family::Family(std::string name, std::string help, std::vector<std::string> label_names)
    : name_(std::move(name)), help_(std::move(help)), label_names_(std::move(label_names)) {}

std::optional<std::vector<std::string>> Family::Key(const Labels& labels) const {
  if (labels.size() != label_names_.size()) {
    Reject();
    return std::nullopt;
  }
  std::vector<std::string> values;
  values.reserve(label_names_.size());
  for (const std::string& name : label_names_) {
    auto it = std::find_if(labels.begin(), labels.end(),
                           [&](const auto& kv) { return kv.first == name; });
    if (it == labels.end()) {
      Reject();
      return std::nullopt;
    }
    values.push_back(it->second);
  }
  return values;
}

void Family::AppendSeries(std::string& out, std::string_view suffix,
                          const std::vector<std::string>& values, std::string_view extra_name,
                          std::string_view extra_value) const {
  out += name_;
  out += suffix;
  if (values.empty() && extra_name.empty()) return;
  out += '{';
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    out += label_names_[i];
    out += "=\"";
    AppendEscaped(out, values[i], /*quotes=*/true);
    out += '"';
  }
  if (!extra_name.empty()) {
    if (!values.empty()) out += ',';
    out += extra_name;
    out += "=\"";
    out += extra_value;
    out += '"';
  }
  out += '}';
}

bool Family::SameDefinition(const Family& other) const {
  return std::string_view(type()) == other.type() && help_ == other.help_ &&
         label_names_ == other.label_names_;
}

void CounterFamily::Inc(const Labels& labels, double by) {
  if (!(by >= 0)) {  // also rejects NaN
    Reject();
    return;
  }
  Update(labels, by, false);
}

void ScalarFamily::Update(const Labels& labels, double value, bool set) {
  auto key = Key(labels);
  if (!key) return;
  std::lock_guard<std::mutex> lock(mu_);
  double& v = values_[std::move(*key)];
  v = set ? value : v + value;
}

double ScalarFamily::Value(const Labels& labels) const {
  auto key = Key(labels);
  if (!key) return 0;
  std::lock_guard<std::mutex> lock(mu_);
  auto it = values_.find(*key);
  return it == values_.end() ? 0 : it->second;
}

void ScalarFamily::RenderSamples(std::string& out) const {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [values, v] : values_) {
    AppendSeries(out, "", values);
    out += ' ';
    AppendNumber(out, v);
    out += '\n';
  }
}

HistogramFamily::HistogramFamily(std::string name, std::string help,
                                 std::vector<std::string> label_names, std::vector<double> bounds)
    : Family(std::move(name), std::move(help), std::move(label_names)),
      bounds_(std::move(bounds)) {}

bool HistogramFamily::SameDefinition(const Family& other) const {
  auto* h = dynamic_cast<const HistogramFamily*>(&other);
  return h != nullptr && Family::SameDefinition(other) && bounds_ == h->bounds_;
}

void HistogramFamily::Observe(const Labels& labels, double value) {
  auto key = Key(labels);
  if (!key) return;
  // Buckets are upper-inclusive (le); NaN compares false everywhere and lands in +Inf.
  size_t bucket = std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin();
  if (std::isnan(value)) bucket = bounds_.size();
  std::lock_guard<std::mutex> lock(mu_);
  Series& s = series_[std::move(*key)];
  if (s.counts.empty()) s.counts.assign(bounds_.size() + 1, 0);
  ++s.counts[bucket];
  s.sum += value;
  ++s.count;
}

void HistogramFamily::RenderSamples(std::string& out) const {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [values, s] : series_) {
    uint64_t cumulative = 0;
    for (size_t i = 0; i <= bounds_.size(); ++i) {
      cumulative += s.counts[i];
      std::string le;
      if (i < bounds_.size()) {
        AppendNumber(le, bounds_[i]);
      } else {
        le = "+Inf";
      }
      AppendSeries(out, "_bucket", values, "le", le);
      out += ' ' + std::to_string(cumulative) + '\n';
    }
    AppendSeries(out, "_sum", values);
    out += ' ';
    AppendNumber(out, s.sum);
    out += '\n';
    AppendSeries(out, "_count", values);
    out += ' ' + std::to_string(s.count) + '\n';
  }
}

template <typename F>
Result<F*> Registry::Register(std::unique_ptr<F> family) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = families_.find(family->name());
  if (it != families_.end()) {
    if (!it->second->SameDefinition(*family)) {
      return AlreadyExists("metric " + family->name() +
                           " is already registered with another definition");
    }
    return static_cast<F*>(it->second.get());
  }
  F* out = family.get();
  families_.emplace(out->name(), std::move(family));
  return out;
}

Result<CounterFamily*> Registry::Counter(const std::string& name, const std::string& help,
                                         std::vector<std::string> label_names) {
  if (!IsValidMetricName(name)) return InvalidArgument("bad metric name \"" + name + "\"");
  RETURN_IF_ERROR(CheckLabelNames(name, label_names, /*histogram=*/false));
  bool unlabelled = label_names.empty();
  std::unique_ptr<CounterFamily> family(new CounterFamily(name, help, std::move(label_names)));
  if (unlabelled) family->values_[{}] = 0;
  return Register(std::move(family));
}

Result<GaugeFamily*> Registry::Gauge(const std::string& name, const std::string& help,
                                     std::vector<std::string> label_names) {
  if (!IsValidMetricName(name)) return InvalidArgument("bad metric name \"" + name + "\"");
  RETURN_IF_ERROR(CheckLabelNames(name, label_names, /*histogram=*/false));
  bool unlabelled = label_names.empty();
  std::unique_ptr<GaugeFamily> family(new GaugeFamily(name, help, std::move(label_names)));
  if (unlabelled) family->values_[{}] = 0;
  return Register(std::move(family));
}

Result<HistogramFamily*> Registry::Histogram(const std::string& name, const std::string& help,
                                             std::vector<double> buckets,
                                             std::vector<std::string> label_names) {
  if (!IsValidMetricName(name)) return InvalidArgument("bad metric name \"" + name + "\"");
  RETURN_IF_ERROR(CheckLabelNames(name, label_names, /*histogram=*/true));
  if (!buckets.empty() && std::isinf(buckets.back()) && buckets.back() > 0) buckets.pop_back();
  for (size_t i = 0; i < buckets.size(); ++i) {
    if (!std::isfinite(buckets[i]) || (i > 0 && !(buckets[i - 1] < buckets[i]))) {
      return InvalidArgument("metric " + name + ": buckets must be finite and strictly increasing");
    }
  }
  bool unlabelled = label_names.empty();
  std::unique_ptr<HistogramFamily> family(
      new HistogramFamily(name, help, std::move(label_names), std::move(buckets)));
  if (unlabelled) family->series_[{}].counts.assign(family->bounds_.size() + 1, 0);
  return Register(std::move(family));
}

std::string Registry::Render() const {
  std::string out;
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [name, family] : families_) {
    out += "# HELP " + name + ' ';
    AppendEscaped(out, family->help_, /*quotes=*/false);
    out += "\n# TYPE " + name + ' ' + family->type() + '\n';
    family->RenderSamples(out);
  }
  return out;
}

}  // namespace flyte::metrics
