#include "cli/kube_setup.h"

#include <unistd.h>

#include <set>

#include "kube/access.h"
#include "kube/client.h"
#include "kube/kubeconfig.h"
#include "kube/manifest.h"
#include "kube/plugins/plugin.h"
#include "runner/pod_runner.h"
#include "util/proc.h"
#include "util/sha256.h"

namespace flyte {

KubeSetup::~KubeSetup() = default;

namespace {

// Plugin tasks become their operators' custom resources (KUBERNETES.md §6). With `check`, one
// request lists the API groups the cluster serves, and a plugin whose operator is missing is
// refused before an execution starts, naming the operator to install.
void RoutePlugins(kube::Client& client, bool check, PodRunner& runner, RoutingRunner& runners) {
  std::set<std::string> served;
  bool known = false;
  if (check) {
    Result<std::set<std::string>> got = kube::ServedGroupVersions(client);
    if (got.ok()) served = std::move(*got), known = true;
  }
  static const std::pair<ExecutorKind, spec::PluginKind> kPlugins[] = {
      {ExecutorKind::kDask, spec::PluginKind::kDask},
      {ExecutorKind::kRay, spec::PluginKind::kRay},
      {ExecutorKind::kSpark, spec::PluginKind::kSpark},
      {ExecutorKind::kPytorch, spec::PluginKind::kPytorch}};
  for (const auto& [executor, plugin] : kPlugins) {
    const kube::ResourceKind* k = kube::PluginResourceKind(plugin);
    if (known && !served.count(k->group_version)) {
      runners.Require(executor, "the cluster does not serve " + k->kind + " (" + k->group_version +
                                    " " + k->plural + "): install " + k->operator_name +
                                    ", or run without Kubernetes to run it locally");
      continue;
    }
    runners.Route(executor, runner);
  }
}

}  // namespace

Result<std::unique_ptr<KubeSetup>> SetUpKubernetes(uv_loop_t* loop, const KubeFlags& flags,
                                                   const std::string& home, RoutingRunner& runners,
                                                   storage::DataStores* stores) {
  if (!flags.any()) {
    runners.Require(ExecutorKind::kKubernetes,
                    "it says `runner: kubernetes`; run with --kubernetes or --kubeconfig FILE");
    runners.Require(ExecutorKind::kResource,
                    "it creates an object on a cluster (plugin: resource); run with --kubernetes "
                    "or --kubeconfig FILE");
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
  for (ExecutorKind k :
       {ExecutorKind::kContainer, ExecutorKind::kKubernetes, ExecutorKind::kResource})
    runners.Route(k, *setup->runner_);
  RoutePlugins(*setup->client_, flags.check_operators_at_start, *setup->runner_, runners);
  // With a default image, tasks without one of their own run as Pods too.
  if (!flags.image.empty()) runners.Route(ExecutorKind::kProcess, *setup->runner_);
  return setup;
}

}  // namespace flyte
