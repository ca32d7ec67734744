// Names the compiler resolves: tasks, workflows, launch plans, nodes, variables and fields.
#include <catch2/catch.hpp>

#include "support/compile_helpers.h"

namespace flyte {
namespace {

using testing::Errors;
using testing::Lines;

TEST_CASE("compiler reports a node that runs an unknown task, suggesting the closest") {
  CHECK(Errors(R"(
tasks:
  train:
    script: echo
workflows:
  wf:
    nodes:
      fit: {task: trian}
)") == Lines{"wf.yaml:7:19: error[TaskReferenceNotFound]: node 'fit' runs unknown task 'trian' "
             "(did you mean 'train'?)"});
}

TEST_CASE("compiler reports a node that runs an unknown workflow") {
  CHECK(Errors(R"(
tasks:
  train:
    script: echo
workflows:
  wf:
    nodes:
      sub: {workflow: inner}
  iner:
    nodes:
      fit: {task: train}
)") == Lines{"wf.yaml:7:23: error[WorkflowReferenceNotFound]: node 'sub' runs unknown workflow "
             "'inner' (did you mean 'iner'?)"});
}

TEST_CASE("compiler reports a node that starts an unknown launch plan") {
  CHECK(Errors(R"(
tasks:
  train:
    script: echo
workflows:
  wf:
    nodes:
      fit: {task: train}
  parent:
    nodes:
      child: {launch_plan: nightly}
launch_plans:
  nighty:
    workflow: wf
)") == Lines{"wf.yaml:10:28: error[LaunchPlanReferenceNotFound]: node 'child' runs unknown launch "
             "plan 'nightly' (did you mean 'nighty'?)"});
}

TEST_CASE("compiler reports an on_failure handler that runs an unknown task") {
  CHECK(Errors(R"(
tasks:
  train:
    script: echo
workflows:
  wf:
    on_failure: {task: notfy}
    nodes:
      fit: {task: train}
)") == Lines{"wf.yaml:6:24: error[TaskReferenceNotFound]: on_failure of workflow 'wf' runs "
             "unknown task 'notfy'"});
}

TEST_CASE("compiler reports a reference to a node that does not exist") {
  CHECK(Errors(R"(
tasks:
  train:
    outputs: {model: file}
    script: echo
  evaluate:
    inputs: {model: file}
    script: echo
workflows:
  wf:
    nodes:
      fit: {task: train}
      score: {task: evaluate, inputs: {model: "{{ fitt.model }}"}}
)") == Lines{"wf.yaml:12:51: error[NodeReferenceNotFound]: '{{ fitt.model }}': workflow 'wf' has "
             "no node 'fitt' (did you mean 'fit'?)"});
}

TEST_CASE("compiler reports an unknown node in after") {
  CHECK(Errors(R"(
tasks:
  train:
    script: echo
workflows:
  wf:
    nodes:
      fit: {task: train}
      again: {task: train, after: [fitt]}
)") == Lines{"wf.yaml:8:36: error[NodeReferenceNotFound]: 'after' of node 'again' names unknown "
             "node 'fitt' (did you mean 'fit'?)"});
}

TEST_CASE("compiler reports a reference to a workflow input that does not exist") {
  CHECK(Errors(R"(
tasks:
  train:
    inputs: {lr: float}
    script: echo
workflows:
  wf:
    inputs: {lr: float}
    nodes:
      fit: {task: train, inputs: {lr: "{{ inputs.rate }}"}}
)") == Lines{"wf.yaml:9:43: error[VariableNameNotFound]: '{{ inputs.rate }}': workflow 'wf' has "
             "no input 'rate'"});
}

TEST_CASE("compiler reports a misspelt output of an upstream node") {
  CHECK(Errors(R"(
tasks:
  train:
    outputs: {model: file}
    script: echo
  evaluate:
    inputs: {model: file}
    script: echo
workflows:
  wf:
    nodes:
      fit: {task: train}
      score: {task: evaluate, inputs: {model: "{{ fit.modle }}"}}
)") == Lines{"wf.yaml:12:51: error[VariableNameNotFound]: '{{ fit.modle }}': node 'fit' has no "
             "output 'modle' (did you mean 'model'?)"});
}

TEST_CASE("compiler says so when a referenced node has no outputs at all") {
  CHECK(Errors(R"(
tasks:
  train:
    script: echo
  evaluate:
    inputs: {model: file}
    script: echo
workflows:
  wf:
    nodes:
      fit: {task: train}
      score: {task: evaluate, inputs: {model: "{{ fit.model }}"}}
)") == Lines{"wf.yaml:11:51: error[VariableNameNotFound]: '{{ fit.model }}': node 'fit' has no "
             "outputs"});
}

TEST_CASE("compiler reports binding an input the task does not have") {
  CHECK(Errors(R"(
tasks:
  train:
    inputs: {lr: float}
    script: echo
workflows:
  wf:
    nodes:
      fit: {task: train, inputs: {lr: 0.1, epochs: 3}}
)") == Lines{"wf.yaml:8:44: error[VariableNameNotFound]: node 'fit': task 'train' has no input "
             "'epochs'"});
}

