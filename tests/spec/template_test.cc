// `{{ ... }}` in task templates and bindings: references, escapes and their syntax errors,
// each reported at the column where it goes wrong.
#include <catch2/catch.hpp>

#include "support/compile_helpers.h"

namespace flyte {
namespace {

using testing::Errors;
using testing::Lines;

TEST_CASE("loader reports an unclosed {{ where it opens") {
  CHECK(Errors(R"(
tasks:
  greet:
    inputs: {who: str}
    script: echo "Hello, {{ inputs.who"
)") == Lines{"wf.yaml:4:26: error[SyntaxError]: unclosed '{{': expected '}}' (write \\{{ for a "
             "literal '{{')"});
}

TEST_CASE("loader reports an empty {{ }}") {
  CHECK(Errors(R"(
tasks:
  greet:
    script: echo {{ }}
)") == Lines{"wf.yaml:3:21: error[SyntaxError]: empty '{{ }}'; expected inputs.NAME or "
             "NODE.OUTPUT"});
}

TEST_CASE("loader reports a reference without a dot") {
  CHECK(Errors(R"(
tasks:
  greet:
    script: echo {{ who }}
)") == Lines{"wf.yaml:3:21: error[SyntaxError]: cannot read '{{ who }}': expected inputs.NAME or "
             "NODE.OUTPUT (write \\{{ for a literal '{{')"});
}

TEST_CASE("loader reports a template error in a binding once, not again as a type mismatch") {
  CHECK(Errors(R"(
tasks:
  add:
    inputs: {n: int}
    outputs: {y: int}
    script: echo
workflows:
  wf:
    nodes:
      a: {task: add, inputs: {n: 1}}
      b: {task: add, inputs: {n: "{{ Foo.y }}"}}
      c: {task: add, inputs: {n: "{{ a. }}"}}
      d: {task: add, inputs: {n: "{{ a.y[ }}"}}
      e: {task: add, inputs: {n: "{{ a.y x }}"}}
)") == Lines{
           "wf.yaml:10:38: error[SyntaxError]: 'Foo' is not a node id: ids match [a-z][a-z0-9_-]*",
           "wf.yaml:11:40: error[SyntaxError]: expected a variable name after 'a.' in '{{ a. }}'",
           "wf.yaml:12:42: error[SyntaxError]: expected an index or a quoted key inside [ ] in '{{ "
           "a.y[ }}'",
           "wf.yaml:13:41: error[SyntaxError]: unexpected ' x' in '{{ a.y x }}'"});
}

TEST_CASE("compiler reports outputs.NAME used outside a task") {
  CHECK(Errors(R"(
tasks:
  greet:
    inputs: {who: str}
    outputs: {greeting: str}
    script: echo
workflows:
  hello:
    nodes:
      greet:
        task: greet
        inputs: {who: "{{ outputs.greeting }}"}
)") == Lines{"wf.yaml:11:27: error[SyntaxError]: '{{ outputs.greeting }}': outputs.NAME can "
             "only be used in a task's command, script or env"});
}

TEST_CASE("a backslash before {{ in a script keeps the braces as text") {
  auto file = testing::Compiled(R"(
tasks:
  render:
    script: echo '\{{ name }}'
)");
  const CompiledTask& t = file->tasks[0];
  REQUIRE(t.script.has_value());
  REQUIRE(t.script->size() == 1);
  CHECK((*t.script)[0].kind == TemplateSegment::Kind::kText);
  CHECK((*t.script)[0].text == "echo '{{ name }}'");
}

TEST_CASE("a backslash before {{ in a binding yields text without a reference") {
  auto file = testing::Compiled(R"(
tasks:
  say:
    inputs: {text: str}
    script: echo
workflows:
  wf:
    nodes:
      say: {task: say, inputs: {text: "\\{{ inputs.x }} is literal"}}
)");
  const CompiledBinding& b = testing::NodeOf(file->workflows[0], "say").body.inputs[0].value;
  CHECK(b.type == Type::Str());
  std::string text;
  for (const InterpPart& p : b.parts) {
    CHECK_FALSE(p.ref.has_value());
    text += p.text;
  }
  if (b.kind == CompiledBinding::Kind::kLiteral) text = b.literal.as_str();
  CHECK(text == "{{ inputs.x }} is literal");
}

TEST_CASE("compiler reads a dict key in brackets and reports it like a field") {
  CHECK(Errors(R"(
tasks:
  add:
    outputs: {y: int}
    script: echo
  use:
    inputs: {n: int}
    script: echo
workflows:
  wf:
    nodes:
      a: {task: add}
      b: {task: use, inputs: {n: "{{ a.y['k'] }}"}}
)") == Lines{"wf.yaml:12:38: error[FieldNotFound]: '{{ a.y.k }}': cannot read '.k' of an int "
             "value (fields work on json, dict and list values)"});
}

TEST_CASE("loader points at the start of a text folded over several lines") {
  CHECK(Errors(R"(
tasks:
  greet:
    inputs: {who: str}
    script: echo "Hello,
      {{ inputs.whom }}"
)") == Lines{"wf.yaml:4:13: error[VariableNameNotFound]: '{{ inputs.whom }}' in script: task "
             "'greet' has no input 'whom' (did you mean 'who'?)"});
}

}  // namespace
}  // namespace flyte
