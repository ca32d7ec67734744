// Inputs that are not workflow files at all: empty, binary, wrong encoding, too large, too
// deep, or expanding without bound. Each ends in one clear error, never a crash or a hang.
#include <catch2/catch.hpp>

#include <fstream>
#include <random>
#include <string>

#include "support/compile_helpers.h"
#include "support/process_helpers.h"

namespace flyte {
namespace {

using testing::Lines;

Lines ErrorsOf(const std::string& text) {
  CompileOutput out = CompileText("wf.yaml", text);
  CHECK(out.file == nullptr);
  Lines lines;
  for (const Diagnostic& d : out.diagnostics.Sorted()) lines.push_back(d.Headline());
  return lines;
}

TEST_CASE("loader reports an empty file as a whole") {
  CHECK(ErrorsOf("") == Lines{"wf.yaml: error[ValueRequired]: the file is empty; a workflow file "
                              "defines tasks:, workflows: and launch_plans:"});
}

TEST_CASE("loader treats a file of only comments and blank lines as empty") {
  CHECK(ErrorsOf("# nothing here yet\n\n   \n") ==
        Lines{"wf.yaml: error[ValueRequired]: the file is empty; a workflow file defines tasks:, "
              "workflows: and launch_plans:"});
}

TEST_CASE("loader rejects random binary data with one encoding error inside the file") {
  for (uint32_t seed : {1u, 2u, 3u, 42u, 2026u}) {
    INFO("seed " << seed);
    std::mt19937 rng(seed);
    std::string data(4096, '\0');
    for (char& c : data) c = static_cast<char>(rng() & 0xff);
    CompileOutput out = CompileText("blob.bin", data);
    REQUIRE(out.diagnostics.size() == 1);
    const Diagnostic& d = out.diagnostics.items()[0];
    CHECK(d.code == ErrorCode::kInvalidEncoding);
    CHECK(d.line >= 1);
    CHECK(d.line <= SourceFile("blob.bin", data).line_count());
    CHECK(d.col >= 1);
  }
}

TEST_CASE("loader names the first byte that is not UTF-8, where it is") {
  CHECK(ErrorsOf("tasks:\n  greet:\n    script: echo caf\xe9\n") ==
        Lines{"wf.yaml:3:21: error[InvalidEncoding]: the file is not valid UTF-8 (byte 0xe9); "
              "workflow files must be UTF-8 text"});
}

TEST_CASE("loader rejects overlong and surrogate UTF-8 sequences and a sequence cut short") {
  CHECK(ErrorsOf("tasks: \xc0\xaf\n") ==
        Lines{"wf.yaml:1:8: error[InvalidEncoding]: the file is not valid UTF-8 (byte 0xc0); "
              "workflow files must be UTF-8 text"});
  CHECK(ErrorsOf("tasks: \xed\xa0\x80\n") ==
        Lines{"wf.yaml:1:8: error[InvalidEncoding]: the file is not valid UTF-8 (byte 0xed); "
              "workflow files must be UTF-8 text"});
  CHECK(ErrorsOf("tasks: caf\xc3") ==
        Lines{"wf.yaml:1:11: error[InvalidEncoding]: the file is not valid UTF-8 (byte 0xc3); "
              "workflow files must be UTF-8 text"});
}

TEST_CASE("loader rejects control characters as a sign of a binary file") {
  using namespace std::string_literals;
  CHECK(ErrorsOf("tasks:\n  greet:\n    script: echo \0\n"s) ==
        Lines{"wf.yaml:3:18: error[InvalidEncoding]: the file contains a control character "
              "(0x00); is it a binary file?"});
}

TEST_CASE("loader accepts a UTF-8 byte order mark and non-ASCII text") {
  auto file = testing::Compiled("\xef\xbb\xbftasks:\n  greet:\n    script: echo caf\xc3\xa9\n");
  CHECK(file->tasks[0].spec->script->PlainText() == "echo caf\xc3\xa9");
}

TEST_CASE("loader refuses a 50 MB file by its size, before reading it") {
  testing::TempDir dir;
  const std::string path = dir / "huge.yaml";
  {
    std::ofstream out(path, std::ios::binary);
    std::string line = "# padding padding padding padding padding padding padding padding\n";
    for (size_t written = 0; written < (50u << 20); written += line.size()) out << line;
  }
  CompileOutput out = CompileFile(path);
  REQUIRE(out.diagnostics.size() == 1);
  CHECK(out.diagnostics.items()[0].Headline() ==
        path + ": error[FileTooLarge]: the file is 50 MiB; workflow files are limited to 16 MiB");
}

TEST_CASE("loader stops reading an endless stream at the size limit") {
  CompileOutput out = CompileFile("/dev/zero");
  REQUIRE(out.diagnostics.size() == 1);
  CHECK(out.diagnostics.items()[0].Headline() ==
        "/dev/zero: error[FileTooLarge]: the file is larger than 16 MiB, the limit for workflow "
        "files");
}

TEST_CASE("loader reports a file that does not exist or is a directory") {
  testing::TempDir dir;
  CompileOutput missing = CompileFile(dir / "missing.yaml");
  REQUIRE(missing.diagnostics.size() == 1);
  CHECK(missing.diagnostics.items()[0].Headline() ==
        dir / "missing.yaml" + ": error[IOError]: cannot read: No such file or directory");
  CompileOutput folder = CompileFile(dir.path());
  REQUIRE(folder.diagnostics.size() == 1);
  CHECK(folder.diagnostics.items()[0].Headline() ==
        dir.path() + ": error[IOError]: cannot read: it is a directory");
}

TEST_CASE("loader stops at 128 levels of 10,000 nested flow lists") {
  std::string text = "tasks: " + std::string(10000, '[') + std::string(10000, ']') + "\n";
  CHECK(ErrorsOf(text) ==
        Lines{"wf.yaml:1:135: error[SyntaxError]: invalid YAML: nesting is deeper than 128 "
              "levels"});
}

TEST_CASE("loader stops at 128 levels of 10,000 unclosed flow lists") {
  // Without the closing brackets yaml-cpp's mark lands inside the run of '[' before the limit.
  CHECK(ErrorsOf("tasks: " + std::string(10000, '[')) ==
        Lines{"wf.yaml:1:72: error[SyntaxError]: invalid YAML: nesting is deeper than 128 "
              "levels"});
}

TEST_CASE("loader stops at 128 levels of 10,000 nested flow mappings") {
  std::string text = "tasks: ";
  for (int i = 0; i < 10000; ++i) text += "{a: ";
  text += std::string(10000, '}') + "\n";
  CHECK(ErrorsOf(text) ==
        Lines{"wf.yaml:1:516: error[SyntaxError]: invalid YAML: nesting is deeper than 128 "
              "levels"});
}

TEST_CASE("loader stops at 128 levels of 10,000 nested block lists") {
  std::string text = "tasks:\n  ";
  for (int i = 0; i < 10000; ++i) text += "- ";
  text += "x\n";
  CHECK(ErrorsOf(text) ==
        Lines{"wf.yaml:2:257: error[SyntaxError]: invalid YAML: nesting is deeper than 128 "
              "levels"});
}

TEST_CASE("loader stops at 128 levels of nested block mappings") {
  std::string text = "tasks:\n";
  for (int i = 0; i < 300; ++i) text += std::string(i + 1, ' ') + "k" + std::to_string(i) + ":\n";
  CHECK(ErrorsOf(text) ==
        Lines{"wf.yaml:129:129: error[SyntaxError]: invalid YAML: nesting is deeper than 128 "
              "levels"});
}

TEST_CASE("loader stops an alias bomb before it expands") {
  std::string text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i < 10; ++i) {
    std::string prev = "*a" + std::to_string(i - 1);
    text += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
    for (int k = 0; k < 10; ++k) text += (k ? ", " : "") + prev;
    text += "]\n";
  }
  CHECK(ErrorsOf(text) ==
        Lines{"wf.yaml:6:5: error[SyntaxError]: invalid YAML: the document expands to more than "
              "2000000 nodes (aliases repeat their anchor's content)"});
}

TEST_CASE("loader rejects an alias inside the node it names") {
  CHECK(ErrorsOf("tasks: &t [*t]\n") ==
        Lines{"wf.yaml:1:12: error[SyntaxError]: invalid YAML: an alias refers to its own "
              "enclosing node"});
}

}  // namespace
}  // namespace flyte
