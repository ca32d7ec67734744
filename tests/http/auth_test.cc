// `flyte serve --auth token`: bearer tokens created by `flyte serve token create`, stored hashed.
#include <catch2/catch.hpp>

#include "http/server_fixture.h"

namespace flyte {
namespace {

using testing::Describe;
using testing::ProcessResult;
using testing::ServerFixture;

TEST_CASE("listening beyond localhost needs --auth token or --insecure", "[server]") {
  testing::TempDir tmp;
  ProcessResult r = testing::Flyte(tmp / "home", {"serve", "--listen", "0.0.0.0:0"});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("--auth token") != std::string::npos);
  ProcessResult no_token =
      testing::Flyte(tmp / "home", {"serve", "--listen", "127.0.0.1:0", "--auth", "token"});
  CHECK(no_token.exit_code == 2);
  CHECK(no_token.err.find("flyte serve token create") != std::string::npos);
}

TEST_CASE("with --auth token every request but the health check needs a valid bearer token",
          "[server]") {
  ServerFixture s({"--auth", "token"}, /*start=*/false);
  ProcessResult created =
      testing::Flyte(s.home(), {"serve", "token", "create", "--description", "ci"});
  INFO(Describe(created));
  REQUIRE(created.exit_code == 0);
  const std::string token = created.out.substr(0, created.out.size() - 1);
  REQUIRE(token.rfind("flyte_", 0) == 0);
  s.Start();

  CHECK(s.Get("/healthcheck").status == 200);
  auto none = s.Get("/api/v1/projects");
  CHECK(none.status == 401);
  CHECK(none.body["error"]["code"] == "Unauthenticated");
  s.client->set_bearer_token_auth("flyte_not-a-token");
  CHECK(s.Get("/api/v1/projects").status == 401);
  s.client->set_bearer_token_auth(token.c_str());
  CHECK(s.Get("/api/v1/projects").status == 200);

  // The CLI sends FLYTE_TOKEN.
  const std::string client_home = s.tmp / "client";
  testing::Child without(
      testing::FlyteArgv(client_home, {"get", "executions", "--endpoint", s.url}),
      testing::FlyteEnv(client_home));
  ProcessResult refused = without.Wait();
  CHECK(refused.exit_code == 2);
  CHECK(refused.err.find("FLYTE_TOKEN") != std::string::npos);
  std::vector<std::string> env = testing::FlyteEnv(client_home);
  env.push_back("FLYTE_TOKEN=" + token);
  testing::Child with(testing::FlyteArgv(client_home, {"get", "executions", "--endpoint", s.url}),
                      env);
  ProcessResult ok = with.Wait();
  INFO(Describe(ok));
  CHECK(ok.exit_code == 0);

  // Only the token's hash is stored.
  for (const char* f : {"/flyte.db", "/flyte.db-wal"}) {
    CHECK(testing::ReadFile(s.home() + f).find(token) == std::string::npos);
  }
}

}  // namespace
}  // namespace flyte
