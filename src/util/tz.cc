#include "util/tz.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <vector>

#include "util/strings.h"
#include "util/timefmt.h"

namespace flyte {
namespace {

constexpr int64_t kDay = 86'400;
// RFC 8536 keeps offsets within -24:59:59..+25:59:59; FromLocal's search window relies on it.
constexpr int32_t kMaxOffset = 26 * 3600;
constexpr size_t kMaxTzifBytes = 1 << 20;

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

bool IsLeap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

// One date rule of a POSIX TZ string and the local time of day it takes effect.
struct DateRule {
  enum class Kind : uint8_t { kJulian1, kJulian0, kMonthWeekDay };
  Kind kind = Kind::kMonthWeekDay;
  int month = 0, week = 0, day = 0;  // day: the weekday for Mm.w.d, else the day number
  int32_t time = 2 * 3600;
};

struct PosixRule {
  int32_t std_offset = 0;  // seconds east, as everywhere else here (POSIX counts west)
  bool has_dst = false;
  int32_t dst_offset = 0;
  DateRule start, end;
};

struct Transition {
  int64_t at;
  int32_t offset;  // in effect from `at`
};

// Days since the epoch of the day `r` falls on in `year`.
int64_t RuleDay(const DateRule& r, int64_t year) {
  int64_t jan1 = DaysFromCivil(year, 1, 1);
  switch (r.kind) {
    case DateRule::Kind::kJulian1:
      return jan1 + r.day - 1 + (IsLeap(year) && r.day >= 60);
    case DateRule::Kind::kJulian0:
      return jan1 + r.day;
    case DateRule::Kind::kMonthWeekDay:
      break;
  }
  int day = 1 + (r.day - DayOfWeek(year, r.month, 1) + 7) % 7 + (r.week - 1) * 7;
  while (day > DaysInMonth(year, r.month)) day -= 7;  // week 5 means the last one
  return DaysFromCivil(year, r.month, day);
}

// The rule's transitions in local years first..last, in time order.
std::vector<Transition> RuleTransitions(const PosixRule& r, int64_t first, int64_t last) {
  std::vector<Transition> out;
  for (int64_t y = first; y <= last; ++y) {
    // The start is read on standard time, the end on daylight time.
    out.push_back({RuleDay(r.start, y) * kDay + r.start.time - r.std_offset, r.dst_offset});
    out.push_back({RuleDay(r.end, y) * kDay + r.end.time - r.dst_offset, r.std_offset});
  }
  // Stable, so a year-round rule whose end meets next year's start stays on daylight time.
  std::stable_sort(out.begin(), out.end(),
                   [](const Transition& a, const Transition& b) { return a.at < b.at; });
  return out;
}

class PosixParser {
 public:
  explicit PosixParser(std::string_view s) : s_(s) {}

  std::optional<PosixRule> Parse() {
    PosixRule r;
    std::optional<int32_t> off;
    if (!Name() || !(off = Offset(24))) return std::nullopt;
    r.std_offset = -*off;
    if (Done()) return r;
    if (!Name()) return std::nullopt;
    r.has_dst = true;
    r.dst_offset = r.std_offset + 3600;
    if (!Done() && s_[i_] != ',') {
      if (!(off = Offset(24))) return std::nullopt;
      r.dst_offset = -*off;
    }
    if (Done()) {  // no rules: POSIX leaves them to the implementation; use the US ones
      r.start = {DateRule::Kind::kMonthWeekDay, 3, 2, 0};
      r.end = {DateRule::Kind::kMonthWeekDay, 11, 1, 0};
      return r;
    }
    std::optional<DateRule> start, end;
    if (!Eat(',') || !(start = Date()) || !Eat(',') || !(end = Date()) || !Done()) {
      return std::nullopt;
    }
    r.start = *start;
    r.end = *end;
    return r;
  }

