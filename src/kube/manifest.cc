#include "kube/manifest.h"

#include "nlohmann/json.hpp"
#include "util/json_writer.h"
#include "util/utf8.h"

namespace flyte::kube {
namespace {

using json = nlohmann::json;

json Meta(const std::string& name, const std::string& ns,
          const std::map<std::string, std::string>& labels,
          const std::map<std::string, std::string>& annotations = {}) {
  json m = {{"name", name}, {"namespace", ns}};
  if (!labels.empty()) m["labels"] = labels;
  if (!annotations.empty()) m["annotations"] = annotations;
  return m;
}

// `base` with `over` laid on top: objects merge key by key, anything else is replaced.
void MergeInto(json& base, const json& over) {
  if (!base.is_object() || !over.is_object()) {
    base = over;
    return;
  }
  for (auto& [k, v] : over.items()) {
    if (base.contains(k) && base[k].is_object() && v.is_object()) {
      MergeInto(base[k], v);
    } else {
      base[k] = v;
    }
  }
}

// Lists of named items (containers, env, volumes): the template's items stay unless ours has
// the same name, in which case ours is merged over it.
void MergeNamed(json& base, const json& ours) {
  if (!base.is_array()) {
    base = ours;
    return;
  }
  for (const json& item : ours) {
    bool merged = false;
    for (json& b : base) {
      if (b.is_object() && item.is_object() && b.value("name", "") == item.value("name", "") &&
          !item.value("name", "").empty()) {
        // Named lists merge item by item; everything else of ours lays over the template's.
        json copy = b;
        json rest = item;
        for (const char* list : {"env", "volumeMounts", "ports"}) {
          if (!rest.contains(list)) continue;
          if (copy.contains(list)) {
            MergeNamed(copy[list], rest[list]);
          } else {
            copy[list] = rest[list];
          }
          rest.erase(list);
        }
        MergeInto(copy, rest);
        b = std::move(copy);
        merged = true;
        break;
      }
    }
    if (!merged) base.push_back(item);
  }
}

// The Pod of a task without a pod template or tolerations, written as text: the bytes the tree
// below would dump for it (keys in the same order), at a tenth of its cost per Pod
// (tests/kube/manifest_test.cc compares the two).
std::string WritePod(const PodRequest& p) {
  std::string o;
  o.reserve(1024 + p.command.size() * 32 + p.env.size() * 64);
  auto str = [&o](std::string_view s) { AppendJsonString(o, s); };
  auto map = [&](const std::map<std::string, std::string>& m) {
    o += '{';
    for (auto it = m.begin(); it != m.end(); ++it) {
      if (it != m.begin()) o += ',';
      str(it->first);
      o += ':';
      str(it->second);
    }
    o += '}';
  };
  o += R"({"apiVersion":"v1","kind":"Pod","metadata":{)";
  if (!p.annotations.empty()) {
    o += R"("annotations":)";
    map(p.annotations);
    o += ',';
  }
  if (!p.labels.empty()) {
    o += R"("labels":)";
    map(p.labels);
    o += ',';
  }
  o += R"("name":)";
  str(p.name);
  o += R"(,"namespace":)";
  str(p.ns);
  o += R"(},"spec":{)";
  if (p.active_deadline_seconds > 0)
    o += R"("activeDeadlineSeconds":)" + std::to_string(p.active_deadline_seconds) + ",";
  // The container.
  o += R"("containers":[{"command":[)";
  for (size_t i = 0; i < p.command.size(); ++i) {
    if (i) o += ',';
    str(p.command[i]);
  }
  o += ']';
  if (!p.env.empty()) {
    o += R"(,"env":[)";
    for (size_t i = 0; i < p.env.size(); ++i) {
      const EnvVar& e = p.env[i];
      o += i ? R"(,{"name":)" : R"({"name":)";
      str(e.name);
      if (!e.secret_name.empty()) {
        o += R"(,"valueFrom":{"secretKeyRef":{"key":)";
        str(e.secret_key);
        o += R"(,"name":)";
        str(e.secret_name);
        o += "}}}";
      } else {
        o += R"(,"value":)";
        str(e.value);
        o += '}';
      }
    }
    o += ']';
  }
  o += R"(,"image":)";
  str(p.image);
  o += R"(,"name":)";
  str(p.container);
  if (!p.requests.empty() || !p.limits.empty()) {
    o += R"(,"resources":{)";
    if (!p.limits.empty()) {
      o += R"("limits":)";
      map(p.limits);
      if (!p.requests.empty()) o += ',';
    }
    if (!p.requests.empty()) {
      o += R"("requests":)";
      map(p.requests);
    }
    o += '}';
  }
  o += R"(,"terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File")";
  // The volumes and their mounts, side by side: "flyte-cm-N", "flyte-dir-N", "flyte-secret-N".
  std::string mounts, volumes;
  auto add = [&](const char* kind, size_t n, std::string_view path, std::string_view mount_tail,
                 std::string_view volume_head, std::string_view volume_tail) {
    const std::string name = '"' + (kind + std::to_string(n)) + '"';
    mounts += mounts.empty() ? R"(,"volumeMounts":[{"mountPath":)" : R"(,{"mountPath":)";
    AppendJsonString(mounts, path);
    mounts += R"(,"name":)" + name;
    mounts += mount_tail;
    mounts += '}';
    volumes += volumes.empty() ? "[" : ",";
    volumes += volume_head;
    volumes += R"("name":)" + name;
    volumes += volume_tail;
    volumes += '}';
  };
  for (size_t i = 0; i < p.config_maps.size(); ++i) {
    const ConfigMapVolume& v = p.config_maps[i];
    std::string head = R"({"configMap":{"defaultMode":)" + std::to_string(v.mode) + R"(,"name":)";
    AppendJsonString(head, v.config_map);
    head += "},";
    add("flyte-cm-", i, v.mount_path, R"(,"readOnly":true)", head, "");
  }
  for (size_t i = 0; i < p.empty_dirs.size(); ++i)
    add("flyte-dir-", i, p.empty_dirs[i], "", R"({"emptyDir":{},)", "");
  for (size_t i = 0; i < p.secret_files.size(); ++i) {
    const SecretFile& f = p.secret_files[i];
    std::string tail = R"(,"secret":{"defaultMode":256,"items":[{"key":)";
    AppendJsonString(tail, f.key);
    tail += R"(,"path":"value"}],"secretName":)";
    AppendJsonString(tail, f.secret);
    tail += '}';
    add("flyte-secret-", i, f.path, R"(,"readOnly":true,"subPath":"value")", "{", tail);
  }
  if (!mounts.empty()) {
    o += mounts;
    o += ']';
  }
  if (!p.working_dir.empty()) {
    o += R"(,"workingDir":)";
    str(p.working_dir);
  }
  o += "}]";
  if (!p.node_selector.empty()) {
    o += R"(,"nodeSelector":)";
    map(p.node_selector);
  }
  o += R"(,"restartPolicy":"Never")";
  if (!p.service_account.empty()) {
    o += R"(,"serviceAccountName":)";
    str(p.service_account);
  }
  if (!volumes.empty()) {
    o += R"(,"volumes":)";
    o += volumes;
    o += ']';
  }
  o += "}}";
  return o;
}

}  // namespace

std::string EncodeBase64(std::string_view bytes) {
  static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    uint32_t n = (uint32_t(uint8_t(bytes[i])) << 16) | (uint32_t(uint8_t(bytes[i + 1])) << 8) |
                 uint8_t(bytes[i + 2]);
    out += kAlphabet[n >> 18];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += kAlphabet[n & 63];
  }
  if (i + 1 == bytes.size()) {
    uint32_t n = uint32_t(uint8_t(bytes[i])) << 16;
    out += kAlphabet[n >> 18];
    out += kAlphabet[(n >> 12) & 63];
    out += "==";
  } else if (i + 2 == bytes.size()) {
    uint32_t n = (uint32_t(uint8_t(bytes[i])) << 16) | (uint32_t(uint8_t(bytes[i + 1])) << 8);
    out += kAlphabet[n >> 18];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += '=';
  }
  return out;
}

