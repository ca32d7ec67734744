// The only translation unit that includes yaml-cpp. It drives yaml-cpp's event parser and
// builds our own located tree, because yaml-cpp's Node API silently keeps one of two duplicate
// keys, loses scalar style, recurses without bound on aliases and throws on bad input.
#include "util/yaml.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <istream>
#include <limits>
#include <streambuf>

#include "util/utf8.h"

namespace flyte::yaml {
namespace {

// Reads the file's bytes in place: yaml-cpp wants an istream and we will not copy 10 MB.
class MemoryBuf : public std::streambuf {
 public:
  MemoryBuf(const char* data, size_t size) {
    char* p = const_cast<char*>(data);
    setg(p, p, p + size);
  }
};

// Thrown from inside event callbacks to stop yaml-cpp; caught in Parse().
struct BuildError {
  std::string message;
  uint32_t line;
  uint32_t col;
};

bool IsDigits(std::string_view s, bool (*ok)(char)) {
  if (s.empty()) return false;
  return std::all_of(s.begin(), s.end(), ok);
}

}  // namespace

bool IsNullText(std::string_view t) {
  return t.empty() || t == "~" || t == "null" || t == "Null" || t == "NULL";
}

std::optional<bool> ParseBool(std::string_view t) {
  if (t == "true" || t == "True" || t == "TRUE") return true;
  if (t == "false" || t == "False" || t == "FALSE") return false;
  return std::nullopt;
}

std::optional<int64_t> ParseInt(std::string_view t) {
  bool neg = false;
  std::string_view digits = t;
  int base = 10;
  if (digits.substr(0, 2) == "0x") {
    base = 16;
    digits.remove_prefix(2);
    if (!IsDigits(digits, [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }))
      return std::nullopt;
  } else if (digits.substr(0, 2) == "0o") {
    base = 8;
    digits.remove_prefix(2);
    if (!IsDigits(digits, [](char c) { return c >= '0' && c <= '7'; })) return std::nullopt;
  } else {
    if (!digits.empty() && (digits[0] == '-' || digits[0] == '+')) {
      neg = digits[0] == '-';
      digits.remove_prefix(1);
    }
    if (!IsDigits(digits, [](char c) { return c >= '0' && c <= '9'; })) return std::nullopt;
  }
  uint64_t magnitude = 0;
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), magnitude, base);
  if (ec != std::errc() || ptr != digits.data() + digits.size()) return std::nullopt;
  constexpr uint64_t kMax = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  if (neg) {
    if (magnitude > kMax + 1) return std::nullopt;
    return magnitude == kMax + 1 ? std::numeric_limits<int64_t>::min()
                                 : -static_cast<int64_t>(magnitude);
  }
  if (magnitude > kMax) return std::nullopt;
  return static_cast<int64_t>(magnitude);
}

std::optional<double> ParseFloat(std::string_view t) {
  std::string_view s = t;
  bool neg = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s == ".inf" || s == ".Inf" || s == ".INF") {
    return neg ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
  }
  if (t == ".nan" || t == ".NaN" || t == ".NAN") return std::numeric_limits<double>::quiet_NaN();
  // Core schema: [-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?
  size_t i = 0;
  size_t int_digits = 0, frac_digits = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++int_digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++frac_digits;
  }
  if (int_digits == 0 && frac_digits == 0) return std::nullopt;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    size_t exp_digits = 0;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++exp_digits;
    if (exp_digits == 0) return std::nullopt;
  }
  if (i != s.size()) return std::nullopt;
  // from_chars rejects a leading '.', so parse a normalized copy.
  std::string buf = (s[0] == '.') ? "0" + std::string(s) : std::string(s);
  double d = 0;
  auto [ptr, ec] = std::from_chars(buf.data(), buf.data() + buf.size(), d);
  if (ptr != buf.data() + buf.size()) return std::nullopt;
  if (ec == std::errc::result_out_of_range) {
    d = std::numeric_limits<double>::infinity();  // 1e999: overflow is infinite, as in JSON
    if (frac_digits + int_digits > 0 && buf.find_first_of("123456789") == std::string::npos) d = 0;
  } else if (ec != std::errc()) {
    return std::nullopt;
  }
  return neg ? -d : d;
}

