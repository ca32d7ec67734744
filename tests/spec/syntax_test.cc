// YAML that does not parse: one located SyntaxError, with a hint for the usual causes.
#include <catch2/catch.hpp>

#include "support/compile_helpers.h"

namespace flyte {
namespace {

using testing::Errors;
using testing::Lines;

TEST_CASE("loader points out tab indentation") {
  CHECK(Errors("tasks:\n\tgreet:\n    script: echo hi\n") ==
        Lines{"wf.yaml:2:7: error[SyntaxError]: invalid YAML: illegal map value (YAML indents "
              "with spaces, not tabs)"});
}

TEST_CASE("loader reads CRLF line endings and shows lines without the carriage return") {
  CompileOutput out =
      CompileText("wf.yaml", "tasks:\r\n  greet:\r\n    script: echo hi\r\n    retires: 3\r\n");
  std::vector<Diagnostic> diags = out.diagnostics.Sorted();
  REQUIRE(diags.size() == 1);
  CHECK(diags[0].Format() ==
        "wf.yaml:4:5: error[UnknownKey]: unknown key 'retires' in task 'greet' (did you mean "
        "'retries'?)\n"
        "      retires: 3\n"
        "      ^\n");
}

TEST_CASE("loader explains that a bracketed type inside a flow mapping needs quotes") {
  CHECK(Errors(R"(
tasks:
  total:
    inputs: {xs: list[int]}
    script: echo
)") == Lines{"wf.yaml:3:22: error[SyntaxError]: invalid YAML: end of map flow not found (inside "
             "{ } a type with brackets must be quoted, e.g. {xs: \"list[int]\"})"});
}

TEST_CASE("loader accepts a bracketed type in block style without quotes") {
  auto file = testing::Compiled(R"(
tasks:
  total:
    inputs:
      xs: list[int]
    script: echo
)");
  CHECK(file->tasks[0].iface.inputs[0].type == Type::List(Type::Int()));
}

TEST_CASE("loader reports a line indented less than its siblings") {
  CHECK(Errors(R"(
tasks:
  greet:
    script: echo
   retries: 2
)") == Lines{"wf.yaml:4:4: error[SyntaxError]: invalid YAML: end of map not found"});
}

TEST_CASE("loader reports an unclosed flow sequence after the end of the last line") {
  CHECK(Errors("tasks:\n  greet: [\n") ==
        Lines{"wf.yaml:2:11: error[SyntaxError]: invalid YAML: end of sequence flow not found"});
}

TEST_CASE("loader rejects a file of several YAML documents as a whole") {
  CHECK(Errors(R"(
tasks:
  greet:
    script: echo hi
---
tasks:
  bye:
    script: echo bye
)") == Lines{"wf.yaml: error[SyntaxError]: invalid YAML: the file holds more than one YAML "
             "document ('---'); put everything in one"});
}

TEST_CASE("loader rejects tags beyond the core schema") {
  CHECK(Errors(R"(
tasks: !!set {greet}
)") == Lines{"wf.yaml:1:8: error[SyntaxError]: invalid YAML: unsupported YAML tag "
             "'tag:yaml.org,2002:set'"});
}

TEST_CASE("loader rejects a mapping key that is not text") {
  CHECK(Errors(R"(
tasks:
  ? [greet]
  : {script: echo}
)") == Lines{"wf.yaml:2:5: error[SyntaxError]: invalid YAML: mapping keys must be plain text, "
             "not a list"});
}

TEST_CASE("loader rejects an alias to an anchor that does not exist") {
  CHECK(Errors(R"(
tasks:
  greet: *base
)") == Lines{"wf.yaml:2:10: error[SyntaxError]: invalid YAML: the referenced anchor is not "
             "defined"});
}

TEST_CASE("loader merges shared settings with <<") {
  auto file = testing::Compiled(R"(
tasks:
  base: &base
    script: echo base
    retries: 2
  greet:
    <<: *base
    script: echo hi
)");
  const spec::Task& greet = *file->tasks[1].spec;
  CHECK(greet.retries == 2);
  REQUIRE(greet.script.has_value());
  CHECK(greet.script->PlainText() == "echo hi");
}

TEST_CASE("loader rejects a merge key whose value is not a mapping") {
  CHECK(Errors(R"(
tasks:
  greet:
    <<: 5
    script: echo
)") == Lines{"wf.yaml:3:9: error[SyntaxError]: invalid YAML: a merge key '<<' takes a mapping or "
             "a list of mappings"});
}

}  // namespace
}  // namespace flyte
