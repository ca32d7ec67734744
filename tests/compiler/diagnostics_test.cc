// The compiler collects every error of a file, each once, sorted by position.
#include <catch2/catch.hpp>

#include "support/compile_helpers.h"

namespace flyte {
namespace {

using testing::Errors;
using testing::Lines;

constexpr const char* kFiveMistakes = R"(
tasks:
  train:
    inputs: {lr: float}
    outputs: {model: file}
    script: python train.py
    retires: 2
  evaluate:
    inputs: {model: file}
    outputs: {score: float}
    command: [python, eval.py]
workflows:
  pipeline:
    inputs: {lr: float}
    nodes:
      fit: {task: trian, inputs: {lr: "{{ inputs.lr }}"}}
      score: {task: evaluate, inputs: {model: "{{ fitt.model }}"}}
      Report: {sleep: 5m}
launch_plans:
  nightly:
    workflow: pipeline
    catchup: sometimes
)";

TEST_CASE("compiler reports all five mistakes of a file, not just the first") {
  CHECK(Errors(kFiveMistakes) ==
        Lines{"wf.yaml:6:5: error[UnknownKey]: unknown key 'retires' in task 'train' (did you "
              "mean 'retries'?)",
              "wf.yaml:15:19: error[TaskReferenceNotFound]: node 'fit' runs unknown task 'trian' "
              "(did you mean 'train'?)",
              "wf.yaml:16:51: error[NodeReferenceNotFound]: '{{ fitt.model }}': workflow "
              "'pipeline' has no node 'fitt' (did you mean 'fit'?)",
              "wf.yaml:17:7: error[InvalidValue]: node id 'Report' must match [a-z][a-z0-9_-]*",
              "wf.yaml:21:14: error[InvalidValue]: 'sometimes' is not a valid catchup; expected "
              "one of none, latest, all"});
}

TEST_CASE("a file with errors yields no compiled file") {
  CompileOutput out = CompileText("wf.yaml", testing::Yaml(kFiveMistakes));
  CHECK_FALSE(out.ok());
  CHECK(out.file == nullptr);
  CHECK(out.diagnostics.Sorted().size() == 5);
}

TEST_CASE("a diagnostic shows its source line with a caret under the column") {
  CompileOutput out = CompileText("wf.yaml", testing::Yaml(kFiveMistakes));
  std::vector<Diagnostic> sorted = out.diagnostics.Sorted();
  REQUIRE(sorted.size() == 5);
  CHECK(sorted[1].Format() ==
        "wf.yaml:15:19: error[TaskReferenceNotFound]: node 'fit' runs unknown task 'trian' (did "
        "you mean 'train'?)\n"
        "        fit: {task: trian, inputs: {lr: \"{{ inputs.lr }}\"}}\n"
        "                    ^\n");
}

TEST_CASE("a caret stays under its column on a tab-indented line") {
  CompileOutput out = CompileText("wf.yaml", "tasks:\n\tgreet:\n    script: echo hi\n");
  REQUIRE(out.diagnostics.size() == 1);
  CHECK(out.diagnostics.Sorted()[0].Format() ==
        "wf.yaml:2:7: error[SyntaxError]: invalid YAML: illegal map value (YAML indents with "
        "spaces, not tabs)\n"
        "  \tgreet:\n"
        "  \t     ^\n");
}

TEST_CASE("a whole-file diagnostic has no location and no caret") {
  CompileOutput out = CompileText("wf.yaml", "");
  REQUIRE(out.diagnostics.size() == 1);
  const Diagnostic& d = out.diagnostics.items()[0];
  CHECK(d.line == 0);
  CHECK(d.Format() ==
        "wf.yaml: error[ValueRequired]: the file is empty; a workflow file defines tasks:, "
        "workflows: and launch_plans:\n");
}

TEST_CASE("a valid file compiles without diagnostics") {
  auto file = testing::Compiled(R"(
tasks:
  greet:
    inputs: {who: str}
    outputs: {greeting: str}
    script: echo "Hello, {{ inputs.who }}!" > "{{ outputs.greeting }}"
workflows:
  hello:
    inputs:
      who: {type: str, default: world}
    outputs:
      greeting: "{{ greet.greeting }}"
    nodes:
      greet:
        task: greet
        inputs: {who: "{{ inputs.who }}"}
)");
  CHECK(file->project() == "flytesnacks");
  CHECK(file->domain() == "development");
  CHECK(file->tasks.size() == 1);
  CHECK(file->workflows[0].nodes.size() == 1);
}

}  // namespace
}  // namespace flyte
