#include <algorithm>
#include <cctype>

#include "spec/keys.h"
#include "spec/load.h"
#include "spec/template.h"
#include "types/literal.h"
#include "util/strings.h"

namespace flyte::spec {
namespace {

bool IsEnvName(std::string_view s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  for (char c : s) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  }
  return true;
}

std::string EnvNameFor(std::string_view secret) {
  std::string out;
  for (char c : secret) {
    out += std::isalnum(static_cast<unsigned char>(c))
               ? static_cast<char>(std::toupper(static_cast<unsigned char>(c)))
               : '_';
  }
  return out;
}

void LoadCommand(Reader& r, const yaml::Node& n, Task& t, const std::string& where) {
  if (n.is_scalar()) {
    r.Error(ErrorCode::kWrongShape, n,
            "expected a list of arguments for command of " + where +
                ", got a string (write [prog, arg, ...], or use script: for shell text)");
    return;
  }
  if (!r.ExpectSeq(n, "command of " + where)) return;
  if (n.items.empty()) {
    r.Error(ErrorCode::kInvalidValue, n, "command of " + where + " is empty");
    return;
  }
  for (const yaml::Node* arg : n.items) {
    if (!arg->is_scalar()) {
      r.Error(ErrorCode::kWrongShape, *arg,
              "expected text for an argument of " + where + ", got " + arg->Describe());
      continue;
    }
    if (auto tpl = ParseTemplate(r, *arg)) t.command.push_back(std::move(*tpl));
  }
}

void LoadSecrets(Reader& r, const yaml::Node& n, Task& t, const std::string& where) {
  if (!r.ExpectSeq(n, "secrets of " + where)) return;
  for (const yaml::Node* item : n.items) {
    Secret s;
    s.loc = r.Loc(*item);
    if (item->is_scalar()) {
      s.name = item->text;
    } else if (item->is_map()) {
      r.CheckKeys(*item, keys::kSecret, "in a secret of " + where);
      const yaml::Node* name = item->Get("name");
      if (name == nullptr) {
        r.Error(ErrorCode::kValueRequired, *item, "a secret of " + where + " needs a name");
        continue;
      }
      s.name = r.Text(*name, "secret name").value_or("");
      if (const yaml::Node* e = item->Get("env")) {
        s.env = r.Text(*e, "secret env").value_or("");
        if (!s.env.empty() && !IsEnvName(s.env)) {
          r.Error(ErrorCode::kInvalidValue, *e, Quote(s.env) + " is not a valid variable name");
        }
      }
      if (const yaml::Node* f = item->Get("file")) {
        s.file = r.Text(*f, "secret file").value_or("");
        if (!s.env.empty()) {
          r.Error(ErrorCode::kInvalidValue, *f,
                  "secret " + Quote(s.name) + " of " + where + " sets both env and file; pick one");
        }
      }
    } else {
      r.Error(ErrorCode::kWrongShape, *item,
              "expected a secret name or {name, env} in secrets of " + where + ", got " +
                  item->Describe());
      continue;
    }
    if (s.env.empty() && s.file.empty()) s.env = EnvNameFor(s.name);
    t.secrets.push_back(std::move(s));
  }
}

struct PluginShape {
  const char* key;
  PluginKind kind;
  KeyList keys;
  const char* replicated_role;  // the role that takes `replicas`
  const char* settings_key;     // free-form settings passed through as json
};

// A Spark release: MAJOR.MINOR[.PATCH], numbers only (the operator's sparkVersion).
bool IsSparkVersion(std::string_view v) {
  int parts = 0;
  for (std::string_view part : Split(v, '.')) {
    if (part.empty() || part.find_first_not_of("0123456789") != std::string_view::npos)
      return false;
    ++parts;
  }
  return parts == 2 || parts == 3;
}

const PluginShape kPlugins[] = {
    {"dask", PluginKind::kDask, keys::kDask, "workers", nullptr},
    {"ray", PluginKind::kRay, keys::kRay, "workers", "runtime_env"},
    {"spark", PluginKind::kSpark, keys::kSpark, "executor", "conf"},
    {"pytorch", PluginKind::kPytorch, keys::kPytorch, "workers", nullptr},
    {"resource", PluginKind::kResource, keys::kResourcePlugin, nullptr, nullptr},
};

// `kubernetes:` of a task: its Pod's settings. Label keys and values follow Kubernetes' syntax.
}  // namespace

