#include "cli/kube_setup.h"

#include <unistd.h>

#include "kube/client.h"
#include "kube/kubeconfig.h"
#include "kube/manifest.h"
#include "runner/pod_runner.h"
#include "util/proc.h"
#include "util/sha256.h"

namespace flyte {

KubeSetup::~KubeSetup() = default;

Result<std::unique_ptr<KubeSetup>> SetUpKubernetes(uv_loop_t* loop, const KubeFlags& flags,
                                                   const std::string& home, RoutingRunner& runners,
                                                   storage::DataStores* stores) {
  if (!flags.any()) {
    runners.Require(ExecutorKind::kKubernetes,
                    "it says `runner: kubernetes`; run with --kubernetes or --kubeconfig FILE");
    return std::unique_ptr<KubeSetup>();
  }
  // The server's template and tolerations are checked now, not at the first Pod.
  for (bool spot : {false, true}) {
    kube::PodRequest probe;
    probe.name = "probe";
    probe.image = "probe";
    probe.tolerations_json = spot ? flags.interruptible_tolerations_json : flags.tolerations_json;
    probe.pod_template_json = spot ? "" : flags.pod_template_json;
    Result<std::string> pod = kube::PodManifest(probe);
    if (!pod.ok()) {
      return InvalidArgument(std::string("kubernetes: the ") +
                             (spot ? "interruptible tolerations" : "pod template or tolerations") +
                             " cannot make a Pod: " + pod.status().message());
    }
  }
  kube::KubeConfigOptions ko;
  ko.kubeconfig = flags.kubeconfig;
  ko.context = flags.context;
  ko.ns = flags.ns;
  std::map<std::string, std::string> env = EnvironmentMap();
  ko.env = env;
  ASSIGN_OR_RETURN(kube::KubeConfig config, kube::LoadKubeConfig(ko));
  auto setup = std::unique_ptr<KubeSetup>(new KubeSetup());
  setup->description_ =
      (config.in_cluster ? std::string("in-cluster") : "context " + config.context_name) +
      ", namespace " + config.ns + ", " + config.server;
  kube::Client::Options co;
  co.config = std::move(config);
  co.env = std::move(env);
  co.user_agent = "flyte/" FLYTE_VERSION;
  ASSIGN_OR_RETURN(setup->client_, kube::Client::Open(std::move(co)));
  PodRunner::Options po;
  po.default_image = flags.image;
  po.service_account = flags.service_account;
  po.max_pods = flags.max_pods;
  po.delete_failed = flags.delete_failed;
  po.image_pull_grace_nanos = flags.image_pull_grace_nanos;
  po.labels = flags.labels;
  po.annotations = flags.annotations;
  po.node_selector = flags.node_selector;
  po.tolerations_json = flags.tolerations_json;
  po.pod_template_json = flags.pod_template_json;
  po.interruptible_node_selector = flags.interruptible_node_selector;
  po.interruptible_tolerations_json = flags.interruptible_tolerations_json;
  po.keep_failed_for_nanos = flags.keep_failed_for_nanos;
  po.stores = stores;
  // Two homes sharing a namespace never touch each other's Pods.
  po.instance = !flags.instance.empty() ? flags.instance : "h" + Sha256Hex(home).substr(0, 12);
  setup->runner_ = std::make_unique<PodRunner>(loop, *setup->client_, std::move(po));
  for (ExecutorKind k : {ExecutorKind::kContainer, ExecutorKind::kKubernetes})
    runners.Route(k, *setup->runner_);
  // With a default image, tasks without one of their own run as Pods too.
  if (!flags.image.empty()) runners.Route(ExecutorKind::kProcess, *setup->runner_);
  return setup;
}

}  // namespace flyte
