// Settings and credentials read as the AWS CLI reads them: the order of the sources, profiles
// in both shared files, nested `s3 =` settings, addressing style, and web identity traded at a
// fake STS (a real HTTP server in the test) for temporary keys.
#include <catch2/catch.hpp>

#include <httplib.h>

#include <thread>

#include "storage/credentials.h"
#include "storage/settings.h"
#include "support/process_helpers.h"

namespace flyte::storage {
namespace {

using testing::TempDir;

S3Options Opts(const TempDir& dir, std::map<std::string, std::string> env = {}) {
  S3Options o;
  o.env = std::move(env);
  o.env.emplace("HOME", dir / "home");
  return o;
}

std::string Error(const Result<S3Settings>& r) {
  REQUIRE_FALSE(r.ok());
  return r.status().message();
}

TEST_CASE("s3 settings: environment keys win, region and endpoint from the environment") {
  TempDir dir;
  dir.Write("home/.aws/credentials",
            "[default]\naws_access_key_id = FROMFILE\naws_secret_access_key = s\n");
  auto s = LoadS3Settings(Opts(dir, {{"AWS_ACCESS_KEY_ID", "AKENV"},
                                     {"AWS_SECRET_ACCESS_KEY", "secret"},
                                     {"AWS_SESSION_TOKEN", "tok"},
                                     {"AWS_DEFAULT_REGION", "eu-west-1"},
                                     {"AWS_ENDPOINT_URL", "http://other:1"},
                                     {"AWS_ENDPOINT_URL_S3", "http://127.0.0.1:9000/"}}));
  REQUIRE(s.ok());
  CHECK(s->static_credentials->access_key_id == "AKENV");
  CHECK(s->static_credentials->session_token == "tok");
  CHECK(s->credentials_source == "the environment (AWS_ACCESS_KEY_ID)");
  CHECK(s->region == "eu-west-1");
  CHECK(s->endpoint.Url() == "http://127.0.0.1:9000");
  CHECK(s->UsePathStyle("bucket"));  // an IP address: path style
}

TEST_CASE("s3 settings: AWS's own endpoint is virtual-hosted unless the bucket has dots") {
  TempDir dir;
  auto s = LoadS3Settings(Opts(
      dir,
      {{"AWS_ACCESS_KEY_ID", "a"}, {"AWS_SECRET_ACCESS_KEY", "b"}, {"AWS_REGION", "us-west-2"}}));
  REQUIRE(s.ok());
  CHECK(s->endpoint.Url() == "https://s3.us-west-2.amazonaws.com");
  CHECK_FALSE(s->UsePathStyle("bucket"));
  CHECK(s->UsePathStyle("my.bucket"));
  auto local = LoadS3Settings(Opts(dir, {{"AWS_ACCESS_KEY_ID", "a"},
                                         {"AWS_SECRET_ACCESS_KEY", "b"},
                                         {"AWS_ENDPOINT_URL", "http://localhost:9000"}}));
  CHECK(local->UsePathStyle("bucket"));
  CHECK(local->region == "us-east-1");
}

TEST_CASE("s3 settings: a profile from both files, with nested s3 settings") {
  TempDir dir;
  dir.Write("home/.aws/credentials",
            "# keys\n[dev]\naws_access_key_id = AKDEV\naws_secret_access_key = sdev\n");
  dir.Write("home/.aws/config",
            "[default]\nregion = us-east-2\n\n[profile dev]\nregion = eu-north-1\ns3 =\n"
            "  addressing_style = path\n  endpoint_url = https://minio.example.com:9000\n");
  auto s = LoadS3Settings(Opts(dir, {{"AWS_PROFILE", "dev"}}));
  REQUIRE(s.ok());
  CHECK(s->static_credentials->access_key_id == "AKDEV");
  CHECK(s->credentials_source == "profile 'dev' in " + (dir / "home/.aws/credentials"));
  CHECK(s->region == "eu-north-1");
  CHECK(s->endpoint.Url() == "https://minio.example.com:9000");
  CHECK(s->UsePathStyle("bucket"));
}

TEST_CASE("s3 settings: AWS_SHARED_CREDENTIALS_FILE and AWS_CONFIG_FILE move the files") {
  TempDir dir;
  std::string creds =
      dir.Write("elsewhere/c", "[default]\naws_access_key_id = AKX\naws_secret_access_key = s\n");
  std::string config = dir.Write(
      "elsewhere/f", "[default]\nregion = ca-central-1\ns3 =\n  addressing_style = virtual\n");
  auto s = LoadS3Settings(Opts(dir, {{"AWS_SHARED_CREDENTIALS_FILE", creds},
                                     {"AWS_CONFIG_FILE", config},
                                     {"AWS_ENDPOINT_URL", "http://127.0.0.1:9"}}));
  REQUIRE(s.ok());
  CHECK(s->static_credentials->access_key_id == "AKX");
  CHECK(s->region == "ca-central-1");
  CHECK_FALSE(s->UsePathStyle("bucket"));  // configured virtual wins over the IP rule
}

TEST_CASE("s3 settings: errors name the variable or file and the rule") {
  TempDir dir;
  CHECK(Error(LoadS3Settings(Opts(dir, {{"AWS_ACCESS_KEY_ID", "a"}}))) ==
        "AWS_SECRET_ACCESS_KEY is not set, but AWS_ACCESS_KEY_ID is: set both, or neither to use a "
        "profile");
  CHECK(Error(LoadS3Settings(Opts(dir, {{"AWS_PROFILE", "nope"}}))) ==
        "the AWS profile 'nope' (AWS_PROFILE) is in neither " + (dir / "home/.aws/config") +
            " nor " + (dir / "home/.aws/credentials"));
  CHECK(Error(LoadS3Settings(Opts(dir))) ==
        "no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or "
        "AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN, or give profile 'default' aws_access_key_id "
        "in " +
            (dir / "home/.aws/credentials") + " or " + (dir / "home/.aws/config"));
  CHECK(Error(LoadS3Settings(Opts(dir, {{"AWS_ACCESS_KEY_ID", "a"},
                                        {"AWS_SECRET_ACCESS_KEY", "b"},
                                        {"AWS_ENDPOINT_URL", "s3.local:9000"}}))) ==
        "invalid endpoint URL 's3.local:9000': it starts with http:// or https://");
  dir.Write("home/.aws/config", "region = x\n");
  CHECK(Error(LoadS3Settings(Opts(dir))) ==
        (dir / "home/.aws/config") + ":1: a setting comes after a [section] header");
  dir.Write("home/.aws/config", "[default]\ns3 =\n  addressing_style = sideways\n");
  CHECK(Error(LoadS3Settings(
            Opts(dir, {{"AWS_ACCESS_KEY_ID", "a"}, {"AWS_SECRET_ACCESS_KEY", "b"}}))) ==
        (dir / "home/.aws/config") +
            ": profile 'default': addressing_style 'sideways' is not one of path, virtual, auto");
}

// A fake STS: checks the form a Pod's SDK sends and answers with temporary keys.
struct FakeSts {
  httplib::Server server;
  std::thread thread;
  int port = 0;
  int calls = 0;
  std::string last_token;
  FakeSts() {
    server.Post("/", [this](const httplib::Request& req, httplib::Response& res) {
      ++calls;
      last_token = req.get_param_value("WebIdentityToken");
      if (req.get_param_value("Action") != "AssumeRoleWithWebIdentity" ||
          req.get_param_value("RoleArn") != "arn:aws:iam::123456789012:role/flyte") {
        res.status = 403;
        res.set_content(
            "<ErrorResponse><Error><Code>AccessDenied</Code><Message>Not authorized"
            "</Message></Error></ErrorResponse>",
            "text/xml");
        return;
      }
      res.set_content(
          "<AssumeRoleWithWebIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
          "<AssumeRoleWithWebIdentityResult><Credentials><AccessKeyId>ASIATEMP" +
              std::to_string(calls) +
              "</AccessKeyId><SecretAccessKey>tempsecret</SecretAccessKey><SessionToken>session</"
              "SessionToken>"
              "<Expiration>2030-01-01T01:00:00Z</Expiration></Credentials></"
              "AssumeRoleWithWebIdentityResult>"
              "</AssumeRoleWithWebIdentityResponse>",
          "text/xml");
    });
    port = server.bind_to_any_port("127.0.0.1");
    thread = std::thread([this] { server.listen_after_bind(); });
    while (!server.is_running()) std::this_thread::yield();
  }
  ~FakeSts() {
    server.stop();
    thread.join();
  }
};

TEST_CASE("s3 credentials: a web identity token is traded at STS and cached until near expiry") {
  TempDir dir;
  FakeSts sts;
  std::string token = dir.Write("token", "eyJpod-token\n");
  auto s = LoadS3Settings(
      Opts(dir, {{"AWS_WEB_IDENTITY_TOKEN_FILE", token},
                 {"AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/flyte"},
                 {"AWS_ENDPOINT_URL_STS", "http://127.0.0.1:" + std::to_string(sts.port)}}));
  REQUIRE(s.ok());
  CHECK(s->credentials_source ==
        "web identity (AWS_WEB_IDENTITY_TOKEN_FILE, role arn:aws:iam::123456789012:role/flyte)");
  std::time_t now = *ParseIsoTime("2030-01-01T00:00:00Z");
  CredentialProvider provider(*s, [&] { return now; });
  auto first = provider.Get();
  REQUIRE(first.ok());
  CHECK(first->access_key_id == "ASIATEMP1");
  CHECK(first->session_token == "session");
  CHECK(sts.last_token == "eyJpod-token");
  CHECK(provider.Get()->access_key_id == "ASIATEMP1");  // cached
  now += 3400;  // within five minutes of expiry: renewed, with the rotated token
  dir.Write("token", "rotated");
  CHECK(provider.Get()->access_key_id == "ASIATEMP2");
  CHECK(sts.last_token == "rotated");
}

TEST_CASE("s3 credentials: STS refusing the role is a clear error") {
  TempDir dir;
  FakeSts sts;
  dir.Write("home/.aws/config", "[default]\nweb_identity_token_file = " + (dir / "t") +
                                    "\nrole_arn = arn:aws:iam::1:role/other\n");
  dir.Write("t", "tok");
  std::string endpoint = "http://127.0.0.1:" + std::to_string(sts.port);
  auto s = LoadS3Settings(Opts(dir, {{"AWS_ENDPOINT_URL_STS", endpoint}}));
  REQUIRE(s.ok());
  CredentialProvider provider(*s);
  auto r = provider.Get();
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message() == "STS AssumeRoleWithWebIdentity at " + endpoint +
                                    " for role arn:aws:iam::1:role/other: refused: HTTP 403 "
                                    "AccessDenied: Not authorized");
}

}  // namespace
}  // namespace flyte::storage
