// plugin: pytorch → a kubeflow.org/v1 PyTorchJob (the Kubeflow training operator). The master
// replica runs the task's command under the in-Pod program and returns its outputs; workers
// run the same command (torch.distributed joins them), with their own image and resources.
#include "kube/plugins/common.h"

namespace flyte::kube {

using plugin::json;

namespace {

void Apply(const ResourceInput& in, const spec::PluginRole* role, json& spec) {
  json& c = spec["containers"][0];
  if (role != nullptr && !role->image.empty()) c["image"] = role->image;
  json resources = plugin::RoleResources(role);
  if (!resources.is_null()) c["resources"] = resources;
  (void)in;
}

}  // namespace

Result<std::string> BuildPyTorchJob(const ResourceInput& in) {
  ASSIGN_OR_RETURN(json master, plugin::TaskPodSpec(in, "pytorch", "Never"));
  const spec::PluginSpec& p = *in.plugin;
  json worker = master;
  Apply(in, plugin::Role(p, "master"), master);
  const spec::PluginRole* w = plugin::Role(p, "workers");
  Apply(in, w, worker);
  plugin::MakeInterruptible(in, worker);
  json replicas = {{"Master",
                    {{"replicas", 1},
                     {"restartPolicy", "Never"},
                     {"template", plugin::MainTemplate(in, std::move(master))}}}};
  const int64_t n = w != nullptr && w->replicas ? *w->replicas : 0;
  if (n > 0) {
    json labels = in.labels;
    replicas["Worker"] = {{"replicas", n},
                          {"restartPolicy", "Never"},
                          {"template", {{"metadata", {{"labels", labels}}}, {"spec", worker}}}};
  }
  json job = {{"apiVersion", "kubeflow.org/v1"},
              {"kind", "PyTorchJob"},
              {"metadata", plugin::Metadata(in)},
              {"spec",
               {{"runPolicy", {{"cleanPodPolicy", "None"}, {"backoffLimit", 0}}},
                {"pytorchReplicaSpecs", std::move(replicas)}}}};
  return job.dump();
}

// The newest condition whose status is True (the training operator appends them in order).
ResourceState PyTorchState(const CustomObject& o) {
  std::string type, reason, message;
  for (int i = 0;; ++i) {
    const std::string at = "conditions." + std::to_string(i) + ".";
    auto t = o.status.find(at + "type");
    if (t == o.status.end()) break;
    auto st = o.status.find(at + "status");
    if (st == o.status.end() || st->second != "True") continue;
    type = t->second;
    auto r = o.status.find(at + "reason");
    auto m = o.status.find(at + "message");
    reason = r == o.status.end() ? "" : r->second;
    message = m == o.status.end() ? "" : m->second;
  }
  ResourceState s;
  using P = ResourceState::Phase;
  if (type.empty()) {
    s.phase = P::kNoStatus;
  } else if (type == "Created" || type == "Suspended") {
    s.phase = P::kQueued;
    s.reason = message.empty() ? "PyTorchJob " + type : message;
  } else if (type == "Running" || type == "Restarting") {
    s.phase = P::kRunning;
  } else if (type == "Succeeded") {
    s.phase = P::kSucceeded;
  } else if (type == "Failed") {
    s.phase = P::kFailed;
    s.reason =
        (reason.empty() ? "PyTorchJob failed" : reason) + (message.empty() ? "" : " - " + message);
  } else {
    s.phase = P::kRunning;
    s.unknown = "condition " + type;
  }
  return s;
}

}  // namespace flyte::kube
