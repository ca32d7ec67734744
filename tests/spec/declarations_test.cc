// Declared inputs and outputs: type spellings, names and defaults.
#include <catch2/catch.hpp>

#include "support/compile_helpers.h"

namespace flyte {
namespace {

using testing::Errors;
using testing::Lines;

TEST_CASE("loader suggests the type a misspelt type name resembles") {
  CHECK(Errors(R"(
tasks:
  total:
    inputs:
      xs: lst[int]
    script: echo
)") == Lines{"wf.yaml:4:11: error[InvalidType]: invalid type 'lst[int]' for input 'xs' of task "
             "'total': unknown type 'lst' (did you mean 'list'?)"});
}

TEST_CASE("loader points inside a type spelling at what is wrong") {
  CHECK(Errors(R"(
tasks:
  total:
    inputs:
      xs: dict[int, str]
      ys: list[int
    script: echo
)") == Lines{"wf.yaml:4:16: error[InvalidType]: invalid type 'dict[int, str]' for input 'xs' of "
             "task 'total': dict keys must be str",
             "wf.yaml:5:19: error[InvalidType]: invalid type 'list[int' for input 'ys' of task "
             "'total': expected ']' after list element type"});
}

TEST_CASE("loader rejects a default of the wrong type") {
  CHECK(Errors(R"(
tasks:
  total:
    inputs:
      n: {type: int, default: ten}
    script: echo
)") == Lines{"wf.yaml:4:31: error[MismatchingTypes]: default of input 'n' of task 'total': "
             "expected int, got a string \"ten\""});
}

TEST_CASE("loader rejects a default that is not one of the enum's values") {
  CHECK(Errors(R"(
tasks:
  paint:
    inputs:
      colour: {type: "enum[red, green]", default: gren}
    script: echo
)") == Lines{"wf.yaml:4:51: error[IllegalEnumValue]: default of input 'colour' of task 'paint': "
             "'gren' is not one of enum[red, green]"});
}

TEST_CASE("loader asks for a unit on a duration default") {
  CHECK(Errors(R"(
tasks:
  wait:
    inputs:
      pause: {type: duration, default: 5}
    script: echo
)") == Lines{"wf.yaml:4:40: error[MismatchingTypes]: default of input 'pause' of task 'wait': "
             "expected duration (e.g. 90s, 1h30m, 250ms), got an int 5 (durations need a unit: "
             "5s)"});
}

TEST_CASE("loader shows the datetime format when a default is not one") {
  CHECK(Errors(R"(
tasks:
  wait:
    inputs:
      at: {type: datetime, default: tomorrow}
    script: echo
)") == Lines{"wf.yaml:4:37: error[InvalidValue]: default of input 'at' of task 'wait': expected "
             "datetime (ISO 8601, e.g. 2026-11-22T10:00:00Z), got a string \"tomorrow\""});
}

TEST_CASE("loader takes an int default for a float input") {
  auto file = testing::Compiled(R"(
tasks:
  train:
    inputs:
      lr: {type: float, default: 1}
    script: echo
)");
  const Variable& lr = file->tasks[0].iface.inputs[0];
  CHECK(lr.type == Type::Float());
  REQUIRE(lr.default_value.has_value());
  CHECK(*lr.default_value == Value::Float(1.0));
  CHECK_FALSE(lr.required());
}

TEST_CASE("loader requires input names to be identifiers") {
  CHECK(Errors(R"(
tasks:
  greet:
    inputs:
      first-name: str
    script: echo
)") == Lines{"wf.yaml:4:7: error[InvalidValue]: input 'first-name' of task 'greet': names match "
             "[A-Za-z_][A-Za-z0-9_]*"});
}

TEST_CASE("loader reads both spellings of an input and of optional types") {
  auto file = testing::Compiled(R"(
tasks:
  greet:
    inputs:
      who: string
      times:
        type: int?
        description: how often
      mood: optional[enum[happy, sad]]
    script: echo
)");
  const auto& in = file->tasks[0].iface.inputs;
  REQUIRE(in.size() == 3);
  CHECK(in[0].type == Type::Str());
  CHECK(in[0].required());
  CHECK(in[1].type == Type::Optional(Type::Int()));
  CHECK(in[1].description == "how often");
  CHECK_FALSE(in[1].required());
  CHECK(in[2].type.ToString() == "optional[enum[happy, sad]]");
}

}  // namespace
}  // namespace flyte
