// Launch plans: fixed and default inputs, schedules, and the default plan of every workflow.
#include <catch2/catch.hpp>

#include "support/compile_helpers.h"

namespace flyte {
namespace {

using testing::Errors;
using testing::Lines;

constexpr const char* kNightly = R"(
tasks:
  train:
    inputs: {lr: float, epochs: int}
    outputs: {acc: float}
    script: echo
workflows:
  pipeline:
    inputs: {threshold: {type: int, default: 10}, numbers: "list[int]", run_date: datetime, lr: float}
    outputs: {acc: "{{ fit.acc }}"}
    nodes:
      fit: {task: train, inputs: {lr: "{{ inputs.lr }}", epochs: "{{ inputs.threshold }}"}}
  parent:
    nodes:
      child:
        launch_plan: nightly
        inputs: {numbers: [4], run_date: 2026-01-01T00:00:00Z}
launch_plans:
  nightly:
    workflow: pipeline
    fixed_inputs: {threshold: 20, lr: 1}
    default_inputs: {numbers: [1, 2, 3]}
    schedule: {cron: "0 2 * * *", kickoff_input: run_date}
)";

TEST_CASE("every workflow has a default launch plan of its name with its interface") {
  auto file = testing::Compiled(kNightly);
  REQUIRE(file->launch_plans.size() == 3);
  CHECK(file->launch_plans[0].name == "nightly");
  for (const char* name : {"pipeline", "parent"}) {
    INFO(name);
    uint32_t i = file->FindLaunchPlan(name);
    REQUIRE(i != kNoIndex);
    const CompiledLaunchPlan& lp = file->launch_plans[i];
    CHECK(lp.spec == nullptr);
    CHECK(lp.workflow == file->FindWorkflow(name));
    CHECK(lp.iface.inputs.size() == file->workflows[lp.workflow].iface.inputs.size());
    CHECK(lp.fixed_inputs.empty());
  }
}

TEST_CASE("a launch plan's interface drops fixed inputs and carries its defaults") {
  auto file = testing::Compiled(kNightly);
  const CompiledLaunchPlan& lp = file->launch_plans[file->FindLaunchPlan("nightly")];
  CHECK(lp.workflow == file->FindWorkflow("pipeline"));
  REQUIRE(lp.fixed_inputs.size() == 2);
  CHECK(lp.fixed_inputs[0].first == 0);
  CHECK(lp.fixed_inputs[0].second == Value::Int(20));
  CHECK(lp.fixed_inputs[1].first == 3);
  CHECK(lp.fixed_inputs[1].second == Value::Float(1.0));
  REQUIRE(lp.iface.inputs.size() == 2);
  CHECK(lp.iface.inputs[0].name == "numbers");
  REQUIRE(lp.iface.inputs[0].default_value.has_value());
  CHECK(*lp.iface.inputs[0].default_value ==
        Value::FromList({Value::Int(1), Value::Int(2), Value::Int(3)}));
  CHECK_FALSE(lp.iface.inputs[0].required());
  CHECK(lp.iface.inputs[1].name == "run_date");
  CHECK(lp.iface.inputs[1].required());
  CHECK(lp.kickoff_input == 2);
  REQUIRE(lp.iface.outputs.size() == 1);
  CHECK(lp.iface.outputs[0].type == Type::Float());
}

TEST_CASE("a node that starts a launch plan binds the plan's inputs") {
  auto file = testing::Compiled(kNightly);
  const CompiledBody& child = testing::NodeOf(testing::WorkflowOf(*file, "parent"), "child").body;
  CHECK(child.kind == spec::NodeKind::kLaunchPlan);
  CHECK(child.target == file->FindLaunchPlan("nightly"));
  REQUIRE(child.inputs.size() == 2);
  CHECK(child.inputs[0].value.type == Type::List(Type::Int()));
  CHECK(child.inputs[1].value.type == Type::Datetime());
  REQUIRE(child.iface.outputs.size() == 1);
  CHECK(child.iface.outputs[0].name == "acc");
}

TEST_CASE("compiler rejects setting an input the launch plan fixes") {
  CHECK(Errors(R"(
workflows:
  pipeline:
    inputs: {threshold: int}
    nodes:
      pause: {sleep: 1s}
  parent:
    nodes:
      child: {launch_plan: fixed, inputs: {threshold: 3}}
launch_plans:
  fixed:
    workflow: pipeline
    fixed_inputs: {threshold: 20}
)") == Lines{"wf.yaml:8:44: error[InvalidValue]: node 'child': input 'threshold' is fixed by "
             "launch plan 'fixed' and cannot be set"});
}

