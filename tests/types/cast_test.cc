// One case per rule of Flyte's AreTypesCastable (research/flyte.md §2.3), positive and negative.
#include <catch2/catch.hpp>

#include "flyte/types.h"

namespace flyte {
namespace {

Cast C(std::string_view upstream, std::string_view downstream) {
  ParsedType up = ParseType(upstream);
  ParsedType down = ParseType(downstream);
  REQUIRE(up.ok());
  REQUIRE(down.ok());
  return CheckCast(up.type, down.type);
}

TEST_CASE("a type casts to itself") {
  for (const char* t : {"int", "float", "str", "bool", "datetime", "duration", "json", "file",
                        "dir", "none", "list[int]", "dict[str, list[float]]", "enum[a, b]",
                        "optional[int]", "union[int, str]", "list[optional[dict[str, int]]]"}) {
    INFO(t);
    CHECK(C(t, t) == Cast::kOk);
  }
}

TEST_CASE("distinct simple types do not cast") {
  CHECK(C("int", "str") == Cast::kMismatch);
  CHECK(C("str", "int") == Cast::kMismatch);
  CHECK(C("bool", "int") == Cast::kMismatch);
  CHECK(C("datetime", "duration") == Cast::kMismatch);
  CHECK(C("json", "str") == Cast::kMismatch);
  CHECK(C("str", "file") == Cast::kMismatch);
}

TEST_CASE("int does not cast to float, as in Flyte") {
  CHECK(C("int", "float") == Cast::kMismatch);
  CHECK(C("float", "int") == Cast::kMismatch);
  CHECK(C("list[int]", "list[float]") == Cast::kMismatch);
}

TEST_CASE("any casts to and from everything") {
  Type any = Type::Any();
  for (const char* t : {"int", "none", "list[str]", "optional[int]", "union[int, str]"}) {
    INFO(t);
    CHECK(CheckCast(any, ParseType(t).type) == Cast::kOk);
    CHECK(CheckCast(ParseType(t).type, any) == Cast::kOk);
  }
  CHECK(CheckCast(Type::List(any), ParseType("list[int]").type) == Cast::kOk);
}

TEST_CASE("an enum casts to str and str casts to an enum") {
  CHECK(C("enum[a, b]", "str") == Cast::kOk);
  CHECK(C("str", "enum[a, b]") == Cast::kOk);
  CHECK(C("list[enum[a]]", "list[str]") == Cast::kOk);
}

TEST_CASE("an enum casts to another enum only with the same symbols in the same order") {
  CHECK(C("enum[a, b]", "enum[a, b]") == Cast::kOk);
  CHECK(C("enum[a, b]", "enum[a, b, c]") == Cast::kMismatch);
  CHECK(C("enum[a, b]", "enum[b, a]") == Cast::kMismatch);
  CHECK(C("enum[a]", "int") == Cast::kMismatch);
}

TEST_CASE("none casts only to none, or to a union holding none") {
  CHECK(C("none", "none") == Cast::kOk);
  CHECK(C("none", "int") == Cast::kMismatch);
  CHECK(C("none", "list[int]") == Cast::kMismatch);
  CHECK(C("int", "none") == Cast::kMismatch);
  CHECK(C("none", "optional[int]") == Cast::kOk);
  CHECK(C("none", "union[int, str]") == Cast::kMismatch);
}

TEST_CASE("lists and dicts cast element by element") {
  CHECK(C("list[int]", "list[int]") == Cast::kOk);
  CHECK(C("list[int]", "list[str]") == Cast::kMismatch);
  CHECK(C("list[list[enum[a]]]", "list[list[str]]") == Cast::kOk);
  CHECK(C("dict[str, int]", "dict[str, str]") == Cast::kMismatch);
  CHECK(C("dict[str, enum[a]]", "dict[str, str]") == Cast::kOk);
  CHECK(C("list[int]", "dict[str, int]") == Cast::kMismatch);
  CHECK(C("dict[str, int]", "list[int]") == Cast::kMismatch);
  CHECK(C("list[int]", "int") == Cast::kMismatch);
  CHECK(C("list[int]", "list[optional[int]]") == Cast::kOk);
  CHECK(C("list[optional[int]]", "list[int]") == Cast::kMismatch);
}

TEST_CASE("an empty list or dict literal casts to any list or dict") {
  CHECK(C("list[none]", "list[int]") == Cast::kOk);
  CHECK(C("list[none]", "list[dict[str, file]]") == Cast::kOk);
  CHECK(C("dict[str, none]", "dict[str, float]") == Cast::kOk);
  CHECK(C("list[none]", "dict[str, int]") == Cast::kMismatch);
  CHECK(C("dict[str, none]", "list[int]") == Cast::kMismatch);
  CHECK(C("list[int]", "list[none]") == Cast::kMismatch);
}

TEST_CASE("file and dir cast to each other, since Flyte ignores blob dimensionality") {
  CHECK(C("file", "dir") == Cast::kOk);
  CHECK(C("dir", "file") == Cast::kOk);
  CHECK(C("list[file]", "list[dir]") == Cast::kOk);
}

TEST_CASE("json casts to json only") {
  CHECK(C("json", "json") == Cast::kOk);
  CHECK(C("json", "dict[str, int]") == Cast::kMismatch);
  CHECK(C("dict[str, int]", "json") == Cast::kMismatch);
}

TEST_CASE("a non-union value casts to a union when exactly one variant accepts it") {
  CHECK(C("int", "optional[int]") == Cast::kOk);
  CHECK(C("int", "union[int, str]") == Cast::kOk);
  CHECK(C("enum[a]", "union[int, str]") == Cast::kOk);
  CHECK(C("list[int]", "union[list[int], list[str]]") == Cast::kOk);
}

TEST_CASE("a non-union value matching no union variant is a mismatch") {
  CHECK(C("int", "union[str, bool]") == Cast::kMismatch);
  CHECK(C("int", "optional[float]") == Cast::kMismatch);
}

TEST_CASE("a non-union value matching several union variants is ambiguous") {
  CHECK(C("str", "union[str, enum[a, b]]") == Cast::kAmbiguous);
  CHECK(C("enum[a]", "union[str, enum[a]]") == Cast::kAmbiguous);
  CHECK(C("file", "union[file, dir]") == Cast::kAmbiguous);
  CHECK(C("list[none]", "union[list[int], list[str]]") == Cast::kAmbiguous);
  CHECK(C("list[str]", "list[union[str, enum[a]]]") == Cast::kAmbiguous);
}

TEST_CASE("int to union[int, optional[int]] is fine because the union flattens") {
  // union[int, optional[int]] normalizes to optional[int]: int matches one variant.
  CHECK(C("int", "union[int, optional[int]]") == Cast::kOk);
}

TEST_CASE("a union casts to a union when every upstream variant has a home") {
  CHECK(C("union[int, str]", "union[str, int]") == Cast::kOk);
  CHECK(C("union[int, str]", "union[int, str, bool]") == Cast::kOk);
  CHECK(C("optional[int]", "union[int, str, none]") == Cast::kOk);
  CHECK(C("union[int, str]", "union[int, bool]") == Cast::kMismatch);
  CHECK(C("optional[int]", "union[int, str]") == Cast::kMismatch);
  // Several homes for one variant are fine here: the value carries its variant.
  CHECK(C("union[str, int]", "union[str, enum[a], int]") == Cast::kOk);
}

TEST_CASE("a union does not cast to a non-union type") {
  CHECK(C("optional[int]", "int") == Cast::kMismatch);
  CHECK(C("union[int, str]", "str") == Cast::kMismatch);
  CHECK(C("optional[int]", "none") == Cast::kMismatch);
}

TEST_CASE("IsCastable is CheckCast equal to kOk") {
  CHECK(IsCastable(Type::Int(), Type::Optional(Type::Int())));
  CHECK_FALSE(IsCastable(Type::Int(), Type::Float()));
  CHECK_FALSE(IsCastable(Type::File(), Type::Union({Type::File(), Type::Dir()})));
}

}  // namespace
}  // namespace flyte
