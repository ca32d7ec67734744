// Branch nodes: cases, conditions, a required else, and the outputs every case must produce.
#include <catch2/catch.hpp>

#include "support/compile_helpers.h"

namespace flyte {
namespace {

using testing::Errors;
using testing::Lines;

constexpr const char* kTriage = R"(
tasks:
  check:
    outputs: {ok: bool}
    script: echo
  big:
    inputs: {n: int}
    outputs: {label: str, score: float}
    script: echo
  small:
    inputs: {n: int}
    outputs: {label: str}
    script: echo
  show:
    inputs: {label: str}
    script: echo
workflows:
  medium:
    inputs: {n: int}
    outputs: {label: "{{ s.label }}"}
    nodes:
      s: {task: small, inputs: {n: "{{ inputs.n }}"}}
  wf:
    inputs: {n: int, when: datetime}
    nodes:
      check: {task: check}
      decide:
        branch:
          - if: "{{ inputs.n }} > 10 and {{ check.ok }} == true"
            task: big
            inputs: {n: "{{ inputs.n }}"}
          - if: "({{ inputs.n }} >= 5 or {{ inputs.n }} < -5) and {{ inputs.when }} < 2026-01-01T00:00:00Z"
            workflow: medium
            inputs: {n: "{{ inputs.n }}"}
          - else: {task: small, inputs: {n: "{{ inputs.n }}"}}
      show: {task: show, inputs: {label: "{{ decide.label }}"}}
)";

TEST_CASE("compiler builds a branch whose cases run a task, a workflow and a task") {
  auto file = testing::Compiled(kTriage);
  const CompiledWorkflow& wf = testing::WorkflowOf(*file, "wf");
  const CompiledBody& decide = testing::NodeOf(wf, "decide").body;
  CHECK(decide.kind == spec::NodeKind::kBranch);
  REQUIRE(decide.cases.size() == 3);
  REQUIRE(decide.cases[0].condition.has_value());
  CHECK(decide.cases[0].condition->kind == spec::Condition::Kind::kAnd);
  REQUIRE(decide.cases[0].condition->operands.size() == 2);
  CHECK(decide.cases[0].condition->operands[0].compare_as == TypeKind::kInt);
  CHECK(decide.cases[0].condition->operands[1].compare_as == TypeKind::kBool);
  CHECK(decide.cases[0].body->kind == spec::NodeKind::kTask);
  CHECK(decide.cases[0].body->target == file->FindTask("big"));
  REQUIRE(decide.cases[1].condition.has_value());
  CHECK(decide.cases[1].condition->operands[1].compare_as == TypeKind::kDatetime);
  CHECK(decide.cases[1].body->kind == spec::NodeKind::kWorkflow);
  CHECK(decide.cases[1].body->target == file->FindWorkflow("medium"));
  CHECK_FALSE(decide.cases[2].condition.has_value());
  CHECK(decide.cases[2].body->target == file->FindTask("small"));
  // Conditions and case bindings give the branch its edges.
  CHECK(testing::Successors(wf) == Lines{"check -> decide", "decide -> show"});
}

TEST_CASE("compiler offers the outputs every case produces as the branch's outputs") {
  auto file = testing::Compiled(kTriage);
  const CompiledWorkflow& wf = testing::WorkflowOf(*file, "wf");
  const CompiledBody& decide = testing::NodeOf(wf, "decide").body;
  REQUIRE(decide.iface.FindOutput("label") != kNoIndex);
  CHECK(decide.iface.outputs[decide.iface.FindOutput("label")].type == Type::Str());
  const CompiledBinding& label = testing::NodeOf(wf, "show").body.inputs[0].value;
  CHECK(label.ref.node == wf.FindNode("decide"));
  CHECK(label.type == Type::Str());
}

TEST_CASE("compiler rejects using a branch output that one case does not produce") {
  CHECK(Errors(R"(
tasks:
  big:
    inputs: {n: int}
    outputs: {label: str, score: float}
    script: echo
  small:
    inputs: {n: int}
    outputs: {label: str}
    script: echo
  report:
    inputs: {score: float}
    script: echo
workflows:
  wf:
    inputs: {n: int}
    nodes:
      decide:
        branch:
          - if: "{{ inputs.n }} > 10"
            task: big
            inputs: {n: "{{ inputs.n }}"}
          - else: {task: small, inputs: {n: "{{ inputs.n }}"}}
      report: {task: report, inputs: {score: "{{ decide.score }}"}}
)") == Lines{"wf.yaml:23:50: error[VariableNameNotFound]: '{{ decide.score }}': 'score' is not "
             "produced by the else case (task 'small') of branch 'decide'; every case must "
             "produce the outputs used downstream"});
}

TEST_CASE("compiler rejects using a branch output whose type differs between cases") {
  CHECK(Errors(R"(
tasks:
  a:
    outputs: {y: int}
    script: echo
  b:
    outputs: {y: str}
    script: echo
  use:
    inputs: {y: int}
    script: echo
workflows:
  wf:
    inputs: {n: int}
    nodes:
      decide:
        branch:
          - if: "{{ inputs.n }} > 10"
            task: a
          - else: {task: b}
      use: {task: use, inputs: {y: "{{ decide.y }}"}}
)") == Lines{"wf.yaml:20:40: error[MismatchingTypes]: '{{ decide.y }}': output 'y' of branch "
             "'decide' is int in one case but str in the else case (task 'b')"});
}

