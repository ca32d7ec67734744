#include "cron/next_fire.h"

#include <bit>
#include <limits>
#include <optional>

namespace flyte::cron {
namespace {

constexpr int64_t kSecond = 1'000'000'000;

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// The first set bit of `mask` in [from, to], or -1.
int NextBit(uint64_t mask, int from, int to) {
  if (from > to) return -1;
  uint64_t rest = mask >> from;
  if (rest == 0) return -1;
  int bit = from + std::countr_zero(rest);
  return bit <= to ? bit : -1;
}

bool DayMatches(const spec::CronSpec& c, int64_t year, int month, int day) {
  bool dom = (c.days_of_month >> day) & 1;
  bool dow = (c.days_of_week >> DayOfWeek(year, month, day)) & 1;
  return c.dom_restricted && c.dow_restricted ? dom || dow : dom && dow;
}

// The first wall time at or after `t` (seconds ignored) that `c` matches, up to the end of
// `last_year`. A month, day or hour that cannot match is skipped whole; a field that runs past
// its end (day 32, hour 24, month 13) simply fails to match and rolls over to the next one up.
std::optional<CivilTime> NextMatch(const spec::CronSpec& c, CivilTime t, int64_t last_year) {
  t.second = 0;
  while (t.year <= last_year) {
    int month = NextBit(c.months, t.month, 12);
    if (month < 0) {
      t = {t.year + 1, 1, 1, 0, 0, 0};
      continue;
    }
    if (month != t.month) t = {t.year, month, 1, 0, 0, 0};
    int day = t.day;
    int days = DaysInMonth(t.year, t.month);
    while (day <= days && !DayMatches(c, t.year, t.month, day)) ++day;
    if (day > days) {
      t = {t.year, t.month + 1, 1, 0, 0, 0};
      continue;
    }
    if (day != t.day) t = {t.year, t.month, day, 0, 0, 0};
    int hour = NextBit(c.hours, t.hour, 23);
    if (hour < 0) {
      t = {t.year, t.month, t.day + 1, 0, 0, 0};
      continue;
    }
    if (hour != t.hour) t = {t.year, t.month, t.day, hour, 0, 0};
    int minute = NextBit(c.minutes, t.minute, 59);
    if (minute < 0) {
      t = {t.year, t.month, t.day, t.hour + 1, 0, 0};
      continue;
    }
    t.minute = minute;
    return t;
  }
  return std::nullopt;
}

}  // namespace

int64_t NextCronFire(const spec::CronSpec& cron, const TimeZone& zone, int64_t after_nanos) {
  int64_t after = FloorDiv(after_nanos, kSecond);
  CivilTime local = zone.ToLocal(after);
  local.second = 0;
  int64_t last_year = local.year + kCronHorizonYears;
  // FromLocal is monotonic and maps any wall time the clock has already shown to an instant at
  // or before `after`, so the answer is the first later match whose instant is past `after`;
  // earlier ones are the second occurrences of a repeated hour.
  int64_t wall = CivilToSeconds(local) + 60;
  while (std::optional<CivilTime> match = NextMatch(cron, SecondsToCivil(wall), last_year)) {
    int64_t fire = zone.FromLocal(*match);
    if (fire > after) {
      return fire > std::numeric_limits<int64_t>::max() / kSecond ? -1 : fire * kSecond;
    }
    wall = CivilToSeconds(*match) + 60;
  }
  return -1;
}

int64_t NextRateFire(int64_t anchor_nanos, int64_t every_nanos, int64_t after_nanos) {
  if (after_nanos < anchor_nanos) return anchor_nanos;
  int64_t since, offset, fire;
  if (__builtin_sub_overflow(after_nanos, anchor_nanos, &since) ||
      __builtin_mul_overflow(since / every_nanos + 1, every_nanos, &offset) ||
      __builtin_add_overflow(anchor_nanos, offset, &fire)) {
    return -1;
  }
  return fire;
}

}  // namespace flyte::cron
