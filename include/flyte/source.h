// A workflow file's text and the locations that point into it.
// SourceFile is immutable after construction and shared (shared_ptr) by everything that keeps
// locations into it; a SourceLoc borrows the file it points into and must not outlive it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace flyte {

class SourceFile {
 public:
  SourceFile(std::string path, std::string text);

  const std::string& path() const { return path_; }
  const std::string& text() const { return text_; }
  // The text of 1-based line `line` without its newline; empty when out of range.
  std::string_view LineText(uint32_t line) const;
  uint32_t line_count() const { return static_cast<uint32_t>(line_starts_.size()); }

 private:
  std::string path_;
  std::string text_;
  std::vector<uint32_t> line_starts_;
};

// 1-based line and column (columns count bytes). line == 0 means "the file as a whole".
struct SourceLoc {
  const SourceFile* file = nullptr;
  uint32_t line = 0;
  uint32_t col = 0;

  bool known() const { return file != nullptr && line > 0; }
  // The same file, `offset` bytes further right on the same line.
  SourceLoc Shifted(uint32_t offset) const { return {file, line, col + offset}; }
};

}  // namespace flyte