TEST_CASE("compiler requires a branch to end with else") {
  CHECK(Errors(R"(
tasks:
  a:
    script: echo
workflows:
  wf:
    inputs: {n: int}
    nodes:
      decide:
        branch:
          - if: "{{ inputs.n }} > 10"
            task: a
)") == Lines{"wf.yaml:10:11: error[BranchNodeHasNoDefault]: branch 'decide' has no 'else' case; "
             "end it with - else: {...} or - else: {fail: MESSAGE}"});
}

TEST_CASE("compiler requires every case but the last to have a condition") {
  CHECK(Errors(R"(
tasks:
  a:
    script: echo
workflows:
  wf:
    inputs: {n: int}
    nodes:
      decide:
        branch:
          - task: a
          - else: {fail: "n is too small"}
)") == Lines{"wf.yaml:10:13: error[BranchNodeHasNoCondition]: case 1 of branch 'decide' has no "
             "'if' condition (only the last case may be 'else')"});
}

TEST_CASE("compiler rejects a branch without cases") {
  CHECK(Errors(R"(
workflows:
  wf:
    nodes:
      decide:
        branch: []
)") == Lines{"wf.yaml:5:17: error[BranchNodeHasNoCondition]: branch 'decide' has no cases"});
}

TEST_CASE("compiler reports a case after else as unreachable") {
  CHECK(Errors(R"(
tasks:
  a:
    script: echo
workflows:
  wf:
    inputs: {n: int}
    nodes:
      decide:
        branch:
          - if: "{{ inputs.n }} > 10"
            task: a
          - else: {fail: "n is too small"}
          - if: "{{ inputs.n }} > 5"
            task: a
)") == Lines{"wf.yaml:13:13: error[UnreachableNodes]: case 3 of branch 'decide' comes after "
             "'else' and can never run"});
}

TEST_CASE("compiler rejects a condition comparing an int with a str") {
  CHECK(Errors(R"(
tasks:
  a:
    script: echo
workflows:
  wf:
    inputs: {n: int, flag: bool, cfg: json}
    nodes:
      decide:
        branch:
          - if: "{{ inputs.n }} > 'ten'"
            task: a
          - if: "{{ inputs.flag }} < true"
            task: a
          - if: "{{ inputs.cfg }} == 1"
            task: a
          - else: {fail: "no"}
)") == Lines{"wf.yaml:10:18: error[MismatchingTypes]: condition of branch 'decide': cannot "
             "compare int with str",
             "wf.yaml:12:18: error[MismatchingTypes]: condition of branch 'decide': bools can "
             "only be compared with == or !=, not <",
             "wf.yaml:14:18: error[MismatchingTypes]: condition of branch 'decide': json values "
             "cannot be compared (int, float, str, bool, datetime and duration can)"});
}

TEST_CASE("compiler reads a bare operand as == true and so requires a bool") {
  CHECK(Errors(R"(
tasks:
  a:
    script: echo
workflows:
  wf:
    inputs: {n: int, flag: bool}
    nodes:
      decide:
        branch:
          - if: "{{ inputs.flag }}"
            task: a
          - if: "{{ inputs.n }}"
            task: a
          - else: {fail: "no"}
)") == Lines{"wf.yaml:12:18: error[MismatchingTypes]: condition of branch 'decide': a "
             "condition without a comparison must be a bool, but it is int; compare it, e.g. "
             "{{ ... }} > 0"});
}

TEST_CASE("loader points at the column where a condition stops making sense") {
  CHECK(Errors(R"(
tasks:
  a:
    script: echo
workflows:
  wf:
    inputs: {n: int, name: str}
    nodes:
      decide:
        branch:
          - if: "{{ inputs.n }} >"
            task: a
          - if: "({{ inputs.n }} > 1"
            task: a
          - if: "{{ inputs.name }} == ten"
            task: a
          - if: "{{ inputs.n }} > 1 2"
            task: a
          - else: {fail: "no"}
)") == Lines{"wf.yaml:10:34: error[SyntaxError]: condition ends early: expected a value",
             "wf.yaml:12:37: error[SyntaxError]: expected ')'",
             "wf.yaml:14:39: error[SyntaxError]: cannot read 'ten' in condition: write "
             "references as {{ NODE.OUTPUT }} and strings in quotes",
             "wf.yaml:16:37: error[SyntaxError]: unexpected '2' in condition"});
}

TEST_CASE("loader requires else to hold its node as a mapping") {
  CHECK(Errors(R"(
tasks:
  a:
    script: echo
workflows:
  wf:
    inputs: {n: int}
    nodes:
      decide:
        branch:
          - if: "{{ inputs.n }} > 10"
            task: a
          - else: {task: a}
            task: a
)") == Lines{"wf.yaml:13:13: error[InvalidValue]: 'else' takes its node as a mapping: - else: "
             "{task: NAME, inputs: {...}}"});
}

}  // namespace
}  // namespace flyte
