#include "util/timefmt.h"

#include <limits>

namespace flyte {
namespace {

constexpr int64_t kSecond = 1'000'000'000;
constexpr int64_t kMinute = 60 * kSecond;
constexpr int64_t kHour = 60 * kMinute;
constexpr int64_t kDay = 24 * kHour;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

int DaysInMonth(int64_t y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[m - 1];
}

// A cursor over the text; every reader fails softly so the caller just checks the result.
struct Cursor {
  std::string_view s;
  size_t i = 0;
  bool done() const { return i == s.size(); }
  bool Eat(char c) {
    if (done() || s[i] != c) return false;
    ++i;
    return true;
  }
  // Exactly n digits.
  std::optional<int> Digits(size_t n) {
    if (s.size() - i < n) return std::nullopt;
    int v = 0;
    for (size_t k = 0; k < n; ++k, ++i) {
      if (!IsDigit(s[i])) return std::nullopt;
      v = v * 10 + (s[i] - '0');
    }
    return v;
  }
};

void AppendPadded(std::string& out, int64_t v, int width) {
  std::string digits = std::to_string(v);
  if (static_cast<int>(digits.size()) < width) out.append(width - digits.size(), '0');
  out += digits;
}

// ".5", ".25", ".000000001": the nanoseconds as a decimal fraction with trailing zeros gone.
void AppendTrimmedFraction(std::string& out, int64_t nanos) {
  if (nanos == 0) return;
  std::string digits;
  AppendPadded(digits, nanos, 9);
  while (digits.back() == '0') digits.pop_back();
  out += '.';
  out += digits;
}

struct Unit {
  std::string_view name;
  int64_t nanos;
};

// Longer names first, so "ms" is not read as "m" followed by garbage.
constexpr Unit kUnits[] = {
    {"ns", 1},      {"us", 1000},   {"\xC2\xB5s", 1000}, {"\xCE\xBCs", 1000}, {"ms", 1'000'000},
    {"s", kSecond}, {"m", kMinute}, {"h", kHour},        {"d", kDay},
};

}  // namespace

// Howard Hinnant's days_from_civil / civil_from_days: exact proleptic Gregorian arithmetic
// with no dependence on the C library's time zone or locale.
int64_t DaysFromCivil(int64_t y, int m, int d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

void CivilFromDays(int64_t z, int64_t& y, int& m, int& d) {
  z += 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  y = yoe + era * 400 + (m <= 2);
}

std::optional<int64_t> ParseDatetime(std::string_view text) {
  Cursor c{text};
  auto year = c.Digits(4);
  if (!year || !c.Eat('-')) return std::nullopt;
  auto month = c.Digits(2);
  if (!month || !c.Eat('-')) return std::nullopt;
  auto day = c.Digits(2);
  if (!day || *year < 1678 || *year > 2261 || *month < 1 || *month > 12 || *day < 1 ||
      *day > DaysInMonth(*year, *month)) {
    return std::nullopt;
  }
  int64_t seconds = DaysFromCivil(*year, *month, *day) * 86400;
  int64_t fraction = 0;
  if (!c.done()) {
    if (!c.Eat('T') && !c.Eat('t') && !c.Eat(' ')) return std::nullopt;
    auto hour = c.Digits(2);
    if (!hour || !c.Eat(':')) return std::nullopt;
    auto minute = c.Digits(2);
    if (!minute || !c.Eat(':')) return std::nullopt;
    auto second = c.Digits(2);
    if (!second || *hour > 23 || *minute > 59 || *second > 59) return std::nullopt;
    seconds += *hour * 3600 + *minute * 60 + *second;
    if (c.Eat('.')) {
      int scale = 100'000'000;
      size_t begin = c.i;
      for (; !c.done() && IsDigit(c.s[c.i]); ++c.i, scale /= 10) {
        if (scale == 0) return std::nullopt;  // finer than a nanosecond
        fraction += (c.s[c.i] - '0') * scale;
      }
      if (c.i == begin) return std::nullopt;
    }
    if (c.Eat('Z') || c.Eat('z')) {
      // UTC
    } else if (!c.done()) {
      char sign = c.s[c.i];
      if (sign != '+' && sign != '-') return std::nullopt;
      ++c.i;
      auto off_hour = c.Digits(2);
      if (!off_hour) return std::nullopt;
      c.Eat(':');
      auto off_minute = c.Digits(2);
      if (!off_minute || *off_hour > 23 || *off_minute > 59) return std::nullopt;
      // The local time is ahead of UTC by a positive offset, so subtract it.
      int64_t offset = *off_hour * 3600 + *off_minute * 60;
      seconds -= sign == '+' ? offset : -offset;
    }
  }
  if (!c.done()) return std::nullopt;
  // Years 1678..2261 with an offset under a day stay within ±2^63 ns, but only just.
  constexpr int64_t kMaxSeconds = std::numeric_limits<int64_t>::max() / kSecond;
  if (seconds >= kMaxSeconds || seconds <= -kMaxSeconds) return std::nullopt;
  return seconds * kSecond + fraction;
}

std::string FormatDatetime(int64_t unix_nanos) {
  int64_t seconds = unix_nanos / kSecond;
  int64_t nanos = unix_nanos % kSecond;
  if (nanos < 0) {
    nanos += kSecond;
    --seconds;
  }
  int64_t days = seconds / 86400;
  int64_t rem = seconds % 86400;
  if (rem < 0) {
    rem += 86400;
    --days;
  }
  int64_t y;
  int m, d;
  CivilFromDays(days, y, m, d);
  std::string out;
  AppendPadded(out, y, 4);
  out += '-';
  AppendPadded(out, m, 2);
  out += '-';
  AppendPadded(out, d, 2);
  out += 'T';
  AppendPadded(out, rem / 3600, 2);
  out += ':';
  AppendPadded(out, rem / 60 % 60, 2);
  out += ':';
  AppendPadded(out, rem % 60, 2);
  AppendTrimmedFraction(out, nanos);
  out += 'Z';
  return out;
}

std::optional<int64_t> ParseDuration(std::string_view text) {
  bool negative = !text.empty() && text[0] == '-';
  if (negative) text.remove_prefix(1);
  if (text.empty()) return std::nullopt;
  // The magnitude; it may reach 2^63 only when negative.
  uint64_t total = 0;
  const uint64_t limit = uint64_t{1} << 63;
  size_t i = 0;
  while (i < text.size()) {
    uint64_t whole = 0;
    size_t begin = i;
    for (; i < text.size() && IsDigit(text[i]); ++i) {
      if (whole > limit / 10) return std::nullopt;
      whole = whole * 10 + static_cast<uint64_t>(text[i] - '0');
    }
    std::string_view frac;
    if (i < text.size() && text[i] == '.') {
      size_t frac_begin = ++i;
      while (i < text.size() && IsDigit(text[i])) ++i;
      frac = text.substr(frac_begin, i - frac_begin);
    }
    if (i - begin == 0 || (i - begin == 1 && text[begin] == '.')) return std::nullopt;
    const Unit* unit = nullptr;
    for (const Unit& u : kUnits) {
      if (text.substr(i, u.name.size()) == u.name) {
        unit = &u;
        break;
      }
    }
    if (unit == nullptr) return std::nullopt;
    i += unit->name.size();
    auto per = static_cast<uint64_t>(unit->nanos);
    if (whole > limit / per) return std::nullopt;
    uint64_t amount = whole * per;
    // Like Go's time.ParseDuration, digits finer than a nanosecond are dropped.
    uint64_t scale = per;
    for (char f : frac) {
      scale /= 10;
      amount += static_cast<uint64_t>(f - '0') * scale;
    }
    if (amount > limit - total) return std::nullopt;
    total += amount;
  }
  if (!negative && total == limit) return std::nullopt;
  return negative ? static_cast<int64_t>(0 - total) : static_cast<int64_t>(total);
}

std::string FormatDuration(int64_t nanos) {
  if (nanos == 0) return "0s";
  std::string out;
  uint64_t n = static_cast<uint64_t>(nanos);
  if (nanos < 0) {
    out += '-';
    n = 0 - n;
  }
  uint64_t days = n / kDay, hours = n / kHour % 24, minutes = n / kMinute % 60;
  uint64_t rest = n % kMinute;  // below a minute, in nanoseconds
  if (days > 0) out += std::to_string(days) + "d";
  if (hours > 0) out += std::to_string(hours) + "h";
  if (minutes > 0) out += std::to_string(minutes) + "m";
  if (rest == 0) return out;
  // Below a second on its own, a smaller unit reads better: "250ms", not "0.25s".
  int64_t unit = kSecond;
  std::string_view name = "s";
  if (n < static_cast<uint64_t>(kSecond)) {
    if (n < 1000) {
      unit = 1, name = "ns";
    } else if (n < 1'000'000) {
      unit = 1000, name = "us";
    } else {
      unit = 1'000'000, name = "ms";
    }
  }
  out += std::to_string(rest / unit);
  // The fraction is at most 9 digits of the unit; scale it to nanoseconds-of-a-second
  // so AppendTrimmedFraction can print it.
  int64_t fraction = static_cast<int64_t>(rest % unit) * (kSecond / unit);
  AppendTrimmedFraction(out, fraction);
  out += name;
  return out;
}

std::string FormatDurationProto(int64_t nanos) {
  std::string out;
  uint64_t n = static_cast<uint64_t>(nanos);
  if (nanos < 0) {
    out += '-';
    n = 0 - n;
  }
  out += std::to_string(n / kSecond);
  uint64_t fraction = n % kSecond;
  // proto3 JSON prints 0, 3, 6 or 9 fractional digits, whichever is exact.
  if (fraction != 0) {
    std::string digits;
    AppendPadded(digits, static_cast<int64_t>(fraction), 9);
    size_t keep = 9;
    while (keep > 3 && digits.compare(keep - 3, 3, "000") == 0) keep -= 3;
    out += '.';
    out += digits.substr(0, keep);
  }
  out += 's';
  return out;
}

}  // namespace flyte