namespace {

// With a pod template or tolerations to merge: built as a tree. Throws json::type_error for
// text that is not UTF-8.
Result<std::string> PodManifestTree(const PodRequest& p) {
  json container = {
      {"name", p.container},
      {"image", p.image},
      {"command", p.command},
      {"terminationMessagePath", "/dev/termination-log"},
      {"terminationMessagePolicy", "File"},
  };
  if (!p.working_dir.empty()) container["workingDir"] = p.working_dir;
  json env = json::array();
  for (const EnvVar& e : p.env) {
    if (!e.secret_name.empty()) {
      env.push_back(
          {{"name", e.name},
           {"valueFrom", {{"secretKeyRef", {{"name", e.secret_name}, {"key", e.secret_key}}}}}});
    } else {
      env.push_back({{"name", e.name}, {"value", e.value}});
    }
  }
  if (!env.empty()) container["env"] = env;
  json resources = json::object();
  if (!p.requests.empty()) resources["requests"] = p.requests;
  if (!p.limits.empty()) resources["limits"] = p.limits;
  if (!resources.empty()) container["resources"] = resources;

  json volumes = json::array();
  json mounts = json::array();
  int n = 0;
  for (const ConfigMapVolume& v : p.config_maps) {
    const std::string name = "flyte-cm-" + std::to_string(n++);
    volumes.push_back(
        {{"name", name}, {"configMap", {{"name", v.config_map}, {"defaultMode", v.mode}}}});
    mounts.push_back({{"name", name}, {"mountPath", v.mount_path}, {"readOnly", true}});
  }
  n = 0;
  for (const std::string& path : p.empty_dirs) {
    const std::string name = "flyte-dir-" + std::to_string(n++);
    volumes.push_back({{"name", name}, {"emptyDir", json::object()}});
    mounts.push_back({{"name", name}, {"mountPath", path}});
  }
  n = 0;
  for (const SecretFile& f : p.secret_files) {
    // One key at one path: the volume holds just that key, mounted by subPath so the rest of
    // the folder is the image's. Owner-readable only.
    const std::string name = "flyte-secret-" + std::to_string(n++);
    volumes.push_back({{"name", name},
                       {"secret",
                        {{"secretName", f.secret},
                         {"items", json::array({{{"key", f.key}, {"path", "value"}}})},
                         {"defaultMode", 0400}}}});
    mounts.push_back(
        {{"name", name}, {"mountPath", f.path}, {"subPath", "value"}, {"readOnly", true}});
  }
  if (!mounts.empty()) container["volumeMounts"] = mounts;

  json spec = json::object();
  json template_meta = json::object();  // labels and annotations of a Pod or PodTemplate
  if (!p.pod_template_json.empty()) {
    json t = json::parse(p.pod_template_json, nullptr, false);
    // A PodTemplate, a Pod, or a bare Pod spec.
    if (t.is_object() && t.contains("template") && t["template"].is_object()) t = t["template"];
    if (t.is_object() && t.contains("spec") && t["spec"].is_object()) {
      if (t.contains("metadata") && t["metadata"].is_object()) template_meta = t["metadata"];
      t = t["spec"];
    }
    if (!t.is_object())
      return InvalidArgument("the pod template is not a Pod spec (a JSON or YAML object)");
    spec = std::move(t);
    // Flyte's convention: a template container named "default" applies to every container,
    // one named "primary" to the task's; both are merged under ours and do not run themselves.
    if (spec.contains("containers") && spec["containers"].is_array()) {
      json kept = json::array();
      for (json& c : spec["containers"]) {
        const std::string name = c.is_object() ? c.value("name", "") : "";
        if (name == "default" || name == "primary") {
          json base = c;
          base["name"] = p.container;
          json list = json::array({base});
          MergeNamed(list, json::array({container}));
          container = list[0];
        } else {
          kept.push_back(c);
        }
      }
      spec["containers"] = kept;
    }
  }
  json containers = spec.contains("containers") && spec["containers"].is_array()
                        ? spec["containers"]
                        : json::array();
  MergeNamed(containers, json::array({container}));
  spec["containers"] = containers;
  spec["restartPolicy"] = "Never";
  if (!volumes.empty()) {
    json all =
        spec.contains("volumes") && spec["volumes"].is_array() ? spec["volumes"] : json::array();
    MergeNamed(all, volumes);
    spec["volumes"] = all;
  }
  if (!p.service_account.empty()) spec["serviceAccountName"] = p.service_account;
  if (!p.node_selector.empty()) {
    json sel = spec.contains("nodeSelector") && spec["nodeSelector"].is_object()
                   ? spec["nodeSelector"]
                   : json::object();
    for (const auto& [k, v] : p.node_selector) sel[k] = v;
    spec["nodeSelector"] = sel;
  }
  if (!p.tolerations_json.empty()) {
    json t = json::parse(p.tolerations_json, nullptr, false);
    if (!t.is_array()) return InvalidArgument("tolerations must be a list of objects");
    json all = spec.contains("tolerations") && spec["tolerations"].is_array() ? spec["tolerations"]
                                                                              : json::array();
    for (json& x : t) all.push_back(std::move(x));
    spec["tolerations"] = all;
  }
  if (p.active_deadline_seconds > 0) spec["activeDeadlineSeconds"] = p.active_deadline_seconds;
  json meta = Meta(p.name, p.ns, p.labels, p.annotations);
  // The template's labels and annotations are kept where ours do not set the same key.
  for (const char* field : {"labels", "annotations"}) {
    if (!template_meta.contains(field) || !template_meta[field].is_object()) continue;
    for (const auto& [k, v] : template_meta[field].items()) {
      if (!v.is_string())
        return InvalidArgument(std::string("the pod template's ") + field + " must be text");
      if (!meta[field].contains(k)) meta[field][k] = v;
    }
  }
  json pod = {{"apiVersion", "v1"}, {"kind", "Pod"}, {"metadata", meta}, {"spec", spec}};
  return pod.dump();
}

}  // namespace

