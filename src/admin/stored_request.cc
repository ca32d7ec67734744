#include "admin/stored_request.h"

#include <type_traits>

#include "types/literal.h"
#include "util/json_writer.h"
#include "util/yaml.h"

namespace flyte {
namespace {

const yaml::Node* ParseMap(const std::string& json, const char* what, yaml::ParseResult& holder) {
  holder = yaml::ParseText(json.empty() ? "{}" : json, what);
  if (!holder.doc || holder.doc->root() == nullptr || !holder.doc->root()->is_map()) return nullptr;
  return holder.doc->root();
}

}  // namespace

std::string OptionsJson(const ExecutionOptions& o) {
  std::string out = "{";
  if (o.max_parallelism != 0)
    out += "\"max_parallelism\":" + std::to_string(o.max_parallelism) + ",";
  out += std::string("\"overwrite_cache\":") + (o.overwrite_cache ? "true" : "false") +
         ",\"no_cache\":" + (o.no_cache ? "true" : "false") + ",\"env\":{";
  for (size_t i = 0; i < o.env.size(); ++i) {
    if (i > 0) out += ',';
    AppendJsonString(out, o.env[i].first);
    out += ':';
    AppendJsonString(out, o.env[i].second);
  }
  out += "},\"gate_timeout\":" + std::to_string(o.gate_default_timeout_nanos) + ",\"gate_hint\":";
  AppendJsonString(out, o.gate_hint);
  return out + "}";
}

bool ReadOptionsJson(const std::string& json, ExecutionOptions* o) {
  yaml::ParseResult parsed;
  const yaml::Node* root = ParseMap(json, "stored options", parsed);
  if (root == nullptr) return false;
  auto integer = [&](const char* key, auto* field) {
    const yaml::Node* n = root->Get(key);
    if (n == nullptr) return true;
    std::optional<int64_t> v = n->is_scalar() ? yaml::ParseInt(n->text) : std::nullopt;
    if (!v || *v < 0) return false;
    *field = static_cast<std::remove_pointer_t<decltype(field)>>(*v);
    return true;
  };
  auto boolean = [&](const char* key, bool* field) {
    const yaml::Node* n = root->Get(key);
    if (n == nullptr) return true;
    std::optional<bool> v = n->is_scalar() ? yaml::ParseBool(n->text) : std::nullopt;
    if (!v) return false;
    *field = *v;
    return true;
  };
  if (!integer("max_parallelism", &o->max_parallelism) ||
      !integer("gate_timeout", &o->gate_default_timeout_nanos) ||
      !boolean("overwrite_cache", &o->overwrite_cache) || !boolean("no_cache", &o->no_cache)) {
    return false;
  }
  if (const yaml::Node* hint = root->Get("gate_hint"); hint != nullptr && hint->is_scalar())
    o->gate_hint = hint->text;
  if (const yaml::Node* env = root->Get("env"); env != nullptr) {
    if (!env->is_map()) return false;
    o->env.clear();
    for (const auto& [k, v] : env->entries) {
      if (!v->is_scalar()) return false;
      o->env.emplace_back(k->text, v->text);
    }
  }
  return true;
}

std::string SignalsJson(const std::map<std::string, Value>& signals) {
  Value::Map m;
  for (const auto& [name, value] : signals) m.emplace_back(name, value);
  return Value::FromMap(std::move(m)).ToCanonicalJson();
}

std::vector<std::pair<std::string, Value>> ReadSignalsJson(
    const std::string& json, const std::map<std::string, Type>& gates) {
  std::vector<std::pair<std::string, Value>> out;
  yaml::ParseResult parsed;
  const yaml::Node* root = ParseMap(json, "stored signals", parsed);
  if (root == nullptr) return out;
  for (const auto& [k, v] : root->entries) {
    auto gate = gates.find(k->text);
    if (gate == gates.end()) continue;
    LiteralResult lit = ValueFromNode(*v, gate->second);
    if (lit.ok()) out.emplace_back(k->text, std::move(lit.value));
  }
  return out;
}

}  // namespace flyte
