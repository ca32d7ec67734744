// plugin: ray → a ray.io/v1 RayJob (KubeRay). Its submitter Pod runs the task's command under
// the in-Pod program (KubeRay keeps a submitter command that is set), against the RayJob's
// cluster: a head group and one worker group. The command is the Ray driver: RAY_ADDRESS points
// it at the cluster, so ray.init() connects there.
#include "kube/plugins/common.h"

namespace flyte::kube {

using plugin::json;

namespace {

std::string ShellQuote(const std::string& s) {
  if (s.empty()) return "''";
  bool plain = true;
  for (char c : s) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) ||
          std::string_view("-_./=:,@%+").find(c) != std::string_view::npos)) {
      plain = false;
    }
  }
  if (plain) return s;
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// KubeRay gives the submitter RAY_DASHBOARD_ADDRESS (the head Service, port 8265) once the
// cluster is up; its name has a random part, so RAY_ADDRESS is derived in the Pod: the same
// host's Ray Client port (10001), unless the task sets RAY_ADDRESS itself.
constexpr const char* kRayAddress =
    "a=${RAY_DASHBOARD_ADDRESS#*://}; "
    "if [ -z \"${RAY_ADDRESS:-}\" ] && [ -n \"$a\" ]; then "
    "export RAY_ADDRESS=\"ray://${a%:*}:10001\"; fi; exec \"$@\"";

}  // namespace

Result<std::string> BuildRayJob(const ResourceInput& in) {
  ASSIGN_OR_RETURN(json submitter, plugin::TaskPodSpec(in, "ray-job-submitter", "Never"));
  const spec::PluginSpec& p = *in.plugin;
  std::string entrypoint;
  for (const json& arg : submitter["containers"][0].value("command", json::array())) {
    if (!entrypoint.empty()) entrypoint += ' ';
    entrypoint += ShellQuote(arg.is_string() ? arg.get<std::string>() : arg.dump());
  }
  json& command = submitter["containers"][0]["command"];
  if (command.is_array() && !command.empty()) {
    json wrapped = json::array({"/bin/sh", "-c", kRayAddress, "flyte-ray"});
    for (json& arg : command) wrapped.push_back(std::move(arg));
    command = std::move(wrapped);
  }
  const spec::PluginRole* h = plugin::Role(p, "head");
  json head = plugin::RolePodSpec(submitter, "ray-head", plugin::RoleImage(in, h),
                                  plugin::RoleResources(h), "Always");
  head["containers"][0]["ports"] = json::array({{{"name", "gcs"}, {"containerPort", 6379}},
                                                {{"name", "dashboard"}, {"containerPort", 8265}},
                                                {{"name", "client"}, {"containerPort", 10001}}});
  const spec::PluginRole* w = plugin::Role(p, "workers");
  json worker = plugin::RolePodSpec(submitter, "ray-worker", plugin::RoleImage(in, w),
                                    plugin::RoleResources(w), "Always");
  plugin::MakeInterruptible(in, worker);
  const int64_t replicas = w != nullptr && w->replicas ? *w->replicas : 1;
  json spec = {
      {"entrypoint", entrypoint},
      {"submissionMode", "K8sJobMode"},
      {"shutdownAfterJobFinishes", true},
      {"submitterPodTemplate", plugin::MainTemplate(in, std::move(submitter))},
      {"rayClusterSpec",
       {{"headGroupSpec",
         {{"rayStartParams", {{"dashboard-host", "0.0.0.0"}}}, {"template", {{"spec", head}}}}},
        {"workerGroupSpecs", json::array({{{"groupName", "workers"},
                                           {"replicas", replicas},
                                           {"minReplicas", replicas},
                                           {"maxReplicas", replicas},
                                           {"rayStartParams", json::object()},
                                           {"template", {{"spec", worker}}}}})}}}};
  // runtime_env: JSON is YAML, which is what KubeRay reads.
  if (p.settings) spec["runtimeEnvYAML"] = p.settings->ToCanonicalJson();
  json job = {{"apiVersion", "ray.io/v1"},
              {"kind", "RayJob"},
              {"metadata", plugin::Metadata(in)},
              {"spec", std::move(spec)}};
  return job.dump();
}

// status.jobDeploymentStatus, with jobStatus, reason and message (KubeRay's rayjob_types.go).
// Values KubeRay may add later keep the task running with a warning, where Flyte's plugin
// fails it.
ResourceState RayState(const CustomObject& o) {
  auto get = [&](const char* k) {
    auto it = o.status.find(k);
    return it == o.status.end() ? std::string() : it->second;
  };
  const std::string v = get("jobDeploymentStatus");
  const std::string job = get("jobStatus");
  ResourceState s;
  using P = ResourceState::Phase;
  if (v.empty()) {
    s.phase = P::kNoStatus;
  } else if (v == "New" || v == "Suspended" || v == "Suspending") {
    s.phase = P::kQueued;
    s.reason = "RayJob " + v;
  } else if (v == "Initializing" || v == "Scheduling" || v == "Scheduled" || v == "Waiting") {
    s.phase = P::kInitializing;
    s.reason = "Ray cluster " + v;
  } else if (v == "Running" || v == "Retrying") {
    s.phase = P::kRunning;
    if (v == "Retrying") s.reason = "KubeRay is retrying the job";
  } else if (v == "Complete") {
    // Complete with a job that did not succeed (STOPPED) is no success.
    s.phase = job.empty() || job == "SUCCEEDED" ? P::kSucceeded : P::kFailed;
    if (s.phase == P::kFailed) s.reason = "the Ray job ended " + job;
  } else if (v == "Failed" || v == "ValidationFailed") {
    s.phase = P::kFailed;
    s.retryable = v == "Failed";
    const std::string reason = get("reason"), message = get("message");
    s.reason = (reason.empty() ? "" : "[" + reason + "] ") +
               (message.empty() ? "the RayJob failed" : message);
  } else {
    s.phase = P::kRunning;
    s.unknown = "jobDeploymentStatus " + v;
  }
  return s;
}

}  // namespace flyte::kube
