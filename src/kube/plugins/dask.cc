// plugin: dask → a kubernetes.dask.org/v1 DaskJob, as Flyte's Dask plugin builds it
// (flyteplugins dask.go), with a ClusterIP scheduler Service instead of a NodePort.
#include "kube/manifest.h"
#include "kube/plugins/common.h"

namespace flyte::kube {

using plugin::json;

Result<std::string> BuildDaskJob(const ResourceInput& in) {
  ASSIGN_OR_RETURN(json runner, plugin::TaskPodSpec(in, "job-runner", "Never"));
  const spec::PluginSpec& p = *in.plugin;

  const spec::PluginRole* s = plugin::Role(p, "scheduler");
  json scheduler = plugin::RolePodSpec(runner, "scheduler", plugin::RoleImage(in, s),
                                       plugin::RoleResources(s), "Always");
  json& sc = scheduler["containers"][0];
  sc["args"] = {"dask-scheduler"};
  sc["ports"] =
      json::array({{{"name", "tcp-comm"}, {"containerPort", 8786}, {"protocol", "TCP"}},
                   {{"name", "dashboard"}, {"containerPort", 8787}, {"protocol", "TCP"}}});
  sc["readinessProbe"] = {{"httpGet", {{"port", "dashboard"}, {"path", "/health"}}},
                          {"initialDelaySeconds", 5},
                          {"periodSeconds", 5},
                          {"failureThreshold", 30}};

  const spec::PluginRole* w = plugin::Role(p, "workers");
  json worker = plugin::RolePodSpec(runner, "dask-worker", plugin::RoleImage(in, w),
                                    plugin::RoleResources(w), "Always");
  json args = {"dask-worker", "--name", "$(DASK_WORKER_NAME)"};
  if (w != nullptr && w->resources) {
    const spec::ResourceAmounts& lim = w->resources->limits;
    if (lim.cpu_millis) {
      args.push_back("--nthreads");
      args.push_back(std::to_string(std::max<int64_t>(1, *lim.cpu_millis / 1000)));
    }
    if (lim.mem_bytes) {
      args.push_back("--memory-limit");
      args.push_back(BytesQuantity(*lim.mem_bytes));
    }
  }
  worker["containers"][0]["args"] = args;
  plugin::MakeInterruptible(in, worker);  // workers only: the runner and scheduler must stay

  json service = {
      {"type", "ClusterIP"},
      {"selector", {{"dask.org/cluster-name", in.name}, {"dask.org/component", "scheduler"}}},
      {"ports",
       json::array(
           {{{"name", "tcp-comm"}, {"protocol", "TCP"}, {"port", 8786}, {"targetPort", "tcp-comm"}},
            {{"name", "dashboard"},
             {"protocol", "TCP"},
             {"port", 8787},
             {"targetPort", "dashboard"}}})}};
  json job = {
      {"apiVersion", "kubernetes.dask.org/v1"},
      {"kind", "DaskJob"},
      {"metadata", plugin::Metadata(in)},
      {"spec",
       {{"job", plugin::MainTemplate(in, std::move(runner))},
        {"cluster",
         {{"spec",
           {{"worker",
             {{"replicas", w != nullptr && w->replicas ? *w->replicas : 1},
              {"spec", std::move(worker)}}},
            {"scheduler", {{"spec", std::move(scheduler)}, {"service", std::move(service)}}}}}}}}}};
  return job.dump();
}

// status.jobStatus (dask-kubernetes' controller): JobCreated → ClusterCreated → Running →
// Successful | Failed. The runner Pod is read first by the Pod runner (image pulls, OOM, the
// exit code); this is what the operator says on top.
ResourceState DaskState(const CustomObject& o) {
  ResourceState s;
  auto it = o.status.find("jobStatus");
  const std::string v = it == o.status.end() ? "" : it->second;
  if (v.empty()) {
    s.phase = ResourceState::Phase::kNoStatus;
  } else if (v == "JobCreated" || v == "ClusterCreated") {
    s.phase = ResourceState::Phase::kInitializing;
    s.reason = v == "JobCreated" ? "DaskJob created" : "Dask cluster created";
  } else if (v == "Running") {
    s.phase = ResourceState::Phase::kRunning;
  } else if (v == "Successful" || v == "Completed") {
    s.phase = ResourceState::Phase::kSucceeded;
  } else if (v == "Failed") {
    s.phase = ResourceState::Phase::kFailed;
    s.reason = "the DaskJob failed";
  } else {
    s.phase = ResourceState::Phase::kRunning;
    s.unknown = "jobStatus " + v;
  }
  return s;
}

}  // namespace flyte::kube
