#include "storage/credentials.h"

#include <httplib.h>

#include <fstream>
#include <sstream>

#include "storage/xml.h"
#include "util/strings.h"

namespace flyte::storage {
namespace {

constexpr std::time_t kRefreshMargin = 300;

std::string FormEncode(const KeyValues& fields) { return CanonicalQuery(fields); }

}  // namespace

std::optional<std::time_t> ParseIsoTime(std::string_view text) {
  std::tm tm{};
  std::string s(text);
  const char* end = strptime(s.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (end == nullptr) return std::nullopt;
  return timegm(&tm);
}

CredentialProvider::CredentialProvider(const S3Settings& settings, NowFn now)
    : static_(settings.static_credentials),
      web_identity_(settings.web_identity),
      ca_bundle_(settings.ca_bundle),
      now_(now ? std::move(now) : [] { return std::time(nullptr); }) {}

Result<Credentials> CredentialProvider::Get() {
  if (static_) return *static_;
  std::lock_guard lock(mu_);
  if (cached_ && now_() + kRefreshMargin < expires_at_) return *cached_;
  std::ifstream in(web_identity_->token_file);
  if (!in) {
    return FailedPrecondition("web identity token file " + web_identity_->token_file +
                              " (AWS_WEB_IDENTITY_TOKEN_FILE) cannot be read");
  }
  std::stringstream token;
  token << in.rdbuf();
  ASSIGN_OR_RETURN(
      StsCredentials sts,
      AssumeRoleWithWebIdentity(*web_identity_, std::string(Trim(token.str())), ca_bundle_));
  cached_ = sts.credentials;
  expires_at_ = sts.expires_at;
  return *cached_;
}

void CredentialProvider::Invalidate() {
  std::lock_guard lock(mu_);
  cached_.reset();
}

Result<StsCredentials> AssumeRoleWithWebIdentity(const WebIdentity& identity,
                                                 const std::string& token,
                                                 const std::string& ca_bundle) {
  std::string where = "STS AssumeRoleWithWebIdentity at " + identity.sts_endpoint + " for role " +
                      identity.role_arn;
  httplib::Client client(identity.sts_endpoint);
  client.set_connection_timeout(10);
  client.set_read_timeout(30);
  if (!ca_bundle.empty()) client.set_ca_cert_path(ca_bundle.c_str());
  std::string body = FormEncode({{"Action", "AssumeRoleWithWebIdentity"},
                                 {"Version", "2011-06-15"},
                                 {"RoleArn", identity.role_arn},
                                 {"RoleSessionName", identity.session_name},
                                 {"WebIdentityToken", token}});
  auto res = client.Post("/", body, "application/x-www-form-urlencoded");
  if (!res) return Unavailable(where + ": unreachable (" + httplib::to_string(res.error()) + ")");
  auto doc = ParseXml(res->body);
  if (res->status != 200) {
    std::string detail = "HTTP " + std::to_string(res->status);
    if (doc.ok()) {
      const XmlElement* error = (*doc)->Child("Error");
      if (error) detail += " " + error->ChildText("Code") + ": " + error->ChildText("Message");
    }
    return FailedPrecondition(where + ": refused: " + detail);
  }
  if (!doc.ok()) return Unavailable(where + ": " + doc.status().message());
  const XmlElement* result = (*doc)->Child("AssumeRoleWithWebIdentityResult");
  const XmlElement* c = result ? result->Child("Credentials") : nullptr;
  if (c == nullptr) return Unavailable(where + ": the answer holds no Credentials");
  StsCredentials out;
  out.credentials = {c->ChildText("AccessKeyId"), c->ChildText("SecretAccessKey"),
                     c->ChildText("SessionToken")};
  auto expires = ParseIsoTime(c->ChildText("Expiration"));
  if (out.credentials.access_key_id.empty() || out.credentials.secret_access_key.empty() ||
      !expires) {
    return Unavailable(where + ": the answer's Credentials are incomplete");
  }
  out.expires_at = *expires;
  return out;
}

}  // namespace flyte::storage
