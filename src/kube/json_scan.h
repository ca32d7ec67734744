// A forward-only reader of JSON text. The few fields flyte reads of a Pod are taken as the
// text goes by and everything else is checked and stepped over, with no tree built: a Pod
// runner reads six ~4 KB watch events per Pod, and a parsed tree of each cost more than the
// rest of the Pod's handling put together (docs/benchmarks.md, run 12).
//
// It accepts exactly what a JSON parser accepts (RFC 8259: strings of valid UTF-8 without
// raw control characters, escapes, surrogate pairs, the number grammar), so a text that
// nlohmann refuses is refused here too (tests/kube/json_scan_test.cc, and the kubejson fuzz
// target, check the two against each other). Private to kube/.
//
// Use: Object() then Key() in a loop, reading each member's value with one call (String,
// Int, Object, Array or Skip); Array() then Element() in a loop likewise. After an error every
// call returns false, so loops end; Finish() says whether the whole text was one good value.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace flyte::kube {

class JsonScan {
 public:
  // A UTF-8 byte order mark before the text is skipped, as nlohmann skips it.
  explicit JsonScan(std::string_view text)
      : t_(text), i_(text.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0) {}

  // At an object: enters it and returns true. Any other value is skipped (false).
  bool Object();
  // The next member's key, or false past the object's end. The key stays valid until the next
  // call of Key(); the caller reads or skips the member's value before calling again.
  bool Key(std::string_view* key);
  // At an array: enters it and returns true. Any other value is skipped (false).
  bool Array();
  // True before each element of the array entered last, false past its end.
  bool Element();

  // The string at the cursor, decoded; any other value is skipped (false, `out` untouched
  // unless the string was malformed).
  bool String(std::string* out);
  // The integer at the cursor (a number without fraction or exponent that fits 64 bits, an
  // unsigned one kept as its bits, as nlohmann keeps it); any other value is skipped (false).
  bool Int(int64_t* out);
  // Steps over the value at the cursor, of any depth, checking it.
  void Skip();

  // The value read was the whole text (only white space after it, up to the end or a NUL byte,
  // where nlohmann's parser stops reading too) and had no error.
  bool Finish();
  bool ok() const { return !failed_; }

 private:
  enum : uint8_t { kFirst = 1, kInObject = 2 };
  void Fail() { failed_ = true; }
  void Space();
  bool Peek(char c);  // after white space
  // The string at t_[i_] ('"'); decoded into `out` when it is not null.
  bool ScanString(std::string* out);
  // The number at the cursor; its integer value when `out` is set and it is one.
  bool ScanNumber(int64_t* out, bool* integer);
  bool ScanLiteral(std::string_view word);
  bool ScanScalar();
  // Before a member's key or an element: the separator of the level entered last.
  bool NextInLevel(char closer);
  // At `open` ('{' or '['): enters the level. Any other value is skipped (false).
  bool Enter(char open);

  std::string_view t_;
  size_t i_;
  bool failed_ = false;
  // The levels entered by Object() and Array(), innermost last (kFirst | kInObject bits).
  uint8_t levels_[32];
  int depth_ = 0;
  std::string key_;  // a key that had escapes, decoded
};

}  // namespace flyte::kube