Result<std::string> PodManifest(const PodRequest& p) {
  const Status not_utf8 = InvalidArgument(
      "it holds text that is not UTF-8 (in its command, a value or a setting), which Kubernetes "
      "does not take");
  if (p.pod_template_json.empty() && p.tolerations_json.empty()) {
    std::string pod = WritePod(p);
    if (FindInvalidUtf8(pod)) return not_utf8;
    return pod;
  }
  // A template merged under ours, tolerations appended to its: built as a tree.
  try {
    return PodManifestTree(p);
  } catch (const json::type_error&) {  // dump() refuses text that is not UTF-8
    return not_utf8;
  }
}

std::string ConfigMapDataPatch(const std::map<std::string, std::string>& data) {
  return json{{"data", data}}.dump();
}

std::string ConfigMapManifest(const ConfigMapRequest& c) {
  json cm = {
      {"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"metadata", Meta(c.name, c.ns, c.labels)}};
  if (!c.owner_pod.empty()) {
    cm["metadata"]["ownerReferences"] = json::array(
        {{{"apiVersion", "v1"}, {"kind", "Pod"}, {"name", c.owner_pod}, {"uid", c.owner_uid}}});
  }
  if (!c.data.empty()) cm["data"] = c.data;
  if (c.immutable) cm["immutable"] = true;
  std::string text = cm.dump();
  if (c.binary_data.empty()) return text;
  // Base64 needs no escaping: appended as it is, not run through the serialiser byte by byte
  // (the in-Pod program's ConfigMap is over a megabyte).
  size_t size = text.size() + 16;
  for (const auto& [k, v] : c.binary_data) size += k.size() + 8 + (v.size() + 2) / 3 * 4;
  text.reserve(size);  // one allocation: each page of a new one is a fault
  text.pop_back();     // the closing brace
  text += R"(,"binaryData":{)";
  bool first = true;
  for (const auto& [k, v] : c.binary_data) {
    text += first ? "" : ",";
    first = false;
    text += json(k).dump();
    text += ":\"";
    text += EncodeBase64(v);
    text += '"';
  }
  text += "}}";
  return text;
}

std::string OwnerPatch(const std::string& pod, const std::string& uid,
                       const std::string& api_version, const std::string& kind) {
  json patch = {
      {"metadata",
       {{"ownerReferences",
         json::array(
             {{{"apiVersion", api_version}, {"kind", kind}, {"name", pod}, {"uid", uid}}})}}}};
  return patch.dump();
}

std::string DeleteOptions(int64_t grace_seconds) {
  json d = {{"apiVersion", "v1"}, {"kind", "DeleteOptions"}, {"propagationPolicy", "Background"}};
  if (grace_seconds >= 0) d["gracePeriodSeconds"] = grace_seconds;
  return d.dump();
}

std::string CpuQuantity(int64_t millis) {
  return millis % 1000 == 0 ? std::to_string(millis / 1000) : std::to_string(millis) + "m";
}

std::string BytesQuantity(int64_t b) {
  if (b % (int64_t{1} << 30) == 0) return std::to_string(b >> 30) + "Gi";
  if (b % (int64_t{1} << 20) == 0) return std::to_string(b >> 20) + "Mi";
  if (b % 1024 == 0) return std::to_string(b >> 10) + "Ki";
  return std::to_string(b);
}

std::map<std::string, std::string> Quantities(const spec::ResourceAmounts& r) {
  std::map<std::string, std::string> out;
  if (r.cpu_millis) out["cpu"] = CpuQuantity(*r.cpu_millis);
  if (r.mem_bytes) out["memory"] = BytesQuantity(*r.mem_bytes);
  if (r.gpu) out["nvidia.com/gpu"] = std::to_string(*r.gpu);
  if (r.storage_bytes) out["ephemeral-storage"] = BytesQuantity(*r.storage_bytes);
  return out;
}

}  // namespace flyte::kube
