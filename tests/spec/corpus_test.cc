// The malformed-file corpus: tests/corpus/malformed/NN-name.yaml, each one realistic mistake.
// Its first line says what `flyte validate` must report, and nothing else:
//   # expect: LINE:COL: error[CODE]: message      (or -:-: for an error about the whole file)
#include <catch2/catch.hpp>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "flyte/compiler.h"

namespace flyte {
namespace {

namespace fs = std::filesystem;

std::vector<fs::path> CorpusFiles() {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(FLYTE_SOURCE_DIR "/tests/corpus/malformed")) {
    if (entry.path().extension() == ".yaml") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string FirstLine(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::string line;
  std::getline(in, line);
  return line;
}

// "LINE:COL: error[CODE]: message" as the corpus spells it.
std::string Spelled(const Diagnostic& d) {
  std::string where = d.line == 0 ? "-:-" : std::to_string(d.line) + ":" + std::to_string(d.col);
  return where + ": error[" + ErrorCodeName(d.code) + "]: " + d.message;
}

// NN-short-name.yaml: two digits, then lowercase words joined by single dashes.
bool IsCorpusName(const std::string& name) {
  const std::string ext = ".yaml";
  if (name.size() < 4 + ext.size() ||
      name.compare(name.size() - ext.size(), ext.size(), ext) != 0) {
    return false;
  }
  std::string stem = name.substr(0, name.size() - ext.size());
  if (!std::isdigit(static_cast<unsigned char>(stem[0])) ||
      !std::isdigit(static_cast<unsigned char>(stem[1])) || stem[2] != '-') {
    return false;
  }
  std::string words = stem.substr(3);
  if (words.empty() || words.front() == '-' || words.back() == '-' ||
      words.find("--") != std::string::npos) {
    return false;
  }
  return std::all_of(words.begin(), words.end(), [](char c) {
    return std::islower(static_cast<unsigned char>(c)) ||
           std::isdigit(static_cast<unsigned char>(c)) || c == '-';
  });
}

TEST_CASE("the corpus holds at least 35 distinct mistakes, each named NN-short-name.yaml") {
  std::vector<fs::path> files = CorpusFiles();
  CHECK(files.size() >= 35);
  std::vector<std::string> numbers;
  for (const fs::path& p : files) {
    INFO(p.filename().string());
    CHECK(IsCorpusName(p.filename().string()));
    numbers.push_back(p.filename().string().substr(0, 2));
  }
  CHECK(std::adjacent_find(numbers.begin(), numbers.end()) == numbers.end());
}

TEST_CASE("each corpus file yields exactly the one diagnostic its first line expects") {
  const std::string prefix = "# expect: ";
  for (const fs::path& path : CorpusFiles()) {
    DYNAMIC_SECTION(path.filename().string()) {
      std::string first = FirstLine(path);
      REQUIRE(first.rfind(prefix, 0) == 0);
      CompileOutput out = CompileFile(path.string());
      CHECK_FALSE(out.ok());
      std::vector<Diagnostic> diags = out.diagnostics.Sorted();
      std::vector<std::string> got;
      for (const Diagnostic& d : diags) got.push_back(Spelled(d));
      CHECK(got == std::vector<std::string>{first.substr(prefix.size())});
      for (const Diagnostic& d : diags) CHECK(d.file == path.string());
    }
  }
}

}  // namespace
}  // namespace flyte
