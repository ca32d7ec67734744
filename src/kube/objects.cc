#include "kube/objects.h"

#include "kube/decode.h"

namespace flyte::kube {

using json = nlohmann::json;

std::string Str(const json& j, const char* key) {
  if (!j.is_object()) return {};
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
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

const json& Field(const json& j, const char* key) {
  static const json kNull;
  if (!j.is_object()) return kNull;
  auto it = j.find(key);
  return it == j.end() ? kNull : *it;
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
  json j = json::parse(json_text, nullptr, false);
  return j.is_object() ? DecodePod(j) : Pod{};
}

json ParseLean(std::string_view text) {
  return json::parse(
      text,
      [](int depth, json::parse_event_t event, json& parsed) {
        return !(event == json::parse_event_t::key && depth >= 1 &&
                 (parsed == "spec" || parsed == "managedFields"));
      },
      false);
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
  json j = ParseLean(json_text);
  return j.is_object() ? DecodeMeta(j) : ObjectMeta{};
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
