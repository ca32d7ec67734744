// A task's Pod as text: written directly when there is nothing to merge, built as a tree when a
// pod template or tolerations are merged. The two give the same bytes for the same Pod.
#include <catch2/catch.hpp>

#include "kube/manifest.h"
#include "nlohmann/json.hpp"

namespace flyte::kube {
namespace {

using json = nlohmann::json;

// The same request through the tree: an empty template merges nothing.
std::string ByTree(PodRequest p) {
  p.pod_template_json = "{}";
  Result<std::string> m = PodManifest(p);
  REQUIRE(m.ok());
  return *m;
}

std::string Written(const PodRequest& p) {
  Result<std::string> m = PodManifest(p);
  REQUIRE(m.ok());
  return *m;
}

PodRequest Full() {
  PodRequest p;
  p.name = "a82t25v4dl5cvh2dgd2i-m-0-0-371cd";
  p.ns = "team-a";
  p.labels = {{"flyte.org/attempt", "0"}, {"app.kubernetes.io/managed-by", "flyte"}};
  p.annotations = {{"flyte.org/node", "m[0]"}, {"note", "a \"quoted\"\nline \x01 é"}};
  p.image = "ghcr.io/org/img:1.2";
  p.command = {"/var/run/flyte/bin/flyte-pod", "--", "sh", "-eu", "-c", "echo \"$X\" \\ done"};
  p.env = {{"FLYTE_NODE_ID", "m[0]", "", ""},
           {"API_KEY", "", "creds", "api_key"},
           {"EMPTY", "", "", ""}};
  p.working_dir = "/work dir";
  p.requests = {{"cpu", "500m"}, {"memory", "1Gi"}};
  p.limits = {{"nvidia.com/gpu", "1"}, {"memory", "2Gi"}};
  p.config_maps = {{"flyte-pod-d59a2204c5b6", "/var/run/flyte/bin", 0555},
                   {"inputs-x", "/var/run/flyte/inputs", 0444}};
  p.empty_dirs = {"/var/run/flyte/outputs", "/var/run/flyte/raw"};
  p.secret_files = {{"creds", "tls.key", "/etc/tls/key"}, {"other", "k", "/k"}};
  p.service_account = "flyte-task";
  p.node_selector = {{"pool", "gpu"}, {"zone", "a"}};
  p.active_deadline_seconds = 3600;
  return p;
}

TEST_CASE("kube manifest: a Pod written directly is byte for byte the Pod the tree builds",
          "[kube]") {
  std::vector<PodRequest> cases;
  cases.push_back(Full());
  PodRequest bare;  // the least a Pod has
  bare.name = "p";
  bare.ns = "default";
  cases.push_back(bare);
  // Each optional part alone, then all but it.
  for (int part = 0; part < 10; ++part) {
    PodRequest only = bare, all_but = Full();
    const PodRequest full = Full();
    switch (part) {
      case 0:
        only.labels = full.labels, all_but.labels.clear();
        break;
      case 1:
        only.annotations = full.annotations, all_but.annotations.clear();
        break;
      case 2:
        only.env = full.env, all_but.env.clear();
        break;
      case 3:
        only.requests = full.requests, all_but.requests.clear();
        break;
      case 4:
        only.limits = full.limits, all_but.limits.clear();
        break;
      case 5:
        only.config_maps = full.config_maps, all_but.config_maps.clear();
        break;
      case 6:
        only.empty_dirs = full.empty_dirs, all_but.empty_dirs.clear();
        break;
      case 7:
        only.secret_files = full.secret_files, all_but.secret_files.clear();
        break;
      case 8:
        only.node_selector = full.node_selector, all_but.node_selector.clear();
        break;
      case 9:
        only.service_account = full.service_account, all_but.service_account.clear();
        only.working_dir = full.working_dir, all_but.working_dir.clear();
        only.active_deadline_seconds = 5, all_but.active_deadline_seconds = 0;
        break;
    }
    cases.push_back(only);
    cases.push_back(all_but);
  }
  for (const PodRequest& p : cases) {
    const std::string written = Written(p);
    INFO(written);
    CHECK(written == ByTree(p));
    CHECK(json::parse(written).is_object());
  }
  // What the API server reads of the full one.
  const json pod = json::parse(Written(Full()));
  const json& c = pod["spec"]["containers"][0];
  CHECK(c["env"][1]["valueFrom"]["secretKeyRef"]["name"] == "creds");
  CHECK(c["command"][5] == "echo \"$X\" \\ done");
  CHECK(c["volumeMounts"].size() == 6);
  CHECK(pod["spec"]["volumes"][4]["secret"]["items"][0]["key"] == "tls.key");
  CHECK(pod["metadata"]["annotations"]["note"] == "a \"quoted\"\nline \x01 é");
}

TEST_CASE("kube manifest: text that is not UTF-8 is refused with a reason, never sent or thrown",
          "[kube]") {
  PodRequest p = Full();
  p.command.back() = "echo \xff\xfe";  // an input's bytes put into the script
  for (const char* tmpl : {"", "{}"}) {
    INFO(tmpl);
    p.pod_template_json = tmpl;
    Result<std::string> m = PodManifest(p);
    REQUIRE_FALSE(m.ok());
    CHECK(m.status().code() == StatusCode::kInvalidArgument);
    CHECK_THAT(m.status().message(), Catch::Contains("not UTF-8"));
  }
}

}  // namespace
}  // namespace flyte::kube
