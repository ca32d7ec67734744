#include "util/quantity.h"

#include <limits>

namespace flyte {
namespace {

using U128 = unsigned __int128;

constexpr U128 kMax = std::numeric_limits<int64_t>::max();

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// A quantity as an exact number: digits × 10^pow10 × 2^pow2.
struct Exact {
  uint64_t digits = 0;
  int pow10 = 0;
  int pow2 = 0;
};

// Kubernetes' grammar (apimachinery resource.Quantity): a non-negative decimal, then one
// binary suffix (Ki..Ei), decimal suffix (m, k, M..E) or exponent (e3, E-2).
std::optional<Exact> ParseExact(std::string_view s, bool allow_milli) {
  Exact x;
  size_t i = 0;
  bool any_digit = false;
  bool overflow = false;
  auto add_digit = [&](char c) {
    if (x.digits > (std::numeric_limits<uint64_t>::max() - 9) / 10) overflow = true;
    x.digits = x.digits * 10 + static_cast<uint64_t>(c - '0');
  };
  for (; i < s.size() && IsDigit(s[i]); ++i) {
    any_digit = true;
    add_digit(s[i]);
  }
  if (i < s.size() && s[i] == '.') {
    ++i;
    size_t begin = i;
    while (i < s.size() && IsDigit(s[i])) ++i;
    size_t end = i;
    // Trailing zeros carry no value; dropping them keeps long spellings from overflowing.
    while (end > begin && s[end - 1] == '0') --end;
    any_digit = any_digit || i > begin;
    for (size_t k = begin; k < end; ++k) {
      add_digit(s[k]);
      --x.pow10;
    }
  }
  if (!any_digit || overflow) return std::nullopt;

  std::string_view suffix = s.substr(i);
  if (suffix.empty()) return x;
  if (suffix.size() == 2 && suffix[1] == 'i') {
    static constexpr std::string_view kBinary = "KMGTPE";
    size_t at = kBinary.find(suffix[0]);
    if (at == std::string_view::npos) return std::nullopt;
    x.pow2 = 10 * static_cast<int>(at + 1);
    return x;
  }
  if (suffix.size() == 1) {
    switch (suffix[0]) {
      case 'm':
        if (!allow_milli) return std::nullopt;
        x.pow10 -= 3;
        return x;
      case 'k':
        x.pow10 += 3;
        return x;
      case 'M':
        x.pow10 += 6;
        return x;
      case 'G':
        x.pow10 += 9;
        return x;
      case 'T':
        x.pow10 += 12;
        return x;
      case 'P':
        x.pow10 += 15;
        return x;
      case 'E':
        x.pow10 += 18;
        return x;
      default:
        return std::nullopt;
    }
  }
  if (suffix[0] != 'e' && suffix[0] != 'E') return std::nullopt;
  size_t k = 1;
  bool negative = false;
  if (suffix[k] == '+' || suffix[k] == '-') negative = suffix[k++] == '-';
  if (k == suffix.size() || suffix.size() - k > 3) return std::nullopt;
  int exp = 0;
  for (; k < suffix.size(); ++k) {
    if (!IsDigit(suffix[k])) return std::nullopt;
    exp = exp * 10 + (suffix[k] - '0');
  }
  x.pow10 += negative ? -exp : exp;
  return x;
}

// The value × 10^scale as an integer. A fractional result is rounded up when round_up
// (Kubernetes rounds CPU up to the next millicore) and rejected otherwise.
std::optional<int64_t> ToInteger(const Exact& x, int scale, bool round_up) {
  if (x.digits == 0) return 0;
  U128 n = U128{x.digits} << x.pow2;  // digits < 2^64, pow2 ≤ 60: fits
  int pow10 = x.pow10 + scale;
  if (pow10 >= 0) {
    for (int k = 0; k < pow10; ++k) {
      if (n > kMax) return std::nullopt;
      n *= 10;
    }
    if (n > kMax) return std::nullopt;
    return static_cast<int64_t>(n);
  }
  U128 quotient = 0;
  bool remainder = true;
  if (-pow10 <= 38) {
    U128 divisor = 1;
    for (int k = 0; k < -pow10; ++k) divisor *= 10;
    quotient = n / divisor;
    remainder = n % divisor != 0;
  }
  if (remainder) {
    if (!round_up) return std::nullopt;
    ++quotient;
  }
  if (quotient > kMax) return std::nullopt;
  return static_cast<int64_t>(quotient);
}

}  // namespace

std::optional<int64_t> ParseCpuMillis(std::string_view text) {
  std::optional<Exact> x = ParseExact(text, /*allow_milli=*/true);
  if (!x) return std::nullopt;
  return ToInteger(*x, 3, /*round_up=*/true);
}

std::optional<int64_t> ParseBytes(std::string_view text) {
  std::optional<Exact> x = ParseExact(text, /*allow_milli=*/false);
  if (!x) return std::nullopt;
  return ToInteger(*x, 0, /*round_up=*/false);
}

}  // namespace flyte
