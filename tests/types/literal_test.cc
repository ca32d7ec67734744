#include "types/literal.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <memory>

namespace flyte {
namespace {

constexpr int64_t kSecond = 1'000'000'000;

Type T(std::string_view spelling) {
  ParsedType p = ParseType(spelling);
  REQUIRE(p.ok());
  return p.type;
}

// Parses `yaml` and reads its root as `type`; the document stays alive for `at`.
struct Read {
  std::unique_ptr<yaml::Document> doc;
  LiteralResult result;

  Read(std::string_view yaml, std::string_view type) {
    yaml::ParseResult parsed = yaml::ParseText(yaml);
    INFO(yaml << ": " << parsed.error.message);
    REQUIRE(parsed.doc != nullptr);
    doc = std::move(parsed.doc);
    REQUIRE(doc->root() != nullptr);
    result = ValueFromNode(*doc->root(), T(type));
  }
};

Value Ok(std::string_view yaml, std::string_view type) {
  Read r(yaml, type);
  INFO(yaml << " as " << type << ": " << r.result.error);
  REQUIRE(r.result.ok());
  return r.result.value;
}

// The error message, checking the code on the way.
std::string Err(std::string_view yaml, std::string_view type, ErrorCode code) {
  Read r(yaml, type);
  INFO(yaml << " as " << type);
  REQUIRE_FALSE(r.result.ok());
  CHECK(ErrorCodeName(r.result.code) == std::string(ErrorCodeName(code)));
  CHECK(r.result.at != nullptr);
  return r.result.error;
}

constexpr ErrorCode kMismatch = ErrorCode::kMismatchingTypes;

TEST_CASE("an int accepts only an int scalar") {
  CHECK(Ok("5", "int") == Value::Int(5));
  CHECK(Err("-0x10", "int", kMismatch) == "expected int, got a string \"-0x10\"");
  CHECK(Ok("0x1f", "int") == Value::Int(31));
  CHECK(Ok("!!int 7", "int") == Value::Int(7));
  CHECK(Err("\"5\"", "int", kMismatch) == "expected int, got a string \"5\"");
  CHECK(Err("5.5", "int", kMismatch) == "expected int, got a float 5.5");
  CHECK(Err("[1]", "int", kMismatch) == "expected int, got a list");
  CHECK(Err("null", "int", kMismatch) == "expected int, got null");
}

TEST_CASE("a float accepts a float or an int scalar") {
  CHECK(Ok("0.5", "float") == Value::Float(0.5));
  CHECK(Ok("3", "float") == Value::Float(3.0));
  CHECK(Ok(".inf", "float") == Value::Float(INFINITY));
  CHECK(std::isnan(Ok(".nan", "float").as_float()));
  CHECK(Err("'0.5'", "float", kMismatch) == "expected float, got a string \"0.5\"");
  CHECK(Err("true", "float", kMismatch) == "expected float, got a bool true");
}

TEST_CASE("a str accepts only string scalars and hints at quoting") {
  CHECK(Ok("hello", "str") == Value::Str("hello"));
  CHECK(Ok("\"5\"", "str") == Value::Str("5"));
  CHECK(Ok("'true'", "str") == Value::Str("true"));
  CHECK(Ok("!!str 5", "str") == Value::Str("5"));
  CHECK(Ok("\"\"", "str") == Value::Str(""));
  CHECK(Err("5", "str", kMismatch) == "expected str, got an int 5 (quote it to pass text: \"5\")");
  CHECK(Err("yes: no", "str", kMismatch) == "expected str, got a mapping");
  CHECK(Err("null", "str", kMismatch) == "expected str, got null");
  CHECK(Err("false", "str", kMismatch) ==
        "expected str, got a bool false (quote it to pass text: \"false\")");
}

TEST_CASE("a bool accepts only a bool scalar") {
  CHECK(Ok("true", "bool") == Value::Bool(true));
  CHECK(Ok("False", "bool") == Value::Bool(false));
  CHECK(Err("yes", "bool", kMismatch) == "expected bool, got a string \"yes\"");
  CHECK(Err("1", "bool", kMismatch) == "expected bool, got an int 1");
}

TEST_CASE("a datetime accepts an ISO 8601 string") {
  CHECK(Ok("2026-11-22T10:00:00Z", "datetime") == Value::Datetime(1795341600 * kSecond));
  CHECK(Ok("2026-11-22", "datetime") == Value::Datetime(1795305600 * kSecond));
  CHECK(Err("2026-13-01", "datetime", ErrorCode::kInvalidValue) ==
        "expected datetime (ISO 8601, e.g. 2026-11-22T10:00:00Z), got a string \"2026-13-01\"");
  CHECK(Err("5", "datetime", kMismatch) ==
        "expected datetime (ISO 8601, e.g. 2026-11-22T10:00:00Z), got an int 5");
}

TEST_CASE("a duration accepts a duration string and hints at a missing unit") {
  CHECK(Ok("1h30m", "duration") == Value::Duration(5400 * kSecond));
  CHECK(Ok("250ms", "duration") == Value::Duration(250'000'000));
  CHECK(Err("5x", "duration", ErrorCode::kInvalidValue) ==
        "expected duration (e.g. 90s, 1h30m, 250ms), got a string \"5x\"");
  CHECK(Err("90", "duration", kMismatch) ==
        "expected duration (e.g. 90s, 1h30m, 250ms), got an int 90 (durations need a unit: 90s)");
}

TEST_CASE("json accepts a mapping and converts it by the core schema") {
  Value v = Ok("{a: 1, b: [true, null, 2.5, x, '3'], c: {d: ~}}", "json");
  Value want = Value::FromMap({
      {"a", Value::Int(1)},
      {"b", Value::FromList({Value::Bool(true), Value::Null(), Value::Float(2.5), Value::Str("x"),
                             Value::Str("3")})},
      {"c", Value::FromMap({{"d", Value::Null()}})},
  });
  CHECK(v == want);
  CHECK(Ok("{}", "json") == Value::FromMap({}));
  CHECK(Err("[1]", "json", kMismatch) == "expected json (a mapping), got a list");
  CHECK(Err("x", "json", kMismatch) == "expected json (a mapping), got a string \"x\"");
}

TEST_CASE("file and dir accept a path string") {
  CHECK(Ok("data/in.csv", "file") == Value::File("data/in.csv"));
  CHECK(Ok("file:///tmp/out", "dir") == Value::Dir("file:///tmp/out"));
  CHECK(Err("''", "file", ErrorCode::kInvalidValue) ==
        "expected file (a path or file:// URI), got a string \"\"");
  CHECK(Err("[a]", "file", kMismatch) == "expected file (a path or file:// URI), got a list");
  CHECK(Err("5", "dir", kMismatch) ==
        "expected dir (a path or file:// URI), got an int 5 (quote it to pass text: \"5\")");
}

TEST_CASE("a list converts each item and says which one is wrong") {
  CHECK(Ok("[1, 2]", "list[int]") == Value::FromList({Value::Int(1), Value::Int(2)}));
  CHECK(Ok("[]", "list[int]") == Value::FromList({}));
  CHECK(Ok("[1, 2.5]", "list[float]") == Value::FromList({Value::Float(1), Value::Float(2.5)}));
  CHECK(Err("[1, x, 3]", "list[int]", kMismatch) == "item [1]: expected int, got a string \"x\"");
  CHECK(Err("[[1], [2, y]]", "list[list[int]]", kMismatch) ==
        "item [1]: item [1]: expected int, got a string \"y\"");
  CHECK(Err("{a: 1}", "list[int]", kMismatch) == "expected list[int], got a mapping");
}

TEST_CASE("an error points at the node where it happened") {
  Read r("[1,\n x]", "list[int]");
  REQUIRE(r.result.at != nullptr);
  CHECK(r.result.at->line == 2);
  CHECK(r.result.at->col == 2);
}

TEST_CASE("a dict converts each entry and says which one is wrong") {
  CHECK(Ok("{b: 2, a: 1}", "dict[str, int]") ==
        Value::FromMap({{"a", Value::Int(1)}, {"b", Value::Int(2)}}));
  CHECK(Ok("{}", "dict[str, int]") == Value::FromMap({}));
  CHECK(Ok("{1: x}", "dict[str, str]") == Value::FromMap({{"1", Value::Str("x")}}));
  CHECK(Err("{a: 1, b: x}", "dict[str, int]", kMismatch) ==
        "entry 'b': expected int, got a string \"x\"");
  CHECK(Err("{a: [1, x]}", "dict[str, list[int]]", kMismatch) ==
        "entry 'a': item [1]: expected int, got a string \"x\"");
  CHECK(Err("[1]", "dict[str, int]", kMismatch) == "expected dict[str, int], got a list");
}

TEST_CASE("an enum accepts one of its symbols") {
  CHECK(Ok("red", "enum[red, green]") == Value::Str("red"));
  CHECK(Ok("'1'", "enum[1, 2]") == Value::Str("1"));
  CHECK(Err("blue", "enum[red, green]", ErrorCode::kIllegalEnumValue) ==
        "'blue' is not one of enum[red, green]");
  CHECK(Err("{red: 1}", "enum[red]", kMismatch) == "expected enum[red], got a mapping");
  CHECK(Err("[red]", "duration", kMismatch) ==
        "expected duration (e.g. 90s, 1h30m, 250ms), got a list");
  CHECK(Err("1", "enum[1, 2]", kMismatch) ==
        "expected enum[1, 2], got an int 1 (quote it to pass text: \"1\")");
}

TEST_CASE("none accepts only null") {
  CHECK(Ok("null", "none") == Value::Null());
  CHECK(Ok("~", "none") == Value::Null());
  CHECK(Err("0", "none", kMismatch) == "expected none (null), got an int 0");
  CHECK(Err("'null'", "none", kMismatch) == "expected none (null), got a string \"null\"");
}

TEST_CASE("an optional accepts null or a value of its type") {
  CHECK(Ok("null", "optional[int]") == Value::Null());
  CHECK(Ok("5", "int?") == Value::Int(5));
  CHECK(Ok("5", "float?") == Value::Float(5));
  CHECK(Ok("[1, null]", "list[int?]") == Value::FromList({Value::Int(1), Value::Null()}));
  CHECK(Err("x", "optional[int]", kMismatch) == "expected int, got a string \"x\"");
}

TEST_CASE("a union takes the value when exactly one variant accepts it") {
  CHECK(Ok("5", "union[int, str]") == Value::Int(5));
  CHECK(Ok("x", "union[int, str]") == Value::Str("x"));
  CHECK(Ok("'5'", "union[int, str]") == Value::Str("5"));
  CHECK(Ok("[1]", "union[list[int], dict[str, int]]") == Value::FromList({Value::Int(1)}));
  CHECK(Ok("null", "union[int, str, none]") == Value::Null());
}

TEST_CASE("a union prefers an exact scalar kind over int-to-float promotion") {
  CHECK(Ok("1", "union[int, float]") == Value::Int(1));
  CHECK(Ok("1.5", "union[int, float]") == Value::Float(1.5));
  CHECK(Ok("1", "union[float, str]") == Value::Float(1));
  CHECK(Ok("[1, 2]", "union[list[int], list[float]]") ==
        Value::FromList({Value::Int(1), Value::Int(2)}));
  CHECK(Ok("[1, 2.5]", "union[list[int], list[float]]") ==
        Value::FromList({Value::Float(1), Value::Float(2.5)}));
}

TEST_CASE("a union rejects a value that matches more than one variant") {
  CHECK(Err("a", "union[str, enum[a, b]]", ErrorCode::kAmbiguousBindingUnionValue) ==
        "value matches more than one of union[str, enum[a, b]]: str, enum[a, b]");
  CHECK(Err("[]", "union[list[int], list[str]]", ErrorCode::kAmbiguousBindingUnionValue) ==
        "value matches more than one of union[list[int], list[str]]: list[int], list[str]");
  CHECK(Err("{a: 1}", "union[json, dict[str, int]]", ErrorCode::kAmbiguousBindingUnionValue) ==
        "value matches more than one of union[json, dict[str, int]]: json, dict[str, int]");
}

TEST_CASE("a union rejects a value that matches no variant") {
  CHECK(Err("x", "union[int, bool]", ErrorCode::kIncompatibleBindingUnionValue) ==
        "value matches none of union[int, bool]");
  CHECK(Err("null", "union[int, str]", ErrorCode::kIncompatibleBindingUnionValue) ==
        "value matches none of union[int, str]");
  CHECK(Err("[x]", "list[union[int, bool]]", ErrorCode::kIncompatibleBindingUnionValue) ==
        "item [0]: value matches none of union[int, bool]");
}

TEST_CASE("any accepts every value by its natural reading") {
  Type any = Type::Any();
  yaml::ParseResult parsed = yaml::ParseText("[1, x, {a: 2.5}, null]");
  REQUIRE(parsed.doc != nullptr);
  LiteralResult r = ValueFromNode(*parsed.doc->root(), any);
  REQUIRE(r.ok());
  CHECK(r.value == Value::FromList({Value::Int(1), Value::Str("x"),
                                    Value::FromMap({{"a", Value::Float(2.5)}}), Value::Null()}));
}

LiteralResult Text(std::string_view text, std::string_view type) {
  return ValueFromText(text, T(type));
}

TEST_CASE("text for str, enum, file and dir is taken as is") {
  CHECK(Text("hello world", "str").value == Value::Str("hello world"));
  CHECK(Text("5", "str").value == Value::Str("5"));
  CHECK(Text("", "str").value == Value::Str(""));
  CHECK(Text("red", "enum[red, green]").value == Value::Str("red"));
  CHECK(Text("a b.csv", "file").value == Value::File("a b.csv"));
  CHECK(Text("out/", "dir").value == Value::Dir("out/"));
  LiteralResult bad = Text("blue", "enum[red, green]");
  CHECK(bad.error == "'blue' is not one of enum[red, green]");
  CHECK(bad.code == ErrorCode::kIllegalEnumValue);
  CHECK(Text("", "file").error == "expected file (a path or file:// URI), got ''");
}

TEST_CASE("text for scalars is parsed by their type") {
  CHECK(Text("42", "int").value == Value::Int(42));
  CHECK(Text("0.5", "float").value == Value::Float(0.5));
  CHECK(Text("3", "float").value == Value::Float(3));
  CHECK(Text("true", "bool").value == Value::Bool(true));
  CHECK(Text("2026-11-22T10:00:00Z", "datetime").value == Value::Datetime(1795341600 * kSecond));
  CHECK(Text("90s", "duration").value == Value::Duration(90 * kSecond));
  CHECK(Text("null", "none").value == Value::Null());
}

TEST_CASE("text that does not parse says what was expected") {
  CHECK(Text("abc", "int").error == "expected int, got 'abc'");
  CHECK(Text("1.5", "int").error == "expected int, got '1.5'");
  CHECK(Text("x", "float").error == "expected float, got 'x'");
  CHECK(Text("yes", "bool").error == "expected bool, got 'yes'");
  LiteralResult dt = Text("tomorrow", "datetime");
  CHECK(dt.error == "expected datetime (ISO 8601, e.g. 2026-11-22T10:00:00Z), got 'tomorrow'");
  CHECK(dt.code == ErrorCode::kInvalidValue);
  CHECK(Text("5", "duration").error == "expected duration (e.g. 90s, 1h30m, 250ms), got '5'");
  CHECK(dt.at == nullptr);
}

TEST_CASE("text for an optional scalar is null or the inner type") {
  CHECK(Text("null", "int?").value == Value::Null());
  CHECK(Text("7", "int?").value == Value::Int(7));
  CHECK(Text("null", "str?").value == Value::Null());
  CHECK(Text("", "str?").value == Value::Str(""));
  CHECK(Text("x", "optional[int]").error == "expected int, got 'x'");
}

TEST_CASE("text for compound types is read as YAML or JSON flow text") {
  CHECK(Text("[1, 2]", "list[int]").value == Value::FromList({Value::Int(1), Value::Int(2)}));
  CHECK(Text("{a: 1}", "dict[str, int]").value == Value::FromMap({{"a", Value::Int(1)}}));
  CHECK(Text(R"({"k": [true]})", "json").value ==
        Value::FromMap({{"k", Value::FromList({Value::Bool(true)})}}));
  CHECK(Text("null", "list[int]?").value == Value::Null());
  CHECK(Text("5", "union[int, str]").value == Value::Int(5));
  CHECK(Text("five", "union[int, str]").value == Value::Str("five"));
  LiteralResult bad = Text("[1, x]", "list[int]");
  CHECK(bad.error == "item [1]: expected int, got a string \"x\"");
  CHECK(bad.at == nullptr);
}

TEST_CASE("text that is not valid YAML for a compound type is an invalid value") {
  LiteralResult r = Text("[1, 2", "list[int]");
  CHECK_FALSE(r.ok());
  CHECK(r.code == ErrorCode::kInvalidValue);
  CHECK(r.error.rfind("expected list[int], got '[1, 2': ", 0) == 0);
}

Type Natural(std::string_view yaml) {
  yaml::ParseResult parsed = yaml::ParseText(yaml);
  REQUIRE(parsed.doc != nullptr);
  REQUIRE(parsed.doc->root() != nullptr);
  return NaturalType(*parsed.doc->root());
}

TEST_CASE("a literal's natural type follows the core schema") {
  CHECK(Natural("5") == Type::Int());
  CHECK(Natural("5.0") == Type::Float());
  CHECK(Natural("true") == Type::Bool());
  CHECK(Natural("x") == Type::Str());
  CHECK(Natural("'5'") == Type::Str());
  CHECK(Natural("null") == Type::None());
  CHECK(Natural("{a: 1}") == Type::Json());
}

TEST_CASE("a list literal's natural type is a list of its items' shared type") {
  CHECK(Natural("[1, 2]") == Type::List(Type::Int()));
  CHECK(Natural("[]") == Type::List(Type::None()));
  CHECK(Natural("[[1], [2]]") == Type::List(Type::List(Type::Int())));
  CHECK(Natural("[1, x]") == Type::Any());
  CHECK(Natural("[1, 2.5]") == Type::Any());
}

TEST_CASE("a mapping value with a key given twice is refused, naming both places") {
  CHECK(Err("{a: 1, b: 2, a: 3}", "json", ErrorCode::kDuplicateKey) ==
        "key 'a' is given twice (first at line 1)");
  CHECK(Err("a: 1\na: 1\n", "dict[str, int]", ErrorCode::kDuplicateKey) ==
        "key 'a' is given twice (first at line 1)");
  CHECK(Err("x:\n  k: 1\n  k: 2\n", "dict[str, json]", ErrorCode::kDuplicateKey) ==
        "entry 'x': key 'k' is given twice (first at line 2)");
}

TEST_CASE("text that is not UTF-8 is refused before it becomes a string") {
  LiteralResult str = ValueFromText("caf\xe9", T("str"));
  CHECK(str.error == "expected str, got text that is not valid UTF-8 (byte 0xe9 at offset 3)");
  LiteralResult list = ValueFromText("[\"\xfe\xff\"]", T("list[str]"));
  CHECK(list.code == ErrorCode::kInvalidValue);
  yaml::ParseResult nul = yaml::ParseText(std::string_view("a: \"x\0\"", 7));
  CHECK(nul.doc == nullptr);
  CHECK(nul.error.message == "a control character (byte 0x00)");
  CHECK(nul.error.col == 6);
}

}  // namespace
}  // namespace flyte

