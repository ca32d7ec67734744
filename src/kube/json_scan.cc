#include "kube/json_scan.h"

#include <cmath>
#include <cstdlib>
#include <cstring>

namespace flyte::kube {
namespace {

// Bytes a string holds as they are: not '"', '\\', a control character or a UTF-8 lead.
struct PlainBytes {
  bool plain[256];
  constexpr PlainBytes() : plain() {
    for (int c = 0x20; c < 0x80; ++c) plain[c] = c != '"' && c != '\\';
  }
};
constexpr PlainBytes kPlain;

bool IsSpace(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

int Hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void AppendUtf8(std::string* out, uint32_t cp) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// The length of the UTF-8 sequence at s[0] (RFC 3629: no overlong forms, no surrogates,
// nothing past U+10FFFF), or 0 when it is not one.
size_t Utf8Length(const unsigned char* s, size_t left) {
  const unsigned char c = s[0];
  auto cont = [&](size_t k, unsigned char lo, unsigned char hi) {
    return k < left && s[k] >= lo && s[k] <= hi;
  };
  if (c >= 0xC2 && c <= 0xDF) return cont(1, 0x80, 0xBF) ? 2 : 0;
  if (c == 0xE0) return cont(1, 0xA0, 0xBF) && cont(2, 0x80, 0xBF) ? 3 : 0;
  if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF)
    return cont(1, 0x80, 0xBF) && cont(2, 0x80, 0xBF) ? 3 : 0;
  if (c == 0xED) return cont(1, 0x80, 0x9F) && cont(2, 0x80, 0xBF) ? 3 : 0;
  if (c == 0xF0) return cont(1, 0x90, 0xBF) && cont(2, 0x80, 0xBF) && cont(3, 0x80, 0xBF) ? 4 : 0;
  if (c >= 0xF1 && c <= 0xF3)
    return cont(1, 0x80, 0xBF) && cont(2, 0x80, 0xBF) && cont(3, 0x80, 0xBF) ? 4 : 0;
  if (c == 0xF4) return cont(1, 0x80, 0x8F) && cont(2, 0x80, 0xBF) && cont(3, 0x80, 0xBF) ? 4 : 0;
  return 0;
}

}  // namespace

void JsonScan::Space() {
  while (i_ < t_.size() && IsSpace(t_[i_])) ++i_;
}

bool JsonScan::Peek(char c) {
  Space();
  return i_ < t_.size() && t_[i_] == c;
}

bool JsonScan::ScanString(std::string* out) {
  // t_[i_] == '"'
  size_t i = i_ + 1;
  const size_t n = t_.size();
  for (;;) {
    // A run of plain bytes at once.
    size_t run = i;
    while (run < n && kPlain.plain[static_cast<unsigned char>(t_[run])]) ++run;
    if (out != nullptr) out->append(t_.data() + i, run - i);
    i = run;
    if (i >= n) return false;
    const unsigned char c = static_cast<unsigned char>(t_[i]);
    if (c == '"') {
      i_ = i + 1;
      return true;
    }
    if (c < 0x20) return false;
    if (c >= 0x80) {
      const size_t len = Utf8Length(reinterpret_cast<const unsigned char*>(t_.data()) + i, n - i);
      if (len == 0) return false;
      if (out != nullptr) out->append(t_.data() + i, len);
      i += len;
      continue;
    }
    // An escape.
    if (i + 1 >= n) return false;
    const char e = t_[i + 1];
    i += 2;
    char plain = 0;
    switch (e) {
      case '"':
        plain = '"';
        break;
      case '\\':
        plain = '\\';
        break;
      case '/':
        plain = '/';
        break;
      case 'b':
        plain = '\b';
        break;
      case 'f':
        plain = '\f';
        break;
      case 'n':
        plain = '\n';
        break;
      case 'r':
        plain = '\r';
        break;
      case 't':
        plain = '\t';
        break;
      case 'u':
        break;
      default:
        return false;
    }
    if (e != 'u') {
      if (out != nullptr) out->push_back(plain);
      continue;
    }
    auto hex4 = [&](size_t at) -> int32_t {
      if (at + 4 > n) return -1;
      int32_t v = 0;
      for (size_t k = 0; k < 4; ++k) {
        const int h = Hex(t_[at + k]);
        if (h < 0) return -1;
        v = v * 16 + h;
      }
      return v;
    };
    int32_t cp = hex4(i);
    if (cp < 0) return false;
    i += 4;
    if (cp >= 0xDC00 && cp <= 0xDFFF) return false;  // a low surrogate alone
    if (cp >= 0xD800 && cp <= 0xDBFF) {
      if (i + 2 > n || t_[i] != '\\' || t_[i + 1] != 'u') return false;
      const int32_t low = hex4(i + 2);
      if (low < 0xDC00 || low > 0xDFFF) return false;
      i += 6;
      cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    }
    if (out != nullptr) AppendUtf8(out, static_cast<uint32_t>(cp));
  }
}

bool JsonScan::ScanNumber(int64_t* out, bool* integer) {
  size_t i = i_;
  const size_t n = t_.size();
  const bool negative = i < n && t_[i] == '-';
  if (negative) ++i;
  const size_t digits = i;
  if (i < n && t_[i] == '0') {
    ++i;
  } else if (i < n && t_[i] >= '1' && t_[i] <= '9') {
    while (i < n && IsDigit(t_[i])) ++i;
  } else {
    return false;
  }
  const size_t digits_end = i;
  bool whole = true;
  if (i < n && t_[i] == '.') {
    whole = false;
    ++i;
    if (i >= n || !IsDigit(t_[i])) return false;
    while (i < n && IsDigit(t_[i])) ++i;
  }
  if (i < n && (t_[i] == 'e' || t_[i] == 'E')) {
    whole = false;
    ++i;
    if (i < n && (t_[i] == '+' || t_[i] == '-')) ++i;
    if (i >= n || !IsDigit(t_[i])) return false;
    while (i < n && IsDigit(t_[i])) ++i;
  }
  const size_t start = i_;
  i_ = i;
  *integer = false;
  // A float, or an integer too large for 64 bits (a float to nlohmann too), must be finite:
  // nlohmann refuses "1e999" as a number overflow.
  auto finite = [&] {
    const std::string text(t_.substr(start, i - start));
    return std::isfinite(std::strtod(text.c_str(), nullptr));
  };
  if (!whole) return finite();
  // As strtoull/strtoll would read it.
  uint64_t v = 0;
  for (size_t k = digits; k < digits_end; ++k) {
    const uint64_t d = static_cast<uint64_t>(t_[k] - '0');
    if (v > (UINT64_MAX - d) / 10) return finite();
    v = v * 10 + d;
  }
  if (out == nullptr) return true;
  if (negative) {
    if (v > uint64_t{1} << 63) return true;  // a float to nlohmann, and a finite one
    *out = static_cast<int64_t>(0 - v);
  } else {
    *out = static_cast<int64_t>(v);
  }
  *integer = true;
  return true;
}

bool JsonScan::ScanLiteral(std::string_view word) {
  if (t_.substr(i_, word.size()) != word) return false;
  i_ += word.size();
  return true;
}

bool JsonScan::ScanScalar() {
  if (i_ >= t_.size()) return false;
  switch (t_[i_]) {
    case '"':
      return ScanString(nullptr);
    case 't':
      return ScanLiteral("true");
    case 'f':
      return ScanLiteral("false");
    case 'n':
      return ScanLiteral("null");
    default: {
      bool integer = false;
      return ScanNumber(nullptr, &integer);
    }
  }
}

void JsonScan::Skip() {
  if (failed_) return;
  // Each open bracket's closer, innermost last: a value of any depth without recursion.
  std::string open;
  for (;;) {
    // A value.
    Space();
    if (i_ >= t_.size()) return Fail();
    const char c = t_[i_];
    if (c == '{' || c == '[') {
      ++i_;
      const char closer = c == '{' ? '}' : ']';
      if (!Peek(closer)) {
        open.push_back(closer);
        if (c == '{') {
          if (!Peek('"') || !ScanString(nullptr) || !Peek(':')) return Fail();
          ++i_;
        }
        continue;  // its first value
      }
      ++i_;  // empty
    } else if (!ScanScalar()) {
      return Fail();
    }
    // After a value: a separator, or the ends of levels.
    for (;;) {
      if (open.empty()) return;
      Space();
      if (i_ >= t_.size()) return Fail();
      if (t_[i_] == open.back()) {
        ++i_;
        open.pop_back();
        continue;
      }
      if (t_[i_] != ',') return Fail();
      ++i_;
      if (open.back() == '}') {
        if (!Peek('"') || !ScanString(nullptr) || !Peek(':')) return Fail();
        ++i_;
      }
      break;
    }
  }
}

bool JsonScan::Enter(char open) {
  if (failed_) return false;
  if (!Peek(open)) {
    Skip();
    return false;
  }
  ++i_;
  if (depth_ == static_cast<int>(sizeof levels_)) {
    Fail();
    return false;
  }
  levels_[depth_++] = static_cast<uint8_t>(kFirst | (open == '{' ? kInObject : 0));
  return true;
}

bool JsonScan::Object() { return Enter('{'); }

bool JsonScan::Array() { return Enter('['); }

bool JsonScan::NextInLevel(char closer) {
  if (failed_ || depth_ == 0) return false;
  uint8_t& level = levels_[depth_ - 1];
  if ((level & kInObject) != (closer == '}' ? kInObject : 0)) {
    Fail();  // a Key() in an array or an Element() in an object: a caller's mistake
    return false;
  }
  Space();
  if (i_ < t_.size() && t_[i_] == closer) {
    ++i_;
    --depth_;
    return false;
  }
  if (!(level & kFirst)) {
    if (i_ >= t_.size() || t_[i_] != ',') {
      Fail();
      return false;
    }
    ++i_;
    Space();
  }
  level &= static_cast<uint8_t>(~kFirst);
  return true;
}

bool JsonScan::Key(std::string_view* key) {
  if (!NextInLevel('}')) return false;
  if (i_ >= t_.size() || t_[i_] != '"') {
    Fail();
    return false;
  }
  const size_t start = i_ + 1;
  if (!ScanString(nullptr)) {
    Fail();
    return false;
  }
  std::string_view raw = t_.substr(start, i_ - 1 - start);
  if (raw.find('\\') != std::string_view::npos) {
    key_.clear();
    i_ = start - 1;
    (void)ScanString(&key_);
    raw = key_;
  }
  if (!Peek(':')) {
    Fail();
    return false;
  }
  ++i_;
  *key = raw;
  return true;
}

bool JsonScan::Element() { return NextInLevel(']'); }

bool JsonScan::String(std::string* out) {
  if (failed_) return false;
  if (!Peek('"')) {
    Skip();
    return false;
  }
  out->clear();
  if (!ScanString(out)) {
    Fail();
    return false;
  }
  return true;
}

bool JsonScan::Int(int64_t* out) {
  if (failed_) return false;
  Space();
  if (i_ >= t_.size() || !(t_[i_] == '-' || IsDigit(t_[i_]))) {
    Skip();
    return false;
  }
  bool integer = false;
  int64_t v = 0;
  if (!ScanNumber(&v, &integer)) {
    Fail();
    return false;
  }
  if (integer) *out = v;
  return integer;
}

bool JsonScan::Finish() {
  if (failed_ || depth_ != 0) return false;
  Space();
  // A NUL ends the text for nlohmann's parser too, whatever follows it.
  return i_ == t_.size() || t_[i_] == '\0';
}

}  // namespace flyte::kube
