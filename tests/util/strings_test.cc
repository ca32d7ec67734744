#include "util/strings.h"

#include <catch2/catch.hpp>

namespace flyte {
namespace {

TEST_CASE("Trim removes surrounding whitespace only") {
  CHECK(Trim("  a b \t\n") == "a b");
  CHECK(Trim("") == "");
  CHECK(Trim(" \t ") == "");
}

TEST_CASE("Split keeps empty pieces between separators") {
  CHECK(Split("a,b,,c", ',') == std::vector<std::string_view>{"a", "b", "", "c"});
  CHECK(Split("", ',') == std::vector<std::string_view>{""});
  CHECK(Split(",", ',') == std::vector<std::string_view>{"", ""});
}

TEST_CASE("StartsWith and EndsWith compare prefixes and suffixes") {
  CHECK(StartsWith("inputs.x", "inputs."));
  CHECK_FALSE(StartsWith("in", "inputs."));
  CHECK(EndsWith("a.yaml", ".yaml"));
  CHECK_FALSE(EndsWith("yaml", ".yaml"));
}

TEST_CASE("Join puts the separator between parts") {
  CHECK(Join({"a", "b", "c"}, ", ") == "a, b, c");
  CHECK(Join({}, ", ") == "");
  CHECK(Join({"a"}, ", ") == "a");
}

TEST_CASE("EditDistance counts an adjacent transposition as one edit") {
  CHECK(EditDistance("", "") == 0);
  CHECK(EditDistance("abc", "") == 3);
  CHECK(EditDistance("kitten", "sitting") == 3);
  CHECK(EditDistance("retires", "retries") == 1);
  CHECK(EditDistance("ab", "ba") == 1);
  // Optimal string alignment, not full Damerau: a substring is never edited twice.
  CHECK(EditDistance("ca", "abc") == 3);
}

TEST_CASE("ClosestMatch suggests a plausible typo and nothing else") {
  std::vector<std::string> keys = {"inputs", "outputs", "retries", "timeout"};
  CHECK(ClosestMatch("retires", keys) == "retries");
  CHECK(ClosestMatch("input", keys) == "inputs");
  CHECK(ClosestMatch("banana", keys) == "");
  CHECK(ClosestMatch("", keys) == "");
}

TEST_CASE("ClosestMatch allows one edit on short words") {
  std::vector<std::string> names = {"int", "dir"};
  CHECK(ClosestMatch("imt", names) == "int");
  CHECK(ClosestMatch("xyz", names) == "");
}

TEST_CASE("ClosestMatch treats a difference of case as close at any length") {
  CHECK(ClosestMatch("LIST", {"list"}) == "list");
  CHECK(ClosestMatch("List", {"list"}) == "list");
}

TEST_CASE("ClosestMatch breaks ties by candidate order") {
  CHECK(ClosestMatch("cat", {"bat", "hat"}) == "bat");
  CHECK(ClosestMatch("cat", {"hat", "bat"}) == "hat");
  CHECK(ClosestMatch("cat", {"hat", "cats"}) == "hat");
}

TEST_CASE("DidYouMean formats the suggestion or nothing") {
  CHECK(DidYouMean("retires", {"retries"}) == " (did you mean 'retries'?)");
  CHECK(DidYouMean("zzz", {"retries"}) == "");
}

TEST_CASE("Quote wraps in single quotes and escapes control characters") {
  CHECK(Quote("abc") == "'abc'");
  CHECK(Quote("") == "''");
  CHECK(Quote("a\nb\tc\r") == "'a\\nb\\tc\\r'");
  CHECK(Quote(std::string_view("\x01", 1)) == "'\\x01'");
  CHECK(Quote("caf\xC3\xA9") == "'caf\xC3\xA9'");
}

TEST_CASE("IsNodeId accepts lowercase ids with digits, dashes and underscores") {
  CHECK(IsNodeId("train"));
  CHECK(IsNodeId("step-2_b"));
  CHECK_FALSE(IsNodeId(""));
  CHECK_FALSE(IsNodeId("Train"));
  CHECK_FALSE(IsNodeId("2step"));
  CHECK_FALSE(IsNodeId("-a"));
  CHECK_FALSE(IsNodeId("a.b"));
}

TEST_CASE("IsIdentifier accepts C-style names") {
  CHECK(IsIdentifier("x"));
  CHECK(IsIdentifier("_Private9"));
  CHECK_FALSE(IsIdentifier(""));
  CHECK_FALSE(IsIdentifier("9x"));
  CHECK_FALSE(IsIdentifier("a-b"));
}

}  // namespace
}  // namespace flyte

namespace flyte {

TEST_CASE("Printable shows control characters instead of sending them to the terminal") {
  CHECK(Printable("\x1b[2J\x1b]0;owned\x07ok") == "\\x1b[2J\\x1b]0;owned\\x07ok");
  CHECK(Printable("line 1\n\tline 2") == "line 1\n\tline 2");
  CHECK(Printable("del\x7f and é") == "del\\x7f and é");
}

}  // namespace flyte
