// A valid file using every kind of node compiles to the expected graph: CSR edges, a
// topological order, critical paths, and typed bindings.
#include <catch2/catch.hpp>

#include "support/compile_helpers.h"

namespace flyte {
namespace {

using testing::Lines;

constexpr const char* kEveryKind = R"(
tasks:
  fetch:
    inputs: {n: int}
    outputs: {numbers: "list[int]", ok: bool}
    script: echo
  square:
    inputs: {x: int}
    outputs: {y: int}
    script: echo
  add_all:
    inputs: {values: "list[int]"}
    outputs: {sum: int}
    script: echo
  render:
    inputs: {title: str}
    outputs: {path: file}
    script: echo
workflows:
  summarize:
    inputs: {values: "list[int]"}
    outputs: {sum: "{{ add.sum }}"}
    nodes:
      add: {task: add_all, inputs: {values: "{{ inputs.values }}"}}
  pipeline:
    inputs: {n: int}
    outputs: {total: "{{ sub.sum }}", report: "{{ report.path }}"}
    nodes:
      fetch: {task: fetch, inputs: {n: "{{ inputs.n }}"}}
      squares:
        map: square
        inputs: {x: "{{ fetch.numbers }}"}
      sub: {workflow: summarize, inputs: {values: "{{ squares.y }}"}}
      again: {launch_plan: summarize, inputs: {values: "{{ fetch.numbers }}"}}
      decide:
        branch:
          - if: "{{ fetch.ok }} == true"
            task: render
            inputs: {title: "big"}
          - else: {task: render, inputs: {title: "small"}}
      pause: {sleep: 30s, after: [decide]}
      approval: {approve: "{{ sub.sum }}", timeout: 1h}
      lr: {signal: {name: lr, type: float}}
      report:
        task: render
        inputs: {title: "Total {{ approval.value }} at lr {{ lr.value }}"}
        after: [pause]
)";

TEST_CASE("compiler builds every kind of node in file order") {
  auto file = testing::Compiled(kEveryKind);
  REQUIRE(file->workflows.size() == 2);
  const CompiledWorkflow& wf = testing::WorkflowOf(*file, "pipeline");
  REQUIRE(wf.nodes.size() == 9);
  using K = spec::NodeKind;
  const std::vector<std::pair<const char*, K>> expected = {
      {"fetch", K::kTask},       {"squares", K::kMap},   {"sub", K::kWorkflow},
      {"again", K::kLaunchPlan}, {"decide", K::kBranch}, {"pause", K::kSleep},
      {"approval", K::kApprove}, {"lr", K::kSignal},     {"report", K::kTask}};
  for (size_t i = 0; i < expected.size(); ++i) {
    INFO(expected[i].first);
    CHECK(wf.nodes[i].id == expected[i].first);
    CHECK(wf.nodes[i].body.kind == expected[i].second);
    CHECK(wf.FindNode(expected[i].first) == i);
  }
  CHECK(testing::NodeOf(wf, "sub").body.target == file->FindWorkflow("summarize"));
  CHECK(testing::NodeOf(wf, "again").body.target == file->FindLaunchPlan("summarize"));
}

TEST_CASE("compiler stores edges from references and after as CSR rows both ways") {
  auto file = testing::Compiled(kEveryKind);
  const CompiledWorkflow& wf = testing::WorkflowOf(*file, "pipeline");
  CHECK(wf.edge_count() == 9);
  CHECK(testing::Successors(wf) == Lines{"fetch -> squares", "fetch -> again", "fetch -> decide",
                                         "squares -> sub", "sub -> approval", "decide -> pause",
                                         "pause -> report", "approval -> report", "lr -> report"});
  CHECK(testing::Predecessors(wf) == Lines{"fetch -> squares", "squares -> sub", "fetch -> again",
                                           "fetch -> decide", "decide -> pause", "sub -> approval",
                                           "pause -> report", "approval -> report",
                                           "lr -> report"});
  CHECK(wf.succ_begin.size() == wf.nodes.size() + 1);
  CHECK(wf.pred_begin.size() == wf.nodes.size() + 1);
}

TEST_CASE("compiler orders nodes topologically, ready nodes in file order") {
  auto file = testing::Compiled(kEveryKind);
  const CompiledWorkflow& wf = testing::WorkflowOf(*file, "pipeline");
  CHECK(testing::TopoOrder(wf) ==
        Lines{"fetch", "lr", "squares", "again", "decide", "sub", "pause", "approval", "report"});
  CHECK(testing::IsTopologicalOrder(wf));
}

TEST_CASE("compiler weighs each node by the longest path from it to the end") {
  auto file = testing::Compiled(kEveryKind);
  const CompiledWorkflow& wf = testing::WorkflowOf(*file, "pipeline");
  //                 fetch squares sub again decide pause approval lr report
  CHECK(wf.critical_path == std::vector<uint32_t>{5, 4, 3, 1, 3, 2, 2, 2, 1});
}

TEST_CASE("compiler types each binding and node output") {
  auto file = testing::Compiled(kEveryKind);
  const CompiledWorkflow& wf = testing::WorkflowOf(*file, "pipeline");
  using B = CompiledBinding::Kind;

  const CompiledBinding& n = testing::NodeOf(wf, "fetch").body.inputs[0].value;
  CHECK(n.kind == B::kRef);
  CHECK(n.ref.node == kWorkflowInputs);
  CHECK(n.type == Type::Int());

  const CompiledBody& squares = testing::NodeOf(wf, "squares").body;
  CHECK(squares.inputs[0].value.type == Type::List(Type::Int()));
  CHECK(squares.iface.outputs[0].type == Type::List(Type::Int()));

  const CompiledBody& sub = testing::NodeOf(wf, "sub").body;
  CHECK(sub.iface.outputs[0].name == "sum");
  CHECK(sub.iface.outputs[0].type == Type::Int());

  const CompiledBody& pause = testing::NodeOf(wf, "pause").body;
  REQUIRE(pause.gate_value.has_value());
  CHECK(pause.gate_value->kind == B::kLiteral);
  CHECK(pause.gate_value->literal == Value::Duration(30'000'000'000));

  const CompiledBody& approval = testing::NodeOf(wf, "approval").body;
  REQUIRE(approval.gate_value.has_value());
  CHECK(approval.gate_value->kind == B::kRef);
  CHECK(approval.iface.outputs[0].name == "value");
  CHECK(approval.iface.outputs[0].type == Type::Int());
  CHECK(approval.timeout_nanos == int64_t{3'600'000'000'000});

  const CompiledBody& lr = testing::NodeOf(wf, "lr").body;
  CHECK(lr.signal_name == "lr");
  CHECK(lr.iface.outputs[0].type == Type::Float());

  const CompiledBinding& title = testing::NodeOf(wf, "report").body.inputs[0].value;
  CHECK(title.kind == B::kInterp);
  CHECK(title.type == Type::Str());

  REQUIRE(wf.iface.outputs.size() == 2);
  CHECK(wf.iface.outputs[0].type == Type::Int());
  CHECK(wf.iface.outputs[1].type == Type::File());
  CHECK(wf.outputs[1].ref.node == wf.FindNode("report"));
}

TEST_CASE("compiler keeps one edge for several references to the same node") {
  auto file = testing::Compiled(R"(
tasks:
  pair:
    outputs: {a: int, b: int}
    script: echo
  add:
    inputs: {x: int, y: int}
    script: echo
workflows:
  wf:
    nodes:
      p: {task: pair}
      s: {task: add, inputs: {x: "{{ p.a }}", y: "{{ p.b }}"}, after: [p]}
)");
  CHECK(testing::Successors(file->workflows[0]) == Lines{"p -> s"});
}

TEST_CASE("compiler orders nodes by their edges, not by where they are written") {
  auto file = testing::Compiled(R"(
tasks:
  step:
    inputs: {x: int}
    outputs: {y: int}
    script: echo
workflows:
  wf:
    nodes:
      last: {task: step, inputs: {x: "{{ middle.y }}"}}
      middle: {task: step, inputs: {x: "{{ first.y }}"}}
      first: {task: step, inputs: {x: 1}}
)");
  const CompiledWorkflow& wf = file->workflows[0];
  CHECK(testing::TopoOrder(wf) == Lines{"first", "middle", "last"});
  CHECK(wf.critical_path == std::vector<uint32_t>{1, 2, 3});
}

}  // namespace
}  // namespace flyte
