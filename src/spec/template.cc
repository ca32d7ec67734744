#include "spec/template.h"

#include <cctype>

#include "util/strings.h"

namespace flyte::spec {
namespace {

bool IsWordChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
}
bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

}  // namespace

Binding::Binding() = default;
Binding::Binding(const Binding&) = default;
Binding::Binding(Binding&&) noexcept = default;
Binding& Binding::operator=(const Binding&) = default;
Binding& Binding::operator=(Binding&&) noexcept = default;
Binding::~Binding() = default;

std::optional<Ref> ParseRefBody(Reader& r, const yaml::Node& node, std::string_view body,
                                size_t base) {
  size_t i = 0;
  while (i < body.size() && IsSpace(body[i])) ++i;
  size_t end = body.size();
  while (end > i && IsSpace(body[end - 1])) --end;
  Ref ref;
  ref.loc = r.LocIn(node, base + i);
  auto fail = [&](size_t at, const std::string& msg) -> std::optional<Ref> {
    r.Error(ErrorCode::kSyntaxError, r.LocIn(node, base + at), msg);
    return std::nullopt;
  };
  std::string whole(body.substr(i, end - i));
  if (whole.empty()) return fail(i, "empty '{{ }}'; expected inputs.NAME or NODE.OUTPUT");
  size_t head_begin = i;
  while (i < end && IsWordChar(body[i])) ++i;
  std::string head(body.substr(head_begin, i - head_begin));
  if (head.empty() || i >= end || body[i] != '.') {
    return fail(head_begin, "cannot read '{{ " + whole +
                                " }}': expected inputs.NAME or NODE.OUTPUT (write \\{{ for a "
                                "literal '{{')");
  }
  if (head == "inputs") {
    ref.root = Ref::Root::kInputs;
  } else if (head == "outputs") {
    ref.root = Ref::Root::kOutputs;
  } else if (IsNodeId(head)) {
    ref.root = Ref::Root::kNode;
    ref.node = head;
  } else {
    return fail(head_begin, Quote(head) + " is not a node id: ids match [a-z][a-z0-9_-]*");
  }
  ++i;  // '.'
  size_t var_begin = i;
  while (i < end && (std::isalnum(static_cast<unsigned char>(body[i])) || body[i] == '_')) ++i;
  ref.var = std::string(body.substr(var_begin, i - var_begin));
  if (!IsIdentifier(ref.var)) {
    return fail(var_begin,
                "expected a variable name after '" + head + ".' in '{{ " + whole + " }}'");
  }
  while (i < end) {
    PathElem elem;
    if (body[i] == '.') {
      size_t b = ++i;
      while (i < end && (std::isalnum(static_cast<unsigned char>(body[i])) || body[i] == '_')) ++i;
      elem.key = std::string(body.substr(b, i - b));
      if (elem.key.empty())
        return fail(b, "expected a field name after '.' in '{{ " + whole + " }}'");
    } else if (body[i] == '[') {
      size_t b = ++i;
      if (i < end && (body[i] == '"' || body[i] == '\'')) {
        char q = body[i++];
        size_t kb = i;
        while (i < end && body[i] != q) ++i;
        if (i >= end) return fail(b, "unclosed quote in '{{ " + whole + " }}'");
        elem.key = std::string(body.substr(kb, i - kb));
        ++i;
      } else {
        while (i < end && std::isdigit(static_cast<unsigned char>(body[i]))) ++i;
        if (i == b || i - b > 9) {
          return fail(b, "expected an index or a quoted key inside [ ] in '{{ " + whole + " }}'");
        }
        elem.is_index = true;
        elem.index = std::stoll(std::string(body.substr(b, i - b)));
      }
      if (i >= end || body[i] != ']') return fail(i, "expected ']' in '{{ " + whole + " }}'");
      ++i;
    } else {
      return fail(i, "unexpected " + Quote(std::string(body.substr(i, end - i))) + " in '{{ " +
                         whole + " }}'");
    }
    ref.path.push_back(std::move(elem));
  }
  return ref;
}

