// Fuzz target: the first line is a type spelling, the rest a value of that type as command-line
// text. A type that parses prints a spelling that parses to the same type; a value that reads
// is accepted by CoerceValue unchanged, and reads back from its canonical JSON and its YAML.
#include <cmath>
#include <string>
#include <string_view>

#include "flyte/types.h"
#include "flyte/value.h"
#include "fuzz/fuzz_check.h"
#include "types/coerce.h"
#include "types/literal.h"
#include "types/yaml_writer.h"
#include "util/yaml.h"

namespace flyte::fuzz {
namespace {

// Values of union[datetime, str] (and the like) written as text can read as either variant, so
// the round trips below only hold for types without such a choice.
bool HasChoice(const Type& t) {
  switch (t.kind()) {
    case TypeKind::kList:
    case TypeKind::kDict:
      return HasChoice(t.elem());
    case TypeKind::kUnion:
      return t.WithoutNone().kind() == TypeKind::kUnion || HasChoice(t.WithoutNone());
    default:
      return false;
  }
}

// NaN is not equal to itself, and canonical JSON writes non-finite floats as strings.
bool AllFinite(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kFloat:
      return std::isfinite(v.as_float());
    case Value::Kind::kList:
      for (const Value& item : v.as_list()) {
        if (!AllFinite(item)) return false;
      }
      return true;
    case Value::Kind::kMap:
      for (const auto& [key, item] : v.as_map()) {
        if (!AllFinite(item)) return false;
      }
      return true;
    default:
      return true;
  }
}

// Value::Map's promise: keys sorted and unique, at every level.
bool KeysUnique(const Value& v) {
  if (v.kind() == Value::Kind::kList) {
    for (const Value& item : v.as_list()) {
      if (!KeysUnique(item)) return false;
    }
  }
  if (v.kind() == Value::Kind::kMap) {
    const Value::Map& m = v.as_map();
    for (size_t i = 0; i < m.size(); ++i) {
      if ((i > 0 && !(m[i - 1].first < m[i].first)) || !KeysUnique(m[i].second)) return false;
    }
  }
  return true;
}

void CheckReadsBack(const std::string& text, const Value& v, const Type& type, const char* what) {
  yaml::ParseResult parsed = yaml::ParseText(text);
  FUZZ_CHECK(parsed.doc != nullptr && parsed.doc->root() != nullptr,
             std::string(what) + " does not parse: " + text + ": " + parsed.error.message);
  LiteralResult again = ValueFromNode(*parsed.doc->root(), type);
  FUZZ_CHECK(again.ok(), std::string(what) + " " + text + " does not read as " + type.ToString() +
                             ": " + again.error);
  FUZZ_CHECK(again.value == v,
             std::string(what) + " " + text + " reads as " + again.value.ToCanonicalJson());
}

}  // namespace

int FuzzType(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t eol = input.find('\n');
  const std::string_view spelling = input.substr(0, eol);
  ParsedType parsed = ParseType(spelling);
  if (!parsed.ok()) {
    FUZZ_CHECK(parsed.offset <= spelling.size(), parsed.error);
    return 0;
  }
  const Type& type = parsed.type;
  const std::string canonical = type.ToString();
  ParsedType again = ParseType(canonical);
  FUZZ_CHECK(again.ok(), canonical + ": " + again.error);
  FUZZ_CHECK(again.type == type, canonical + " parses as " + again.type.ToString());
  FUZZ_CHECK(again.type.ToString() == canonical, canonical);
  FUZZ_CHECK(IsCastable(type, type), canonical + " is not castable to itself");
  if (eol == std::string_view::npos) return 0;

  LiteralResult read = ValueFromText(input.substr(eol + 1), type);
  if (!read.ok()) return 0;
  const Value& v = read.value;
  FUZZ_CHECK(KeysUnique(v), v.ToCanonicalJson());
  (void)v.ToText();
  (void)v.Hash();
  Coerced coerced = CoerceValue(v, type);
  FUZZ_CHECK(coerced.ok(), canonical + " " + v.ToCanonicalJson() + ": " + coerced.error);
  if (!AllFinite(v) || HasChoice(type)) return 0;
  FUZZ_CHECK(coerced.value == v, canonical + " " + v.ToCanonicalJson() + " coerces to " +
                                     coerced.value.ToCanonicalJson());
  CheckReadsBack(v.ToCanonicalJson(), v, type, "canonical JSON");
  CheckReadsBack(ToYaml(v), v, type, "YAML");
  return 0;
}

}  // namespace flyte::fuzz

#ifdef FLYTE_LIBFUZZER
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return flyte::fuzz::FuzzType(data, size);
}
#endif
