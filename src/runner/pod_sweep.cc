// What a restarted flyte deletes (PodRunner::SweepUnclaimed): its Pods and custom resources
// that no resumed attempt claimed, their executions having ended or gone while it was away.
// Custom resources are found in the collections of the four plugin kinds and of every kind
// recorded in the instance's kinds ConfigMap (written before the first object of a kind is
// created, so `plugin: resource` objects of any kind are found too), in the server's namespace
// and in every namespace recorded there (a task's `kubernetes: {namespace: NS}`, recorded before
// the first object in NS is created). Listing is on a worker; the claimed-or-not decision on
// the loop, where the attempts are.
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

// A recorded namespace's data key; its value is the bare name (no space, unlike a kind's).
constexpr std::string_view kNamespaceKey = "ns.";

// Adds KEY: VALUE to the instance's ConfigMap NAME in namespace NS, creating it if need be.
Status RecordEntry(kube::Client& client, const std::string& ns, const std::string& name,
                   const std::string& instance, const std::string& key, const std::string& value,
                   const std::string& what) {
  const std::string base = "/api/v1/namespaces/" + ns + "/configmaps";
  const std::string patch = kube::ConfigMapDataPatch({{key, value}});
  Result<kube::Response> r =
      client.Send("PATCH", base + "/" + name, patch, "application/merge-patch+json");
  if (r.ok() && r->status == 404) {
    kube::ConfigMapRequest cm;
    cm.name = name;
    cm.ns = ns;
    cm.labels = {{"app.kubernetes.io/managed-by", "flyte"},
                 {"flyte.org/instance", PodLabelValue(instance)}};
    cm.data[key] = value;
    cm.immutable = false;
    r = client.Send("POST", base, kube::ConfigMapManifest(cm));
    // Created meanwhile by another worker: patch it after all.
    if (r.ok() && r->status == 409)
      r = client.Send("PATCH", base + "/" + name, patch, "application/merge-patch+json");
  }
  if (!r.ok()) return r.status();
  if (!r->ok()) return kube::ErrorOf(*r, "recording " + what + " in ConfigMap " + name);
  return Status::Ok();
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
  return RecordEntry(client_, ns_, KindsConfigMap(), options_.instance, KindKey(kind),
                     kind.group_version + " " + kind.plural, kind.kind);
}

Status PodRunner::RecordNamespace(const std::string& ns) {
  return RecordEntry(client_, ns_, KindsConfigMap(), options_.instance,
                     std::string(kNamespaceKey) + ns, ns, "namespace " + ns);
}

void PodRunner::SweepUnclaimed() {
  sweep_wanted_ = true;
  if (sweep_ns_.empty()) {
    // First the namespaces to sweep: the server's, those recorded, those of adopted attempts.
    sweep_ns_.insert(ns_);
    EnsureWatch(ns_);
    for (const auto& [id, a] : attempts_) sweep_ns_.insert(a->ns);
    Submit([this] {
      auto recorded = std::make_shared<std::vector<std::string>>();
      Result<kube::Response> r =
          client_.Get("/api/v1/namespaces/" + ns_ + "/configmaps/" + KindsConfigMap());
      if (r.ok() && r->ok()) {
        for (const auto& [key, value] : kube::ParseConfigMapData(r->body)) {
          if (StartsWith(key, kNamespaceKey) && IsDnsLabel(value)) recorded->push_back(value);
        }
      }
      Post([this, recorded] {
        for (const std::string& ns : *recorded) sweep_ns_.insert(ns);
        sweep_listed_ = true;
        if (sweep_wanted_) SweepUnclaimed();
      });
    });
    return;
  }
  if (!sweep_listed_) return;
  for (const std::string& ns : sweep_ns_) EnsureWatch(ns);
  for (const std::string& ns : sweep_ns_) {
    if (!Synced(ns)) return;  // OnSync calls again
  }
  sweep_wanted_ = false;
  const int64_t now_seconds = PodRunnerWallNanos() / 1'000'000'000;
  for (const auto& [name, pod] : seen_) {
    // Pods of plugin tasks belong to their operators' resources (swept below).
    if (by_pod_.count(name) || pod.meta.deleting || pod.meta.labels.count(kPluginLabel)) continue;
    DropUnclaimed("/api/v1/namespaces/" + pod.meta.ns + "/pods/" + name, pod.meta.labels,
                  now_seconds);
  }
  SweepResources();
}

void PodRunner::SweepResources() {
  Submit([this, namespaces = sweep_ns_] {
    // The plugin kinds' collections hold only custom resources; a recorded kind (plugin:
    // resource) may be Pods or Jobs that others make too, so only those flyte labelled so.
    std::vector<std::pair<std::string, std::string>> lists;  // collection, label selector
    for (spec::PluginKind k : {spec::PluginKind::kDask, spec::PluginKind::kRay,
                               spec::PluginKind::kSpark, spec::PluginKind::kPytorch}) {
      for (const std::string& ns : namespaces) {
        lists.emplace_back(kube::PluginResourceKind(k)->Collection(ns),
                           InstanceSelector() + "," + kPluginLabel);
      }
    }
    Result<kube::Response> kinds =
        client_.Get("/api/v1/namespaces/" + ns_ + "/configmaps/" + KindsConfigMap());
    if (kinds.ok() && kinds->ok()) {
      for (const auto& [key, text] : kube::ParseConfigMapData(kinds->body)) {
        const size_t space = text.find(' ');
        if (space == std::string::npos) continue;
        kube::ResourceKind kind{text.substr(0, space), "", text.substr(space + 1), "", ""};
        for (const std::string& ns : namespaces) {
          lists.emplace_back(kind.Collection(ns),
                             InstanceSelector() + "," + kPluginLabel + "=resource");
        }
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
