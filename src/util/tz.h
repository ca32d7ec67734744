// Time zones of the IANA tz database, read from TZif files, for evaluating schedules on local
// wall time. A TimeZone is an immutable value sharing its tables: copy it freely, use it from
// any thread. Loading reads one file under a zoneinfo root; "UTC", "Etc/UTC" and "GMT" are built
// in, so they work without tzdata installed.
#pragma once

#include <compare>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "flyte/status.h"

namespace flyte {

// A wall-clock reading in the proleptic Gregorian calendar, attached to no zone.
struct CivilTime {
  int64_t year = 1970;
  int month = 1;  // 1..12
  int day = 1;    // 1..31
  int hour = 0;
  int minute = 0;
  int second = 0;
  auto operator<=>(const CivilTime&) const = default;
};

int DaysInMonth(int64_t year, int month);
// 0 = Sunday.
int DayOfWeek(int64_t year, int month, int day);
// A civil time read as UTC, in seconds since the epoch, and back.
// REQUIRES: the fields are in range (CivilToSeconds does not normalize).
int64_t CivilToSeconds(const CivilTime& t);
CivilTime SecondsToCivil(int64_t seconds);

inline constexpr const char* kZoneinfoRoot = "/usr/share/zoneinfo";

class TimeZone {
 public:
  // Offset 0, no transitions, named "UTC".
  static TimeZone Utc();
  // `name` is an IANA name ("Europe/Paris"); the file is `root/name`. Errors name the zone:
  // InvalidArgument for a malformed name (empty, a leading '/', "..", odd characters) or a file
  // that is not TZif, NotFound for a zone that is not there, IO for an unreadable file.
  static Result<TimeZone> Load(std::string_view name, std::string root = kZoneinfoRoot);
  // From the bytes of a TZif file (versions 1 to 4; the 64-bit section when there is one, and
  // the footer's POSIX TZ string for instants past the last transition).
  static Result<TimeZone> FromTzif(std::string_view name, std::string_view data);
  // From a POSIX TZ string alone: "CET-1CEST,M3.5.0,M10.5.0/3", "<+0330>-3:30", "EST5EDT".
  // Rules may be Mm.w.d, Jn or n, with times of -167..167 hours.
  static Result<TimeZone> FromPosix(std::string_view name, std::string_view tz);

  const std::string& name() const;
  // Seconds east of UTC in effect at `utc_seconds`.
  int32_t OffsetAt(int64_t utc_seconds) const;
  CivilTime ToLocal(int64_t utc_seconds) const;
  // The first instant at which the zone's wall clock reads `local` or later. A wall time that
  // occurs twice (clocks set back) maps to its first occurrence; one that never occurs (clocks
  // set forward) maps to the end of the gap, the instant of the transition. The result is
  // monotonic in `local`.
  int64_t FromLocal(const CivilTime& local) const;

 private:
  struct Data;
  explicit TimeZone(std::shared_ptr<const Data> data) : data_(std::move(data)) {}
  std::shared_ptr<const Data> data_;
};

}  // namespace flyte
