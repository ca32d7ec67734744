// Reading values against a declared type, from a YAML/JSON node or from command-line text.
// YAML scalars resolve by the core schema first (`5` is an int, `"5"` a string); an int may be
// used where a float is expected; nothing else converts implicitly. A union takes the value
// when exactly one variant accepts it.
#pragma once

#include <string>
#include <string_view>

#include "flyte/diagnostic.h"
#include "flyte/types.h"
#include "flyte/value.h"
#include "util/yaml.h"

namespace flyte {

struct LiteralResult {
  Value value;
  // Empty on success. Otherwise a message such as "expected int, got a string \"x\"" or
  // "item [2]: expected int, got ...", with the node where it went wrong and a code among
  // kMismatchingTypes, kInvalidValue, kIllegalEnumValue, kAmbiguousBindingUnionValue,
  // kIncompatibleBindingUnionValue, kDuplicateKey.
  std::string error;
  ErrorCode code = ErrorCode::kMismatchingTypes;
  const yaml::Node* at = nullptr;
  bool ok() const { return error.empty(); }
};

LiteralResult ValueFromNode(const yaml::Node& node, const Type& type);

// `flyte run --input k=v`: `v` read by the declared type. str, enum, file, dir take the text
// as is; int, float, bool, datetime, duration parse it; lists, dicts, json, unions and optional
// parse it as YAML/JSON flow text ("[1, 2]", "{a: 1}"); "null" is none for optional types.
LiteralResult ValueFromText(std::string_view text, const Type& type);

// The type a literal has on its own, for literals with no declared target: plain scalars by
// the core schema, quoted scalars str, null none, a list whose items share one type list[T]
// (list[none] when empty), a mapping json. Any when a list mixes types.
Type NaturalType(const yaml::Node& node);

}  // namespace flyte
