#include "kube/plugins/plugin.h"

#include "kube/manifest.h"
#include "kube/plugins/common.h"

namespace flyte::kube {

std::string ResourceKind::Collection(const std::string& ns) const {
  return (group_version.find('/') == std::string::npos ? "/api/" : "/apis/") + group_version +
         "/namespaces/" + ns + "/" + plural;
}

const ResourceKind* PluginResourceKind(spec::PluginKind kind) {
  static const ResourceKind kDask{"kubernetes.dask.org/v1", "DaskJob", "daskjobs",
                                  "the dask-kubernetes operator", "job-runner"};
  static const ResourceKind kRay{"ray.io/v1", "RayJob", "rayjobs", "KubeRay (the Ray operator)",
                                 "ray-job-submitter"};
  static const ResourceKind kSpark{"sparkoperator.k8s.io/v1beta2", "SparkApplication",
                                   "sparkapplications", "the Kubeflow Spark operator",
                                   "spark-kubernetes-driver"};
  static const ResourceKind kPyTorch{"kubeflow.org/v1", "PyTorchJob", "pytorchjobs",
                                     "the Kubeflow training operator", "pytorch"};
  switch (kind) {
    case spec::PluginKind::kDask:
      return &kDask;
    case spec::PluginKind::kRay:
      return &kRay;
    case spec::PluginKind::kSpark:
      return &kSpark;
    case spec::PluginKind::kPytorch:
      return &kPyTorch;
    case spec::PluginKind::kResource:  // its manifest names its own
    case spec::PluginKind::kNone:
      return nullptr;
  }
  return nullptr;
}

Result<BuiltResource> BuildResource(const ResourceInput& in) {
  BuiltResource out;
  Result<std::string> body = InvalidArgument("not a plugin task");
  switch (in.plugin->kind) {
    case spec::PluginKind::kDask:
      body = BuildDaskJob(in);
      break;
    case spec::PluginKind::kRay:
      body = BuildRayJob(in);
      break;
    case spec::PluginKind::kSpark:
      body = BuildSparkApplication(in);
      break;
    case spec::PluginKind::kPytorch:
      body = BuildPyTorchJob(in);
      break;
    case spec::PluginKind::kResource:
      if (std::optional<spec::ResourceManifest> m = spec::ResourceManifestOf(*in.plugin)) {
        ASSIGN_OR_RETURN(out.body, BuildManifest(*m, in));
        out.kind = {m->api_version, m->kind, "", "the operator that serves " + m->kind, ""};
        return out;
      }
      break;
    case spec::PluginKind::kNone:
      break;
  }
  if (!body.ok()) return body.status();
  if (const ResourceKind* k = PluginResourceKind(in.plugin->kind)) out.kind = *k;
  out.body = std::move(*body);
  return out;
}

ResourceState ReadState(const spec::PluginSpec& plugin, const CustomObject& object) {
  switch (plugin.kind) {
    case spec::PluginKind::kDask:
      return DaskState(object);
    case spec::PluginKind::kRay:
      return RayState(object);
    case spec::PluginKind::kSpark:
      return SparkState(object);
    case spec::PluginKind::kPytorch:
      return PyTorchState(object);
    case spec::PluginKind::kResource:
      if (std::optional<spec::ResourceManifest> m = spec::ResourceManifestOf(plugin))
        return ManifestState(*m, object);
      break;
    case spec::PluginKind::kNone:
      break;
  }
  return {};
}

namespace plugin {

Result<json> TaskPodSpec(const ResourceInput& in, const std::string& container,
                         const std::string& restart_policy) {
  json pod = json::parse(in.pod_json, nullptr, false);
  if (!pod.is_object() || !pod.contains("spec") || !pod["spec"].contains("containers") ||
      pod["spec"]["containers"].empty()) {
    return InvalidArgument("the task's Pod is not a Pod");
  }
  json spec = pod["spec"];
  for (json& c : spec["containers"]) {
    if (c.value("name", "") == "task") c["name"] = container;
  }
  spec["restartPolicy"] = restart_policy;
  return spec;
}

const spec::PluginRole* Role(const spec::PluginSpec& plugin, const std::string& name) {
  for (const spec::PluginRole& r : plugin.roles) {
    if (r.role == name) return &r;
  }
  return nullptr;
}

std::string RoleImage(const ResourceInput& in, const spec::PluginRole* role) {
  return role != nullptr && !role->image.empty() ? role->image : in.image;
}

json RoleResources(const spec::PluginRole* role) {
  if (role == nullptr || !role->resources) return nullptr;
  json r = json::object();
  auto requests = Quantities(role->resources->requests);
  auto limits = Quantities(role->resources->limits);
  if (!requests.empty()) r["requests"] = requests;
  if (!limits.empty()) r["limits"] = limits;
  return r.empty() ? json(nullptr) : r;
}

json RolePodSpec(const json& task_spec, const std::string& container, const std::string& image,
                 const json& resources, const std::string& restart_policy) {
  json spec = json::object();
  for (const char* key :
       {"serviceAccountName", "nodeSelector", "tolerations", "imagePullSecrets", "affinity"}) {
    if (task_spec.contains(key)) spec[key] = task_spec[key];
  }
  json c = {{"name", container}, {"image", image}};
  if (!resources.is_null()) c["resources"] = resources;
  spec["containers"] = json::array({c});
  spec["restartPolicy"] = restart_policy;
  return spec;
}

void MakeInterruptible(const ResourceInput& in, json& pod_spec) {
  for (const auto& [k, v] : in.interruptible_node_selector) pod_spec["nodeSelector"][k] = v;
  if (in.interruptible_tolerations_json.empty()) return;
  json more = json::parse(in.interruptible_tolerations_json, nullptr, false);
  if (!more.is_array()) return;
  if (!pod_spec.contains("tolerations") || !pod_spec["tolerations"].is_array())
    pod_spec["tolerations"] = json::array();
  for (json& t : more) pod_spec["tolerations"].push_back(t);
}

json Metadata(const ResourceInput& in) {
  json m = {{"name", in.name}, {"namespace", in.ns}};
  if (!in.labels.empty()) m["labels"] = in.labels;
  if (!in.annotations.empty()) m["annotations"] = in.annotations;
  return m;
}

json MainTemplate(const ResourceInput& in, json spec) {
  json labels = in.labels;
  labels[kMainPodLabel] = in.name;
  return {{"metadata", {{"labels", labels}}}, {"spec", std::move(spec)}};
}

}  // namespace plugin
}  // namespace flyte::kube
