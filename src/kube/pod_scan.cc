// Pods, their metadata, watch events on Pods and Pod lists read from JSON text by JsonScan,
// with no parsed tree. Each reads what DecodePod/DecodeMeta read of a parsed tree, with the
// same answers for odd input (a field of the wrong type reads as absent; of a repeated key the
// last counts): tests/kube/json_scan_test.cc and the kubejson fuzz target compare the two.
#include "kube/decode.h"
#include "kube/json_scan.h"

namespace flyte::kube {
namespace {

void ReadStr(JsonScan& s, std::string* out) {
  if (!s.String(out)) out->clear();
}

void ReadInt(JsonScan& s, int* out) {
  int64_t v = 0;
  *out = s.Int(&v) ? static_cast<int>(v) : 0;
}

// Consumes the rest of an object entered.
void SkipMembers(JsonScan& s) {
  std::string_view key;
  while (s.Key(&key)) s.Skip();
}

void ReadStringMap(JsonScan& s, std::map<std::string, std::string>* out) {
  out->clear();
  if (!s.Object()) return;
  std::string_view key;
  std::string value;
  while (s.Key(&key)) {
    std::string k(key);
    if (s.String(&value)) {
      (*out)[std::move(k)] = value;
    } else {
      out->erase(k);
    }
  }
}

void ReadMeta(JsonScan& s, ObjectMeta* m) {
  *m = ObjectMeta{};
  if (!s.Object()) return;
  std::string_view key;
  while (s.Key(&key)) {
    if (key == "name") {
      ReadStr(s, &m->name);
    } else if (key == "namespace") {
      ReadStr(s, &m->ns);
    } else if (key == "uid") {
      ReadStr(s, &m->uid);
    } else if (key == "resourceVersion") {
      ReadStr(s, &m->resource_version);
    } else if (key == "labels") {
      ReadStringMap(s, &m->labels);
    } else if (key == "annotations") {
      ReadStringMap(s, &m->annotations);
    } else if (key == "deletionTimestamp") {
      std::string at;
      ReadStr(s, &at);
      m->deleting = !at.empty();
    } else {
      s.Skip();
    }
  }
}

// A container's state: waiting counts before terminated, terminated before running.
struct StateSeen {
  bool waiting = false, terminated = false, running = false;
  std::string waiting_reason, waiting_message, reason, message;
  int exit_code = 0, signal = 0;
};

void ReadState(JsonScan& s, StateSeen* st) {
  *st = StateSeen{};
  if (!s.Object()) return;
  std::string_view key;
  while (s.Key(&key)) {
    if (key == "waiting") {
      st->waiting_reason.clear();
      st->waiting_message.clear();
      st->waiting = s.Object();
      if (!st->waiting) continue;
      while (s.Key(&key)) {
        if (key == "reason") {
          ReadStr(s, &st->waiting_reason);
        } else if (key == "message") {
          ReadStr(s, &st->waiting_message);
        } else {
          s.Skip();
        }
      }
    } else if (key == "terminated") {
      st->reason.clear();
      st->message.clear();
      st->exit_code = st->signal = 0;
      st->terminated = s.Object();
      if (!st->terminated) continue;
      while (s.Key(&key)) {
        if (key == "reason") {
          ReadStr(s, &st->reason);
        } else if (key == "message") {
          ReadStr(s, &st->message);
        } else if (key == "exitCode") {
          ReadInt(s, &st->exit_code);
        } else if (key == "signal") {
          ReadInt(s, &st->signal);
        } else {
          s.Skip();
        }
      }
    } else if (key == "running") {
      st->running = s.Object();
      if (st->running) SkipMembers(s);
    } else {
      s.Skip();
    }
  }
}

// lastState.terminated.reason
void ReadLastReason(JsonScan& s, std::string* reason) {
  reason->clear();
  if (!s.Object()) return;
  std::string_view key;
  while (s.Key(&key)) {
    if (key != "terminated") {
      s.Skip();
      continue;
    }
    reason->clear();
    if (!s.Object()) continue;
    while (s.Key(&key)) {
      if (key == "reason") {
        ReadStr(s, reason);
      } else {
        s.Skip();
      }
    }
  }
}

void ReadContainer(JsonScan& s, ContainerState* c) {
  *c = ContainerState{};
  if (!s.Object()) return;
  StateSeen st;
  std::string_view key;
  while (s.Key(&key)) {
    if (key == "name") {
      ReadStr(s, &c->name);
    } else if (key == "restartCount") {
      ReadInt(s, &c->restarts);
    } else if (key == "state") {
      ReadState(s, &st);
    } else if (key == "lastState") {
      ReadLastReason(s, &c->last_reason);
    } else {
      s.Skip();
    }
  }
  if (st.waiting) {
    c->kind = ContainerState::Kind::kWaiting;
    c->reason = std::move(st.waiting_reason);
    c->message = std::move(st.waiting_message);
  } else if (st.terminated) {
    c->kind = ContainerState::Kind::kTerminated;
    c->reason = std::move(st.reason);
    c->message = std::move(st.message);
    c->exit_code = st.exit_code;
    c->signal = st.signal;
  } else if (st.running) {
    c->kind = ContainerState::Kind::kRunning;
  }
}

void ReadContainers(JsonScan& s, std::vector<ContainerState>* out) {
  out->clear();
  if (!s.Array()) return;
  while (s.Element()) {
    out->emplace_back();
    ReadContainer(s, &out->back());
  }
}

void ReadStatus(JsonScan& s, Pod* p) {
  p->phase.clear();
  p->reason.clear();
  p->message.clear();
  p->conditions.clear();
  p->init_containers.clear();
  p->containers.clear();
  if (!s.Object()) return;
  std::string_view key;
  while (s.Key(&key)) {
    if (key == "phase") {
      ReadStr(s, &p->phase);
    } else if (key == "reason") {
      ReadStr(s, &p->reason);
    } else if (key == "message") {
      ReadStr(s, &p->message);
    } else if (key == "conditions") {
      p->conditions.clear();
      if (!s.Array()) continue;
      while (s.Element()) {
        PodCondition& c = p->conditions.emplace_back();
        if (!s.Object()) continue;
        while (s.Key(&key)) {
          if (key == "type") {
            ReadStr(s, &c.type);
          } else if (key == "status") {
            ReadStr(s, &c.status);
          } else if (key == "reason") {
            ReadStr(s, &c.reason);
          } else if (key == "message") {
            ReadStr(s, &c.message);
          } else {
            s.Skip();
          }
        }
      }
    } else if (key == "initContainerStatuses") {
      ReadContainers(s, &p->init_containers);
    } else if (key == "containerStatuses") {
      ReadContainers(s, &p->containers);
    } else {
      s.Skip();
    }
  }
}

// A Pod, or a Status (an ERROR event's object): what either has that flyte reads. False
// when the value is not an object.
bool ReadObject(JsonScan& s, Pod* p, int* code, std::string* message) {
  *p = Pod{};
  *code = 0;
  message->clear();
  if (!s.Object()) return false;
  std::string_view key;
  while (s.Key(&key)) {
    if (key == "metadata") {
      ReadMeta(s, &p->meta);
    } else if (key == "status") {
      ReadStatus(s, p);
    } else if (key == "code") {
      ReadInt(s, code);
    } else if (key == "message") {
      ReadStr(s, message);
    } else {
      s.Skip();
    }
  }
  return true;
}

}  // namespace

bool ScanPod(std::string_view text, Pod* out) {
  JsonScan s(text);
  int code = 0;
  std::string message;
  const bool object = ReadObject(s, out, &code, &message);
  return s.Finish() && object;
}

bool ScanObjectMeta(std::string_view text, ObjectMeta* out) {
  Pod pod;
  if (!ScanPod(text, &pod)) {
    *out = ObjectMeta{};
    return false;
  }
  *out = std::move(pod.meta);
  return true;
}

bool ScanPodEvent(std::string_view line, PodEvent* out) {
  *out = PodEvent{};
  JsonScan s(line);
  if (!s.Object()) return false;
  std::string_view key;
  while (s.Key(&key)) {
    if (key == "type") {
      ReadStr(s, &out->type);
    } else if (key == "object") {
      ReadObject(s, &out->pod, &out->code, &out->message);
    } else {
      s.Skip();
    }
  }
  return s.Finish();
}

bool ScanPodList(std::string_view text, PodList* out) {
  *out = PodList{};
  JsonScan s(text);
  if (!s.Object()) return false;
  std::string_view key;
  int code = 0;
  std::string message;
  while (s.Key(&key)) {
    if (key == "items") {
      out->items.clear();
      if (!s.Array()) continue;
      while (s.Element()) (void)ReadObject(s, &out->items.emplace_back(), &code, &message);
    } else if (key == "metadata") {
      out->resource_version.clear();
      out->cont.clear();
      if (!s.Object()) continue;
      while (s.Key(&key)) {
        if (key == "resourceVersion") {
          ReadStr(s, &out->resource_version);
        } else if (key == "continue") {
          ReadStr(s, &out->cont);
        } else {
          s.Skip();
        }
      }
    } else {
      s.Skip();
    }
  }
  return s.Finish();
}

}  // namespace flyte::kube