 private:
  bool Done() const { return i_ == s_.size(); }
  bool Eat(char c) {
    if (Done() || s_[i_] != c) return false;
    ++i_;
    return true;
  }
  std::optional<int> Number(int max_digits) {
    size_t b = i_;
    int v = 0;
    while (!Done() && i_ - b < static_cast<size_t>(max_digits) && std::isdigit(Byte())) {
      v = v * 10 + (s_[i_++] - '0');
    }
    if (i_ == b) return std::nullopt;
    return v;
  }
  unsigned char Byte() const { return static_cast<unsigned char>(s_[i_]); }
  // "CET", or "<+0330>" for names that are not all letters.
  bool Name() {
    size_t b = i_;
    if (Eat('<')) {
      while (!Done() && (std::isalnum(Byte()) || s_[i_] == '+' || s_[i_] == '-')) ++i_;
      return i_ - b >= 4 && Eat('>');
    }
    while (!Done() && std::isalpha(Byte())) ++i_;
    return i_ - b >= 3;
  }
  // [+-]hh[:mm[:ss]], as seconds.
  std::optional<int32_t> Offset(int max_hours) {
    int sign = 1;
    if (Eat('-')) {
      sign = -1;
    } else {
      Eat('+');
    }
    std::optional<int> h = Number(3);
    if (!h || *h > max_hours) return std::nullopt;
    int seconds = *h * 3600;
    for (int unit : {60, 1}) {
      if (!Eat(':')) break;
      std::optional<int> v = Number(2);
      if (!v || *v > 59) return std::nullopt;
      seconds += *v * unit;
    }
    return sign * seconds;
  }
  std::optional<DateRule> Date() {
    DateRule d;
    std::optional<int> a, b, c;
    if (Eat('M')) {
      if (!(a = Number(2)) || !Eat('.') || !(b = Number(1)) || !Eat('.') || !(c = Number(1)) ||
          *a < 1 || *a > 12 || *b < 1 || *b > 5 || *c > 6) {
        return std::nullopt;
      }
      d = {DateRule::Kind::kMonthWeekDay, *a, *b, *c};
    } else if (Eat('J')) {
      if (!(a = Number(3)) || *a < 1 || *a > 365) return std::nullopt;
      d = {DateRule::Kind::kJulian1, 0, 0, *a};
    } else {
      if (!(a = Number(3)) || *a > 365) return std::nullopt;
      d = {DateRule::Kind::kJulian0, 0, 0, *a};
    }
    if (Eat('/')) {
      std::optional<int32_t> t = Offset(167);
      if (!t) return std::nullopt;
      d.time = *t;
    }
    return d;
  }

  std::string_view s_;
  size_t i_ = 0;
};

// The offsets of a zone over all time: a table of transitions, then an optional rule.
struct Tables {
  std::vector<int64_t> times;     // ascending, UTC seconds
  std::vector<int32_t> offsets;   // offsets[i] is in effect from times[i]
  int32_t initial = 0;            // before the first transition
  std::optional<PosixRule> rule;  // after the last transition
};

int32_t ZoneOffsetAt(const Tables& z, int64_t t) {
  bool past_table = z.times.empty() || t > z.times.back();
  if (past_table && z.rule) {
    if (!z.rule->has_dst) return z.rule->std_offset;
    int64_t year = SecondsToCivil(t + z.rule->std_offset).year;
    int32_t offset = z.rule->std_offset;
    for (const Transition& tr : RuleTransitions(*z.rule, year - 1, year + 1)) {
      if (tr.at > t) break;
      offset = tr.offset;
    }
    return offset;
  }
  auto it = std::upper_bound(z.times.begin(), z.times.end(), t);
  return it == z.times.begin() ? z.initial : z.offsets[it - z.times.begin() - 1];
}

// The transitions in (lo, hi], in time order.
std::vector<Transition> TransitionsIn(const Tables& z, int64_t lo, int64_t hi) {
  std::vector<Transition> out;
  for (auto it = std::upper_bound(z.times.begin(), z.times.end(), lo);
       it != z.times.end() && *it <= hi; ++it) {
    out.push_back({*it, z.offsets[it - z.times.begin()]});
  }
  if (z.rule && z.rule->has_dst) {
    int64_t from = z.times.empty() ? lo : std::max(lo, z.times.back());
    if (hi > from) {
      int64_t y0 = SecondsToCivil(from).year - 1, y1 = SecondsToCivil(hi).year + 1;
      for (const Transition& tr : RuleTransitions(*z.rule, y0, y1)) {
        if (tr.at > from && tr.at <= hi) out.push_back(tr);
      }
    }
  }
  return out;
}

// Big-endian fields of a TZif file. REQUIRES: the caller checked Has() for what it reads.
class ByteReader {
 public:
  explicit ByteReader(std::string_view d) : d_(d) {}
  bool Has(uint64_t n) const { return d_.size() - pos_ >= n; }
  void Skip(uint64_t n) { pos_ += n; }
  size_t pos() const { return pos_; }
  uint64_t Read(int bytes) {
    uint64_t v = 0;
    for (int k = 0; k < bytes; ++k) v = (v << 8) | static_cast<uint8_t>(d_[pos_++]);
    return v;
  }

