// The fuzz targets' entry points and their invariant check. Each target takes one input of
// arbitrary bytes; libFuzzer calls it in the fuzz build (scripts/fuzz.sh), and
// tests/fuzz/replay_test.cc replays the checked-in corpus and regressions through it in the
// normal and sanitizer builds. A target returns 0; a broken invariant goes through FUZZ_CHECK.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace flyte::fuzz {

int FuzzLoader(const uint8_t* data, size_t size);  // workflow YAML: load and compile
int FuzzType(const uint8_t* data, size_t size);    // a type spelling, then a value of that type
int FuzzCodec(const uint8_t* data,
              size_t size);  // an API request body, first byte picks the parser
int FuzzFilter(const uint8_t* data, size_t size);    // list parameters, one per line
int FuzzCron(const uint8_t* data, size_t size);      // cron, zone, time, duration, one per line
int FuzzKubeJson(const uint8_t* data, size_t size);  // a Pod, watch event or list as JSON text

// Under libFuzzer: prints `what` and aborts, so the input is saved as a crash. Elsewhere: throws
// std::logic_error, so the replay test names the file and carries on.
[[noreturn]] void Fail(const char* file, int line, const std::string& what);

}  // namespace flyte::fuzz

#define FUZZ_CHECK(cond, what)                                                                \
  do {                                                                                        \
    if (!(cond)) ::flyte::fuzz::Fail(__FILE__, __LINE__, std::string(#cond) + ": " + (what)); \
  } while (0)
