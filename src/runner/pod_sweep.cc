// What a restarted flyte deletes (PodRunner::SweepUnclaimed): its Pods and custom resources
// that no resumed attempt claimed, their executions having ended or gone while it was away.
// Custom resources are found in the collections of the four plugin kinds and of every kind
// recorded in the instance's kinds ConfigMap (written before the first object of a kind is
// created, so `plugin: resource` objects of any kind are found too). Listing is on a worker;
// the claimed-or-not decision on the loop, where the attempts are.
#include <cctype>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "kube/manifest.h"
#include "runner/pod_attempt.h"
#include "util/strings.h"

namespace flyte {

namespace {

// A ConfigMap data key for a kind: [-._a-zA-Z0-9]+.
std::string KindKey(const kube::ResourceKind& kind) {
  std::string key = kind.plural + "." + kind.group_version;
  for (char& c : key) {
    if (c == '/') c = '.';
  }
  return key;
}

}  // namespace

std::string PodRunner::KindsConfigMap() const {
  std::string name = "flyte-kinds-";
  for (char c : options_.instance) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    name += std::isalnum(static_cast<unsigned char>(c)) ? c : '-';
  }
  name = name.substr(0, 63);
  while (name.back() == '-') name.pop_back();
  return name;
}

Status PodRunner::RecordKind(const kube::ResourceKind& kind) {
  const std::string base = "/api/v1/namespaces/" + ns_ + "/configmaps";
  const std::string name = KindsConfigMap();
  const std::string value = kind.group_version + " " + kind.plural;
  const std::string patch = kube::ConfigMapDataPatch({{KindKey(kind), value}});
  Result<kube::Response> r =
      client_.Send("PATCH", base + "/" + name, patch, "application/merge-patch+json");
  if (r.ok() && r->status == 404) {
    kube::ConfigMapRequest cm;
    cm.name = name;
    cm.ns = ns_;
    cm.labels = {{"app.kubernetes.io/managed-by", "flyte"},
                 {"flyte.org/instance", PodLabelValue(options_.instance)}};
    cm.data[KindKey(kind)] = value;
    cm.immutable = false;
    r = client_.Send("POST", base, kube::ConfigMapManifest(cm));
    // Created meanwhile by another worker: patch it after all.
    if (r.ok() && r->status == 409)
      r = client_.Send("PATCH", base + "/" + name, patch, "application/merge-patch+json");
  }
  if (!r.ok()) return r.status();
  if (!r->ok()) return kube::ErrorOf(*r, "recording " + kind.kind + " in ConfigMap " + name);
  return Status::Ok();
}

void PodRunner::SweepUnclaimed() {
  EnsureWatch();
  if (!synced_) {
    sweep_wanted_ = true;
    return;
  }
  sweep_wanted_ = false;
  const int64_t now_seconds = PodRunnerWallNanos() / 1'000'000'000;
  for (const auto& [name, pod] : seen_) {
    // Pods of plugin tasks belong to their operators' resources (swept below).
    if (by_pod_.count(name) || pod.meta.deleting || pod.meta.labels.count(kPluginLabel)) continue;
    DropUnclaimed("/api/v1/namespaces/" + ns_ + "/pods/" + name, pod.meta.labels, now_seconds);
  }
  SweepResources();
}

void PodRunner::SweepResources() {
  Submit([this] {
    // The plugin kinds' collections hold only custom resources; a recorded kind (plugin:
    // resource) may be Pods or Jobs that others make too, so only those flyte labelled so.
    std::vector<std::pair<std::string, std::string>> lists;  // collection, label selector
    for (spec::PluginKind k : {spec::PluginKind::kDask, spec::PluginKind::kRay,
                               spec::PluginKind::kSpark, spec::PluginKind::kPytorch}) {
      lists.emplace_back(kube::PluginResourceKind(k)->Collection(ns_),
                         InstanceSelector() + "," + kPluginLabel);
    }
    Result<kube::Response> kinds =
        client_.Get("/api/v1/namespaces/" + ns_ + "/configmaps/" + KindsConfigMap());
    if (kinds.ok() && kinds->ok()) {
      for (const auto& [key, text] : kube::ParseConfigMapData(kinds->body)) {
        const size_t space = text.find(' ');
        if (space == std::string::npos) continue;
        kube::ResourceKind kind{text.substr(0, space), "", text.substr(space + 1), "", ""};
        lists.emplace_back(kind.Collection(ns_),
                           InstanceSelector() + "," + kPluginLabel + "=resource");
      }
    }
    auto found = std::make_shared<std::vector<std::pair<std::string, kube::ObjectMeta>>>();
    for (const auto& [collection, selector] : lists) {
      Result<kube::Response> r =
          client_.Get(collection + "?labelSelector=" + kube::QueryEscape(selector));
      if (!r.ok() || !r->ok()) continue;  // not served (its operator is not installed)
      for (kube::ObjectMeta& meta : kube::ParseListMeta(r->body)) {
        // A main Pod goes with its resource.
        if (meta.name.empty() || meta.deleting || meta.labels.count(kube::kMainPodLabel)) continue;
        std::string path = collection + "/" + meta.name;
        found->emplace_back(std::move(path), std::move(meta));
      }
    }
    Post([this, found] {
      const int64_t now_seconds = PodRunnerWallNanos() / 1'000'000'000;
      for (const auto& [path, meta] : *found) {
        if (!by_resource_.count(meta.name)) DropUnclaimed(path, meta.labels, now_seconds);
      }
    });
  });
}

void PodRunner::DropUnclaimed(const std::string& path,
                              const std::map<std::string, std::string>& labels,
                              int64_t now_seconds) {
  // A failed one kept for inspection (delete_pods: on_success, keep_failed_for) stays its time.
  auto kept = labels.find(kKeepUntil);
  if (kept != labels.end()) {
    if (kept->second == "never") return;
    int64_t until = 0;
    if (ParseInt64(kept->second, &until) && until > now_seconds) {
      return DeleteLater(path, static_cast<uint64_t>(until - now_seconds) * 1000, true);
    }
  }
  DeleteObject(path, -1);
}

}  // namespace flyte
