// `flyte doctor --kubernetes` against the fake API server: what it reports when all is well,
// when a permission is missing, and when the server cannot be reached.
#include <catch2/catch.hpp>

#include "cli/cli_fixture.h"
#include "support/fake_kube_server.h"

namespace flyte {
namespace {

using testing::CliFixture;
using testing::Describe;
using testing::FakeKube;
using testing::ProcessResult;

// `flyte doctor ARGS` (it has no home).
ProcessResult Doctor(std::vector<std::string> args) {
  args.insert(args.begin(), {FLYTE_BINARY, "doctor"});
  testing::Child c(args, {"TERM=dumb"});
  return c.Wait();
}

TEST_CASE("flyte doctor reports the cluster, credentials, permissions and operators",
          "[kube][doctor]") {
  FakeKube fake("none", true, {"--crds", "dask"});
  CliFixture f;
  ProcessResult r = Doctor({"--kubernetes", "--kubeconfig", fake.kubeconfig("exec")});
  INFO(Describe(r));
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("✔ kubeconfig  context fake") &&
                        Catch::Contains("Kubernetes v1.30.14") &&
                        Catch::Contains("✔ credentials") &&
                        Catch::Contains("✔ permissions in namespace default") &&
                        Catch::Contains("✔ plugin dask") &&
                        Catch::Contains("- plugin ray  not installed"));

  fake.Fault({{"type", "settings"}, {"deny", {"delete pods", "get pods/log"}}});
  r = Doctor({"--kubeconfig", fake.kubeconfig()});
  INFO(Describe(r));
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.out, Catch::Contains("not allowed: delete pods") && Catch::Contains("get pods/log"));
}

TEST_CASE("flyte doctor names an unreachable server and a broken kubeconfig", "[kube][doctor]") {
  CliFixture f;
  const std::string k = f.Write("kubeconfig", R"(apiVersion: v1
kind: Config
current-context: c
contexts: [{name: c, context: {cluster: k, user: u}}]
clusters: [{name: k, cluster: {server: "http://127.0.0.1:1"}}]
users: [{name: u, user: {token: t}}]
)");
  ProcessResult r = Doctor({"--kubeconfig", k});
  INFO(Describe(r));
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.out, Catch::Contains("✗ server http://127.0.0.1:1"));
  r = Doctor({"--kubeconfig", f.tmp.path() + "/missing"});
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.out, Catch::Contains("✗ kubeconfig") && Catch::Contains("missing"));
}

}  // namespace
}  // namespace flyte