 private:
  std::string_view d_;
  size_t pos_ = 0;
};

struct Header {
  char version;
  uint32_t isut, isstd, leap, time, type, chars;
};

std::optional<Header> ReadHeader(ByteReader& r) {
  if (!r.Has(44)) return std::nullopt;
  if (r.Read(4) != 0x545a6966) return std::nullopt;  // "TZif"
  Header h;
  h.version = static_cast<char>(r.Read(1));
  r.Skip(15);
  for (uint32_t* count : {&h.isut, &h.isstd, &h.leap, &h.time, &h.type, &h.chars}) {
    *count = static_cast<uint32_t>(r.Read(4));
  }
  return h;
}

uint64_t BlockSize(const Header& h, uint64_t time_size) {
  return uint64_t{h.time} * (time_size + 1) + uint64_t{h.type} * 6 + h.chars +
         uint64_t{h.leap} * (time_size + 4) + h.isstd + h.isut;
}

// Fills `z` from a TZif file, or says what is wrong with it.
std::string ParseTzif(std::string_view data, Tables* z) {
  ByteReader r(data);
  std::optional<Header> h = ReadHeader(r);
  if (!h) return "no TZif header";
  uint64_t time_size = 4;
  if (h->version >= '2') {  // skip the 32-bit section for the 64-bit one that follows
    if (!r.Has(BlockSize(*h, 4))) return "truncated";
    r.Skip(BlockSize(*h, 4));
    if (!(h = ReadHeader(r))) return "no second TZif header";
    time_size = 8;
  }
  if (h->type == 0 || (h->isstd != 0 && h->isstd != h->type) ||
      (h->isut != 0 && h->isut != h->type)) {
    return "inconsistent counts";
  }
  if (!r.Has(BlockSize(*h, time_size))) return "truncated";
  for (uint32_t i = 0; i < h->time; ++i) {
    uint64_t raw = r.Read(static_cast<int>(time_size));
    int64_t t = time_size == 8 ? static_cast<int64_t>(raw) : static_cast<int32_t>(raw);
    if (!z->times.empty() && t <= z->times.back()) return "transitions out of order";
    z->times.push_back(t);
  }
  std::vector<uint8_t> index(h->time);
  for (uint8_t& k : index) k = static_cast<uint8_t>(r.Read(1));
  std::vector<int32_t> type_offsets(h->type);
  for (int32_t& off : type_offsets) {
    off = static_cast<int32_t>(r.Read(4));
    r.Skip(2);  // isdst and the abbreviation: schedules need neither
    if (off <= -kMaxOffset || off >= kMaxOffset) return "offset out of range";
  }
  for (uint8_t k : index) {
    if (k >= h->type) return "transition to an unknown type";
    z->offsets.push_back(type_offsets[k]);
  }
  z->initial = type_offsets[0];
  r.Skip(h->chars + uint64_t{h->leap} * (time_size + 4) + h->isstd + h->isut);
  if (time_size == 8) {
    if (!r.Has(1) || r.Read(1) != '\n') return "no footer";
    size_t begin = r.pos();
    size_t end = data.find('\n', begin);
    if (end == data.npos) return "unterminated footer";
    if (end > begin) {
      z->rule = PosixParser(data.substr(begin, end - begin)).Parse();
      if (!z->rule) return "bad footer " + Quote(data.substr(begin, end - begin));
    }
  }
  return "";
}

bool IsZoneName(std::string_view name) {
  if (name.empty() || name.size() > 255 || name[0] == '/' || name.find("..") != name.npos) {
    return false;
  }
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '/' || c == '_' || c == '-' ||
           c == '+' || c == '.';
  });
}

}  // namespace