namespace flyte {

TEST_CASE("nan and the infinities round-trip through text and JSON however they are spelled") {
  const Type f = [] {
    ParsedType p = ParseType("float");
    REQUIRE(p.ok());
    return p.type;
  }();
  // What flyte prints (Value::ToText), Python, proto3 JSON and YAML.
  for (const char* text :
       {"nan", "NaN", ".nan", "inf", "+inf", "Infinity", ".inf", "-inf", "-Infinity", "-.inf"}) {
    INFO(text);
    LiteralResult r = ValueFromText(text, f);
    REQUIRE(r.ok());
    const double d = r.value.as_float();
    CHECK((std::isnan(d) || std::isinf(d)));
    CHECK(ValueFromText(r.value.ToText(), f).value == r.value);
  }
  // In outputs.json a float can only be a string for these.
  for (const char* json : {R"("NaN")", R"("Infinity")", R"("-Infinity")"}) {
    INFO(json);
    yaml::ParseResult doc = yaml::ParseText(json);
    REQUIRE(doc.doc != nullptr);
    CHECK(ValueFromNode(*doc.doc->root(), f).ok());
  }
  CHECK_FALSE(ValueFromText("nanx", f).ok());
  CHECK_FALSE(ValueFromText("infinite", f).ok());
}

}  // namespace flyte
