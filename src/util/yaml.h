// A located YAML document tree, built from yaml-cpp's event parser.
// Unlike yaml-cpp's own Node, it keeps every mapping entry (so duplicate keys can be reported
// with both locations), records each node's line/column and scalar style, bounds nesting depth
// and alias expansion, and never throws. yaml-cpp is included by yaml.cc only.
// A Document owns its nodes; Node pointers stay valid as long as the Document lives.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "flyte/source.h"

namespace flyte::yaml {

enum class NodeKind : uint8_t { kNull, kScalar, kSeq, kMap };

// How a plain scalar resolves under the YAML 1.2 core schema (also JSON's).
enum class ScalarKind : uint8_t { kNull, kBool, kInt, kFloat, kStr };

struct Node {
  NodeKind kind = NodeKind::kNull;
  // Scalars: true when written without quotes or block indicators, so `5` is an int and
  // `"5"` a string. Explicit tags (!!str, !!int...) set `forced` instead.
  bool plain = false;
  std::optional<ScalarKind> forced;
  uint32_t line = 0;                                         // 1-based
  uint32_t col = 0;                                          // 1-based
  std::string text;                                          // scalar text
  std::vector<const Node*> items;                            // kSeq
  std::vector<std::pair<const Node*, const Node*>> entries;  // kMap: key (a scalar), value

  SourceLoc loc(const SourceFile* file) const { return {file, line, col}; }
  bool is_map() const { return kind == NodeKind::kMap; }
  bool is_seq() const { return kind == NodeKind::kSeq; }
  bool is_scalar() const { return kind == NodeKind::kScalar; }
  bool is_null() const { return kind == NodeKind::kNull; }
  // The first entry with this key, or null.
  const Node* Get(std::string_view key) const;
  // kNull for null nodes; the core-schema resolution for plain scalars; kStr otherwise.
  ScalarKind Resolve() const;
  // "a mapping", "a list", "null", "an int 5", "a string \"x\"": for error messages.
  std::string Describe() const;
};

// A canonical text of a subtree (JSON with sorted keys, scalars tagged by how they resolve):
// equal for documents that differ only in layout, comments, quoting style or key order.
std::string Canonical(const Node& node);

// Core-schema parsers for scalar text, shared with the CLI's --input parsing.
std::optional<int64_t> ParseInt(std::string_view text);   // 42, -7, 0x1f, 0o17
std::optional<double> ParseFloat(std::string_view text);  // 0.5, 1e3, .inf, -.inf, .nan
std::optional<bool> ParseBool(std::string_view text);     // true/True/TRUE, false/...
bool IsNullText(std::string_view text);                   // "", ~, null, Null, NULL

struct Limits {
  uint32_t max_depth = 128;        // nested collections
  uint64_t max_nodes = 2'000'000;  // after alias expansion
};

class Document {
 public:
  const Node* root() const { return root_; }
  const SourceFile* source() const { return source_.get(); }
  std::shared_ptr<const SourceFile> source_ptr() const { return source_; }

 private:
  friend class DocumentBuilder;
  std::shared_ptr<const SourceFile> source_;
  std::deque<Node> arena_;
  const Node* root_ = nullptr;
};

struct ParseError {
  std::string message;
  uint32_t line = 0;
  uint32_t col = 0;
};

struct ParseResult {
  std::unique_ptr<Document> doc;  // null on error
  ParseError error;
};

// Parses exactly one document. An empty file (or one holding only comments) is a document
// whose root is null. Several documents, tags other than the core ones, complex keys, excess
// depth or alias expansion are errors.
ParseResult Parse(std::shared_ptr<const SourceFile> source, const Limits& limits = {});

// Parses `text` as a standalone YAML/JSON value (for --input and outputs.json).
ParseResult ParseText(std::string_view text, std::string_view name = "<text>",
                      const Limits& limits = {});

}  // namespace flyte::yaml