int DaysInMonth(int64_t year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeap(year) ? 29 : kDays[month - 1];
}

int DayOfWeek(int64_t year, int month, int day) {
  int64_t days = DaysFromCivil(year, month, day) + 4;  // 1970-01-01 was a Thursday
  return static_cast<int>(days - FloorDiv(days, 7) * 7);
}

int64_t CivilToSeconds(const CivilTime& t) {
  return DaysFromCivil(t.year, t.month, t.day) * kDay + t.hour * 3600 + t.minute * 60 + t.second;
}

CivilTime SecondsToCivil(int64_t seconds) {
  int64_t days = FloorDiv(seconds, kDay);
  int64_t rest = seconds - days * kDay;
  int64_t z = days + 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  CivilTime t;
  t.day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  t.month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  t.year = yoe + era * 400 + (t.month <= 2);
  t.hour = static_cast<int>(rest / 3600);
  t.minute = static_cast<int>(rest / 60 % 60);
  t.second = static_cast<int>(rest % 60);
  return t;
}

struct TimeZone::Data {
  std::string name;
  Tables tables;
};

TimeZone TimeZone::Utc() { return TimeZone(std::make_shared<Data>(Data{"UTC", {}})); }

Result<TimeZone> TimeZone::FromTzif(std::string_view name, std::string_view data) {
  Data d{std::string(name), {}};
  std::string error = ParseTzif(data, &d.tables);
  if (!error.empty()) {
    return InvalidArgument("time zone " + Quote(name) + ": not a valid TZif file (" + error + ")");
  }
  return TimeZone(std::make_shared<Data>(std::move(d)));
}

Result<TimeZone> TimeZone::FromPosix(std::string_view name, std::string_view tz) {
  Data d{std::string(name), {}};
  d.tables.rule = PosixParser(tz).Parse();
  if (!d.tables.rule) {
    return InvalidArgument("time zone " + Quote(name) + ": cannot read the TZ rule " + Quote(tz));
  }
  d.tables.initial = d.tables.rule->std_offset;
  return TimeZone(std::make_shared<Data>(std::move(d)));
}

Result<TimeZone> TimeZone::Load(std::string_view name, std::string root) {
  if (name == "UTC" || name == "Etc/UTC" || name == "GMT") {
    return TimeZone(std::make_shared<Data>(Data{std::string(name), {}}));
  }
  std::string context = "time zone " + Quote(name);
  if (!IsZoneName(name)) {
    return InvalidArgument(context +
                           ": not a zone name (expected an IANA name such as Europe/Paris)");
  }
  std::filesystem::path path = std::filesystem::path(root) / name;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    return NotFound(context + ": no such zone in " + root);
  }
  if (std::filesystem::file_size(path, ec) > kMaxTzifBytes) {
    return InvalidArgument(context + ": " + path.string() + " is too large for a TZif file");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return IOError(context + ": cannot open " + path.string());
  std::string data(std::istreambuf_iterator<char>(in), {});
  return FromTzif(name, data);
}

const std::string& TimeZone::name() const { return data_->name; }

int32_t TimeZone::OffsetAt(int64_t utc_seconds) const {
  return ZoneOffsetAt(data_->tables, utc_seconds);
}

CivilTime TimeZone::ToLocal(int64_t utc_seconds) const {
  return SecondsToCivil(utc_seconds + OffsetAt(utc_seconds));
}

int64_t TimeZone::FromLocal(const CivilTime& local) const {
  // Between transitions the wall clock is t + offset; the answer is the earliest t of the first
  // such stretch whose clock reaches `wall`. Offsets stay under 26 hours, so stretches that
  // matter lie within two days of `wall`.
  int64_t wall = CivilToSeconds(local);
  int64_t start = wall - 2 * kDay;
  int32_t offset = ZoneOffsetAt(data_->tables, start);
  for (const Transition& tr : TransitionsIn(data_->tables, start, wall + 2 * kDay)) {
    int64_t t = std::max(start, wall - offset);
    if (t < tr.at) return t;
    start = tr.at;
    offset = tr.offset;
  }
  return std::max(start, wall - offset);
}

}  // namespace flyte
