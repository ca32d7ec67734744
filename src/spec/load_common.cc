#include <algorithm>

#include "spec/keys.h"
#include "spec/load.h"
#include "spec/template.h"
#include "types/literal.h"
#include "util/quantity.h"
#include "util/strings.h"

namespace flyte::spec {

std::vector<Var> LoadVars(Reader& r, const yaml::Node& map, bool inputs, std::string_view where) {
  std::vector<Var> vars;
  const char* kind = inputs ? "input" : "output";
  if (!r.ExpectMap(map, std::string(kind) + "s of " + std::string(where))) return vars;
  r.CheckIds(map, kind);
  for (const auto& [key, value] : map.entries) {
    Var v;
    v.name = key->text;
    v.loc = r.Loc(*key);
    v.type = Type::Any();
    std::string what = std::string(kind) + " " + Quote(v.name) + " of " + std::string(where);
    if (!IsIdentifier(v.name)) {
      r.Error(ErrorCode::kInvalidValue, *key, what + ": names match [A-Za-z_][A-Za-z0-9_]*");
    } else if (!inputs && v.name[0] == '_') {
      r.Error(ErrorCode::kInvalidValue, *key,
              what + ": names starting with '_' are reserved (_ERROR, _workflow.yaml)");
    }
    const yaml::Node* type_node = value;
    const yaml::Node* default_node = nullptr;
    if (value->is_map()) {
      r.CheckKeys(*value, inputs ? KeyList(keys::kInput) : KeyList(keys::kOutput), "in " + what);
      type_node = value->Get("type");
      default_node = inputs ? value->Get("default") : nullptr;
      if (const yaml::Node* d = value->Get("description")) {
        if (auto t = r.Text(*d, "description")) v.description = *t;
      }
      if (type_node == nullptr) {
        r.Error(ErrorCode::kValueRequired, *key, what + " needs a type");
      }
    }
    if (type_node != nullptr) {
      v.type_loc = r.Loc(*type_node);
      if (type_node->is_null()) {
        r.Error(ErrorCode::kValueRequired, *type_node, what + " needs a type, e.g. int or str");
      } else if (auto t = r.TypeOf(*type_node, what)) {
        v.type = *t;
      }
    }
    if (default_node != nullptr && v.type.kind() != TypeKind::kAny) {
      LiteralResult lit = ValueFromNode(*default_node, v.type);
      if (lit.ok()) {
        v.default_value = std::move(lit.value);
      } else {
        r.Error(lit.code, lit.at ? *lit.at : *default_node,
                "default of " + what + ": " + lit.error);
      }
    }
    vars.push_back(std::move(v));
  }
  return vars;
}

std::optional<CacheSpec> LoadCache(Reader& r, const yaml::Node& n, std::string_view where) {
  CacheSpec c;
  c.loc = r.Loc(n);
  if (n.is_scalar() && n.Resolve() == yaml::ScalarKind::kBool) {
    c.enabled = *yaml::ParseBool(n.text);
    return c;
  }
  if (!n.is_map()) {
    r.Error(ErrorCode::kWrongShape, n,
            "expected true, false or {version, serialize, ignore_inputs, ttl} for cache of " +
                std::string(where) + ", got " + n.Describe());
    return std::nullopt;
  }
  c.enabled = true;
  r.CheckKeys(n, keys::kCache, "in cache of " + std::string(where));
  if (const yaml::Node* v = n.Get("version")) {
    if (auto t = r.Text(*v, "cache version")) c.version = *t;
  }
  if (const yaml::Node* v = n.Get("serialize"))
    c.serialize = r.Bool(*v, "serialize").value_or(false);
  if (const yaml::Node* v = n.Get("ignore_inputs")) c.ignore_inputs = r.Names(*v, "ignore_inputs");
  if (const yaml::Node* v = n.Get("ttl")) c.ttl_nanos = r.Duration(*v, "ttl", /*positive=*/true);
  return c;
}

namespace {

void LoadAmounts(Reader& r, const yaml::Node& map, ResourceAmounts& out, std::string_view where) {
  if (const yaml::Node* v = map.Get("cpu")) {
    if (auto t = r.Text(*v, "cpu")) {
      out.cpu_millis = ParseCpuMillis(*t);
      if (!out.cpu_millis || *out.cpu_millis <= 0) {
        r.Error(ErrorCode::kInvalidValue, *v,
                "cpu of " + std::string(where) +
                    " must be a positive number of cores such as 2, 0.5 or 500m, got " + v->text);
      }
    }
  }
  auto bytes = [&](const char* key, std::optional<int64_t>& field) {
    if (const yaml::Node* v = map.Get(key)) {
      if (auto t = r.Text(*v, key)) {
        field = ParseBytes(*t);
        if (!field) {
          r.Error(ErrorCode::kInvalidValue, *v,
                  std::string(key) + " of " + std::string(where) +
                      " must be a quantity such as 512Mi, 4Gi or 1G, got " + v->text);
        }
      }
    }
  };
  bytes("mem", out.mem_bytes);
  bytes("storage", out.storage_bytes);
  if (const yaml::Node* v = map.Get("gpu")) out.gpu = r.Int(*v, "gpu", 0, 1024);
}

}  // namespace

std::optional<Resources> LoadResources(Reader& r, const yaml::Node& n, std::string_view where) {
  std::string what = "resources of " + std::string(where);
  if (!n.is_map()) {
    r.ExpectMap(n, what);
    return std::nullopt;
  }
  Resources res;
  res.loc = r.Loc(n);
  r.CheckKeys(n, keys::kResources, "in " + what);
  LoadAmounts(r, n, res.requests, where);
  if (const yaml::Node* l = n.Get("limits")) {
    if (r.ExpectMap(*l, "limits of " + std::string(where))) {
      r.CheckKeys(*l, keys::kLimits, "in limits of " + std::string(where));
      LoadAmounts(r, *l, res.limits, where);
      auto check = [&](const char* name, const std::optional<int64_t>& req,
                       const std::optional<int64_t>& lim) {
        if (req && lim && *lim < *req) {
          r.Error(ErrorCode::kInvalidValue, *l->Get(name),
                  std::string("the ") + name + " limit of " + std::string(where) +
                      " is below its request");
        }
      };
      check("cpu", res.requests.cpu_millis, res.limits.cpu_millis);
      check("mem", res.requests.mem_bytes, res.limits.mem_bytes);
      check("gpu", res.requests.gpu, res.limits.gpu);
      check("storage", res.requests.storage_bytes, res.limits.storage_bytes);
    }
  }
  return res;
}

std::vector<InputBinding> LoadInputBindings(Reader& r, const yaml::Node& map,
                                            std::string_view where) {
  std::vector<InputBinding> out;
  if (!r.ExpectMap(map, "inputs of " + std::string(where))) return out;
  for (size_t i = 0; i < map.entries.size(); ++i) {
    const auto& [key, value] = map.entries[i];
    bool repeated = false;
    for (size_t j = 0; j < i && !repeated; ++j) {
      if (map.entries[j].first->text == key->text) {
        r.Error(ErrorCode::kParameterBoundMoreThanOnce, *key,
                "input " + Quote(key->text) + " of " + std::string(where) +
                    " is bound twice (first at line " + std::to_string(map.entries[j].first->line) +
                    ")");
        repeated = true;
      }
    }
    if (repeated) continue;
    out.push_back({key->text, r.Loc(*key), ParseBinding(r, *value)});
  }
  return out;
}

}  // namespace flyte::spec
