#include "kube/pod_phase.h"

#include <map>
#include <optional>
#include <vector>

#include "util/quantity.h"
#include "util/strings.h"

namespace flyte::kube {
namespace {

using Kind = PodVerdict::Kind;

PodVerdict Verdict(Kind kind, AnyExecErrorCode code, std::string message) {
  PodVerdict v;
  v.kind = kind;
  v.code = std::move(code);
  v.message = std::move(message);
  return v;
}

std::string OomMessage(const ClassifyOptions& o, const std::string& container) {
  return "out of memory" +
         (o.memory_limit.empty() ? std::string() : " (limit " + o.memory_limit + ")") +
         (container.empty() || container == o.container ? "" : " in container " + container);
}

// A container that was OOM-killed, in any container or init container; null when none.
const ContainerState* Oom(const Pod& pod) {
  for (const auto* list : {&pod.init_containers, &pod.containers}) {
    for (const ContainerState& c : *list) {
      if ((c.kind == ContainerState::Kind::kTerminated && c.reason == "OOMKilled") ||
          c.last_reason == "OOMKilled") {
        return &c;
      }
    }
  }
  return nullptr;
}

// Why the Pod was taken away from its node, when it was (system errors).
std::string Disruption(const Pod& pod) {
  if (pod.reason == "Evicted" || pod.reason == "Preempting" || pod.reason == "Terminated" ||
      pod.reason == "NodeLost" || pod.reason == "Shutdown" || pod.reason == "NodeShutdown" ||
      pod.reason == "UnexpectedAdmissionError") {
    return pod.reason + (pod.message.empty() ? "" : ": " + pod.message);
  }
  if (const PodCondition* d = pod.Condition("DisruptionTarget");
      d != nullptr && d->status == "True") {
    return d->reason + (d->message.empty() ? "" : ": " + d->message);
  }
  return {};
}

// The code of a disrupted Pod that failed: its reason when it has one ("Evicted", kept as
// Kubernetes spelled it even when this flyte does not know it), else kDisrupted.
AnyExecErrorCode DisruptionCode(const Pod& pod) {
  if (pod.reason.empty()) return ExecErrorCode::kDisrupted;
  return AnyExecErrorCode::FromText(pod.reason);
}

PodVerdict FromTerminated(const Pod& pod, const ContainerState& c, const ClassifyOptions& o) {
  PodVerdict v;
  v.exit_code = c.exit_code;
  v.termination_message = c.message;
  if (c.exit_code == 0) {
    v.kind = Kind::kSucceeded;
    return v;
  }
  v.kind = Kind::kUserError;
  v.code = ExecErrorCode::kNonZeroExit;
  v.message = "exit code " + std::to_string(c.exit_code);
  if (c.exit_code == 137 && !o.memory_limit.empty()) {
    v.message += " (killed; with a memory limit of " + o.memory_limit + ", likely out of memory)";
  } else if (c.reason == "StartError" || c.reason == "ContainerCannotRun") {
    v.kind = Kind::kPermanentError;
    v.code = ExecErrorCode::kStartError;
    v.message = "the container could not start: " + c.message;
    v.termination_message.clear();
  }
  (void)pod;
  return v;
}

}  // namespace

PodVerdict Classify(const Pod& pod, int64_t now, int64_t waiting_since, const ClassifyOptions& o) {
  const ContainerState* task = pod.Container(o.container);
  if (const ContainerState* oom = Oom(pod)) {
    PodVerdict v = Verdict(Kind::kUserError, ExecErrorCode::kOOMKilled, OomMessage(o, oom->name));
    if (task != nullptr && task->kind == ContainerState::Kind::kTerminated) {
      v.exit_code = task->exit_code;
      v.termination_message = task->message;
    }
    return v;
  }
  if (pod.phase == "Succeeded") {
    if (task != nullptr && task->kind == ContainerState::Kind::kTerminated)
      return FromTerminated(pod, *task, o);
    return Verdict(Kind::kSucceeded, ExecErrorCode::kNone, "");
  }
  if (pod.phase == "Failed") {
    if (std::string why = Disruption(pod); !why.empty())
      return Verdict(Kind::kSystemError, DisruptionCode(pod), why);
    if (pod.reason == "DeadlineExceeded") {
      return Verdict(Kind::kUserError, ExecErrorCode::kDeadlineExceeded,
                     pod.message.empty() ? "the Pod ran past its deadline" : pod.message);
    }
    for (const ContainerState& c : pod.init_containers) {
      if (c.kind == ContainerState::Kind::kTerminated && c.exit_code != 0) {
        PodVerdict v = Verdict(
            Kind::kUserError, ExecErrorCode::kInitFailed,
            "init container " + c.name + " failed with exit code " + std::to_string(c.exit_code));
        v.exit_code = c.exit_code;
        return v;
      }
    }
    if (task != nullptr && task->kind == ContainerState::Kind::kTerminated)
      return FromTerminated(pod, *task, o);
    return Verdict(Kind::kSystemError,
                   pod.reason.empty() ? AnyExecErrorCode(ExecErrorCode::kPodFailed)
                                      : AnyExecErrorCode::FromText(pod.reason),
                   "the Pod failed" + (pod.message.empty() ? std::string() : ": " + pod.message));
  }
  if (pod.phase == "Unknown") {
    return Verdict(Kind::kSystemError, ExecErrorCode::kNodeLost,
                   "the Pod's node stopped reporting (phase Unknown)");
  }
  // Pending or Running: taken away while not finished?
  if (pod.meta.deleting || pod.phase == "Running") {
    if (std::string why = Disruption(pod); !why.empty())
      return Verdict(Kind::kSystemError, ExecErrorCode::kDisrupted, why);
  }
  if (pod.phase == "Running") {
    if (task != nullptr && task->kind == ContainerState::Kind::kTerminated) {
      // The task ended; other containers (sidecars) keep the Pod running. Its end is the task's.
      return FromTerminated(pod, *task, o);
    }
    return Verdict(Kind::kRunning, ExecErrorCode::kNone, "");
  }
  // Pending.
  if (const PodCondition* s = pod.Condition("PodScheduled"); s == nullptr || s->status != "True") {
    PodVerdict v = Verdict(Kind::kQueued, ExecErrorCode::kNone, s != nullptr ? s->message : "");
    v.waiting_reason = s != nullptr && !s->reason.empty() ? s->reason : "Pending";
    return v;
  }
  for (const auto* list : {&pod.init_containers, &pod.containers}) {
    for (const ContainerState& c : *list) {
      if (c.kind == ContainerState::Kind::kTerminated && c.exit_code != 0 &&
          list == &pod.init_containers) {
        PodVerdict v = Verdict(
            Kind::kUserError, ExecErrorCode::kInitFailed,
            "init container " + c.name + " failed with exit code " + std::to_string(c.exit_code));
        v.exit_code = c.exit_code;
        return v;
      }
      if (c.kind != ContainerState::Kind::kWaiting) continue;
      const std::string& r = c.reason;
      const int64_t waited = waiting_since > 0 ? now - waiting_since : 0;
      if (r == "InvalidImageName") {
        return Verdict(Kind::kPermanentError, ExecErrorCode::kInvalidImage,
                       r + (c.message.empty() ? "" : ": " + c.message));
      }
      if (r == "ErrImagePull" || r == "ImagePullBackOff" || r == "ErrImageNeverPull") {
        if (waited >= o.image_pull_grace_nanos || r == "ErrImageNeverPull") {
          return Verdict(Kind::kPermanentError, ExecErrorCode::kImagePullFailed,
                         r + ": " + c.message);
        }
        PodVerdict v = Verdict(Kind::kInitializing, ExecErrorCode::kNone, c.message);
        v.waiting_reason = r;
        v.in_grace = true;
        return v;
      }
      if (r == "CreateContainerConfigError" || r == "CreateContainerError") {
        if (waited >= o.config_error_grace_nanos) {
          return Verdict(Kind::kPermanentError,
                         r == "CreateContainerConfigError"
                             ? ExecErrorCode::kCreateContainerConfigError
                             : ExecErrorCode::kCreateContainerError,
                         r + (c.message.empty() ? "" : ": " + c.message));
        }
        PodVerdict v = Verdict(Kind::kInitializing, ExecErrorCode::kNone, c.message);
        v.waiting_reason = r;
        v.in_grace = true;
        return v;
      }
      if (!r.empty() && r != "ContainerCreating" && r != "PodInitializing") {
        PodVerdict v = Verdict(Kind::kInitializing, ExecErrorCode::kNone, c.message);
        v.waiting_reason = r;
        return v;
      }
    }
  }
  PodVerdict v = Verdict(Kind::kInitializing, ExecErrorCode::kNone, "");
  v.waiting_reason = "ContainerCreating";
  return v;
}

bool IsQuotaRefusal(const std::string& message) {
  return message.find("exceeded quota") != std::string::npos;
}

namespace {

// "limits.cpu=2,requests.memory=1Gi" → {key → amount}.
std::map<std::string, std::string> Amounts(std::string_view list) {
  std::map<std::string, std::string> out;
  size_t start = 0;
  while (start < list.size()) {
    size_t end = list.find(',', start);
    if (end == std::string_view::npos) end = list.size();
    std::string_view item = list.substr(start, end - start);
    if (size_t eq = item.find('='); eq != std::string_view::npos) {
      out[std::string(Trim(item.substr(0, eq)))] = std::string(Trim(item.substr(eq + 1)));
    }
    start = end + 1;
  }
  return out;
}

// The list after `label: ` up to the next ", word:" or the end.
std::string_view Section(std::string_view m, std::string_view label) {
  size_t at = m.find(label);
  if (at == std::string_view::npos) return {};
  m = m.substr(at + label.size());
  for (std::string_view next : {", used: ", ", limited: ", ", requested: "}) {
    if (size_t cut = m.find(next); cut != std::string_view::npos) m = m.substr(0, cut);
  }
  return m;
}

std::optional<int64_t> Amount(const std::string& key, const std::string& v) {
  if (key.find("cpu") != std::string::npos) return ParseCpuMillis(v);
  if (key.find("memory") != std::string::npos || key.find("storage") != std::string::npos)
    return ParseBytes(v);
  int64_t n = 0;
  if (ParseInt64(v, &n)) return n;
  return ParseBytes(v);
}

}  // namespace

std::string QuotaNeverFits(const std::string& message) {
  std::string quota;
  if (size_t at = message.find("exceeded quota: "); at != std::string::npos) {
    quota = message.substr(at + 16);
    quota = quota.substr(0, quota.find(','));
  }
  const auto requested = Amounts(Section(message, "requested: "));
  const auto limited = Amounts(Section(message, "limited: "));
  std::vector<std::string> over, allowed;
  for (const auto& [key, amount] : requested) {
    auto lim = limited.find(key);
    if (lim == limited.end()) continue;
    std::optional<int64_t> want = Amount(key, amount), have = Amount(key, lim->second);
    if (want && have && *want > *have) {
      over.push_back(key + "=" + amount);
      allowed.push_back(key + "=" + lim->second);
    }
  }
  if (over.empty()) return {};
  return "the task requests " + Join(over, ", ") + ", but the quota " +
         (quota.empty() ? "" : quota + " ") + "allows at most " + Join(allowed, ", ") + " in all";
}

PodVerdict ClassifyDeleted(const Pod& last, const ClassifyOptions& o) {
  PodVerdict v = Classify(last, 0, 0, o);
  if (v.terminal()) return v;
  return Verdict(
      Kind::kSystemError, ExecErrorCode::kPodDeleted,
      "the Pod " + last.meta.name + " was deleted by someone else before its task ended");
}

}  // namespace flyte::kube
