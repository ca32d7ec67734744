// plugin: resource → any manifest (Argo's resource template): its strings templated with the
// attempt's values, flyte's name, namespace and labels set, and success / failure conditions
// read from the object's status.
#include "kube/plugins/common.h"
#include "util/strings.h"

namespace flyte::kube {

using plugin::json;

namespace {

// "{{ inputs.n }}" alone becomes the value itself (a number stays a number); inside longer
// text, the value's text.
json Expand(const std::string& s, const std::map<std::string, std::string>& vars) {
  std::string out;
  size_t at = 0;
  while (true) {
    size_t open = s.find("{{", at);
    if (open == std::string::npos) break;
    size_t close = s.find("}}", open);
    if (close == std::string::npos) break;
    const std::string ref(Trim(std::string_view(s).substr(open + 2, close - open - 2)));
    auto it = vars.find(ref);
    if (it == vars.end()) {
      out += s.substr(at, close + 2 - at);
      at = close + 2;
      continue;
    }
    json v = json::parse(it->second, nullptr, false);
    if (open == 0 && close + 2 == s.size() && at == 0 && !v.is_discarded()) return v;
    out += s.substr(at, open - at);
    out += v.is_string() ? v.get<std::string>() : it->second;
    at = close + 2;
  }
  return out + s.substr(at);
}

void ExpandAll(json& j, const std::map<std::string, std::string>& vars) {
  if (j.is_string()) {
    j = Expand(j.get<std::string>(), vars);
  } else if (j.is_structured()) {
    for (json& v : j) ExpandAll(v, vars);
  }
}

// The flattened status key of `path` ("conditions[type=Complete].status" →
// "conditions.2.status"), or empty when a [key=value] matches no item.
std::string Resolve(const std::string& path, const std::map<std::string, std::string>& status) {
  std::string out;
  size_t at = 0;
  while (at < path.size()) {
    size_t open = path.find('[', at);
    if (open == std::string::npos) {
      out += path.substr(at);
      break;
    }
    out += path.substr(at, open - at);
    size_t close = path.find(']', open);
    if (close == std::string::npos) return {};
    const std::string sel = path.substr(open + 1, close - open - 1);
    const size_t eq = sel.find('=');
    if (eq == std::string::npos) {
      out += "." + sel;  // [2]
    } else {
      const std::string key = sel.substr(0, eq), want = sel.substr(eq + 1);
      int found = -1;
      for (int i = 0; i < 1000; ++i) {
        auto it = status.find(out + "." + std::to_string(i) + "." + key);
        if (it == status.end()) {
          if (status.lower_bound(out + "." + std::to_string(i) + ".") == status.end()) break;
          continue;
        }
        if (it->second == want) {
          found = i;
          break;
        }
      }
      if (found < 0) return {};
      out += "." + std::to_string(found);
    }
    at = close + 1;
  }
  return out;
}

bool HoldsOne(const spec::StatusRequirement& r, const std::map<std::string, std::string>& status) {
  using Op = spec::StatusRequirement::Op;
  const std::string key = Resolve(r.path, status);
  auto it = key.empty() ? status.end() : status.find(key);
  const bool exists = it != status.end();
  switch (r.op) {
    case Op::kExists:
      return exists;
    case Op::kNotExists:
      return !exists;
    case Op::kEquals:
      return exists && it->second == r.values[0];
    case Op::kNotEquals:
      return !exists || it->second != r.values[0];
    case Op::kIn:
    case Op::kNotIn: {
      bool in = false;
      for (const std::string& v : r.values) in = in || (exists && it->second == v);
      return r.op == Op::kIn ? in : !in;
    }
    case Op::kGreater:
    case Op::kLess: {
      if (!exists) return false;
      char* end = nullptr;
      const double have = std::strtod(it->second.c_str(), &end);
      if (end == it->second.c_str()) return false;
      const double want = std::strtod(r.values[0].c_str(), nullptr);
      return r.op == Op::kGreater ? have > want : have < want;
    }
  }
  return false;
}

}  // namespace

bool Holds(const spec::StatusCondition& c, const std::map<std::string, std::string>& status) {
  for (const spec::StatusRequirement& r : c.all) {
    if (!HoldsOne(r, status)) return false;
  }
  return !c.all.empty();
}

Result<std::string> BuildManifest(const spec::ResourceManifest& m, const ResourceInput& in) {
  json obj = json::parse(m.manifest_json, nullptr, false);
  if (!obj.is_object()) return InvalidArgument("the manifest is not an object");
  ExpandAll(obj, in.vars);
  json& meta = obj["metadata"];
  if (!meta.is_object()) meta = json::object();
  meta["name"] = in.name;
  meta["namespace"] = in.ns;
  for (const auto& [k, v] : in.labels) meta["labels"][k] = v;
  for (const auto& [k, v] : in.annotations) meta["annotations"][k] = v;
  return obj.dump();
}

// Failure is checked first, as Argo does: an object can satisfy both on its way down.
ResourceState ManifestState(const spec::ResourceManifest& m, const CustomObject& o) {
  ResourceState s;
  using P = ResourceState::Phase;
  if (m.failure && Holds(*m.failure, o.status)) {
    s.phase = P::kFailed;
    s.reason =
        m.kind + " " + o.meta.name + " meets the failure condition " + Quote(m.failure->text);
    for (const char* k : {"message", "reason"}) {
      auto it = o.status.find(k);
      if (it != o.status.end()) {
        s.reason += ": " + it->second;
        break;
      }
    }
  } else if (m.success && Holds(*m.success, o.status)) {
    s.phase = P::kSucceeded;
  } else {
    s.phase = o.status.empty() ? P::kNoStatus : P::kRunning;
  }
  return s;
}

}  // namespace flyte::kube
