// Closed sets of values a flag or argument takes (phases, output formats, subcommands, node
// names), and the one message for a value outside its set: the valid values and, for a likely
// typo, the one that was probably meant. Parser-free, so that commands use it too.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "flyte/status.h"

namespace flyte::cli {

// "; did you mean 'x'?" when `word` is a plausible typo of one of `names`, else "".
std::string Suggest(std::string_view word, const std::vector<std::string>& names);

// `value` as spelled in `names` (compared ignoring case when `ignore_case`), or InvalidArgument
// "unknown WHAT 'V'; did you mean 'X'? (valid: a, b, c)".
Result<std::string> Choose(std::string_view what, std::string_view value,
                           const std::vector<std::string>& names, bool ignore_case = false);

// Every execution phase as the API spells it (QUEUED, RUNNING, ..., TIMED_OUT).
std::vector<std::string> ExecutionPhaseNames();

}  // namespace flyte::cli
