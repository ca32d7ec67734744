// Plugin tasks on the Pod runner (KUBERNETES.md §6): the task's Pod is built as for a Pod
// task, then wrapped by its plugin into a custom resource (kube/plugins); the operator creates
// the main Pod from it, which the runner's one Pod watch finds by label and follows as its own
// (phase table, logs, outputs in the termination message). The resource's status, from one
// watch per kind and namespace, says the rest: waits before the Pod exists, the operator's
// verdict, failures without a Pod. The resource is what is deleted, at the end or on abort.
#include "kube/access.h"
#include "runner/pod_attempt.h"
#include "util/strings.h"

namespace flyte {

namespace {

using Phase = kube::ResourceState::Phase;

// How long the operator may take to confirm what the main Pod already said (or the Pod to
// show its last state after the operator's verdict).
constexpr int64_t kSettleNanos = 30'000'000'000;
// A resource with no status for this long: the operator is probably not running.
constexpr int64_t kOperatorSilenceNanos = 120'000'000'000;

int64_t Now() { return PodRunnerNow(); }

std::string JsonString(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string PluginName(const spec::PluginSpec& p) {
  switch (p.kind) {
    case spec::PluginKind::kDask:
      return "dask";
    case spec::PluginKind::kRay:
      return "ray";
    case spec::PluginKind::kSpark:
      return "spark";
    case spec::PluginKind::kPytorch:
      return "pytorch";
    case spec::PluginKind::kResource:
      return "resource";
    case spec::PluginKind::kNone:
      break;
  }
  return "none";
}

}  // namespace

void PodRunner::PrepareResource(Attempt& a, const kube::PodRequest& pod) {
  const TaskLaunch& l = a.launch;
  const spec::PluginSpec& plugin = l.task->spec->plugin;
  auto r = std::make_unique<PluginResource>();
  r->name = PodName(l.attempt, options_.instance, 53);
  kube::ResourceInput in;
  in.name = r->name;
  in.ns = a.ns;
  in.labels = pod.labels;
  in.labels[kPluginLabel] = PluginName(plugin);
  in.annotations = pod.annotations;
  in.pod_json = a.manifest;
  in.image = pod.image;
  in.plugin = &plugin;
  if (l.interruptible) {
    in.interruptible_node_selector = options_.interruptible_node_selector;
    in.interruptible_tolerations_json = options_.interruptible_tolerations_json;
  }
  const Interface& iface = l.task->iface;
  for (size_t i = 0; i < iface.inputs.size() && i < l.inputs.size(); ++i)
    in.vars["inputs." + iface.inputs[i].name] = l.inputs[i].ToCanonicalJson();
  in.vars["execution.id"] = JsonString(l.attempt.execution);
  in.vars["node.id"] = JsonString(l.attempt.node);
  in.vars["attempt"] = std::to_string(l.attempt.attempt);
  Result<kube::BuiltResource> built = kube::BuildResource(in);
  if (built.ok()) {
    r->kind = built->kind;
    r->body = std::move(built->body);
    if (!r->kind.plural.empty()) r->collection = r->kind.Collection(a.ns);
  }
  a.container = r->kind.main_container;
  a.classify.container = a.container;
  a.pod.clear();  // the operator names it; found by label
  if (plugin.kind == spec::PluginKind::kResource) {
    a.inputs.clear();
    a.inputs_manifest.clear();
  }
  a.resource = std::move(r);
}

Result<std::string> PodRunner::ResourceCollection(const kube::ResourceKind& kind,
                                                  const std::string& ns) {
  const std::string key = kind.group_version + " " + kind.kind;
  kube::ResourceKind found = kind;
  {
    std::lock_guard<std::mutex> lock(served_mu_);
    if (auto it = served_.find(key); it != served_.end()) {
      found.plural = it->second;
      return found.Collection(ns);
    }
  }
  ASSIGN_OR_RETURN(std::string plural, kube::PluralOf(client_, kind.group_version, kind.kind));
  if (plural.empty() || (!kind.plural.empty() && plural != kind.plural)) {
    return NotFound("the cluster does not serve " + kind.kind + " (" + kind.group_version +
                    (kind.plural.empty() ? "" : " " + kind.plural) + "): install " +
                    kind.operator_name +
                    " (its CustomResourceDefinition is missing); nothing was created");
  }
  found.plural = plural;
  // Before the first object of the kind exists: a restarted flyte must find it to sweep it.
  RETURN_IF_ERROR(RecordKind(found));
  std::lock_guard<std::mutex> lock(served_mu_);
  served_[key] = plural;
  return found.Collection(ns);
}

void PodRunner::EnsureResourceWatch(const std::string& collection) {
  if (collection.empty() || resource_watches_.count(collection)) return;
  kube::Watch::Options wo;
  wo.path = collection;
  wo.label_selector = InstanceSelector();
  wo.kind = kube::Watch::Kind::kCustom;
  wo.liveness_nanos = options_.watch_liveness_nanos;
  kube::Watch::Handler h;
  h.on_sync = [this](std::vector<kube::Object> objects) {
    auto shared = std::make_shared<std::vector<kube::Object>>(std::move(objects));
    Post([this, shared] {
      for (const kube::Object& o : *shared) {
        if (o.custom) OnResource(*o.custom, false);
      }
    });
  };
  h.on_events = [this](std::vector<kube::Event> events) {
    auto shared = std::make_shared<std::vector<kube::Event>>(std::move(events));
    Post([this, shared] {
      for (const kube::Event& e : *shared) {
        if (e.object.custom) OnResource(*e.object.custom, e.type == kube::EventType::kDeleted);
      }
    });
  };
  h.on_trouble = [](const Status&) {};
  resource_watches_[collection] =
      std::make_unique<kube::Watch>(client_, std::move(wo), std::move(h));
}

std::unordered_map<std::string, uint64_t>::iterator PodRunner::ClaimMainPod(const kube::Pod& pod) {
  auto label = pod.meta.labels.find(kube::kMainPodLabel);
  if (label == pod.meta.labels.end()) return by_pod_.end();
  auto owner = by_resource_.find(label->second);
  if (owner == by_resource_.end()) return by_pod_.end();
  auto it = attempts_.find(owner->second);
  if (it == attempts_.end() || !it->second->pod.empty()) return by_pod_.end();
  it->second->pod = pod.meta.name;
  return by_pod_.emplace(pod.meta.name, owner->second).first;
}

void PodRunner::OnResource(const kube::CustomObject& object, bool deleted) {
  auto owner = by_resource_.find(object.meta.name);
  if (owner == by_resource_.end()) return;
  auto it = attempts_.find(owner->second);
  if (it == attempts_.end() || it->second->resource == nullptr) return;
  Attempt& a = *it->second;
  PluginResource& r = *a.resource;
  if (a.stage == Attempt::Stage::kWaiting) return;
  if (a.stage == Attempt::Stage::kCreating) {
    if (deleted) return;
    a.stage = Attempt::Stage::kCreated;
    a.uid = object.meta.uid;
  }
  if (a.aborted) {
    if (deleted) Finish(a.id, AbortedResult());
    return;
  }
  if (deleted) {
    if (a.verdict && a.verdict->kind == kube::PodVerdict::Kind::kSucceeded) {
      r.state.phase = Phase::kSucceeded;  // its main Pod had finished: take its outputs
      return MaybeFinishResource(a);
    }
    return Fail(a.id, AttemptResult::Status::kSystemError, ExecErrorCode::kResourceDeleted,
                r.kind.kind + " " + a.ns + "/" + r.name + " was deleted by someone else", true);
  }
  if (!r.created_at) r.created_at = Now();
  r.seen = true;
  r.state = kube::ReadState(a.launch.task->spec->plugin, object);
  if (r.state.terminal()) {
    if (!r.failed_at) r.failed_at = Now();
    return MaybeFinishResource(a);
  }
  std::string warning;
  if (!r.state.unknown.empty()) {
    warning =
        r.kind.kind + " reports " + r.state.unknown + ", which flyte does not know; still running";
  }
  // Once its main Pod runs, the Pod says more than the resource (image pulls, its own waits).
  if (!a.pod.empty() && seen_.count(a.pod) && r.state.phase != Phase::kRunning) return;
  switch (r.state.phase) {
    case Phase::kNoStatus:
      return TickResource(a, Now());
    case Phase::kQueued:
      return Progress(a, TaskPhase::kQueued, r.state.reason);
    case Phase::kInitializing:
      return Progress(a, TaskPhase::kInitializing, r.state.reason);
    default:
      return Progress(a, TaskPhase::kRunning, warning.empty() ? r.state.reason : warning);
  }
}

void PodRunner::MaybeFinishResource(Attempt& a) {
  PluginResource& r = *a.resource;
  const int64_t now = Now();
  auto failure = [&] {
    AttemptResult f;
    f.status = AttemptResult::Status::kUserError;
    f.retryable = r.state.retryable;
    f.code = ExecErrorCode::kResourceFailed;
    f.message = r.state.reason.empty() ? r.kind.kind + " failed" : r.state.reason;
    f.stdout_path = a.paths.stdout_path;
    f.tail = Tail(a.paths.stdout_path, 20);
    Finish(a.id, std::move(f));
  };
  if (a.verdict) {  // the main Pod has ended: its own verdict first
    if (a.logs != nullptr && !a.logs_done) return;
    if (a.verdict->kind != kube::PodVerdict::Kind::kSucceeded) return Finish(a.id, ResultOf(a));
    if (r.state.phase == Phase::kFailed) return failure();
    if (r.state.phase == Phase::kSucceeded || now - a.verdict_at > kSettleNanos) {
      if (a.collecting) return;
      return FinishEnded(a);
    }
    return;  // the operator has yet to say so
  }
  if (r.kind.main_container.empty()) {  // plugin: resource has no Pod of its own
    if (r.state.phase == Phase::kSucceeded) {
      AttemptResult ok;
      ok.status = AttemptResult::Status::kSucceeded;
      return Finish(a.id, std::move(ok));
    }
    if (r.state.phase == Phase::kFailed) return failure();
    return;
  }
  if (!r.state.terminal()) return;
  // The resource ended before its main Pod's last state arrived: wait a little for it.
  if (!a.pod.empty() && now - r.failed_at < kSettleNanos) return;
  if (r.state.phase == Phase::kFailed) return failure();
  Fail(a.id, AttemptResult::Status::kSystemError, ExecErrorCode::kOutputsNotFound,
       r.kind.kind + " " + a.ns + "/" + r.name + " succeeded, but the final state of its " +
           r.kind.main_container + " container was never seen",
       true);
}

void PodRunner::TickResource(Attempt& a, int64_t now) {
  PluginResource& r = *a.resource;
  if (a.verdict || r.state.terminal()) return MaybeFinishResource(a);
  if (r.state.phase != Phase::kNoStatus || !a.pod.empty()) return;
  const int64_t since = r.created_at ? r.created_at : now;
  Progress(a, TaskPhase::kQueued,
           now - since > kOperatorSilenceNanos
               ? "no status from " + r.kind.operator_name + " after " +
                     std::to_string(kOperatorSilenceNanos / 60'000'000'000) + "m: is it running?"
               : "waiting for " + r.kind.operator_name);
}

}  // namespace flyte
