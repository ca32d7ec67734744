#include "util/timefmt.h"

#include <catch2/catch.hpp>
#include <limits>
#include <random>

namespace flyte {
namespace {

constexpr int64_t kSecond = 1'000'000'000;

TEST_CASE("ParseDatetime reads RFC 3339 instants in UTC") {
  CHECK(ParseDatetime("1970-01-01T00:00:00Z") == 0);
  CHECK(ParseDatetime("2026-11-22T10:00:00Z") == 1795341600 * kSecond);
  CHECK(ParseDatetime("2026-11-22t10:00:00z") == 1795341600 * kSecond);
  CHECK(ParseDatetime("2000-02-29T12:34:56Z") == 951827696 * kSecond);
}

TEST_CASE("ParseDatetime treats a missing offset as UTC and a bare date as midnight") {
  CHECK(ParseDatetime("2026-11-22 10:00:00") == 1795341600 * kSecond);
  CHECK(ParseDatetime("2026-11-22T10:00:00") == 1795341600 * kSecond);
  CHECK(ParseDatetime("2026-11-22") == 1795305600 * kSecond);
}

TEST_CASE("ParseDatetime applies offsets written with or without a colon") {
  int64_t utc = 1795341600 * kSecond;
  CHECK(ParseDatetime("2026-11-22T12:00:00+02:00") == utc);
  CHECK(ParseDatetime("2026-11-22T12:00:00+0200") == utc);
  CHECK(ParseDatetime("2026-11-22T04:30:00-05:30") == utc);
  CHECK(ParseDatetime("2026-11-22T10:00:00-00:00") == utc);
}

TEST_CASE("ParseDatetime reads fractions down to the nanosecond") {
  int64_t base = 1795341600 * kSecond;
  CHECK(ParseDatetime("2026-11-22T10:00:00.5Z") == base + 500'000'000);
  CHECK(ParseDatetime("2026-11-22T10:00:00.000000001Z") == base + 1);
  CHECK(ParseDatetime("2026-11-22T10:00:00.123456789+00:00") == base + 123456789);
  CHECK_FALSE(ParseDatetime("2026-11-22T10:00:00.1234567891Z"));
  CHECK_FALSE(ParseDatetime("2026-11-22T10:00:00.Z"));
}

TEST_CASE("ParseDatetime handles instants before the epoch") {
  CHECK(ParseDatetime("1969-12-31T23:59:59Z") == -kSecond);
  CHECK(ParseDatetime("1969-12-31T23:59:59.5Z") == -kSecond / 2);
}

TEST_CASE("ParseDatetime accepts the years that fit in int64 nanoseconds") {
  CHECK(ParseDatetime("1678-01-01T00:00:00Z"));
  CHECK(ParseDatetime("2261-12-31T23:59:59.999999999Z"));
  CHECK_FALSE(ParseDatetime("1677-12-31T23:59:59Z"));
  CHECK_FALSE(ParseDatetime("2262-01-01T00:00:00Z"));
}

TEST_CASE("ParseDatetime rejects impossible dates and malformed text") {
  for (const char* bad : {"",
                          "2026",
                          "2026-11",
                          "2026-13-01",
                          "2026-00-10",
                          "2026-11-31",
                          "2026-02-29",
                          "1900-02-29",
                          "2026-11-22T24:00:00Z",
                          "2026-11-22T10:60:00Z",
                          "2026-11-22T10:00:60Z",
                          "2026-11-22T10:00Z",
                          "2026-11-22T10:00:00+25:00",
                          "2026-11-22T10:00:00+02",
                          "2026-11-22T10:00:00 Z",
                          "26-11-22",
                          "2026/11/22",
                          "2026-11-22T",
                          "2026-11-22Z",
                          "2026-11-22T10:00:00Zx",
                          " 2026-11-22",
                          "2026-1-22"}) {
    INFO(bad);
    CHECK_FALSE(ParseDatetime(bad));
  }
  CHECK(ParseDatetime("2024-02-29"));
  CHECK(ParseDatetime("2000-02-29"));
}

TEST_CASE("FormatDatetime writes RFC 3339 UTC with the fraction trimmed") {
  CHECK(FormatDatetime(0) == "1970-01-01T00:00:00Z");
  CHECK(FormatDatetime(1795341600 * kSecond) == "2026-11-22T10:00:00Z");
  CHECK(FormatDatetime(1795341600 * kSecond + 500'000'000) == "2026-11-22T10:00:00.5Z");
  CHECK(FormatDatetime(1795341600 * kSecond + 1) == "2026-11-22T10:00:00.000000001Z");
  CHECK(FormatDatetime(-1) == "1969-12-31T23:59:59.999999999Z");
  CHECK(FormatDatetime(std::numeric_limits<int64_t>::max()) == "2262-04-11T23:47:16.854775807Z");
  CHECK(FormatDatetime(std::numeric_limits<int64_t>::min()) == "1677-09-21T00:12:43.145224192Z");
}

TEST_CASE("datetimes round-trip through FormatDatetime and ParseDatetime") {
  std::mt19937_64 rng(42);
  int64_t lo = *ParseDatetime("1678-01-01");
  int64_t hi = *ParseDatetime("2261-12-31T23:59:59.999999999Z");
  std::uniform_int_distribution<int64_t> dist(lo, hi);
  for (int i = 0; i < 20000; ++i) {
    int64_t t = dist(rng);
    if (i % 3 == 0) t -= t % kSecond;  // whole seconds exercise the no-fraction path
    std::string text = FormatDatetime(t);
    INFO(text);
    REQUIRE(ParseDatetime(text) == t);
  }
}

TEST_CASE("ParseDuration reads each unit") {
  CHECK(ParseDuration("5ns") == 5);
  CHECK(ParseDuration("10us") == 10'000);
  CHECK(ParseDuration("10\xC2\xB5s") == 10'000);  // micro sign
  CHECK(ParseDuration("10\xCE\xBCs") == 10'000);  // Greek mu
  CHECK(ParseDuration("250ms") == 250'000'000);
  CHECK(ParseDuration("90s") == 90 * kSecond);
  CHECK(ParseDuration("2m") == 120 * kSecond);
  CHECK(ParseDuration("3h") == 3 * 3600 * kSecond);
  CHECK(ParseDuration("7d") == 7 * 86400 * kSecond);
  CHECK(ParseDuration("0s") == 0);
}

TEST_CASE("ParseDuration sums sequences and reads fractions and signs") {
  CHECK(ParseDuration("1h30m") == 5400 * kSecond);
  CHECK(ParseDuration("1m30s") == 90 * kSecond);
  CHECK(ParseDuration("1d2h3m4s5ms6us7ns") ==
        ((((1 * 24 + 2) * 60 + 3) * 60 + 4) * kSecond) + 5'006'007);
  CHECK(ParseDuration("1.5s") == 1'500'000'000);
  CHECK(ParseDuration(".5s") == 500'000'000);
  CHECK(ParseDuration("1.5h") == 5400 * kSecond);
  CHECK(ParseDuration("-1.5s") == -1'500'000'000);
  CHECK(ParseDuration("-0s") == 0);
}

TEST_CASE("ParseDuration drops digits finer than a nanosecond, as Go does") {
  CHECK(ParseDuration("1.9ns") == 1);
  CHECK(ParseDuration("0.0000000019s") == 1);
}

TEST_CASE("ParseDuration rejects bare numbers, unknown units and malformed text") {
  for (const char* bad : {"", "-", "5", "0", "5x", "1.2.3s", "s", ".s", "1 s", " 1s", "1s ", "+1s",
                          "--1s", "1S", "1sec", "1h-30m", "5M", "1e3s"}) {
    INFO(bad);
    CHECK_FALSE(ParseDuration(bad));
  }
}

TEST_CASE("ParseDuration rejects values beyond int64 nanoseconds") {
  CHECK(ParseDuration("9223372036854775807ns") == std::numeric_limits<int64_t>::max());
  CHECK(ParseDuration("-9223372036854775808ns") == std::numeric_limits<int64_t>::min());
  CHECK_FALSE(ParseDuration("9223372036854775808ns"));
  CHECK_FALSE(ParseDuration("106752d"));
  CHECK(ParseDuration("106751d"));
  CHECK_FALSE(ParseDuration("106751d106751d"));
  CHECK_FALSE(ParseDuration("99999999999999999999999s"));
}

TEST_CASE("FormatDuration writes the largest units first") {
  CHECK(FormatDuration(0) == "0s");
  CHECK(FormatDuration(7 * 86400 * kSecond) == "7d");
  CHECK(FormatDuration(5400 * kSecond) == "1h30m");
  CHECK(FormatDuration(90 * kSecond) == "1m30s");
  CHECK(FormatDuration(1'500'000'000) == "1.5s");
  CHECK(FormatDuration(250'000'000) == "250ms");
  CHECK(FormatDuration(1'500'000) == "1.5ms");
  CHECK(FormatDuration(10'000) == "10us");
  CHECK(FormatDuration(5) == "5ns");
  CHECK(FormatDuration(-1'500'000'000) == "-1.5s");
  CHECK(FormatDuration(86400 * kSecond + 1) == "1d0.000000001s");
  CHECK(FormatDuration(60 * kSecond + 250'000'000) == "1m0.25s");
  CHECK(FormatDuration(3600 * kSecond + 5 * kSecond) == "1h5s");
}

TEST_CASE("durations round-trip through FormatDuration and ParseDuration") {
  std::mt19937_64 rng(7);
  std::vector<int64_t> values = {0,
                                 1,
                                 -1,
                                 999,
                                 1000,
                                 999'999,
                                 1'000'000,
                                 kSecond - 1,
                                 kSecond,
                                 std::numeric_limits<int64_t>::max(),
                                 std::numeric_limits<int64_t>::min()};
  std::uniform_int_distribution<int64_t> any;
  for (int i = 0; i < 20000; ++i) {
    int64_t v = any(rng);
    // Shift into every magnitude, so each unit and each fraction length shows up.
    v >>= static_cast<int>(rng() % 63);
    values.push_back(v);
    values.push_back(v - v % 1000);
    values.push_back(v - v % kSecond);
  }
  for (int64_t v : values) {
    std::string text = FormatDuration(v);
    INFO(text);
    REQUIRE(ParseDuration(text) == v);
  }
}

TEST_CASE("FormatDurationProto writes seconds with 0, 3, 6 or 9 fractional digits") {
  CHECK(FormatDurationProto(0) == "0s");
  CHECK(FormatDurationProto(5400 * kSecond) == "5400s");
  CHECK(FormatDurationProto(250'000'000) == "0.250s");
  CHECK(FormatDurationProto(-1'500'000'000) == "-1.500s");
  CHECK(FormatDurationProto(1'000'001'000) == "1.000001s");
  CHECK(FormatDurationProto(1) == "0.000000001s");
  CHECK(FormatDurationProto(-1) == "-0.000000001s");
  CHECK(FormatDurationProto(std::numeric_limits<int64_t>::min()) == "-9223372036.854775808s");
}

}  // namespace
}  // namespace flyte
