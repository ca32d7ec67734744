#include "cli/choices.h"

#include <cctype>

#include "flyte/phase.h"
#include "util/strings.h"

namespace flyte::cli {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::string Suggest(std::string_view word, const std::vector<std::string>& names) {
  std::string match = ClosestMatch(word, names);
  return match.empty() ? "" : "; did you mean " + Quote(match) + "?";
}

Result<std::string> Choose(std::string_view what, std::string_view value,
                           const std::vector<std::string>& names, bool ignore_case) {
  for (const std::string& n : names) {
    if (n == value || (ignore_case && Lower(n) == Lower(value))) return n;
  }
  std::string suggestion = Suggest(value, names);
  if (ignore_case && suggestion.empty()) {
    // 'faild' is a typo of FAILED when case does not count.
    std::vector<std::string> lower;
    for (const std::string& n : names) lower.push_back(Lower(n));
    std::string match = ClosestMatch(Lower(value), lower);
    for (size_t i = 0; i < lower.size() && !match.empty(); ++i) {
      if (lower[i] == match) suggestion = "; did you mean " + Quote(names[i]) + "?";
    }
  }
  return InvalidArgument("unknown " + std::string(what) + " " + Quote(value) + suggestion +
                         " (valid: " + Join(names, ", ") + ")");
}

std::vector<std::string> ExecutionPhaseNames() {
  std::vector<std::string> names;
  for (size_t p = 0; p < kExecutionPhaseCount; ++p)
    names.emplace_back(PhaseName(static_cast<ExecutionPhase>(p)));
  return names;
}

}  // namespace flyte::cli
