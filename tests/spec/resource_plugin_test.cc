// plugin: resource in the workflow file: what the loader checks where it is written.
#include <catch2/catch.hpp>

#include "spec/resource_plugin.h"
#include "support/compile_helpers.h"

namespace flyte {
namespace {

using testing::Errors;
using testing::Lines;

TEST_CASE("loader reads a resource task: manifest, success and failure") {
  auto file = testing::Compiled(R"(
tasks:
  job:
    inputs: {n: int}
    plugin: resource
    resource:
      manifest: {apiVersion: batch/v1, kind: Job, spec: {parallelism: "{{ inputs.n }}"}}
      success: status.succeeded > 0
      failure: status.conditions[type=Failed].status == True, status.failed in (1, 2)
)");
  REQUIRE(file);
  std::optional<spec::ResourceManifest> m = spec::ResourceManifestOf(file->tasks[0].spec->plugin);
  REQUIRE(m);
  CHECK(m->api_version == "batch/v1");
  CHECK(m->kind == "Job");
  REQUIRE(m->failure);
  REQUIRE(m->failure->all.size() == 2);
  CHECK(m->failure->all[0].path == "conditions[type=Failed].status");
  CHECK(m->failure->all[1].values == std::vector<std::string>{"1", "2"});
  CHECK(file->tasks[0].spec->plugin.kind == spec::PluginKind::kResource);
  CHECK(file->tasks[0].executor == ExecutorKind::kResource);
}

TEST_CASE("loader requires a resource manifest's apiVersion and kind") {
  CHECK(Errors(R"(
tasks:
  job:
    plugin: resource
    resource:
      manifest: {apiVersion: batch/v1, spec: {}}
      success: status.succeeded > 0
)") == Lines{"wf.yaml:5:17: error[ValueRequired]: the manifest of task 'job' needs kind (which "
             "kind of object to create, e.g. apiVersion: batch/v1, kind: Job)"});
}

TEST_CASE("loader points at a condition it cannot read, and at unknown template names") {
  CHECK(Errors(R"(
tasks:
  job:
    inputs: {n: int}
    plugin: resource
    resource:
      manifest: {apiVersion: v1, kind: Pod, metadata: {name: x}, spec: {x: "{{ inputs.m }}"}}
      success: phase == Succeeded
)") == Lines{"wf.yaml:6:62: error[InvalidValue]: metadata.name of the manifest of task 'job' is "
             "set by flyte (one object per attempt, in its namespace); remove it",
             "wf.yaml:6:77: error[InvalidValue]: the manifest of task 'job' refers to "
             "'inputs.m' (did you mean 'inputs.n'?); it can use execution.id, node.id, attempt, "
             "inputs.n",
             "wf.yaml:7:16: error[InvalidValue]: success of task 'job': the path 'phase' must "
             "start with status. (conditions read the object's status) in 'phase == Succeeded'"});
}

TEST_CASE("loader rejects unknown keys and wrong replica counts in plugin sections") {
  CHECK(Errors(R"(
tasks:
  job:
    plugin: resource
    resource:
      manifest: {apiVersion: v1, kind: Pod}
      succes: status.phase == Succeeded
  fit:
    script: echo
    dask: {workers: {replicas: 0}}
)") == Lines{"wf.yaml:5:7: error[ValueRequired]: resource of task 'job' needs a success "
             "condition (e.g. success: status.succeeded > 0)",
             "wf.yaml:6:7: error[UnknownKey]: unknown key 'succes' in resource of task 'job' (did "
             "you mean 'success'?)",
             "wf.yaml:9:32: error[InvalidValue]: replicas must be between 1 and 10000, got 0"});
}

TEST_CASE("loader reads a Spark task's version and points at one that is not") {
  auto file = testing::Compiled(R"(
tasks:
  job:
    plugin: spark
    spark: {version: 3.4.1}
    script: echo
)");
  REQUIRE(file);
  CHECK(file->tasks[0].spec->plugin.version == "3.4.1");
  CHECK(Errors(R"(
tasks:
  job:
    plugin: spark
    spark: {version: latest, executor: {replicas: 2}}
    script: echo
  fit:
    plugin: dask
    dask: {version: 3.5.0}
    script: echo
)") == Lines{"wf.yaml:4:22: error[InvalidValue]: version of spark of task 'job' must be a Spark "
             "version such as 3.5.1, got 'latest'",
             "wf.yaml:8:12: error[UnknownKey]: unknown key 'version' in dask of task 'fit'"});
}

}  // namespace
}  // namespace flyte
