// The YAML reader's node limit counts each node once, and aliases by what they repeat.
#include <catch2/catch.hpp>

#include <string>

#include "util/yaml.h"

namespace flyte::yaml {
namespace {

// `count` leaf scalars, each four mappings deep: {a: {b: {c: {kI: v}}}} repeated as a list.
std::string Deep(int count) {
  std::string text;
  for (int i = 0; i < count; ++i)
    text += "- a:\n    b:\n      c:\n        k" + std::to_string(i) + ": v\n";
  return text;
}

uint64_t NodesOf(int count) {
  return 1 + static_cast<uint64_t>(count) * 9;
}  // the list; per item 4 maps, 4 keys, 1 value

}  // namespace

TEST_CASE("the node limit counts each node once however deep it sits", "[yaml]") {
  Limits limits;
  limits.max_nodes = NodesOf(100);
  ParseResult ok = ParseText(Deep(100), "deep.yaml", limits);
  INFO(ok.error.message);
  CHECK(ok.doc != nullptr);
  ParseResult over = ParseText(Deep(101), "deep.yaml", limits);
  REQUIRE(over.doc == nullptr);
  // No alias in the file: the message does not blame them.
  CHECK(over.error.message ==
        "the document expands to more than " + std::to_string(NodesOf(100)) + " nodes");
}

TEST_CASE("an alias counts its anchor's whole content again", "[yaml]") {
  Limits limits;
  limits.max_nodes = 30;
  // The anchor has 11 nodes (a sequence of 10); each alias repeats all 11.
  CHECK(ParseText("a: &x [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\nb: *x\n", "a.yaml", limits).doc !=
        nullptr);
  ParseResult over =
      ParseText("a: &x [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\nb: *x\nc: *x\n", "a.yaml", limits);
  REQUIRE(over.doc == nullptr);
  CHECK(over.error.message ==
        "the document expands to more than 30 nodes (aliases repeat their anchor's content)");
}

}  // namespace flyte::yaml
