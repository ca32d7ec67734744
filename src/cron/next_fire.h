// When schedules fire: the next time of a cron expression on a zone's wall clock, and of a fixed
// rate. Pure functions of their arguments; safe from any thread.
//
// Cron fires are whole minutes of local wall time. Across daylight-saving changes a wall time
// W fires at the first instant the zone's clock reads W or later (TimeZone::FromLocal):
//  - clocks set forward: wall times inside the gap (02:30 when 02:00 jumps to 03:00) all fire
//    once, together, at the first instant after the gap (03:00 new time);
//  - clocks set back: a wall time that occurs twice (01:30 when 02:00 goes back to 01:00)
//    fires once, at its first occurrence.
// Day of month and day of week follow the POSIX either-or rule: when both are restricted (not
// starting with '*'), a day matching either fires.
#pragma once

#include <cstdint>

#include "flyte/spec.h"
#include "util/tz.h"

namespace flyte::cron {

// How far ahead NextCronFire looks before giving up on an expression that never matches
// (February 30th).
inline constexpr int kCronHorizonYears = 5;

// The first fire time strictly after `after_nanos` (ns since the epoch), or -1 when there is none
// within kCronHorizonYears of local time.
int64_t NextCronFire(const spec::CronSpec& cron, const TimeZone& zone, int64_t after_nanos);

// The first anchor + k * every (k >= 0) strictly after `after_nanos`, or -1 past the int64 range.
// REQUIRES: every_nanos > 0.
int64_t NextRateFire(int64_t anchor_nanos, int64_t every_nanos, int64_t after_nanos);

}  // namespace flyte::cron
