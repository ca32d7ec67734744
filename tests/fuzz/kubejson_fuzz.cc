// Fuzz target: Kubernetes JSON as a Pod runner reads it. The tree-less scanner (kube/json_scan.h,
// kube/pod_scan.cc) must accept exactly what nlohmann's parser accepts, and read the same Pod,
// watch event and list from it as the decoding of the parsed tree does; it must never crash or
// hang, however deep or broken the text.
#include <string>

#include "fuzz/fuzz_check.h"
#include "kube/decode.h"

namespace flyte::fuzz {
namespace {

using json = nlohmann::json;

std::string Show(const kube::Pod& p) {
  std::string s = "name=" + p.meta.name + " uid=" + p.meta.uid + " rv=" + p.meta.resource_version +
                  " phase=" + p.phase + " reason=" + p.reason +
                  " conditions=" + std::to_string(p.conditions.size()) +
                  " containers=" + std::to_string(p.containers.size()) +
                  " labels=" + std::to_string(p.meta.labels.size());
  for (const kube::ContainerState& c : p.containers) {
    s += " [" + c.name + " kind=" + std::to_string(static_cast<int>(c.kind)) +
         " reason=" + c.reason + " exit=" + std::to_string(c.exit_code) +
         " restarts=" + std::to_string(c.restarts) + " last=" + c.last_reason + "]";
  }
  return s;
}

void CheckPod(const std::string& text, const json& tree) {
  kube::Pod scanned;
  const bool ok = kube::ScanPod(text, &scanned);
  FUZZ_CHECK(ok == tree.is_object(), text);
  if (!ok) return;
  const kube::Pod decoded = kube::DecodePod(tree);
  FUZZ_CHECK(scanned == decoded, "scanned " + Show(scanned) + " decoded " + Show(decoded));
  kube::ObjectMeta meta;
  FUZZ_CHECK(kube::ScanObjectMeta(text, &meta) && meta == decoded.meta, text);
}

void CheckEvent(const std::string& text, const json& tree) {
  kube::PodEvent ev;
  const bool ok = kube::ScanPodEvent(text, &ev);
  FUZZ_CHECK(ok == tree.is_object(), text);
  if (!ok) return;
  const json& object = kube::Field(tree, "object");
  FUZZ_CHECK(ev.type == kube::Str(tree, "type"), text);
  FUZZ_CHECK(ev.message == kube::Str(object, "message"), text);
  const json& code = kube::Field(object, "code");
  FUZZ_CHECK(ev.code == (code.is_number_integer() ? code.get<int>() : 0), text);
  FUZZ_CHECK(ev.pod == kube::DecodePod(object), "scanned " + Show(ev.pod));
}

void CheckList(const std::string& text, const json& tree) {
  kube::PodList list;
  const bool ok = kube::ScanPodList(text, &list);
  FUZZ_CHECK(ok == tree.is_object(), text);
  if (!ok) return;
  const json& meta = kube::Field(tree, "metadata");
  FUZZ_CHECK(list.resource_version == kube::Str(meta, "resourceVersion"), text);
  FUZZ_CHECK(list.cont == kube::Str(meta, "continue"), text);
  const json& items = kube::Field(tree, "items");
  const size_t n = items.is_array() ? items.size() : 0;
  FUZZ_CHECK(list.items.size() == n, text);
  for (size_t i = 0; i < n && i < list.items.size(); ++i)
    FUZZ_CHECK(list.items[i] == kube::DecodePod(items[i]), "item " + std::to_string(i));
}

}  // namespace

int FuzzKubeJson(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const json tree = json::parse(text, nullptr, false);  // discarded when refused
  CheckPod(text, tree);
  CheckEvent(text, tree);
  CheckList(text, tree);
  return 0;
}

}  // namespace flyte::fuzz

#ifdef FLYTE_LIBFUZZER
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return flyte::fuzz::FuzzKubeJson(data, size);
}
#endif
