// plugin: spark → a sparkoperator.k8s.io/v1beta2 SparkApplication (the Kubeflow Spark operator).
// The driver runs the task's command under the in-Pod program through its Pod template; the
// executors are the `executor` role, `conf` is sparkConf.
#include "kube/manifest.h"
#include "kube/plugins/common.h"

namespace flyte::kube {

using plugin::json;

namespace {

// The task's `version` when it names none: a current 3.5 release, which the operator's
// default images run.
constexpr const char* kDefaultSparkVersion = "3.5.0";

// cores and memory of a SparkPodSpec from a role's requests (limits when no request).
void Size(const spec::PluginRole* role, json& out) {
  if (role == nullptr || !role->resources) return;
  const spec::ResourceAmounts& req = role->resources->requests;
  const spec::ResourceAmounts& lim = role->resources->limits;
  if (req.cpu_millis) out["cores"] = std::max<int64_t>(1, *req.cpu_millis / 1000);
  if (lim.cpu_millis) out["coreLimit"] = CpuQuantity(*lim.cpu_millis);
  const std::optional<int64_t> mem = req.mem_bytes ? req.mem_bytes : lim.mem_bytes;
  // Spark's JVM spelling: 512m, 4g.
  if (mem) {
    out["memory"] = *mem % (int64_t{1} << 30) == 0
                        ? std::to_string(*mem >> 30) + "g"
                        : std::to_string(std::max<int64_t>(1, *mem >> 20)) + "m";
  }
}

}  // namespace

Result<std::string> BuildSparkApplication(const ResourceInput& in) {
  ASSIGN_OR_RETURN(json driver_spec, plugin::TaskPodSpec(in, "spark-kubernetes-driver", "Never"));
  const spec::PluginSpec& p = *in.plugin;
  const spec::PluginRole* d = plugin::Role(p, "driver");
  const spec::PluginRole* e = plugin::Role(p, "executor");
  json main = plugin::MainTemplate(in, driver_spec);
  json driver = {{"labels", main["metadata"]["labels"]}, {"template", main}};
  if (driver_spec.contains("serviceAccountName"))
    driver["serviceAccount"] = driver_spec["serviceAccountName"];
  Size(d, driver);
  json executor_template = {
      {"spec", plugin::RolePodSpec(driver_spec, "spark-kubernetes-executor",
                                   plugin::RoleImage(in, e), plugin::RoleResources(e), "Never")}};
  plugin::MakeInterruptible(in, executor_template["spec"]);
  json executor = {{"instances", e != nullptr && e->replicas ? *e->replicas : 1},
                   {"image", plugin::RoleImage(in, e)},
                   {"template", executor_template}};
  if (!in.labels.empty()) executor["labels"] = in.labels;
  Size(e, executor);
  json spec = {{"type", "Python"},
               {"mode", "cluster"},
               {"image", in.image},
               {"sparkVersion", p.version.empty() ? kDefaultSparkVersion : p.version},
               // flyte retries attempts itself.
               {"restartPolicy", {{"type", "Never"}}},
               {"driver", std::move(driver)},
               {"executor", std::move(executor)}};
  if (p.settings) {
    json conf = json::parse(p.settings->ToCanonicalJson(), nullptr, false);
    if (conf.is_object()) {
      for (auto& [k, v] : conf.items()) spec["sparkConf"][k] = v.is_string() ? v : json(v.dump());
    }
  }
  json app = {{"apiVersion", "sparkoperator.k8s.io/v1beta2"},
              {"kind", "SparkApplication"},
              {"metadata", plugin::Metadata(in)},
              {"spec", std::move(spec)}};
  return app.dump();
}

// status.applicationState.state, as Flyte's Spark plugin maps it.
ResourceState SparkState(const CustomObject& o) {
  auto get = [&](const char* k) {
    auto it = o.status.find(k);
    return it == o.status.end() ? std::string() : it->second;
  };
  const std::string v = get("applicationState.state");
  ResourceState s;
  using P = ResourceState::Phase;
  if (v.empty()) {
    s.phase = P::kNoStatus;
  } else if (v == "NEW") {
    s.phase = P::kQueued;
  } else if (v == "SUBMITTED") {
    s.phase = P::kInitializing;
    s.reason = "submitted to Spark";
  } else if (v == "RUNNING" || v == "PENDING_RERUN" || v == "INVALIDATING" || v == "SUCCEEDING" ||
             v == "FAILING") {
    s.phase = P::kRunning;
  } else if (v == "COMPLETED") {
    s.phase = P::kSucceeded;
  } else if (v == "FAILED" || v == "SUBMISSION_FAILED") {
    s.phase = P::kFailed;
    const std::string message = get("applicationState.errorMessage");
    s.reason = "SparkApplication " + v + (message.empty() ? "" : ": " + message);
  } else {
    s.phase = P::kRunning;
    s.unknown = "applicationState.state " + v;
  }
  return s;
}

}  // namespace flyte::kube
