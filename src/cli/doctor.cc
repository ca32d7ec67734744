// `flyte doctor --kubernetes`: everything the Pod runner needs from a cluster, checked the way
// kubectl checks it (`kubectl version`, `kubectl auth can-i`), one line per check.
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "kube/access.h"
#include "kube/client.h"
#include "kube/kubeconfig.h"
#include "util/proc.h"

namespace flyte::cli {
namespace {

void Line(bool ok, const std::string& what, const std::string& detail = "") {
  std::printf("%s %s%s\n", ok ? "✔" : "✗", what.c_str(),
              detail.empty() ? "" : ("  " + detail).c_str());
}

}  // namespace

int RunDoctor(const KubeFlags& flags) {
  std::map<std::string, std::string> env = EnvironmentMap();
  kube::KubeConfigOptions ko;
  ko.kubeconfig = flags.kubeconfig;
  ko.context = flags.context;
  ko.ns = flags.ns;
  ko.env = env;
  Result<kube::KubeConfig> config = kube::LoadKubeConfig(ko);
  if (!config.ok()) {
    Line(false, "kubeconfig", config.status().message());
    return 1;
  }
  Line(true, "kubeconfig",
       config->in_cluster
           ? "the in-cluster service account"
           : "context " + config->context_name + " (cluster " + config->cluster_name + ", user " +
                 config->user_name + ") from " + (config->files.empty() ? "?" : config->files[0]));
  const std::string ns = config->ns;
  kube::Client::Options co;
  co.config = *config;
  co.env = env;
  co.retry.max_attempts = 2;
  co.connect_timeout_nanos = 5'000'000'000;
  co.request_timeout_nanos = 15'000'000'000;
  co.user_agent = "flyte/" FLYTE_VERSION " (doctor)";
  Result<std::unique_ptr<kube::Client>> client = kube::Client::Open(std::move(co));
  if (!client.ok()) {
    Line(false, "client", client.status().message());
    return 1;
  }
  kube::Client& c = **client;
  Result<std::string> version = kube::ServerVersion(c);
  if (!version.ok()) {
    Line(false, "server " + config->server, version.status().message());
    return 1;
  }
  Line(true, "server " + config->server, "Kubernetes " + *version);
  Result<kube::Response> pods = c.Get("/api/v1/namespaces/" + ns + "/pods?limit=1");
  if (!pods.ok() || pods->status == 401) {
    Line(false, "credentials",
         pods.ok() ? kube::ErrorOf(*pods, "listing pods").message() : pods.status().message());
    return 1;
  }
  Line(true, "credentials", "accepted");
  bool all = true;
  const std::vector<kube::AccessCheck> needed = {
      {"create", "pods", "", ""},       {"get", "pods", "", ""},
      {"list", "pods", "", ""},         {"watch", "pods", "", ""},
      {"delete", "pods", "", ""},       {"get", "pods", "log", ""},
      {"create", "configmaps", "", ""}, {"get", "configmaps", "", ""},
      {"patch", "configmaps", "", ""},
  };
  std::vector<std::string> denied;
  for (const kube::AccessCheck& check : needed) {
    std::string reason;
    Result<bool> ok = kube::CanI(c, ns, check, &reason);
    const std::string what = check.verb + " " + check.resource +
                             (check.subresource.empty() ? "" : "/" + check.subresource);
    if (!ok.ok()) {
      Line(false, "may " + what + " in namespace " + ns, ok.status().message());
      all = false;
    } else if (!*ok) {
      denied.push_back(what + (reason.empty() ? "" : " (" + reason + ")"));
    }
  }
  if (denied.empty() && all) {
    Line(true, "permissions in namespace " + ns,
         "create/get/list/watch/delete pods, get pods/log, create/get/patch configmaps");
  } else if (!denied.empty()) {
    std::string list;
    for (const std::string& d : denied) list += (list.empty() ? "" : ", ") + d;
    Line(false, "permissions in namespace " + ns,
         "not allowed: " + list + " (docs/kubernetes.md has the Role flyte needs)");
    all = false;
  }
  struct Operator {
    const char* plugin;
    const char* group_version;
    const char* plural;
    const char* install;
  };
  for (const Operator& op :
       {Operator{"dask", "kubernetes.dask.org/v1", "daskjobs", "the dask-kubernetes operator"},
        Operator{"ray", "ray.io/v1", "rayjobs", "KubeRay"},
        Operator{"spark", "sparkoperator.k8s.io/v1beta2", "sparkapplications",
                 "the Spark operator"},
        Operator{"pytorch", "kubeflow.org/v1", "pytorchjobs", "the Kubeflow training operator"}}) {
    Result<bool> served = kube::Serves(c, op.group_version, op.plural);
    std::string detail = std::string(op.group_version) + " " + op.plural;
    if (!served.ok()) {
      std::printf("? plugin %s  %s: %s\n", op.plugin, detail.c_str(),
                  served.status().message().c_str());
    } else if (*served) {
      Line(true, std::string("plugin ") + op.plugin, detail + " installed");
    } else {
      std::printf("- plugin %s  not installed (%s); install %s to run plugin: %s tasks here\n",
                  op.plugin, detail.c_str(), op.install, op.plugin);
    }
  }
  return all ? 0 : 1;
}

}  // namespace flyte::cli