TEST_CASE("compiler checks a launch plan's inputs against its workflow") {
  CHECK(Errors(R"(
workflows:
  pipeline:
    inputs: {threshold: int, numbers: "list[int]", run_date: str}
    nodes:
      pause: {sleep: 1s}
launch_plans:
  nightly:
    workflow: pipeline
    fixed_inputs: {threshold: 20, treshold: 3}
    default_inputs: {threshold: 5, numbers: [a]}
    schedule: {cron: "0 2 * * *", kickoff_input: run_date}
)") == Lines{"wf.yaml:9:35: error[VariableNameNotFound]: fixed_inputs of launch plan 'nightly': "
             "workflow 'pipeline' has no input 'treshold' (did you mean 'threshold'?)",
             "wf.yaml:10:22: error[ParameterBoundMoreThanOnce]: launch plan 'nightly': input "
             "'threshold' is in both fixed_inputs and default_inputs",
             "wf.yaml:10:46: error[MismatchingTypes]: default_inputs of launch plan 'nightly', "
             "input 'numbers': item [0]: expected int, got a string \"a\"",
             "wf.yaml:11:50: error[MismatchingTypes]: kickoff_input of launch plan 'nightly': "
             "input 'run_date' receives the scheduled time and must be a datetime, but it is str"});
}

TEST_CASE("compiler requires a value for every required input of a scheduled plan") {
  CHECK(Errors(R"(
workflows:
  pipeline:
    inputs: {threshold: int, when: datetime, note: "optional[str]"}
    nodes:
      pause: {sleep: 1s}
launch_plans:
  nightly:
    workflow: pipeline
    schedule: {every: 1h, kickoff_input: when}
)") == Lines{"wf.yaml:9:15: error[ParameterNotBound]: launch plan 'nightly' runs on a schedule, "
             "but workflow input 'threshold' (int) has no value; add it to default_inputs or "
             "fixed_inputs"});
}

TEST_CASE("compiler rejects a kickoff input that the plan fixes") {
  CHECK(Errors(R"(
workflows:
  pipeline:
    inputs: {when: datetime}
    nodes:
      pause: {sleep: 1s}
launch_plans:
  nightly:
    workflow: pipeline
    fixed_inputs: {when: 2026-01-01T00:00:00Z}
    schedule: {every: 1h, kickoff_input: when}
)") == Lines{"wf.yaml:10:42: error[InvalidValue]: kickoff_input of launch plan 'nightly': input "
             "'when' is fixed, so the schedule cannot set it"});
}

TEST_CASE("compiler reports a launch plan for a workflow that does not exist") {
  CHECK(Errors(R"(
workflows:
  pipeline:
    nodes:
      pause: {sleep: 1s}
launch_plans:
  nightly:
    workflow: pipline
)") == Lines{"wf.yaml:7:15: error[WorkflowReferenceNotFound]: launch plan 'nightly' launches "
             "unknown workflow 'pipline' (did you mean 'pipeline'?)"});
}

TEST_CASE("compiler rejects a launch plan that takes another workflow's default plan name") {
  CHECK(Errors(R"(
workflows:
  hello:
    nodes:
      pause: {sleep: 1s}
  other:
    nodes:
      pause: {sleep: 1s}
launch_plans:
  hello:
    workflow: other
)") == Lines{"wf.yaml:9:3: error[DuplicateId]: launch plan 'hello' has the name of workflow "
             "'hello''s default launch plan but launches 'other'; rename it"});
}

TEST_CASE("a launch plan named after its own workflow replaces the default plan") {
  auto file = testing::Compiled(R"(
workflows:
  hello:
    inputs: {who: str}
    nodes:
      pause: {sleep: 1s}
launch_plans:
  hello:
    workflow: hello
    default_inputs: {who: world}
)");
  REQUIRE(file->launch_plans.size() == 1);
  const CompiledLaunchPlan& lp = file->launch_plans[0];
  CHECK(lp.spec != nullptr);
  REQUIRE(lp.iface.inputs.size() == 1);
  CHECK(lp.iface.inputs[0].default_value == Value::Str("world"));
}

TEST_CASE("compiler places a missing default at the end of the file after the last line") {
  CHECK(Errors(R"(
workflows:
  wf:
    inputs: {n: int}
    nodes:
      p: {sleep: 1s}
launch_plans:
  lp:
    workflow: wf
    default_inputs:
      n:
)") == Lines{"wf.yaml:10:9: error[MismatchingTypes]: default_inputs of launch plan 'lp', input "
             "'n': expected int, got null"});
}

}  // namespace
}  // namespace flyte
