// Checking a value that is already a Value against a declared type, at run time: values that
// come out of json attribute paths (static type `any`), signal payloads and cached outputs.
#pragma once

#include <string>

#include "flyte/types.h"
#include "flyte/value.h"

namespace flyte {

struct Coerced {
  Value value;
  std::string error;  // empty on success: "expected int, got str \"x\""
  bool ok() const { return error.empty(); }
};

// Returns `v` as a value of `type`: ints widen to floats, strings become datetimes, durations,
// files or dirs by parsing, enum symbols are checked; a union takes the one variant that fits.
Coerced CoerceValue(const Value& v, const Type& type);

// "int 5", "str \"x\"", "a list", "a mapping", "null": for messages.
std::string DescribeValue(const Value& v);

}  // namespace flyte
