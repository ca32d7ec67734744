// Cycles: among the nodes of a workflow, and among workflows and launch plans that run each
// other. Each is reported once, naming every member in order.
#include <catch2/catch.hpp>

#include "support/compile_helpers.h"

namespace flyte {
namespace {

using testing::Errors;
using testing::Lines;

TEST_CASE("compiler names every node of a cycle") {
  CHECK(Errors(R"(
tasks:
  step:
    inputs: {x: int}
    outputs: {y: int}
    script: echo
workflows:
  loop:
    nodes:
      a: {task: step, inputs: {x: "{{ c.y }}"}}
      b: {task: step, inputs: {x: "{{ a.y }}"}}
      c: {task: step, inputs: {x: "{{ b.y }}"}}
      d: {task: step, inputs: {x: "{{ c.y }}"}}
)") == Lines{"wf.yaml:9:7: error[CycleDetected]: workflow 'loop' has a cycle: a -> b -> c -> a"});
}

TEST_CASE("compiler finds cycles made of after edges") {
  CHECK(Errors(R"(
tasks:
  step:
    script: echo
workflows:
  loop:
    nodes:
      first: {task: step, after: [second]}
      second: {task: step, after: [first]}
)") == Lines{"wf.yaml:7:7: error[CycleDetected]: workflow 'loop' has a cycle: first -> second -> "
             "first"});
}

TEST_CASE("compiler reports each separate cycle of a workflow") {
  CHECK(Errors(R"(
tasks:
  step:
    inputs: {x: int}
    outputs: {y: int}
    script: echo
workflows:
  loop:
    nodes:
      a: {task: step, inputs: {x: "{{ b.y }}"}}
      b: {task: step, inputs: {x: "{{ a.y }}"}}
      c: {task: step, inputs: {x: "{{ d.y }}"}}
      d: {task: step, inputs: {x: "{{ c.y }}"}}
)") == Lines{"wf.yaml:9:7: error[CycleDetected]: workflow 'loop' has a cycle: a -> b -> a",
             "wf.yaml:11:7: error[CycleDetected]: workflow 'loop' has a cycle: c -> d -> c"});
}

TEST_CASE("compiler reports a node that consumes its own output") {
  CHECK(Errors(R"(
tasks:
  step:
    inputs: {x: int}
    outputs: {y: int}
    script: echo
workflows:
  loop:
    nodes:
      again: {task: step, inputs: {x: "{{ again.y }}"}}
)") == Lines{"wf.yaml:9:7: error[CycleDetected]: workflow 'loop' has a cycle: again -> again"});
}

TEST_CASE("compiler reports an approve gate that waits on itself") {
  CHECK(Errors(R"(
workflows:
  gate:
    nodes:
      ok: {approve: "{{ ok.value }}"}
)") == Lines{"wf.yaml:4:7: error[CycleDetected]: workflow 'gate' has a cycle: ok -> ok"});
}

TEST_CASE("compiler counts a branch condition's references as edges of the cycle") {
  CHECK(Errors(R"(
tasks:
  step:
    inputs: {x: int}
    outputs: {y: int}
    script: echo
workflows:
  loop:
    nodes:
      pick:
        branch:
          - if: "{{ later.y }} > 1"
            task: step
            inputs: {x: 1}
          - else: {fail: no}
      later: {task: step, inputs: {x: 1}, after: [pick]}
)") == Lines{"wf.yaml:9:7: error[CycleDetected]: workflow 'loop' has a cycle: pick -> later -> "
             "pick"});
}

TEST_CASE("compiler rejects a workflow that runs itself") {
  CHECK(Errors(R"(
tasks:
  step:
    script: echo
workflows:
  forever:
    nodes:
      first: {task: step}
      again: {workflow: forever}
)") == Lines{"wf.yaml:8:25: error[CycleDetected]: workflow 'forever' -> workflow 'forever': a "
             "workflow cannot run itself, directly or through others"});
}

TEST_CASE("compiler names the chain of workflows that run each other") {
  CHECK(Errors(R"(
workflows:
  ping:
    nodes:
      call: {workflow: pong}
  pong:
    nodes:
      call: {workflow: ping}
)") == Lines{"wf.yaml:7:24: error[CycleDetected]: workflow 'ping' -> workflow 'pong' -> workflow "
             "'ping': a workflow cannot run itself, directly or through others"});
}

TEST_CASE("compiler follows launch plans when looking for workflow recursion") {
  CHECK(Errors(R"(
workflows:
  ping:
    nodes:
      call: {launch_plan: ping_later}
launch_plans:
  ping_later:
    workflow: ping
)") == Lines{"wf.yaml:7:15: error[CycleDetected]: workflow 'ping' -> launch plan 'ping_later' -> "
             "workflow 'ping': a workflow cannot run itself, directly or through others"});
}

}  // namespace
}  // namespace flyte
