// Which inputs a node must bind, and binding each at most once.
#include <catch2/catch.hpp>

#include "support/compile_helpers.h"

namespace flyte {
namespace {

using testing::Errors;
using testing::Lines;

TEST_CASE("compiler reports a required input left unbound, but not defaulted or optional ones") {
  CHECK(Errors(R"(
tasks:
  add:
    inputs: {a: int, b: int, c: {type: int, default: 0}, d: "int?"}
    outputs: {sum: int}
    script: echo
workflows:
  wf:
    nodes:
      s: {task: add, inputs: {a: 1}}
)") == Lines{"wf.yaml:9:7: error[ParameterNotBound]: node 's': input 'b' (int) of task 'add' is "
             "not bound"});
}

TEST_CASE("compiler reports an unbound input of a subworkflow") {
  CHECK(Errors(R"(
tasks:
  add:
    inputs: {a: int}
    script: echo
workflows:
  inner:
    inputs: {a: int}
    nodes:
      s: {task: add, inputs: {a: "{{ inputs.a }}"}}
  outer:
    nodes:
      call: {workflow: inner}
)") == Lines{"wf.yaml:12:7: error[ParameterNotBound]: node 'call': input 'a' (int) of workflow "
             "'inner' is not bound"});
}

TEST_CASE("loader reports an input bound twice in one node") {
  CHECK(Errors(R"(
tasks:
  add:
    inputs: {a: int}
    script: echo
workflows:
  wf:
    nodes:
      s:
        task: add
        inputs:
          a: 1
          a: 2
)") == Lines{"wf.yaml:12:11: error[ParameterBoundMoreThanOnce]: input 'a' of node 's' is bound "
             "twice (first at line 11)"});
}

TEST_CASE("compiler checks the error message's type against an on_failure input") {
  CHECK(Errors(R"(
tasks:
  train:
    script: echo
  notify:
    inputs: {error: int}
    script: echo
workflows:
  wf:
    on_failure: {task: notify}
    nodes:
      fit: {task: train}
)") == Lines{"wf.yaml:9:17: error[MismatchingTypes]: on_failure of workflow 'wf': input 'error' "
             "of task 'notify' expects int, but the error message is str"});
}

TEST_CASE("compiler applies node overrides over the task's settings") {
  auto file = testing::Compiled(R"(
tasks:
  train:
    script: echo
    retries: 1
    timeout: 10m
    image: python:3.12
workflows:
  wf:
    nodes:
      plain: {task: train}
      tuned: {task: train, retries: 3, timeout: 1h, image: python:3.13, cache: true}
)");
  const CompiledWorkflow& wf = file->workflows[0];
  const CompiledBody& plain = testing::NodeOf(wf, "plain").body;
  CHECK(plain.retries == 1);
  CHECK(plain.timeout_nanos == int64_t{600'000'000'000});
  CHECK(plain.image == "python:3.12");
  CHECK_FALSE(plain.cache.enabled);
  const CompiledBody& tuned = testing::NodeOf(wf, "tuned").body;
  CHECK(tuned.retries == 3);
  CHECK(tuned.timeout_nanos == int64_t{3'600'000'000'000});
  CHECK(tuned.image == "python:3.13");
  CHECK(tuned.cache.enabled);
}

}  // namespace
}  // namespace flyte
