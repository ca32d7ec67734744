// config/kubernetes/flyte.yaml, the in-cluster `flyte serve` of docs/kubernetes.md, kept true:
// its Role grants what the Pod runner needs (checked by `flyte doctor --kubernetes` against the
// fake API server denying everything else), its parts refer to each other by the right names,
// and its server configuration loads.
#include <catch2/catch.hpp>

#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "cli/cli_fixture.h"
#include "cli/serve_config.h"
#include "support/fake_kube_server.h"
#include "types/literal.h"
#include "util/yaml.h"

namespace flyte::testing {
namespace {

// Each document of the manifest, as JSON, by kind.
std::multimap<std::string, nlohmann::json> Manifest(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  std::multimap<std::string, nlohmann::json> out;
  std::string all = "\n" + text.str();
  size_t at = 0;
  while (at < all.size()) {
    size_t next = all.find("\n---\n", at);
    std::string doc = all.substr(at, next == std::string::npos ? std::string::npos : next - at);
    at = next == std::string::npos ? all.size() : next + 4;
    yaml::ParseResult parsed = yaml::ParseText(doc, path);
    INFO(parsed.error.message);
    REQUIRE(parsed.doc);
    if (parsed.doc->root() == nullptr || parsed.doc->root()->is_null()) continue;
    LiteralResult v = ValueFromNode(*parsed.doc->root(), Type::Json());
    REQUIRE(v.ok());
    nlohmann::json j = nlohmann::json::parse(v.value.ToCanonicalJson());
    out.emplace(j["kind"].get<std::string>(), j);
  }
  return out;
}

const nlohmann::json& One(const std::multimap<std::string, nlohmann::json>& m,
                          const std::string& kind) {
  REQUIRE(m.count(kind) == 1);
  return m.find(kind)->second;
}

TEST_CASE("kubernetes: the in-cluster manifest grants what flyte needs, and its parts fit",
          "[kube]") {
  const std::string path = std::string(FLYTE_SOURCE_DIR) + "/config/kubernetes/flyte.yaml";
  auto docs = Manifest(path);
  const nlohmann::json& role = One(docs, "Role");
  const nlohmann::json& binding = One(docs, "RoleBinding");
  const nlohmann::json& account = One(docs, "ServiceAccount");
  const nlohmann::json& deploy = One(docs, "Deployment");
  const nlohmann::json& claim = One(docs, "PersistentVolumeClaim");
  const nlohmann::json& config = One(docs, "ConfigMap");
  const std::string ns = One(docs, "Namespace")["metadata"]["name"];
  const nlohmann::json& pod = deploy["spec"]["template"]["spec"];

  // The names line up.
  CHECK(binding["roleRef"]["name"] == role["metadata"]["name"]);
  CHECK(binding["subjects"][0]["name"] == account["metadata"]["name"]);
  CHECK(pod["serviceAccountName"] == account["metadata"]["name"]);
  CHECK(deploy["spec"]["replicas"] == 1);
  CHECK(deploy["spec"]["strategy"]["type"] == "Recreate");
  std::map<std::string, nlohmann::json> volumes;
  for (const auto& v : pod["volumes"]) volumes[v["name"]] = v;
  std::map<std::string, std::string> mounts;
  for (const auto& m : pod["containers"][0]["volumeMounts"]) mounts[m["mountPath"]] = m["name"];
  CHECK(volumes[mounts["/var/lib/flyte"]]["persistentVolumeClaim"]["claimName"] ==
        claim["metadata"]["name"]);
  CHECK(volumes[mounts["/etc/flyte"]]["configMap"]["name"] == config["metadata"]["name"]);

  // The server configuration it mounts loads, and puts Pods in the manifest's namespace.
  TempDir dir;
  const std::string server_yaml = dir.Write("server.yaml", config["data"]["server.yaml"]);
  Result<cli::ServeConfig> loaded = cli::LoadServeConfig(server_yaml);
  INFO(loaded.status().message());
  REQUIRE(loaded.ok());
  CHECK(loaded->kube.enabled);
  CHECK(loaded->kube.ns == ns);
  CHECK(loaded->home == "/var/lib/flyte");

  // Everything the Role does not grant is denied; flyte doctor must still find all it needs.
  std::set<std::string> granted;
  for (const auto& rule : role["rules"]) {
    for (const auto& r : rule["resources"]) {
      for (const auto& v : rule["verbs"])
        granted.insert(v.get<std::string>() + " " + r.get<std::string>());
    }
  }
  std::vector<std::string> deny;
  for (const char* verb :
       {"create", "get", "list", "watch", "delete", "patch", "update", "deletecollection"}) {
    for (const char* res :
         {"pods", "pods/log", "pods/exec", "configmaps", "secrets", "events", "services"}) {
      const std::string what = std::string(verb) + " " + res;
      if (!granted.count(what)) deny.push_back(what);
    }
  }
  FakeKube fake("none");
  fake.Fault({{"type", "settings"}, {"deny", deny}});
  Child c({FLYTE_BINARY, "doctor", "--kubernetes", "--kubeconfig", fake.kubeconfig(), "--namespace",
           ns},
          {"TERM=dumb", "HOME=" + dir.path()});
  ProcessResult r = c.Wait(60000);
  INFO(Describe(r));
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out + r.err, Catch::Contains("permissions in namespace " + ns));
}

}  // namespace
}  // namespace flyte::testing
