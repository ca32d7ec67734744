// Map nodes: which inputs are mapped, what they must be bound to, and the list outputs.
#include <catch2/catch.hpp>

#include "support/compile_helpers.h"

namespace flyte {
namespace {

using testing::Errors;
using testing::Lines;

constexpr const char* kSquares = R"(
tasks:
  square:
    inputs: {x: int, power: {type: int, default: 2}}
    outputs: {y: int}
    script: echo
  add_all:
    inputs: {values: "list[int]"}
    outputs: {sum: int}
    script: echo
  add_some:
    inputs: {values: "list[optional[int]]"}
    outputs: {sum: int}
    script: echo
workflows:
  wf:
    inputs: {numbers: "list[int]"}
    nodes:
      squares:
        map: square
        inputs: {x: "{{ inputs.numbers }}", power: 3}
        over: [x]
        concurrency: 4
      tolerant:
        map: square
        inputs: {x: "{{ inputs.numbers }}"}
        min_success_ratio: 0.5
      total: {task: add_all, inputs: {values: "{{ squares.y }}"}}
      partial: {task: add_some, inputs: {values: "{{ tolerant.y }}"}}
)";

TEST_CASE("compiler maps the inputs named in over and broadcasts the rest") {
  auto file = testing::Compiled(kSquares);
  const CompiledWorkflow& wf = file->workflows[0];
  const CompiledBody& squares = testing::NodeOf(wf, "squares").body;
  CHECK(squares.kind == spec::NodeKind::kMap);
  CHECK(squares.mapped_inputs == std::vector<uint32_t>{0});
  CHECK(squares.concurrency == 4);
  CHECK(squares.min_success_ratio == 1.0);
  REQUIRE(squares.inputs.size() == 2);
  CHECK(squares.inputs[0].value.type == Type::List(Type::Int()));
  CHECK(squares.inputs[1].value.type == Type::Int());
  CHECK(squares.inputs[1].value.literal == Value::Int(3));
}

TEST_CASE("compiler maps every bound input when over is left out") {
  auto file = testing::Compiled(kSquares);
  const CompiledBody& tolerant = testing::NodeOf(file->workflows[0], "tolerant").body;
  CHECK(tolerant.mapped_inputs == std::vector<uint32_t>{0});
  CHECK(tolerant.min_success_ratio == 0.5);
}

TEST_CASE("a map node's outputs are lists of the task's outputs") {
  auto file = testing::Compiled(kSquares);
  const CompiledWorkflow& wf = file->workflows[0];
  const CompiledBody& squares = testing::NodeOf(wf, "squares").body;
  REQUIRE(squares.iface.outputs.size() == 1);
  CHECK(squares.iface.outputs[0].type.ToString() == "list[int]");
  CHECK(testing::NodeOf(wf, "total").body.inputs[0].value.type == Type::List(Type::Int()));
}

TEST_CASE("a map node that tolerates failures outputs lists of optionals") {
  auto file = testing::Compiled(kSquares);
  const CompiledBody& tolerant = testing::NodeOf(file->workflows[0], "tolerant").body;
  REQUIRE(tolerant.iface.outputs.size() == 1);
  CHECK(tolerant.iface.outputs[0].type.ToString() == "list[optional[int]]");
}

TEST_CASE("compiler rejects feeding a tolerant map's outputs to a list of non-optionals") {
  CHECK(Errors(R"(
tasks:
  square:
    inputs: {x: int}
    outputs: {y: int}
    script: echo
  add_all:
    inputs: {values: "list[int]"}
    script: echo
workflows:
  wf:
    inputs: {numbers: "list[int]"}
    nodes:
      tolerant:
        map: square
        inputs: {x: "{{ inputs.numbers }}"}
        min_success_ratio: 0.9
      total: {task: add_all, inputs: {values: "{{ tolerant.y }}"}}
)") == Lines{"wf.yaml:17:51: error[MismatchingTypes]: input 'values' of task 'add_all' expects "
             "list[int], but '{{ tolerant.y }}' is list[optional[int]]"});
}

TEST_CASE("compiler requires a list for a mapped input") {
  CHECK(Errors(R"(
tasks:
  square:
    inputs: {x: int}
    outputs: {y: int}
    script: echo
workflows:
  wf:
    inputs: {n: int}
    nodes:
      squares:
        map: square
        inputs: {x: "{{ inputs.n }}"}
)") == Lines{"wf.yaml:12:25: error[MismatchingTypes]: mapped input 'x' of task 'square' expects "
             "list[int], but '{{ inputs.n }}' is int"});
}

TEST_CASE("compiler reports an unknown name in over") {
  CHECK(Errors(R"(
tasks:
  square:
    inputs: {x: int, power: {type: int, default: 2}}
    outputs: {y: int}
    script: echo
workflows:
  wf:
    inputs: {numbers: "list[int]"}
    nodes:
      squares:
        map: square
        inputs: {x: "{{ inputs.numbers }}"}
        over: [x, z]
)") == Lines{"wf.yaml:13:19: error[VariableNameNotFound]: over of node 'squares': task 'square' "
             "has no input 'z' (did you mean 'x'?)"});
}

TEST_CASE("compiler requires every input named in over to be bound") {
  CHECK(Errors(R"(
tasks:
  square:
    inputs: {x: int, power: {type: int, default: 2}}
    outputs: {y: int}
    script: echo
workflows:
  wf:
    nodes:
      squares:
        map: square
        inputs: {power: 3}
        over: [x]
)") == Lines{"wf.yaml:10:9: error[ParameterNotBound]: node 'squares': mapped input 'x' of task "
             "'square' is not bound"});
}

TEST_CASE("compiler rejects a map node with nothing to map over") {
  CHECK(Errors(R"(
tasks:
  ping:
    inputs: {host: {type: str, default: localhost}}
    script: echo
workflows:
  wf:
    nodes:
      pings:
        map: ping
)") == Lines{"wf.yaml:9:9: error[ValueRequired]: node 'pings' maps over nothing: bind a list to "
             "one of the inputs of task 'ping'"});
}

}  // namespace
}  // namespace flyte
