#include "flyte/value.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <limits>

#include "util/sha256.h"

namespace flyte {
namespace {

constexpr int64_t kSecond = 1'000'000'000;
constexpr double kInf = std::numeric_limits<double>::infinity();

TEST_CASE("a default value is null") {
  Value v;
  CHECK(v.is_null());
  CHECK(v.kind() == Value::Kind::kNull);
  CHECK(v == Value::Null());
}

TEST_CASE("constructors set the kind and accessors return the payload") {
  CHECK(Value::Bool(true).as_bool());
  CHECK(Value::Int(-7).as_int() == -7);
  CHECK(Value::Float(0.5).as_float() == 0.5);
  CHECK(Value::Str("x").as_str() == "x");
  CHECK(Value::Datetime(5).kind() == Value::Kind::kDatetime);
  CHECK(Value::Datetime(5).as_int() == 5);
  CHECK(Value::Duration(6).as_int() == 6);
  CHECK(Value::File("a.txt").kind() == Value::Kind::kFile);
  CHECK(Value::Dir("d/").as_str() == "d/");
  CHECK(Value::FromList({Value::Int(1)}).as_list().size() == 1);
}

TEST_CASE("FromMap sorts entries by key and Find looks them up") {
  Value m = Value::FromMap({{"b", Value::Int(2)}, {"a", Value::Int(1)}, {"c", Value::Int(3)}});
  REQUIRE(m.as_map().size() == 3);
  CHECK(m.as_map()[0].first == "a");
  CHECK(m.as_map()[2].first == "c");
  REQUIRE(m.Find("b") != nullptr);
  CHECK(*m.Find("b") == Value::Int(2));
  CHECK(m.Find("z") == nullptr);
  CHECK(Value::FromMap({}).Find("a") == nullptr);
}

TEST_CASE("equality is deep and kind-sensitive") {
  CHECK(Value::Int(1) != Value::Float(1.0));
  CHECK(Value::Str("a") != Value::File("a"));
  CHECK(Value::File("a") != Value::Dir("a"));
  CHECK(Value::Datetime(1) != Value::Duration(1));
  CHECK(Value::Datetime(1) != Value::Int(1));
  CHECK(Value::FromList({Value::Int(1), Value::Str("x")}) ==
        Value::FromList({Value::Int(1), Value::Str("x")}));
  CHECK(Value::FromList({Value::Int(1)}) != Value::FromList({Value::Int(2)}));
  CHECK(Value::FromMap({{"a", Value::Int(1)}, {"b", Value::Null()}}) ==
        Value::FromMap({{"b", Value::Null()}, {"a", Value::Int(1)}}));
  CHECK(Value::FromMap({{"a", Value::Int(1)}}) != Value::FromMap({{"b", Value::Int(1)}}));
}

TEST_CASE("floats are equal when bitwise equal or both NaN") {
  CHECK(Value::Float(std::nan("")) == Value::Float(std::nan("")));
  CHECK(Value::Float(0.0) != Value::Float(-0.0));
  CHECK(Value::Float(kInf) == Value::Float(kInf));
  CHECK(Value::FromList({Value::Float(std::nan(""))}) ==
        Value::FromList({Value::Float(std::nan(""))}));
  CHECK(Value::FromMap({{"x", Value::Float(0.0)}}) != Value::FromMap({{"x", Value::Float(-0.0)}}));
}

TEST_CASE("canonical JSON writes scalars compactly") {
  CHECK(Value::Null().ToCanonicalJson() == "null");
  CHECK(Value::Bool(false).ToCanonicalJson() == "false");
  CHECK(Value::Int(-42).ToCanonicalJson() == "-42");
  CHECK(Value::Int(std::numeric_limits<int64_t>::min()).ToCanonicalJson() ==
        "-9223372036854775808");
  CHECK(Value::Float(2.0).ToCanonicalJson() == "2.0");
  CHECK(Value::Float(0.1).ToCanonicalJson() == "0.1");
  CHECK(Value::Float(std::nan("")).ToCanonicalJson() == "\"NaN\"");
  CHECK(Value::Float(-kInf).ToCanonicalJson() == "\"-Infinity\"");
  CHECK(Value::Str("a\"b\n").ToCanonicalJson() == "\"a\\\"b\\n\"");
  CHECK(Value::File("s3://b/k").ToCanonicalJson() == "\"s3://b/k\"");
  CHECK(Value::Dir("/tmp/d").ToCanonicalJson() == "\"/tmp/d\"");
}

TEST_CASE("canonical JSON writes datetimes as RFC 3339 and durations as proto3 strings") {
  CHECK(Value::Datetime(1795341600 * kSecond).ToCanonicalJson() == "\"2026-11-22T10:00:00Z\"");
  CHECK(Value::Datetime(1795341600 * kSecond + 500'000'000).ToCanonicalJson() ==
        "\"2026-11-22T10:00:00.5Z\"");
  CHECK(Value::Duration(5400 * kSecond).ToCanonicalJson() == "\"5400s\"");
  CHECK(Value::Duration(250'000'000).ToCanonicalJson() == "\"0.250s\"");
}

TEST_CASE("canonical JSON nests lists and maps with sorted keys and no whitespace") {
  Value v = Value::FromMap({
      {"z", Value::FromList({Value::Int(1), Value::Null(), Value::Str("s")})},
      {"a", Value::FromMap({{"y", Value::Bool(true)}, {"x", Value::Float(1.5)}})},
      {"m", Value::FromList({})},
  });
  CHECK(v.ToCanonicalJson() == R"({"a":{"x":1.5,"y":true},"m":[],"z":[1,null,"s"]})");
  CHECK(Value::FromMap({}).ToCanonicalJson() == "{}");
}

TEST_CASE("ToText gives what a task sees for a value") {
  CHECK(Value::Null().ToText() == "");
  CHECK(Value::Str("hello world").ToText() == "hello world");
  CHECK(Value::Int(-3).ToText() == "-3");
  CHECK(Value::Float(2.0).ToText() == "2.0");
  CHECK(Value::Float(0.25).ToText() == "0.25");
  CHECK(Value::Float(std::nan("")).ToText() == "nan");
  CHECK(Value::Float(kInf).ToText() == "inf");
  CHECK(Value::Float(-kInf).ToText() == "-inf");
  CHECK(Value::Bool(true).ToText() == "true");
  CHECK(Value::Datetime(1795341600 * kSecond).ToText() == "2026-11-22T10:00:00Z");
  CHECK(Value::Duration(5400 * kSecond).ToText() == "1h30m");
  CHECK(Value::File("/data/in.csv").ToText() == "/data/in.csv");
  CHECK(Value::Dir("/data/out").ToText() == "/data/out");
  CHECK(Value::FromList({Value::Str("a"), Value::Int(1)}).ToText() == R"(["a",1])");
  CHECK(Value::FromMap({{"k", Value::Str("v")}}).ToText() == R"({"k":"v"})");
}

TEST_CASE("Hash is the SHA-256 of the canonical JSON") {
  Value v = Value::FromMap({{"b", Value::Int(2)}, {"a", Value::Int(1)}});
  CHECK(v.Hash() == Sha256Hex(R"({"a":1,"b":2})"));
  CHECK(Value::Null().Hash() == "74234e98afe7498fb5daf1f36ac2d78acc339464f950703b8c019892f982b90b");
}

TEST_CASE("Hash tells apart values that print alike as text") {
  CHECK(Value::Int(1).Hash() != Value::Str("1").Hash());
  CHECK(Value::Int(1).Hash() != Value::Float(1.0).Hash());
  CHECK(Value::FromMap({{"a", Value::Int(1)}}).Hash() ==
        Value::FromMap({{"a", Value::Int(1)}}).Hash());
}

}  // namespace
}  // namespace flyte
