// Fuzz target: schedules and the time text around them, one item per line: a cron expression,
// a zone (a name from a fixed set of awkward zones, else a POSIX TZ string), the time to look
// after (RFC 3339 or integer nanoseconds), a duration, a rate anchor (like the time), and a
// resource quantity. Checks that fires are later than asked and stable, that wall-clock
// conversions keep their promises, and that durations and datetimes print what they read.
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cron/next_fire.h"
#include "fuzz/fuzz_check.h"
#include "spec/cron.h"
#include "util/quantity.h"
#include "util/strings.h"
#include "util/timefmt.h"
#include "util/tz.h"

namespace flyte::fuzz {
namespace {

// Zones with the transitions that break naive code: half-hour and 45-minute offsets, negative
// DST, a skipped day, 30-minute DST, DST of two hours, and zones that changed their offset.
const std::vector<TimeZone>& Zones() {
  static const std::vector<TimeZone> zones = [] {
    std::vector<TimeZone> out{TimeZone::Utc()};
    for (const char* name :
         {"Europe/Paris", "America/New_York", "Australia/Lord_Howe", "Pacific/Chatham",
          "Asia/Kathmandu", "Europe/Dublin", "Africa/Casablanca", "Pacific/Apia",
          "Antarctica/Troll", "America/Santiago", "Asia/Tehran", "Pacific/Kiritimati",
          "America/St_Johns", "Europe/Moscow"}) {
      if (Result<TimeZone> z = TimeZone::Load(name); z.ok()) out.push_back(*z);
    }
    return out;
  }();
  return zones;
}

std::optional<TimeZone> ZoneOf(std::string_view text) {
  for (const TimeZone& z : Zones()) {
    if (z.name() == text) return z;
  }
  if (Trim(text).empty()) return TimeZone::Utc();
  Result<TimeZone> posix = TimeZone::FromPosix("fuzz", text);
  if (!posix.ok()) return std::nullopt;
  return *posix;
}

std::optional<int64_t> InstantOf(std::string_view text) {
  int64_t nanos = 0;
  if (ParseInt64(Trim(text), &nanos)) return nanos;
  return ParseDatetime(text);
}

void CheckZone(const TimeZone& zone, int64_t seconds) {
  CivilTime local = zone.ToLocal(seconds);
  // The first instant the clock reads `local` is at or before the one it was read at.
  FUZZ_CHECK(zone.FromLocal(local) <= seconds, zone.name() + " at " + std::to_string(seconds));
  // At the instant FromLocal gives, the clock reads the wall time asked for or later.
  local.second = 0;
  FUZZ_CHECK(zone.ToLocal(zone.FromLocal(local)) >= local,
             zone.name() + " at " + std::to_string(seconds));
}

void CheckCron(const spec::CronSpec& cron, const TimeZone& zone, int64_t after) {
  const int64_t next = cron::NextCronFire(cron, zone, after);
  if (next == -1) return;
  const std::string what = cron.text + " in " + zone.name() + " after " + std::to_string(after);
  FUZZ_CHECK(next > after, what + " fires at " + std::to_string(next));
  FUZZ_CHECK(next % 1'000'000'000 == 0, what);
  // Nothing fires between `after` and `next`, so asking again just before `next` gives `next`.
  FUZZ_CHECK(cron::NextCronFire(cron, zone, next - 1) == next, what);
  if (zone.name() == "UTC") {
    CivilTime t = SecondsToCivil(next / 1'000'000'000);
    FUZZ_CHECK((cron.minutes >> t.minute & 1) && (cron.hours >> t.hour & 1) &&
                   (cron.months >> t.month & 1),
               what + " fires at " + FormatDatetime(next));
  }
}

void CheckDuration(std::string_view text) {
  std::optional<int64_t> d = ParseDuration(text);
  if (!d) return;
  const std::string human = FormatDuration(*d);
  FUZZ_CHECK(ParseDuration(human) == d, std::string(text) + " prints as " + human);
  (void)FormatDurationProto(*d);
}

void CheckRate(int64_t anchor, int64_t every, int64_t after) {
  const int64_t next = cron::NextRateFire(anchor, every, after);
  if (next == -1) return;
  const std::string what = std::to_string(anchor) + " every " + std::to_string(every) + " after " +
                           std::to_string(after);
  FUZZ_CHECK(next > after || (next == anchor && after < anchor), what);
  FUZZ_CHECK(next >= anchor && (next - anchor) % every == 0, what);
}

}  // namespace

int FuzzCron(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<std::string_view> lines = Split(input, '\n');
  lines.resize(6);

  std::optional<int64_t> after = InstantOf(lines[2]);
  if (after) {
    const std::string printed = FormatDatetime(*after);
    if (ParseDatetime(lines[2])) FUZZ_CHECK(ParseDatetime(printed) == after, printed);
  }
  std::optional<TimeZone> zone = ZoneOf(lines[1]);
  if (zone && after) CheckZone(*zone, *after / 1'000'000'000);

  spec::CronParse cron = spec::ParseCron(lines[0]);
  FUZZ_CHECK(cron.ok() || cron.offset <= lines[0].size(), cron.error);
  if (cron.ok() && zone && after) CheckCron(cron.spec, *zone, *after);

  CheckDuration(lines[3]);
  std::optional<int64_t> every = ParseDuration(lines[3]);
  std::optional<int64_t> anchor = InstantOf(lines[4]);
  if (every && *every > 0 && anchor && after) CheckRate(*anchor, *every, *after);

  (void)ParseCpuMillis(lines[5]);
  (void)ParseBytes(lines[5]);
  return 0;
}

}  // namespace flyte::fuzz

#ifdef FLYTE_LIBFUZZER
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return flyte::fuzz::FuzzCron(data, size);
}
#endif