std::optional<std::string> LoadNamespace(Reader& r, const yaml::Node& n, std::string_view where) {
  std::optional<std::string> ns = r.Text(n, "namespace");
  if (!ns) return std::nullopt;
  if (!IsDnsLabel(*ns)) {
    r.Error(ErrorCode::kInvalidValue, n,
            "namespace of " + std::string(where) + " is not a valid namespace name (a DNS-1123 " +
                "label: lower-case letters, digits and '-', at most 63): " + Quote(*ns));
    return std::nullopt;
  }
  return ns;
}

namespace {

void LoadKubernetes(Reader& r, const yaml::Node& n, Task& t, const std::string& where) {
  const std::string what = "kubernetes of " + where;
  if (!r.ExpectMap(n, what)) return;
  r.CheckKeys(n, keys::kKubernetes, "in " + what);
  KubernetesSettings k;
  k.loc = r.Loc(n);
  if (const yaml::Node* v = n.Get("service_account")) {
    k.service_account = r.Text(*v, "service_account").value_or("");
    if (!k.service_account.empty() && !IsDnsLabel(k.service_account) &&
        k.service_account.find('.') == std::string::npos) {
      r.Error(ErrorCode::kInvalidValue, *v,
              "service_account of " + where + " is not a valid name: " + Quote(k.service_account));
    }
  }
  auto string_map = [&](const char* key, std::vector<std::pair<std::string, std::string>>& out,
                        bool label_values) {
    const yaml::Node* m = n.Get(key);
    if (m == nullptr) return;
    if (!r.ExpectMap(*m, std::string(key) + " of " + what)) return;
    for (const auto& [kk, vv] : m->entries) {
      if (!vv->is_scalar()) {
        r.Error(ErrorCode::kWrongShape, *vv,
                std::string(key) + " " + Quote(kk->text) + " of " + where + " must be text");
        continue;
      }
      if (!IsLabelKey(kk->text)) {
        r.Error(ErrorCode::kInvalidValue, *kk,
                Quote(kk->text) + " in " + key + " of " + where + " is not a valid key");
        continue;
      }
      if (label_values && !IsLabelValue(vv->text)) {
        r.Error(ErrorCode::kInvalidValue, *vv,
                Quote(vv->text) + " in " + key + " of " + where + " is not a valid label value");
        continue;
      }
      out.emplace_back(kk->text, vv->text);
    }
  };
  if (const yaml::Node* v = n.Get("namespace")) k.ns = LoadNamespace(r, *v, where).value_or("");
  string_map("node_selector", k.node_selector, true);
  string_map("labels", k.labels, true);
  string_map("annotations", k.annotations, false);
  for (const char* key : {"tolerations", "pod_template"}) {
    const yaml::Node* v = n.Get(key);
    if (v == nullptr) continue;
    const bool list = std::string_view(key) == "tolerations";
    if (list ? !v->is_seq() : !v->is_map()) {
      r.Error(ErrorCode::kWrongShape, *v,
              std::string(key) + " of " + where + " must be " +
                  (list ? "a list of tolerations" : "a Pod spec (a mapping)"));
      continue;
    }
    LiteralResult lit = ValueFromNode(*v, list ? Type::List(Type::Json()) : Type::Json());
    if (!lit.ok()) {
      r.Error(lit.code, lit.at ? *lit.at : *v,
              std::string(key) + " of " + where + ": " + lit.error);
      continue;
    }
    (list ? k.tolerations : k.pod_template) = std::move(lit.value);
  }
  t.kubernetes = std::move(k);
}

void LoadPlugin(Reader& r, const yaml::Node& body, Task& t, const std::string& where) {
  const yaml::Node* plugin = body.Get("plugin");
  std::vector<std::string> names;
  for (const PluginShape& p : kPlugins) names.emplace_back(p.key);
  std::optional<std::string> chosen;
  if (plugin != nullptr) chosen = r.Choice(*plugin, "plugin", names);
  bool configured = false;
  for (const PluginShape& p : kPlugins) {
    const yaml::Node* cfg = body.Get(p.key);
    bool selected = chosen && *chosen == p.key;
    const bool resource = std::string_view(p.key) == "resource";
    if (cfg == nullptr) {
      if (selected) t.plugin.kind = p.kind, t.plugin.loc = r.Loc(*plugin);
      if (selected && resource) {
        r.Error(ErrorCode::kValueRequired, *plugin,
                where + " uses plugin resource but has no resource: section (manifest, success)");
      }
      continue;
    }
    if (chosen && !selected) {
      r.Error(ErrorCode::kInvalidValue, *cfg,
              std::string(p.key) + ": is set but " + where + " uses plugin " + Quote(*chosen));
      continue;
    }
    if (!chosen && configured) {
      r.Error(ErrorCode::kInvalidValue, *cfg,
              where + " configures more than one plugin; a task runs on one");
      continue;
    }
    configured = true;
    t.plugin.kind = p.kind;
    t.plugin.loc = r.Loc(*cfg);
    if (resource) {
      LoadResourcePlugin(r, *cfg, t, where);
      continue;
    }
    std::string what = std::string(p.key) + " of " + where;
    if (!r.ExpectMap(*cfg, what)) continue;
    r.CheckKeys(*cfg, p.keys, "in " + what);
    for (const auto& [k, v] : cfg->entries) {
      // An unknown key has its error from CheckKeys; it is no role either.
      if (std::find(p.keys.begin(), p.keys.end(), k->text) == p.keys.end()) continue;
      if (p.settings_key != nullptr && k->text == p.settings_key) {
        LiteralResult lit = ValueFromNode(*v, Type::Json());
        if (lit.ok()) {
          t.plugin.settings = std::move(lit.value);
        } else {
          r.Error(lit.code, lit.at ? *lit.at : *v, k->text + " of " + where + ": " + lit.error);
        }
        continue;
      }
      if (p.kind == PluginKind::kSpark && k->text == "version") {
        std::optional<std::string> version = r.Text(*v, "version of " + what);
        if (!version) continue;
        t.plugin.version = *version;
        if (!IsSparkVersion(t.plugin.version)) {
          r.Error(ErrorCode::kInvalidValue, *v,
                  "version of " + what + " must be a Spark version such as 3.5.1, got " +
                      Quote(t.plugin.version));
        }
        continue;
      }
      PluginRole role;
      role.role = k->text;
      std::string role_what = k->text + " of " + what;
      if (!r.ExpectMap(*v, role_what)) continue;
      r.CheckKeys(*v, keys::kPluginRole, "in " + role_what);
      if (const yaml::Node* n = v->Get("replicas")) {
        if (k->text != p.replicated_role) {
          r.Error(ErrorCode::kInvalidValue, *n,
                  "only " + std::string(p.replicated_role) + " of " + what + " take replicas");
        } else {
          role.replicas = r.Int(*n, "replicas", 1, 10000);
        }
      }
      if (const yaml::Node* n = v->Get("resources"))
        role.resources = LoadResources(r, *n, role_what);
      if (const yaml::Node* n = v->Get("image")) role.image = r.Text(*n, "image").value_or("");
      t.plugin.roles.push_back(std::move(role));
    }
  }
}

}  // namespace

