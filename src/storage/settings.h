// Where flyte's object store is and who flyte is there, read the way the AWS CLI and SDKs read
// it. LoadS3Settings is a pure function of its options (the environment is a map, HOME inside
// it), so tests are hermetic. It reads two small files: not on the loop thread.
//
// Credentials, first found wins:
//  1. AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN)
//  2. AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN (+ AWS_ROLE_SESSION_NAME): STS
//     AssumeRoleWithWebIdentity, as on an EKS Pod with IRSA
//  3. the profile's aws_access_key_id in the shared credentials file (AWS_SHARED_CREDENTIALS_FILE,
//     default ~/.aws/credentials; section [NAME])
//  4. the profile in the config file (AWS_CONFIG_FILE, default ~/.aws/config; section
//     [profile NAME] or [default]): aws_access_key_id, else web_identity_token_file + role_arn
// The profile is AWS_PROFILE, else AWS_DEFAULT_PROFILE, else "default".
// Region: AWS_REGION, AWS_DEFAULT_REGION, the profile's region, else us-east-1.
// Endpoint: AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, the profile's `s3 = endpoint_url = ...`, its
// endpoint_url, else AWS's https://s3.REGION.amazonaws.com.
// Addressing: the profile's `s3 = addressing_style = path|virtual|auto`; auto uses path style
// for an endpoint that is an IP address or localhost, virtual-hosted style otherwise.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "flyte/status.h"
#include "storage/sigv4.h"

namespace flyte::storage {

struct S3Options {
  std::map<std::string, std::string> env;  // AWS_* and HOME
  std::optional<bool> path_style;          // a caller's explicit setting wins over the files
};

enum class AddressingStyle { kAuto, kPath, kVirtual };

struct WebIdentity {
  std::string token_file;  // re-read on every refresh (Kubernetes rotates it)
  std::string role_arn;
  std::string session_name;
  std::string sts_endpoint;  // scheme://host[:port]
};

struct Endpoint {
  bool https = true;
  std::string host;  // no brackets around an IPv6 address
  int port = 443;

  // host[:port], the port only when not the scheme's default: the Host header and URL authority.
  std::string Authority() const;
  std::string Url() const;  // scheme://authority
  bool IsIpOrLocalhost() const;
};

struct S3Settings {
  std::string profile;
  std::string region;
  Endpoint endpoint;
  bool custom_endpoint = false;  // false: AWS's own
  AddressingStyle addressing = AddressingStyle::kAuto;
  std::string ca_bundle;  // AWS_CA_BUNDLE: a PEM file of trusted CAs; empty: the system's
  // Exactly one of the two is set.
  std::optional<Credentials> static_credentials;
  std::optional<WebIdentity> web_identity;
  std::string credentials_source;  // for messages: "environment", "profile dev in FILE"...

  // Path-style (https://host/bucket/key) rather than virtual-hosted (https://bucket.host/key).
  bool UsePathStyle(std::string_view bucket) const;
};

// Errors (InvalidArgument, FailedPrecondition when no credentials are found anywhere) name the
// variable or FILE:LINE and the reason.
Result<S3Settings> LoadS3Settings(const S3Options& options);

// "http://127.0.0.1:9000" and the like; errors name the text.
Result<Endpoint> ParseEndpoint(std::string_view url);

}  // namespace flyte::storage
