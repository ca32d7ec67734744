// Literal values: what flows along the edges of a workflow.
// A Value is a tree of null, bool, int, float, str, datetime, duration, file, dir, list and map
// (string keys, kept sorted). It does not carry its Type: values are always read against a
// declared type. The canonical JSON form and hash defined here are stable across runs and
// machines; the hash becomes the cache key. Values are plain copyable data.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace flyte {

class Value {
 public:
  enum class Kind : uint8_t {
    kNull,
    kBool,
    kInt,
    kFloat,
    kStr,
    kDatetime,
    kDuration,
    kFile,
    kDir,
    kList,
    kMap
  };
  using List = std::vector<Value>;
  using Map = std::vector<std::pair<std::string, Value>>;  // sorted by key, keys unique

  Value() = default;  // null
  static Value Null() { return Value(); }
  static Value Bool(bool b);
  static Value Int(int64_t i);
  static Value Float(double d);
  static Value Str(std::string s);
  static Value Datetime(int64_t unix_nanos);
  static Value Duration(int64_t nanos);
  static Value File(std::string uri);
  static Value Dir(std::string uri);
  static Value FromList(List items);
  // Sorts the entries by key. REQUIRES: keys are unique.
  static Value FromMap(Map entries);

  Kind kind() const { return kind_; }
  bool is_null() const { return kind_ == Kind::kNull; }
  // Accessors. REQUIRES: the matching kind (Datetime and Duration share as_int()).
  bool as_bool() const { return std::get<bool>(data_); }
  int64_t as_int() const { return std::get<int64_t>(data_); }
  double as_float() const { return std::get<double>(data_); }
  // kStr, kFile and kDir.
  const std::string& as_str() const { return std::get<std::string>(data_); }
  const List& as_list() const { return std::get<List>(data_); }
  const Map& as_map() const { return std::get<Map>(data_); }
  // The entry of a map by key, or null when absent. REQUIRES: kind() == kMap.
  const Value* Find(std::string_view key) const;

  // Canonical JSON: no whitespace, map keys sorted, floats in shortest round-trip form with a
  // ".0" when integral ("NaN", "Infinity", "-Infinity" as strings), datetimes as RFC 3339 UTC
  // strings ("2026-11-22T10:00:00Z", fraction trimmed), durations as proto3 strings ("5400s",
  // "0.250s"), files and dirs as their URI string.
  std::string ToCanonicalJson() const;
  // What a task sees for {{ inputs.x }}: scalars as plain text (durations "1h30m"), files and
  // dirs as their path, lists/maps as canonical JSON.
  std::string ToText() const;
  // Lowercase hex SHA-256 of ToCanonicalJson().
  std::string Hash() const;

  friend bool operator==(const Value& a, const Value& b);
  friend bool operator!=(const Value& a, const Value& b) { return !(a == b); }

 private:
  Kind kind_ = Kind::kNull;
  std::variant<std::monostate, bool, int64_t, double, std::string, List, Map> data_;
};

}  // namespace flyte
