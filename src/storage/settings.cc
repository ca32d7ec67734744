#include "storage/settings.h"

#include <arpa/inet.h>

#include <fstream>
#include <sstream>

#include "storage/aws_files.h"
#include "storage/uri.h"
#include "util/strings.h"

namespace flyte::storage {
namespace {

std::string Env(const S3Options& o, const std::string& name) {
  auto it = o.env.find(name);
  return it == o.env.end() ? "" : it->second;
}

std::string FirstEnv(const S3Options& o, std::initializer_list<const char*> names) {
  for (const char* n : names) {
    if (std::string v = Env(o, n); !v.empty()) return v;
  }
  return "";
}

// A missing file is an empty one, as for the AWS CLI; an unreadable one is an error.
Result<AwsFile> ReadAwsFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return AwsFile{};
  std::stringstream text;
  text << in.rdbuf();
  if (in.bad()) return IOError(path + ": cannot be read");
  return ParseAwsFile(text.str(), path);
}

std::string HomePath(const S3Options& o, const std::string& var, const std::string& rel) {
  if (std::string v = Env(o, var); !v.empty()) {
    if (StartsWith(v, "~/")) return Env(o, "HOME") + v.substr(1);
    return v;
  }
  return Env(o, "HOME") + "/" + rel;
}

const AwsSection* Find(const AwsFile& file, const std::string& name) {
  auto it = file.find(name);
  return it == file.end() ? nullptr : &it->second;
}

std::string Get(const AwsSection* s, const std::string& key) {
  if (s == nullptr) return "";
  auto it = s->find(key);
  return it == s->end() ? "" : it->second;
}

struct Profile {
  std::string name;
  std::string config_file;
  std::string credentials_file;
  const AwsSection* config = nullptr;
  const AwsSection* credentials = nullptr;
};

// STS is AWS_ENDPOINT_URL_STS, else the global AWS_ENDPOINT_URL, else AWS's for the region.
Status SetWebIdentity(const S3Options& o, std::string token_file, std::string role,
                      std::string session, S3Settings& s) {
  WebIdentity w;
  w.token_file = std::move(token_file);
  w.role_arn = std::move(role);
  w.session_name = session.empty() ? "flyte-session" : std::move(session);
  std::string sts = FirstEnv(o, {"AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL"});
  if (sts.empty()) sts = "https://sts." + s.region + ".amazonaws.com";
  auto endpoint = ParseEndpoint(sts);
  if (!endpoint.ok()) return endpoint.status().WithContext("STS endpoint");
  w.sts_endpoint = endpoint->Url();
  s.web_identity = std::move(w);
  return Status::Ok();
}

Status ResolveCredentials(const S3Options& o, const Profile& p, S3Settings& s) {
  std::string key = Env(o, "AWS_ACCESS_KEY_ID"), secret = Env(o, "AWS_SECRET_ACCESS_KEY");
  if (!key.empty() || !secret.empty()) {
    if (key.empty() || secret.empty()) {
      return InvalidArgument(
          std::string(key.empty() ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY") +
          " is not set, but " + (key.empty() ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID") +
          " is: set both, or neither to use a profile");
    }
    s.static_credentials = Credentials{key, secret, Env(o, "AWS_SESSION_TOKEN")};
    s.credentials_source = "the environment (AWS_ACCESS_KEY_ID)";
    return Status::Ok();
  }
  std::string token_file = Env(o, "AWS_WEB_IDENTITY_TOKEN_FILE");
  if (!token_file.empty()) {
    std::string role = Env(o, "AWS_ROLE_ARN");
    if (role.empty()) {
      return InvalidArgument("AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not");
    }
    s.credentials_source = "web identity (AWS_WEB_IDENTITY_TOKEN_FILE, role " + role + ")";
    return SetWebIdentity(o, token_file, role, Env(o, "AWS_ROLE_SESSION_NAME"), s);
  }
  for (auto [section, file] :
       {std::pair{p.credentials, p.credentials_file}, std::pair{p.config, p.config_file}}) {
    std::string k = Get(section, "aws_access_key_id");
    if (k.empty()) continue;
    std::string secret_key = Get(section, "aws_secret_access_key");
    if (secret_key.empty()) {
      return InvalidArgument(file + ": profile " + Quote(p.name) +
                             " has aws_access_key_id but no aws_secret_access_key");
    }
    s.static_credentials = Credentials{k, secret_key, Get(section, "aws_session_token")};
    s.credentials_source = "profile " + Quote(p.name) + " in " + file;
    return Status::Ok();
  }
  if (std::string f = Get(p.config, "web_identity_token_file"); !f.empty()) {
    std::string role = Get(p.config, "role_arn");
    if (role.empty()) {
      return InvalidArgument(p.config_file + ": profile " + Quote(p.name) +
                             " has web_identity_token_file but no role_arn");
    }
    s.credentials_source = "web identity of profile " + Quote(p.name) + " in " + p.config_file;
    return SetWebIdentity(o, f, role, Get(p.config, "role_session_name"), s);
  }
  return FailedPrecondition(
      "no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or "
      "AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN, or give profile " +
      Quote(p.name) + " aws_access_key_id in " + p.credentials_file + " or " + p.config_file);
}

}  // namespace

std::string Endpoint::Authority() const {
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  if ((https && port == 443) || (!https && port == 80)) return h;
  return h + ":" + std::to_string(port);
}

std::string Endpoint::Url() const { return (https ? "https://" : "http://") + Authority(); }

bool Endpoint::IsIpOrLocalhost() const {
  unsigned char buf[16];
  return host == "localhost" || EndsWith(host, ".localhost") ||
         inet_pton(AF_INET, host.c_str(), buf) == 1 || inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

bool S3Settings::UsePathStyle(std::string_view bucket) const {
  switch (addressing) {
    case AddressingStyle::kPath:
      return true;
    case AddressingStyle::kVirtual:
      return false;
    case AddressingStyle::kAuto:
      return endpoint.IsIpOrLocalhost() || !IsVirtualHostable(bucket);
  }
  return true;
}

Result<Endpoint> ParseEndpoint(std::string_view url) {
  auto bad = [&](const std::string& why) {
    return InvalidArgument("invalid endpoint URL " + Quote(url) + ": " + why);
  };
  Endpoint e;
  std::string_view rest;
  if (StartsWith(url, "https://")) {
    rest = url.substr(8);
  } else if (StartsWith(url, "http://")) {
    e.https = false;
    e.port = 80;
    rest = url.substr(7);
  } else {
    return bad("it starts with http:// or https://");
  }
  while (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  if (rest.find('/') != std::string_view::npos) return bad("an endpoint has no path");
  std::string_view port;
  if (StartsWith(rest, "[")) {
    size_t close = rest.find(']');
    if (close == std::string_view::npos) return bad("an IPv6 address ends with ']'");
    e.host = std::string(rest.substr(1, close - 1));
    rest = rest.substr(close + 1);
    if (StartsWith(rest, ":"))
      port = rest.substr(1);
    else if (!rest.empty())
      return bad("unexpected text after the host");
  } else {
    size_t colon = rest.rfind(':');
    e.host = std::string(rest.substr(0, colon));
    if (colon != std::string_view::npos) port = rest.substr(colon + 1);
  }
  if (e.host.empty()) return bad("it names no host");
  if (!port.empty() || url.back() == ':') {
    int64_t n = 0;
    if (!ParseInt64(port, &n) || n < 1 || n > 65535) return bad("the port is 1 to 65535");
    e.port = static_cast<int>(n);
  }
  return e;
}

Result<S3Settings> LoadS3Settings(const S3Options& o) {
  S3Settings s;
  Profile p;
  p.name = FirstEnv(o, {"AWS_PROFILE", "AWS_DEFAULT_PROFILE"});
  bool named = !p.name.empty();
  if (!named) p.name = "default";
  s.profile = p.name;
  p.config_file = HomePath(o, "AWS_CONFIG_FILE", ".aws/config");
  p.credentials_file = HomePath(o, "AWS_SHARED_CREDENTIALS_FILE", ".aws/credentials");
  ASSIGN_OR_RETURN(AwsFile config, ReadAwsFile(p.config_file));
  ASSIGN_OR_RETURN(AwsFile credentials, ReadAwsFile(p.credentials_file));
  p.config = Find(config, p.name == "default" ? "default" : "profile " + p.name);
  if (p.config == nullptr && p.name == "default") p.config = Find(config, "profile default");
  p.credentials = Find(credentials, p.name);
  if (named && p.config == nullptr && p.credentials == nullptr) {
    return InvalidArgument("the AWS profile " + Quote(p.name) + " (AWS_PROFILE) is in neither " +
                           p.config_file + " nor " + p.credentials_file);
  }

  s.region = FirstEnv(o, {"AWS_REGION", "AWS_DEFAULT_REGION"});
  if (s.region.empty()) s.region = Get(p.config, "region");
  if (s.region.empty()) s.region = "us-east-1";

  std::string endpoint = FirstEnv(o, {"AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"});
  if (endpoint.empty()) endpoint = Get(p.config, "s3.endpoint_url");
  if (endpoint.empty()) endpoint = Get(p.config, "endpoint_url");
  s.custom_endpoint = !endpoint.empty();
  if (endpoint.empty()) endpoint = "https://s3." + s.region + ".amazonaws.com";
  ASSIGN_OR_RETURN(s.endpoint, ParseEndpoint(endpoint));

  std::string style = Get(p.config, "s3.addressing_style");
  if (style == "path") {
    s.addressing = AddressingStyle::kPath;
  } else if (style == "virtual") {
    s.addressing = AddressingStyle::kVirtual;
  } else if (!style.empty() && style != "auto") {
    return InvalidArgument(p.config_file + ": profile " + Quote(p.name) + ": addressing_style " +
                           Quote(style) + " is not one of path, virtual, auto");
  }
  if (o.path_style)
    s.addressing = *o.path_style ? AddressingStyle::kPath : AddressingStyle::kVirtual;
  s.ca_bundle = Env(o, "AWS_CA_BUNDLE");
  if (s.ca_bundle.empty()) s.ca_bundle = Get(p.config, "ca_bundle");

  RETURN_IF_ERROR(ResolveCredentials(o, p, s));
  return s;
}

}  // namespace flyte::storage
