#include "types/coerce.h"

#include <algorithm>

#include "util/timefmt.h"

namespace flyte {
namespace {

Coerced Fail(std::string msg) { return {Value(), std::move(msg)}; }

Coerced Expected(const Type& type, const Value& v) {
  return Fail("expected " + type.ToString() + ", got " + DescribeValue(v));
}

// `strict`: no int→float widening (tried first for unions, so union[int, float] is not
// ambiguous for an int).
Coerced Coerce(const Value& v, const Type& type, bool strict) {
  using K = Value::Kind;
  switch (type.kind()) {
    case TypeKind::kAny:
      return {v, ""};
    case TypeKind::kNone:
      return v.is_null() ? Coerced{v, ""} : Expected(type, v);
    case TypeKind::kInt:
      return v.kind() == K::kInt ? Coerced{v, ""} : Expected(type, v);
    case TypeKind::kFloat:
      if (v.kind() == K::kFloat) return {v, ""};
      if (v.kind() == K::kInt && !strict)
        return {Value::Float(static_cast<double>(v.as_int())), ""};
      return Expected(type, v);
    case TypeKind::kStr:
      return v.kind() == K::kStr ? Coerced{v, ""} : Expected(type, v);
    case TypeKind::kBool:
      return v.kind() == K::kBool ? Coerced{v, ""} : Expected(type, v);
    case TypeKind::kDatetime:
      if (v.kind() == K::kDatetime) return {v, ""};
      if (v.kind() == K::kStr) {
        if (auto t = ParseDatetime(v.as_str())) return {Value::Datetime(*t), ""};
      }
      return Expected(type, v);
    case TypeKind::kDuration:
      if (v.kind() == K::kDuration) return {v, ""};
      if (v.kind() == K::kStr) {
        if (auto d = ParseDuration(v.as_str())) return {Value::Duration(*d), ""};
      }
      return Expected(type, v);
    case TypeKind::kFile:
    case TypeKind::kDir:
      // Flyte does not check blob dimensionality, so a file and a dir cast to each other.
      if (v.kind() == K::kFile || v.kind() == K::kDir || v.kind() == K::kStr) {
        return {type.kind() == TypeKind::kFile ? Value::File(v.as_str()) : Value::Dir(v.as_str()),
                ""};
      }
      return Expected(type, v);
    case TypeKind::kJson:
      return v.kind() == K::kMap ? Coerced{v, ""} : Expected(type, v);
    case TypeKind::kEnum: {
      if (v.kind() != K::kStr) return Expected(type, v);
      const auto& syms = type.symbols();
      if (std::find(syms.begin(), syms.end(), v.as_str()) == syms.end()) {
        return Fail("'" + v.as_str() + "' is not one of " + type.ToString());
      }
      return {v, ""};
    }
    case TypeKind::kList: {
      if (v.kind() != K::kList) return Expected(type, v);
      Value::List items;
      items.reserve(v.as_list().size());
      for (size_t i = 0; i < v.as_list().size(); ++i) {
        Coerced c = Coerce(v.as_list()[i], type.elem(), strict);
        if (!c.ok()) return Fail("item [" + std::to_string(i) + "]: " + c.error);
        items.push_back(std::move(c.value));
      }
      return {Value::FromList(std::move(items)), ""};
    }
    case TypeKind::kDict: {
      if (v.kind() != K::kMap) return Expected(type, v);
      Value::Map entries;
      entries.reserve(v.as_map().size());
      for (const auto& [k, item] : v.as_map()) {
        Coerced c = Coerce(item, type.elem(), strict);
        if (!c.ok()) return Fail("entry '" + k + "': " + c.error);
        entries.emplace_back(k, std::move(c.value));
      }
      return {Value::FromMap(std::move(entries)), ""};
    }
    case TypeKind::kUnion: {
      for (bool pass_strict : {true, false}) {
        if (!pass_strict && strict) break;
        std::optional<Value> found;
        int matches = 0;
        for (const Type& variant : type.variants()) {
          Coerced c = Coerce(v, variant, pass_strict);
          if (c.ok()) {
            ++matches;
            if (!found) found = std::move(c.value);
          }
        }
        if (matches == 1) return {std::move(*found), ""};
        if (matches > 1)
          return Fail(DescribeValue(v) + " matches more than one of " + type.ToString());
      }
      return Fail(DescribeValue(v) + " matches none of " + type.ToString());
    }
  }
  return Expected(type, v);
}

}  // namespace

Coerced CoerceValue(const Value& v, const Type& type) { return Coerce(v, type, false); }

std::string DescribeValue(const Value& v) {
  using K = Value::Kind;
  switch (v.kind()) {
    case K::kNull:
      return "null";
    case K::kBool:
      return std::string("bool ") + (v.as_bool() ? "true" : "false");
    case K::kInt:
      return "int " + std::to_string(v.as_int());
    case K::kFloat:
      return "float " + v.ToText();
    case K::kStr: {
      std::string s = v.as_str().size() > 40 ? v.as_str().substr(0, 37) + "..." : v.as_str();
      return "str \"" + s + "\"";
    }
    case K::kDatetime:
      return "datetime " + v.ToText();
    case K::kDuration:
      return "duration " + v.ToText();
    case K::kFile:
      return "file " + v.as_str();
    case K::kDir:
      return "dir " + v.as_str();
    case K::kList:
      return "a list";
    case K::kMap:
      return "a mapping";
  }
  return "a value";
}

}  // namespace flyte
