#include "types/yaml_writer.h"

#include "util/json_writer.h"
#include "util/yaml.h"

namespace flyte {
namespace {

bool NeedsQuotes(const std::string& s) {
  if (s.empty()) return true;
  if (yaml::IsNullText(s) || yaml::ParseBool(s) || yaml::ParseInt(s) || yaml::ParseFloat(s))
    return true;
  if (s.front() == ' ' || s.back() == ' ') return true;
  if (std::string_view("-?:,[]{}#&*!|>'\"%@`").find(s.front()) != std::string_view::npos)
    return true;
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x20) return true;
    if (s[i] == ':' && (i + 1 == s.size() || s[i + 1] == ' ')) return true;
    if (s[i] == '#' && i > 0 && s[i - 1] == ' ') return true;
  }
  return false;
}

std::string Scalar(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kNull:
      return "null";
    case Value::Kind::kStr:
    case Value::Kind::kFile:
    case Value::Kind::kDir: {
      if (!NeedsQuotes(v.as_str())) return v.as_str();
      std::string out;
      AppendJsonString(out, v.as_str());
      return out;
    }
    case Value::Kind::kDatetime:
    case Value::Kind::kDuration: {
      std::string json = v.ToCanonicalJson();  // a quoted string
      return json.substr(1, json.size() - 2);
    }
    default:
      return v.ToCanonicalJson();
  }
}

void Emit(const Value& v, int indent, std::string& out) {
  std::string pad(static_cast<size_t>(indent), ' ');
  if (v.kind() == Value::Kind::kMap) {
    for (const auto& [k, item] : v.as_map()) {
      out += pad;
      out += NeedsQuotes(k) ? Value::Str(k).ToCanonicalJson() : k;
      out += ":";
      bool nested = (item.kind() == Value::Kind::kMap && !item.as_map().empty()) ||
                    (item.kind() == Value::Kind::kList && !item.as_list().empty());
      if (nested) {
        out += "\n";
        Emit(item, indent + 2, out);
      } else {
        out += " " +
               (item.kind() == Value::Kind::kMap    ? "{}"
                : item.kind() == Value::Kind::kList ? "[]"
                                                    : Scalar(item)) +
               "\n";
      }
    }
    return;
  }
  if (v.kind() == Value::Kind::kList) {
    for (const Value& item : v.as_list()) {
      bool nested = (item.kind() == Value::Kind::kMap && !item.as_map().empty()) ||
                    (item.kind() == Value::Kind::kList && !item.as_list().empty());
      if (!nested) {
        out += pad + "- " +
               (item.kind() == Value::Kind::kMap    ? "{}"
                : item.kind() == Value::Kind::kList ? "[]"
                                                    : Scalar(item)) +
               "\n";
        continue;
      }
      std::string inner;
      Emit(item, indent + 2, inner);
      // The first line of the nested block goes on the dash's line.
      out += pad + "- " + inner.substr(static_cast<size_t>(indent) + 2);
    }
    return;
  }
  out += pad + Scalar(v) + "\n";
}

}  // namespace

std::string ToYaml(const Value& v) {
  std::string out;
  if (v.kind() == Value::Kind::kMap && v.as_map().empty()) return "{}\n";
  if (v.kind() == Value::Kind::kList && v.as_list().empty()) return "[]\n";
  Emit(v, 0, out);
  return out;
}

}  // namespace flyte
