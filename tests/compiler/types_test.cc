// Type-checking bindings: references, literals and interpolations against the input they feed,
// by Flyte's castability rules.
#include <catch2/catch.hpp>

#include "support/compile_helpers.h"

namespace flyte {
namespace {

using testing::Errors;
using testing::Lines;

constexpr const char* kMismatches = R"(
tasks:
  produce:
    outputs: {n: int, s: str, f: float}
    script: echo
  take_float:
    inputs: {f: float}
    script: echo
  take_int:
    inputs: {n: int}
    script: echo
  take_list:
    inputs: {xs: "list[int]"}
    script: echo
workflows:
  wf:
    nodes:
      p: {task: produce}
      a: {task: take_float, inputs: {f: "{{ p.n }}"}}
      b: {task: take_int, inputs: {n: "{{ p.s }}"}}
      c: {task: take_int, inputs: {n: "n={{ p.n }}"}}
      d: {task: take_list, inputs: {xs: [1, "{{ p.s }}"]}}
      e: {task: take_int, inputs: {n: [1]}}
      f: {task: take_int, inputs: {n: "5"}}
)";

TEST_CASE("compiler names both types when a binding does not fit its input") {
  CHECK(Errors(kMismatches) ==
        Lines{"wf.yaml:18:45: error[MismatchingTypes]: input 'f' of task 'take_float' expects "
              "float, but '{{ p.n }}' is int",
              "wf.yaml:19:43: error[MismatchingTypes]: input 'n' of task 'take_int' expects int, "
              "but '{{ p.s }}' is str",
              "wf.yaml:20:39: error[MismatchingTypes]: input 'n' of task 'take_int' expects int, "
              "but text with {{ }} inside it is a str (a value that is exactly one {{ ref }} "
              "keeps its type)",
              "wf.yaml:21:49: error[MismatchingTypes]: input 'xs' of task 'take_list', item [1] "
              "expects int, but '{{ p.s }}' is str",
              "wf.yaml:22:39: error[MismatchingTypes]: input 'n' of task 'take_int': expected "
              "int, got a list",
              "wf.yaml:23:39: error[MismatchingTypes]: input 'n' of task 'take_int': expected "
              "int, got a string \"5\""});
}

constexpr const char* kCastable = R"(
tasks:
  produce:
    outputs: {n: int, s: str, c: "enum[red, green]", xs: "list[int]"}
    script: echo
  take_str:
    inputs: {s: str}
    script: echo
  take_enum:
    inputs: {c: "enum[red, green]"}
    script: echo
  take_float:
    inputs: {f: float}
    script: echo
  take_opt:
    inputs: {n: int, extra: "optional[str]"}
    script: echo
  take_list:
    inputs: {xs: "list[int]"}
    script: echo
workflows:
  wf:
    nodes:
      p: {task: produce}
      enum_to_str: {task: take_str, inputs: {s: "{{ p.c }}"}}
      str_to_enum: {task: take_enum, inputs: {c: "{{ p.s }}"}}
      int_literal: {task: take_float, inputs: {f: 3}}
      optional_left_out: {task: take_opt, inputs: {n: "{{ p.n }}"}}
      mixed_list: {task: take_list, inputs: {xs: [1, "{{ p.n }}", 3]}}
      empty_list: {task: take_list, inputs: {xs: []}}
      interpolated: {task: take_str, inputs: {s: "n={{ p.n }}, xs={{ p.xs }}"}}
)";

TEST_CASE("compiler casts enum to str and str to enum in bindings") {
  auto file = testing::Compiled(kCastable);
  const CompiledWorkflow& wf = file->workflows[0];
  const CompiledBinding& to_str = testing::NodeOf(wf, "enum_to_str").body.inputs[0].value;
  CHECK(to_str.kind == CompiledBinding::Kind::kRef);
  CHECK(to_str.type == Type::Str());
  const CompiledBinding& to_enum = testing::NodeOf(wf, "str_to_enum").body.inputs[0].value;
  CHECK(to_enum.kind == CompiledBinding::Kind::kRef);
  CHECK(to_enum.type.ToString() == "enum[red, green]");
}

TEST_CASE("compiler accepts an int literal for a float input, as a float") {
  auto file = testing::Compiled(kCastable);
  const CompiledBinding& b =
      testing::NodeOf(file->workflows[0], "int_literal").body.inputs[0].value;
  CHECK(b.kind == CompiledBinding::Kind::kLiteral);
  CHECK(b.type == Type::Float());
  CHECK(b.literal == Value::Float(3.0));
}

