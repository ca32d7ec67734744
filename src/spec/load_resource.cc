// `plugin: resource` with its `resource:` section: a manifest of any kind, templated with the
// attempt's values, and the status conditions that end it (as Argo's resource template).
#include <cctype>

#include "spec/keys.h"
#include "spec/load.h"
#include "types/literal.h"
#include "util/strings.h"

namespace flyte::spec {
namespace {

using Op = StatusRequirement::Op;

bool IsPathChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-' ||
         c == '[' || c == ']' || c == '=' || c == '/';
}

// "phase == Succeeded" style requirement; empty error on success.
std::string ParseRequirement(std::string_view text, StatusRequirement& req) {
  text = Trim(text);
  if (text.empty()) return "an empty requirement";
  bool negated = text[0] == '!';
  if (negated) text = Trim(text.substr(1));
  // The path runs to the first space or operator character outside brackets.
  size_t i = 0;
  int depth = 0;
  while (i < text.size()) {
    char c = text[i];
    if (c == '[') ++depth;
    if (c == ']') --depth;
    if (depth == 0 && (c == ' ' || c == '!' || c == '<' || c == '>' || c == '=')) break;
    if (!IsPathChar(c)) return "unexpected " + Quote(std::string(1, c)) + " in the path";
    ++i;
  }
  std::string path(text.substr(0, i));
  if (!StartsWith(path, "status.") || path.size() == 7) {
    return "the path " + Quote(path) +
           " must start with status. (conditions read the object's status)";
  }
  req.path = path.substr(7);
  std::string_view rest = Trim(text.substr(i));
  if (rest.empty()) {
    req.op = negated ? Op::kNotExists : Op::kExists;
    return {};
  }
  if (negated) return "! only applies to a bare path (does not exist)";
  static const std::pair<const char*, Op> kOps[] = {{"==", Op::kEquals}, {"!=", Op::kNotEquals},
                                                    {"=", Op::kEquals},  {">", Op::kGreater},
                                                    {"<", Op::kLess},    {"notin ", Op::kNotIn},
                                                    {"in ", Op::kIn}};
  bool found = false;
  for (const auto& [spelling, op] : kOps) {
    if (StartsWith(rest, spelling)) {
      req.op = op;
      rest = Trim(rest.substr(std::string_view(spelling).size()));
      found = true;
      break;
    }
  }
  if (!found) return "expected one of ==, !=, >, <, in, notin after " + Quote(path);
  if (req.op == Op::kIn || req.op == Op::kNotIn) {
    if (rest.size() < 2 || rest.front() != '(' || rest.back() != ')')
      return "in and notin take a list in parentheses: (a, b)";
    for (std::string_view v : Split(rest.substr(1, rest.size() - 2), ';'))
      if (!Trim(v).empty()) req.values.emplace_back(Trim(v));
    return req.values.empty() ? "an empty list" : std::string();
  }
  if (rest.empty()) return "a value is missing after the operator";
  if (rest.find(' ') != std::string_view::npos) return "one value expected, got " + Quote(std::string(rest));
  if ((req.op == Op::kGreater || req.op == Op::kLess) &&
      !std::isdigit(static_cast<unsigned char>(rest[0])) && rest[0] != '-') {
    return "> and < compare numbers, not " + Quote(std::string(rest));
  }
  req.values.emplace_back(rest);
  return {};
}

// Splits on commas outside parentheses; a list's commas become ';' for ParseRequirement.
std::vector<std::string> SplitRequirements(std::string_view text) {
  std::vector<std::string> out(1);
  int depth = 0;
  for (char c : text) {
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (c == ',' && depth == 0) {
      out.emplace_back();
    } else {
      out.back() += (c == ',' ? ';' : c);
    }
  }
  return out;
}

std::optional<StatusCondition> LoadCondition(Reader& r, const yaml::Node& n, const std::string& what) {
  std::optional<std::string> text = r.Text(n, what);
  if (!text) return std::nullopt;
  StatusCondition c;
  c.text = *text;
  c.loc = r.Loc(n);
  for (const std::string& part : SplitRequirements(*text)) {
    StatusRequirement req;
    std::string error = ParseRequirement(part, req);
    if (!error.empty()) {
      r.Error(ErrorCode::kInvalidValue, n, what + ": " + error + " in " + Quote(*text));
      return std::nullopt;
    }
    c.all.push_back(std::move(req));
  }
  return c;
}

// Every {{ }} in the manifest's text names something an attempt has.
void CheckTemplates(Reader& r, const yaml::Node& n, const Task& t, const std::string& where) {
  if (n.is_scalar()) {
    size_t at = 0;
    while ((at = n.text.find("{{", at)) != std::string::npos) {
      size_t end = n.text.find("}}", at);
      if (end == std::string::npos) {
        r.Error(ErrorCode::kInvalidValue, r.LocIn(n, at), "unclosed {{ in the manifest of " + where);
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
  ResourceManifest& res = t.plugin.resource;
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
        continue;
      }
      (std::string_view(key) == "kind" ? res.kind : res.api_version) = v->text;
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
      res.manifest = std::move(lit.value);
    } else {
      r.Error(lit.code, lit.at ? *lit.at : *m, "manifest of " + where + ": " + lit.error);
    }
  }
  if (const yaml::Node* n = cfg.Get("success")) res.success = LoadCondition(r, *n, "success of " + where);
  if (const yaml::Node* n = cfg.Get("failure")) res.failure = LoadCondition(r, *n, "failure of " + where);
  if (cfg.Get("success") == nullptr && m != nullptr) {
    r.Error(ErrorCode::kValueRequired, cfg,
            what + " needs a success condition (e.g. success: status.succeeded > 0)");
  }
  if (!t.outputs.empty()) {
    r.Error(ErrorCode::kInvalidValue, cfg,
            where + " creates a resource and runs no command of its own, so it has no outputs");
  }
}

}  // namespace flyte::spec
