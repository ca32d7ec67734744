#include "kube/objects.h"

#include <string_view>

#include "kube/decode.h"

namespace flyte::kube {

using json = nlohmann::json;

std::string Str(const json& j, const char* key) {
  if (!j.is_object()) return {};
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

const json& Field(const json& j, const char* key) {
  static const json kNull;
  if (!j.is_object()) return kNull;
  auto it = j.find(key);
  return it == j.end() ? kNull : *it;
}

namespace {

int Int(const json& j, const char* key) {
  if (!j.is_object()) return 0;
  auto it = j.find(key);
  return it != j.end() && it->is_number_integer() ? it->get<int>() : 0;
}

std::map<std::string, std::string> StringMap(const json& j, const char* key) {
  std::map<std::string, std::string> out;
  if (!j.is_object()) return out;
  auto it = j.find(key);
  if (it == j.end() || !it->is_object()) return out;
  for (auto& [k, v] : it->items()) {
    if (v.is_string()) out[k] = v.get<std::string>();
  }
  return out;
}

ContainerState DecodeContainer(const json& c) {
  ContainerState s;
  s.name = Str(c, "name");
  s.restarts = Int(c, "restartCount");
  const json& state = Field(c, "state");
  if (const json& w = Field(state, "waiting"); w.is_object()) {
    s.kind = ContainerState::Kind::kWaiting;
    s.reason = Str(w, "reason");
    s.message = Str(w, "message");
  } else if (const json& t = Field(state, "terminated"); t.is_object()) {
    s.kind = ContainerState::Kind::kTerminated;
    s.reason = Str(t, "reason");
    s.message = Str(t, "message");
    s.exit_code = Int(t, "exitCode");
    s.signal = Int(t, "signal");
  } else if (Field(state, "running").is_object()) {
    s.kind = ContainerState::Kind::kRunning;
  }
  s.last_reason = Str(Field(Field(c, "lastState"), "terminated"), "reason");
  return s;
}

void Flatten(const json& j, const std::string& prefix, std::map<std::string, std::string>& out) {
  if (out.size() > 1000) return;  // a status is small; a huge one is not ours to keep
  if (j.is_object()) {
    for (auto& [k, v] : j.items()) Flatten(v, prefix.empty() ? k : prefix + "." + k, out);
  } else if (j.is_array()) {
    for (size_t i = 0; i < j.size(); ++i) Flatten(j[i], prefix + "." + std::to_string(i), out);
  } else if (j.is_string()) {
    out[prefix] = j.get<std::string>();
  } else if (!j.is_null()) {
    out[prefix] = j.dump();
  }
}

}  // namespace

ObjectMeta DecodeMeta(const json& object) {
  ObjectMeta m;
  const json& meta = Field(object, "metadata");
  m.name = Str(meta, "name");
  m.ns = Str(meta, "namespace");
  m.uid = Str(meta, "uid");
  m.resource_version = Str(meta, "resourceVersion");
  m.labels = StringMap(meta, "labels");
  m.annotations = StringMap(meta, "annotations");
  m.deleting = !Str(meta, "deletionTimestamp").empty();
  return m;
}

Pod DecodePod(const json& object) {
  Pod p;
  p.meta = DecodeMeta(object);
  const json& status = Field(object, "status");
  p.phase = Str(status, "phase");
  p.reason = Str(status, "reason");
  p.message = Str(status, "message");
  if (const json& conds = Field(status, "conditions"); conds.is_array()) {
    for (const json& c : conds) {
      p.conditions.push_back(
          {Str(c, "type"), Str(c, "status"), Str(c, "reason"), Str(c, "message")});
    }
  }
  if (const json& cs = Field(status, "initContainerStatuses"); cs.is_array()) {
    for (const json& c : cs) p.init_containers.push_back(DecodeContainer(c));
  }
  if (const json& cs = Field(status, "containerStatuses"); cs.is_array()) {
    for (const json& c : cs) p.containers.push_back(DecodeContainer(c));
  }
  return p;
}

CustomObject DecodeCustom(const json& object) {
  CustomObject c;
  c.meta = DecodeMeta(object);
  Flatten(Field(object, "status"), "", c.status);
  return c;
}

Pod ParsePod(const std::string& json_text) {
  Pod p;
  return ScanPod(json_text, &p) ? p : Pod{};
}

namespace {

bool IsJsonSpace(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

size_t SkipSpace(std::string_view t, size_t i) {
  while (i < t.size() && IsJsonSpace(t[i])) ++i;
  return i;
}

// Past the string opening at t[i] ('"'); npos when it does not end.
size_t SkipString(std::string_view t, size_t i) {
  for (++i; i < t.size(); ++i) {
    if (t[i] == '\\') {
      ++i;
    } else if (t[i] == '"') {
      return i + 1;
    }
  }
  return std::string_view::npos;
}

// Past the value starting at t[i]; npos when it does not end or its brackets do not match
// (the text is then parsed whole, and refused).
size_t SkipValue(std::string_view t, size_t i) {
  if (i >= t.size()) return std::string_view::npos;
  if (t[i] == '"') return SkipString(t, i);
  if (t[i] != '{' && t[i] != '[') {
    while (i < t.size() && t[i] != ',' && t[i] != '}' && t[i] != ']' && !IsJsonSpace(t[i])) ++i;
    return i;
  }
  std::string closers;
  while (i < t.size()) {
    const char c = t[i];
    if (c == '"') {
      i = SkipString(t, i);
      if (i == std::string_view::npos) return i;
      continue;
    }
    if (c == '{' || c == '[') {
      closers.push_back(c == '{' ? '}' : ']');
    } else if (c == '}' || c == ']') {
      if (closers.empty() || closers.back() != c) return std::string_view::npos;
      closers.pop_back();
      if (closers.empty()) return i + 1;
    }
    ++i;
  }
  return std::string_view::npos;
}

// The text without the members flyte never reads (a Pod's spec, every managedFields), cut
// out by a scan that only matches quotes and brackets: a third of a Pod's bytes for
// nlohmann's lexer instead of all of them (watch events are most of a Pod runner's CPU).
// False when a member to cut is malformed; `out` is left empty when nothing was cut (a text
// that is only a member is no JSON either way).
bool WithoutUnread(std::string_view t, std::string& out) {
  out.clear();
  size_t copied = 0, i = 0;
  while (i < t.size()) {
    if (t[i] != '"') {
      ++i;
      continue;
    }
    const size_t end = SkipString(t, i);
    if (end == std::string_view::npos) break;  // the parse refuses it
    const std::string_view key = t.substr(i + 1, end - i - 2);
    const size_t colon = SkipSpace(t, end);
    if (colon >= t.size() || t[colon] != ':' || (key != "spec" && key != "managedFields")) {
      i = end;
      continue;
    }
    size_t past = SkipValue(t, SkipSpace(t, colon + 1));
    if (past == std::string_view::npos) return false;
    out.append(t.substr(copied, i - copied));
    // One comma goes with the member: the one before it, else the one after it.
    while (!out.empty() && IsJsonSpace(out.back())) out.pop_back();
    if (!out.empty() && out.back() == ',') {
      out.pop_back();
    } else if (size_t next = SkipSpace(t, past); next < t.size() && t[next] == ',') {
      past = next + 1;
    }
    copied = i = past;
  }
  if (copied > 0) out.append(t.substr(copied));
  return true;
}

}  // namespace

json ParseLean(std::string_view text) {
  // Kept per thread: a fresh buffer of an event's size per event costs more in malloc than
  // the scan (an allocation that large first consolidates the freed small ones). A list's
  // larger buffer is not kept.
  thread_local std::string lean;
  json j = WithoutUnread(text, lean)
               ? json::parse(lean.empty() ? text : std::string_view(lean), nullptr, false)
               : json(json::value_t::discarded);
  if (lean.capacity() > (size_t{64} << 10)) std::string().swap(lean);
  return j;
}

std::vector<ObjectMeta> ParseListMeta(const std::string& json_text) {
  std::vector<ObjectMeta> out;
  const json list = json::parse(json_text, nullptr, false);
  const json& items = Field(list, "items");
  if (!items.is_array()) return out;
  for (const json& item : items) {
    if (item.is_object()) out.push_back(DecodeMeta(item));
  }
  return out;
}

std::map<std::string, std::string> ParseConfigMapData(const std::string& json_text) {
  return StringMap(json::parse(json_text, nullptr, false), "data");
}

ObjectMeta ParseMeta(const std::string& json_text) {
  ObjectMeta m;
  return ScanObjectMeta(json_text, &m) ? m : ObjectMeta{};
}

const PodCondition* Pod::Condition(const std::string& type) const {
  for (const PodCondition& c : conditions) {
    if (c.type == type) return &c;
  }
  return nullptr;
}

const ContainerState* Pod::Container(const std::string& name) const {
  for (const ContainerState& c : containers) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

}  // namespace flyte::kube
