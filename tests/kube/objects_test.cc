// The lean decoding of API objects: the parts flyte never reads are cut out before parsing,
// and what is left reads as a whole parse would read it.
#include <catch2/catch.hpp>

#include "kube/decode.h"
#include "kube/kubeconfig.h"
#include "kube/manifest.h"
#include "kube/objects.h"

namespace flyte::kube {
namespace {

using json = nlohmann::json;

// What the lean parse must equal: the whole parse with every spec and managedFields erased.
void EraseUnread(json& j) {
  if (j.is_object()) {
    j.erase("spec");
    j.erase("managedFields");
    for (auto& [k, v] : j.items()) EraseUnread(v);
  } else if (j.is_array()) {
    for (json& v : j) EraseUnread(v);
  }
}

json Whole(const std::string& text) {
  json j = json::parse(text);
  EraseUnread(j);
  return j;
}

// A watch event as an API server sends it: the spec holds the command, env and inputs, with
// quotes, escapes and brackets inside strings.
const std::string kPod = R"({"apiVersion":"v1","kind":"Pod",
 "metadata":{"name":"p-0-abc","namespace":"default","uid":"u-1","resourceVersion":"42",
  "labels":{"flyte.org/attempt":"0"},"managedFields":[{"manager":"kubelet","fieldsV1":
  {"f:status":{"f:phase":{}}}}],"annotations":{"spec":"a label named spec is skipped too"}},
 "spec" : {"containers":[{"command":["sh","-c","echo \"}]{[\" \\\"spec\\\":{"],
  "env":[{"name":"X","value":"a\\\\"},{"name":"Y","value":"{\"spec\":1}"}]}],"n":-1.5e3,
  "ok":true,"none":null},
 "status":{"phase":"Succeeded","containerStatuses":[{"name":"task","restartCount":0,
  "state":{"terminated":{"exitCode":0,"reason":"Completed","message":"m\"}"}}}]}})";
const std::string kEvent = R"({"type":"MODIFIED","object":)" + kPod + "}";

TEST_CASE(
    "kube objects: a Pod's spec and managedFields are skipped, the rest read as a whole "
    "parse reads it",
    "[kube]") {
  const json lean = ParseLean(kEvent);
  REQUIRE(lean.is_object());
  CHECK(lean == Whole(kEvent));
  const Pod pod = DecodePod(lean["object"]);
  CHECK(pod.meta.name == "p-0-abc");
  CHECK(pod.meta.uid == "u-1");
  CHECK(pod.meta.labels.at("flyte.org/attempt") == "0");
  CHECK(pod.phase == "Succeeded");
  REQUIRE(pod.containers.size() == 1);
  CHECK(pod.containers[0].message == "m\"}");
  CHECK(ParseMeta(kPod).uid == "u-1");  // a created object's answer
}

TEST_CASE("kube objects: a skipped member may come first, last, alone or between others",
          "[kube]") {
  for (const std::string text : {
           R"({"spec":{"a":[1,{"b":"}"}]},"status":{"phase":"Running"}})",
           R"({"status":{"phase":"Running"} , "spec" : [ ] })",
           R"({ "spec" : "x" })",
           R"({"a":1,"spec":2,"b":[{"spec":{},"c":3}],"managedFields":[],"d":"spec"})",
           R"([{"spec":true},{"spec":false,"e":null}])",
           R"({"metadata":{"name":"no member to cut"}})",
       }) {
    INFO(text);
    CHECK(ParseLean(text) == Whole(text));
  }
}

TEST_CASE("kube objects: a malformed or cut-off object is refused, never half read", "[kube]") {
  for (const std::string text : {
           R"({"spec":{"a":[1}},"status":{}})",          // brackets that do not match
           R"({"spec":{"a":"never ends}})",              // a string that does not end
           R"({"status":{"phase":"Running"},"spec":{)",  // cut off inside the skipped part
           R"({"status":{"phase":"Run)",                 // cut off elsewhere
           R"({"spec":)",                                // no value
           R"("spec":{})",                               // a member without its object
           "",
       }) {
    INFO(text);
    CHECK_FALSE(ParseLean(text).is_object());
    CHECK(ParseMeta(text).name.empty());
  }
}

TEST_CASE("kube objects: a ConfigMap's binary data and text data read back byte for byte",
          "[kube]") {
  ConfigMapRequest cm;
  cm.name = "flyte-pod-abc";
  cm.ns = "team-a";
  cm.labels = {{"app.kubernetes.io/managed-by", "flyte"}};
  cm.data = {{"note", "a \"quoted\" line\n"}};
  std::string bytes;
  for (int i = 0; i < 3000; ++i) bytes += static_cast<char>(i * 7);
  cm.binary_data = {{"flyte-pod", bytes}, {"empty", ""}, {"k\"ey", "x"}};
  cm.immutable = true;
  const json j = json::parse(ConfigMapManifest(cm));
  CHECK(j["metadata"]["name"] == "flyte-pod-abc");
  CHECK(j["metadata"]["namespace"] == "team-a");
  CHECK(j["data"]["note"] == "a \"quoted\" line\n");
  CHECK(j["immutable"] == true);
  REQUIRE(j["binaryData"].size() == 3);
  CHECK(DecodeBase64(j["binaryData"]["flyte-pod"].get<std::string>()) == bytes);
  CHECK(DecodeBase64(j["binaryData"]["empty"].get<std::string>()) == "");
  CHECK(DecodeBase64(j["binaryData"]["k\"ey"].get<std::string>()) == "x");
}

}  // namespace
}  // namespace flyte::kube
