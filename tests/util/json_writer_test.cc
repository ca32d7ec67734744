#include "util/json_writer.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <limits>

namespace flyte {
namespace {

std::string JsonString(std::string_view s) {
  std::string out;
  AppendJsonString(out, s);
  return out;
}

std::string JsonDouble(double d) {
  std::string out;
  AppendJsonDouble(out, d);
  return out;
}

TEST_CASE("AppendJsonString escapes quotes, backslashes and control characters") {
  CHECK(JsonString("plain") == "\"plain\"");
  CHECK(JsonString("say \"hi\"\\") == "\"say \\\"hi\\\"\\\\\"");
  CHECK(JsonString("a\nb\tc\r\b\f") == "\"a\\nb\\tc\\r\\b\\f\"");
  CHECK(JsonString(std::string_view("\x01\x1f", 2)) == "\"\\u0001\\u001f\"");
}

TEST_CASE("AppendJsonString passes UTF-8 through unescaped") {
  CHECK(JsonString("caf\xC3\xA9 \xE2\x9C\x93") == "\"caf\xC3\xA9 \xE2\x9C\x93\"");
}

TEST_CASE("AppendJsonString appends to what is already there") {
  std::string out = "[";
  AppendJsonString(out, "x");
  CHECK(out == "[\"x\"");
}

TEST_CASE("AppendJsonDouble writes the shortest round-trip form") {
  CHECK(JsonDouble(0.1) == "0.1");
  CHECK(JsonDouble(1.5) == "1.5");
  CHECK(JsonDouble(-2.25) == "-2.25");
  CHECK(JsonDouble(1e-7) == "1e-07");
  CHECK(JsonDouble(0.30000000000000004) == "0.30000000000000004");
}

TEST_CASE("AppendJsonDouble keeps integral floats recognisable as floats") {
  CHECK(JsonDouble(2.0) == "2.0");
  CHECK(JsonDouble(0.0) == "0.0");
  CHECK(JsonDouble(-0.0) == "-0.0");
  CHECK(JsonDouble(1e21) == "1e+21");
}

TEST_CASE("AppendJsonDouble spells NaN and infinities as strings") {
  CHECK(JsonDouble(std::nan("")) == "\"NaN\"");
  CHECK(JsonDouble(std::numeric_limits<double>::infinity()) == "\"Infinity\"");
  CHECK(JsonDouble(-std::numeric_limits<double>::infinity()) == "\"-Infinity\"");
}

}  // namespace
}  // namespace flyte
