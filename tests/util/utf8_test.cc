#include "util/utf8.h"

#include <catch2/catch.hpp>
#include <string>

namespace flyte {
namespace {

std::optional<size_t> Check(std::string s) { return FindInvalidUtf8(s); }

TEST_CASE("FindInvalidUtf8 accepts ASCII and well-formed multibyte text") {
  CHECK_FALSE(Check(""));
  CHECK_FALSE(Check("hello"));
  CHECK_FALSE(Check("caf\xC3\xA9"));           // U+00E9
  CHECK_FALSE(Check("\xE2\x9C\x93"));          // U+2713
  CHECK_FALSE(Check("\xF0\x9F\x98\x80"));      // U+1F600
  CHECK_FALSE(Check("\xF4\x8F\xBF\xBF"));      // U+10FFFF, the last code point
  CHECK_FALSE(Check("\xED\x9F\xBF"));          // U+D7FF, just below the surrogates
  CHECK_FALSE(Check(std::string("a\0b", 3)));  // NUL is valid UTF-8
}

TEST_CASE("FindInvalidUtf8 points at a stray continuation byte") {
  CHECK(Check("ab\x80") == 2u);
  CHECK(Check("\xBF") == 0u);
}

TEST_CASE("FindInvalidUtf8 rejects truncated sequences") {
  CHECK(Check("ok\xC3") == 2u);
  CHECK(Check("\xE2\x9C") == 0u);
  CHECK(Check("\xF0\x9F\x98") == 0u);
  CHECK(Check("\xC3x") == 0u);
}

TEST_CASE("FindInvalidUtf8 rejects overlong encodings") {
  CHECK(Check("\xC0\xAF") == 0u);  // '/' in two bytes
  CHECK(Check("\xC1\xBF") == 0u);
  CHECK(Check("\xE0\x80\xAF") == 0u);      // '/' in three bytes
  CHECK(Check("\xF0\x80\x80\xAF") == 0u);  // '/' in four bytes
}

TEST_CASE("FindInvalidUtf8 rejects surrogates and code points past U+10FFFF") {
  CHECK(Check("x\xED\xA0\x80") == 1u);     // U+D800
  CHECK(Check("\xED\xBF\xBF") == 0u);      // U+DFFF
  CHECK(Check("\xF4\x90\x80\x80") == 0u);  // U+110000
  CHECK(Check("\xF8\x88\x80\x80\x80") == 0u);
  CHECK(Check("\xFF") == 0u);
}

}  // namespace
}  // namespace flyte
