// `plugin: resource` with its `resource:` section: a manifest of any kind, templated with the
// attempt's values, and the status conditions that end it (as Argo's resource template).
#include <cctype>

#include "spec/keys.h"
#include "spec/load.h"
#include "spec/resource_plugin.h"
#include "types/literal.h"
#include "util/strings.h"

namespace flyte::spec {
namespace {

std::optional<StatusCondition> LoadCondition(Reader& r, const yaml::Node& n,
                                             const std::string& what) {
  std::optional<std::string> text = r.Text(n, what);
  if (!text) return std::nullopt;
  std::string error;
  std::optional<StatusCondition> c = ParseStatusCondition(*text, &error);
  if (!c) r.Error(ErrorCode::kInvalidValue, n, what + ": " + error + " in " + Quote(*text));
  return c;
}

// Every {{ }} in the manifest's text names something an attempt has.
void CheckTemplates(Reader& r, const yaml::Node& n, const Task& t, const std::string& where) {
  if (n.is_scalar()) {
    size_t at = 0;
    while ((at = n.text.find("{{", at)) != std::string::npos) {
      size_t end = n.text.find("}}", at);
      if (end == std::string::npos) {
        r.Error(ErrorCode::kInvalidValue, r.LocIn(n, at),
                "unclosed {{ in the manifest of " + where);
        return;
      }
      std::string ref(Trim(std::string_view(n.text).substr(at + 2, end - at - 2)));
      bool ok = ref == "execution.id" || ref == "node.id" || ref == "attempt";
      if (StartsWith(ref, "inputs.")) {
        for (const Var& v : t.inputs) ok = ok || ref.substr(7) == v.name;
      }
      if (!ok) {
        std::vector<std::string> names = {"execution.id", "node.id", "attempt"};
        for (const Var& v : t.inputs) names.push_back("inputs." + v.name);
        r.Error(ErrorCode::kInvalidValue, r.LocIn(n, at),
                "the manifest of " + where + " refers to " + Quote(ref) + DidYouMean(ref, names) +
                    "; it can use " + Join(names, ", "));
      }
      at = end + 2;
    }
    return;
  }
  for (const yaml::Node* item : n.items) CheckTemplates(r, *item, t, where);
  for (const auto& [k, v] : n.entries) CheckTemplates(r, *v, t, where);
}

}  // namespace

void LoadResourcePlugin(Reader& r, const yaml::Node& cfg, Task& t, const std::string& where) {
  const std::string what = "resource of " + where;
  if (!r.ExpectMap(cfg, what)) return;
  r.CheckKeys(cfg, keys::kResourcePlugin, "in " + what);
  Value::Map section;
  const yaml::Node* m = cfg.Get("manifest");
  if (m == nullptr) {
    r.Error(ErrorCode::kValueRequired, cfg, what + " needs a manifest (the object to create)");
  } else if (r.ExpectMap(*m, "manifest of " + where)) {
    for (const char* key : {"apiVersion", "kind"}) {
      const yaml::Node* v = m->Get(key);
      if (v == nullptr || !v->is_scalar() || Trim(v->text).empty()) {
        r.Error(ErrorCode::kValueRequired, v != nullptr ? *v : *m,
                "the manifest of " + where + " needs " + key +
                    " (which kind of object to create, e.g. apiVersion: batch/v1, kind: Job)");
      }
    }
    if (const yaml::Node* meta = m->Get("metadata"); meta != nullptr && meta->is_map()) {
      for (const char* key : {"name", "generateName", "namespace"}) {
        if (const yaml::Node* v = meta->Get(key)) {
          r.Error(ErrorCode::kInvalidValue, *v,
                  std::string("metadata.") + key + " of the manifest of " + where +
                      " is set by flyte (one object per attempt, in its namespace); remove it");
        }
      }
    }
    CheckTemplates(r, *m, t, where);
    LiteralResult lit = ValueFromNode(*m, Type::Json());
    if (lit.ok()) {
      section.emplace_back("manifest", std::move(lit.value));
    } else {
      r.Error(lit.code, lit.at ? *lit.at : *m, "manifest of " + where + ": " + lit.error);
    }
  }
  for (const char* key : {"success", "failure"}) {
    const yaml::Node* n = cfg.Get(key);
    if (n == nullptr) continue;
    if (std::optional<StatusCondition> c = LoadCondition(r, *n, std::string(key) + " of " + where))
      section.emplace_back(key, Value::Str(c->text));
  }
  if (cfg.Get("success") == nullptr && m != nullptr) {
    r.Error(ErrorCode::kValueRequired, cfg,
            what + " needs a success condition (e.g. success: status.succeeded > 0)");
  }
  if (!t.outputs.empty()) {
    r.Error(ErrorCode::kInvalidValue, cfg,
            where + " creates a resource and runs no command of its own, so it has no outputs");
  }
  t.plugin.kind = PluginKind::kResource;
  t.plugin.loc = r.Loc(cfg);
  t.plugin.settings = Value::FromMap(std::move(section));
}

}  // namespace flyte::spec
