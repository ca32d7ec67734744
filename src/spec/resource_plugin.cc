#include "spec/resource_plugin.h"

#include <cctype>

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
  static const std::pair<const char*, Op> kOps[] = {
      {"==", Op::kEquals}, {"!=", Op::kNotEquals}, {"=", Op::kEquals}, {">", Op::kGreater},
      {"<", Op::kLess},    {"notin ", Op::kNotIn}, {"in ", Op::kIn}};
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
  if (rest.find(' ') != std::string_view::npos)
    return "one value expected, got " + Quote(std::string(rest));
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

}  // namespace

std::optional<StatusCondition> ParseStatusCondition(std::string_view text, std::string* error) {
  StatusCondition c;
  c.text = std::string(text);
  for (const std::string& part : SplitRequirements(text)) {
    StatusRequirement req;
    *error = ParseRequirement(part, req);
    if (!error->empty()) return std::nullopt;
    c.all.push_back(std::move(req));
  }
  return c;
}

std::optional<ResourceManifest> ResourceManifestOf(const PluginSpec& p) {
  if (p.kind != PluginKind::kResource || !p.settings || p.settings->kind() != Value::Kind::kMap)
    return std::nullopt;
  ResourceManifest m;
  if (const Value* v = p.settings->Find("manifest");
      v != nullptr && v->kind() == Value::Kind::kMap) {
    m.manifest_json = v->ToCanonicalJson();
    for (auto [key, out] : {std::pair{"apiVersion", &m.api_version}, std::pair{"kind", &m.kind}}) {
      const Value* s = v->Find(key);
      if (s != nullptr && s->kind() == Value::Kind::kStr) *out = s->as_str();
    }
  }
  std::string error;
  if (const Value* v = p.settings->Find("success"); v != nullptr && v->kind() == Value::Kind::kStr)
    m.success = ParseStatusCondition(v->as_str(), &error);
  if (const Value* v = p.settings->Find("failure"); v != nullptr && v->kind() == Value::Kind::kStr)
    m.failure = ParseStatusCondition(v->as_str(), &error);
  return m;
}

}  // namespace flyte::spec
