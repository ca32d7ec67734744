// The credentials that sign each S3 request: fixed keys, or temporary ones from STS
// AssumeRoleWithWebIdentity (a Kubernetes service-account token traded for a role's keys),
// cached until five minutes before they expire. Get() may call STS over the network: call it on
// a worker thread, never on the loop. Thread-safe.
#pragma once

#include <functional>
#include <mutex>
#include <optional>

#include "flyte/status.h"
#include "storage/settings.h"
#include "storage/sigv4.h"

namespace flyte::storage {

class CredentialProvider {
 public:
  using NowFn = std::function<std::time_t()>;

  // REQUIRES: settings has static_credentials or web_identity.
  explicit CredentialProvider(const S3Settings& settings, NowFn now = nullptr);

  Result<Credentials> Get();
  // Forgets cached temporary credentials (S3 said they expired), so the next Get() renews them.
  void Invalidate();

 private:
  const std::optional<Credentials> static_;
  const std::optional<WebIdentity> web_identity_;
  const std::string ca_bundle_;
  const NowFn now_;
  std::mutex mu_;
  std::optional<Credentials> cached_;  // guarded by mu_
  std::time_t expires_at_ = 0;         // guarded by mu_
};

struct StsCredentials {
  Credentials credentials;
  std::time_t expires_at = 0;
};

// One AssumeRoleWithWebIdentity call. Errors name the endpoint, the role and STS's code.
Result<StsCredentials> AssumeRoleWithWebIdentity(const WebIdentity& identity,
                                                 const std::string& token,
                                                 const std::string& ca_bundle);

// 2019-11-01T00:00:00Z (fractions ignored); nullopt when malformed.
std::optional<std::time_t> ParseIsoTime(std::string_view text);

}  // namespace flyte::storage
