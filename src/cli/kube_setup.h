// Turning Kubernetes on for `flyte run` and `flyte serve` (KUBERNETES.md §1–2): the kubeconfig
// read as kubectl reads it, a client, and the Pod runner routed in for the task kinds that run
// as Pods. Without Kubernetes, tasks that require it are refused before anything runs.
#pragma once

#include <uv.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "flyte/status.h"
#include "runner/routing_runner.h"

namespace flyte {

class PodRunner;
namespace storage {
class DataStores;
}
namespace kube {
class Client;
}

struct KubeFlags {
  bool enabled = false;    // --kubernetes (or any flag below, or a kubernetes: config section)
  std::string kubeconfig;  // --kubeconfig: that file only
  std::string context;
  std::string ns;
  std::string image;  // default image for tasks without one
  std::string service_account;
  uint32_t max_pods = 100;
  bool delete_failed = true;
  int64_t image_pull_grace_nanos = 180'000'000'000;
  std::map<std::string, std::string> labels, annotations, node_selector;
  std::string tolerations_json;   // a JSON list, or empty
  std::string pod_template_json;  // a Pod, PodTemplate or Pod spec, or empty
  // Added to interruptible tasks' Pods.
  std::map<std::string, std::string> interruptible_node_selector;
  std::string interruptible_tolerations_json;
  int64_t keep_failed_for_nanos = 0;  // failed Pods kept this long (0: per delete_failed)
  std::string instance;  // label telling this flyte's Pods from others'; default from the home
  // Refuse plugin tasks whose operator the cluster lacks before an execution starts (flyte
  // run); a server checks per attempt instead, so an operator installed later is used.
  bool check_operators_at_start = false;
  bool any() const { return enabled || !kubeconfig.empty() || !context.empty(); }
};

class KubeSetup {
 public:
  ~KubeSetup();
  PodRunner& runner() { return *runner_; }
  kube::Client& client() { return *client_; }
  // "context fake, namespace default, https://127.0.0.1:6443"
  const std::string& description() const { return description_; }

 private:
  friend Result<std::unique_ptr<KubeSetup>> SetUpKubernetes(uv_loop_t*, const KubeFlags&,
                                                            const std::string&, RoutingRunner&,
                                                            storage::DataStores*);
  std::unique_ptr<kube::Client> client_;
  std::unique_ptr<PodRunner> runner_;
  std::string description_;
};

// With flags.any(): reads the kubeconfig, connects, routes Pod kinds to a new Pod runner.
// Without: marks `runner: kubernetes` tasks as needing it, and returns null. `home` names
// this flyte's Pods (their instance label). Errors name the kubeconfig and the reason.
// `stores` (borrowed): where file and folder values travel (the raw_data_prefix).
Result<std::unique_ptr<KubeSetup>> SetUpKubernetes(uv_loop_t* loop, const KubeFlags& flags,
                                                   const std::string& home, RoutingRunner& runners,
                                                   storage::DataStores* stores = nullptr);

}  // namespace flyte
