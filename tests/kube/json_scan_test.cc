// The tree-less reading of Pods (kube/json_scan.h, kube/pod_scan.cc): it accepts what a JSON
// parser accepts, and reads what decoding the parsed tree reads. Each text also goes through
// the kubejson fuzz target, which compares the two readings field by field.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "fuzz/fuzz_check.h"
#include "kube/decode.h"
#include "kube/json_scan.h"

namespace flyte::kube {
namespace {

void SameAsTree(const std::string& text) {
  INFO(text);
  CHECK_NOTHROW(fuzz::FuzzKubeJson(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
}

// A watch event as the fake API server sends it (tests/fuzz/corpus/kubejson has more).
const std::string kEvent =
    R"({"type":"MODIFIED","object":{"apiVersion":"v1","kind":"Pod",
 "metadata":{"name":"p-0-abc","namespace":"default","uid":"u-1","resourceVersion":"42",
  "labels":{"flyte.org/attempt":"0"},"managedFields":[{"manager":"kubelet","fieldsV1":
  {"f:status":{"f:phase":{}}}}],"annotations":{"spec":"x"}},
 "spec" : {"containers":[{"command":["sh","-c","echo \"}]{[\" \\\"spec\\\":{"],
  "env":[{"name":"X","value":"a\\\\"},{"name":"Y","value":"{\"spec\":1}"}]}],"n":-1.5e3,
  "ok":true,"none":null},
 "status":{"phase":"Succeeded","conditions":[{"type":"Ready","status":"False"}],
  "containerStatuses":[{"name":"task","restartCount":2,"lastState":{"terminated":
  {"reason":"OOMKilled"}},"state":{"terminated":{"exitCode":3,"signal":0,
  "reason":"Error","message":"m\"}"}}}]}}})";

TEST_CASE("kube scan: a watch event's Pod reads as the parsed tree reads it", "[kube]") {
  PodEvent ev;
  REQUIRE(ScanPodEvent(kEvent, &ev));
  CHECK(ev.type == "MODIFIED");
  const Pod& p = ev.pod;
  CHECK(p.meta.name == "p-0-abc");
  CHECK(p.meta.ns == "default");
  CHECK(p.meta.uid == "u-1");
  CHECK(p.meta.resource_version == "42");
  CHECK(p.meta.labels == std::map<std::string, std::string>{{"flyte.org/attempt", "0"}});
  CHECK(p.meta.annotations.at("spec") == "x");
  CHECK(p.phase == "Succeeded");
  REQUIRE(p.conditions.size() == 1);
  CHECK(p.conditions[0].type == "Ready");
  REQUIRE(p.containers.size() == 1);
  const ContainerState& c = p.containers[0];
  CHECK(c.kind == ContainerState::Kind::kTerminated);
  CHECK(c.exit_code == 3);
  CHECK(c.reason == "Error");
  CHECK(c.message == "m\"}");
  CHECK(c.restarts == 2);
  CHECK(c.last_reason == "OOMKilled");
  SameAsTree(kEvent);
}

TEST_CASE(
    "kube scan: escapes, repeated keys and fields of the wrong type read as a parser reads "
    "them",
    "[kube]") {
  Pod p;
  REQUIRE(ScanPod(R"({"metadata":{"name":"p\u00e9\ud83d\ude00\/\t","uid":"first","uid":"last",
      "labels":{"a":"1","a":2,"b":"2"},"namespace":7,"deletionTimestamp":"t"}})",
                  &p));
  CHECK(p.meta.name == "p\xc3\xa9\xf0\x9f\x98\x80/\t");
  CHECK(p.meta.uid == "last");
  CHECK(p.meta.labels == std::map<std::string, std::string>{{"b", "2"}});  // the last "a" is 2
  CHECK(p.meta.ns.empty());
  CHECK(p.meta.deleting);
  // Waiting counts before terminated; a number that is not an integer reads as absent.
  REQUIRE(ScanPod(R"({"status":{"containerStatuses":[{"state":{"terminated":{"exitCode":1.0},
      "waiting":{"reason":"ImagePullBackOff"}},"restartCount":1e2},5]}})",
                  &p));
  REQUIRE(p.containers.size() == 2);
  CHECK(p.containers[0].kind == ContainerState::Kind::kWaiting);
  CHECK(p.containers[0].reason == "ImagePullBackOff");
  CHECK(p.containers[0].restarts == 0);
  CHECK(p.containers[1] == ContainerState{});
  for (const std::string text : {
           R"({"metadata":{"name":"a"},"metadata":5})",
           R"({"status":{"phase":"Running","conditions":[1,null,{"type":"Ready"}]}})",
           R"({"status":{"containerStatuses":[{"restartCount":18446744073709551615}]}})",
           R"({"status":{"containerStatuses":[{"restartCount":-9223372036854775809}]}})",
           R"({"status":{"containerStatuses":[{"restartCount":-0}]}})",
           R"({"status":{"containerStatuses":[{"state":{"running":{}},"state":7}]}})",
           R"({"metadata":{"na\u006de":"escaped key"}})",
           R"({"type":"ERROR","object":{"code":410,"message":"too old"}})",
           R"({"type":"ERROR","object":{"code":"410"}})",
           R"({"object":{"metadata":{"resourceVersion":"9"}},"type":"BOOKMARK"})",
           R"({"items":[{"metadata":{"name":"a"}},[],{}],"metadata":{"continue":"c"}})",
           " \r\n\t{}\n",
           R"([{"metadata":{"name":"not an object"}}])",
           "\"text\"",
           "0",
       }) {
    SameAsTree(text);
  }
  // A NUL byte ends the text for a parser, whatever follows it (a fuzzer's find).
  CHECK(ScanPod(std::string("{\"metadata\":{\"name\":\"a\"}} \0\0garbage", 35), &p));
  CHECK(p.meta.name == "a");
  SameAsTree(std::string("{} \0{", 5));
  // A byte order mark before the text is skipped, as a parser skips it; half of one is not.
  CHECK(ScanPod("\xEF\xBB\xBF{\"status\":{\"phase\":\"Running\"}}", &p));
  CHECK(p.phase == "Running");
  SameAsTree("\xEF\xBB\xBF{}");
  SameAsTree("\xEF\xBB{}");
  SameAsTree(" \xEF\xBB\xBF{}");
  SameAsTree(std::string("{\"a\":1\0}", 8));
}

