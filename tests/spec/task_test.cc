// Task definitions: what runs, how often, for how long, with what resources.
#include <catch2/catch.hpp>

#include "support/compile_helpers.h"

namespace flyte {
namespace {

using testing::Errors;
using testing::Lines;

TEST_CASE("loader requires a task to have a command or a script") {
  CHECK(Errors(R"(
tasks:
  greet:
    description: Say hello.
)") == Lines{"wf.yaml:2:3: error[ValueRequired]: task 'greet' needs a command or a script"});
}

TEST_CASE("loader explains that a command is a list, not shell text") {
  CHECK(Errors(R"(
tasks:
  greet:
    command: echo hi
)") == Lines{"wf.yaml:3:14: error[WrongShape]: expected a list of arguments for command of task "
             "'greet', got a string (write [prog, arg, ...], or use script: for shell text)"});
}

TEST_CASE("loader rejects an empty command") {
  CHECK(Errors(R"(
tasks:
  greet:
    command: []
)") == Lines{"wf.yaml:3:14: error[InvalidValue]: command of task 'greet' is empty"});
}

TEST_CASE("loader requires a script to be text") {
  CHECK(Errors(R"(
tasks:
  greet:
    script: [echo, hi]
)") == Lines{"wf.yaml:3:13: error[WrongShape]: expected text for script of task 'greet', got a "
             "list"});
}

TEST_CASE("loader rejects a task with both a command and a script") {
  CHECK(Errors(R"(
tasks:
  greet:
    command: [echo, hi]
    script: echo hi
)") == Lines{"wf.yaml:4:13: error[InvalidValue]: task 'greet' has both command and script; use "
             "one"});
}

TEST_CASE("loader rejects a shell for a task that runs a command") {
  CHECK(Errors(R"(
tasks:
  greet:
    command: [echo, hi]
    shell: bash
)") == Lines{"wf.yaml:4:12: error[InvalidValue]: shell of task 'greet' only applies to script:"});
}

TEST_CASE("loader asks for a unit when a timeout is a bare number") {
  CHECK(Errors(R"(
tasks:
  greet:
    script: echo hi
    timeout: 5
)") == Lines{"wf.yaml:4:14: error[InvalidValue]: expected a duration such as 30s, 5m or 1h30m for "
             "timeout, got an int 5"});
}

TEST_CASE("loader requires a timeout to be positive") {
  CHECK(Errors(R"(
tasks:
  greet:
    script: echo hi
    timeout: 0s
)") == Lines{"wf.yaml:4:14: error[InvalidValue]: timeout must be positive, got 0s"});
}

TEST_CASE("loader rejects negative retries") {
  CHECK(Errors(R"(
tasks:
  greet:
    script: echo hi
    retries: -1
)") == Lines{"wf.yaml:4:14: error[InvalidValue]: retries must be between 0 and 100, got -1"});
}

TEST_CASE("loader rejects a retry backoff that starts above its maximum") {
  CHECK(Errors(R"(
tasks:
  fit:
    script: echo
    retry_backoff: {initial: 10s, max: 1s}
)") == Lines{"wf.yaml:4:20: error[InvalidValue]: retry_backoff of task 'fit': initial must be "
             "between 0 and max"});
}

TEST_CASE("loader rejects a memory quantity it cannot read") {
  CHECK(Errors(R"(
tasks:
  train:
    script: echo
    resources:
      mem: 4GB?
)") == Lines{"wf.yaml:5:12: error[InvalidValue]: mem of task 'train' must be a quantity such as "
             "512Mi, 4Gi or 1G, got 4GB?"});
}

TEST_CASE("loader rejects zero cpus") {
  CHECK(Errors(R"(
tasks:
  train:
    script: echo
    resources:
      cpu: 0
)") == Lines{"wf.yaml:5:12: error[InvalidValue]: cpu of task 'train' must be a positive number of "
             "cores such as 2, 0.5 or 500m, got 0"});
}

TEST_CASE("loader rejects a resource limit below its request") {
  CHECK(Errors(R"(
tasks:
  train:
    script: echo
    resources:
      mem: 2Gi
      limits: {mem: 1Gi}
)") == Lines{"wf.yaml:6:21: error[InvalidValue]: the mem limit of task 'train' is below its "
             "request"});
}

TEST_CASE("loader rejects an environment variable name with a dash") {
  CHECK(Errors(R"(
tasks:
  greet:
    script: echo
    env: {"MY-VAR": x}
)") == Lines{"wf.yaml:4:11: error[InvalidValue]: 'MY-VAR' is not a valid environment variable "
             "name"});
}

TEST_CASE("loader rejects a secret exposed both as a variable and as a file") {
  CHECK(Errors(R"(
tasks:
  greet:
    script: echo
    secrets:
      - {name: token, env: TOKEN, file: /etc/token}
)") == Lines{"wf.yaml:5:41: error[InvalidValue]: secret 'token' of task 'greet' sets both env and "
             "file; pick one"});
}

TEST_CASE("loader suggests the plugin a misspelt plugin name resembles") {
  CHECK(Errors(R"(
tasks:
  fit:
    script: echo
    plugin: dsak
)") == Lines{"wf.yaml:4:13: error[InvalidValue]: 'dsak' is not a valid plugin; expected one of "
             "dask, ray, spark, pytorch, resource (did you mean 'dask'?)"});
}