std::optional<Template> ParseTemplate(Reader& r, const yaml::Node& node) {
  const std::string& text = node.text;
  Template t;
  t.loc = r.Loc(node);
  std::string pending;
  bool ok = true;
  size_t i = 0;
  while (i < text.size()) {
    if (text.compare(i, 3, "\\{{") == 0) {
      pending += "{{";
      i += 3;
      continue;
    }
    if (text.compare(i, 2, "{{") != 0) {
      pending += text[i++];
      continue;
    }
    size_t close = text.find("}}", i + 2);
    if (close == std::string::npos) {
      r.Error(ErrorCode::kSyntaxError, r.LocIn(node, i),
              "unclosed '{{': expected '}}' (write \\{{ for a literal '{{')");
      return std::nullopt;
    }
    std::optional<Ref> ref =
        ParseRefBody(r, node, std::string_view(text).substr(i + 2, close - i - 2), i + 2);
    if (!ref) {
      ok = false;
    } else {
      if (!pending.empty()) t.parts.push_back({std::move(pending), std::nullopt});
      pending.clear();
      t.parts.push_back({"", std::move(ref)});
    }
    i = close + 2;
  }
  if (!pending.empty()) t.parts.push_back({std::move(pending), std::nullopt});
  if (!ok) return std::nullopt;
  return t;
}

Binding ParseBinding(Reader& r, const yaml::Node& node) {
  Binding b;
  b.node = &node;
  b.loc = r.Loc(node);
  if (node.is_seq()) {
    b.kind = Binding::Kind::kList;
    for (const yaml::Node* item : node.items) {
      b.items.push_back(ParseBinding(r, *item));
      b.has_refs = b.has_refs || b.items.back().has_refs;
    }
    return b;
  }
  if (node.is_map()) {
    b.kind = Binding::Kind::kMap;
    r.CheckIds(node, "key");
    for (const auto& [k, v] : node.entries) {
      b.entries.emplace_back(k->text, ParseBinding(r, *v));
      b.has_refs = b.has_refs || b.entries.back().second.has_refs;
    }
    return b;
  }
  if (node.is_scalar() && node.Resolve() == yaml::ScalarKind::kStr &&
      node.text.find("{{") != std::string::npos) {
    std::optional<Template> t = ParseTemplate(r, node);
    if (!t) {
      // Already reported; a str-typed interpolation keeps later checks quiet.
      b.kind = Binding::Kind::kInterp;
      return b;
    }
    if (t->parts.size() == 1 && t->parts[0].ref) {
      b.kind = Binding::Kind::kRef;
      b.ref = std::move(*t->parts[0].ref);
      b.has_refs = true;
      return b;
    }
    b.kind = Binding::Kind::kInterp;
    b.has_refs = t->has_refs();
    b.interp = std::move(*t);
    return b;
  }
  b.kind = Binding::Kind::kLiteral;
  return b;
}

bool Template::has_refs() const {
  for (const TemplatePart& p : parts) {
    if (p.ref) return true;
  }
  return false;
}

std::string Template::PlainText() const {
  std::string out;
  for (const TemplatePart& p : parts) out += p.text;
  return out;
}

std::string Ref::ToString() const {
  std::string out;
  switch (root) {
    case Root::kInputs:
      out = "inputs";
      break;
    case Root::kOutputs:
      out = "outputs";
      break;
    case Root::kNode:
      out = node;
      break;
  }
  out += "." + var;
  for (const PathElem& e : path) {
    if (e.is_index) {
      out += "[" + std::to_string(e.index) + "]";
    } else if (IsIdentifier(e.key)) {
      out += "." + e.key;
    } else {
      out += "[\"" + e.key + "\"]";
    }
  }
  return out;
}

}  // namespace flyte::spec