std::string Canonical(const Node& node) {
  auto quote = [](const std::string& t) {
    std::string out = "\"";
    for (char c : t) {
      if (c == '"' || c == '\\') out += '\\';
      if (c == '\n') {
        out += "\\n";
        continue;
      }
      out += c;
    }
    return out + "\"";
  };
  switch (node.kind) {
    case NodeKind::kNull:
      return "null";
    case NodeKind::kScalar: {
      ScalarKind k = node.Resolve();
      if (k == ScalarKind::kStr) return quote(node.text);
      if (k == ScalarKind::kNull) return "null";
      return node.text;
    }
    case NodeKind::kSeq: {
      std::string out = "[";
      for (size_t i = 0; i < node.items.size(); ++i) {
        if (i > 0) out += ",";
        out += Canonical(*node.items[i]);
      }
      return out + "]";
    }
    case NodeKind::kMap: {
      std::vector<std::pair<std::string, const Node*>> entries;
      for (const auto& [k, v] : node.entries) entries.emplace_back(k->text, v);
      std::sort(entries.begin(), entries.end(),
                [](const auto& a, const auto& b) { return a.first < b.first; });
      std::string out = "{";
      for (size_t i = 0; i < entries.size(); ++i) {
        if (i > 0) out += ",";
        out += quote(entries[i].first) + ":" + Canonical(*entries[i].second);
      }
      return out + "}";
    }
  }
  return "";
}

const Node* Node::Get(std::string_view key) const {
  for (const auto& [k, v] : entries) {
    if (k->kind == NodeKind::kScalar && k->text == key) return v;
  }
  return nullptr;
}

ScalarKind Node::Resolve() const {
  if (kind == NodeKind::kNull) return ScalarKind::kNull;
  if (kind != NodeKind::kScalar) return ScalarKind::kStr;
  if (forced) return *forced;
  if (!plain) return ScalarKind::kStr;
  if (IsNullText(text)) return ScalarKind::kNull;
  if (ParseBool(text)) return ScalarKind::kBool;
  if (ParseInt(text)) return ScalarKind::kInt;
  if (ParseFloat(text)) return ScalarKind::kFloat;
  return ScalarKind::kStr;
}

std::string Node::Describe() const {
  switch (kind) {
    case NodeKind::kNull:
      return "null";
    case NodeKind::kSeq:
      return "a list";
    case NodeKind::kMap:
      return "a mapping";
    case NodeKind::kScalar:
      break;
  }
  std::string shown = text.size() > 40 ? text.substr(0, 37) + "..." : text;
  switch (Resolve()) {
    case ScalarKind::kNull:
      return "null";
    case ScalarKind::kBool:
      return "a bool " + shown;
    case ScalarKind::kInt:
      return "an int " + shown;
    case ScalarKind::kFloat:
      return "a float " + shown;
    case ScalarKind::kStr:
      break;
  }
  std::string out = "a string \"";
  for (char c : shown) {
    if (c == '\n')
      out += "\\n";
    else if (c == '"')
      out += "\\\"";
    else
      out += c;
  }
  return out + "\"";
}

// Builds a Document from yaml-cpp events.
class DocumentBuilder : public YAML::EventHandler {
 public:
  DocumentBuilder(std::shared_ptr<const SourceFile> source, const Limits& limits)
      : limits_(limits), doc_(std::make_unique<Document>()) {
    doc_->source_ = std::move(source);
  }

  std::unique_ptr<Document> Take() { return std::move(doc_); }
  bool saw_document() const { return documents_ > 0; }