TEST_CASE("loader rejects settings for a plugin the task does not use") {
  CHECK(Errors(R"(
tasks:
  fit:
    script: echo
    plugin: ray
    dask: {workers: {replicas: 2}}
)") == Lines{"wf.yaml:5:11: error[InvalidValue]: dask: is set but task 'fit' uses plugin 'ray'"});
}

TEST_CASE("loader rejects cache settings that are neither a bool nor a mapping") {
  CHECK(Errors(R"(
tasks:
  fit:
    script: echo
    cache: yes
)") == Lines{"wf.yaml:4:12: error[WrongShape]: expected true, false or {version, serialize, "
             "ignore_inputs, ttl} for cache of task 'fit', got a string \"yes\""});
}

TEST_CASE("compiler checks that the inputs a cache ignores exist") {
  CHECK(Errors(R"(
tasks:
  fit:
    inputs: {seed: int}
    script: echo
    cache: {ignore_inputs: [sed]}
)") == Lines{"wf.yaml:5:29: error[VariableNameNotFound]: ignore_inputs of task 'fit': task has "
             "no input 'sed' (did you mean 'seed'?)"});
}

TEST_CASE("loader reads YAML 1.1 yes as text, not as a bool") {
  CHECK(Errors(R"(
tasks:
  fit:
    script: echo
    interruptible: yes
)") == Lines{"wf.yaml:4:20: error[InvalidValue]: expected true or false for interruptible, got a "
             "string \"yes\""});
}

TEST_CASE("loader reserves output names that start with an underscore") {
  CHECK(Errors(R"(
tasks:
  fit:
    script: echo
    outputs:
      _ERROR: str
)") == Lines{"wf.yaml:5:7: error[InvalidValue]: output '_ERROR' of task 'fit': names starting "
             "with '_' are reserved (_ERROR, _workflow.yaml)"});
}

TEST_CASE("compiler reports a task template naming an input the task lacks") {
  CHECK(Errors(R"(
tasks:
  greet:
    inputs: {who: str}
    script: |
      echo start
      echo {{ inputs.whom }}
)") == Lines{"wf.yaml:6:15: error[VariableNameNotFound]: '{{ inputs.whom }}' in script: task "
             "'greet' has no input 'whom' (did you mean 'who'?)"});
}

TEST_CASE("compiler allows only inputs and outputs in task templates") {
  CHECK(Errors(R"(
tasks:
  greet:
    outputs: {y: int}
    command: [echo, "{{ other.y }}"]
)") == Lines{"wf.yaml:4:25: error[VariableNameNotFound]: '{{ other.y }}' in command of task "
             "'greet': a task can only use {{ inputs.NAME }} and {{ outputs.NAME }}"});
}

TEST_CASE("compiler rejects attribute access in task templates") {
  CHECK(Errors(R"(
tasks:
  greet:
    inputs: {cfg: json}
    command: [echo, "{{ inputs.cfg.name }}"]
)") == Lines{"wf.yaml:4:25: error[FieldNotFound]: '{{ inputs.cfg.name }}' in command of task "
             "'greet': attribute access is not available in task templates; read the input file "
             "from $FLYTE_INPUT_DIR instead"});
}

TEST_CASE("compiler resolves the holes of a command to variable indices") {
  auto file = testing::Compiled(R"(
tasks:
  add:
    inputs: {a: int, b: int}
    outputs: {sum: int}
    command: [add, "{{ inputs.b }}", "--out={{ outputs.sum }}"]
)");
  const CompiledTask& t = file->tasks[0];
  REQUIRE(t.command.size() == 3);
  REQUIRE(t.command[1].size() == 1);
  CHECK(t.command[1][0].kind == TemplateSegment::Kind::kInput);
  CHECK(t.command[1][0].var == 1);
  REQUIRE(t.command[2].size() == 2);
  CHECK(t.command[2][0].kind == TemplateSegment::Kind::kText);
  CHECK(t.command[2][0].text == "--out=");
  CHECK(t.command[2][1].kind == TemplateSegment::Kind::kOutput);
  CHECK(t.command[2][1].var == 0);
}

TEST_CASE("compiler gives editing a task's script a new definition hash") {
  auto a = testing::Compiled(R"(
tasks:
  greet:
    script: echo hi
)");
  auto b = testing::Compiled(R"(
tasks:
  greet:
    script: echo hello
)");
  auto c = testing::Compiled(R"(
tasks:
  greet:
    description: only the description differs
    script: echo hi
)");
  CHECK(a->tasks[0].definition_hash.size() == 64);
  CHECK(a->tasks[0].definition_hash != b->tasks[0].definition_hash);
  CHECK(a->tasks[0].definition_hash == c->tasks[0].definition_hash);
}

}  // namespace
TEST_CASE(
    "compiler puts a plugin's cluster settings in the definition hash, so the cache follows them") {
  auto with = [](const std::string& dask) {
    return testing::Compiled(R"(
tasks:
  count:
    plugin: dask
    dask:
)" + dask + R"(
    script: echo hi
)");
  };
  auto four = with("      workers: {replicas: 4, resources: {cpu: 2}}\n");
  auto eight = with("      workers: {replicas: 8, resources: {cpu: 2}}\n");
  auto more_cpu = with("      workers: {replicas: 4, resources: {cpu: 3}}\n");
  auto four_again = with("      workers: {replicas: 4, resources: {cpu: 2}}\n");
  CHECK(four->tasks[0].definition_hash != eight->tasks[0].definition_hash);
  CHECK(four->tasks[0].definition_hash != more_cpu->tasks[0].definition_hash);
  CHECK(four->tasks[0].definition_hash == four_again->tasks[0].definition_hash);
  // A task without a plugin hashes as before this change (its cache entries stay valid).
  auto plain = testing::Compiled("tasks:\n  greet:\n    script: echo hi\n");
  CHECK(plain->tasks[0].definition_hash ==
        "553313569f180e66a6cf75bab296c029085bd6b8d603ab26fcac19b78f6ee135");
}

}  // namespace flyte
