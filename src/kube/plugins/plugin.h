// Plugin tasks as their operators' custom resources (KUBERNETES.md §6): one small builder and
// one status reader per plugin (dask.cc, ray.cc, spark.cc, pytorch.cc, resource.cc). Pure
// functions: the Pod runner (runner/pod_runner.h) builds the task's Pod as for a Pod task, and
// a builder wraps it into the custom resource, its "main" Pod (the one that runs the task's
// command under the in-Pod program, and whose termination message carries the outputs)
// marked with the label kMainPodLabel so the runner's one Pod watch finds it whatever name the
// operator gives it.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "flyte/spec.h"
#include "flyte/status.h"
#include "kube/objects.h"
#include "spec/resource_plugin.h"

namespace flyte::kube {

// On the main Pod's template: the name of the custom resource it belongs to.
inline constexpr const char* kMainPodLabel = "flyte.org/resource";

// Where the API serves a plugin's resource, and who serves it.
struct ResourceKind {
  std::string group_version;   // "kubernetes.dask.org/v1"
  std::string kind;            // "DaskJob"
  std::string plural;          // "daskjobs"
  std::string operator_name;   // "the dask-kubernetes operator"
  std::string main_container;  // the container that runs the task; empty: no main Pod
  // /apis/G/V/namespaces/NS/PLURAL
  std::string Collection(const std::string& ns) const;
};

// The resource kind of a plugin (dask, ray, spark, pytorch); null for others (plugin: resource
// names its own in its manifest).
const ResourceKind* PluginResourceKind(spec::PluginKind kind);

struct ResourceInput {
  std::string name;  // the object's name: ≤ 53 characters, so operators' derived names fit
  std::string ns;
  std::map<std::string, std::string> labels, annotations;
  std::string pod_json;  // the task's Pod (kube::PodManifest), non-interruptible
  std::string image;     // the task's image: the default of every role
  const spec::PluginSpec* plugin = nullptr;
  // Interruptible tasks: added to the roles that may run on spot capacity (workers only).
  std::map<std::string, std::string> interruptible_node_selector;
  std::string interruptible_tolerations_json;
  // plugin: resource: what {{ }} in the manifest's strings become, as JSON values ("inputs.n" →
  // "3", "execution.id" → "\"r1\"").
  std::map<std::string, std::string> vars;
};

struct BuiltResource {
  ResourceKind kind;
  std::string body;  // the object, as JSON
};

// The custom resource for `in.plugin`. Errors: a Pod that is not JSON, a manifest that
// cannot be built.
Result<BuiltResource> BuildResource(const ResourceInput& in);

// What a resource's status says, in the runner's terms.
struct ResourceState {
  enum class Phase : uint8_t { kNoStatus, kQueued, kInitializing, kRunning, kSucceeded, kFailed };
  Phase phase = Phase::kNoStatus;
  std::string reason;   // why it waits, or why it failed
  std::string unknown;  // a status this flyte does not know: kept running, with this warning
  bool retryable = true;
  bool terminal() const { return phase == Phase::kSucceeded || phase == Phase::kFailed; }
};

ResourceState ReadState(const spec::PluginSpec& plugin, const CustomObject& object);

// Per plugin (each in its own file).
Result<std::string> BuildDaskJob(const ResourceInput& in);
Result<std::string> BuildRayJob(const ResourceInput& in);
Result<std::string> BuildSparkApplication(const ResourceInput& in);
Result<std::string> BuildPyTorchJob(const ResourceInput& in);
Result<std::string> BuildManifest(const spec::ResourceManifest& m, const ResourceInput& in);
ResourceState DaskState(const CustomObject& o);
ResourceState RayState(const CustomObject& o);
ResourceState SparkState(const CustomObject& o);
ResourceState PyTorchState(const CustomObject& o);
ResourceState ManifestState(const spec::ResourceManifest& m, const CustomObject& o);
// Whether `c` holds for the flattened status (exposed for tests).
bool Holds(const spec::StatusCondition& c, const std::map<std::string, std::string>& status);

}  // namespace flyte::kube