  void OnDocumentStart(const YAML::Mark&) override { ++documents_; }
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    Node* n = NewNode(NodeKind::kNull, mark);
    Register(anchor, n);
    Attach(n, 1, 1);
  }

  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    if (anchor >= anchors_.size() || anchors_[anchor] == nullptr) {
      throw BuildError{"alias to an unknown anchor", Line(mark), Col(mark)};
    }
    const Node* target = anchors_[anchor];
    for (const Frame& f : stack_) {
      if (f.node == target)
        throw BuildError{"an alias refers to its own enclosing node", Line(mark), Col(mark)};
    }
    ++aliases_;
    // An alias repeats its anchor's whole content: all of it counts again.
    Attach(target, anchor_sizes_[anchor], anchor_sizes_[anchor]);
  }

  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    Node* n = NewNode(NodeKind::kScalar, mark);
    n->text = value;
    n->plain = tag == "?";
    if (!n->plain && tag != "!") n->forced = ForcedKind(tag, mark);
    if (n->forced == ScalarKind::kNull) n->kind = NodeKind::kNull;
    Register(anchor, n);
    Attach(n, 1, 1);
  }

  void OnSequenceStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    CheckCollectionTag(tag, "tag:yaml.org,2002:seq", mark);
    Open(NewNode(NodeKind::kSeq, mark), anchor, mark);
  }
  void OnSequenceEnd() override { Close(); }

  void OnMapStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    CheckCollectionTag(tag, "tag:yaml.org,2002:map", mark);
    Open(NewNode(NodeKind::kMap, mark), anchor, mark);
  }
  void OnMapEnd() override {
    ApplyMergeKeys(stack_.back().node);
    Close();
  }

 private:
  struct Frame {
    Node* node;
    uint64_t size;            // nodes under this one, after alias expansion
    const Node* pending_key;  // maps: the key waiting for its value
    YAML::anchor_t anchor;    // 0 when not anchored
  };

  static uint32_t Line(const YAML::Mark& m) { return static_cast<uint32_t>(m.line + 1); }
  static uint32_t Col(const YAML::Mark& m) { return static_cast<uint32_t>(m.column + 1); }

  Node* NewNode(NodeKind kind, const YAML::Mark& mark) {
    Node& n = doc_->arena_.emplace_back();
    n.kind = kind;
    n.line = Line(mark);
    n.col = Col(mark);
    return &n;
  }

  void Register(YAML::anchor_t anchor, const Node* n) {
    if (anchor == 0) return;
    if (anchor >= anchors_.size()) {
      anchors_.resize(anchor + 1, nullptr);
      anchor_sizes_.resize(anchor + 1, 1);
    }
    anchors_[anchor] = n;
  }

  static std::optional<ScalarKind> ForcedKind(const std::string& tag, const YAML::Mark& mark) {
    if (tag == "tag:yaml.org,2002:str") return ScalarKind::kStr;
    if (tag == "tag:yaml.org,2002:int") return ScalarKind::kInt;
    if (tag == "tag:yaml.org,2002:float") return ScalarKind::kFloat;
    if (tag == "tag:yaml.org,2002:bool") return ScalarKind::kBool;
    if (tag == "tag:yaml.org,2002:null") return ScalarKind::kNull;
    throw BuildError{
        "unsupported YAML tag '" + tag + "' (only !!str, !!int, !!float, !!bool, !!null)",
        Line(mark), Col(mark)};
  }

  static void CheckCollectionTag(const std::string& tag, const char* expected,
                                 const YAML::Mark& mark) {
    if (tag.empty() || tag == "?" || tag == "!" || tag == expected) return;
    throw BuildError{"unsupported YAML tag '" + tag + "'", Line(mark), Col(mark)};
  }

  void Open(Node* n, YAML::anchor_t anchor, const YAML::Mark& mark) {
    if (stack_.size() >= limits_.max_depth) {
      throw BuildError{"nesting is deeper than " + std::to_string(limits_.max_depth) + " levels",
                       Line(mark), Col(mark)};
    }
    Register(anchor, n);
    stack_.push_back(Frame{n, 1, nullptr, anchor});
  }

  void Close() {
    Frame f = stack_.back();
    stack_.pop_back();
    if (f.node->kind == NodeKind::kMap && f.pending_key != nullptr) {
      throw BuildError{"mapping key without a value", f.pending_key->line, f.pending_key->col};
    }
    if (f.anchor != 0) anchor_sizes_[f.anchor] = f.size;
    // Its content was counted as it came; the collection itself is one more node.
    Attach(f.node, f.size, 1);
  }

  // Adds a finished node (or an alias of one) to the open collection, or makes it the root.
  // `size` is the node's expanded size (for the enclosing collection's count), `added` what
  // it adds to the document's total.
  void Attach(const Node* n, uint64_t size, uint64_t added) {
    total_ += added;
    if (total_ > limits_.max_nodes) {
      throw BuildError{"the document expands to more than " + std::to_string(limits_.max_nodes) +
                           " nodes" +
                           (aliases_ > 0 ? " (aliases repeat their anchor's content)" : ""),
                       n->line, n->col};
    }
    if (stack_.empty()) {
      doc_->root_ = n;
      return;
    }
    Frame& f = stack_.back();
    f.size += size;
    if (f.node->kind == NodeKind::kSeq) {
      f.node->items.push_back(n);
    } else if (f.pending_key == nullptr) {
      if (n->kind != NodeKind::kScalar) {
        throw BuildError{n->kind == NodeKind::kNull
                             ? "empty mapping key"
                             : "mapping keys must be plain text, not " + n->Describe(),
                         n->line, n->col};
      }
      f.pending_key = n;
    } else {
      f.node->entries.emplace_back(f.pending_key, n);
      f.pending_key = nullptr;
    }
  }

  // YAML 1.1 merge keys (`<<: *defaults`), which people use to share task settings. Keys
  // written in the mapping win over merged ones; earlier merged mappings win over later ones.
  void ApplyMergeKeys(Node* map) {
    auto is_merge = [](const std::pair<const Node*, const Node*>& e) {
      return e.first->plain && e.first->text == "<<";
    };
    if (std::none_of(map->entries.begin(), map->entries.end(), is_merge)) return;
    std::vector<std::pair<const Node*, const Node*>> own, merged;
    std::vector<const Node*> sources;
    for (const auto& e : map->entries) {
      if (!is_merge(e)) {
        own.push_back(e);
        continue;
      }
      if (e.second->kind == NodeKind::kMap) {
        sources.push_back(e.second);
      } else if (e.second->kind == NodeKind::kSeq &&
                 std::all_of(e.second->items.begin(), e.second->items.end(),
                             [](const Node* i) { return i->kind == NodeKind::kMap; })) {
        sources.insert(sources.end(), e.second->items.begin(), e.second->items.end());
      } else {
        throw BuildError{"a merge key '<<' takes a mapping or a list of mappings", e.second->line,
                         e.second->col};
      }
    }
    auto present = [&](const std::string& key) {
      auto same = [&](const auto& e) { return e.first->text == key; };
      return std::any_of(own.begin(), own.end(), same) ||
             std::any_of(merged.begin(), merged.end(), same);
    };
    for (const Node* src : sources) {
      for (const auto& e : src->entries) {
        if (!present(e.first->text)) merged.push_back(e);
      }
    }
    own.insert(own.end(), merged.begin(), merged.end());
    map->entries = std::move(own);
  }

  Limits limits_;
  std::unique_ptr<Document> doc_;
  std::vector<Frame> stack_;
  std::vector<const Node*> anchors_;
  std::vector<uint64_t> anchor_sizes_;  // expanded size of each anchored node
  uint64_t total_ = 0;
  uint64_t aliases_ = 0;
  int documents_ = 0;
};

