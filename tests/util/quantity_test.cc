#include "util/quantity.h"

#include <catch2/catch.hpp>

namespace flyte {
namespace {

TEST_CASE("ParseCpuMillis reads cores, fractions and millicores") {
  CHECK(ParseCpuMillis("2") == 2000);
  CHECK(ParseCpuMillis("500m") == 500);
  CHECK(ParseCpuMillis("0.5") == 500);
  CHECK(ParseCpuMillis(".25") == 250);
  CHECK(ParseCpuMillis("1.") == 1000);
  CHECK(ParseCpuMillis("0") == 0);
  CHECK(ParseCpuMillis("1e3") == 1'000'000);
  CHECK(ParseCpuMillis("1k") == 1'000'000);
}

TEST_CASE("ParseCpuMillis rounds a fraction of a millicore up, like Kubernetes") {
  CHECK(ParseCpuMillis("0.0001") == 1);
  CHECK(ParseCpuMillis("1.5m") == 2);
}

TEST_CASE("ParseBytes reads binary and decimal suffixes") {
  CHECK(ParseBytes("1000") == 1000);
  CHECK(ParseBytes("1Ki") == 1024);
  CHECK(ParseBytes("512Mi") == 512LL << 20);
  CHECK(ParseBytes("4Gi") == 4LL << 30);
  CHECK(ParseBytes("1Ti") == 1LL << 40);
  CHECK(ParseBytes("1Pi") == 1LL << 50);
  CHECK(ParseBytes("1Ei") == 1LL << 60);
  CHECK(ParseBytes("1k") == 1000);
  CHECK(ParseBytes("1M") == 1'000'000);
  CHECK(ParseBytes("1G") == 1'000'000'000);
  CHECK(ParseBytes("1.5G") == 1'500'000'000);
  CHECK(ParseBytes("2T") == 2'000'000'000'000);
  CHECK(ParseBytes("1P") == 1'000'000'000'000'000);
  CHECK(ParseBytes("1E") == 1'000'000'000'000'000'000);
  CHECK(ParseBytes("1.5Gi") == 1610612736);
}

TEST_CASE("ParseBytes reads decimal exponents") {
  CHECK(ParseBytes("1e9") == 1'000'000'000);
  CHECK(ParseBytes("1E3") == 1000);
  CHECK(ParseBytes("1e+3") == 1000);
  CHECK(ParseBytes("1000e-3") == 1);
  CHECK_FALSE(ParseBytes("1500e-3"));
  CHECK(ParseBytes("1.000000000000000000000000000k") == 1000);
}

TEST_CASE("ParseBytes rejects fractional bytes and the milli suffix") {
  CHECK_FALSE(ParseBytes("1.5"));
  CHECK_FALSE(ParseBytes("1e-3"));
  CHECK_FALSE(ParseBytes("500m"));
}

TEST_CASE("quantities reject negatives, garbage and unknown suffixes") {
  for (const char* bad : {"", "-1", "-500m", "+", "abc", "1.2.3", ".", "1Gb", "1K", "1KI", "1 Gi",
                          " 1", "1e", "1e+", "1ee3", "0x10", "1mi", "1Ki2", "1e1000"}) {
    INFO(bad);
    CHECK_FALSE(ParseBytes(bad));
    CHECK_FALSE(ParseCpuMillis(bad));
  }
}

TEST_CASE("quantities reject values beyond int64") {
  CHECK(ParseBytes("9223372036854775807") == INT64_MAX);
  CHECK_FALSE(ParseBytes("9223372036854775808"));
  CHECK_FALSE(ParseBytes("8Ei"));
  CHECK(ParseBytes("7Ei") == 7LL << 60);
  CHECK_FALSE(ParseBytes("10E"));
  CHECK_FALSE(ParseBytes("99999999999999999999999"));
  CHECK_FALSE(ParseCpuMillis("9223372036854775807"));
  CHECK(ParseCpuMillis("9223372036854775807m") == INT64_MAX);
}

}  // namespace
}  // namespace flyte