TEST_CASE("compiler reads fields of json, list and dict outputs") {
  auto file = testing::Compiled(R"(
tasks:
  train:
    outputs: {metrics: json, scores: "list[float]", by_name: "dict[str, float]"}
    script: echo
  report:
    inputs: {value: float}
    script: echo
workflows:
  wf:
    nodes:
      fit: {task: train}
      a: {task: report, inputs: {value: "{{ fit.metrics.val[0].acc }}"}}
      b: {task: report, inputs: {value: "{{ fit.scores[2] }}"}}
      c: {task: report, inputs: {value: "{{ fit.by_name['val loss'] }}"}}
)");
  const CompiledWorkflow& wf = file->workflows[0];
  const DataRef& a = testing::NodeOf(wf, "a").body.inputs[0].value.ref;
  CHECK(a.node == wf.FindNode("fit"));
  CHECK(a.var == 0);
  REQUIRE(a.path.size() == 3);
  CHECK(a.path[0].key == "val");
  CHECK(a.path[1].is_index);
  CHECK(a.path[1].index == 0);
  CHECK(a.path[2].key == "acc");
  const DataRef& b = testing::NodeOf(wf, "b").body.inputs[0].value.ref;
  CHECK(b.var == 1);
  REQUIRE(b.path.size() == 1);
  CHECK(b.path[0].index == 2);
  const DataRef& c = testing::NodeOf(wf, "c").body.inputs[0].value.ref;
  REQUIRE(c.path.size() == 1);
  CHECK(c.path[0].key == "val loss");
  CHECK(testing::Successors(wf) == Lines{"fit -> a", "fit -> b", "fit -> c"});
}

TEST_CASE("compiler rejects fields of scalars and named fields of lists") {
  CHECK(Errors(R"(
tasks:
  train:
    outputs: {acc: float, scores: "list[float]"}
    script: echo
  report:
    inputs: {value: float}
    script: echo
workflows:
  wf:
    nodes:
      fit: {task: train}
      d: {task: report, inputs: {value: "{{ fit.acc.best }}"}}
      e: {task: report, inputs: {value: "{{ fit.scores.first }}"}}
)") == Lines{"wf.yaml:12:45: error[FieldNotFound]: '{{ fit.acc.best }}': cannot read '.best' of "
             "a float value (fields work on json, dict and list values)",
             "wf.yaml:13:45: error[FieldNotFound]: '{{ fit.scores.first }}': cannot read "
             "'.first' of a list[float] value (fields work on json, dict and list values)"});
}

TEST_CASE("compiler keeps on_failure inputs to workflow inputs") {
  CHECK(Errors(R"(
tasks:
  train:
    outputs: {model: file}
    script: echo
  notify:
    inputs: {error: str, model: file}
    script: echo
workflows:
  wf:
    on_failure: {task: notify, inputs: {model: "{{ fit.model }}"}}
    nodes:
      fit: {task: train}
)") == Lines{"wf.yaml:10:52: error[InvalidValue]: '{{ fit.model }}': inputs of on_failure can "
             "only use workflow inputs, since nodes may not have run when the workflow fails"});
}

TEST_CASE("compiler binds on_failure inputs by name to the workflow's inputs and the error") {
  auto file = testing::Compiled(R"(
tasks:
  train:
    inputs: {channel: str}
    script: echo
  notify:
    inputs: {error: str, channel: str}
    script: echo
workflows:
  wf:
    inputs: {channel: str}
    on_failure: {task: notify}
    nodes:
      fit: {task: train, inputs: {channel: "{{ inputs.channel }}"}}
)");
  const CompiledWorkflow& wf = file->workflows[0];
  REQUIRE(wf.on_failure.has_value());
  REQUIRE(wf.on_failure->inputs.size() == 2);
  CHECK(wf.on_failure->inputs[0].var == 0);
  CHECK(wf.on_failure->inputs[0].value.ref.node == kFailureError);
  CHECK(wf.on_failure->inputs[1].var == 1);
  CHECK(wf.on_failure->inputs[1].value.ref.node == kWorkflowInputs);
  CHECK(wf.on_failure->inputs[1].value.ref.var == 0);
}

TEST_CASE("compiler reports an on_failure input that nothing can bind") {
  CHECK(Errors(R"(
tasks:
  train:
    script: echo
  notify:
    inputs: {error: str, channel: str}
    script: echo
workflows:
  wf:
    on_failure: {task: notify}
    nodes:
      fit: {task: train}
)") == Lines{"wf.yaml:9:17: error[ParameterNotBound]: on_failure of workflow 'wf': input "
             "'channel' (str) of task 'notify' is neither a workflow input nor 'error'; bind it "
             "under inputs"});
}

TEST_CASE("compiler asks for a declared type when a workflow output's type is unclear") {
  CHECK(Errors(R"(
tasks:
  train:
    script: echo
workflows:
  wf:
    outputs:
      mixed: [1, a]
    nodes:
      fit: {task: train}
)") == Lines{"wf.yaml:7:14: error[InvalidType]: cannot tell the type of output 'mixed' of workflow "
             "'wf'; declare it: {value: ..., type: TYPE}"});
}

TEST_CASE("compiler does not report an unreadable on_failure target a second time") {
  CHECK(Errors(R"(
tasks:
  train:
    script: echo
workflows:
  wf:
    on_failure: {task: [notify]}
    nodes:
      fit: {task: train}
)") == Lines{"wf.yaml:6:24: error[WrongShape]: expected text for on_failure target, got a list"});
}

}  // namespace
}  // namespace flyte
