// The shape of the document: unknown and repeated keys, repeated ids, values of the wrong
// kind, and required values that are missing.
#include <catch2/catch.hpp>

#include "support/compile_helpers.h"

namespace flyte {
namespace {

using testing::Errors;
using testing::Lines;

TEST_CASE("loader reports an unknown key with the known key it most resembles") {
  CHECK(Errors(R"(
tasks:
  greet:
    script: echo hi
    retires: 3
)") == Lines{"wf.yaml:4:5: error[UnknownKey]: unknown key 'retires' in task 'greet' (did you mean "
             "'retries'?)"});
}

TEST_CASE("loader reports an unknown key without a suggestion when nothing is close") {
  CHECK(Errors(R"(
tasks:
  greet:
    script: echo hi
    colour: blue
)") == Lines{"wf.yaml:4:5: error[UnknownKey]: unknown key 'colour' in task 'greet'"});
}

TEST_CASE("loader suggests the plural for a singular top-level section") {
  CHECK(Errors(R"(
tasks:
  greet:
    script: echo hi
workflow:
  hello:
    nodes:
      greet: {task: greet}
)") == Lines{"wf.yaml:4:1: error[UnknownKey]: unknown key 'workflow' at the top level (did you "
             "mean 'workflows'?)"});
}

TEST_CASE("loader checks keys inside an input's long form") {
  CHECK(Errors(R"(
tasks:
  greet:
    inputs:
      who: {type: str, defualt: world}
    script: echo hi
)") == Lines{"wf.yaml:4:24: error[UnknownKey]: unknown key 'defualt' in input 'who' of task "
             "'greet' (did you mean 'default'?)"});
}

TEST_CASE("loader rejects a default on an output") {
  CHECK(Errors(R"(
tasks:
  fit:
    script: echo
    outputs:
      model: {type: file, default: x}
)") == Lines{"wf.yaml:5:27: error[UnknownKey]: unknown key 'default' in output 'model' of task "
             "'fit'"});
}

TEST_CASE("loader reports a key given twice at the second one, naming the first line") {
  CHECK(Errors(R"(
tasks:
  greet:
    script: echo hi
    retries: 1
    retries: 2
)") == Lines{"wf.yaml:5:5: error[DuplicateKey]: key 'retries' is given twice in task 'greet' "
             "(first at line 4)"});
}

TEST_CASE("loader reports a task defined twice as a duplicate id") {
  CHECK(Errors(R"(
tasks:
  greet:
    script: echo hi
  greet:
    script: echo bye
)") == Lines{"wf.yaml:4:3: error[DuplicateId]: task 'greet' is defined twice (first at line 2)"});
}

TEST_CASE("loader reports a node id used twice in a workflow as a duplicate id") {
  CHECK(Errors(R"(
tasks:
  greet:
    script: echo hi
workflows:
  hello:
    nodes:
      greet: {task: greet}
      greet: {task: greet}
)") == Lines{"wf.yaml:8:7: error[DuplicateId]: node 'greet' is defined twice (first at line 7)"});
}

TEST_CASE("loader reports an input declared twice as a duplicate id") {
  CHECK(Errors(R"(
tasks:
  greet:
    inputs:
      who: str
      who: int
    script: echo hi
)") == Lines{"wf.yaml:5:7: error[DuplicateId]: input 'who' is defined twice (first at line 4)"});
}

TEST_CASE("loader reports a list where a mapping of nodes is expected") {
  CHECK(Errors(R"(
tasks:
  greet:
    script: echo hi
workflows:
  hello:
    nodes: [greet]
)") == Lines{"wf.yaml:6:12: error[WrongShape]: expected a mapping for nodes of workflow 'hello', "
             "got a list"});
}

TEST_CASE("loader reports a list of task names where a mapping of tasks is expected") {
  CHECK(Errors(R"(
tasks: [greet]
)") == Lines{"wf.yaml:1:8: error[WrongShape]: expected a mapping for tasks, got a list"});
}

TEST_CASE("loader reports a node written as a bare name") {
  CHECK(Errors(R"(
tasks:
  greet:
    script: echo hi
workflows:
  hello:
    nodes:
      greet: greet
)") == Lines{"wf.yaml:7:14: error[WrongShape]: expected a mapping for node 'greet' (e.g. {task: "
             "NAME, inputs: {...}}), got a string \"greet\""});
}

TEST_CASE("loader reports a document that is not a mapping") {
  CHECK(Errors(R"(
- tasks
)") == Lines{"wf.yaml:1:1: error[WrongShape]: expected a mapping with tasks:, workflows: and "
             "launch_plans: at the top of the file, got a list"});
}

TEST_CASE("loader reports a node that names what it runs with a list once") {
  CHECK(Errors(R"(
tasks:
  greet:
    script: echo hi
workflows:
  hello:
    nodes:
      greet: {task: [greet]}
)") == Lines{"wf.yaml:7:21: error[WrongShape]: expected text for task, got a list"});
}

TEST_CASE("loader requires a node to say what it runs, and reports it once") {
  CHECK(Errors(R"(
tasks:
  greet:
    script: echo hi
workflows:
  hello:
    nodes:
      greet:
        inputs: {}
)") == Lines{"wf.yaml:8:9: error[ValueRequired]: node 'greet' needs one of: task, workflow, "
             "launch_plan, map, branch, sleep, approve, signal"});
}

TEST_CASE("loader requires a type in an input's long form") {
  CHECK(Errors(R"(
tasks:
  greet:
    inputs:
      who: {description: who to greet}
    script: echo hi
)") == Lines{"wf.yaml:4:7: error[ValueRequired]: input 'who' of task 'greet' needs a type"});
}

TEST_CASE("loader requires a launch plan to name its workflow, and reports it once") {
  CHECK(Errors(R"(
tasks:
  greet:
    script: echo hi
workflows:
  hello:
    nodes:
      greet: {task: greet}
launch_plans:
  nightly:
    fixed_inputs: {}
)") == Lines{"wf.yaml:9:3: error[ValueRequired]: launch plan 'nightly' needs a workflow"});
}

TEST_CASE("loader requires a file to define a task or a workflow") {
  CHECK(Errors(R"(
project: demo
)") == Lines{"wf.yaml:1:1: error[ValueRequired]: the file defines no tasks and no workflows"});
}

TEST_CASE("loader requires the project to be a DNS label") {
  CHECK(Errors(R"(
project: My_Project
tasks:
  greet:
    script: echo hi
)") == Lines{"wf.yaml:1:10: error[InvalidValue]: project 'My_Project' must be a DNS label: "
             "lowercase letters, digits and '-'"});
}

TEST_CASE("loader lists the domains when the domain is not one of them") {
  CHECK(Errors(R"(
domain: prod
tasks:
  greet:
    script: echo hi
)") == Lines{"wf.yaml:1:9: error[InvalidValue]: 'prod' is not a valid domain; expected one of "
             "development, staging, production"});
}

TEST_CASE("loader checks the spelling of task names") {
  CHECK(Errors(R"(
tasks:
  "9lives":
    script: echo hi
)") == Lines{"wf.yaml:2:3: error[InvalidValue]: task name '9lives' must match "
             "[A-Za-z_][A-Za-z0-9_.-]*"});
}

}  // namespace
}  // namespace flyte
