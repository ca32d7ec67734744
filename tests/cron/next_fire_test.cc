// Next fire times of cron expressions (on UTC and on zones with daylight saving) and of fixed
// rates. Every expectation is an exact UTC instant.
#include <catch2/catch.hpp>

#include <limits>
#include <string>

#include "cron/next_fire.h"
#include "spec/cron.h"
#include "util/timefmt.h"

namespace flyte::cron {
namespace {

int64_t At(const char* text) { return *ParseDatetime(text); }

TimeZone Zone(const char* name) {
  Result<TimeZone> zone = TimeZone::Load(name);
  REQUIRE(zone.ok());
  return *zone;
}

spec::CronSpec Cron(const char* text) {
  spec::CronParse parsed = spec::ParseCron(text);
  REQUIRE(parsed.ok());
  return parsed.spec;
}

// The next fire of `cron` after `after`, as RFC 3339 text ("none" for -1).
std::string Next(const char* cron, const char* after, const TimeZone& zone = TimeZone::Utc()) {
  int64_t fire = NextCronFire(Cron(cron), zone, At(after));
  return fire < 0 ? "none" : FormatDatetime(fire);
}

TEST_CASE("cron fires strictly after the given instant, on whole minutes", "[cron]") {
  CHECK(Next("*/15 * * * *", "2026-01-01T00:07:30Z") == "2026-01-01T00:15:00Z");
  CHECK(Next("*/15 * * * *", "2026-01-01T00:15:00Z") == "2026-01-01T00:30:00Z");
  CHECK(Next("* * * * *", "2026-01-01T00:00:00.5Z") == "2026-01-01T00:01:00Z");
  CHECK(Next("* * * * *", "2026-12-31T23:59:59Z") == "2027-01-01T00:00:00Z");
  CHECK(Next("0 2 * * *", "2026-01-01T01:59:59.999Z") == "2026-01-01T02:00:00Z");
}

TEST_CASE("cron reads lists, ranges, steps and names", "[cron]") {
  CHECK(Next("5,35 9,17 * * *", "2026-01-01T09:10:00Z") == "2026-01-01T09:35:00Z");
  CHECK(Next("5,35 9,17 * * *", "2026-01-01T09:35:00Z") == "2026-01-01T17:05:00Z");
  CHECK(Next("5,35 9,17 * * *", "2026-01-01T17:35:00Z") == "2026-01-02T09:05:00Z");
  CHECK(Next("0 9-17/4 * * *", "2026-01-01T13:00:00Z") == "2026-01-01T17:00:00Z");
  CHECK(Next("0 9-17/4 * * *", "2026-01-01T17:00:00Z") == "2026-01-02T09:00:00Z");
  CHECK(Next("10/20 * * * *", "2026-01-01T00:31:00Z") == "2026-01-01T00:50:00Z");
  // 2026-01-30 is a Friday; the next weekday in January or July after it is July 1st.
  CHECK(Next("0 12 * JAN,JUL MON-FRI", "2026-01-30T13:00:00Z") == "2026-07-01T12:00:00Z");
  CHECK(Next("0 12 * jan,jul mon-fri", "2026-01-29T13:00:00Z") == "2026-01-30T12:00:00Z");
  CHECK(Next("0 0 * * 7", "2026-03-10T00:00:00Z") == "2026-03-15T00:00:00Z");
  CHECK(Next("0 0 1 */3 *", "2026-01-01T00:00:00Z") == "2026-04-01T00:00:00Z");
}

TEST_CASE("cron descriptors fire at the start of their period", "[cron]") {
  CHECK(Next("@hourly", "2026-03-11T05:00:00Z") == "2026-03-11T06:00:00Z");
  CHECK(Next("@daily", "2026-03-11T05:00:00Z") == "2026-03-12T00:00:00Z");
  CHECK(Next("@midnight", "2026-03-11T00:00:00Z") == "2026-03-12T00:00:00Z");
  CHECK(Next("@weekly", "2026-03-11T05:00:00Z") == "2026-03-15T00:00:00Z");
  CHECK(Next("@monthly", "2026-03-11T05:00:00Z") == "2026-04-01T00:00:00Z");
  CHECK(Next("@yearly", "2026-03-11T05:00:00Z") == "2027-01-01T00:00:00Z");
  CHECK(Next("@annually", "2026-12-31T23:59:00Z") == "2027-01-01T00:00:00Z");
}

TEST_CASE("restricted day of month and day of week match either, per POSIX", "[cron]") {
  // The 13th or any Friday: 2026-04-03 and 04-10 are Fridays, 04-13 a Monday.
  CHECK(Next("0 0 13 * FRI", "2026-04-01T00:00:00Z") == "2026-04-03T00:00:00Z");
  CHECK(Next("0 0 13 * FRI", "2026-04-10T00:00:00Z") == "2026-04-13T00:00:00Z");
  CHECK(Next("0 0 13 * FRI", "2026-04-13T00:00:00Z") == "2026-04-17T00:00:00Z");
  // A field starting with '*' is not restricted, so both must match: odd days that are Mondays
  // (the Mondays of March 2026 are the 2nd, 9th, 16th, 23rd and 30th).
  CHECK(Next("0 0 */2 * MON", "2026-03-01T00:00:00Z") == "2026-03-09T00:00:00Z");
  CHECK(Next("0 0 */2 * MON", "2026-03-09T00:00:00Z") == "2026-03-23T00:00:00Z");
  CHECK(Next("0 0 15 * *", "2026-03-15T00:00:00Z") == "2026-04-15T00:00:00Z");
}

TEST_CASE("cron skips months too short for the day", "[cron]") {
  CHECK(Next("0 0 31 * *", "2026-01-31T00:00:00Z") == "2026-03-31T00:00:00Z");
  CHECK(Next("0 0 29 2 *", "2026-01-01T00:00:00Z") == "2028-02-29T00:00:00Z");
}

TEST_CASE("a cron expression that never matches gives up after the horizon", "[cron]") {
  CHECK(Next("0 0 30 2 *", "2026-01-01T00:00:00Z") == "none");
  CHECK(Next("* * 31 4,6,9,11 *", "2026-01-01T00:00:00Z") == "none");
  // Within the horizon a rare match is still found: the next February 29th, four years on.
  CHECK(Next("0 0 29 2 *", "2028-02-29T00:00:00Z") == "2032-02-29T00:00:00Z");
}

TEST_CASE("a daily Paris fire inside the spring gap runs once at the end of the gap", "[cron]") {
  TimeZone paris = Zone("Europe/Paris");
  // 02:30 local does not exist on 2026-03-29 (02:00 CET becomes 03:00 CEST at 01:00 UTC).
  CHECK(Next("30 2 * * *", "2026-03-28T01:30:00Z", paris) == "2026-03-29T01:00:00Z");
  CHECK(Next("30 2 * * *", "2026-03-29T01:00:00Z", paris) == "2026-03-30T00:30:00Z");
  // Every half hour: 02:00, 02:30 and 03:00 all fall on the one instant 03:00 CEST.
  CHECK(Next("*/30 * * * *", "2026-03-29T00:30:00Z", paris) == "2026-03-29T01:00:00Z");
  CHECK(Next("*/30 * * * *", "2026-03-29T01:00:00Z", paris) == "2026-03-29T01:30:00Z");
}

TEST_CASE("a daily Paris fire in the repeated autumn hour runs once, the first time", "[cron]") {
  TimeZone paris = Zone("Europe/Paris");
  // 02:30 local happens at 00:30 UTC (CEST) and again at 01:30 UTC (CET) on 2026-10-25.
  CHECK(Next("30 2 * * *", "2026-10-24T00:30:00Z", paris) == "2026-10-25T00:30:00Z");
  CHECK(Next("30 2 * * *", "2026-10-25T00:30:00Z", paris) == "2026-10-26T01:30:00Z");
  CHECK(Next("*/30 * * * *", "2026-10-25T00:30:00Z", paris) == "2026-10-25T02:00:00Z");
  CHECK(Next("*/30 * * * *", "2026-10-25T01:10:00Z", paris) == "2026-10-25T02:00:00Z");
  CHECK(Next("0 3 * * *", "2026-10-24T12:00:00Z", paris) == "2026-10-25T02:00:00Z");
}

TEST_CASE("New York fires follow both 2026 transitions", "[cron]") {
  TimeZone ny = Zone("America/New_York");
  // 2026-03-08: 02:00 EST becomes 03:00 EDT at 07:00 UTC.
  CHECK(Next("0 2 * * *", "2026-03-07T12:00:00Z", ny) == "2026-03-08T07:00:00Z");
  CHECK(Next("0 3 * * *", "2026-03-07T12:00:00Z", ny) == "2026-03-08T07:00:00Z");
  CHECK(Next("0 2 * * *", "2026-03-08T07:00:00Z", ny) == "2026-03-09T06:00:00Z");
  CHECK(Next("0 12 * * *", "2026-03-07T17:00:00Z", ny) == "2026-03-08T16:00:00Z");
  // 2026-11-01: 02:00 EDT becomes 01:00 EST at 06:00 UTC; 01:30 fires at its EDT occurrence.
  CHECK(Next("30 1 * * *", "2026-10-31T05:30:00Z", ny) == "2026-11-01T05:30:00Z");
  CHECK(Next("30 1 * * *", "2026-11-01T05:30:00Z", ny) == "2026-11-02T06:30:00Z");
  CHECK(Next("*/15 * * * *", "2026-11-01T05:45:00Z", ny) == "2026-11-01T07:00:00Z");
  CHECK(Next("*/15 * * * *", "2026-11-01T06:10:00Z", ny) == "2026-11-01T07:00:00Z");
  CHECK(Next("0 12 * * *", "2026-11-01T00:00:00Z", ny) == "2026-11-01T17:00:00Z");
}

TEST_CASE("a cron on UTC ignores the daylight saving of other zones", "[cron]") {
  CHECK(Next("30 2 * * *", "2026-03-28T02:30:00Z") == "2026-03-29T02:30:00Z");
  CHECK(Next("30 2 * * *", "2026-10-25T02:30:00Z") == "2026-10-26T02:30:00Z");
}

TEST_CASE("a fixed rate fires at the anchor plus whole intervals, strictly after", "[cron]") {
  constexpr int64_t kMinute = 60'000'000'000;
  int64_t anchor = At("2026-03-01T00:00:00Z");
  CHECK(NextRateFire(anchor, 10 * kMinute, anchor) == anchor + 10 * kMinute);
  CHECK(NextRateFire(anchor, 10 * kMinute, anchor + 1) == anchor + 10 * kMinute);
  CHECK(NextRateFire(anchor, 10 * kMinute, anchor + 10 * kMinute) == anchor + 20 * kMinute);
  CHECK(NextRateFire(anchor, 10 * kMinute, anchor + 25 * kMinute) == anchor + 30 * kMinute);
  CHECK(NextRateFire(anchor, 10 * kMinute, anchor - 1) == anchor);
  CHECK(NextRateFire(-15, 10, -15) == -5);
  CHECK(NextRateFire(0, 3, 7) == 9);
  int64_t max = std::numeric_limits<int64_t>::max();
  CHECK(NextRateFire(0, max / 2, max - 1) == -1);
}

}  // namespace
}  // namespace flyte::cron