ParseResult Parse(std::shared_ptr<const SourceFile> source, const Limits& limits) {
  ParseResult result;
  const std::string& text = source->text();
  // yaml-cpp copies invalid UTF-8 into scalars, reads a leading FE FF as a UTF-16 byte order
  // mark, and turns a NUL into bytes that are not UTF-8: such strings could not be written
  // back as JSON or YAML that reads the same (found by tests/fuzz, type target). So, as YAML
  // and JSON require, only UTF-8 text without C0 control characters other than tab and line
  // breaks is parsed. Workflow files are checked earlier with a friendlier message; this covers
  // --input text, input documents and task outputs.
  std::optional<size_t> bad = FindInvalidUtf8(text);
  const char* what = "not valid UTF-8";
  for (size_t i = 0; !bad && i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
      bad = i;
      what = "a control character";
    }
  }
  if (bad) {
    const auto at = text.begin() + static_cast<std::ptrdiff_t>(*bad);
    const uint32_t line = static_cast<uint32_t>(std::count(text.begin(), at, '\n')) + 1;
    const size_t newline = text.rfind('\n', *bad);
    const size_t col = *bad - (newline == std::string::npos ? 0 : newline + 1) + 1;
    char byte[8];
    std::snprintf(byte, sizeof byte, "0x%02x", static_cast<unsigned char>(text[*bad]));
    result.error = {std::string(what) + " (byte " + byte + ")", line, static_cast<uint32_t>(col)};
    return result;
  }
  MemoryBuf buf(text.data(), text.size());
  std::istream in(&buf);
  DocumentBuilder builder(source, limits);
  try {
    YAML::Parser parser(in);
    parser.HandleNextDocument(builder);
    auto doc = builder.Take();
    if (builder.saw_document()) {
      DocumentBuilder extra(source, limits);
      if (parser.HandleNextDocument(extra)) {
        result.error = {"the file holds more than one YAML document ('---'); put everything in one",
                        0, 0};
        return result;
      }
    }
    result.doc = std::move(doc);
  } catch (const BuildError& e) {
    result.error = {e.message, e.line, e.col};
  } catch (const YAML::Exception& e) {
    result.error = {e.msg, static_cast<uint32_t>(e.mark.line + 1),
                    static_cast<uint32_t>(e.mark.column + 1)};
    if (e.mark.is_null()) result.error.line = result.error.col = 0;
  } catch (const std::exception& e) {
    result.error = {std::string("cannot parse: ") + e.what(), 0, 0};
  }
  return result;
}

ParseResult ParseText(std::string_view text, std::string_view name, const Limits& limits) {
  return Parse(std::make_shared<SourceFile>(std::string(name), std::string(text)), limits);
}

}  // namespace flyte::yaml