TEST_CASE("compiler lets an optional input go unbound") {
  auto file = testing::Compiled(kCastable);
  const CompiledBody& body = testing::NodeOf(file->workflows[0], "optional_left_out").body;
  REQUIRE(body.inputs.size() == 1);
  CHECK(body.inputs[0].var == 0);
}

TEST_CASE("compiler checks each item of a list mixing literals and references") {
  auto file = testing::Compiled(kCastable);
  const CompiledBinding& b = testing::NodeOf(file->workflows[0], "mixed_list").body.inputs[0].value;
  CHECK(b.kind == CompiledBinding::Kind::kList);
  CHECK(b.type == Type::List(Type::Int()));
  REQUIRE(b.items.size() == 3);
  CHECK(b.items[0].kind == CompiledBinding::Kind::kLiteral);
  CHECK(b.items[0].literal == Value::Int(1));
  CHECK(b.items[1].kind == CompiledBinding::Kind::kRef);
  CHECK(b.items[1].type == Type::Int());
}

TEST_CASE("compiler accepts an empty list for any list input") {
  auto file = testing::Compiled(kCastable);
  const CompiledBinding& b = testing::NodeOf(file->workflows[0], "empty_list").body.inputs[0].value;
  CHECK(b.kind == CompiledBinding::Kind::kLiteral);
  CHECK(b.type == Type::List(Type::Int()));
}

TEST_CASE("compiler types text with references inside it as str") {
  auto file = testing::Compiled(kCastable);
  const CompiledWorkflow& wf = file->workflows[0];
  const CompiledBinding& b = testing::NodeOf(wf, "interpolated").body.inputs[0].value;
  CHECK(b.kind == CompiledBinding::Kind::kInterp);
  CHECK(b.type == Type::Str());
  REQUIRE(b.parts.size() == 4);
  CHECK(b.parts[0].text == "n=");
  REQUIRE(b.parts[1].ref.has_value());
  CHECK(b.parts[1].ref->node == wf.FindNode("p"));
  CHECK(b.parts[1].ref->var == 0);
  CHECK(b.parts[2].text == ", xs=");
  REQUIRE(b.parts[3].ref.has_value());
  CHECK(b.parts[3].ref->var == 3);
}

TEST_CASE("compiler reports an enum literal that is not one of the enum's values") {
  CHECK(Errors(R"(
tasks:
  paint:
    inputs: {c: "enum[red, green]"}
    script: echo
workflows:
  wf:
    nodes:
      a: {task: paint, inputs: {c: gren}}
)") == Lines{"wf.yaml:8:36: error[IllegalEnumValue]: input 'c' of task 'paint': 'gren' is not "
             "one of enum[red, green]"});
}

TEST_CASE("compiler requires a literal to match exactly one variant of a union") {
  CHECK(Errors(R"(
tasks:
  u:
    inputs: {v: "union[int, float]", w: "union[int, str]", x: "union[list[int], list[str]]"}
    script: echo
workflows:
  wf:
    nodes:
      f: {task: u, inputs: {v: 1, w: true, x: []}}
)") == Lines{"wf.yaml:8:38: error[IncompatibleBindingUnionValue]: input 'w' of task 'u': value "
             "matches none of union[int, str]",
             "wf.yaml:8:47: error[AmbiguousBindingUnionValue]: input 'x' of task 'u': value "
             "matches more than one of union[list[int], list[str]]: list[int], list[str]"});
}

TEST_CASE("compiler rejects a reference that fits more than one variant of a union") {
  CHECK(Errors(R"(
tasks:
  p:
    outputs: {c: "enum[a, b]"}
    script: echo
  u:
    inputs: {v: "union[str, enum[a, b]]"}
    script: echo
workflows:
  wf:
    nodes:
      p: {task: p}
      f: {task: u, inputs: {v: "{{ p.c }}"}}
)") == Lines{"wf.yaml:12:36: error[MismatchingTypes]: input 'v' of task 'u' expects union[str, "
             "enum[a, b]], but '{{ p.c }}' (enum[a, b]) matches more than one of its variants"});
}

TEST_CASE("compiler checks a workflow output against its declared type") {
  CHECK(Errors(R"(
tasks:
  train:
    outputs: {acc: float}
    script: echo
workflows:
  wf:
    outputs:
      acc: {value: "{{ fit.acc }}", type: int}
      label: "acc={{ fit.acc }}"
    nodes:
      fit: {task: train}
)") == Lines{"wf.yaml:8:24: error[MismatchingTypes]: output 'acc' of workflow 'wf' expects int, "
             "but '{{ fit.acc }}' is float"});
}

}  // namespace
}  // namespace flyte
