#include "spec/cron.h"

#include <array>
#include <cctype>
#include <cstdint>
#include <optional>
#include <vector>

#include "util/strings.h"

namespace flyte::spec {
namespace {

struct Field {
  const char* name;
  int min, max;
  const char* const* names;  // for months and weekdays; index 0 matches `min`
  int name_count;
};

const char* const kMonths[] = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                               "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
const char* const kDays[] = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"};

const Field kFields[5] = {
    {"minute", 0, 59, nullptr, 0},       {"hour", 0, 23, nullptr, 0},
    {"day of month", 1, 31, nullptr, 0}, {"month", 1, 12, kMonths, 12},
    {"day of week", 0, 7, kDays, 7},  // 7 is Sunday too
};

struct Cursor {
  std::string_view text;
  size_t base;  // offset of `text` in the whole expression
  size_t pos = 0;
};

std::optional<int> ReadValue(Cursor& c, const Field& f, std::string* err) {
  size_t start = c.pos;
  while (c.pos < c.text.size() && std::isalnum(static_cast<unsigned char>(c.text[c.pos]))) ++c.pos;
  std::string word(c.text.substr(start, c.pos - start));
  if (word.empty()) {
    *err = std::string("expected a number in the ") + f.name + " field";
    c.pos = start;
    return std::nullopt;
  }
  if (std::isdigit(static_cast<unsigned char>(word[0]))) {
    bool digits = true;
    for (char ch : word) digits = digits && std::isdigit(static_cast<unsigned char>(ch));
    if (digits && word.size() <= 4) {
      int v = std::stoi(word);
      if (v >= f.min && v <= f.max) return v;
      *err = std::string(f.name) + " " + word + " is out of range " + std::to_string(f.min) + "-" +
             std::to_string(f.max == 7 ? 6 : f.max);
      c.pos = start;
      return std::nullopt;
    }
  }
  for (int i = 0; i < f.name_count; ++i) {
    std::string upper;
    for (char ch : word) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    if (upper == f.names[i]) return f.min + i;
  }
  *err = "cannot read " + Quote(word) + " in the " + f.name + " field";
  c.pos = start;
  return std::nullopt;
}

// Parses one field into a bitmask over [0, 64).
std::optional<uint64_t> ParseField(Cursor c, const Field& f, bool* restricted, std::string* err,
                                   size_t* err_offset) {
  uint64_t mask = 0;
  *restricted = c.text.empty() || c.text[0] != '*';
  auto fail = [&](size_t at, std::string msg) -> std::optional<uint64_t> {
    *err = std::move(msg);
    *err_offset = c.base + at;
    return std::nullopt;
  };
  while (true) {
    int lo = f.min, hi = f.max == 7 ? 6 : f.max, step = 1;
    size_t item_start = c.pos;
    if (c.pos < c.text.size() && c.text[c.pos] == '*') {
      ++c.pos;
    } else {
      std::optional<int> a = ReadValue(c, f, err);
      if (!a) return fail(c.pos, *err);
      lo = hi = *a;
      if (c.pos < c.text.size() && c.text[c.pos] == '-') {
        ++c.pos;
        std::optional<int> b = ReadValue(c, f, err);
        if (!b) return fail(c.pos, *err);
        hi = *b;
        if (hi < lo)
          return fail(item_start, std::string("range ") +
                                      std::string(c.text.substr(item_start, c.pos - item_start)) +
                                      " in the " + f.name + " field runs backwards");
      }
    }
    if (c.pos < c.text.size() && c.text[c.pos] == '/') {
      ++c.pos;
      size_t s = c.pos;
      while (c.pos < c.text.size() && std::isdigit(static_cast<unsigned char>(c.text[c.pos])))
        ++c.pos;
      if (s == c.pos || c.pos - s > 3)
        return fail(s, std::string("expected a step number in the ") + f.name + " field");
      step = std::stoi(std::string(c.text.substr(s, c.pos - s)));
      if (step == 0) return fail(s, std::string("a step of 0 in the ") + f.name + " field");
      if (lo == hi && item_start < c.pos && c.text[item_start] != '*') hi = f.max == 7 ? 6 : f.max;
    }
    for (int v = lo; v <= hi; v += step) mask |= uint64_t{1} << (f.max == 7 && v == 7 ? 0 : v);
    if (c.pos >= c.text.size()) break;
    if (c.text[c.pos] != ',')
      return fail(c.pos, "unexpected " + Quote(std::string(c.text.substr(c.pos))) + " in the " +
                             f.name + " field");
    ++c.pos;
  }
  return mask;
}

}  // namespace

CronParse ParseCron(std::string_view text) {
  CronParse out;
  out.spec.text = std::string(text);
  std::string_view t = Trim(text);
  static const std::array<std::pair<std::string_view, std::string_view>, 7> kDescriptors = {{
      {"@yearly", "0 0 1 1 *"},
      {"@annually", "0 0 1 1 *"},
      {"@monthly", "0 0 1 * *"},
      {"@weekly", "0 0 * * 0"},
      {"@daily", "0 0 * * *"},
      {"@midnight", "0 0 * * *"},
      {"@hourly", "0 * * * *"},
  }};
  if (!t.empty() && t[0] == '@') {
    for (const auto& [name, expansion] : kDescriptors) {
      if (t == name) {
        CronParse expanded = ParseCron(expansion);
        expanded.spec.text = std::string(text);
        return expanded;
      }
    }
    std::vector<std::string> names;
    for (const auto& d : kDescriptors) names.emplace_back(d.first);
    out.error = "unknown schedule " + Quote(t) + DidYouMean(t, names);
    return out;
  }
  std::vector<std::pair<size_t, std::string_view>> fields;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    size_t b = i;
    while (i < text.size() && !std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    if (i > b) fields.emplace_back(b, text.substr(b, i - b));
  }
  if (fields.size() != 5) {
    out.error =
        "a cron expression has 5 fields (minute hour day-of-month month day-of-week), got " +
        std::to_string(fields.size());
    return out;
  }
  uint64_t masks[5];
  bool restricted[5];
  for (int f = 0; f < 5; ++f) {
    std::optional<uint64_t> m = ParseField(Cursor{fields[f].second, fields[f].first}, kFields[f],
                                           &restricted[f], &out.error, &out.offset);
    if (!m) return out;
    masks[f] = *m;
  }
  out.spec.minutes = masks[0];
  out.spec.hours = static_cast<uint32_t>(masks[1]);
  out.spec.days_of_month = static_cast<uint32_t>(masks[2]);
  out.spec.months = static_cast<uint16_t>(masks[3]);
  out.spec.days_of_week = static_cast<uint8_t>(masks[4]);
  out.spec.dom_restricted = restricted[2];
  out.spec.dow_restricted = restricted[4];
  return out;
}

}  // namespace flyte::spec
