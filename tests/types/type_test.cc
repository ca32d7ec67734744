#include <catch2/catch.hpp>

#include "flyte/types.h"

namespace flyte {
namespace {

Type T(std::string_view spelling) {
  ParsedType p = ParseType(spelling);
  INFO(spelling << ": " << p.error);
  REQUIRE(p.ok());
  return p.type;
}

TEST_CASE("a default-constructed type is none") {
  CHECK(Type().kind() == TypeKind::kNone);
  CHECK(Type() == Type::None());
}

TEST_CASE("a union flattens nested unions and drops duplicates in first-seen order") {
  Type u = Type::Union({Type::Int(), Type::Union({Type::Str(), Type::Int()}), Type::Bool()});
  REQUIRE(u.kind() == TypeKind::kUnion);
  CHECK(u.variants() == std::vector<Type>{Type::Int(), Type::Str(), Type::Bool()});
  CHECK(u.ToString() == "union[int, str, bool]");
}

TEST_CASE("a union of one distinct variant is that variant") {
  CHECK(Type::Union({Type::Int(), Type::Int()}) == Type::Int());
  CHECK(Type::Union({Type::List(Type::Str())}).kind() == TypeKind::kList);
}

TEST_CASE("optional of an optional is the same optional") {
  Type once = Type::Optional(Type::Int());
  CHECK(Type::Optional(once) == once);
  CHECK(once.variants().size() == 2);
}

TEST_CASE("unions are equal when they hold the same variants in any order") {
  CHECK(Type::Union({Type::Int(), Type::Str()}) == Type::Union({Type::Str(), Type::Int()}));
  CHECK(Type::Union({Type::Int(), Type::Str()}) != Type::Union({Type::Int(), Type::Bool()}));
  CHECK(Type::Union({Type::Int(), Type::Str()}) !=
        Type::Union({Type::Int(), Type::Str(), Type::Bool()}));
}

TEST_CASE("types compare structurally") {
  CHECK(Type::List(Type::Int()) == Type::List(Type::Int()));
  CHECK(Type::List(Type::Int()) != Type::List(Type::Float()));
  CHECK(Type::List(Type::Int()) != Type::Dict(Type::Int()));
  CHECK(Type::Enum({"a", "b"}) == Type::Enum({"a", "b"}));
  CHECK(Type::Enum({"a", "b"}) != Type::Enum({"b", "a"}));
  CHECK(Type::Int() != Type::Float());
}

TEST_CASE("IsOptional is true for none and for unions that include none") {
  CHECK(Type::None().IsOptional());
  CHECK(Type::Optional(Type::Int()).IsOptional());
  CHECK(Type::Union({Type::Int(), Type::None(), Type::Str()}).IsOptional());
  CHECK_FALSE(Type::Union({Type::Int(), Type::Str()}).IsOptional());
  CHECK_FALSE(Type::Int().IsOptional());
  CHECK_FALSE(Type::List(Type::Optional(Type::Int())).IsOptional());
}

TEST_CASE("WithoutNone strips none from a union and leaves other types alone") {
  CHECK(Type::Optional(Type::Int()).WithoutNone() == Type::Int());
  CHECK(Type::Union({Type::Int(), Type::Str(), Type::None()}).WithoutNone() ==
        Type::Union({Type::Int(), Type::Str()}));
  CHECK(Type::List(Type::Int()).WithoutNone() == Type::List(Type::Int()));
  CHECK(Type::None().WithoutNone() == Type::None());
}

TEST_CASE("IsScalar covers the single-value types") {
  for (Type t : {Type::Int(), Type::Float(), Type::Str(), Type::Bool(), Type::Datetime(),
                 Type::Duration(), Type::Enum({"a"}), Type::File(), Type::Dir()}) {
    INFO(t.ToString());
    CHECK(t.IsScalar());
  }
  for (Type t : {Type::None(), Type::Json(), Type::List(Type::Int()), Type::Dict(Type::Int()),
                 Type::Optional(Type::Int()), Type::Any()}) {
    INFO(t.ToString());
    CHECK_FALSE(t.IsScalar());
  }
}

TEST_CASE("ToString writes the canonical spelling") {
  CHECK(Type::Int().ToString() == "int");
  CHECK(Type::Str().ToString() == "str");
  CHECK(Type::None().ToString() == "none");
  CHECK(Type::List(Type::Optional(Type::Int())).ToString() == "list[optional[int]]");
  CHECK(Type::Dict(Type::Float()).ToString() == "dict[str, float]");
  CHECK(Type::Enum({"a", "b"}).ToString() == "enum[a, b]");
  CHECK(Type::Union({Type::Int(), Type::Str()}).ToString() == "union[int, str]");
  CHECK(Type::Union({Type::None(), Type::Int()}).ToString() == "optional[int]");
  CHECK(Type::Union({Type::Int(), Type::Str(), Type::None()}).ToString() ==
        "union[int, str, none]");
  CHECK(Type::Any().ToString() == "any");
}

TEST_CASE("ParseType reads every simple type") {
  CHECK(T("int") == Type::Int());
  CHECK(T("float") == Type::Float());
  CHECK(T("str") == Type::Str());
  CHECK(T("string") == Type::Str());
  CHECK(T("bool") == Type::Bool());
  CHECK(T("datetime") == Type::Datetime());
  CHECK(T("duration") == Type::Duration());
  CHECK(T("json") == Type::Json());
  CHECK(T("file") == Type::File());
  CHECK(T("dir") == Type::Dir());
  CHECK(T("none") == Type::None());
}

TEST_CASE("ParseType reads compound types") {
  CHECK(T("list[int]") == Type::List(Type::Int()));
  CHECK(T("list[list[str]]") == Type::List(Type::List(Type::Str())));
  CHECK(T("dict[str, float]") == Type::Dict(Type::Float()));
  CHECK(T("dict[string, list[int]]") == Type::Dict(Type::List(Type::Int())));
  CHECK(T("optional[int]") == Type::Optional(Type::Int()));
  CHECK(T("enum[a, b.c, d-e, F_1, 2]") == Type::Enum({"a", "b.c", "d-e", "F_1", "2"}));
  CHECK(T("union[int, str]") == Type::Union({Type::Int(), Type::Str()}));
  CHECK(T("union[int, union[str, bool]]") == Type::Union({Type::Int(), Type::Str(), Type::Bool()}));
}

TEST_CASE("ParseType reads the postfix optional, nested") {
  CHECK(T("int?") == Type::Optional(Type::Int()));
  CHECK(T("int??") == Type::Optional(Type::Int()));
  CHECK(T("list[int?]?") == Type::Optional(Type::List(Type::Optional(Type::Int()))));
  CHECK(T("list[int?]?").ToString() == "optional[list[optional[int]]]");
}

TEST_CASE("ParseType allows whitespace around names and inside brackets") {
  CHECK(T("  list[ int ]  ") == Type::List(Type::Int()));
  CHECK(T("dict[ str ,float ]") == Type::Dict(Type::Float()));
  CHECK(T("union[\tint ,  str\t]") == Type::Union({Type::Int(), Type::Str()}));
  CHECK(T("enum[ a , b ]") == Type::Enum({"a", "b"}));
}

TEST_CASE("ParseType reads back every canonical spelling") {
  for (const char* s :
       {"int", "list[optional[int]]", "dict[str, float]", "enum[a, b]", "union[int, str]",
        "optional[list[dict[str, union[int, str, none]]]]", "union[int, str, none]", "none"}) {
    CHECK(T(s).ToString() == s);
  }
}

struct Bad {
  const char* text;
  const char* error;
  size_t offset;
};

TEST_CASE("ParseType explains what is wrong and where") {
  const Bad cases[] = {
      {"", "empty type", 0},
      {"   ", "empty type", 0},
      {"integer", "unknown type 'integer' (did you mean 'int'?)", 0},
      {"List[int]", "unknown type 'List' (did you mean 'list'?)", 0},
      {"list[flaot]", "unknown type 'flaot' (did you mean 'float'?)", 5},
      {"list[banana]", "unknown type 'banana'", 5},
      {"any", "unknown type 'any'", 0},
      {"boolean", "unknown type 'boolean' (did you mean 'bool'?)", 0},
      {"map[str, int]", "unknown type 'map' (did you mean 'dict'?)", 0},
      {"list", "list needs a type: list[T]", 4},
      {"list[int", "expected ']' after list element type", 8},
      {"list[int, str]", "list takes exactly one type: list[T]", 8},
      {"list[]", "expected a type, got ']'", 5},
      {"list<int>", "list needs a type: list[T]", 4},
      {"optional[int", "expected ']' after optional type", 12},
      {"optional[int, str]", "optional takes exactly one type: optional[T]", 12},
      {"dict[int, str]", "dict keys must be str", 5},
      {"dict[str]", "dict takes a key and a value type: dict[str, T]", 8},
      {"dict[str, int, int]", "dict takes exactly two types: dict[str, T]", 13},
      {"dict[str int]", "expected ',' after dict key type", 9},
      {"dict[str, int", "expected ']' after dict value type", 13},
      {"enum[]", "enum takes at least one symbol: enum[a, b]", 5},
      {"enum[a, a]", "duplicate enum symbol 'a'", 8},
      {"enum[a b]", "expected ',' or ']' after enum symbol", 7},
      {"enum[a, ]", "expected an enum symbol (letters, digits, '_', '.', '-'), got ']'", 8},
      {"enum", "enum needs its symbols: enum[a, b]", 4},
      {"union[int]", "union takes at least two types: union[A, B]", 5},
      {"union[int str]", "expected ',' or ']' after union variant type", 10},
      {"int[5]", "'int' takes no type parameters", 3},
      {"int]", "unexpected ']' after the type", 3},
      {"int x", "unexpected 'x' after the type", 4},
      {"?", "expected a type, got '?'", 0},
      {"list[", "expected a type, got the end of the type", 5},
  };
  for (const Bad& c : cases) {
    ParsedType p = ParseType(c.text);
    INFO("input: " << c.text);
    CHECK_FALSE(p.ok());
    CHECK(p.error == c.error);
    CHECK(p.offset == c.offset);
  }
}

TEST_CASE("ParseType refuses absurdly deep nesting instead of overflowing the stack") {
  std::string deep;
  for (int i = 0; i < 10000; ++i) deep += "list[";
  ParsedType p = ParseType(deep);
  CHECK(p.error == "type nested too deeply");
}

}  // namespace
}  // namespace flyte