Task LoadTask(Reader& r, const yaml::Node& name, const yaml::Node& body) {
  Task t;
  t.name = name.text;
  t.loc = r.Loc(name);
  std::string where = "task " + Quote(t.name);
  if (!IsEntityName(t.name)) {
    r.Error(ErrorCode::kInvalidValue, name,
            "task name " + Quote(t.name) + " must match [A-Za-z_][A-Za-z0-9_.-]*");
  }
  if (!r.ExpectMap(body, where)) return t;
  r.CheckKeys(body, keys::kTask, "in " + where);
  if (const yaml::Node* n = body.Get("description"))
    t.description = r.Text(*n, "description").value_or("");
  if (const yaml::Node* n = body.Get("inputs")) t.inputs = LoadVars(r, *n, true, where);
  if (const yaml::Node* n = body.Get("outputs")) t.outputs = LoadVars(r, *n, false, where);

  const yaml::Node* command = body.Get("command");
  const yaml::Node* script = body.Get("script");
  if (command != nullptr) LoadCommand(r, *command, t, where);
  if (script != nullptr) {
    if (command != nullptr) {
      r.Error(ErrorCode::kInvalidValue, *script, where + " has both command and script; use one");
    } else if (!script->is_scalar()) {
      r.Error(ErrorCode::kWrongShape, *script,
              "expected text for script of " + where + ", got " + script->Describe());
    } else {
      t.script = ParseTemplate(r, *script);
      if (!t.script) t.script = Template{};
    }
  }
  // A resource task creates an object and runs nothing of its own.
  const yaml::Node* plugin = body.Get("plugin");
  const bool resource = (plugin != nullptr && plugin->is_scalar() && plugin->text == "resource") ||
                        (plugin == nullptr && body.Get("resource") != nullptr);
  if (command == nullptr && script == nullptr && !resource) {
    r.Error(ErrorCode::kValueRequired, name, where + " needs a command or a script");
  }
  if (resource && (command != nullptr || script != nullptr)) {
    r.Error(ErrorCode::kInvalidValue, command != nullptr ? *command : *script,
            where + " uses plugin resource, which creates its manifest and runs no command");
  }
  if (const yaml::Node* n = body.Get("shell")) {
    if (n->is_scalar()) {
      t.shell.clear();
      for (std::string_view w : Split(n->text, ' ')) {
        if (!Trim(w).empty()) t.shell.emplace_back(Trim(w));
      }
    } else if (r.ExpectSeq(*n, "shell of " + where)) {
      t.shell.clear();
      for (const yaml::Node* w : n->items) {
        if (auto s = r.Text(*w, "shell")) t.shell.push_back(*s);
      }
    }
    if (t.shell.empty()) r.Error(ErrorCode::kInvalidValue, *n, "shell of " + where + " is empty");
    if (script == nullptr && command != nullptr) {
      r.Error(ErrorCode::kInvalidValue, *n, "shell of " + where + " only applies to script:");
    }
  }
  if (const yaml::Node* n = body.Get("workdir")) t.workdir = r.Text(*n, "workdir").value_or("");
  if (const yaml::Node* n = body.Get("env")) {
    if (r.ExpectMap(*n, "env of " + where)) {
      r.CheckIds(*n, "variable");
      for (const auto& [k, v] : n->entries) {
        if (!IsEnvName(k->text)) {
          r.Error(ErrorCode::kInvalidValue, *k,
                  Quote(k->text) + " is not a valid environment variable name");
        }
        if (!v->is_scalar()) {
          r.Error(ErrorCode::kWrongShape, *v,
                  "expected text for env " + Quote(k->text) + " of " + where + ", got " +
                      v->Describe());
          continue;
        }
        if (auto tpl = ParseTemplate(r, *v)) t.env.emplace_back(k->text, std::move(*tpl));
      }
    }
  }
  if (const yaml::Node* n = body.Get("image")) t.image = r.Text(*n, "image").value_or("");
  if (const yaml::Node* n = body.Get("retries")) {
    t.retries = static_cast<int32_t>(r.Int(*n, "retries", 0, 100).value_or(0));
  }
  if (const yaml::Node* n = body.Get("retry_backoff")) {
    std::string what = "retry_backoff of " + where;
    if (r.ExpectMap(*n, what)) {
      r.CheckKeys(*n, keys::kRetryBackoff, "in " + what);
      if (const yaml::Node* v = n->Get("initial")) {
        t.retry_backoff.initial_nanos =
            r.Duration(*v, "initial", false).value_or(t.retry_backoff.initial_nanos);
      }
      if (const yaml::Node* v = n->Get("max")) {
        t.retry_backoff.max_nanos =
            r.Duration(*v, "max", false).value_or(t.retry_backoff.max_nanos);
      }
      if (const yaml::Node* v = n->Get("factor")) {
        t.retry_backoff.factor = r.Number(*v, "factor", 1.0, 100.0).value_or(2.0);
      }
      if (t.retry_backoff.initial_nanos < 0 ||
          t.retry_backoff.max_nanos < t.retry_backoff.initial_nanos) {
        r.Error(ErrorCode::kInvalidValue, *n, what + ": initial must be between 0 and max");
      }
    }
  }
  if (const yaml::Node* n = body.Get("timeout")) t.timeout_nanos = r.Duration(*n, "timeout", true);
  if (const yaml::Node* n = body.Get("cache")) {
    if (auto c = LoadCache(r, *n, where)) t.cache = std::move(*c);
  }
  if (const yaml::Node* n = body.Get("resources")) t.resources = LoadResources(r, *n, where);
  if (const yaml::Node* n = body.Get("secrets")) LoadSecrets(r, *n, t, where);
  if (const yaml::Node* n = body.Get("interruptible"))
    t.interruptible = r.Bool(*n, "interruptible").value_or(false);
  if (const yaml::Node* n = body.Get("dynamic")) t.dynamic = r.Bool(*n, "dynamic").value_or(false);
  LoadPlugin(r, body, t, where);
  if (const yaml::Node* n = body.Get("kubernetes")) LoadKubernetes(r, *n, t, where);
  if (const yaml::Node* n = body.Get("runner")) {
    static const std::vector<std::string> kChoices = {"auto", "local", "kubernetes"};
    std::string v = r.Text(*n, "runner").value_or("auto");
    if (v == "local") {
      t.runner = RunnerChoice::kLocal;
    } else if (v == "kubernetes") {
      t.runner = RunnerChoice::kKubernetes;
    } else if (v != "auto") {
      r.Error(ErrorCode::kInvalidValue, *n,
              "runner of " + where + " must be auto, local or kubernetes, not " + Quote(v) +
                  DidYouMean(v, kChoices));
    }
  }
  return t;
}

}  // namespace flyte::spec
