// The closed type system of workflow files (WORKFLOW.md §2), mirroring Flyte's LiteralType.
// A Type is parsed once from its spelling at the file boundary; past that point nothing looks
// at type strings. Types are immutable values; copies share their nested parts, so copying is
// cheap and thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace flyte {

enum class TypeKind : uint8_t {
  kNone,   // the type of null; the element type of an empty list literal
  kInt,    // int64
  kFloat,  // double
  kStr,
  kBool,
  kDatetime,  // an instant, nanosecond precision, UTC
  kDuration,  // nanoseconds
  kJson,      // a JSON object (Flyte STRUCT)
  kFile,      // blob, SINGLE
  kDir,       // blob, MULTIPART
  kList,      // elem()
  kDict,      // string keys, values of elem()
  kEnum,      // symbols()
  kUnion,     // variants(); optional[T] is union[T, none]
  kAny,       // internal: the static type of an attribute path into json; checked at run time
};

class Type {
 public:
  Type();  // none

  static Type None();
  static Type Int();
  static Type Float();
  static Type Str();
  static Type Bool();
  static Type Datetime();
  static Type Duration();
  static Type Json();
  static Type File();
  static Type Dir();
  static Type Any();
  static Type List(Type elem);
  static Type Dict(Type value);
  // REQUIRES: symbols non-empty and unique.
  static Type Enum(std::vector<std::string> symbols);
  // Flattens nested unions and drops duplicate variants, keeping first-seen order.
  // A single remaining variant is returned itself, not wrapped.
  static Type Union(std::vector<Type> variants);
  static Type Optional(Type t);  // Union({t, None()})

  TypeKind kind() const { return kind_; }
  // REQUIRES: kind() is kList or kDict.
  const Type& elem() const;
  // REQUIRES: kind() is kUnion.
  const std::vector<Type>& variants() const;
  // REQUIRES: kind() is kEnum.
  const std::vector<std::string>& symbols() const;

  bool IsOptional() const;  // none itself, or a union with a none variant
  // optional[T] → T; union[A, B, none] → union[A, B]; other types unchanged.
  Type WithoutNone() const;
  // int, float, str, bool, datetime, duration, enum, file, dir.
  bool IsScalar() const;

  // The canonical spelling, parseable by ParseType: "int", "list[optional[int]]",
  // "dict[str, float]", "enum[a, b]", "union[int, str]".
  std::string ToString() const;

  friend bool operator==(const Type& a, const Type& b);
  friend bool operator!=(const Type& a, const Type& b) { return !(a == b); }

 private:
  struct Compound;
  Type(TypeKind kind, std::shared_ptr<const Compound> compound);

  TypeKind kind_;
  std::shared_ptr<const Compound> compound_;  // null for simple kinds
};

// The outcome of parsing a type spelling. On failure `error` says what is wrong and
// `offset` is the byte offset in the input where it went wrong.
struct ParsedType {
  Type type;
  std::string error;
  size_t offset = 0;
  bool ok() const { return error.empty(); }
};

// Parses a spelling of WORKFLOW.md §2: int, float, str (string), bool, datetime, duration,
// json, file, dir, none, list[T], dict[str, T], optional[T], T?, enum[a, b], union[A, B].
// Unknown names get a "did you mean" suggestion.
ParsedType ParseType(std::string_view text);

// Flyte's AreTypesCastable(upstream, downstream) (research/flyte.md §2.3).
enum class Cast {
  kOk,
  kMismatch,
  kAmbiguous,  // a non-union upstream matches more than one downstream union variant
};
Cast CheckCast(const Type& upstream, const Type& downstream);
inline bool IsCastable(const Type& upstream, const Type& downstream) {
  return CheckCast(upstream, downstream) == Cast::kOk;
}

}  // namespace flyte
