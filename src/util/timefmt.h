// Datetimes and durations: parsing the spellings users write and formatting canonical text.
// Datetimes are nanoseconds since the Unix epoch, UTC; durations are nanoseconds.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace flyte {

// ISO 8601 / RFC 3339: "2026-11-22T10:00:00Z", "2026-11-22T10:00:00.5+02:00",
// "2026-11-22 10:00:00" (no offset means UTC), "2026-11-22" (midnight UTC).
// Years 1678..2261 (the int64-nanosecond range).
std::optional<int64_t> ParseDatetime(std::string_view text);
// RFC 3339 UTC with the fraction trimmed: "2026-11-22T10:00:00Z", "2026-11-22T10:00:00.5Z".
std::string FormatDatetime(int64_t unix_nanos);

// A sequence of <number><unit>, units ns, us, µs, ms, s, m, h, d: "90s", "1h30m", "250ms",
// "1.5s", "7d"; an optional leading '-'. A bare number without a unit is rejected.
std::optional<int64_t> ParseDuration(std::string_view text);
// Human form that ParseDuration reads back: "1h30m", "250ms", "1.5s", "7d", "0s".
std::string FormatDuration(int64_t nanos);
// proto3 JSON form: "5400s", "0.250s", "-1.500s".
std::string FormatDurationProto(int64_t nanos);

// Days since 1970-01-01 of a proleptic Gregorian date, and back (Howard Hinnant's algorithms:
// exact, independent of the C library's time zone and locale).
int64_t DaysFromCivil(int64_t y, int m, int d);
void CivilFromDays(int64_t days, int64_t& y, int& m, int& d);

}  // namespace flyte
