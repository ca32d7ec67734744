// Credentials from a kubeconfig user's `exec:` plugin, as client-go gets them: the plugin runs
// with KUBERNETES_EXEC_INFO describing the request, prints an ExecCredential, and its answer is
// cached until its expirationTimestamp (or until Invalidate(), called after a 401).
// Get() runs a process and waits for it: call it from the Kubernetes client's worker thread,
// never from the libuv loop thread. Thread-safe: concurrent Get()s run the plugin once.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "flyte/status.h"
#include "kube/kubeconfig.h"

namespace flyte::kube {

struct ExecCredential {
  std::string token;
  std::string client_certificate_data;  // PEM, as the plugin printed it
  std::string client_key_data;
  std::optional<int64_t> expires_at;  // unix nanos; none: valid until a 401
};

class ExecCredentialProvider {
 public:
  // Unix nanoseconds now; tests pass a manual clock.
  using NowFn = std::function<int64_t()>;

  // `config` supplies the exec section and, for provideClusterInfo, the cluster; `env` is the
  // host environment the plugin inherits (exec.env entries are added to it).
  ExecCredentialProvider(KubeConfig config, std::map<std::string, std::string> env, NowFn now,
                         int64_t timeout_nanos = 60'000'000'000);

  // The cached credential while unexpired, else a fresh one from the plugin. Errors name the
  // command and the reason (exit status, invalid output, missing token...); the plugin's
  // stdout, which carries secrets, is never quoted.
  // REQUIRES: config.exec is set.
  Result<ExecCredential> Get();
  // Forgets the cached credential (the server answered 401), so the next Get() re-runs it.
  void Invalidate();
  // The KUBERNETES_EXEC_INFO value the plugin receives.
  std::string ExecInfo() const;

 private:
  Result<ExecCredential> Run();

  const KubeConfig config_;
  const std::map<std::string, std::string> env_;
  const NowFn now_;
  const int64_t timeout_nanos_;
  std::mutex mu_;
  std::optional<ExecCredential> cached_;  // guarded by mu_
};

}  // namespace flyte::kube
