// Time zones: TZif files (the system's and hand-built ones), POSIX TZ rules, and the mapping of
// wall times across daylight-saving changes.
#include <catch2/catch.hpp>

#include <string>
#include <utility>
#include <vector>

#include "support/process_helpers.h"
#include "util/timefmt.h"
#include "util/tz.h"

namespace flyte {
namespace {

// Seconds since the epoch of an RFC 3339 text.
int64_t At(const char* text) { return *ParseDatetime(text) / 1'000'000'000; }

TimeZone Zone(const char* name) {
  Result<TimeZone> zone = TimeZone::Load(name);
  REQUIRE(zone.ok());
  return *zone;
}

TimeZone Posix(const char* rule) {
  Result<TimeZone> zone = TimeZone::FromPosix("test", rule);
  REQUIRE(zone.ok());
  return *zone;
}

CivilTime Wall(int64_t y, int mo, int d, int h, int mi, int s = 0) { return {y, mo, d, h, mi, s}; }

void Put(std::string& out, uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out += static_cast<char>((v >> (8 * i)) & 0xff);
}

// A TZif file: version 0 (v1 only) or '2'; transitions as (time, type); types as offsets. The
// 32-bit section holds the times cut to 32 bits, so only a v2 reader gets times past 2038 right.
std::string Tzif(char version, const std::vector<std::pair<int64_t, uint8_t>>& transitions,
                 const std::vector<int32_t>& offsets, const std::string& footer = "") {
  auto section = [&](int time_size) {
    std::string out = "TZif";
    out += version;
    out += std::string(15, '\0');
    for (size_t count :
         {size_t{0}, size_t{0}, size_t{0}, transitions.size(), offsets.size(), size_t{4}}) {
      Put(out, count, 4);
    }
    for (const auto& t : transitions) Put(out, static_cast<uint64_t>(t.first), time_size);
    for (const auto& t : transitions) out += static_cast<char>(t.second);
    for (int32_t offset : offsets) {
      Put(out, static_cast<uint32_t>(offset), 4);
      out += std::string(2, '\0');
    }
    out += std::string("ABC\0", 4);
    return out;
  };
  std::string out = section(4);
  if (version != 0) out += section(8) + "\n" + footer + "\n";
  return out;
}

TEST_CASE("UTC is built in and needs no tz database", "[cron]") {
  Result<TimeZone> utc = TimeZone::Load("UTC", "/nonexistent");
  REQUIRE(utc.ok());
  CHECK(utc->name() == "UTC");
  CHECK(utc->OffsetAt(At("2026-07-01T12:00:00Z")) == 0);
  CHECK(utc->ToLocal(At("2026-07-01T12:34:56Z")) == Wall(2026, 7, 1, 12, 34, 56));
  CHECK(utc->FromLocal(Wall(2026, 7, 1, 12, 34)) == At("2026-07-01T12:34:00Z"));
  CHECK(TimeZone::Load("Etc/UTC", "/nonexistent").ok());
  CHECK(TimeZone::Utc().OffsetAt(0) == 0);
}

TEST_CASE("civil time arithmetic handles leap years, weekdays and times before 1970", "[cron]") {
  CHECK(DaysInMonth(2024, 2) == 29);
  CHECK(DaysInMonth(2026, 2) == 28);
  CHECK(DaysInMonth(2000, 2) == 29);
  CHECK(DaysInMonth(2100, 2) == 28);
  CHECK(DaysInMonth(2026, 4) == 30);
  CHECK(DayOfWeek(2026, 3, 29) == 0);
  CHECK(DayOfWeek(1970, 1, 1) == 4);
  CHECK(DayOfWeek(1969, 12, 31) == 3);
  CHECK(SecondsToCivil(-1) == Wall(1969, 12, 31, 23, 59, 59));
  CHECK(CivilToSeconds(Wall(2026, 3, 29, 1, 0)) == At("2026-03-29T01:00:00Z"));
  CHECK(SecondsToCivil(At("2028-02-29T23:59:59Z")) == Wall(2028, 2, 29, 23, 59, 59));
}

TEST_CASE("Europe/Paris changes offset at the 2026 transitions to the second", "[cron]") {
  TimeZone paris = Zone("Europe/Paris");
  CHECK(paris.name() == "Europe/Paris");
  CHECK(paris.OffsetAt(At("2026-03-29T00:59:59Z")) == 3600);
  CHECK(paris.OffsetAt(At("2026-03-29T01:00:00Z")) == 7200);
  CHECK(paris.OffsetAt(At("2026-10-25T00:59:59Z")) == 7200);
  CHECK(paris.OffsetAt(At("2026-10-25T01:00:00Z")) == 3600);
  CHECK(paris.ToLocal(At("2026-03-29T00:59:59Z")) == Wall(2026, 3, 29, 1, 59, 59));
  CHECK(paris.ToLocal(At("2026-03-29T01:00:00Z")) == Wall(2026, 3, 29, 3, 0, 0));
  CHECK(paris.ToLocal(At("2026-10-25T01:30:00Z")) == Wall(2026, 10, 25, 2, 30, 0));
}

TEST_CASE("America/New_York changes offset at the 2026 transitions to the second", "[cron]") {
  TimeZone ny = Zone("America/New_York");
  CHECK(ny.OffsetAt(At("2026-03-08T06:59:59Z")) == -18000);
  CHECK(ny.OffsetAt(At("2026-03-08T07:00:00Z")) == -14400);
  CHECK(ny.OffsetAt(At("2026-11-01T05:59:59Z")) == -14400);
  CHECK(ny.OffsetAt(At("2026-11-01T06:00:00Z")) == -18000);
  CHECK(ny.ToLocal(At("2026-11-01T05:30:00Z")) == Wall(2026, 11, 1, 1, 30));
  CHECK(ny.ToLocal(At("2026-11-01T06:30:00Z")) == Wall(2026, 11, 1, 1, 30));
}

TEST_CASE("a wall time skipped by spring forward maps to the end of the gap", "[cron]") {
  TimeZone paris = Zone("Europe/Paris");
  CHECK(paris.FromLocal(Wall(2026, 3, 29, 2, 0)) == At("2026-03-29T01:00:00Z"));
  CHECK(paris.FromLocal(Wall(2026, 3, 29, 2, 30)) == At("2026-03-29T01:00:00Z"));
  CHECK(paris.FromLocal(Wall(2026, 3, 29, 2, 59, 59)) == At("2026-03-29T01:00:00Z"));
  CHECK(paris.FromLocal(Wall(2026, 3, 29, 3, 0)) == At("2026-03-29T01:00:00Z"));
  CHECK(paris.FromLocal(Wall(2026, 3, 29, 1, 59)) == At("2026-03-29T00:59:00Z"));
  TimeZone ny = Zone("America/New_York");
  CHECK(ny.FromLocal(Wall(2026, 3, 8, 2, 30)) == At("2026-03-08T07:00:00Z"));
}

TEST_CASE("a wall time repeated by fall back maps to its first occurrence", "[cron]") {
  TimeZone paris = Zone("Europe/Paris");
  CHECK(paris.FromLocal(Wall(2026, 10, 25, 2, 0)) == At("2026-10-25T00:00:00Z"));
  CHECK(paris.FromLocal(Wall(2026, 10, 25, 2, 30)) == At("2026-10-25T00:30:00Z"));
  CHECK(paris.FromLocal(Wall(2026, 10, 25, 3, 0)) == At("2026-10-25T02:00:00Z"));
  TimeZone ny = Zone("America/New_York");
  CHECK(ny.FromLocal(Wall(2026, 11, 1, 1, 30)) == At("2026-11-01T05:30:00Z"));
  CHECK(ny.FromLocal(Wall(2026, 11, 1, 2, 0)) == At("2026-11-01T07:00:00Z"));
}

TEST_CASE("the footer rule of a TZif file governs times past its table", "[cron]") {
  TimeZone ny = Zone("America/New_York");
  CHECK(ny.OffsetAt(At("2040-03-11T06:59:59Z")) == -18000);
  CHECK(ny.OffsetAt(At("2040-03-11T07:00:00Z")) == -14400);
  CHECK(ny.OffsetAt(At("2040-11-04T05:59:59Z")) == -14400);
  CHECK(ny.OffsetAt(At("2040-11-04T06:00:00Z")) == -18000);
  TimeZone paris = Zone("Europe/Paris");
  CHECK(paris.OffsetAt(At("2100-03-28T00:59:59Z")) == 3600);
  CHECK(paris.OffsetAt(At("2100-03-28T01:00:00Z")) == 7200);
  CHECK(paris.OffsetAt(At("2100-10-31T01:00:00Z")) == 3600);
  CHECK(paris.FromLocal(Wall(2100, 3, 28, 2, 30)) == At("2100-03-28T01:00:00Z"));
  CHECK(paris.FromLocal(Wall(2100, 10, 31, 2, 30)) == At("2100-10-31T00:30:00Z"));
}

TEST_CASE("POSIX TZ rules cover the southern hemisphere and times outside 0-24h", "[cron]") {
  TimeZone sydney = Posix("AEST-10AEDT,M10.1.0,M4.1.0/3");
  CHECK(sydney.OffsetAt(At("2026-04-04T15:59:59Z")) == 39600);
  CHECK(sydney.OffsetAt(At("2026-04-04T16:00:00Z")) == 36000);
  CHECK(sydney.OffsetAt(At("2026-10-03T15:59:59Z")) == 36000);
  CHECK(sydney.OffsetAt(At("2026-10-03T16:00:00Z")) == 39600);
  CHECK(sydney.OffsetAt(At("2026-01-15T00:00:00Z")) == 39600);
  // Greenland: the change is at -1:00 on Sunday, i.e. 23:00 on the Saturday before.
  TimeZone nuuk = Posix("<-02>2<-01>,M3.5.0/-1,M10.5.0/0");
  CHECK(nuuk.OffsetAt(At("2026-03-29T00:59:59Z")) == -7200);
  CHECK(nuuk.OffsetAt(At("2026-03-29T01:00:00Z")) == -3600);
  CHECK(nuuk.OffsetAt(At("2026-10-25T00:59:59Z")) == -3600);
  CHECK(nuuk.OffsetAt(At("2026-10-25T01:00:00Z")) == -7200);
  CHECK(Posix("<+0530>-5:30").OffsetAt(At("2026-06-01T00:00:00Z")) == 19800);
  CHECK(Posix("<+0545>-5:45:00").ToLocal(At("2026-06-01T00:00:00Z")) == Wall(2026, 6, 1, 5, 45));
  // Julian days: J60 is March 1st in every year; 59 (zero-based) is March 1st only in leap years.
  TimeZone julian = Posix("STD0DST,J60/0,J305/0");
  CHECK(julian.OffsetAt(At("2028-02-29T23:59:59Z")) == 0);
  CHECK(julian.OffsetAt(At("2028-03-01T00:00:00Z")) == 3600);
  TimeZone zero_based = Posix("STD0DST-2,59/0,300/0");
  CHECK(zero_based.OffsetAt(At("2028-02-29T00:00:00Z")) == 7200);
  CHECK(zero_based.OffsetAt(At("2027-02-28T23:59:59Z")) == 0);
  CHECK(zero_based.OffsetAt(At("2027-03-01T00:00:00Z")) == 7200);
}

TEST_CASE("malformed POSIX TZ rules are refused with the rule in the message", "[cron]") {
  for (const char* bad : {"", "CE", "CET", "CET-1CEST,M3.5.0", "CET-1CEST,M13.5.0,M10.5.0",
                          "CET-1CEST,M3.6.0,M10.5.0", "CET-1CEST,M3.5.7,M10.5.0", "<+03-3",
                          "CET-25", "CET-1:60", "CET-1CEST,M3.5.0/168,M10.5.0", "CET-1x"}) {
    Result<TimeZone> zone = TimeZone::FromPosix("Bad/Zone", bad);
    INFO(bad);
    REQUIRE_FALSE(zone.ok());
    CHECK(zone.status().code() == StatusCode::kInvalidArgument);
    CHECK(zone.status().message() ==
          std::string("time zone 'Bad/Zone': cannot read the TZ rule '") + bad + "'");
  }
}

TEST_CASE("zone names that could leave the zoneinfo root are refused", "[cron]") {
  for (const char* bad : {"../etc/passwd", "/etc/passwd", "Europe/../../etc/passwd", "",
                          "Europe/Paris;rm", "Europe/Pa ris"}) {
    Result<TimeZone> zone = TimeZone::Load(bad);
    INFO(bad);
    REQUIRE_FALSE(zone.ok());
    CHECK(zone.status().code() == StatusCode::kInvalidArgument);
    CHECK(zone.status().message() == std::string("time zone '") + bad +
                                         "': not a zone name (expected an IANA name such as "
                                         "Europe/Paris)");
  }
}

TEST_CASE("an unknown zone or a folder of zones is NotFound", "[cron]") {
  Result<TimeZone> mars = TimeZone::Load("Mars/Olympus_Mons");
  REQUIRE_FALSE(mars.ok());
  CHECK(mars.status().code() == StatusCode::kNotFound);
  CHECK(mars.status().message() ==
        "time zone 'Mars/Olympus_Mons': no such zone in /usr/share/zoneinfo");
  Result<TimeZone> folder = TimeZone::Load("Europe");
  REQUIRE_FALSE(folder.ok());
  CHECK(folder.status().code() == StatusCode::kNotFound);
}

TEST_CASE("a zoneinfo root can be given, and files that are not TZif are refused", "[cron]") {
  testing::TempDir dir;
  dir.Write("Test/V1", Tzif(0, {{1'000'000, 1}, {2'000'000, 0}}, {3600, 7200}));
  dir.Write("Test/Text", "# not a zone\n");
  dir.Write("Test/Short", Tzif('2', {{1'000'000, 1}}, {3600, 7200}, "CET-1").substr(0, 60));
  dir.Write("Test/BadFooter", Tzif('2', {}, {3600}, "nonsense"));
  dir.Write("Test/BadType", Tzif('2', {{1'000'000, 2}}, {3600, 7200}));

  Result<TimeZone> v1 = TimeZone::Load("Test/V1", dir.path());
  REQUIRE(v1.ok());
  CHECK(v1->OffsetAt(0) == 3600);
  CHECK(v1->OffsetAt(999'999) == 3600);
  CHECK(v1->OffsetAt(1'000'000) == 7200);
  CHECK(v1->OffsetAt(2'000'000) == 3600);
  CHECK(v1->OffsetAt(At("2026-01-01T00:00:00Z")) == 3600);

  auto error = [&](const char* name) {
    Result<TimeZone> zone = TimeZone::Load(name, dir.path());
    REQUIRE_FALSE(zone.ok());
    CHECK(zone.status().code() == StatusCode::kInvalidArgument);
    return zone.status().message();
  };
  CHECK(error("Test/Text") == "time zone 'Test/Text': not a valid TZif file (no TZif header)");
  CHECK(error("Test/Short") == "time zone 'Test/Short': not a valid TZif file (truncated)");
  CHECK(error("Test/BadFooter") ==
        "time zone 'Test/BadFooter': not a valid TZif file (bad footer 'nonsense')");
  CHECK(error("Test/BadType") ==
        "time zone 'Test/BadType': not a valid TZif file (transition to an unknown type)");
}

TEST_CASE("a version 2 TZif file is read from its 64-bit section and its footer", "[cron]") {
  // One transition in 2128, which the 32-bit section cannot hold, then a fixed rule.
  int64_t t2128 = At("2128-06-01T00:00:00Z");
  Result<TimeZone> far = TimeZone::FromTzif("Test/Far", Tzif('2', {{t2128, 1}}, {0, 7200}, ""));
  REQUIRE(far.ok());
  CHECK(far->OffsetAt(t2128 - 1) == 0);
  CHECK(far->OffsetAt(t2128) == 7200);
  CHECK(far->OffsetAt(At("2026-01-01T00:00:00Z")) == 0);
  // No transitions at all: the footer's rule is the whole zone.
  Result<TimeZone> rule =
      TimeZone::FromTzif("Test/Rule", Tzif('2', {}, {3600}, "CET-1CEST,M3.5.0,M10.5.0/3"));
  REQUIRE(rule.ok());
  CHECK(rule->OffsetAt(At("2026-03-29T00:59:59Z")) == 3600);
  CHECK(rule->OffsetAt(At("2026-03-29T01:00:00Z")) == 7200);
  CHECK(rule->FromLocal(Wall(2026, 10, 25, 2, 30)) == At("2026-10-25T00:30:00Z"));
}

}  // namespace
}  // namespace flyte
