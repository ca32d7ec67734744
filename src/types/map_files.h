// A value with each of its file and folder values (at any depth of lists and dicts) replaced by
// what `fn` makes of it; the first error stops the walk. For code that moves values between
// stores (runner/value_transfer.h) without writing the recursion again.
#pragma once

#include <functional>

#include "flyte/status.h"
#include "flyte/value.h"

namespace flyte {

Result<Value> MapFiles(const Value& v, const std::function<Result<Value>(const Value&)>& fn);

}  // namespace flyte
