// Nodes as the loader reads them: ids, what a node runs, and the settings each kind accepts.
#include <catch2/catch.hpp>

#include "support/compile_helpers.h"

namespace flyte {
namespace {

using testing::Errors;
using testing::Lines;

TEST_CASE("loader rejects a node id with an uppercase letter") {
  CHECK(Errors(R"(
tasks:
  greet:
    script: echo hi
workflows:
  hello:
    nodes:
      Greet: {task: greet}
)") == Lines{"wf.yaml:7:7: error[InvalidValue]: node id 'Greet' must match [a-z][a-z0-9_-]*"});
}

TEST_CASE("loader reserves inputs and outputs as node ids") {
  CHECK(Errors(R"(
tasks:
  greet:
    script: echo hi
workflows:
  hello:
    nodes:
      inputs: {task: greet}
      outputs: {task: greet}
)") == Lines{"wf.yaml:7:7: error[InvalidValue]: 'inputs' is reserved and cannot be a node id",
             "wf.yaml:8:7: error[InvalidValue]: 'outputs' is reserved and cannot be a node id"});
}

TEST_CASE("loader rejects a node that runs two things") {
  CHECK(Errors(R"(
tasks:
  greet:
    script: echo hi
workflows:
  hello:
    nodes:
      greet: {task: greet, sleep: 5s}
)") == Lines{"wf.yaml:7:28: error[InvalidValue]: node 'greet' sets both 'task' and 'sleep'; a "
             "node runs one thing"});
}

TEST_CASE("loader rejects task overrides on a gate") {
  CHECK(Errors(R"(
workflows:
  hello:
    nodes:
      pause:
        sleep: 30s
        retries: 3
)") == Lines{"wf.yaml:6:18: error[InvalidValue]: 'retries' applies to task and map nodes, not to "
             "a sleep node"});
}

TEST_CASE("loader rejects map settings on a task node") {
  CHECK(Errors(R"(
tasks:
  greet:
    script: echo hi
workflows:
  hello:
    nodes:
      greet: {task: greet, concurrency: 4}
)") == Lines{"wf.yaml:7:41: error[InvalidValue]: 'concurrency' applies to map nodes, not to a "
             "task node"});
}

TEST_CASE("loader sends inputs of a branch node to its cases") {
  CHECK(Errors(R"(
tasks:
  greet:
    inputs: {n: int}
    script: echo hi
workflows:
  hello:
    inputs: {n: int}
    nodes:
      pick:
        inputs: {n: 1}
        branch:
          - if: "{{ inputs.n }} > 1"
            task: greet
            inputs: {n: 1}
          - else: {fail: small}
)") == Lines{"wf.yaml:10:17: error[InvalidValue]: a branch node takes no inputs; give each case "
             "its own"});
}

TEST_CASE("loader requires a signal to declare its type") {
  CHECK(Errors(R"(
workflows:
  tune:
    nodes:
      lr:
        signal: {name: learning_rate}
)") == Lines{"wf.yaml:5:17: error[ValueRequired]: signal of node 'lr' needs a type, e.g. {name: "
             "lr, type: float}"});
}

TEST_CASE("compiler asks for a unit when a sleep is a bare number") {
  CHECK(Errors(R"(
workflows:
  wait:
    nodes:
      pause: {sleep: 5}
)") == Lines{"wf.yaml:4:22: error[MismatchingTypes]: sleep of node 'pause': expected duration "
             "(e.g. 90s, 1h30m, 250ms), got an int 5 (durations need a unit: 5s)"});
}

TEST_CASE("loader rejects a map node with both a success count and a success ratio") {
  CHECK(Errors(R"(
tasks:
  sq:
    inputs: {x: int}
    script: echo
workflows:
  wf:
    inputs: {xs: "list[int]"}
    nodes:
      m:
        map: sq
        inputs: {x: "{{ inputs.xs }}"}
        min_success_ratio: 0.5
        min_successes: 2
)") == Lines{"wf.yaml:13:24: error[InvalidValue]: node 'm' sets both min_successes and "
             "min_success_ratio; use one"});
}

TEST_CASE("loader keeps min_success_ratio between 0 and 1") {
  CHECK(Errors(R"(
tasks:
  sq:
    inputs: {x: int}
    script: echo
workflows:
  wf:
    inputs: {xs: "list[int]"}
    nodes:
      m:
        map: sq
        inputs: {x: "{{ inputs.xs }}"}
        min_success_ratio: 1.5
)") == Lines{"wf.yaml:12:28: error[InvalidValue]: min_success_ratio must be between 0 and 1, got "
             "1.5"});
}

TEST_CASE("loader reports a workflow without nodes") {
  CHECK(Errors(R"(
tasks:
  greet:
    script: echo hi
workflows:
  empty:
    nodes: {}
  bare:
    description: nothing to run
)") == Lines{"wf.yaml:6:12: error[NoNodesFound]: workflow 'empty' has no nodes",
             "wf.yaml:7:3: error[NoNodesFound]: workflow 'bare' has no nodes"});
}

TEST_CASE("loader places an empty value on the last line just after that line's end") {
  CHECK(Errors(R"(
tasks:
  train:
    script: echo
workflows:
  wf:
    nodes:
)") == Lines{"wf.yaml:6:11: error[NoNodesFound]: workflow 'wf' has no nodes"});
}

}  // namespace
}  // namespace flyte
