// Which cluster flyte talks to, and as whom: the kubeconfig read exactly as kubectl reads it
// (an explicit file, else the KUBECONFIG list merged first-file-wins, else ~/.kube/config, else
// the in-cluster service account). LoadKubeConfig is a pure function of its options: the
// environment and the service-account folder are parameters, so tests are hermetic. It reads
// small files and must not run on the loop thread (the Kubernetes client calls it at start-up).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "flyte/status.h"

namespace flyte::kube {

inline constexpr const char* kServiceAccountDir = "/var/run/secrets/kubernetes.io/serviceaccount";

struct KubeConfigOptions {
  std::string kubeconfig;  // --kubeconfig: that file only, no merge; empty: discover
  std::string context;     // --context: overrides current-context
  std::string ns;          // --namespace: overrides the context's namespace
  // The environment read for KUBECONFIG, HOME and KUBERNETES_SERVICE_{HOST,PORT}.
  std::map<std::string, std::string> env;
  std::string service_account_dir = kServiceAccountDir;  // token, ca.crt, namespace
};

enum class ExecApiVersion { kV1, kV1Beta1 };
enum class InteractiveMode { kNever, kIfAvailable, kAlways };

// A user's `exec:` credential plugin, its command resolved like the kubeconfig's paths.
struct ExecConfig {
  ExecApiVersion api_version = ExecApiVersion::kV1;
  std::string command;
  std::vector<std::string> args;
  std::vector<std::pair<std::string, std::string>> env;  // in order, added to the host's
  InteractiveMode interactive_mode = InteractiveMode::kIfAvailable;
  bool provide_cluster_info = false;
  std::string install_hint;
};

// The chosen context, cluster and user, flattened. Paths are absolute (resolved against the
// folder of the file that defined the entry); *_data fields hold decoded bytes (PEM), and a
// `-data` field replaces the matching file, as in kubectl.
struct KubeConfig {
  std::string context_name;  // empty in-cluster
  std::string cluster_name;
  std::string user_name;
  std::vector<std::string> files;  // the kubeconfig files read, in order
  bool in_cluster = false;

  std::string server;  // https://host:port
  std::string ns;      // the override, else the context's, else "default"
  std::string ca_file;
  std::string ca_data;
  bool insecure_skip_tls_verify = false;
  std::string tls_server_name;
  std::string proxy_url;

  std::string client_certificate_file;
  std::string client_certificate_data;
  std::string client_key_file;
  std::string client_key_data;
  std::string token;       // wins over token_file
  std::string token_file;  // re-read on use (rotating service-account tokens)
  std::optional<ExecConfig> exec;
  std::string username;  // basic auth
  std::string password;
};

// Errors (InvalidArgument, or IO for a file that cannot be read) name the file, with
// FILE:LINE:COL where known, the entry and the reason.
Result<KubeConfig> LoadKubeConfig(const KubeConfigOptions& options);

// Standard base64 (padding required; newlines ignored, as Go's decoder does); nullopt when
// invalid.
std::optional<std::string> DecodeBase64(std::string_view text);

}  // namespace flyte::kube
