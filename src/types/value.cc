#include "flyte/value.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "util/json_writer.h"
#include "util/sha256.h"
#include "util/timefmt.h"

namespace flyte {
namespace {

void AppendCanonicalJson(std::string& out, const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kNull:
      out += "null";
      return;
    case Value::Kind::kBool:
      out += v.as_bool() ? "true" : "false";
      return;
    case Value::Kind::kInt:
      out += std::to_string(v.as_int());
      return;
    case Value::Kind::kFloat:
      AppendJsonDouble(out, v.as_float());
      return;
    case Value::Kind::kStr:
    case Value::Kind::kFile:
    case Value::Kind::kDir:
      AppendJsonString(out, v.as_str());
      return;
    case Value::Kind::kDatetime:
      AppendJsonString(out, FormatDatetime(v.as_int()));
      return;
    case Value::Kind::kDuration:
      AppendJsonString(out, FormatDurationProto(v.as_int()));
      return;
    case Value::Kind::kList: {
      out += '[';
      bool first = true;
      for (const Value& item : v.as_list()) {
        if (!first) out += ',';
        first = false;
        AppendCanonicalJson(out, item);
      }
      out += ']';
      return;
    }
    case Value::Kind::kMap: {
      out += '{';
      bool first = true;
      for (const auto& [key, item] : v.as_map()) {
        if (!first) out += ',';
        first = false;
        AppendJsonString(out, key);
        out += ':';
        AppendCanonicalJson(out, item);
      }
      out += '}';
      return;
    }
  }
}

bool SameFloat(double a, double b) {
  if (std::isnan(a) && std::isnan(b)) return true;
  // Bitwise, so 0.0 and -0.0 differ, as their canonical JSON (and so their hashes) do.
  return std::memcmp(&a, &b, sizeof a) == 0;
}

}  // namespace

Value Value::Bool(bool b) {
  Value v;
  v.kind_ = Kind::kBool;
  v.data_ = b;
  return v;
}

Value Value::Int(int64_t i) {
  Value v;
  v.kind_ = Kind::kInt;
  v.data_ = i;
  return v;
}

Value Value::Float(double d) {
  Value v;
  v.kind_ = Kind::kFloat;
  v.data_ = d;
  return v;
}

Value Value::Str(std::string s) {
  Value v;
  v.kind_ = Kind::kStr;
  v.data_ = std::move(s);
  return v;
}

Value Value::Datetime(int64_t unix_nanos) {
  Value v;
  v.kind_ = Kind::kDatetime;
  v.data_ = unix_nanos;
  return v;
}

Value Value::Duration(int64_t nanos) {
  Value v;
  v.kind_ = Kind::kDuration;
  v.data_ = nanos;
  return v;
}

Value Value::File(std::string uri) {
  Value v;
  v.kind_ = Kind::kFile;
  v.data_ = std::move(uri);
  return v;
}

Value Value::Dir(std::string uri) {
  Value v;
  v.kind_ = Kind::kDir;
  v.data_ = std::move(uri);
  return v;
}

Value Value::FromList(List items) {
  Value v;
  v.kind_ = Kind::kList;
  v.data_ = std::move(items);
  return v;
}

Value Value::FromMap(Map entries) {
  std::sort(entries.begin(), entries.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  Value v;
  v.kind_ = Kind::kMap;
  v.data_ = std::move(entries);
  return v;
}

const Value* Value::Find(std::string_view key) const {
  const Map& m = as_map();
  auto it = std::lower_bound(m.begin(), m.end(), key,
                             [](const auto& entry, std::string_view k) { return entry.first < k; });
  if (it == m.end() || it->first != key) return nullptr;
  return &it->second;
}

std::string Value::ToCanonicalJson() const {
  std::string out;
  AppendCanonicalJson(out, *this);
  return out;
}

std::string Value::ToText() const {
  switch (kind_) {
    case Kind::kNull:
      return "";
    case Kind::kBool:
      return as_bool() ? "true" : "false";
    case Kind::kInt:
      return std::to_string(as_int());
    case Kind::kFloat: {
      double d = as_float();
      if (std::isnan(d)) return "nan";
      if (std::isinf(d)) return d > 0 ? "inf" : "-inf";
      std::string out;
      AppendJsonDouble(out, d);
      return out;
    }
    case Kind::kStr:
    case Kind::kFile:
    case Kind::kDir:
      return as_str();
    case Kind::kDatetime:
      return FormatDatetime(as_int());
    case Kind::kDuration:
      return FormatDuration(as_int());
    case Kind::kList:
    case Kind::kMap:
      return ToCanonicalJson();
  }
  return "";
}

std::string Value::Hash() const { return Sha256Hex(ToCanonicalJson()); }

bool operator==(const Value& a, const Value& b) {
  if (a.kind_ != b.kind_) return false;
  if (a.kind_ == Value::Kind::kFloat) return SameFloat(a.as_float(), b.as_float());
  // Lists and maps compare element-wise through this same operator, so nested floats follow
  // the rule above too.
  return a.data_ == b.data_;
}

}  // namespace flyte
