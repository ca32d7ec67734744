#include "spec/reader.h"

#include <cctype>
#include <cstdio>
#include <unordered_map>

#include "util/strings.h"
#include "util/timefmt.h"

namespace flyte::spec {
namespace {

std::string FormatNumber(double d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", d);
  return buf;
}

}  // namespace

SourceLoc LocOf(const yaml::Node& n, const SourceFile* file) {
  SourceLoc loc = n.loc(file);
  if (file != nullptr && loc.line > file->line_count()) {
    loc.line = file->line_count();
    loc.col = static_cast<uint32_t>(file->LineText(loc.line).size() + 1);
  }
  return loc;
}

SourceLoc Reader::LocIn(const yaml::Node& scalar, size_t offset) const {
  SourceLoc loc = Loc(scalar);
  std::string_view line = file_->LineText(scalar.line);
  char indicator = scalar.col >= 1 && scalar.col <= line.size() ? line[scalar.col - 1] : '\0';
  std::string_view text = scalar.text;
  offset = std::min(offset, text.size());
  size_t newlines = 0, line_begin = 0;
  for (size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') ++newlines, line_begin = i + 1;
  }
  if (indicator == '|' || indicator == '>') {
    // Block scalar: the content starts on the next line, indented.
    uint32_t content_line = scalar.line + 1 + static_cast<uint32_t>(newlines);
    std::string_view src = file_->LineText(content_line);
    size_t indent = 0;
    while (indent < src.size() && src[indent] == ' ') ++indent;
    size_t value_indent = 0;
    while (line_begin + value_indent < text.size() && text[line_begin + value_indent] == ' ') {
      ++value_indent;
    }
    size_t base = indent >= value_indent ? indent - value_indent : 0;
    return {file_, content_line, static_cast<uint32_t>(base + (offset - line_begin) + 1)};
  }
  if (newlines > 0) return loc;  // multi-line flow scalars: point at the start
  uint32_t quote = (indicator == '"' || indicator == '\'') ? 1 : 0;
  SourceLoc at = loc.Shifted(quote + static_cast<uint32_t>(offset));
  // Past the end of the line, the scalar was folded from several lines: point at its start.
  if (at.col > line.size() + 1) return loc;
  return at;
}

bool Reader::ExpectMap(const yaml::Node& n, std::string_view what) {
  if (n.is_map() || n.is_null()) return true;
  Error(ErrorCode::kWrongShape, n,
        "expected a mapping for " + std::string(what) + ", got " + n.Describe());
  return false;
}

bool Reader::ExpectSeq(const yaml::Node& n, std::string_view what) {
  if (n.is_seq() || n.is_null()) return true;
  Error(ErrorCode::kWrongShape, n,
        "expected a list for " + std::string(what) + ", got " + n.Describe());
  return false;
}

void Reader::CheckKeys(const yaml::Node& map, KeyList allowed, std::string_view where) {
  std::vector<std::string> names(allowed.begin(), allowed.end());
  for (size_t i = 0; i < map.entries.size(); ++i) {
    const yaml::Node& key = *map.entries[i].first;
    bool known = false;
    for (std::string_view a : allowed) known = known || a == key.text;
    if (!known) {
      Error(ErrorCode::kUnknownKey, key,
            "unknown key " + Quote(key.text) + " " + std::string(where) +
                DidYouMean(key.text, names));
      continue;
    }
    for (size_t j = 0; j < i; ++j) {
      const yaml::Node& earlier = *map.entries[j].first;
      if (earlier.text == key.text) {
        Error(ErrorCode::kDuplicateKey, key,
              "key " + Quote(key.text) + " is given twice " + std::string(where) +
                  " (first at line " + std::to_string(earlier.line) + ")");
        break;
      }
    }
  }
}

void Reader::CheckIds(const yaml::Node& map, std::string_view what) {
  // A map, not a scan of the earlier keys: workflows have thousands of nodes.
  std::unordered_map<std::string_view, const yaml::Node*> first;
  first.reserve(map.entries.size());
  for (const auto& entry : map.entries) {
    const yaml::Node& key = *entry.first;
    auto [it, inserted] = first.emplace(key.text, &key);
    if (!inserted) {
      Error(ErrorCode::kDuplicateId, key,
            std::string(what) + " " + Quote(key.text) + " is defined twice (first at line " +
                std::to_string(it->second->line) + ")");
    }
  }
}

std::optional<std::string> Reader::Text(const yaml::Node& n, std::string_view what) {
  if (n.is_scalar()) return n.text;
  Error(ErrorCode::kWrongShape, n,
        "expected text for " + std::string(what) + ", got " + n.Describe());
  return std::nullopt;
}

std::optional<bool> Reader::Bool(const yaml::Node& n, std::string_view what) {
  if (n.is_scalar() && n.Resolve() == yaml::ScalarKind::kBool) return *yaml::ParseBool(n.text);
  Error(ErrorCode::kInvalidValue, n,
        "expected true or false for " + std::string(what) + ", got " + n.Describe());
  return std::nullopt;
}

std::optional<int64_t> Reader::Int(const yaml::Node& n, std::string_view what, int64_t min,
                                   int64_t max) {
  if (n.is_scalar() && n.Resolve() == yaml::ScalarKind::kInt) {
    int64_t v = *yaml::ParseInt(n.text);
    if (v >= min && v <= max) return v;
    Error(ErrorCode::kInvalidValue, n,
          std::string(what) + " must be between " + std::to_string(min) + " and " +
              std::to_string(max) + ", got " + n.text);
    return std::nullopt;
  }
  Error(ErrorCode::kInvalidValue, n,
        "expected an integer for " + std::string(what) + ", got " + n.Describe());
  return std::nullopt;
}

std::optional<double> Reader::Number(const yaml::Node& n, std::string_view what, double min,
                                     double max) {
  yaml::ScalarKind k = n.Resolve();
  if (n.is_scalar() && (k == yaml::ScalarKind::kInt || k == yaml::ScalarKind::kFloat)) {
    double v = k == yaml::ScalarKind::kInt ? static_cast<double>(*yaml::ParseInt(n.text))
                                           : *yaml::ParseFloat(n.text);
    if (v >= min && v <= max) return v;
    Error(ErrorCode::kInvalidValue, n,
          std::string(what) + " must be between " + FormatNumber(min) + " and " +
              FormatNumber(max) + ", got " + n.text);
    return std::nullopt;
  }
  Error(ErrorCode::kInvalidValue, n,
        "expected a number for " + std::string(what) + ", got " + n.Describe());
  return std::nullopt;
}

std::optional<int64_t> Reader::Duration(const yaml::Node& n, std::string_view what, bool positive) {
  if (n.is_scalar() && n.Resolve() == yaml::ScalarKind::kStr) {
    if (auto d = ParseDuration(n.text)) {
      if (!positive || *d > 0) return d;
      Error(ErrorCode::kInvalidValue, n, std::string(what) + " must be positive, got " + n.text);
      return std::nullopt;
    }
  }
  Error(ErrorCode::kInvalidValue, n,
        "expected a duration such as 30s, 5m or 1h30m for " + std::string(what) + ", got " +
            n.Describe());
  return std::nullopt;
}

std::optional<Type> Reader::TypeOf(const yaml::Node& n, std::string_view what) {
  if (!n.is_scalar()) {
    std::string hint;
    if (n.is_seq() && n.items.size() == 1 && n.items[0]->is_scalar()) {
      // `{xs: list[int]}` in a flow mapping reads as `list` followed by a list `[int]`.
      hint = " (inside { } a type with brackets must be quoted, e.g. \"list[int]\")";
    }
    Error(ErrorCode::kInvalidType, n,
          "expected a type for " + std::string(what) + ", got " + n.Describe() + hint);
    return std::nullopt;
  }
  ParsedType parsed = ParseType(n.text);
  if (parsed.ok()) return parsed.type;
  Error(ErrorCode::kInvalidType, LocIn(n, parsed.offset),
        "invalid type " + Quote(n.text) + " for " + std::string(what) + ": " + parsed.error);
  return std::nullopt;
}

std::vector<std::pair<std::string, SourceLoc>> Reader::Names(const yaml::Node& n,
                                                             std::string_view what) {
  std::vector<std::pair<std::string, SourceLoc>> out;
  if (n.is_scalar()) {
    out.emplace_back(n.text, Loc(n));
    return out;
  }
  if (!ExpectSeq(n, what)) return out;
  for (const yaml::Node* item : n.items) {
    if (auto t = Text(*item, what)) out.emplace_back(*t, Loc(*item));
  }
  return out;
}

std::optional<std::string> Reader::Choice(const yaml::Node& n, std::string_view what,
                                          const std::vector<std::string>& choices) {
  auto text = Text(n, what);
  if (!text) return std::nullopt;
  for (const std::string& c : choices) {
    if (c == *text) return text;
  }
  Error(ErrorCode::kInvalidValue, n,
        Quote(*text) + " is not a valid " + std::string(what) + "; expected one of " +
            Join(choices, ", ") + DidYouMean(*text, choices));
  return std::nullopt;
}

bool IsEntityName(std::string_view s) {
  if (s.empty() || s.size() > 255) return false;
  if (!(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  for (char c : s) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-')) {
      return false;
    }
  }
  return true;
}

}  // namespace flyte::spec