TEST_CASE("kube scan: malformed or cut-off text is refused, as a parser refuses it", "[kube]") {
  for (const std::string& text : std::vector<std::string>{
           R"({"spec":{"a":[1}},"status":{}})",
           R"({"spec":{"a":"never ends}})",
           R"({"status":{"phase":"Running"},"spec":{)",
           R"({"status":{"phase":"Run)",
           R"({"spec":)",
           R"("spec":{})",
           "",
           "{} {}",
           R"({"a":1,})",
           R"({"a":[1,]})",
           R"({"a":01})",
           R"({"a":-})",
           R"({"a":1.})",
           R"({"a":1e})",
           R"({"a":tru})",
           R"({"a":"\x"})",
           R"({"a":"\ud83d"})",
           R"({"a":"\ude00"})",
           R"({"a":"\u12G4"})",
           "{\"a\":\"tab\there\"}",
           "{\"a\":\"\xc3\x28\"}",          // not UTF-8
           "{\"a\":\"\xed\xa0\x80\"}",      // a surrogate in UTF-8
           "{\"a\":\"\xf0\x82\x82\xac\"}",  // overlong
           "{\"a\":\"\xf4\x90\x80\x80\"}",  // past U+10FFFF
           R"({"a":1e999})",                // a number overflow to nlohmann
           R"({"a":-1.5E+400})",
           std::string("{\"a\":1") + std::string(400, '0') + "}",  // too large even as a float
           R"({"a" 1})",
           R"({1:1})",
           R"({"a":1 "b":2})",
       }) {
    INFO(text);
    Pod p;
    CHECK_FALSE(ScanPod(text, &p));
    PodEvent ev;
    CHECK_FALSE(ScanPodEvent(text, &ev));
    SameAsTree(text);
  }
}

TEST_CASE("kube scan: nesting of any depth is stepped over without recursion", "[kube]") {
  const size_t depth = 200000;
  const std::string deep = std::string(depth, '[') + std::string(depth, ']');
  Pod p;
  CHECK(ScanPod(R"({"spec":)" + deep + R"(,"status":{"phase":"Running"}})", &p));
  CHECK(p.phase == "Running");
  CHECK_FALSE(ScanPod(R"({"spec":)" + std::string(depth, '[') + "}", &p));
  CHECK_FALSE(ScanPod(std::string(depth, '{'), &p));
}

}  // namespace
}  // namespace flyte::kube
