// Replays the fuzz corpus and the regression inputs (tests/fuzz/corpus/TARGET,
// tests/fuzz/regressions/TARGET) through the fuzz targets' entry points, without libFuzzer: so
// every input that once crashed stays fixed in the normal and the sanitizer builds.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "fuzz/fuzz_check.h"

namespace flyte::fuzz {
namespace {

namespace fs = std::filesystem;

using Target = int (*)(const uint8_t*, size_t);

// Every file of the target's corpus and regressions, sorted.
std::vector<fs::path> Inputs(const char* target) {
  std::vector<fs::path> out;
  for (const char* kind : {"corpus", "regressions"}) {
    fs::path dir = fs::path(FLYTE_SOURCE_DIR "/tests/fuzz") / kind / target;
    if (!fs::is_directory(dir)) continue;
    for (const auto& entry : fs::directory_iterator(dir)) {
      if (entry.is_regular_file() && entry.path().filename().string()[0] != '.')
        out.push_back(entry.path());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

size_t Replay(const char* target, Target run) {
  std::vector<fs::path> inputs = Inputs(target);
  for (const fs::path& p : inputs) {
    std::ifstream in(p, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    INFO(p.string());
    CHECK_NOTHROW(run(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
  }
  return inputs.size();
}

TEST_CASE("fuzz corpus and regressions of the workflow loader replay cleanly") {
  CHECK(Replay("loader", FuzzLoader) > 0);
}

TEST_CASE("fuzz corpus and regressions of the type parser replay cleanly") {
  CHECK(Replay("type", FuzzType) > 0);
}

TEST_CASE("fuzz corpus and regressions of the JSON codec replay cleanly") {
  CHECK(Replay("codec", FuzzCodec) > 0);
}

TEST_CASE("fuzz corpus and regressions of the list filters replay cleanly") {
  CHECK(Replay("filter", FuzzFilter) > 0);
}

TEST_CASE("fuzz corpus and regressions of cron and time parsing replay cleanly") {
  CHECK(Replay("cron", FuzzCron) > 0);
}

TEST_CASE("fuzz corpus and regressions of the Kubernetes JSON scanner replay cleanly") {
  CHECK(Replay("kubejson", FuzzKubeJson) > 0);
}

}  // namespace
}  // namespace flyte::fuzz
