// Mutation fuzzing of the loader and compiler: every example and corpus file, damaged in many
// deterministic ways (seeded PRNG), must compile or fail with located diagnostics, never crash.
// Also run under ASan+UBSan (scripts/build.sh build-asan -DFLYTE_SANITIZE=ON).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "flyte/compiler.h"
#include "support/compile_helpers.h"

namespace flyte {
namespace {

namespace fs = std::filesystem;

// Mutants per seed file; FLYTE_FUZZ_MUTANTS raises it for a longer local run.
int MutantsPerFile() {
  const char* env = std::getenv("FLYTE_FUZZ_MUTANTS");
  return env != nullptr && std::atoi(env) > 0 ? std::atoi(env) : 400;
}

std::vector<fs::path> Seeds() {
  std::vector<fs::path> out;
  for (const char* dir :
       {FLYTE_SOURCE_DIR "/examples", FLYTE_SOURCE_DIR "/tests/corpus/malformed"}) {
    for (const auto& entry : fs::directory_iterator(dir)) {
      if (entry.path().extension() == ".yaml") out.push_back(entry.path());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string Slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// FNV-1a: a seed that depends only on the file's name, the same on every platform.
uint32_t SeedOf(const std::string& name) {
  uint32_t h = 2166136261u;
  for (char c : name) h = (h ^ static_cast<uint8_t>(c)) * 16777619u;
  return h;
}

std::vector<std::string> SplitLines(const std::string& text) {
  std::vector<std::string> lines;
  std::string cur;
  for (char c : text) {
    cur += c;
    if (c == '\n') lines.push_back(std::move(cur)), cur.clear();
  }
  if (!cur.empty()) lines.push_back(std::move(cur));
  return lines;
}

std::string JoinLines(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& l : lines) out += l;
  return out;
}

class Mutator {
 public:
  explicit Mutator(uint32_t seed) : rng_(seed) {}

  std::string Mutate(std::string text) {
    int rounds = 1 + static_cast<int>(Below(3));
    for (int i = 0; i < rounds; ++i) text = MutateOnce(std::move(text));
    return text;
  }

 private:
  size_t Below(size_t n) { return n == 0 ? 0 : rng_() % n; }
  size_t Pos(const std::string& t) { return Below(t.size() + 1); }

  std::string MutateOnce(std::string t) {
    // clang-format off
    static const char* const kTokens[] = {
        "{", "[", "}", "]", "{{", "}}", "\\{{", "*a", "&a ", "<<: ", "<<: *a", "\t", ": ",
        "- ", "\n", "'", "\"", "#", "? ", "!!int ", "!!str ", "!custom ", "---\n", "...\n", ",",
        "|", ">", "@", "%", "{{ inputs.", "{{ a.b }}", "{{ outputs.x }}", "inputs", "  ",
        "-1", "1e999", "0x", ".inf", "null", "~", "9999999999999999999999", "[[[[", "]]]]"};
    // clang-format on
    static const char* const kUtf8[] = {"\xc3\xa9", "\xe2\x82\xac", "\xf0\x9d\x84\x9e",
                                        "\xc2\xa0", "\xef\xbb\xbf", "\xe2\x80\xa8"};
    static const std::string_view kBad[] = {
        "\xff",    "\xc3", "\xed\xa0\x80", "\xc0\xaf", "\x80", "\xf4\x90\x80\x80",
        {"\0", 1}, "\x1b", "\r",           "\x7f"};
    switch (Below(12)) {
      case 0:  // flip a bit
        if (!t.empty()) t[Below(t.size())] ^= static_cast<char>(1u << Below(8));
        return t;
      case 1: {  // delete a few bytes
        size_t at = Pos(t);
        return t.erase(at, 1 + Below(8));
      }
      case 2: {  // duplicate a line
        std::vector<std::string> lines = SplitLines(t);
        if (lines.empty()) return t;
        size_t i = Below(lines.size());
        lines.insert(lines.begin() + static_cast<long>(i), lines[i]);
        return JoinLines(lines);
      }
      case 3: {  // swap two lines
        std::vector<std::string> lines = SplitLines(t);
        if (lines.size() < 2) return t;
        std::swap(lines[Below(lines.size())], lines[Below(lines.size())]);
        return JoinLines(lines);
      }
      case 4:
      case 5: {  // insert a YAML or template token
        size_t n = sizeof kTokens / sizeof kTokens[0];
        return t.insert(Pos(t), kTokens[Below(n)]);
      }
      case 6: {  // insert valid UTF-8 beyond ASCII
        return t.insert(Pos(t), kUtf8[Below(sizeof kUtf8 / sizeof kUtf8[0])]);
      }
      case 7: {  // insert bytes that are not UTF-8 text, or control characters
        return t.insert(Pos(t), std::string(kBad[Below(sizeof kBad / sizeof kBad[0])]));
      }
      case 8:  // truncate
        return t.substr(0, Pos(t));
      case 9: {  // indent or dedent a line by one space
        std::vector<std::string> lines = SplitLines(t);
        if (lines.empty()) return t;
        std::string& l = lines[Below(lines.size())];
        if (Below(2) == 0)
          l.insert(0, " ");
        else if (!l.empty() && l[0] == ' ')
          l.erase(0, 1);
        return JoinLines(lines);
      }
      case 10: {  // double a letter (a typo)
        if (t.empty()) return t;
        size_t at = Below(t.size());
        return t.insert(at, 1, t[at]);
      }
      default: {  // replace a byte with a random printable character
        if (!t.empty()) t[Below(t.size())] = static_cast<char>(' ' + Below(95));
        return t;
      }
    }
  }

  std::mt19937 rng_;
};

// Empty when `out` is consistent: diagnostics exactly when there is no file, each with a
// known code, a message, and a location inside the text (or none, for the whole file).
std::string Problems(const CompileOutput& out, const std::string& name, const std::string& text) {
  std::string problems;
  if (out.ok() != out.diagnostics.ok()) problems += "ok() disagrees with the diagnostics\n";
  SourceFile source(name, text);
  for (const Diagnostic& d : out.diagnostics.items()) {
    std::string what = d.Headline();
    if (std::string(ErrorCodeName(d.code)) == "Unknown") problems += "unknown code: " + what + "\n";
    if (d.message.empty()) problems += "empty message: " + what + "\n";
    if (d.file != name) problems += "wrong file: " + what + "\n";
    if (d.line == 0) {
      if (d.col != 0) problems += "column without a line: " + what + "\n";
      continue;
    }
    if (d.line > source.line_count()) {
      problems +=
          "line past the end (" + std::to_string(source.line_count()) + " lines): " + what + "\n";
    } else if (d.col < 1 || d.col > source.LineText(d.line).size() + 1) {
      problems += "column outside its line: " + what + "\n";
    }
    (void)d.Format();
  }
  if (out.ok()) {
    for (const CompiledWorkflow& wf : out.file->workflows) {
      if (!testing::IsTopologicalOrder(wf))
        problems += "bad topological order in " + wf.name + "\n";
    }
  }
  return problems;
}

std::string Escaped(const std::string& text) {
  std::string out;
  for (unsigned char c : text) {
    if (c == '\n') {
      out += "\\n\n";
    } else if (c < 0x20 || c >= 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

TEST_CASE("mutated workflow files compile or fail with located diagnostics, never crash",
          "[fuzz]") {
  std::vector<fs::path> seeds = Seeds();
  REQUIRE(seeds.size() > 35);
  size_t compiled = 0, failed = 0;
  std::vector<std::string> reports;
  for (const fs::path& path : seeds) {
    const std::string name = path.filename().string();
    const std::string original = Slurp(path);
    Mutator m(SeedOf(name));
    for (int i = 0, n = MutantsPerFile(); i < n; ++i) {
      std::string text = m.Mutate(original);
      CompileOutput out = CompileText(name, text);
      (out.ok() ? compiled : failed)++;
      std::string problems = Problems(out, name, text);
      if (!problems.empty() && reports.size() < 5) {
        reports.push_back(name + " mutant " + std::to_string(i) + ":\n" + problems +
                          "--- text ---\n" + Escaped(text.substr(0, 2000)));
      }
    }
  }
  for (const std::string& r : reports) FAIL_CHECK(r);
  CHECK(reports.empty());
  // The mutations exercise both outcomes.
  CHECK(compiled > 0);
  CHECK(failed > 0);
}

}  // namespace
}  // namespace flyte
