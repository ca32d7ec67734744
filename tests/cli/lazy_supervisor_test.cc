// `flyte run` installs the static supervisor in the home only when a task needs it (one with a
// secret, whose output passes through it): checking an installed copy reads all of it, a tenth
// of the start-up of a run that has none.
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "cli/cli_fixture.h"

namespace flyte {
namespace {

namespace fs = std::filesystem;
namespace t = testing;

constexpr const char* kPlain = R"yaml(
tasks:
  hi:
    script: echo hi
workflows:
  wf:
    nodes:
      a: {task: hi}
)yaml";

constexpr const char* kWithSecret = R"yaml(
tasks:
  login:
    secrets: [{name: db, env: PGPASSWORD}]
    script: echo "using $PGPASSWORD"
workflows:
  wf:
    nodes:
      a: {task: login}
)yaml";

std::vector<std::string> Supervisors(const std::string& home) {
  std::vector<std::string> found;
  std::error_code ec;
  for (fs::directory_iterator it(home + "/bin", ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.rfind("flyte-supervise-", 0) == 0) found.push_back(name);
  }
  return found;
}

TEST_CASE("flyte run installs the static supervisor only for a task with a secret",
          "[process][secrets]") {
  t::CliFixture f;
  std::vector<std::string> env = t::FlyteEnv(f.home());
  env.push_back("FLYTE_SECRET_DB=hunter2-not-in-logs");

  t::Child plain(t::FlyteArgv(f.home(), {"run", f.Write("plain.yaml", kPlain)}), env);
  t::ProcessResult r = plain.Wait();
  INFO(t::Describe(r));
  REQUIRE(r.exit_code == 0);
  CHECK(Supervisors(f.home()).empty());

  t::Child secret(t::FlyteArgv(f.home(), {"run", f.Write("secret.yaml", kWithSecret), "-v"}), env);
  r = secret.Wait();
  INFO(t::Describe(r));
  REQUIRE(r.exit_code == 0);
  CHECK(Supervisors(f.home()).size() == 1);
  // Its output went through the supervisor, which keeps the value out of what is shown.
  CHECK(r.err.find("using [secret]") != std::string::npos);
  CHECK(r.err.find("hunter2-not-in-logs") == std::string::npos);
}

}  // namespace
}  // namespace flyte
