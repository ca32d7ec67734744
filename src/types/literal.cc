#include "types/literal.h"

#include <cctype>
#include <limits>

#include <algorithm>
#include <cstdio>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "util/strings.h"
#include "util/timefmt.h"
#include "util/utf8.h"

namespace flyte {
namespace {

using yaml::ScalarKind;

LiteralResult Ok(Value v) {
  LiteralResult r;
  r.value = std::move(v);
  return r;
}

LiteralResult Fail(ErrorCode code, const yaml::Node* at, std::string message) {
  LiteralResult r;
  r.error = std::move(message);
  r.code = code;
  r.at = at;
  return r;
}

// The "expected X" of messages: the type, with a reminder of the spelling where one helps.
std::string Expected(const Type& type) {
  switch (type.kind()) {
    case TypeKind::kDatetime:
      return "datetime (ISO 8601, e.g. 2026-11-22T10:00:00Z)";
    case TypeKind::kDuration:
      return "duration (e.g. 90s, 1h30m, 250ms)";
    case TypeKind::kJson:
      return "json (a mapping)";
    case TypeKind::kNone:
      return "none (null)";
    case TypeKind::kFile:
      return "file (a path or file:// URI)";
    case TypeKind::kDir:
      return "dir (a path or file:// URI)";
    default:
      return type.ToString();
  }
}

LiteralResult Mismatch(const yaml::Node& node, const Type& type, std::string_view hint = {}) {
  return Fail(ErrorCode::kMismatchingTypes, &node,
              "expected " + Expected(type) + ", got " + node.Describe() + std::string(hint));
}

// For a plain `5` or `true` where text was wanted: YAML read it as something else.
std::string QuoteHint(const yaml::Node& node) {
  if (!node.is_scalar() || node.Resolve() == ScalarKind::kNull) return "";
  return " (quote it to pass text: \"" + node.text + "\")";
}

void Prefix(LiteralResult& r, const std::string& context) { r.error = context + r.error; }

// An error at the second occurrence of a key of `map`. The YAML tree keeps duplicate keys (for
// the loader to report); a Value may not hold them: Value::FromMap requires unique keys, and which
// entry a lookup or the canonical JSON saw would depend on sort order (found by tests/fuzz).
LiteralResult FailOnDuplicateKey(const yaml::Node& map) {
  std::unordered_map<std::string_view, const yaml::Node*> seen;
  for (const auto& entry : map.entries) {
    auto [it, added] = seen.emplace(entry.first->text, entry.first);
    if (!added) {
      return Fail(ErrorCode::kDuplicateKey, entry.first,
                  "key " + Quote(entry.first->text) + " is given twice (first at line " +
                      std::to_string(it->second->line) + ")");
    }
  }
  return Ok(Value::Null());
}

// The core-schema reading of a node, for json members and values of no declared type.
LiteralResult ReadNatural(const yaml::Node& node) {
  switch (node.kind) {
    case yaml::NodeKind::kNull:
      return Ok(Value::Null());
    case yaml::NodeKind::kSeq: {
      Value::List items;
      for (size_t i = 0; i < node.items.size(); ++i) {
        LiteralResult r = ReadNatural(*node.items[i]);
        if (!r.ok()) {
          Prefix(r, "item [" + std::to_string(i) + "]: ");
          return r;
        }
        items.push_back(std::move(r.value));
      }
      return Ok(Value::FromList(std::move(items)));
    }
    case yaml::NodeKind::kMap: {
      if (LiteralResult dup = FailOnDuplicateKey(node); !dup.ok()) return dup;
      Value::Map entries;
      for (const auto& [key, value] : node.entries) {
        LiteralResult r = ReadNatural(*value);
        if (!r.ok()) {
          Prefix(r, "entry " + Quote(key->text) + ": ");
          return r;
        }
        entries.emplace_back(key->text, std::move(r.value));
      }
      return Ok(Value::FromMap(std::move(entries)));
    }
    case yaml::NodeKind::kScalar:
      break;
  }
  // The parsers can only fail here for explicit tags such as `!!int abc`.
  auto invalid = [&node](std::string_view what) {
    return Fail(ErrorCode::kInvalidValue, &node,
                "invalid " + std::string(what) + " " + Quote(node.text));
  };
  switch (node.Resolve()) {
    case ScalarKind::kNull:
      return Ok(Value::Null());
    case ScalarKind::kBool: {
      auto b = yaml::ParseBool(node.text);
      return b ? Ok(Value::Bool(*b)) : invalid("bool");
    }
    case ScalarKind::kInt: {
      auto i = yaml::ParseInt(node.text);
      return i ? Ok(Value::Int(*i)) : invalid("int");
    }
    case ScalarKind::kFloat: {
      auto f = yaml::ParseFloat(node.text);
      return f ? Ok(Value::Float(*f)) : invalid("float");
    }
    case ScalarKind::kStr:
      return Ok(Value::Str(node.text));
  }
  return invalid("value");
}

LiteralResult ReadTime(const yaml::Node& node, const Type& type);
LiteralResult ReadList(const yaml::Node& node, const Type& type, bool promote);
LiteralResult ReadDict(const yaml::Node& node, const Type& type, bool promote);
LiteralResult ReadUnion(const yaml::Node& node, const Type& type, bool promote);

// promote: whether an int may stand for a float. Unions first try without it, so that
// NaN and the infinities as people and programs write them: Value::ToText and Python print
// nan/inf, proto3 JSON (our own JSON output) writes "NaN"/"Infinity", YAML writes .nan/.inf.
std::optional<double> NonFiniteFloat(std::string_view text) {
  std::string t;
  for (char c : text) t += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  bool neg = false;
  if (!t.empty() && (t[0] == '-' || t[0] == '+')) {
    neg = t[0] == '-';
    t.erase(0, 1);
  }
  if (t == "nan" || t == ".nan") return std::numeric_limits<double>::quiet_NaN();
  if (t == "inf" || t == ".inf" || t == "infinity") {
    return neg ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
  }
  return std::nullopt;
}

// `1` picks int over float in union[int, float].
LiteralResult Read(const yaml::Node& node, const Type& type, bool promote) {
  // Resolve() calls lists and mappings strings; they must not pass for one here.
  std::optional<ScalarKind> kind;
  if (!node.is_seq() && !node.is_map()) kind = node.Resolve();
  switch (type.kind()) {
    case TypeKind::kAny:
      return ReadNatural(node);
    case TypeKind::kNone:
      return kind == ScalarKind::kNull ? Ok(Value::Null()) : Mismatch(node, type);
    case TypeKind::kInt:
      return kind == ScalarKind::kInt ? ReadNatural(node) : Mismatch(node, type);
    case TypeKind::kFloat:
      if (kind == ScalarKind::kFloat) return ReadNatural(node);
      if (kind == ScalarKind::kInt && promote) {
        LiteralResult r = ReadNatural(node);
        if (r.ok()) r.value = Value::Float(static_cast<double>(r.value.as_int()));
        return r;
      }
      if (kind == ScalarKind::kStr) {
        if (auto f = NonFiniteFloat(node.text)) return Ok(Value::Float(*f));
      }
      return Mismatch(node, type);
    case TypeKind::kBool:
      return kind == ScalarKind::kBool ? ReadNatural(node) : Mismatch(node, type);
    case TypeKind::kStr:
      if (kind == ScalarKind::kStr) return Ok(Value::Str(node.text));
      return Mismatch(node, type, QuoteHint(node));
    case TypeKind::kDatetime:
    case TypeKind::kDuration:
      return ReadTime(node, type);
    case TypeKind::kFile:
    case TypeKind::kDir:
      if (kind != ScalarKind::kStr) return Mismatch(node, type, QuoteHint(node));
      if (node.text.empty()) {
        return Fail(ErrorCode::kInvalidValue, &node,
                    "expected " + Expected(type) + ", got " + node.Describe());
      }
      return Ok(type.kind() == TypeKind::kFile ? Value::File(node.text) : Value::Dir(node.text));
    case TypeKind::kEnum: {
      if (kind != ScalarKind::kStr) return Mismatch(node, type, QuoteHint(node));
      const auto& symbols = type.symbols();
      if (std::find(symbols.begin(), symbols.end(), node.text) == symbols.end()) {
        return Fail(ErrorCode::kIllegalEnumValue, &node,
                    Quote(node.text) + " is not one of " + type.ToString());
      }
      return Ok(Value::Str(node.text));
    }
    case TypeKind::kJson:
      return node.is_map() ? ReadNatural(node) : Mismatch(node, type);
    case TypeKind::kList:
      return ReadList(node, type, promote);
    case TypeKind::kDict:
      return ReadDict(node, type, promote);
    case TypeKind::kUnion:
      return ReadUnion(node, type, promote);
  }
  return Mismatch(node, type);
}

LiteralResult ReadTime(const yaml::Node& node, const Type& type) {
  if (!node.is_scalar() || node.Resolve() != ScalarKind::kStr) {
    std::string hint;
    if (type.kind() == TypeKind::kDuration && node.Resolve() == ScalarKind::kInt) {
      hint = " (durations need a unit: " + node.text + "s)";
    }
    return Mismatch(node, type, hint);
  }
  bool datetime = type.kind() == TypeKind::kDatetime;
  std::optional<int64_t> t = datetime ? ParseDatetime(node.text) : ParseDuration(node.text);
  if (!t) {
    return Fail(ErrorCode::kInvalidValue, &node,
                "expected " + Expected(type) + ", got " + node.Describe());
  }
  return Ok(datetime ? Value::Datetime(*t) : Value::Duration(*t));
}

LiteralResult ReadList(const yaml::Node& node, const Type& type, bool promote) {
  if (!node.is_seq()) return Mismatch(node, type);
  Value::List items;
  items.reserve(node.items.size());
  for (size_t i = 0; i < node.items.size(); ++i) {
    LiteralResult r = Read(*node.items[i], type.elem(), promote);
    if (!r.ok()) {
      Prefix(r, "item [" + std::to_string(i) + "]: ");
      return r;
    }
    items.push_back(std::move(r.value));
  }
  return Ok(Value::FromList(std::move(items)));
}

LiteralResult ReadDict(const yaml::Node& node, const Type& type, bool promote) {
  if (!node.is_map()) return Mismatch(node, type);
  if (LiteralResult dup = FailOnDuplicateKey(node); !dup.ok()) return dup;
  Value::Map entries;
  entries.reserve(node.entries.size());
  for (const auto& [key, value] : node.entries) {
    LiteralResult r = Read(*value, type.elem(), promote);
    if (!r.ok()) {
      Prefix(r, "entry " + Quote(key->text) + ": ");
      return r;
    }
    entries.emplace_back(key->text, std::move(r.value));
  }
  return Ok(Value::FromMap(std::move(entries)));
}

LiteralResult ReadUnion(const yaml::Node& node, const Type& type, bool promote) {
  bool is_null = node.Resolve() == ScalarKind::kNull;
  if (is_null && type.IsOptional()) return Ok(Value::Null());
  // optional[T] holding a value is just T, and T's own message is the precise one.
  Type rest = type.WithoutNone();
  if (rest.kind() != TypeKind::kUnion) return Read(node, rest, promote);

  std::vector<std::pair<const Type*, Value>> matches;
  for (bool with_promotion : {false, true}) {
    if (with_promotion && !promote) break;
    for (const Type& variant : type.variants()) {
      LiteralResult r = Read(node, variant, with_promotion);
      if (r.ok()) matches.emplace_back(&variant, std::move(r.value));
    }
    if (!matches.empty()) break;
  }
  if (matches.size() == 1) return Ok(std::move(matches[0].second));
  if (matches.empty()) {
    return Fail(ErrorCode::kIncompatibleBindingUnionValue, &node,
                "value matches none of " + type.ToString());
  }
  std::vector<std::string> names;
  for (const auto& m : matches) names.push_back(m.first->ToString());
  return Fail(ErrorCode::kAmbiguousBindingUnionValue, &node,
              "value matches more than one of " + type.ToString() + ": " + Join(names, ", "));
}

// Text that means none for an optional scalar given on the command line. An empty string
// stays a (possibly invalid) value, so `--input name=` can pass "" to an optional[str].
bool IsNullWord(std::string_view text) { return !text.empty() && yaml::IsNullText(text); }

LiteralResult FailText(ErrorCode code, const Type& type, std::string_view text) {
  return Fail(code, nullptr, "expected " + Expected(type) + ", got " + Quote(text));
}

LiteralResult ReadTextAsYaml(std::string_view text, const Type& type) {
  yaml::ParseResult parsed = yaml::ParseText(text);
  if (parsed.doc == nullptr) {
    return Fail(
        ErrorCode::kInvalidValue, nullptr,
        "expected " + Expected(type) + ", got " + Quote(text) + ": " + parsed.error.message);
  }
  static const yaml::Node kNullNode;
  const yaml::Node* root = parsed.doc->root();
  LiteralResult r = Read(root != nullptr ? *root : kNullNode, type, true);
  r.at = nullptr;  // the nodes die with `parsed`
  return r;
}

}  // namespace

LiteralResult ValueFromNode(const yaml::Node& node, const Type& type) {
  return Read(node, type, /*promote=*/true);
}

LiteralResult ValueFromText(std::string_view text, const Type& type) {
  // Strings are UTF-8 everywhere else (JSON, YAML, Flyte's literals); text taken as is would
  // otherwise carry bytes that canonical JSON cannot hold (found by tests/fuzz, type target).
  if (std::optional<size_t> bad = FindInvalidUtf8(text)) {
    char byte[8];
    std::snprintf(byte, sizeof byte, "0x%02x", static_cast<unsigned char>(text[*bad]));
    return Fail(ErrorCode::kInvalidValue, nullptr,
                "expected " + Expected(type) + ", got text that is not valid UTF-8 (byte " + byte +
                    " at offset " + std::to_string(*bad) + ")");
  }
  std::string_view trimmed = Trim(text);
  switch (type.kind()) {
    case TypeKind::kStr:
      return Ok(Value::Str(std::string(text)));
    case TypeKind::kEnum: {
      const auto& symbols = type.symbols();
      if (std::find(symbols.begin(), symbols.end(), text) == symbols.end()) {
        return Fail(ErrorCode::kIllegalEnumValue, nullptr,
                    Quote(text) + " is not one of " + type.ToString());
      }
      return Ok(Value::Str(std::string(text)));
    }
    case TypeKind::kFile:
    case TypeKind::kDir:
      if (text.empty()) return FailText(ErrorCode::kInvalidValue, type, text);
      return Ok(type.kind() == TypeKind::kFile ? Value::File(std::string(text))
                                               : Value::Dir(std::string(text)));
    case TypeKind::kInt:
      if (auto i = yaml::ParseInt(trimmed)) return Ok(Value::Int(*i));
      return FailText(ErrorCode::kMismatchingTypes, type, text);
    case TypeKind::kFloat:
      if (auto f = yaml::ParseFloat(trimmed)) return Ok(Value::Float(*f));
      if (auto i = yaml::ParseInt(trimmed)) return Ok(Value::Float(static_cast<double>(*i)));
      if (auto f = NonFiniteFloat(trimmed)) return Ok(Value::Float(*f));
      return FailText(ErrorCode::kMismatchingTypes, type, text);
    case TypeKind::kBool:
      if (auto b = yaml::ParseBool(trimmed)) return Ok(Value::Bool(*b));
      return FailText(ErrorCode::kMismatchingTypes, type, text);
    case TypeKind::kDatetime:
      if (auto t = ParseDatetime(trimmed)) return Ok(Value::Datetime(*t));
      return FailText(ErrorCode::kInvalidValue, type, text);
    case TypeKind::kDuration:
      if (auto d = ParseDuration(trimmed)) return Ok(Value::Duration(*d));
      return FailText(ErrorCode::kInvalidValue, type, text);
    case TypeKind::kNone:
      if (IsNullWord(trimmed)) return Ok(Value::Null());
      return FailText(ErrorCode::kMismatchingTypes, type, text);
    case TypeKind::kUnion: {
      Type rest = type.WithoutNone();
      if (type.IsOptional() && rest.IsScalar()) {
        if (IsNullWord(trimmed)) return Ok(Value::Null());
        return ValueFromText(text, rest);
      }
      return ReadTextAsYaml(text, type);
    }
    case TypeKind::kJson:
    case TypeKind::kList:
    case TypeKind::kDict:
    case TypeKind::kAny:
      return ReadTextAsYaml(text, type);
  }
  return FailText(ErrorCode::kMismatchingTypes, type, text);
}

Type NaturalType(const yaml::Node& node) {
  switch (node.kind) {
    case yaml::NodeKind::kNull:
      return Type::None();
    case yaml::NodeKind::kMap:
      return Type::Json();
    case yaml::NodeKind::kSeq: {
      if (node.items.empty()) return Type::List(Type::None());
      Type first = NaturalType(*node.items[0]);
      for (size_t i = 1; i < node.items.size(); ++i) {
        if (NaturalType(*node.items[i]) != first) return Type::Any();
      }
      return Type::List(first);
    }
    case yaml::NodeKind::kScalar:
      break;
  }
  switch (node.Resolve()) {
    case ScalarKind::kNull:
      return Type::None();
    case ScalarKind::kBool:
      return Type::Bool();
    case ScalarKind::kInt:
      return Type::Int();
    case ScalarKind::kFloat:
      return Type::Float();
    case ScalarKind::kStr:
      return Type::Str();
  }
  return Type::Any();
}

}  // namespace flyte
